/**
 * Which tasks ran in each scheduler batch, recorded only while a subscriber
 * asks (`subscribe(l, { batchTasks: true })`): an instrument whose one hook
 * (`beforeTaskStep`) notes the stepping task's id is installed in every
 * live run then, and in runs that start meanwhile, and removed when the
 * last such subscriber leaves. With no one asking, no instrument is
 * installed and the runner keeps its uninstrumented path. Bounded: the
 * first MAX_BATCH_TASKS distinct tasks of a batch, and a count of the rest.
 */
import { installInstruments, uninstallInstrument, type Runner } from "../core/runner.js";
import type { Task } from "../core/task.js";
import type { Instrument } from "../core/instruments.js";
import { liveRuns } from "./hooks.js";

/** Distinct task ids kept per batch. */
export const MAX_BATCH_TASKS = 32;

interface Stepping {
  ids: number[];
  /** Distinct tasks beyond the first MAX_BATCH_TASKS (approximate: a repeat among them counts again). */
  more: number;
}

let askers = 0;
const installed = new Set<Runner>();
const current = new Map<Runner, Stepping>();

const instrument: Instrument = {
  beforeTaskStep(task: Task): void {
    const runner = task.runner;
    let s = current.get(runner);
    if (s === undefined) {
      s = { ids: [], more: 0 };
      current.set(runner, s);
    }
    const ids = s.ids;
    // A task often steps several times in a row: check the last id first.
    if (ids[ids.length - 1] === task.id || ids.includes(task.id)) return;
    if (ids.length < MAX_BATCH_TASKS) ids.push(task.id);
    else s.more++;
  },
};

function install(runner: Runner): void {
  if (installed.has(runner) || runner.finished) return;
  installInstruments(runner, [instrument]);
  installed.add(runner);
}

/** Starts recording for one more subscriber; the function returned stops it (once). */
export function askBatchTasks(): () => void {
  askers++;
  if (askers === 1) for (const r of liveRuns) install(r as Runner);
  let asked = true;
  return () => {
    if (!asked) return;
    asked = false;
    askers--;
    if (askers > 0) return;
    for (const r of installed) {
      try {
        uninstallInstrument(r, instrument);
      } catch {
        // already gone (a hook that threw is removed with its instrument)
      }
    }
    installed.clear();
    current.clear();
  };
}

/** A run started: record its batches too while someone asks. */
export function batchTasksRunStarted(runner: object): void {
  if (askers > 0) install(runner as Runner);
}

/** A run finished (inside its last batch: that batch's tasks are taken after this). */
export function batchTasksRunFinished(runner: object): void {
  installed.delete(runner as Runner);
}

/** The tasks that stepped in the batch that just ended in `runner`, or undefined when not recorded. */
export function takeBatchTasks(runner: object): { taskIds: number[]; moreTasks: number } | undefined {
  if (askers === 0) return undefined;
  const s = current.get(runner as Runner);
  current.delete(runner as Runner);
  return s === undefined ? { taskIds: [], moreTasks: 0 } : { taskIds: s.ids, moreTasks: s.more };
}
