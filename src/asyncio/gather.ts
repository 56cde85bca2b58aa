/**
 * `gather`: run awaitables concurrently and collect their results in order.
 *
 * It returns a Future at once (not a coroutine), so it can be cancelled,
 * passed around or awaited later, as in CPython. The details follow
 * CPython 3.12 on purpose, because programs depend on them:
 * - without `returnExceptions`, the first error (or child cancellation)
 *   completes the outer Future with it, and the other children keep running;
 * - with it, errors and cancellations become entries of the result list;
 * - cancelling the outer Future cancels the children, and once they are all
 *   done the outer Future ends with `CancelledError` as its exception (it is
 *   done, but `cancelled()` stays false, as in CPython);
 * - the same awaitable passed twice is awaited once and reported twice.
 * JavaScript has no keyword arguments, so the options object may come last:
 * `gather(a, b, { returnExceptions: true })`.
 */
import { checkOptionalBoolean, describe, messageOf, readProperty, stringOf } from "../core/errors.js";
import { CancelledError, ValueError } from "./errors.js";
import { keeperLoop, type EventLoop } from "./event-loop.js";
import { futureOf, isCoroutine, isThenable, type Awaitable, type AwaitedOf } from "./functions.js";
import { Future, GATHER_SEEN, isFuture } from "./future.js";
import { getRunningLoop } from "./running.js";

/** Options of `gather`. */
export interface GatherOptions {
  /** Report errors and cancellations as results instead of raising the first one. */
  returnExceptions?: boolean | undefined;
}

/** The results of `gather(...aws)`, one per awaitable, in order. */
export type GatherResults<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedOf<A[K]> };

/**
 * The results of `gather(...aws, { returnExceptions: true })`: each entry is
 * the result or what was raised (typed `Error`; a thrown non-Error value
 * appears as it was thrown).
 */
export type GatherSettled<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedOf<A[K]> | Error };

/** The Future `gather` returns. Cancelling it cancels every child. */
export class GatheringFuture<T> extends Future<T> {
  /** @internal set once cancel() reached at least one child */ cancelRequested = false;

  /** @internal */
  constructor(
    /** @internal */ readonly children: readonly Future<unknown>[],
    loop: EventLoop,
  ) {
    super(undefined, loop);
    if (shapeKeeper === null) keepShape();
  }

  /**
   * Cancels every child that is not done. Returns true if any was; the
   * Future itself ends (with CancelledError) once the children have. A
   * child whose cancel() throws (a hostile subclass) does not stop the
   * others from being asked: its error goes to the loop's exception handler.
   */
  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    let any = false;
    for (const child of this.children) {
      try {
        if (child.cancel(msg)) any = true;
      } catch (exception) {
        this.loop.callExceptionHandler({ message: `gather(): cancelling its child ${stringOf(child)} raised; the other children were cancelled all the same. Its cancel() must not throw.`, exception, future: child });
      }
    }
    if (any) this.cancelRequested = true;
    return any;
  }
}

/**
 * One detached GatheringFuture, made with the first one and kept for the
 * page, so that its class's map survives a full GC as the loop's hot
 * classes do (see keepShapes in event-loop.ts). Made here rather than
 * there so that a program without gather() does not carry the class.
 */
let shapeKeeper: GatheringFuture<unknown> | "making" | null = null;

function keepShape(): void {
  shapeKeeper = "making"; // first: the constructor below must not come back here
  shapeKeeper = new GatheringFuture<unknown>([], keeperLoop());
}

/** @internal For tests: the kept GatheringFuture, or null before the first gather. */
export const gatherShapeKeeperNow = (): GatheringFuture<unknown> | null => (shapeKeeper === "making" ? null : shapeKeeper);

/**
 * gather() refused one of its arguments after taking some: nothing it took
 * may go on behind the caller's back. The Tasks it made for coroutines and
 * Promises are cancelled, before their first step (their code never runs)
 * or, if they started eagerly, at their first wait; and its callback comes
 * off the Futures it was given.
 */
function undoChildren(args: readonly unknown[], children: readonly Future<unknown>[], onChildDone: (f: Future<unknown>) => void): void {
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    child.removeDoneCallback(onChildDone);
    // Made here (an argument that was not a Future itself). One an eager start finished is left alone: cancel() would mark its error seen.
    if (child !== args[i] && !child.done()) child.cancel();
  }
}

