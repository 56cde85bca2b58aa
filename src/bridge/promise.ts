/**
 * Promises and AbortSignals, brought into tasks.
 *
 * A Promise cannot be interrupted, so waiting for one is made cancellable in
 * the only honest ways: `waitPromise` stops waiting (the Promise runs on,
 * its result ignored), and `abortable` hands the work an AbortSignal and
 * aborts it, so a `fetch` is really cancelled on the wire. Either way the
 * Promise always gets a rejection handler: an abandoned Promise that later
 * rejects never turns into an "unhandled rejection".
 */
import { CancelScope } from "../core/cancel-scope.js";
import { Cancelled, describe, checkReadable, readProperty } from "../core/errors.js";
import { requireTask } from "../core/state.js";
import { checkFunction } from "../core/nursery.js";
import type { Task } from "../core/task.js";
import { BLOCKED, beginWait, waitsWith } from "../core/task.js";
import { Abort, PARK, YIELD_PARK, type Operation, type Trap } from "../core/traps.js";

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}

/** Options of `waitPromise` and `abortable`. */
export interface PromiseWaitOptions {
  /**
   * What the Promise is, for tools: the devtools panel shows
   * "waiting on GET /api/search?q=ab" instead of "a Promise".
   */
  label?: string | undefined;
}

/**
 * The registered symbol under which a labelled wait carries its label.
 * `Symbol.for`, so the inspector reads it without importing this layer.
 */
const WAIT_LABEL = Symbol.for("trio-asyncio.wait-label");

// What a task parked on a labelled Promise waits on. Only labelled waits
// allocate one; an unlabelled wait parks on the Promise itself, as before.
class LabelledWait {
  readonly [WAIT_LABEL]: string;
  constructor(
    readonly promise: PromiseLike<unknown>,
    label: string,
  ) {
    this[WAIT_LABEL] = label;
  }
  toString(): string {
    return this[WAIT_LABEL];
  }
}

