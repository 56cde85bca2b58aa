/**
 * `trioAsAio`: call Trio code from asyncio code.
 *
 * The Trio operation runs as a Trio task in the openLoop block's nursery,
 * inside its own cancel scope, and its outcome completes an asyncio Future.
 * That scope is shielded: the task follows its asyncio caller (through the
 * Future) and the loop's shutdown, not the block's cancellation, so Trio
 * code called by asyncio code that a Trio caller shields keeps running.
 * Cancelling that Future cancels the Trio task, and the Future only turns
 * cancelled once the task has really ended, so asyncio code never races
 * ahead of Trio cleanup.
 */
import { CancelScope } from "../core/cancel-scope.js";
import type { TaskLocal } from "../core/context.js";
import { Cancelled, describe, ExceptionGroup, functionName, hasCancelled, messageOf, readProperty } from "../core/errors.js";
import { callTaskFunction, checkFunction } from "../core/nursery.js";
import type { Operation } from "../core/traps.js";
import type { Task as TrioTask } from "../core/task.js";
import { currentTask } from "../core/operations.js";
import { isCancelledError } from "../asyncio/errors.js";
import { Future } from "../asyncio/future.js";
import type { EventLoop } from "../asyncio/event-loop.js";
import { currentLoop, loopVar } from "./open-loop.js";

/** The Future of a Trio task started by `trioAsAio`. */
export class TrioFuture<T> extends Future<T> {
  /** @internal */ readonly scope = new CancelScope({ shield: true });
  private cancelFlag = false;
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
    if (!this.cancelFlag) {
      this.cancelFlag = true;
      // A string, whatever was passed: it becomes a CancelledError's message and a Trio cancel reason.
      this.requestedMessage = msg === undefined || typeof msg === "string" ? msg : messageOf(msg);
      msg = this.requestedMessage;
      this.scope.cancel(msg ?? "the asyncio Future was cancelled");
    }
    return true;
  }

  /** @internal True once cancel() was called. */
  cancelRequested(): boolean {
    return this.cancelFlag;
  }

  /** @internal */
  finishCancelled(msg: string | undefined = this.requestedMessage): void {
    Future.prototype.cancel.call(this, msg);
  }

  override toString(): string {
    return `<TrioFuture #${this.id} ${this.status.toLowerCase()}>`;
  }
}

function* runTrioSide<T>(future: TrioFuture<T>, label: string, fn: (...args: unknown[]) => Operation<T>, args: unknown[]): Operation<void> {
  const loop = future.getLoop();
  try {
    // callTaskFunction: a function that returns no generator is named as the trioAsAio call it is.
    const value = yield* future.scope.run(() => callTaskFunction(label, fn, args));
    if (future.done()) return;
    if (future.scope.cancelledCaught) future.finishCancelled();
    else future.setResult(value as T);
  } catch (error) {
    // asyncio code must never see Trio's Cancelled. The shielded scope
    // absorbs its own (the Future's cancel, the loop's shutdown) and no
    // other scope's can reach through the shield, so this is a guard: any
    // Cancelled still found is split out of a group, the real errors go to
    // the Future and the Cancelled part goes on to the Trio scope that owns it.
    const [cancelledPart, rest] = splitCancelled(error);
    if (!future.done()) {
      if (cancelledPart !== undefined && rest === undefined) {
        // Only Cancelled: the asyncio awaiter sees an ordinary cancellation.
        future.finishCancelled(future.cancelRequested() ? undefined : "the Trio task was cancelled from outside");
      } else if (isCancelledError(rest)) {
        // asyncio code under the Trio task raised CancelledError: as for a
        // coroutine, that cancels the Future.
        future.finishCancelled(messageOf(rest));
      } else {
        // The error belongs to whoever awaits the Future; if nobody ever
        // does, the loop reports it when it closes. storeException, not
        // setException: whatever the Trio code threw must end the Future.
        future.storeException(rest ?? new TypeError(`The Trio task of ${String(future)} threw ${String(rest)}; throw an Error object instead.`));
        loop.unretrievedFutures.add(future as TrioFuture<unknown>);
        loop.reportFutures = reportUnretrievedFutures;
      }
    }
    if (cancelledPart !== undefined) throw cancelledPart;
  } finally {
    loop.trioChildren.delete(currentTask());
    loop.wakeShutdown();
  }
}

