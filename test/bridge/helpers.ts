/**
 * Helpers for the bridge tests: a run on an autojumping MockClock with an
 * openLoop block, the runner kept for leftovers(), and a way to capture what
 * a Promise rejects with. Kept here (not shared with other test dirs) so the
 * bridge tests depend only on the public entry points they test.
 */
import { currentRun, runWith, type Operation, type Runner } from "../../src/core/index.js";
import { openLoop, aioAsTrio } from "../../src/bridge/index.js";
import type { EventLoop } from "../../src/asyncio/index.js";
import type { Coroutine } from "../../src/asyncio/types.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

/** A MockClock that jumps to the next deadline as soon as the run is idle. */
export function autojumpClock(): MockClock {
  return new MockClock({ autojumpThreshold: 0 });
}

/** What a run left: its outcome and the runner (for leftovers()). */
export interface Kept {
  runner: Runner;
  ok: boolean;
  value: unknown;
  clock: MockClock;
}

/** Runs `main` on a fresh autojumping MockClock; never rejects, returns the outcome. */
export async function runKeep<T>(main: () => Operation<T>, clock: MockClock = autojumpClock()): Promise<Kept> {
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
  return { runner, ok, value, clock };
}

/** Runs `body(loop)` inside openLoop on a MockClock; returns the outcome. */
export function runLoop<T>(body: (loop: EventLoop) => Operation<T>, clock?: MockClock): Promise<Kept> {
  return runKeep(() => openLoop(body), clock);
}

/** Runs `body(loop)` inside openLoop on an autojumping MockClock; resolves with its result, rethrows its error, and fails if the run left anything behind. */
export async function inLoop<T>(body: (loop: EventLoop) => Operation<T>, clock?: MockClock): Promise<T> {
  const kept = await runLoop(body, clock);
  expectNoLeftovers(kept.runner);
  if (!kept.ok) throw kept.value;
  return kept.value as T;
}

/** Runs an asyncio coroutine function through openLoop + aioAsTrio; resolves with its result. */
export function runAio<T>(fn: () => Coroutine<T>, clock?: MockClock): Promise<T> {
  return inLoop(() => aioAsTrio(fn)(), clock);
}

/** Throws if the run left anything behind. */
export function expectNoLeftovers(runner: Runner): void {
  const left = leftovers(runner);
  if (left.tasks !== 0 || left.deadlines !== 0 || left.hostTimer || left.idleTimer || left.idleWaiters !== 0) {
    throw new Error(`the run left something behind: ${JSON.stringify(left)}`);
  }
}

/** Resolves with what `p` rejects with; fails if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await p;
  } catch (error) {
    return error;
  }
  throw new Error(`expected a rejection, got ${String(value)}`);
}

/** The single error inside an ExceptionGroup (or the error itself), for assertions. */
export function only(error: unknown): unknown {
  if (error instanceof AggregateError && error.errors.length === 1) return only(error.errors[0]);
  return error;
}
