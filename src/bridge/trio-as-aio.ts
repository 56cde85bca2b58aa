/**
 * `trioAsAio`: call Trio code from asyncio code.
 *
 * The Trio operation runs as a Trio task in the openLoop block's nursery,
 * inside its own cancel scope, and its outcome completes an asyncio Future.
 * Cancelling that Future cancels the Trio task, and the Future only turns
 * cancelled once the task has really ended, so asyncio code never races
 * ahead of Trio cleanup.
 */
import { CancelScope } from "../core/cancel-scope.js";
import type { Operation } from "../core/traps.js";
import { currentTask } from "../core/operations.js";
import { Future } from "../asyncio/future.js";
import type { EventLoop } from "../asyncio/event-loop.js";
import { currentLoop } from "./open-loop.js";

/** The Future of a Trio task started by `trioAsAio`. */
export class TrioFuture<T> extends Future<T> {
  /** @internal */ readonly scope = new CancelScope();
  private cancelRequested = false;
  private requestedMessage: string | undefined;

  /** @internal */
  constructor(loop: EventLoop) {
    super({ loop });
  }

  /**
   * Cancels the Trio task. The Future becomes cancelled when the task has
   * ended (or completes normally if the task finished regardless).
   */
  override cancel(msg?: string): boolean {
    this.retrieved = true;
    if (this.done()) return false;
    if (!this.cancelRequested) {
      this.cancelRequested = true;
      this.requestedMessage = msg;
      this.scope.cancel(msg ?? "the asyncio Future was cancelled");
    }
    return true;
  }

  /** @internal */
  finishCancelled(): void {
    Future.prototype.cancel.call(this, this.requestedMessage);
  }
}

function* runTrioSide<T>(future: TrioFuture<T>, fn: (...args: unknown[]) => Operation<T>, args: unknown[]): Operation<void> {
  const loop = future.getLoop();
  try {
    const value = yield* future.scope.run(() => fn(...args));
    if (future.done()) return;
    if (future.scope.cancelledCaught) future.finishCancelled();
    else future.setResult(value as T);
  } catch (error) {
    // The error belongs to whoever awaits the Future; asyncio reports it if nobody does.
    if (!future.done()) future.setException(error);
  } finally {
    loop.trioChildren.delete(currentTask());
    loop.wakeShutdown();
  }
}

/**
 * Wraps a Trio operation function for asyncio code:
 * `const v = yield* trioAsAio(fetchOp)(url)` inside an asyncio coroutine.
 */
export function trioAsAio<A extends unknown[], T>(fn: (...args: A) => Operation<T>): (...args: A) => TrioFuture<T> {
  if (typeof fn !== "function") throw new TypeError("trioAsAio(fn) needs a Trio operation function (a function* that yield*s Trio operations).");
  const name = fn.name || "trio";
  const adapted = (...args: A): TrioFuture<T> => {
    const loop = currentLoop();
    const future = new TrioFuture<T>(loop);
    const task = loop.nursery.startSoonNamed(`trioAsAio(${name})`, runTrioSide<T>, future, fn as (...a: unknown[]) => Operation<T>, args as unknown[]);
    loop.trioChildren.set(task, future.scope);
    return future;
  };
  Object.defineProperty(adapted, "name", { value: `trioAsAio(${name})` });
  return adapted;
}
