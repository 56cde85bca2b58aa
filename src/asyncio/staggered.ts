/**
 * `staggeredRace`, CPython's `asyncio.staggered.staggered_race`: start
 * coroutines one after another, `delay` seconds apart or at once when the
 * one before fails, and keep the first to succeed (happy eyeballs, hedged
 * requests, racing mirrors).
 *
 * Why it is built so: each attempt runs in its own Task, which records its
 * error instead of raising it; the racing Task itself pulls the functions
 * one at a time and waits between starts on one Future that a failure, a
 * win or the delay's timer completes. The winner cancels every other
 * attempt. Whatever happens (a win, all failing, the race cancelled, a bad
 * function met halfway), the race returns or raises only once every
 * attempt's Task is done and its timer is cancelled: nothing outlives it.
 * Cancelling the race cancels every attempt (with the same message), waits
 * for them, and raises the CancelledError, even if an attempt won meanwhile.
 */
import { describe, functionName, isGeneratorLike, readProperty } from "../core/errors.js";
import { checkLeadingItems, checkStaggerDelay, checkedItems, isIterable, readOnLoser, type StaggeredRaceOptions, type StaggeredRaceResult } from "../core/staggered-race.js";
import { isCancelledError } from "./errors.js";
import { cancelOrReport } from "./event-loop.js";
import { awaitAny, isCoroutine, isThenable, type Awaitable } from "./functions.js";
import { isFuture, type Future } from "./future.js";
import type { Handle } from "./handles.js";
import { currentTask, getRunningLoop } from "./running.js";
import type { Task } from "./task.js";
import type { Coroutine } from "./types.js";

export type { StaggeredRaceOptions, StaggeredRaceResult } from "../core/staggered-race.js";

/** Rejects an item that is not a function, naming the fix. */
function checkCoroFn(index: number, fn: unknown): void {
  if (typeof fn === "function") return;
  if (isGeneratorLike(fn)) {
    throw new TypeError(`staggeredRace(coroFns, delay): item ${index} is a coroutine (a generator object), not a function that makes one; pass the function: () => work(url) rather than work(url).`);
  }
  throw new TypeError(`staggeredRace(coroFns, delay): item ${index} is ${describe(fn)}; pass functions that return a coroutine, a Future or a Promise, e.g. () => work(url).`);
}

/**
 * Runs the coroutines `coroFns` make with staggered starts and returns
 * `[result, index, errors]` (see `StaggeredRaceResult`), as CPython's
 * `staggered_race`.
 *
 * The first starts at once; each next one when the one before has run
 * `delay` seconds, or as soon as it fails (`delay` null: only then). The
 * first to return wins and every other is cancelled (its entry in `errors`
 * is then its CancelledError). If all fail, `index` and `result` are null.
 * A function may return a coroutine, a Future or a Promise (a Promise's
 * work is not stopped by cancellation: if it still settles with a value
 * after its attempt was cancelled, that value goes to `onLoser` when it
 * comes, after the race has returned; an error from `onLoser` then goes
 * to the loop's exception handler). `coroFns` is read lazily, so it may be a generator.
 * Nothing is left running when the race returns or raises.
 *
 * A result that needs releasing (a connection) may be dropped: an attempt
 * that returns after the winner (in the same iteration, or having
 * swallowed its cancellation), and the would-be winner's when the race
 * raises (cancelled, or a bug met halfway). Pass `options.onLoser` to be
 * handed each one, exactly once, before the race returns or raises (see
 * `StaggeredRaceOptions`). If it throws for a late result, the race raises
 * that error once every attempt is done; if it throws for the would-be
 * winner's result while the race raises another error, that one is raised
 * and the `onLoser` error goes to the loop's exception handler.
 *
 * ```ts
 * const [response, index] = yield* staggeredRace(mirrors.map((url) => () => fetchFrom(url)), 0.25);
 * const [socket] = yield* staggeredRace(hosts.map((h) => () => connect(h)), 0.25, { onLoser: (late) => late.close() });
 * ```
 */
export function staggeredRace<T>(coroFns: Iterable<() => Awaitable<T>>, delay: number | null, options?: StaggeredRaceOptions<T>): Coroutine<StaggeredRaceResult<T>> {
  // Checked here, not at the first step, so the error points at the call.
  if (!isIterable(coroFns) || typeof coroFns === "string") {
    throw new TypeError(`staggeredRace(coroFns, delay) takes an array (or other iterable) of functions that return coroutines, got ${describe(coroFns)}.`);
  }
  checkStaggerDelay("staggeredRace(coroFns, delay)", delay);
  checkLeadingItems(coroFns, checkCoroFn);
  const onLoser = readOnLoser("staggeredRace(coroFns, delay, options)", options);
  return race(coroFns, delay === Infinity ? null : delay, onLoser);
}

