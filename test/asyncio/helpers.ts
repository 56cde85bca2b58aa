/**
 * Helpers shared by the asyncio conformance tests. Every test runs its
 * asyncio code in a Task on a loop opened by `openLoop`, inside a run on an
 * autojumping MockClock: "sleep an hour" costs microseconds and the order of
 * events never depends on the machine.
 */
import { currentRun, runWith, type Runner } from "../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import type { EventLoop } from "../../src/asyncio/event-loop.js";
import { Future } from "../../src/asyncio/future.js";
import { getRunningLoop } from "../../src/asyncio/running.js";
import { sleep as asyncioSleep } from "../../src/asyncio/sleep.js";
import type { Coroutine } from "../../src/asyncio/types.js";
import { MockClock } from "../../src/testing/index.js";

/** Runs `main(loop)` as an asyncio Task in a fresh loop on an autojumping MockClock. */
export function runAio<T>(main: (loop: EventLoop) => Coroutine<T>, clock: MockClock = new MockClock({ autojumpThreshold: 0 })): Promise<T> {
  return runWith({ clock }, function* () {
    return yield* openLoop(function* (loop) {
      return yield* aioAsTrio(main)(loop);
    });
  });
}

/** Like `runAio`, but also returns the runner so a test can check `leftovers()`. */
export async function runAioKeep<T>(main: (loop: EventLoop) => Coroutine<T>): Promise<{ runner: Runner; value: T }> {
  const clock = new MockClock({ autojumpThreshold: 0 });
  let runner: Runner | null = null;
  const value = await runWith({ clock }, function* () {
    runner = currentRun();
    return yield* openLoop(function* (loop) {
      return yield* aioAsTrio(main)(loop);
    });
  });
  if (runner === null) throw new Error("runAioKeep: the run never started");
  return { runner, value };
}

/** Resolves with what `p` rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await p;
  } catch (error) {
    return error;
  }
  throw new Error(`expected a rejection, got ${String(value)}`);
}

/** Runs `body` and returns what it throws; fails if it returns. */
export function* raises<T>(body: () => Coroutine<T>): Coroutine<unknown> {
  let value: T;
  try {
    value = yield* body();
  } catch (error) {
    return error;
  }
  throw new Error(`expected an error, got ${String(value)}`);
}

/** Lets the loop run `n` iterations (each `sleep(0)`-like step is one). */
export function* spin(n = 1): Coroutine<void> {
  for (let i = 0; i < n; i++) {
    const f = getRunningLoop().createFuture<void>();
    getRunningLoop().callSoon(() => f.setResult());
    yield* f;
  }
}

/** A coroutine that returns `value` after `delay` seconds, logging start and end. */
export function* delayed<T>(delay: number, value: T, log?: unknown[]): Coroutine<T> {
  const f = new Future<T>();
  const h = getRunningLoop().callLater(delay, () => f.setResult(value));
  try {
    const v = yield* f;
    log?.push(value);
    return v;
  } finally {
    h.cancel();
  }
}

/** A coroutine that raises `error` after `delay` seconds. */
export function* failing(delay: number, error: unknown): Coroutine<never> {
  const f = new Future<void>();
  const h = getRunningLoop().callLater(delay, () => f.setResult());
  try {
    yield* f;
  } finally {
    h.cancel();
  }
  throw error;
}

/** A Task or Future as a coroutine, for raises(). */
export function* awaited<T>(f: Future<T>): Coroutine<T> {
  return yield* f;
}

/** Sleeps `delay` seconds, then returns `v`. */
export function* sleepValue<T>(delay: number, v: T): Coroutine<T> {
  return yield* asyncioSleep(delay, v);
}
