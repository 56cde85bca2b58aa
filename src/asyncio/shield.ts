/**
 * `shield`: protect an awaitable from the cancellation of whoever awaits it.
 *
 * The caller awaits a separate outer Future that mirrors the inner one.
 * Cancelling the caller cancels only that outer Future; the inner work runs
 * on, and its outcome is then dropped (its exception marked as seen, so it
 * is not reported as never retrieved). If the inner work is cancelled by
 * someone else, the outer Future is cancelled too. As in CPython.
 */
import { ensureFuture, type Awaitable } from "./functions.js";
import type { Future } from "./future.js";

/**
 * Returns a Future that completes as `aw` does, but whose cancellation does
 * not reach `aw` (a coroutine is first wrapped in a Task). If `aw` is
 * already done it is returned as is.
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const inner = ensureFuture(aw);
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
