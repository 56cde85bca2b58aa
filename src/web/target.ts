/**
 * What the web operations share: checks that raise a clear TypeError, naming
 * the fix, when a caller hands over something that is not what the browser
 * API needs; and the wait for one host callback.
 */
import { describe, checkReadable, messageOf, readProperty } from "../core/errors.js";
import { checkpoint, waitTaskRescheduled } from "../core/operations.js";
import { waitsWith, type Task } from "../core/task.js";
import { Abort, type Operation } from "../core/traps.js";

/** @internal The part of `EventTarget` the event operations use. */
export interface ListenerTarget {
  addEventListener(type: string, listener: EventListener, options?: AddEventListenerOptions | boolean): void;
  removeEventListener(type: string, listener: EventListener, options?: EventListenerOptions | boolean): void;
}

/**
 * @internal Whether `value` is an object (or function) whose `names` are all
 * methods. Total: false, not a throw, for a revoked Proxy or a getter that
 * throws, so the caller's TypeError names the call instead of the engine's.
 */
export function hasMethods(value: unknown, ...names: string[]): value is object {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  return names.every((name) => typeof readProperty(value, name) === "function");
}

/**
 * @internal `take()`, which locks a stream (`getReader`, `getWriter`); if it
 * throws, a TypeError naming `what` and the method, with the stream's error
 * as its cause, so a broken stream is reported by the call it was given to.
 */
export function takeLock<T>(what: string, method: string, take: () => T): T {
  try {
    return take();
  } catch (cause) {
    throw new TypeError(`${what}: the stream's ${method}() failed (${messageOf(cause)}); pass a stream whose ${method}() works, such as one the platform made.`, { cause });
  }
}

/**
 * @internal Marks what a stream's `cancel`, `write`, `close` or `abort`
 * returned as handled (its failure is reported elsewhere, or not at all).
 * Total: a stream-like's method may return no Promise, and then there is
 * nothing to handle (it used to throw the engine's "catch is not a function").
 */
export function ignoreRejection(value: unknown): void {
  if (isThenable(value)) Promise.resolve(value).catch(() => {});
}

/**
 * @internal True for a Promise or other thenable, read totally (a revoked
 * Proxy is none): for what a host API or its stand-in answered.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof readProperty(value, "then") === "function";
}

/** @internal Throws unless `target` can take listeners and `type` is an event name. */
export function checkEventTarget(what: string, target: unknown, type: unknown): asserts target is ListenerTarget {
  if (!hasMethods(target, "addEventListener", "removeEventListener")) {
    throw new TypeError(
      `${what} needs an EventTarget (an element, window, document, AbortSignal, WebSocket, MessagePort...) with ` +
        `addEventListener and removeEventListener, got ${describe(target)}. For a Node EventEmitter, wrap it ` +
        `(or use EventTarget); for a Promise, use waitPromise.`,
    );
  }
  if (typeof type !== "string" || type === "") {
    throw new TypeError(`${what} needs an event type such as "click", got ${describe(type)}.`);
  }
}

/** @internal Throws unless `value` is undefined or a function. */
export function checkOptionalFunction(what: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${what} must be a function (or left out), got ${describe(value)}.`);
  }
}

/** @internal Throws unless `options` is undefined or a plain object. */
export function checkOptions(what: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`${what} takes an options object (or nothing), got ${describe(options)}.`);
  }
  if (options !== undefined) checkReadable(what, options as object);
}

/** @internal Throws unless `body` is a function; `example` shows one, such as "function* (lock) { ... }". */
export function checkBody<B>(what: string, example: string, body: B): asserts body is NonNullable<B> {
  if (typeof body !== "function") {
    throw new TypeError(`${what} needs a body: a generator function such as ${example}, got ${describe(body)}.`);
  }
}

/** @internal What a block's body returned, checked to be an operation to `yield*`. */
export function bodyOperation<T>(what: string, example: string, op: unknown): Operation<T> {
  const o = op as Operation<T> | null | undefined;
  if (o === null || typeof o !== "object" || typeof o.next !== "function") {
    throw new TypeError(`${what}: body must be a generator function (${example}), it returned ${describe(op)}.`);
  }
  return o;
}

/**
 * @internal A block's cleanup (removing a listener, closing a socket) when
 * the host object may throw: its error is raised if the block is leaving
 * normally, and dropped if the block is already raising, whose error says
 * more (and a Cancelled must reach its scope).
 */
export function cleanUp(raising: boolean, cleanup: () => void): void {
  try {
    cleanup();
  } catch (error) {
    if (!raising) throw error;
  }
}

/** How the answer of a host request arrives: a value, or an error with `throws`. */
type Answer = (value: unknown, throws?: boolean) => void;

/** @internal A host request: asks for one callback (which calls `answer`), returns how to withdraw it. */
export type HostRequest = (answer: Answer) => () => void;

/**
 * @internal Parks `task` until the host calls back once. `request` asks the
 * host for the callback, which calls `answer` (with a value, or an error and
 * `throws`), and returns how to withdraw the request. Only the first answer
 * counts. The request is withdrawn when the task is cancelled, and on any
 * other way out before the answer; after the answer it is not.
 */
export function* waitHostCallback<T>(
  task: Task,
  waitingOn: unknown,
  request: HostRequest,
): Operation<T> {
  let pending = true;
  // An answer given inside `request` itself, before the task parks (a rAF polyfill
  // that calls back at once, a target that dispatches as a listener is added).
  let early: { value: unknown; throws: boolean } | null = null;
  let requesting = true;
  const abort = () => {
    stop();
    return Abort.SUCCEEDED;
  };
  const answer = (value: unknown, throws = false) => {
    if (!pending) return;
    pending = false;
    if (requesting) early = { value, throws };
    // Still parked in this wait? Code that stepped it by hand may have
    // dropped it and gone on to wait for something else: not ours to end.
    else if (waitsWith(task, abort)) task.runner.reschedule(task, value, throws);
  };
  const withdraw = request(answer);
  requesting = false;
  const stop = () => {
    if (!pending) return;
    pending = false;
    withdraw();
  };
  if (early !== null) {
    // Parking now would wait for an answer already given: still a checkpoint, then the answer.
    const { value, throws } = early;
    yield* checkpoint();
    if (throws) throw value;
    return value as T;
  }
  task.waitingOn = waitingOn;
  try {
    return (yield* waitTaskRescheduled(abort)) as T;
  } finally {
    stop();
  }
}
