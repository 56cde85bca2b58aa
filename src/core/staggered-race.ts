/**
 * `staggeredRace`: start attempts one after another, a fixed delay apart
 * (or at once when the one before fails), and keep the first to succeed:
 * hedged requests, racing mirrors, happy eyeballs.
 *
 * Why it is built so: every attempt is a child of one nursery, so nothing
 * outlives the call on any path. The body waits between starts in a cancel
 * scope with the delay as its deadline (`null`: no deadline); an attempt that
 * fails cancels that scope, which starts the next one at once. The winner
 * cancels the nursery, which ends the waiting body and every other attempt.
 * An attempt's error is recorded, not raised; a `Cancelled` is recorded and
 * re-raised, so cancellation still reaches the scope it belongs to (the
 * nursery's, after a win, or one outside the race, which then propagates).
 * A result the race does not return (a second attempt returned in the
 * winner's batch, or after swallowing its cancellation; the winner's own
 * when the race raises instead) goes to `onLoser`, so a socket that lost a
 * happy-eyeballs race is closed rather than leaked: in the attempt's task
 * as it returns, or for the winner once the nursery has raised.
 */
import { CancelScope } from "./cancel-scope.js";
import { Cancelled, ExceptionGroup, checkReadable, describe, functionName, isGeneratorLike, isInstance, isUnusableFunction, readProperty } from "./errors.js";
import { openNursery } from "./nursery-block.js";
import { checkFunction, isGeneratorFunction, type Nursery } from "./nursery.js";
import { sleepForever } from "./operations.js";
import type { Operation } from "./traps.js";

/**
 * What a staggered race returns: `[result, index, errors]`. `index` is the
 * winning attempt's position (`null` when none won, and then `result` is
 * `null` too). `errors` has one entry per attempt started, in order: what it
 * raised, or `null` for the winner (and for an attempt that also returned
 * after the winner, whose result is dropped: see `onLoser`).
 */
export type StaggeredRaceResult<T> = readonly [result: T, index: number, errors: unknown[]] | readonly [result: null, index: null, errors: unknown[]];

/** Options of the Trio-flavoured {@link staggeredRace}. */
export interface StaggeredRaceOptions<T> {
  /**
   * Called with each result an attempt returned that the race does not
   * return, and that attempt's index, so that it can be released (close
   * the socket that connected too late). Exactly once per dropped result,
   * never for the result the race returns, and before the race returns or
   * raises (in asyncio's race, a Promise attempt cancelled mid-flight is
   * the exception: its late value comes when it settles). A result is dropped when its attempt returned after
   * the winner (in the same batch, or having swallowed its cancellation),
   * and, when the race raises instead of returning (cancelled from outside,
   * or a bug met halfway), the would-be winner's too.
   *
   * It is called synchronously: a generator function is refused (its body
   * would never run), and a Promise it returns is not waited for. If it
   * throws, the race raises that error once every attempt is done, and the
   * winner's result, returned to nobody then, is handed to `onLoser` too;
   * an error from that call joins the one being raised in an
   * `ExceptionGroup`.
   */
  onLoser?: ((result: T, index: number) => void) | undefined;
}

/**
 * @internal The `onLoser` of `options`, checked; a getter's own error goes
 * up as it is. `OPTIONS` names the call: both flavours' races take it.
 */
export function readOnLoser<T>(OPTIONS: string, options: StaggeredRaceOptions<T> | undefined): ((result: T, index: number) => void) | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${OPTIONS} takes an options object such as { onLoser: (socket) => socket.close() }, got ${describe(options)}.`);
  }
  checkReadable(OPTIONS, options);
  const onLoser: unknown = options.onLoser;
  if (onLoser === undefined) return undefined;
  if (typeof onLoser !== "function" || isUnusableFunction(onLoser)) {
    throw new TypeError(`${OPTIONS}: onLoser must be a function, called with each result the race drops, got ${describe(onLoser)}.`);
  }
  if (isGeneratorFunction(onLoser)) {
    throw new TypeError(`${OPTIONS}: onLoser is called synchronously, so a generator function's body would never run; release the result in a plain function, e.g. (socket) => socket.close().`);
  }
  return onLoser as (result: T, index: number) => void;
}

