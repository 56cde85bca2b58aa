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
import { describe, isError } from "../core/errors.js";
import type { Future } from "../asyncio/future.js";
import { getRunningLoop } from "../asyncio/running.js";
import { checkEventTarget, checkOptionalFunction, checkOptions, type HostRequest } from "./target.js";
import { eventRequest, listenerOptions } from "./events.js";
import type { WaitEventOptions } from "./events.js";

/** Options of `eventFuture`: `waitEvent`'s, and the loop (default: the running loop). */
export interface EventFutureOptions<E extends Event = Event> extends WaitEventOptions<E> {
  /** The loop whose Future this is; default: the running loop. */
  loop?: EventLoop | undefined;
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
  // Events that come between cancel() and the done callback that removes the listener are ignored.
  const future: Future<E> = hostCallbackFuture<E>(
    loop,
    eventRequest<E>(target, type, options.filter, listenerOptions(options), () => !future.done()),
    (error) => new TypeError(`eventFuture's filter threw ${describe(error)}.`),
  );
  return future;
}

/**
 * @internal A Future settled by one host request's answer (the asyncio
 * twin of `waitHostCallback`): however else the Future ends (`cancel()`, a
 * timeout), its done callback withdraws the request. An answer that is an
 * error but not an Error object becomes `failure(value)`.
 */
export function hostCallbackFuture<T>(loop: EventLoop, request: HostRequest, failure: (value: unknown) => Error = (value) => new Error(`The host's callback failed with ${describe(value)}.`)): Future<T> {
  const future = loop.createFuture<T>();
  let pending = true;
  const withdraw = request((value, throws) => {
    if (!pending) return;
    pending = false;
    // An answer after the loop stopped (a Future left pending past its block) is dropped: its callbacks could not run, and completing it threw into the host's dispatch.
    if (future.done() || !loop.isRunning()) return;
    if (throws) future.setException(isError(value) ? value : failure(value));
    else future.setResult(value as T);
  });
  future.addDoneCallback(() => {
    if (!pending) return;
    pending = false;
    withdraw();
  });
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
