/**
 * Helpers for the queue and lock tests: each test runs asyncio code in a
 * loop opened by `openLoop`, inside a run on an autojumping MockClock, and
 * checks that the run leaves nothing behind. Tasks are spawned with
 * `spawn`, and `tick()` lets every task that is ready run one step (a
 * `sleep(0)`, as in CPython's tests).
 */
import { expect } from "vitest";
import { currentRun, runWith, type Runner } from "../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import { getRunningLoop, sleep, type Coroutine, type Task } from "../../src/asyncio/index.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

/** Runs `main` as an asyncio Task on a fresh loop and MockClock; asserts nothing is left over. */
export async function runAio<T>(main: () => Coroutine<T>): Promise<T> {
  let runner: Runner | null = null;
  const value = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
    runner = currentRun();
    return yield* openLoop(function* () {
      return yield* aioAsTrio(main)();
    });
  });
  expect(leftovers(runner!)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  return value;
}

/** Starts `coro` as a Task on the running loop. */
export function spawn<T>(coro: Coroutine<T>, name?: string): Task<T> {
  return getRunningLoop().createTask(coro, name === undefined ? {} : { name });
}

/** Lets ready tasks run: `n` rounds of `sleep(0)`. */
export function* tick(n = 1): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* sleep(0);
}

/** The loop's time (mock seconds). */
export function now(): number {
  return getRunningLoop().time();
}

/** Runs `body` and returns what it throws; fails if it returns. */
export function* thrownBy(body: () => Coroutine<unknown>): Coroutine<unknown> {
  let value: unknown;
  try {
    value = yield* body();
  } catch (error) {
    return error;
  }
  throw new Error(`expected an error, got ${String(value)}`);
}

/** Waits for `task` and returns what it raised (fails if it returned). */
export function* failureOf(task: Task<unknown>): Coroutine<unknown> {
  return yield* thrownBy(function* () {
    return yield* task;
  });
}

/** True if `gen` finishes without yielding once (asyncio fast paths do not yield); returns its value. */
export function runsWithoutYield<T>(gen: Coroutine<T>): { yielded: boolean; value: T | undefined } {
  const r = gen.next();
  if (r.done === true) return { yielded: false, value: r.value };
  gen.return(undefined as never);
  return { yielded: true, value: undefined };
}