/** @internal Checks a race's delay: seconds >= 0 (Infinity allowed), or null to wait for each failure. `what` names the call, both flavours' differ. */
export function checkStaggerDelay(what: string, delay: unknown): void {
  if (delay === null) return;
  if (delay === undefined) throw new TypeError(`${what} needs a delay: a number of seconds, or null to start each attempt only when the one before fails.`);
  if (typeof delay !== "number" || Number.isNaN(delay)) {
    throw new TypeError(`${what} needs a number of seconds or null for delay, got ${Number.isNaN(delay) ? "NaN" : describe(delay)}.`);
  }
  if (delay < 0) throw new RangeError(`${what} needs a delay of 0 seconds or more (or null), got ${delay}.`);
}

/**
 * @internal Checks an array of attempts before anything starts, holes
 * included (other iterables are checked as they are read). Its first 1000
 * items only; the rest as they start: a Proxy may claim 2^30 items, and
 * walking them would freeze the page. Both flavours' races use it.
 */
export function checkLeadingItems(items: Iterable<unknown>, check: (index: number, item: unknown) => void): void {
  if (Array.isArray(items)) for (let i = 0; i < Math.min(items.length, 1e3); i++) check(i, items[i]);
}

/** @internal True if `value` can be iterated (an array, a Set, a generator object...). */
export function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined && typeof readProperty(Object(value), Symbol.iterator) === "function";
}

/**
 * @internal Reads `iterable` one item at a time, as `for...of` does, but an
 * iterator that breaks the protocol (no `next`, a result that is not an
 * object or cannot be read) gets a message naming `what` and the fix, not
 * the engine's. Closing the loop early closes the iterator (its `return`).
 */
export function* checkedItems(what: string, iterable: Iterable<unknown>): Generator<unknown, void, undefined> {
  const make = readProperty(iterable, Symbol.iterator);
  const iterator: unknown = typeof make === "function" ? make.call(iterable) : undefined;
  const next = iterator !== null && (typeof iterator === "object" || typeof iterator === "function") ? readProperty(iterator, "next") : undefined;
  if (typeof next !== "function") {
    throw new TypeError(`${what}: the iterable's [Symbol.iterator]() gave ${describe(iterator)}, not an iterator with a next() method; pass an array or a generator.`);
  }
  let suspended = false;
  try {
    for (;;) {
      const result: unknown = next.call(iterator);
      if (result === null || typeof result !== "object" || isUnusableFunction(result)) {
        throw new TypeError(`${what}: the iterator's next() returned ${describe(result)}, not an iterator result { done, value }; pass an array or a generator.`);
      }
      // Read as for...of does; a getter's own error goes up as it is.
      const { done, value } = result as IteratorResult<unknown>;
      if (done) return;
      suspended = true;
      yield value;
      suspended = false;
    }
  } finally {
    // Left at a yield (a win, a cancellation, a bad item): close the iterator, as for...of does.
    if (suspended) {
      const close = readProperty(iterator as object, "return");
      if (typeof close === "function") close.call(iterator);
    }
  }
}

/** Rejects an attempt that is not a function, naming the fix. */
function checkAttempt(index: number, fn: unknown): void {
  if (isGeneratorLike(fn)) {
    throw new TypeError(`staggeredRace(attemptFns, delay): attempt ${index} is a generator object, the function's call; pass the function itself, e.g. () => connect(url) rather than connect(url).`);
  }
  if (typeof fn !== "function") throw new TypeError(`staggeredRace(attemptFns, delay): attempt ${index} is ${describe(fn)}, not a generator function (function* () { ... }).`);
  checkFunction(`staggeredRace(attemptFns, delay): attempt ${index}`, fn);
}