function* race<T>(coroFns: Iterable<() => Awaitable<T>>, delay: number | null, onLoser: ((result: T, index: number) => void) | undefined): Coroutine<StaggeredRaceResult<T>> {
  const loop = getRunningLoop();
  const errors: unknown[] = [];
  const running = new Set<Task<void>>();
  let winner: { value: T; index: number } | null = null;
  // A bug met halfway (a bad item, a function that returned no awaitable, the iterable's own error): raised once all are done.
  let fatal: { error: unknown } | null = null;
  // The newest attempt and whether it failed: its failure starts the next one at once.
  let newest = -1;
  let newestFailed: boolean;
  // What the racing Task waits on; completed by a failure of the newest, a win, a bug or the timer, and once draining by a task's end.
  let wake: Future<void> | null = null;
  let draining = false;

  const poke = (): void => {
    if (wake !== null && !wake.done()) wake.setResult(undefined);
  };
  const cancelAll = (msg?: string): void => {
    // A task factory's Task whose cancel() throws must not keep the others running, nor end the race before they are done.
    for (const task of running) cancelOrReport(loop, task, "staggeredRace()", msg);
  };
  const failed = (index: number, error: unknown): void => {
    errors[index] = error;
    if (index === newest) {
      newestFailed = true;
      poke();
    }
  };

  function* attempt(index: number, fn: () => Awaitable<T>, begun: { value: boolean }): Coroutine<void> {
    begun.value = true;
    let aw: unknown;
    try {
      aw = fn();
    } catch (error) {
      return failed(index, error);
    }
    if (!isFuture(aw) && !isCoroutine(aw) && !isThenable(aw)) {
      fatal ??= { error: new TypeError(`staggeredRace(coroFns, delay): item ${index} (${functionName(fn) ?? "anonymous"}) returned ${describe(aw)}, not a coroutine, Future or Promise; a function* or an async function will do.`) };
      cancelAll();
      return poke();
    }
    // A Promise is resolved once here, so its late value can still be read below (a thenable's then() may start work: called once).
    const promise = onLoser !== undefined && isThenable(aw) ? Promise.resolve(aw) : null;
    let value: T;
    try {
      value = yield* awaitAny((promise ?? aw) as Awaitable<T>, "staggeredRace(coroFns, delay)");
    } catch (error) {
      // Cancelled while its Promise runs on: a value it settles with later is dropped too, so it goes to onLoser when it comes.
      if (promise !== null && isCancelledError(error)) promise.then((late) => lateLoser(late as T, index), () => {});
      return failed(index, error);
    }
    // One that also returned after the winner (it swallowed its cancellation) is not a second winner:
    // its result goes to onLoser, and an error from that is raised once all are done.
    if (winner !== null) {
      try {
        onLoser?.(value, index);
      } catch (error) {
        fatal ??= { error };
        poke();
      }
      return;
    }
    winner = { value, index };
    const self = currentTask();
    for (const task of running) if (task !== self) cancelOrReport(loop, task, "staggeredRace()");
    poke();
  }

  /** onLoser for the value of a Promise attempt that settled after it was cancelled; its error goes to the exception handler. */
  const lateLoser = (value: T, index: number): void => {
    try {
      onLoser!(value, index);
    } catch (exception) {
      loop.callExceptionHandler({ message: `staggeredRace(): onLoser threw for the late value of attempt ${index}, a Promise that settled after the attempt was cancelled`, exception });
    }
  };

  /** Waits for a poke, or `seconds` (null: no limit). */
  function* nap(seconds: number | null): Coroutine<void> {
    const waiter = (wake = loop.createFuture<void>());
    const timer: Handle | null = seconds === null ? null : loop.callLater(seconds, poke);
    try {
      yield* waiter;
    } finally {
      timer?.cancel();
      wake = null;
    }
  }

  let cancelled: unknown = null;
  const cancelledBy = (error: unknown): void => {
    cancelled = error;
    // Read totally: the iterable may throw a CancelledError of its own, with a message getter that throws.
    const msg = readProperty(error as object, "message");
    cancelAll(typeof msg === "string" && msg !== "" ? msg : undefined);
  };
  try {
    let index = 0;
    for (const fn of checkedItems("staggeredRace(coroFns, delay)", coroFns) as Iterable<() => Awaitable<T>>) {
      checkCoroFn(index, fn);
      errors.push(null);
      newest = index;
      newestFailed = false;
      const begun = { value: false };
      const i = index++;
      const task = loop.createTask(attempt(i, fn, begun));
      running.add(task);
      task.addDoneCallback(() => {
        running.delete(task);
        // Cancelled before its first step: its CancelledError is its outcome.
        if (!begun.value) errors[i] = cancelledOf(task);
        // Not before: an older attempt's end must not cut the newest one's delay short.
        if (draining) poke();
      });
      if (winner === null && fatal === null && !newestFailed) yield* nap(delay);
      if (winner !== null || fatal !== null) break;
    }
  } catch (error) {
    if (isCancelledError(error)) cancelledBy(error);
    else {
      fatal ??= { error };
      cancelAll();
    }
  }
  // Stay until every attempt is done, whatever happened.
  draining = true;
  while (running.size > 0) {
    try {
      yield* nap(null);
    } catch (error) {
      if (!isCancelledError(error)) throw error;
      cancelledBy(error);
    }
  }
  const won = winner as { value: T; index: number } | null;
  if (fatal !== null || cancelled !== null) {
    // The race raises: the would-be winner's result is returned to nobody either.
    if (won !== null && onLoser !== undefined) {
      try {
        onLoser(won.value, won.index);
      } catch (error) {
        loop.callExceptionHandler({ message: `staggeredRace(): onLoser threw for the result of attempt ${won.index}, dropped because the race raised`, exception: error });
      }
    }
    throw fatal !== null ? (fatal as { error: unknown }).error : cancelled;
  }
  return won === null ? [null, null, errors] : [won.value, won.index, errors];
}

/** The CancelledError a cancelled Task raises. */
function cancelledOf(task: Task<unknown>): unknown {
  try {
    task.result();
  } catch (error) {
    return error;
  }
  return null;
}
