/**
 * `window.__trio`: a small hook for the end-to-end tests (and for curious
 * people at the console). It reports, from the public inspector API, what
 * is still running on the page, so a test can assert that a scenario left
 * no task, timer or listener behind.
 */
import { inspector } from "../../src/index.js";
import { leftovers } from "../../src/core/runner.js";
import type { TrioRuntime } from "../../src/preact/index.js";
import { liveListeners } from "./listener-probe.js";

/** What `window.__trio.counts()` returns. */
export interface TrioCounts {
  /** Live runs on the page (each TrioRoot owns one). */
  runs: number;
  /** Tasks in all live runs, main tasks included. */
  tasks: number;
  /** Tasks the components started: everything in the demo's runs except each run's main task. */
  componentTasks: number;
  /** Tasks blocked in a sleep (each holds a timer on the run's deadline heap). */
  sleeping: number;
  /** Cancel scopes with a deadline (each holds a timer too). */
  deadlineScopes: number;
  /** Entries on the runs' deadline heaps (sleeps and scope deadlines): the runtime's timers. */
  runtimeTimers: number;
  /** Open asyncio loops. */
  loops: number;
  /** Timers (callLater/callAt) pending on those loops. */
  loopTimers: number;
  /** Pending asyncio Futures and Tasks. */
  futures: number;
  /** Live listeners on non-DOM targets (AbortSignals, XHRs…). */
  listeners: number;
}

const runtimes = new Set<TrioRuntime>();

/** Registers a page's runtime, so `counts()` can tell its tasks and timers apart. */
export function registerRuntime(runtime: TrioRuntime): void {
  runtimes.add(runtime);
  void runtime.done.then(() => runtimes.delete(runtime));
}

/** Counts what is running now. */
export function counts(): TrioCounts {
  const snap = inspector.inspect();
  const mine = new Set<number>();
  let runtimeTimers = 0;
  for (const r of runtimes) {
    const runner = r.runner;
    if (runner === null) continue;
    mine.add(runner.id);
    runtimeTimers += leftovers(runner).deadlines;
  }
  const mains = new Set(snap.runs.map((r) => r.mainTaskId));
  return {
    runs: snap.runs.length,
    tasks: snap.tasks.length,
    componentTasks: snap.tasks.filter((t) => mine.has(t.runId) && !mains.has(t.id)).length,
    sleeping: snap.tasks.filter((t) => t.waitingOn?.kind === "sleep").length,
    deadlineScopes: snap.scopes.filter((s) => s.deadline !== null).length,
    runtimeTimers,
    loops: snap.loops.length,
    loopTimers: snap.loops.reduce((n, l) => n + l.timers, 0),
    futures: snap.futures.length,
    listeners: liveListeners(),
  };
}

/** True when nothing the demo started is left: no component task, timer, loop, future or listener. */
export function idle(): boolean {
  const c = counts();
  return c.componentTasks === 0 && c.sleeping === 0 && c.deadlineScopes === 0 && c.runtimeTimers === 0 && c.loops === 0 && c.futures === 0 && c.listeners === 0;
}

declare global {
  interface Window {
    /** The test hook (see demos/shared/test-hook.ts). */
    __trio?: { counts: typeof counts; idle: typeof idle; snapshot: typeof inspector.inspect };
  }
}

window.__trio = { counts, idle, snapshot: inspector.inspect };
