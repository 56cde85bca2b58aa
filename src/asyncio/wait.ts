/**
 * Waiting for several Futures, or for one with a deadline: `wait`,
 * `waitFor` and `asCompleted`, with CPython 3.12's semantics.
 *
 * - `wait` never raises the Futures' errors and never cancels them: it
 *   returns `[done, pending]` Sets when its condition (or timeout) is met.
 *   As in 3.12 it takes Futures/Tasks only; a coroutine is a TypeError,
 *   because wrapping it silently would hide the Task from the caller. Any
 *   iterable of them will do: an array, a Set, a generator.
 *   With FIRST_EXCEPTION, the errors it saw count as retrieved: wait()
 *   returning is how the caller hears of them (CPython calls exception()).
 * - `waitFor` is built on `timeout()`: a coroutine runs inline in the
 *   calling Task (Python's `await coro`), a Future is awaited; at the
 *   deadline the inner work is cancelled, waited for, and `TimeoutError` is
 *   raised. A timeout <= 0 cancels at once unless the work is already done.
 * - `asCompleted` wraps everything in Futures at once, then hands out one
 *   coroutine per Future; each `yield*` of the next one returns (or raises)
 *   the outcome of the next Future to finish. JavaScript has no `async for`,
 *   so iterate with `for (const next of asCompleted(aws)) yield* next`.
 */
import { checkReadable, describe, messageOf, readProperty } from "../core/errors.js";
import { CancelledError, TimeoutError, ValueError } from "./errors.js";
import { awaitAny, futureOf, isCoroutine, isThenable, type Awaitable, type AwaitedOf } from "./functions.js";
import { Future, isFuture } from "./future.js";
import type { Handle } from "./handles.js";
import { getRunningLoop } from "./running.js";
import { timeout as makeTimeout } from "./timeouts.js";
import type { Coroutine } from "./types.js";

/** `wait` returns as soon as any Future is done. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** `wait` returns as soon as any Future raises, or all are done. */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `wait` returns once every Future is done (the default). */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When `wait` returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of `wait`. */
export interface WaitOptions {
  /** Seconds to wait at most (null or absent: no limit). On timeout, `wait` returns; it does not raise. */
  timeout?: number | null | undefined;
  /** When to return (default `ALL_COMPLETED`). */
  returnWhen?: ReturnWhen | undefined;
}

function checkTimeout(what: string, value: unknown): void {
  if (value !== null && value !== undefined && (typeof value !== "number" || Number.isNaN(value))) {
    throw new TypeError(`${what} needs a number of seconds or null, got ${Number.isNaN(value) ? "NaN" : describe(value)}.`);
  }
}

function checkIterable(what: string, value: unknown): void {
  if (isFuture(value) || isThenable(value)) {
    throw new TypeError(`${what} expects an array (or other iterable) of awaitables, not a single one: write ${what.replace("()", "")}([x]).`);
  }
  if (value === null || value === undefined || typeof readProperty(Object(value), Symbol.iterator) !== "function") {
    throw new TypeError(`${what} expects an array (or other iterable) of awaitables, got ${describe(value)}.`);
  }
}

/** The options object of wait / asCompleted: an object (null, a revoked Proxy or a string is refused by name). */
function checkOptions(what: "wait(fs, options)" | "asCompleted(aws, options)", options: unknown): void {
  if (options === null || typeof options !== "object") {
    if (what === "wait(fs, options)") throw new TypeError(`wait(fs, options) takes an options object such as { timeout, returnWhen }, got ${describe(options)}.`);
    throw new TypeError(`asCompleted(aws, options) takes an options object such as { timeout }, got ${describe(options)}.`);
  }
  checkReadable(what, options);
}

/**
 * The distinct items of `items`. A generator object is taken as what it is
 * in Python, an iterable (`wait(t for t in tasks)`), but it may also be a
 * coroutine passed by mistake, which cannot be told apart before it runs:
 * so each item must pass `accepts`, and an error raised while iterating
 * becomes a TypeError that names the fix.
 */