/**
 * The Task a gather() call made for a coroutine, stored on the coroutine
 * itself so that the same coroutine passed again is found without a Map: a
 * Map keyed by generator objects cost ~250 ns per argument (hashing them),
 * most of a gather of 10k coroutines. A symbol-keyed property, invisible to
 * string keys; the Task found counts only if this call has seen it.
 * Coroutines that refuse a property (frozen, a Proxy) and Promises go in the
 * Map.
 */
const GATHER_TASK: unique symbol = Symbol("gather's Task for this coroutine");

function taskMarkedOn(arg: unknown): Future<unknown> | undefined {
  if (!isCoroutine(arg)) return undefined;
  try {
    const task = (arg as { [GATHER_TASK]?: unknown })[GATHER_TASK];
    return isFuture(task) ? task : undefined;
  } catch {
    return undefined; // a Proxy's trap that throws: it was never marked
  }
}

/**
 * True while a gather() call reads its arguments: its Futures carry
 * GATHER_SEEN until it has. A gather started meanwhile (from a task
 * factory, or the first step of an eager task) keeps its own Set instead.
 */
let reading = false;

function markTask(arg: unknown, task: Future<unknown>): boolean {
  if (!isCoroutine(arg)) return false;
  try {
    if (!Object.isExtensible(arg)) return false;
    (arg as { [GATHER_TASK]?: unknown })[GATHER_TASK] = task;
    return (arg as { [GATHER_TASK]?: unknown })[GATHER_TASK] === task;
  } catch {
    return false;
  }
}

/** An object that is not itself awaitable: no Future, coroutine or thenable. */
function isNonAwaitableObject(value: unknown): value is object {
  return value !== null && typeof value === "object" && !isFuture(value) && !isCoroutine(value) && !isThenable(value);
}

/** A plain object (or one with no prototype) that is not awaitable; false, not a throw, for a hostile Proxy. */
function isOptions(value: unknown): value is GatherOptions {
  if (!isNonAwaitableObject(value)) return false;
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  } catch {
    return false;
  }
}

/**
 * The trailing plain object, read as gather's options: `returnExceptions`
 * is its only key. Every own key counts, not only the enumerable string
 * ones: a plain object that holds anything else (a misspelt option, or a
 * `then` or `Symbol.iterator`, meant as an awaitable or a collection, whose
 * getter throws or is hidden) is refused by name, not silently taken as
 * options that drop it from the awaitables.
 */
function readOptions(options: GatherOptions): boolean {
  let keys: (string | symbol)[];
  try {
    keys = Reflect.ownKeys(options);
  } catch (cause) {
    throw new TypeError(
      `gather(): the last argument, ${describe(options)}, is read as gather's options, but its keys cannot be listed (${messageOf(cause)}); pass the awaitables, then optionally a plain object { returnExceptions: true }.`,
      { cause },
    );
  }
  for (const key of keys) {
    if (key !== "returnExceptions") {
      const shown = typeof key === "string" ? describe(key) : String(key);
      throw new TypeError(
        `gather(): unknown option ${shown}; the only option is returnExceptions (a plain object as the last argument is read as gather's options). ` +
          "Pass the awaitables (Futures, coroutines, Promises) as separate arguments, then optionally { returnExceptions: true }.",
      );
    }
  }
  // CPython takes any truthy value; here a typo such as "false" or 1 would silently mean the opposite of one of them.
  return checkOptionalBoolean("gather(): returnExceptions", options.returnExceptions);
}

/** An array, Set or other iterable that is not itself awaitable (a Future and a coroutine are iterable too). */
function isCollection(value: unknown): boolean {
  return isNonAwaitableObject(value) && typeof readProperty(value, Symbol.iterator) === "function";
}

/**
 * Runs the awaitables concurrently (coroutines become Tasks) and returns a
 * Future of their results in argument order. See the module comment.
 */