/**
 * Races `attemptFns` with staggered starts and returns
 * `[result, index, errors]` (see `StaggeredRaceResult`).
 *
 * The first attempt starts at once. Each next one starts when the one
 * before it has run `delay` seconds without finishing, or as soon as it
 * fails; with `delay` null, only when it fails. The first attempt to return
 * wins and every other is cancelled. If all fail, `index` is null and
 * `errors` holds what each raised. `attemptFns` is read lazily, one function
 * per start, so it may be a generator; an array's items (its first 1000)
 * are checked before anything starts. Nothing is left running when the
 * race returns or raises; cancelling it cancels every attempt.
 *
 * A result that needs releasing (a socket, a stream) may be dropped: two
 * attempts can return in the same batch, and only one wins. Pass
 * `options.onLoser` to be handed each one (see `StaggeredRaceOptions`).
 *
 * ```ts
 * const [response, index] = yield* staggeredRace(mirrors.map((url) => () => fetchFrom(url)), 0.25);
 * const [socket] = yield* staggeredRace(addresses.map((a) => () => connect(a)), 0.25, { onLoser: (late) => late.close() });
 * ```
 */
export function staggeredRace<T>(attemptFns: Iterable<() => Operation<T>>, delay: number | null, options?: StaggeredRaceOptions<T>): Operation<StaggeredRaceResult<T>> {
  // Checked here, not at the first step, so the error points at the call.
  if (!isIterable(attemptFns) || typeof attemptFns === "string") {
    throw new TypeError(`staggeredRace(attemptFns, delay) takes an array (or other iterable) of generator functions, got ${describe(attemptFns)}.`);
  }
  checkStaggerDelay("staggeredRace(attemptFns, delay)", delay);
  checkLeadingItems(attemptFns, checkAttempt);
  return race(attemptFns, delay, readOnLoser("staggeredRace(attemptFns, delay, options)", options));
}

function* race<T>(attemptFns: Iterable<() => Operation<T>>, delay: number | null, onLoser: ((result: T, index: number) => void) | undefined): Operation<StaggeredRaceResult<T>> {
  const errors: unknown[] = [];
  let winner: { value: T; index: number } | null = null;

  function* attempt(nursery: Nursery, index: number, fn: () => Operation<T>, window: CancelScope): Operation<void> {
    const failed = (error: unknown): void => {
      errors[index] = error;
      if (isInstance(error, Cancelled)) throw error;
      window.cancel(); // the next attempt need not wait any longer
    };
    let op: unknown;
    try {
      op = fn();
    } catch (error) {
      return failed(error);
    }
    if (!isGeneratorLike(op)) {
      // A bug, not a failed attempt: raised out of the race, which cancels the others.
      const got = op !== null && typeof op === "object" && typeof readProperty(op, "then") === "function" ? "a Promise" : describe(op);
      throw new TypeError(`staggeredRace(attemptFns, delay): attempt ${index} (${functionName(fn) ?? "anonymous"}) returned ${got}, not a generator. Attempts are generator functions (function*); await a Promise inside one with yield* waitPromise(p).`);
    }
    let value: T;
    try {
      value = yield* op as Operation<T>;
    } catch (error) {
      return failed(error);
    }
    // Not a second winner: its result is dropped. If onLoser throws, the nursery raises it.
    if (winner !== null) return onLoser?.(value, index);
    winner = { value, index };
    nursery.cancelScope.cancel();
  }

  try {
    yield* openNursery(function* (nursery) {
      let index = 0;
      for (const fn of checkedItems("staggeredRace(attemptFns, delay)", attemptFns) as Iterable<() => Operation<T>>) {
        checkAttempt(index, fn);
        const window = new CancelScope(delay === null ? {} : { relativeDeadline: delay });
        errors.push(null);
        nursery.startSoon(attempt, nursery, index, fn, window);
        index++;
        yield* window.run(sleepForever);
      }
    }, true);
  } catch (error) {
    // The race raises (cancelled from outside, a bug met halfway, an onLoser that threw): the winner's result is returned to nobody either.
    const won = winner as { value: T; index: number } | null;
    if (won !== null && onLoser !== undefined) {
      try {
        onLoser(won.value, won.index);
      } catch (loserError) {
        throw new ExceptionGroup(`staggeredRace(): onLoser threw for the result of attempt ${won.index}, dropped because the race raised`, [error, loserError]);
      }
    }
    throw error;
  }
  const won = winner as { value: T; index: number } | null;
  return won === null ? [null, null, errors] : [won.value, won.index, errors];
}
