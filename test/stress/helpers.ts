/**
 * Helpers for the stress tests: the scale knob, a run that keeps its runner,
 * and the "nothing left behind" check every stress test ends with.
 *
 * Why it is built so: each stress test must end with exact counts and with
 * nothing left, by three independent witnesses: the runner's own
 * `leftovers()`, the inspector's view of live runs and loops, and Node's list
 * of active host timers. Sizes are CI-sized by default and multiplied by the
 * environment variable STRESS_SCALE (e.g. STRESS_SCALE=10) for a long run.
 */
import { expect } from "vitest";
import { currentRun, inspector, runWith, type Operation, type Runner } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

const rawScale = Number(process.env.STRESS_SCALE ?? "1");
/** The multiplier from STRESS_SCALE (default 1). */
export const SCALE = Number.isFinite(rawScale) && rawScale > 0 ? rawScale : 1;

/** `n` times the scale, rounded, at least 1. */
export function scaled(n: number): number {
  return Math.max(1, Math.round(n * SCALE));
}

/** A MockClock that jumps to the next deadline as soon as the run is idle. */
export function autojumpClock(): MockClock {
  return new MockClock({ autojumpThreshold: 0 });
}

/** The outcome of a run, with its runner for `leftovers()`. */
export interface Kept<T> {
  runner: Runner;
  ok: boolean;
  value: T | unknown;
}

/** Runs `main` on `clock` (default: autojumping MockClock); never rejects. */
export async function runKeep<T>(main: () => Operation<T>, clock: MockClock = autojumpClock()): Promise<Kept<T>> {
  let runner: Runner | null = null;
  const p = runWith({ clock }, function* () {
    runner = currentRun();
    return yield* main();
  });
  let ok = true;
  let value: unknown;
  try {
    value = await p;
  } catch (error) {
    ok = false;
    value = error;
  }
  if (runner === null) throw new Error("runKeep: main never ran");
  return { runner, ok, value };
}

/** How many host timers Node has armed right now (setTimeout/setInterval). */
export function activeHostTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}

/**
 * Asserts the run left nothing: no task, deadline, host timer, idle check
 * or idle waiter (leftovers()), no live run or loop of it in the inspector,
 * and no more host timers than `timersBefore` (taken before the run).
 */
export function expectClean(runner: Runner, timersBefore?: number): void {
  expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  expect(runner.isRunning).toBe(false);
  const snap = inspector.inspect();
  expect(snap.runs.filter((r) => r.id === runner.id)).toEqual([]);
  expect(snap.loops.filter((l) => l.runId === runner.id)).toEqual([]);
  expect(snap.tasks.filter((t) => t.runId === runner.id)).toEqual([]);
  if (timersBefore !== undefined) expect(activeHostTimers()).toBeLessThanOrEqual(timersBefore);
}

/** Asserts every entry of `counts` is exactly 1 (each value delivered once, each finally run once). */
export function expectAllOnce(what: string, counts: ArrayLike<number>): void {
  let zero = 0;
  let many = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) zero++;
    else if (counts[i] !== 1) many++;
  }
  expect({ what, missing: zero, duplicated: many }).toEqual({ what, missing: 0, duplicated: 0 });
}

/** A small deterministic PRNG (mulberry32), so randomised stress is reproducible from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
