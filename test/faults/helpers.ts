/**
 * Helpers for the fault-injection tests: a run that keeps its outcome and
 * runner, the "nothing left" check, and `expectUsable`, the small program
 * every fault test runs afterwards to show the runtime was not wedged.
 *
 * Kept in this directory (not shared with other test dirs) so the fault
 * tests depend only on the public entry points they inject faults into.
 */
import { expect } from "vitest";
import {
  ExceptionGroup,
  aioAsTrio,
  asyncio,
  currentRun,
  inspector,
  openLoop,
  openNursery,
  runWith,
  sleep,
  type Operation,
  type Runner,
  type RunOptions,
} from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

/** A MockClock that jumps to the next deadline as soon as the run is idle. */
export function autojumpClock(): MockClock {
  return new MockClock({ autojumpThreshold: 0 });
}

/** The outcome of a run, with its runner. */
export interface Kept {
  runner: Runner;
  ok: boolean;
  value: unknown;
}

/** Runs `main` (default clock: autojumping MockClock); never rejects. */
export async function runKeep<T>(main: () => Operation<T>, options: RunOptions = {}): Promise<Kept> {
  let runner: Runner | null = null;
  const p = runWith({ clock: autojumpClock(), ...options }, function* () {
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

/** Asserts the run left nothing behind, by its own account and the inspector's. */
export function expectClean(runner: Runner): void {
  expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  const snap = inspector.inspect();
  expect(snap.runs.filter((r) => r.id === runner.id)).toEqual([]);
  expect(snap.loops.filter((l) => l.runId === runner.id)).toEqual([]);
}

/** The leaves of an ExceptionGroup (or the error itself, as a one-element list). */
export function leaves(error: unknown): unknown[] {
  return error instanceof ExceptionGroup ? error.leaves() : [error];
}

/** The messages of the leaves, sorted, for order-independent assertions. */
export function leafMessages(error: unknown): string[] {
  return leaves(error)
    .map((e) => (e instanceof Error ? e.message : String(e)))
    .sort();
}

/**
 * Runs a small program that touches the core, a nursery, a deadline and an
 * asyncio loop, and asserts it succeeds: the runtime is still usable after a
 * fault.
 */
export async function expectUsable(): Promise<void> {
  const kept = await runKeep(function* () {
    let sum = 0;
    yield* openNursery(function* (n) {
      for (let i = 1; i <= 3; i++) {
        n.startSoon(function* () {
          yield* sleep(i);
          sum += i;
        });
      }
    });
    const fromAio = yield* openLoop(function* () {
      return yield* aioAsTrio(function* (): asyncio.Coroutine<number> {
        yield* asyncio.sleep(1);
        return 10;
      })();
    });
    return sum + fromAio;
  });
  expect(kept.ok).toBe(true);
  expect(kept.value).toBe(16);
  expectClean(kept.runner);
}
