/**
 * The errors of the workers layer. Each message says what went wrong and
 * what to do about it.
 */
import { ExceptionGroup, TrioError, describeError } from "../core/errors.js";

/**
 * A worker could not start: its script failed to load or threw while
 * loading, it exited before calling `defineWorker`, or it speaks another
 * version of the protocol. Nothing is left running when this is raised.
 */
export class WorkerLoadError extends TrioError {
  /** @internal */
  static override readonly errorName: string = "WorkerLoadError";
}

/**
 * An argument (or a result) could not be structured-cloned to cross to the
 * other side. `cause` is the host's `DataCloneError`. Raised in the caller
 * before anything was posted.
 */
export class WorkerDataCloneError extends TrioError {
  /** @internal */
  static override readonly errorName: string = "WorkerDataCloneError";
}

/**
 * @internal What a block raises when its cleanup failed (a port refused to
 * drop our listener or to close, a worker's terminate() threw) while it was
 * already raising `raised`: all of them, in an ExceptionGroup, the block's
 * error first, as a nursery raises its body's error with its children's.
 * None is lost, and a `Cancelled` among them still reaches its scope (the
 * scope takes it out of the group and the cleanup errors go on).
 */
export function withCleanupError(what: string, raised: unknown, cleanups: readonly unknown[]): ExceptionGroup {
  return new ExceptionGroup(`${what}: the block raised, and its cleanup failed too (${cleanups.map(describeError).join("; ")})`, [raised, ...cleanups]);
}

/** @internal What a block that was returning raises when its cleanup failed: the one error, or all in a group. */
export function cleanupFailure(what: string, cleanups: readonly unknown[]): unknown {
  return cleanups.length === 1 ? cleanups[0] : new ExceptionGroup(`${what}: its cleanup failed in ${cleanups.length} ways`, cleanups);
}
