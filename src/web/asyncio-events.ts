/**
 * DOM events for asyncio code: `eventFuture(target, type)` is a Future of
 * the next event, as asyncio code waits for things (a Future to await, to
 * give `asyncio.wait`, `waitFor` or `gather`, or to add done callbacks
 * to).
 *
 * Why it is built so: asyncio's habit is a Future settled by a callback
 * (CPython's `loop.sock_recv` and friends). The listener settles the
 * Future; any end of the Future (the event, `cancel()`, a timeout
 * cancelling it) removes the listener, through a done callback, so nothing
 * is left however the waiting ends. The Trio flavour is `waitEvent`.
 */
import { EventLoop } from "../asyncio/event-loop.js";
import { describe } from "../core/errors.js";
import type { Future } from "../asyncio/future.js";
import { getRunningLoop } from "../asyncio/running.js";
import { checkEventTarget, checkOptionalFunction, checkOptions } from "./target.js";
import type { WaitEventOptions } from "./events.js";

/** Options of `eventFuture`: `waitEvent`'s, and the loop (default: the running loop). */
export interface EventFutureOptions<E extends Event = Event> extends WaitEventOptions<E> {
  loop?: EventLoop;
}

/**
 * A Future of the next `type` event on `target` (that `filter` accepts).
 * The listener is removed when the Future is done: by the event, by
 * `cancel()`, or by whatever cancels it (`asyncio.waitFor`'s timeout, a
 * cancelled Task awaiting it). A `filter` that throws sets the Future's
 * exception. As for any Future you own, cancel it if you stop waiting:
 * until it is done, its listener stays on `target` (the loop's closing
 * does not end it).
 *
 * ```ts
 * function* main(): asyncio.Coroutine<void> {
 *   const click = yield* asyncio.waitFor(eventFuture<MouseEvent>(button, "click"), 5);
 * }
 * ```
 */
export function eventFuture<E extends Event = Event>(target: EventTarget, type: string, options: EventFutureOptions<E> = {}): Future<E> {
  checkEventTarget("eventFuture(target, type)", target, type);
  checkOptions("eventFuture(target, type, options)", options);
  checkOptionalFunction("eventFuture's filter option", options.filter);
  const loop = loopOption("eventFuture(target, type, options)", options);
  const future = loop.createFuture<E>();
  const filter = options.filter;
  const listenerOptions = { passive: options.passive === true, capture: options.capture === true };
  let listening = true;
  const stop = () => {
    if (!listening) return;
    listening = false;
    target.removeEventListener(type, listener, listenerOptions);
  };
  function listener(event: Event): void {
    if (future.done()) return;
    let accepted: boolean;
    try {
      accepted = filter === undefined || filter(event as E) === true;
    } catch (error) {
      stop();
      future.setException(error instanceof Error ? error : new TypeError(`eventFuture's filter threw ${String(error)}.`));
      return;
    }
    if (accepted) {
      stop();
      future.setResult(event as E);
    }
  }
  target.addEventListener(type, listener, listenerOptions);
  // However else the Future ends (cancel(), a timeout): its done callbacks run on the loop soon after.
  future.addDoneCallback(stop);
  return future;
}

/**
 * @internal The `loop` option of the asyncio web helpers: an EventLoop, or
 * the running loop when left out.
 */
export function loopOption(what: string, options: { loop?: unknown }): EventLoop {
  const loop = options.loop;
  if (loop === undefined) return getRunningLoop();
  if (!isEventLoop(loop)) {
    throw new TypeError(`${what}: loop must be an asyncio EventLoop (or left out for the running loop), got ${describe(loop)}.`);
  }
  return loop;
}

// instanceof, total: a revoked Proxy answers false instead of throwing.
function isEventLoop(value: unknown): value is EventLoop {
  try {
    return value instanceof EventLoop;
  } catch {
    return false;
  }
}
