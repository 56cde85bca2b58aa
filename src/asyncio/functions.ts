/**
 * The module-level functions that turn "something awaitable" into a Future:
 * `createTask`, `ensureFuture`, `allTasks`, and the `Awaitable` type the
 * other task functions (gather, wait, waitFor, asCompleted, shield) accept.
 *
 * Python recognises awaitables by `__await__`; here an awaitable is one of
 * three things, told apart at run time in this order: an asyncio Future
 * (or Task), an asyncio coroutine (the generator a `function*` returns), or
 * a Promise/thenable, which is awaited through `wrapPromise`. A Future is
 * itself a thenable, so the Future check must come first.
 */
import { checkReadable, describe, readProperty } from "../core/errors.js";
import { ValueError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { Future, isFuture } from "./future.js";
import { isGeneratorObject } from "./handles.js";
import { getRunningLoop, isLoop } from "./running.js";
import { wrapPromise } from "./sleep.js";
import type { Task, TaskOptions } from "./task.js";
import type { Coroutine } from "./types.js";

/** What the task functions accept: a Future or Task, an asyncio coroutine, or a Promise. */
export type Awaitable<T> = Future<T> | Coroutine<T> | PromiseLike<T>;

/** The result type of an `Awaitable` (distributes over unions). */
export type AwaitedOf<A> = A extends Future<infer T> ? T : A extends Coroutine<infer T> ? T : A extends PromiseLike<infer T> ? T : never;

/** True for an asyncio coroutine: a generator object (not a Future). */
export function isCoroutine(value: unknown): value is Coroutine<unknown> {
  if (value === null || typeof value !== "object" || isFuture(value)) return false;
  return isGeneratorObject(value);
}

/** @internal True for a Promise or other thenable that is not an asyncio Future. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    !isFuture(value) &&
    typeof readProperty(value, "then") === "function"
  );
}

/** @internal The error for a value that is not awaitable, naming the fix. */
export function notAwaitable(what: string, value: unknown): TypeError {
  // One literal per case, so the production build codes each whole (scripts/error-codes.ts).
  if (typeof value === "function") {
    return new TypeError(`${what} needs an asyncio Future, a coroutine (the generator a function* returns) or a Promise; got ${describe(value)}. You passed a function: call it to get the coroutine, e.g. gather(work()) rather than gather(work).`);
  }
  return new TypeError(`${what} needs an asyncio Future, a coroutine (the generator a function* returns) or a Promise; got ${describe(value)}.`);
}

/**
 * Wraps `coro` in a Task scheduled on the running loop (Python's
 * `asyncio.create_task`). Raises if no loop is running here.
 */
export function createTask<T>(coro: Coroutine<T>, options: Omit<TaskOptions, "loop"> = {}): Task<T> {
  return getRunningLoop().createTask(coro, options);
}

/**
 * Returns a Future for `aw`: a Future as is, a coroutine wrapped in a new
 * Task, a Promise wrapped in a Task that waits for it. `loop` defaults to
 * the running loop; a Future of another loop is an error.
 */
export function ensureFuture<T>(aw: Awaitable<T>, options: { loop?: EventLoop } = {}): Future<T> {
  return futureOf(aw, loopOf(options));
}

/**
 * @internal `ensureFuture(aw, { loop: given })` for the library's own calls,
 * whose loop is a loop already: no options object to make and check per
 * argument (gather() and wait() call it for each one).
 */
export function futureOf<T>(aw: Awaitable<T>, given: EventLoop | undefined, what = "ensureFuture()"): Future<T> {
  if (isFuture(aw)) {
    if (given !== undefined && given !== aw.getLoop()) {
      throw new ValueError("ensureFuture(): the Future belongs to a different loop than the one given.");
    }
    return aw as Future<T>;
  }
  if (isCoroutine(aw)) {
    return (given ?? getRunningLoop()).createTask(aw as Coroutine<T>);
  }
  if (isThenable(aw)) {
    return (given ?? getRunningLoop()).createTask(awaitThenable(aw as PromiseLike<T>));
  }
  throw notAwaitable(what, aw);
}

/** The `loop` option of ensureFuture, checked (undefined: none given). */
function loopOf(options: { loop?: EventLoop }): EventLoop | undefined {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`ensureFuture(aw, options) takes an options object such as { loop }, got ${describe(options)}.`);
  }
  let loop: unknown;
  try {
    loop = options.loop;
  } catch (error) {
    checkReadable("ensureFuture(aw, options)", options);
    throw error;
  }
  if (loop === undefined || isLoop(loop)) return loop as EventLoop | undefined;
  throw new TypeError(`ensureFuture(aw, { loop }) takes an asyncio EventLoop (or no loop, for the running one), got ${describe(loop)}.`);
}

function* awaitThenable<T>(promise: PromiseLike<T>): Coroutine<T> {
  return yield* wrapPromise(promise);
}

/**
 * @internal Waits for any awaitable inside the current Task: a coroutine runs
 * inline (Python's `await coro`), a Future is awaited, a Promise is wrapped.
 */
export function awaitAny<T>(aw: Awaitable<T>, what: string): Coroutine<T> {
  if (isFuture(aw)) return aw[Symbol.iterator]() as Coroutine<T>;
  if (isCoroutine(aw)) return aw as Coroutine<T>;
  if (isThenable(aw)) return awaitThenable(aw as PromiseLike<T>);
  throw notAwaitable(what, aw);
}

/** The unfinished Tasks of `loop` (default: the running loop), as Python's `asyncio.all_tasks`. */
export function allTasks(loop: EventLoop = getRunningLoop()): Set<Task<unknown>> {
  if (!isLoop(loop)) throw new TypeError(`allTasks(loop) takes an asyncio EventLoop (or nothing, for the running one), got ${describe(loop)}.`);
  return new Set(loop.allTasks());
}