// The label, checked; the message names the function the caller used.
function waitLabel(what: string, options: PromiseWaitOptions | undefined): string | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${what} takes an options object such as { label: "GET /api/user" }, got ${describe(options)}.`);
  }
  checkReadable(what, options);
  const label = options.label;
  if (label !== undefined && typeof label !== "string") {
    throw new TypeError(`${what} takes a string label (what the Promise is, for tools) in { label }, got ${describe(label)}.`);
  }
  return label;
}

function parkedOn(promise: PromiseLike<unknown>, label: string | undefined): unknown {
  return label === undefined ? promise : new LabelledWait(promise, label);
}

/**
 * Waits for a Promise (or any thenable) and returns its value, or raises its
 * rejection. If the task is cancelled first, it stops waiting at once and the
 * Promise's eventual result is dropped (use `abortable` to stop the work too).
 * `options.label` says what the Promise is, for tools:
 * `yield* waitPromise(response.json(), { label: "search results" })`.
 */
export function waitPromise<T>(promise: PromiseLike<T> | T, options?: PromiseWaitOptions): Operation<Awaited<T>> {
  return new PromiseWait<Awaited<T>>(promise, options) as unknown as Operation<Awaited<T>>;
}

/**
 * One `waitPromise`, as a plain iterator rather than a generator: every
 * fetch, stream read and Promise-based wait goes through it, and a generator
 * frame, a `waiting` flag shared by four closures and their contexts cost a
 * third of a wait in allocations. Here the wait is one object and the two
 * callbacks `then` needs; whether a callback still counts is read off the
 * task itself (still parked here: the same `waitingOn` and this module's
 * abort function), so cancelling needs no state. As `ChannelOperation`, the
 * final iterator result is the object itself. The checks run at the first
 * step, as the generator's did.
 */
class PromiseWait<T> {
  /** The iterator result fields (the final result is this object). */
  value: T | undefined = undefined;
  done = false;
  private started = false;

  constructor(
    private readonly promise: unknown,
    private readonly options: PromiseWaitOptions | undefined,
  ) {}

  next(resumed?: unknown): IteratorResult<Trap, T> {
    if (this.started) {
      this.value = resumed as T;
      this.done = true;
      return this as IteratorReturnResult<T>;
    }
    this.started = true;
    const task = requireTask("waitPromise()");
    const promise = this.promise;
    if (!isThenable(promise)) {
      throw new TypeError(`waitPromise(promise) needs a Promise or thenable, got ${describe(promise)}.`);
    }
    // Parked on the native Promise (the thenable itself if it is one): tools
    // that show what the task waits on never touch a user's thenable or Proxy.
    const label = waitLabel("waitPromise(promise, options)", this.options);
    const resolved = Promise.resolve(promise);
    const waitingOn = parkedOn(resolved, label);
    resolved.then(
      (value) => wakeFromPromise(task, waitingOn, value, false),
      (error: unknown) => wakeFromPromise(task, waitingOn, error, true),
    );
    beginWait(task, stopWaiting);
    task.waitingOn = waitingOn;
    return YIELD_PARK;
  }

  throw(error: unknown): never {
    this.done = true;
    throw error;
  }

  return(value?: unknown): IteratorResult<Trap, T> {
    this.done = true;
    return { value: value as T, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

// A cancelled waitPromise just stops waiting: the Promise runs on, its outcome dropped.
const stopWaiting = () => Abort.SUCCEEDED;

function wakeFromPromise(task: Task, waitingOn: unknown, value: unknown, throws: boolean): void {
  // Still parked in this wait? (Cancelled, or woken and parked elsewhere since: not ours to wake.)
  if (waitsWith(task, stopWaiting) && task.waitingOn === waitingOn) task.runner.reschedule(task, value, throws);
}

/**
 * @internal How long (ms) a cancelled `abortable` waits for its work to
 * settle before it says so on the console; tests shorten it.
 */
export const abortableStall = { warnAfterMs: 5000 };

/**
 * The work of a cancelled `abortable` that ignores its signal keeps its task
 * waiting, by design (the scope must not end while the work runs), and so a
 * component's unmount or a timeout seems to hang with no error anywhere.
 * Said once per wait, with the way out.
 */
function warnStalled(label: string | undefined): void {
  console.warn(
    `trio-asyncio: the work of a cancelled abortable()${label === undefined ? "" : ` (${label})`} has not settled ${abortableStall.warnAfterMs / 1000} s after its AbortSignal aborted, and its task waits for it. Make the work reject when the signal aborts: pass the signal on (fetch(url, { signal })) or listen for its "abort" event.`,
  );
}

/**
 * Runs promise-returning work with an AbortSignal that aborts when the task is
 * cancelled: `yield* abortable(signal => fetch(url, { signal }))`. On
 * cancellation the signal aborts and the task waits for the work to settle,
 * then raises `Cancelled`, unless the work finished successfully anyway, in
 * which case its result is returned (the next checkpoint raises instead).
 * `options.label` says what the work is, for tools (`fetchOp` passes its
 * method and URL: "GET /api/search?q=ab").
 */
export function* abortable<T>(work: (signal: AbortSignal) => PromiseLike<T>, options?: PromiseWaitOptions): Operation<T> {
  const task = requireTask("abortable()");
  if (typeof work !== "function") {
    throw new TypeError(`abortable(work) needs a function that takes an AbortSignal and returns a Promise, got ${describe(work)}.`);
  }
  const label = waitLabel("abortable(work, options)", options);
  const controller = new AbortController();
  if (task.scope.effective) {
    // Already cancelled: the work starts with an aborted signal, so it can
    // give up at once (fetch rejects straight away).
    controller.abort(task.scope.effectiveCancelled());
  }
  let cancelled: Error | null = null;
  let settled = false;
  let stall: ReturnType<typeof setTimeout> | undefined;
  // Registered before the work starts: a wait this task dropped is undone
  // first, and if this one is dropped in turn, its signal aborts.
  beginWait(task, (raiseCancel) => {
    cancelled = raiseCancel();
    controller.abort(cancelled);
    // Keep waiting: the work settles soon, now that it is aborted; if it does not, say so.
    // (A dropped wait has no task waiting for the work.)
    if (!settled && stall === undefined && task.state === BLOCKED) stall = setTimeout(warnStalled, abortableStall.warnAfterMs, label);
    return Abort.FAILED;
  });
  const promise = work(controller.signal);
  if (!isThenable(promise)) {
    throw new TypeError(`abortable(work): work must return a Promise, but it returned ${describe(promise)}.`);
  }
  const resolved = Promise.resolve(promise);
  const waitingOn = parkedOn(resolved, label); // the native Promise, as waitPromise's
  resolved.then(
    (value) => finish(value, false),
    (error: unknown) => finish(error, true),
  );
  function finish(value: unknown, throws: boolean): void {
    if (settled) return;
    settled = true;
    if (stall !== undefined) clearTimeout(stall);
    if (task.state !== BLOCKED || task.waitingOn !== waitingOn) return;
    if (cancelled !== null && throws) task.runner.reschedule(task, cancelled, true);
    else task.runner.reschedule(task, value, throws);
  }
  task.waitingOn = waitingOn;
  return (yield PARK) as T;
}

/**
 * Runs `body` in a cancel scope that is cancelled when `signal` aborts (for
 * instance a component's unmount signal). The listener is removed on exit.
 * Returns the body's result, or `undefined` if the signal cancelled it.
 */
export function withAbortSignal<T>(signal: AbortSignal, body: (scope: CancelScope) => Operation<T>): Operation<T | undefined> {
  // Checked here so that the message names this call, not the cancelOn or
  // CancelScope.run it is built on; readProperty keeps a revoked Proxy from
  // throwing the engine's own words.
  if (signal === null || typeof signal !== "object" || typeof readProperty(signal, "addEventListener") !== "function") {
    throw new TypeError(`withAbortSignal(signal, body) needs an AbortSignal (for example controller.signal), got ${describe(signal)}.`);
  }
  checkFunction("withAbortSignal(signal, body)", body);
  const scope = new CancelScope();
  scope.cancelOn(signal);
  return scope.run(body);
}

/** True if `error` is the `Cancelled` that a cancellation delivered. */
export function isCancelled(error: unknown): error is Cancelled {
  return error instanceof Cancelled;
}

/** @internal Used by tests: whether a task is parked on a Promise. */
export function isWaitingOnPromise(task: Task): boolean {
  return task.state === BLOCKED && (isThenable(task.waitingOn) || task.waitingOn instanceof LabelledWait);
}
