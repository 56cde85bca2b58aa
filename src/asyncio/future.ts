/**
 * asyncio's Future: a slot for a result that will be set later, with done
 * callbacks that run on the loop.
 *
 * As in CPython, callbacks are never called synchronously by `setResult`:
 * each is scheduled with `callSoon`, so code that completes a Future never
 * finds itself re-entered. `yield* future` inside an asyncio coroutine waits
 * for it (it yields the Future itself to the Task that drives the
 * coroutine). A Future is also a thenable, so plain `async` code can
 * `await` it.
 */
import { FLAVOUR, futureAsPromiseValueError, isAsyncioFuture } from "../core/traps.js";
import { checkReadable, describe, isInstance, messageOf, readProperty } from "../core/errors.js";
import { CancelledError, InvalidStateError, isCancelledError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { checkCallback } from "./handles.js";
import { getRunningLoop, isLoop } from "./running.js";
import type { AioYield } from "./types.js";

const PENDING = 0;
const CANCELLED = 1;
const FINISHED = 2;
const stateNames = ["PENDING", "CANCELLED", "FINISHED"] as const;

/**
 * @internal Bits of `Future.bits`: the state and booleans packed in one
 * small integer, a field each cost a word per Future (and a parked asyncio
 * Task holds two Futures: itself and the one it waits on). The two low bits
 * are the state (PENDING, CANCELLED, FINISHED); Task uses bits 4 and 6 and
 * counts cancel requests from bit 8 up.
 */
const STATE_BITS = 3;
/**
 * @internal Set on a Future only while one gather() call reads its
 * arguments, to find one passed twice (see gather.ts): a bit, where a field
 * for it cost 8 bytes in every Future and Task.
 */
export const GATHER_SEEN = 128;
/** @internal The exception is stored in `value`. */
export const HAS_EXCEPTION = 4;
/** @internal Someone looked at the exception (or the Future was cancelled). */
export const RETRIEVED = 8;

/** A done callback: receives the Future. */
export type DoneCallback<T> = (future: Future<T>) => void;

/**
 * @internal What a Task parks as a Future's done callback: the Task
 * itself, so that waiting makes no closure. The loop calls its
 * `wakeup()`; the Task knows which Future it waits on.
 */
export interface FutureWaiter {
  wakeup(): void;
}

/** @internal Runs a parked waiter (scheduled with loop.schedule; also the name tools show for it). */
export function taskWakeup(waiter: FutureWaiter): void {
  waiter.wakeup();
}

/**
 * @internal The fields few Futures ever need (a cancel message, a saved
 * CancelledError, the never-retrieved record, a debug traceback, the
 * Promise of `then`), kept out of the Future itself: a 10k-task gather
 * made 10k Futures that never used any of them.
 */
class FutureExtra {
  cancelMessage: string | undefined = undefined;
  /** The CancelledError a Task's coroutine ended with, handed out once by makeCancelledError. */
  cancelledExc: CancelledError | null = null;
  /** Shared with the never-retrieved finalizer (EventLoop.exceptionSet). */
  exceptionRecord: { retrieved: boolean } | null = null;
  sourceTraceback: string | undefined = undefined;
  promise: Promise<unknown> | null = null;
}

let nextFutureId = 1;
/** Ids are handed out when first read (by tools): most Futures are never looked at. */
const futureIds = new WeakMap<object, number>();

/** One done callback, a parked Task, or several of them in an array; null for none. */
type CallbackSlot = ((future: never) => void) | FutureWaiter | (((future: never) => void) | FutureWaiter)[] | null;

/** An asyncio Future. See the module comment. */
export class Future<T = unknown> implements PromiseLike<T> {
  /** @internal the state (see STATE_BITS), HAS_EXCEPTION, RETRIEVED (and Task's own bits) */ declare bits: number;
  /** @internal the result, or the exception when HAS_EXCEPTION */ declare value: unknown;
  /**
   * @internal The done callbacks: the usual single one stored as it is (no
   * array per Future), an array once there are two. Loosely typed so that
   * Future<T> stays assignable to Future<unknown>.
   */
  declare callbacks: CallbackSlot;
  /** @internal */ declare readonly loop: EventLoop;
  /** @internal creation time, in whole ms after the loop's epoch: a small integer, where seconds would box a number per Future */ private declare createdMs: number;
  /** @internal the rare fields, made on first use */ declare rareFields: FutureExtra | null;
  /**
   * @internal The flavour mark the core reads (isAsyncioFuture): a getter on
   * the prototype, not a field per Future, and part of the class rather than
   * a statement beside it, which a bundler keeps (and the class with it) in
   * every app that loads this module's chunk, a worker's too.
   */
  get [FLAVOUR](): "asyncio" {
    return "asyncio";
  }

  /** Creates a pending Future on `loop` (default: the running loop). */
  constructor(options?: { loop?: EventLoop }, /* the library passes the loop here, without an options object */ loop?: EventLoop) {
    // Fields assigned here, in one fixed order, rather than as class fields (defined one by one through
    // an initializer function): every Future and Task gets the same shape at the least cost.
    this.bits = PENDING;
    this.value = undefined;
    this.callbacks = null;
    const l = (this.loop = loop ?? (options === undefined ? getRunningLoop() : loopOption(options, typeof (this as { getCoro?: unknown }).getCoro === "function")));
    this.createdMs = l.stampMs();
    this.rareFields = null;
    l.futureCreated(this); // and, in debug mode, records where
  }

  /** @internal PENDING, CANCELLED or FINISHED, kept in `bits`. */
  get state(): 0 | 1 | 2 {
    return (this.bits & STATE_BITS) as 0 | 1 | 2;
  }
  /** @internal */
  set state(value: 0 | 1 | 2) {
    this.bits = (this.bits & ~STATE_BITS) | value;
  }

  /** @internal The rare fields, made on first use. */
  rare(): FutureExtra {
    return (this.rareFields ??= new FutureExtra());
  }

  /** Unique per page, for tools. */
  get id(): number {
    let id = futureIds.get(this);
    if (id === undefined) futureIds.set(this, (id = nextFutureId++));
    return id;
  }

  /** @internal creation time on the loop clock (ms resolution) */
  get createdAt(): number {
    return this.loop.epoch + this.createdMs / 1000;
  }

  /** @internal creation stack, in debug mode */
  get sourceTraceback(): string | undefined {
    return this.rareFields?.sourceTraceback;
  }

  /** @internal */
  get hasException(): boolean {
    return (this.bits & HAS_EXCEPTION) !== 0;
  }

  /** @internal */
  get exceptionValue(): unknown {
    return (this.bits & HAS_EXCEPTION) !== 0 ? this.value : undefined;
  }

  /** @internal */
  get cancelMessage(): string | undefined {
    return this.rareFields?.cancelMessage;
  }
  /** @internal */
  set cancelMessage(msg: string | undefined) {
    if (msg !== undefined || this.rareFields !== null) this.rare().cancelMessage = msg;
  }

  /** @internal set once someone looked at the exception (or the Future was cancelled) */
  get retrieved(): boolean {
    return (this.bits & RETRIEVED) !== 0;
  }
  /** @internal */
  set retrieved(value: boolean) {
    this.bits = value ? this.bits | RETRIEVED : this.bits & ~RETRIEVED;
    const record = this.rareFields?.exceptionRecord;
    if (record != null) record.retrieved = value;
  }

  /** The loop this Future belongs to. */
  getLoop(): EventLoop {
    return this.loop;
  }

  /** True once it has a result, an exception, or was cancelled. */
  done(): boolean {
    return this.state !== PENDING;
  }

  /** True if it was cancelled. */
  cancelled(): boolean {
    return this.state === CANCELLED;
  }

  /** The result; raises the exception, CancelledError, or InvalidStateError if not done. */
  result(): T {
    if (this.state === CANCELLED) throw this.makeCancelledError();
    if (this.state === PENDING) throw new InvalidStateError("Result is not set.");
    this.retrieved = true;
    if ((this.bits & HAS_EXCEPTION) !== 0) throw this.value;
    return this.value as T;
  }

  /** The exception (or undefined); raises CancelledError or InvalidStateError if not done. */
  exception(): unknown {
    if (this.state === CANCELLED) throw this.makeCancelledError();
    if (this.state === PENDING) throw new InvalidStateError("Exception is not set.");
    this.retrieved = true;
    return (this.bits & HAS_EXCEPTION) !== 0 ? this.value : undefined;
  }

  /** Marks the Future done with `value` and schedules its callbacks. */
  setResult(value: T): void {
    if (this.state !== PENDING) throw new InvalidStateError(`setResult() on a Future that is already ${stateNames[this.state]}.`);
    this.finishWith(value);
  }

  /** @internal setResult without the check, for a Future known to be pending (a Task's end). */
  finishWith(value: T): void {
    this.value = value;
    this.state = FINISHED;
    this.scheduleCallbacks();
  }

  /** Marks the Future done with an exception and schedules its callbacks. */
  setException(exception: unknown): void {
    if (this.state !== PENDING) throw new InvalidStateError(`setException() on a Future that is already ${stateNames[this.state]}.`);
    if (exception === undefined || exception === null) {
      throw new TypeError(`setException() needs an error object; got ${String(exception)}.`);
    }
    if (typeof exception === "function") exception = instantiateErrorClass(exception);
    if (isCancelledError(exception)) {
      throw new TypeError("setException(CancelledError) is not allowed: call cancel() to cancel a Future.");
    }
    this.storeException(exception);
  }

  /**
   * @internal Finishes with `exception`, skipping the public checks: gather()
   * stores a CancelledError this way, as CPython's _GatheringFuture does.
   */
  storeException(exception: unknown): void {
    this.value = exception;
    this.bits |= HAS_EXCEPTION;
    this.state = FINISHED;
    this.scheduleCallbacks();
    this.loop.exceptionSet(this);
  }

  /**
   * Cancels the Future: returns false if it was already done, else marks it
   * cancelled (with an optional message) and schedules its callbacks.
   */
  cancel(msg?: string): boolean {
    this.retrieved = true;
    if (this.state !== PENDING) return false;
    // The message becomes a CancelledError's message later, where a throw (a Symbol or hostile object) would wedge its waiters.
    if (msg !== undefined && typeof msg !== "string") msg = messageOf(msg);
    this.state = CANCELLED;
    this.cancelMessage = msg;
    this.scheduleCallbacks();
    return true;
  }

  /** Calls `fn(this)` on the loop once done (soon, if already done). */
  addDoneCallback(fn: DoneCallback<T>): void {
    checkCallback("addDoneCallback", fn);
    this.addCallback(fn);
  }

  /** @internal addDoneCallback for the library's own callbacks (or a parked Task), without the check. */
  addCallback(fn: DoneCallback<T> | FutureWaiter): void {
    if (this.state !== PENDING) {
      scheduleOne(this.loop, fn as (future: never) => void, this as Future<unknown>);
      return;
    }
    const slot = this.callbacks;
    if (slot === null) this.callbacks = fn as CallbackSlot;
    else if (Array.isArray(slot)) slot.push(fn as (future: never) => void);
    else this.callbacks = [slot, fn as (future: never) => void];
  }

  /** Removes every registration of `fn`; returns how many were removed. */
  removeDoneCallback(fn: DoneCallback<T>): number {
    const slot = this.callbacks;
    if (slot === null) return 0;
    if (!Array.isArray(slot)) {
      if (slot !== (fn as unknown)) return 0;
      this.callbacks = null;
      return 1;
    }
    const kept = slot.filter((cb) => cb !== (fn as unknown));
    const removed = slot.length - kept.length;
    this.callbacks = kept.length === 0 ? null : kept.length === 1 ? kept[0]! : kept;
    return removed;
  }

  /** The done callbacks still to run (for tools; a parked Task shows as `taskWakeup`). */
  get pendingCallbacks(): readonly ((...args: never[]) => unknown)[] {
    const slot = this.callbacks;
    if (slot === null) return [];
    const list = Array.isArray(slot) ? slot : [slot];
    return list.map((cb) => (typeof cb === "function" ? cb : taskWakeup));
  }

  /**
   * @internal The CancelledError to raise for a cancelled Future. As in
   * CPython 3.12, the first call hands out the error the Task's coroutine
   * raised itself (so `yield* task` rethrows that object); later calls make
   * a new one with the message given to cancel(), if the Future (not the
   * coroutine) ended with it: a Task whose coroutine raised has none.
   */
  makeCancelledError(): CancelledError {
    const extra = this.rareFields;
    if (extra !== null && extra.cancelledExc !== null) {
      const saved = extra.cancelledExc;
      extra.cancelledExc = null;
      return saved;
    }
    return new CancelledError(extra?.cancelMessage ?? "");
  }

  /** @internal */
  scheduleCallbacks(): void {
    const slot = this.callbacks;
    if (slot === null) return;
    this.callbacks = null;
    // Without Handles (loop.schedule): nobody could cancel them, and a Future with 10k callbacks made 10k.
    const loop = this.loop;
    if (!Array.isArray(slot)) {
      scheduleOne(loop, slot, this as Future<unknown>);
      return;
    }
    for (let i = 0; i < slot.length; i++) scheduleOne(loop, slot[i]!, this as Future<unknown>);
  }

  /** `yield* future` inside an asyncio coroutine: wait, then return the result. */
  [Symbol.iterator](): Generator<AioYield, T, unknown> {
    // Typed as the generator it replaces (a coroutine is a Generator); it has everything a yield* or a Task uses.
    return new FutureAwait(this) as unknown as Generator<AioYield, T, unknown>;
  }

  /** Lets plain `async` code await the Future. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const extra = this.rare();
    if (extra.promise === null) {
      extra.promise = new Promise<T>((resolve, reject) => {
        const settle = () => {
          try {
            const value = this.result();
            if (isAsyncioFuture(value)) reject(futureAsPromiseValueError(`The result of ${this.toString()}`));
            else resolve(value);
          } catch (error) {
            reject(error);
          }
        };
        if (this.state !== PENDING) settle();
        else this.addCallback(settle);
      });
    }
    return (extra.promise as Promise<T>).then(onFulfilled, onRejected);
  }

  /** "PENDING", "CANCELLED" or "FINISHED". */
  get status(): "PENDING" | "CANCELLED" | "FINISHED" {
    return stateNames[this.state];
  }

  toString(): string {
    return `<Future #${this.id} ${stateNames[this.state].toLowerCase()}>`;
  }
}

/**
 * @internal What `yield* future` iterates: it yields the Future once (to the Task,
 * which parks on it) and then returns its result or raises. Written as a
 * small object, not a generator: every await makes one and a parked task
 * keeps it, and a generator object with its register file was three times
 * the size.
 *
 * It is also its own first result, `{ value: future, done: false }`: the
 * awaiting generator keeps the result of the `yield*` it is suspended in
 * for as long as it waits, so a fresh result object there was 40 bytes
 * more per parked Task (Node). The fields never change after that yield,
 * so that result reads the same to whoever kept it.
 */
export class FutureAwait<T> implements Iterator<AioYield, T, unknown> {
  /** The Future awaited (the yielded value, as the first result). */
  value: Future<T>;
  /** As the first result: not done. (A field: on the prototype it took a statement beside the class, see Future's flavour mark.) */
  readonly done = false;
  /** 0: not started, 1: the Future was yielded, 2: finished. */
  protected awaitStage = 0;

  constructor(future: Future<T>) {
    this.value = future;
  }

  next(): IteratorResult<AioYield, T> {
    const future = this.value;
    const step = this.awaitStage;
    if (step === 2) return { value: undefined as T, done: true };
    if (future.state === PENDING) {
      this.awaitStage = 2;
      if (step === 1) throw new InvalidStateError("yield* future resumed before the Future was done: a Future must be awaited from an asyncio Task.");
      this.awaitStage = 1;
      return this as unknown as IteratorResult<AioYield, T>;
    }
    this.awaitStage = 2;
    return { value: future.result(), done: true };
  }

  /** As a generator's throw(): the error goes out at the await, nothing here catches it. */
  throw(error: unknown): IteratorResult<AioYield, T> {
    this.awaitStage = 2;
    throw error;
  }

  return(value?: T | PromiseLike<T>): IteratorResult<AioYield, T> {
    this.awaitStage = 2;
    return { value: value as T, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "Generator";
  }
}

/**
 * setException(SomeErrorClass) stores `new SomeErrorClass()`, as CPython's
 * set_exception instantiates an exception class. Any other function is no
 * exception at all (a callback passed by mistake), so it is refused rather
 * than stored and later thrown.
 */
function instantiateErrorClass(fn: unknown): unknown {
  const proto = readProperty(fn as object, "prototype");
  if (proto === Error.prototype || isInstance(proto, Error)) return new (fn as new () => unknown)();
  throw new TypeError(
    `setException() needs an error object or an Error class, got ${describe(fn)}, which is neither. Pass the error to raise, such as new Error("...").`,
  );
}

function scheduleOne(loop: EventLoop, cb: ((future: never) => void) | FutureWaiter, future: Future<unknown>): void {
  if (typeof cb === "function") loop.schedule(cb as (future: Future<unknown>) => void, future);
  else loop.schedule(taskWakeup, cb);
}

/**
 * The `loop` option of `new Future(options)` / `new Task(coro, options)`
 * (the running loop if absent), checked: a value that is not a loop would
 * fail at its first use with the engine's words.
 */
function loopOption(options: { loop?: EventLoop } | null, task: boolean): EventLoop {
  if (options === null) return getRunningLoop();
  if (typeof options !== "object") {
    if (task) throw new TypeError(`new Task(coro, options) takes an options object such as { name }, got ${describe(options)}.`);
    throw new TypeError(`new Future(options) takes an options object such as { loop }, got ${describe(options)}.`);
  }
  checkReadable(task ? "new Task(coro, options)" : "new Future(options)", options);
  const loop = options.loop;
  if (loop === undefined) return getRunningLoop();
  if (isLoop(loop)) return loop;
  if (task) throw new TypeError(`new Task({ loop }) takes an asyncio EventLoop (or no loop, for the running one), got ${describe(loop)}.`);
  throw new TypeError(`new Future({ loop }) takes an asyncio EventLoop (or no loop, for the running one), got ${describe(loop)}.`);
}

/**
 * @internal A waiter's Future that nobody awaits: the coroutine that made
 * it was stepped by hand and dropped (an awaited one holds its Task's
 * wake-up callback). A primitive's wake-up passes it over, as if cancelled:
 * spent on it, the wake-up would be lost and the real waiters hang. Such a
 * waiter leaves its line at the end of the Task step or the loop's run of
 * callbacks that made it (leaveWaiter); this check covers the time before,
 * when the same code wakes the primitive after dropping the wait, and
 * cannot yet tell a dropped wait from one it is about to yield.
 */
export function isAbandoned(future: Future<unknown>): boolean {
  return future.callbacks === null && !future.done();
}

/** True for asyncio Futures (and Tasks); false, not a throw, for any other value (a revoked Proxy included). */
export function isFuture(value: unknown): value is Future<unknown> {
  try {
    return value instanceof Future;
  } catch {
    return false;
  }
}
