/**
 * asyncio's errors. `CancelledError` is asyncio's own, distinct from Trio's
 * `Cancelled`: the bridges translate between them, so each flavour's code
 * catches the kind it knows.
 */
import { errorClassName } from "../core/errors.js";

/** Base of the asyncio-layer errors that are not CancelledError. */
export class AsyncioError extends Error {
  /** @internal */
  static readonly errorName: string = "AsyncioError";

  /** The class's name, kept through an app's minifier (see the core's `errorClassName`). */
  override get name(): string {
    return errorClassName(this);
  }
}

/** The Task or Future was cancelled. */
export class CancelledError extends Error {
  override get name(): string {
    return "CancelledError";
  }

  /**
   * `instanceof` made total, as the core's error classes are: the layer
   * asks it of whatever a coroutine threw (a Task's step, a timeout's or a
   * TaskGroup's exit), where a revoked Proxy made plain `instanceof` throw
   * and left the Task pending or the error replaced. Such a value is not one.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    try {
      return super[Symbol.hasInstance](value);
    } catch {
      return false;
    }
  }
}

/** @internal `value instanceof CancelledError` (total: false, not a throw, for a revoked Proxy). */
export function isCancelledError(value: unknown): value is CancelledError {
  return value instanceof CancelledError;
}

/** An asyncio timeout expired (`waitFor`, `timeout`). */
export class TimeoutError extends AsyncioError {
  /** @internal */
  static override readonly errorName: string = "TimeoutError";
}

/** A Future was used in a state that does not allow it (result not set, set twice). */
export class InvalidStateError extends AsyncioError {
  /** @internal */
  static override readonly errorName: string = "InvalidStateError";
}

/** `Queue.getNowait()` on an empty queue. */
export class QueueEmpty extends AsyncioError {
  /** @internal */
  static override readonly errorName: string = "QueueEmpty";
}

/** `Queue.putNowait()` on a full queue. */
export class QueueFull extends AsyncioError {
  /** @internal */
  static override readonly errorName: string = "QueueFull";
}

/** The queue was shut down. */
export class QueueShutDown extends AsyncioError {
  /** @internal */
  static override readonly errorName: string = "QueueShutDown";
}

/** A `Barrier` was reset or aborted while tasks waited. */
export class BrokenBarrierError extends AsyncioError {
  /** @internal */
  static override readonly errorName: string = "BrokenBarrierError";
}

/** Python's ValueError, shared with the core (a RangeError; see core/python-errors.ts). */
export { ValueError } from "../core/python-errors.js";

/** Misuse of the loop (Python's RuntimeError), e.g. a closed loop. */
export { RuntimeError } from "../core/state.js";
