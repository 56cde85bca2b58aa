/**
 * `aioAsTrio`: call asyncio code from Trio code.
 *
 * The asyncio coroutine runs as a Task on the enclosing openLoop's loop; the
 * Trio task waits for it. The two cancellation models meet here. Trio's is
 * level-triggered, asyncio's is one `CancelledError` per `cancel()`. So when
 * the Trio side is cancelled, the bridge cancels the asyncio Task once and
 * then keeps waiting until it has really ended: an asyncio `finally` that
 * itself waits (to close a connection, say) runs to completion. If the Task
 * then ends cancelled, the Trio side raises `Cancelled`; a `CancelledError`
 * that the asyncio code raised on its own passes through unchanged.
 */
import { describe, functionName, isUnusableFunction, readProperty } from "../core/errors.js";
import { cancelShieldedCheckpoint, checkpointIfCancelled } from "../core/operations.js";
import { current, requireTask, RuntimeError } from "../core/state.js";
import { BLOCKED, beginWait, type Task } from "../core/task.js";
import { Abort, PARK, type Operation } from "../core/traps.js";
import { Future } from "../asyncio/future.js";
import type { Coroutine } from "../asyncio/types.js";
import { currentLoop } from "./open-loop.js";

/**
 * Wraps an asyncio coroutine function as a Trio operation:
 * `yield* aioAsTrio(fetchJson)(url)`.
 */
export function aioAsTrio<A extends unknown[], T>(fn: (...args: A) => Coroutine<T>): (...args: A) => Operation<T> {
  if (typeof fn !== "function") {
    if (fn !== null && typeof fn === "object" && typeof readProperty(fn, "next") === "function") {
      throw new TypeError("aioAsTrio(fn) needs an asyncio coroutine function (a function* that yield*s Futures), got an object. This is a coroutine, the function's call: pass the function itself, aioAsTrio(coro)(arg) rather than aioAsTrio(coro(arg)).");
    }
    if ((fn as unknown) instanceof Future) throw new TypeError("aioAsTrio(fn) needs an asyncio coroutine function, got a Future. To wait for a Future from Trio code, use yield* waitFuture(future).");
    throw new TypeError(`aioAsTrio(fn) needs an asyncio coroutine function (a function* that yield*s Futures), got ${describe(fn)}.`);
  }
  if (isUnusableFunction(fn)) {
    throw new TypeError("aioAsTrio(fn) needs an asyncio coroutine function (a function* that yield*s Futures), got a function that cannot be inspected (a revoked Proxy?). Pass the function itself.");
  }
  const name = functionName(fn) ?? "asyncio";
  const adapted = function* (...args: A): Operation<T> {
    if (current.task === null && current.foreign !== null) {
      // Inside asyncio code already: the adapter is the detour, not the fix that requireTask would name.
      throw new RuntimeError(`aioAsTrio(${name})() is for Trio code, but it was used from ${current.foreign}. In asyncio code, call the coroutine function itself: yield* ${name}(...args).`);
    }
    const trioTask = requireTask("aioAsTrio()");
    const loop = currentLoop();
    const coro = fn(...args);
    const aioTask = loop.createTask(coro, { name });
    return yield* waitFutureFrom(trioTask, aioTask);
  };
  Object.defineProperty(adapted, "name", { value: `aioAsTrio(${name})` });
  return adapted;
}

/**
 * Waits from Trio code for an asyncio Future (or Task) and returns its
 * result, or raises its exception (`CancelledError` if asyncio code
 * cancelled it). A Trio cancellation cancels the Future once, waits for it
 * to end and raises `Cancelled`. Always a checkpoint, as in Trio.
 */
export function waitFuture<T>(future: Future<T>): Operation<T> {
  const task = requireTask("waitFuture()");
  if (!(future instanceof Future)) {
    throw new TypeError(`waitFuture(future) needs an asyncio Future or Task, got ${describe(future)}. For a Promise use waitPromise(p).`);
  }
  return waitFutureFrom(task, future);
}

function* waitFutureFrom<T>(trioTask: Task, future: Future<T>): Operation<T> {
  if (future.done()) {
    // Trio's rule: a blocking primitive is a checkpoint even when it does not block.
    yield* checkpointIfCancelled();
    yield* cancelShieldedCheckpoint();
    return future.result();
  }
  // The field, not getLoop(): a subclass may override that.
  const loop = future.loop;
  if (!loop.isRunning()) {
    throw new RuntimeError("waitFuture(future): the Future is pending on a closed event loop (its openLoop block has ended), so nothing can complete it. Wait for a loop's Futures while its block runs.");
  }
  let cancelError: Error | null = null;
  const wake = () => {
    if (trioTask.state === BLOCKED && trioTask.waitingOn === future) trioTask.runner.reschedule(trioTask, undefined, false);
  };
  // Before the callback: a wait this task dropped is undone first.
  beginWait(trioTask, (raiseCancel) => {
    // Cancel once (asyncio counts each cancel() as a request to unwind),
    // then keep waiting for the asyncio side to finish unwinding.
    if (cancelError === null) {
      cancelError = raiseCancel();
      // The loop closed while we waited: no callback can run there to end the Future, so nothing to wait for.
      if (!loop.isRunning()) return Abort.SUCCEEDED;
      future.cancel(cancelError.message);
    }
    return Abort.FAILED;
  });
  future.addDoneCallback(wake);
  // A Future left pending when its loop closes never completes: the close wakes this task too.
  const waiters = (loop.trioWaiters ??= new Set());
  waiters.add(wake);
  trioTask.waitingOn = future;
  try {
    yield PARK;
  } finally {
    waiters.delete(wake);
  }
  if (future.cancelled() && cancelError !== null) throw cancelError;
  if (!future.done()) {
    throw new RuntimeError("waitFuture(future): the event loop closed (its openLoop block ended) while this task waited, with the Future still pending, so nothing can complete it. Wait for a loop's Futures while its block runs, or cancel the waiting task before the block ends.");
  }
  return future.result();
}
