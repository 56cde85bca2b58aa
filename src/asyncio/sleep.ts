/**
 * asyncio's `sleep` and the Promise adapter.
 */
import { ValueError } from "./errors.js";
import { Future } from "./future.js";
import { getRunningLoop } from "./running.js";
import { YIELD_NOW } from "./task.js";
import type { AioYield, Coroutine } from "./types.js";

function setResultUnlessCancelled<T>(future: Future<T>, value: T): void {
  if (!future.cancelled()) future.setResult(value);
}

/**
 * Sleeps `delay` seconds on the loop's clock and returns `result`.
 * `sleep(0)` just lets other tasks and callbacks run once.
 */
export function sleep(delay: number): Coroutine<void>;
export function sleep<T>(delay: number, result: T): Coroutine<T>;
export function* sleep<T>(delay: number, result?: T): Coroutine<T | undefined> {
  if (typeof delay !== "number") {
    throw new TypeError(`asyncio sleep(delay) needs a number of seconds, got ${typeof delay}.`);
  }
  // A number, but not a delay: ValueError with CPython 3.12's words.
  if (Number.isNaN(delay)) throw new ValueError("Invalid delay: NaN (not a number). asyncio sleep(delay) needs a number of seconds.");
  if (delay <= 0) {
    yield YIELD_NOW as AioYield;
    return result;
  }
  const loop = getRunningLoop();
  const future = loop.createFuture<T | undefined>();
  // callLater(delay, set result unless cancelled), without a Handle per sleep.
  const timer = loop.sleepUntil(loop.time() + delay, future, result);
  try {
    return yield* future;
  } finally {
    loop.cancelSleep(timer);
  }
}

/**
 * A Future that completes with a Promise's outcome, so asyncio code can
 * `yield* wrapPromise(fetch(url))`. Cancelling the Future does not stop the
 * Promise's work; pass an AbortSignal for that. A Future (or Task) is
 * returned as it is, so cancelling it still reaches it.
 */
export function wrapPromise<T>(promise: PromiseLike<T>): Future<T> {
  // Already a Future: nothing to wrap (ensure_future returns a Future as is).
  if (promise instanceof Future) return promise as Future<T>;
  if (promise === null || typeof promise !== "object" || typeof (promise as { then?: unknown }).then !== "function") {
    throw new TypeError("wrapPromise(promise) needs a Promise or thenable.");
  }
  const loop = getRunningLoop();
  const future = loop.createFuture<T>();
  Promise.resolve(promise).then(
    (value) => {
      if (!future.done() && !loop.isClosed()) loop.callSoonThreadsafe(setResultUnlessCancelled<T>, future, value);
    },
    (error: unknown) => {
      if (!future.done() && !loop.isClosed()) {
        loop.callSoonThreadsafe(() => {
          if (!future.done()) future.setException(error ?? new Error("Promise rejected without a reason"));
        });
      }
    },
  );
  return future;
}
