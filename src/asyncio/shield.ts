/**
 * `shield`: protect an awaitable from the cancellation of whoever awaits it.
 *
 * The caller awaits a separate outer Future that mirrors the inner one.
 * Cancelling the caller cancels only that outer Future; the inner work runs
 * on, and shield() stops listening to it. If the inner work is cancelled by
 * someone else, the outer Future is cancelled too. As in CPython.
 *
 * An error the inner work raises after the outer Future was cancelled
 * belongs to whoever holds the inner Task: if nobody retrieves it, the
 * loop reports it as never retrieved when it closes (CPython 3.12 logs it
 * when the Task is collected, 3.14 at once as "exception in shielded
 * future"). Only an inner that finishes in the same loop iteration as the
 * cancellation, before shield() stopped listening, has its error marked as
 * seen, as CPython's _inner_done_callback does.
 */
import { futureOf, type Awaitable } from "./functions.js";
import type { Future } from "./future.js";

/**
 * Returns a Future that completes as `aw` does, but whose cancellation does
 * not reach `aw` (a coroutine is first wrapped in a Task). If `aw` is
 * already done it is returned as is.
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const inner = futureOf(aw, undefined, "shield(aw)");
  if (inner.done()) return inner;
  const outer = inner.getLoop().createFuture<T>();
  const onInnerDone = (f: Future<T>): void => {
    if (outer.cancelled()) {
      if (!f.cancelled()) f.exception();
      return;
    }
    if (f.cancelled()) {
      outer.cancel();
    } else if (f.hasException) {
      outer.setException(f.exception());
    } else {
      outer.setResult(f.result());
    }
  };
  const onOuterDone = (): void => {
    if (!inner.done()) inner.removeDoneCallback(onInnerDone);
  };
  inner.addDoneCallback(onInnerDone);
  outer.addDoneCallback(onOuterDone);
  return outer;
}