/** Splits what a Trio task raised into its Trio `Cancelled` part and the rest (undefined where nothing is left). */
function splitCancelled(error: unknown): [cancelled: unknown, rest: unknown] {
  if (error instanceof Cancelled) return [error, undefined];
  // hasCancelled read from the class: a Proxy whose get trap throws is an error like any other (it was lost, and the awaiter hung).
  if (error instanceof ExceptionGroup && hasCancelled(error)) {
    try {
      return ExceptionGroup.prototype.split.call(error, Cancelled);
    } catch {
      // A group that cannot be split (its derive() throws, a Proxy's trap throws) reaches the awaiter whole: a throw here hung it.
    }
  }
  return [undefined, error];
}

/**
 * Wraps a Trio operation function for asyncio code:
 * `const v = yield* trioAsAio(fetchOp)(url)` inside an asyncio coroutine.
 * The operation runs as a Trio task of the openLoop block's nursery; it sees
 * the task-local context (ContextVar values) of the asyncio task that
 * started it.
 */
export function trioAsAio<A extends unknown[], T>(fn: (...args: A) => Operation<T>): (...args: A) => TrioFuture<T> {
  if (typeof fn !== "function") {
    if (fn !== null && typeof fn === "object" && typeof readProperty(fn, "next") === "function") {
      throw new TypeError("trioAsAio(fn) needs a Trio operation function (a function* that yield*s Trio operations), got an object. This is a generator object, the function's call: pass the function itself, trioAsAio(op)(arg) rather than trioAsAio(op(arg)).");
    }
    throw new TypeError(`trioAsAio(fn) needs a Trio operation function (a function* that yield*s Trio operations), got ${describe(fn)}.`);
  }
  // An async function or a revoked Proxy is named now, where the mistake is, not in the Future later.
  checkFunction("trioAsAio(fn)", fn);
  const label = `trioAsAio(${functionName(fn) ?? "trio"})`;
  const adapted = (...args: A): TrioFuture<T> => {
    const loop = currentLoop();
    const future = new TrioFuture<T>(loop);
    const task = loop.nursery.startSoonNamed(label, runTrioSide<T>, future, label, fn as (...a: unknown[]) => Operation<T>, args as unknown[]);
    // The task took the asyncio code's context (see currentContext); add
    // the loop, for currentLoop() in Trio code.
    const context = new Map(task.context ?? undefined);
    context.set(loopVar as TaskLocal<unknown>, loop);
    task.context = context;
    loop.trioChildren.set(task, future.scope);
    loop.cancelTrioChildren = cancelTrioChildren;
    return future;
  };
  Object.defineProperty(adapted, "name", { value: label });
  return adapted;
}

/** The loop's shutdown round for the Trio tasks trioAsAio started (EventLoop.cancelTrioChildren): cancel them and wait. */
function* cancelTrioChildren(loop: EventLoop, me: TrioTask): Operation<void> {
  for (const scope of loop.trioChildren.values()) scope.cancel("the asyncio loop is closing");
  yield* loop.waitFor(me, () => loop.trioChildren.size === 0);
}

/** Passes the exceptions of failed trioAsAio Futures nobody retrieved to the exception handler (EventLoop.reportFutures). */
function reportUnretrievedFutures(loop: EventLoop): void {
  const futures = [...loop.unretrievedFutures];
  loop.unretrievedFutures.clear();
  for (const future of futures) {
    if (future.retrieved) continue;
    // Reported once, here; the garbage-collection check must not repeat it.
    future.retrieved = true;
    loop.callExceptionHandler({ message: `${String(future)}: exception was never retrieved`, exception: future.exceptionValue, future });
  }
}