export function gather<const A extends readonly Awaitable<unknown>[]>(...aws: A): GatheringFuture<GatherResults<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(
  ...args: [...A, GatherOptions & { returnExceptions: true }]
): GatheringFuture<GatherSettled<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(
  ...args: [...A, GatherOptions]
): GatheringFuture<GatherResults<A> | GatherSettled<A>>;
export function gather(...args: unknown[]): GatheringFuture<unknown[]> {
  let returnExceptions = false;
  // A plain iterable last is a collection passed whole: the loop below refuses it with its own message.
  if (args.length > 0 && isOptions(args[args.length - 1]) && !isCollection(args[args.length - 1])) returnExceptions = readOptions(args.pop() as GatherOptions);
  if (args.length === 0) {
    const outer = new GatheringFuture<unknown[]>([], getRunningLoop());
    outer.setResult([]);
    return outer;
  }

  let loop: EventLoop | undefined;
  // The same awaitable twice is awaited once. A Future repeated is found by
  // its GATHER_SEEN bit, set while this call reads its arguments and cleared
  // before it returns; a coroutine by the Task marked on it (see
  // GATHER_TASK); only Promises and unmarkable coroutines need a Map, made
  // on the first one: a Map insert per argument cost more than a whole Trio
  // nursery spawn of the same size.
  const nested = reading;
  const seenSet: Set<Future<unknown>> | null = nested ? new Set() : null;
  const seen = (fut: Future<unknown>): boolean => (seenSet === null ? (fut.bits & GATHER_SEEN) !== 0 : seenSet.has(fut));
  let wrapped: Map<unknown, Future<unknown>> | null = null;
  let unique = 0;
  // One entry per argument, written in place over a copy of them: an array grown by push was twice its size again in garbage.
  const children: Future<unknown>[] = args.slice() as Future<unknown>[];
  /** How many entries of `children` are written (the rest are still arguments). */
  let listed = 0;
  const alreadyDone: Future<unknown>[] = [];
  let outer: GatheringFuture<unknown[]> | null = null;
  let finished = 0;

  const onChildDone = (child: Future<unknown>): void => {
    finished++;
    if (outer === null || outer.done()) {
      // Mark the exception as seen: the outer Future already reported.
      if (!child.cancelled()) child.exception();
      return;
    }
    try {
      if (!returnExceptions) {
        if (child.cancelled()) {
          outer.storeException(child.makeCancelledError());
          return;
        }
        if (child.hasException) {
          outer.storeException(child.exception());
          return;
        }
      }
      if (finished === unique) {
        const results = children.map((f) => {
          // A new error per entry, as CPython: the child's own one is kept for the outer Future below.
          if (f.cancelled()) return new CancelledError(f.cancelMessage ?? "");
          return f.hasException ? f.exception() : f.result();
        });
        // The error comes from the last child in argument order, not from the
        // one that finished last: CPython's loop above rebinds its `fut`.
        if (outer.cancelRequested) outer.storeException(children[children.length - 1]!.makeCancelledError());
        else outer.setResult(results);
      }
    } catch (error) {
      // A Future subclass or Proxy whose methods throw: the error ends the gather, which else waited forever (its cancel() reaches only the children, all done).
      outer.storeException(error);
    }
  };

  reading = true;
  let ok = false;
  try {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      let fut: Future<unknown> | undefined;
      if (isFuture(arg)) {
        if (seen(arg)) {
          children[i] = arg;
          listed = i + 1;
          continue;
        }
        // ensureFuture's check, without an options object per argument.
        if (loop !== undefined && arg.getLoop() !== loop) throw new ValueError("ensureFuture(): the Future belongs to a different loop than the one given.");
        fut = arg;
      } else {
        fut = wrapped?.get(arg);
        if (fut === undefined) {
          const marked = taskMarkedOn(arg);
          if (marked !== undefined && seen(marked)) fut = marked;
        }
        if (fut !== undefined) {
          children[i] = fut;
          listed = i + 1;
          continue;
        }
        if (isCollection(arg)) {
          throw new TypeError("gather() takes the awaitables as separate arguments: write gather(...aws), not gather(aws). To wait on a collection, use wait(aws).");
        }
        fut = futureOf(arg as Awaitable<unknown>, loop, "gather()");
        if (!markTask(arg, fut)) (wrapped ??= new Map()).set(arg, fut);
      }
      loop ??= fut.getLoop();
      // Marked and listed together: the finally below clears the marks of the listed.
      if (seenSet === null) fut.bits |= GATHER_SEEN;
      else seenSet.add(fut);
      children[i] = fut;
      listed = i + 1;
      unique++;
      if (fut.done()) alreadyDone.push(fut);
      else fut.addCallback(onChildDone);
    }
    ok = true;
  } finally {
    if (!ok) {
      // The argument refused (unless listed already) and those after it were never taken.
      children.length = listed;
      undoChildren(args, children, onChildDone);
    }
    if (!nested) {
      reading = false;
      for (let i = 0; i < children.length; i++) children[i]!.bits &= ~GATHER_SEEN;
    }
  }
  outer = new GatheringFuture<unknown[]>(children, loop!);
  for (const fut of alreadyDone) onChildDone(fut);
  return outer;
}