function collect<T>(what: string, items: Iterable<T>, accepts: (item: unknown) => boolean): Set<T> {
  if (!isCoroutine(items)) {
    try {
      return new Set(items);
    } catch (error) {
      // The iterable's own error (or the engine's, for an iterator that is not one), named and kept as the cause.
      throw new TypeError(`${what} could not iterate its argument: ${messageOf(error)}. Pass an array of Futures.`, { cause: error });
    }
  }
  // The fix names the function called (wait, asCompleted); each message is one literal so the production build codes it whole.
  const fn = what.replace("()", "");
  const set = new Set<T>();
  let refused: TypeError | null = null;
  try {
    // for...of closes the generator (return()) if we throw in the body.
    for (const item of items) {
      if (!accepts(item)) throw (refused = new TypeError(`${what} was given a generator that yielded ${describe(item)}, not a Future. If it is a coroutine, run it as a Task and pass the Task: ${fn}([createTask(work())]).`));
      set.add(item);
    }
  } catch (error) {
    if (error === refused) throw error;
    throw new TypeError(`${what} was given a generator, and iterating it raised: ${messageOf(error)}. If it is a coroutine, run it as a Task and pass the Task: ${fn}([createTask(work())]).`, { cause: error });
  }
  return set;
}

/**
 * Waits until the Futures meet `returnWhen` or `timeout` passes, and
 * returns `[done, pending]`. Errors stay in the Futures; nothing is cancelled.
 */
export function* wait<F extends Future<unknown>>(fs: Iterable<F>, options: WaitOptions = {}): Coroutine<[Set<F>, Set<F>]> {
  checkIterable("wait()", fs);
  checkOptions("wait(fs, options)", options);
  const { timeout = null, returnWhen = ALL_COMPLETED } = options;
  checkTimeout("wait(fs, { timeout })", timeout);
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    const shown = typeof returnWhen === "string" ? returnWhen : describe(returnWhen);
    throw new ValueError(`wait(): invalid returnWhen ${shown}; use FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED.`);
  }
  const set = collect("wait()", fs, isFuture);
  if (set.size === 0) throw new ValueError("wait(): the set of Tasks/Futures is empty.");
  for (const f of set) {
    if (!isFuture(f)) {
      throw new TypeError(
        isCoroutine(f)
          ? "wait(): passing coroutines is forbidden; wrap each in a Task first: wait([createTask(work())])."
          : "wait() takes asyncio Futures or Tasks only; wrap other awaitables with ensureFuture().",
      );
    }
  }
  const loop = getRunningLoop();
  const waiter = loop.createFuture<void>();
  let timeoutHandle: Handle | null = null;
  if (timeout !== null) timeoutHandle = loop.callLater(timeout, releaseWaiter, waiter);
  let counter = set.size;
  const onCompletion = (f: Future<unknown>): void => {
    counter--;
    // FIRST_EXCEPTION looks at the exception with exception(), as CPython's
    // _on_completion does, so a failure that made wait() return is not
    // reported again as never retrieved. (CPython skips the look for the
    // last Future to finish, by short-circuit; we do not.)
    const failed = returnWhen === FIRST_EXCEPTION && !f.cancelled() && f.exception() !== undefined;
    if (counter <= 0 || returnWhen === FIRST_COMPLETED || failed) {
      timeoutHandle?.cancel();
      releaseWaiter(waiter);
    }
  };
  for (const f of set) f.addDoneCallback(onCompletion);
  try {
    yield* waiter;
  } finally {
    timeoutHandle?.cancel();
    for (const f of set) f.removeDoneCallback(onCompletion);
  }
  const done = new Set<F>();
  const pending = new Set<F>();
  for (const f of set) (f.done() ? done : pending).add(f);
  return [done, pending];
}

function releaseWaiter(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}

/** Cancels `fut` and waits until it is done (its own outcome is not raised). */
function* cancelAndWait(fut: Future<unknown>): Coroutine<void> {
  const waiter = getRunningLoop().createFuture<void>();
  const release = () => releaseWaiter(waiter);
  fut.addDoneCallback(release);
  try {
    fut.cancel();
    yield* waiter;
  } finally {
    fut.removeDoneCallback(release);
  }
}

