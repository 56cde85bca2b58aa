/**
 * The errors of the workers layer. Each message says what went wrong and
 * what to do about it.
 */
import { TrioError } from "../core/errors.js";

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
