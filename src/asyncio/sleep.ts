/**
 * asyncio's `sleep` and the Promise adapter.
 */
import type { DeadlineEntry } from "../core/deadlines.js";
import { ValueError } from "./errors.js";
import { describe, readProperty } from "../core/errors.js";
import { Future, FutureAwait, isFuture } from "./future.js";
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
export function sleep<T>(delay: number, result?: T): Coroutine<T | undefined> {
  // Typed as the coroutine it is used as; it has everything yield* and a Task use (see SleepCoroutine).
  return new SleepCoroutine(delay, result) as unknown as Coroutine<T | undefined>;
}

/**
 * What `sleep()` returns: the coroutine of
 *
 *     check delay; if (delay <= 0) { yield YIELD_NOW; return result }
 *     future = loop.createFuture(); timer = loop.sleepUntil(now + delay, future, result)
 *     try { return yield* future } finally { loop.removeTimer(timer) }
 *
 * written as a small object rather than a generator: a sleeping task keeps
 * it, and the generator (with the Future's own iterator under it) was most
 * of what a sleeping asyncio Task held. It behaves as that generator does:
 * the checks run at the first step, a throw() or return() while it sleeps
 * takes the timer off, and it is done after it finished.
 *
 * It is also its own first result, `{ value: the Future (or the yield-now
 * marker), done: false }`, as the Future's iterator is: the sleeping
 * task's generator keeps the result of the `yield*` it waits in, and a
 * fresh object there was 40 bytes more per sleeper (Node). Its `value`
 * never changes after that yield. Once the Future is made it is that
 * iterator (FutureAwait, whose steps it reuses) with a timer to take off.
 */
class SleepCoroutine<T> extends FutureAwait<T | undefined> {
  private sleepTimer: DeadlineEntry | null = null;

  constructor(
    private readonly sleepDelay: number,
    private readonly sleepResult: T | undefined,
  ) {
    // No Future yet: `value` is the Future once the first step made it, or YIELD_NOW for sleep(0).
    super(null as unknown as Future<T | undefined>);
  }

  override next(): IteratorResult<AioYield, T | undefined> {
    if (this.awaitStage !== 0) {
      if ((this.value as unknown) !== YIELD_NOW) {
        this.dropTimer();
        return super.next(); // the Future's result, as `yield* future` gives it
      }
      if (this.awaitStage === 2) return { value: undefined, done: true };
      this.awaitStage = 2;
      return { value: this.sleepResult, done: true }; // sleep(0): its one turn is over
    }
    this.awaitStage = 2; // a check that throws ends it, as in a generator
    const delay = this.sleepDelay;
    if (typeof delay !== "number") {
      throw new TypeError(`asyncio sleep(delay) needs a number of seconds, got ${describe(delay)}.`);
    }
    // A number, but not a delay: ValueError with CPython 3.12's words.
    if (Number.isNaN(delay)) throw new ValueError("Invalid delay: NaN (not a number). asyncio sleep(delay) needs a number of seconds.");
    if (delay <= 0) {
      this.value = YIELD_NOW as unknown as Future<T | undefined>;
    } else {
      const loop = getRunningLoop();
      const future = loop.createFuture<T | undefined>();
      // callLater(delay, set result unless cancelled), without a Handle per sleep.
      this.sleepTimer = loop.sleepUntil(loop.time() + delay, future, this.sleepResult);
      this.value = future;
    }
    this.awaitStage = 1;
    return this as unknown as IteratorResult<AioYield, T | undefined>;
  }

  override throw(error: unknown): IteratorResult<AioYield, T | undefined> {
    this.dropTimer();
    return super.throw(error);
  }

  override return(value?: T): IteratorResult<AioYield, T | undefined> {
    this.dropTimer();
    return super.return(value);
  }

  /** The finally of the generator it stands for: the timer off the loop, nothing kept. */
  private dropTimer(): void {
    const timer = this.sleepTimer;
    if (timer === null) return;
    this.sleepTimer = null;
    this.value.getLoop().removeTimer(timer);
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
  if (isFuture(promise)) return promise as Future<T>;
  if (promise === null || typeof promise !== "object" || typeof readProperty(promise, "then") !== "function") {
    throw new TypeError(`wrapPromise(promise) needs a Promise or thenable, got ${describe(promise)}.`);
  }
  const loop = getRunningLoop();
  const future = loop.createFuture<T>();
  // Settled once the loop takes no more callbacks (it stops before it is marked closed): nothing could run, so the outcome is dropped.
  Promise.resolve(promise).then(
    (value) => {
      if (!future.done() && loop.acceptsCallbacks()) loop.callSoonThreadsafe(setResultUnlessCancelled<T>, future, value);
    },
    (error: unknown) => {
      if (!future.done() && loop.acceptsCallbacks()) {
        loop.callSoonThreadsafe(() => {
          if (!future.done()) future.setException(error ?? new Error("Promise rejected without a reason"));
        });
      }
    },
  );
  return future;
}