/**
 * Waits for `aw` at most `timeout` seconds (null: no limit) and returns its
 * result. At the deadline the work is cancelled and awaited, then
 * `TimeoutError` is raised. Built on `timeout()`, as in Python 3.12.
 */
export function* waitFor<T>(aw: Awaitable<T>, timeout: number | null): Coroutine<T> {
  checkTimeout("waitFor(aw, timeout)", timeout);
  if (timeout === undefined) throw new TypeError("waitFor(aw, timeout) needs a timeout: a number of seconds, or null for none.");
  if (timeout !== null && timeout <= 0) {
    const fut = futureOf(aw, undefined, "waitFor(aw, timeout)");
    if (fut.done()) return fut.result();
    yield* cancelAndWait(fut);
    try {
      return fut.result();
    } catch (error) {
      if (error instanceof CancelledError) throw new TimeoutError("waitFor(): the timeout expired.", { cause: error });
      throw error;
    }
  }
  const inner = awaitAny(aw, "waitFor()");
  return yield* makeTimeout(timeout).run(() => inner);
}

/**
 * Returns an iterator of coroutines; `yield*` each in turn to get the
 * outcomes in completion order. With `timeout`, the coroutines still
 * unanswered when it passes raise `TimeoutError`.
 */
export function asCompleted<A extends Awaitable<unknown>>(
  aws: Iterable<A>,
  options: { timeout?: number | null } = {},
): IterableIterator<Coroutine<AwaitedOf<A>>> {
  checkIterable("asCompleted()", aws);
  checkOptions("asCompleted(aws, options)", options);
  const timeout = options.timeout ?? null;
  checkTimeout("asCompleted(aws, { timeout })", timeout);
  const loop = getRunningLoop();
  const todo = new Set<Future<unknown>>();
  const awaitables = collect("asCompleted()", aws, (aw) => isFuture(aw) || isCoroutine(aw) || isThenable(aw));
  try {
    for (const aw of awaitables) todo.add(futureOf(aw as Awaitable<unknown>, loop, "asCompleted()"));
  } catch (error) {
    // One is refused: the Tasks made for the others are cancelled, before their first step (or, eager ones, at their first wait).
    // One an eager start finished is left alone: cancel() would mark its error seen, and nobody would see it.
    for (const f of todo) if (!awaitables.has(f as A) && !f.done()) f.cancel();
    throw error;
  }
  const total = todo.size;
  // Finished Futures in completion order; null stands for "timed out".
  const done: (Future<unknown> | null)[] = [];
  const getters: Future<void>[] = [];
  let timeoutHandle: Handle | null = null;

  const wakeNext = (): void => {
    while (getters.length > 0) {
      const g = getters.shift()!;
      if (!g.done()) {
        g.setResult(undefined);
        return;
      }
    }
  };
  const push = (item: Future<unknown> | null): void => {
    done.push(item);
    wakeNext();
  };
  const onCompletion = (f: Future<unknown>): void => {
    if (todo.size === 0) return; // the timeout came first
    todo.delete(f);
    push(f);
    if (todo.size === 0) timeoutHandle?.cancel();
  };
  const onTimeout = (): void => {
    for (const f of todo) {
      f.removeDoneCallback(onCompletion);
      push(null);
    }
    todo.clear();
  };

  function* waitForOne(): Coroutine<AwaitedOf<A>> {
    while (done.length === 0) {
      const getter = loop.createFuture<void>();
      getters.push(getter);
      try {
        yield* getter;
      } catch (error) {
        const i = getters.indexOf(getter);
        if (i !== -1) getters.splice(i, 1);
        // Woken and cancelled at once: pass the wake-up on.
        if (getter.done() && !getter.cancelled() && done.length > 0) wakeNext();
        throw error;
      }
    }
    const f = done.shift()!;
    if (f === null) throw new TimeoutError("asCompleted(): the timeout expired.");
    return f.result() as AwaitedOf<A>;
  }

  for (const f of todo) f.addDoneCallback(onCompletion);
  if (total > 0 && timeout !== null) timeoutHandle = loop.callLater(timeout, onTimeout);

  function* iterate(): IterableIterator<Coroutine<AwaitedOf<A>>> {
    for (let i = 0; i < total; i++) yield waitForOne();
  }
  return iterate();
}
