/**
 * Frames and idle time for asyncio code: `frameFuture`, `idleFuture` and
 * `hostTurnFuture` are Futures of one host callback, the asyncio flavour of
 * `nextFrame`, `waitIdle` and `yieldToHost`.
 *
 * Why it is built so: asyncio waits on Futures settled by callbacks, so each
 * of these asks the host for one callback (the same requests the Trio
 * flavour makes, from frames.ts) and settles a Future with its answer. Any
 * end of the Future (the callback, `cancel()`, a timeout or a cancelled Task
 * awaiting it) withdraws the request through a done callback, so no frame
 * or idle callback fires for a waiter that has gone.
 */
import type { EventLoop } from "../asyncio/event-loop.js";
import type { Future } from "../asyncio/future.js";
import { hostCallbackFuture, loopOption } from "./asyncio-events.js";
import { checkIdleTimeout, frameRequest, hostTurnRequest, idleRequest, type WaitIdleOptions } from "./frames.js";
import { checkOptions } from "./target.js";

/** Options of the asyncio frame Futures: the loop (default: the running loop). */
export interface LoopOption {
  /** The loop whose Future this is; default: the running loop. */
  loop?: EventLoop | undefined;
}

/**
 * A Future of the next animation frame's timestamp (milliseconds, as
 * `requestAnimationFrame` gives it). Cancelling the Future cancels the frame
 * request. Needs `requestAnimationFrame` (a window).
 *
 * ```ts
 * function* animate(): asyncio.Coroutine<void> {
 *   for (;;) draw(yield* frameFuture());
 * }
 * ```
 */
export function frameFuture(options: LoopOption = {}): Future<number> {
  checkOptions("frameFuture(options)", options);
  const loop = loopOption("frameFuture(options)", options);
  return hostCallbackFuture<number>(loop, frameRequest("frameFuture()", "hostTurnFuture() or asyncio.sleep()"));
}

/**
 * A Future of the host's next idle period (`requestIdleCallback`'s
 * `IdleDeadline`; a short `setTimeout` with a 50 ms budget where it is
 * missing). `timeout` is in seconds. Cancelling the Future cancels the
 * callback.
 */
export function idleFuture(options: WaitIdleOptions & LoopOption = {}): Future<IdleDeadline> {
  const timeout = checkIdleTimeout("idleFuture(options)", options);
  const loop = loopOption("idleFuture(options)", options);
  return hostCallbackFuture<IdleDeadline>(loop, idleRequest(timeout));
}

/**
 * A Future that is done after one turn of the host (`scheduler.yield()`,
 * else one macrotask), so input and rendering can run. Unlike
 * `asyncio.sleep(0)`, which lets only the loop's other callbacks run, it
 * leaves the current host task.
 */
export function hostTurnFuture(options: LoopOption = {}): Future<void> {
  checkOptions("hostTurnFuture(options)", options);
  const loop = loopOption("hostTurnFuture(options)", options);
  return hostCallbackFuture<void>(loop, hostTurnRequest);
}
