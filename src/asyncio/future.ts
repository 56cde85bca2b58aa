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
import { CancelledError, InvalidStateError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { checkCallback } from "./handles.js";
import { getRunningLoop } from "./running.js";
import type { AioYield } from "./types.js";

const PENDING = 0;
const CANCELLED = 1;
const FINISHED = 2;
const stateNames = ["PENDING", "CANCELLED", "FINISHED"] as const;

/** A done callback: receives the Future. */
export type DoneCallback<T> = (future: Future<T>) => void;

/** @internal What the loop needs to know of a future for the inspector. */
let nextFutureId = 1;

/** An asyncio Future. See the module comment. */
export class Future<T = unknown> implements PromiseLike<T> {
  /** Unique per page, for tools. */
  readonly id = nextFutureId++;
  /** @internal */ state: 0 | 1 | 2 = PENDING;
  /** @internal */ resultValue: T | undefined = undefined;
  /** @internal */ exceptionValue: unknown = undefined;
  /** @internal */ hasException = false;
  /** @internal */ cancelMessage: string | undefined = undefined;
  /** @internal the CancelledError a Task's coroutine ended with, handed out once by makeCancelledError */ cancelledExc: CancelledError | null = null;
  /** @internal stored loosely typed so that Future<T> stays assignable to Future<unknown> */ callbacks: ((future: never) => void)[] | null = null;
  /** @internal set once someone looked at the exception */ retrievedFlag = false;
  /** @internal shared with the never-retrieved finalizer */ exceptionRecord: { retrieved: boolean } | null = null;
  /** @internal creation stack, in debug mode */ sourceTraceback: string | undefined;
  /** @internal the gather() call that last saw this Future among its arguments, to find repeats without a Map (see gather.ts) */ gatherMark: object | null = null;
  /** @internal creation time on the loop clock */ readonly createdAt: number;
  /** @internal */ readonly loop: EventLoop;
  /** @internal on the prototype (below), not a field per Future */ declare readonly [FLAVOUR]: "asyncio";
  private promiseCache: Promise<T> | null = null;

  /** Creates a pending Future on `loop` (default: the running loop). */
  constructor(options: { loop?: EventLoop } = {}) {
    this.loop = options.loop ?? getRunningLoop();
    this.createdAt = this.loop.stamp();
    if (this.loop.getDebug()) this.sourceTraceback = new Error("Future created here").stack;
    this.loop.futureCreated(this);
  }

  /** @internal */
  get retrieved(): boolean {
    return this.retrievedFlag;
  }
  set retrieved(value: boolean) {
    this.retrievedFlag = value;
    if (this.exceptionRecord !== null) this.exceptionRecord.retrieved = value;
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
    if (this.hasException) throw this.exceptionValue;
    return this.resultValue as T;
  }

  /** The exception (or undefined); raises CancelledError or InvalidStateError if not done. */
  exception(): unknown {
    if (this.state === CANCELLED) throw this.makeCancelledError();
    if (this.state === PENDING) throw new InvalidStateError("Exception is not set.");
    this.retrieved = true;
    return this.hasException ? this.exceptionValue : undefined;
  }

  /** Marks the Future done with `value` and schedules its callbacks. */
  setResult(value: T): void {
    if (this.state !== PENDING) throw new InvalidStateError(`setResult() on a Future that is already ${stateNames[this.state]}.`);
    this.resultValue = value;
    this.state = FINISHED;
    this.scheduleCallbacks();
  }

  /** Marks the Future done with an exception and schedules its callbacks. */
  setException(exception: unknown): void {
    if (this.state !== PENDING) throw new InvalidStateError(`setException() on a Future that is already ${stateNames[this.state]}.`);
    if (exception === undefined || exception === null) {
      throw new TypeError("setException() needs an error object; got " + String(exception) + ".");
    }
    if (exception instanceof CancelledError) {
      throw new TypeError("setException(CancelledError) is not allowed: call cancel() to cancel a Future.");
    }
    this.storeException(exception);
  }

  /**
   * @internal Finishes with `exception`, skipping the public checks: gather()
   * stores a CancelledError this way, as CPython's _GatheringFuture does.
   */
  storeException(exception: unknown): void {
    this.exceptionValue = exception;
    this.hasException = true;
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

  /** @internal addDoneCallback for the library's own callbacks, without the check. */
  addCallback(fn: DoneCallback<T>): void {
    if (this.state !== PENDING) {
      this.loop.schedule(fn as (future: Future<unknown>) => void, this as Future<unknown>);
      return;
    }
    // [fn], not [] and push: most Futures get one callback, and a pushed-to array reserves room for 17.
    if (this.callbacks === null) this.callbacks = [fn as (future: never) => void];
    else this.callbacks.push(fn as (future: never) => void);
  }

  /** Removes every registration of `fn`; returns how many were removed. */
  removeDoneCallback(fn: DoneCallback<T>): number {
    const list = this.callbacks;
    if (list === null) return 0;
    const kept = list.filter((cb) => cb !== (fn as unknown));
    const removed = list.length - kept.length;
    this.callbacks = kept.length === 0 ? null : kept;
    return removed;
  }

  /** The done callbacks still to run (for tools). */
  get pendingCallbacks(): readonly ((...args: never[]) => unknown)[] {
    return this.callbacks ?? [];
  }

  /**
   * @internal The CancelledError to raise for a cancelled Future. As in
   * CPython 3.12, the first call hands out the error the Task's coroutine
   * raised itself (so `yield* task` rethrows that object); later calls make
   * a new one with the same message.
   */
  makeCancelledError(): CancelledError {
    const saved = this.cancelledExc;
    if (saved !== null) {
      this.cancelledExc = null;
      return saved;
    }
    return new CancelledError(this.cancelMessage ?? "");
  }

  /** @internal */
  scheduleCallbacks(): void {
    const list = this.callbacks;
    if (list === null) return;
    this.callbacks = null;
    // Without Handles (loop.schedule): nobody could cancel them, and a Future with 10k callbacks made 10k.
    const loop = this.loop;
    for (let i = 0; i < list.length; i++) loop.schedule(list[i] as (future: Future<unknown>) => void, this as Future<unknown>);
  }

  /** `yield* future` inside an asyncio coroutine: wait, then return the result. */
  *[Symbol.iterator](): Generator<AioYield, T, unknown> {
    if (this.state === PENDING) yield this as unknown as AioYield;
    if (this.state === PENDING) throw new InvalidStateError("yield* future resumed before the Future was done: a Future must be awaited from an asyncio Task.");
    return this.result();
  }

  /** Lets plain `async` code await the Future. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.promiseCache === null) {
      this.promiseCache = new Promise<T>((resolve, reject) => {
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
        else (this.callbacks ??= []).push(settle);
      });
    }
    return this.promiseCache.then(onFulfilled, onRejected);
  }

  /** "PENDING", "CANCELLED" or "FINISHED". */
  get status(): "PENDING" | "CANCELLED" | "FINISHED" {
    return stateNames[this.state];
  }

  toString(): string {
    return `<Future #${this.id} ${stateNames[this.state].toLowerCase()}>`;
  }
}

Object.defineProperty(Future.prototype, FLAVOUR, { value: "asyncio" });

/** True for asyncio Futures (and Tasks); false, not a throw, for any other value (a revoked Proxy included). */
export function isFuture(value: unknown): value is Future<unknown> {
  try {
    return value instanceof Future;
  } catch {
    return false;
  }
}
