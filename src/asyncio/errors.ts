/**
 * asyncio's errors. `CancelledError` is asyncio's own, distinct from Trio's
 * `Cancelled`: the bridges translate between them, so each flavour's code
 * catches the kind it knows.
 */

/** Base of the asyncio-layer errors that are not CancelledError. */
export class AsyncioError extends Error {
  override get name(): string {
    return this.constructor.name;
  }
}

/** The Task or Future was cancelled. */
export class CancelledError extends Error {
  override get name(): string {
    return "CancelledError";
  }
}

/** @internal `value instanceof CancelledError`, false (not a throw) for a revoked Proxy: it runs on whatever a coroutine or Trio task threw. */
export function isCancelledError(value: unknown): value is CancelledError {
  try {
    return value instanceof CancelledError;
  } catch {
    return false;
  }
}

/** An asyncio timeout expired (`waitFor`, `timeout`). */
export class TimeoutError extends AsyncioError {}

/** A Future was used in a state that does not allow it (result not set, set twice). */
export class InvalidStateError extends AsyncioError {}

/** `Queue.getNowait()` on an empty queue. */
export class QueueEmpty extends AsyncioError {}

/** `Queue.putNowait()` on a full queue. */
export class QueueFull extends AsyncioError {}

/** The queue was shut down. */
export class QueueShutDown extends AsyncioError {}

/** A `Barrier` was reset or aborted while tasks waited. */
export class BrokenBarrierError extends AsyncioError {}

/**
 * Python's ValueError: a value out of range (`Queue.taskDone()` called too
 * often, a `BoundedSemaphore` released too often, a negative count). It is
 * a RangeError, so plain JavaScript checks catch it too.
 */
export class ValueError extends RangeError {
  override get name(): string {
    return "ValueError";
  }
}

/** Misuse of the loop (Python's RuntimeError), e.g. a closed loop. */
export { RuntimeError } from "../core/state.js";
