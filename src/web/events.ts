/**
 * DOM events as operations: `waitEvent` waits for one event, and
 * `openEventChannel` turns a stream of events into a receive channel for the
 * length of a block.
 *
 * Why it is built so: a listener is host code, so it can only hand events
 * over, never wait; everything that waits is the task's side, on the core's
 * wait/wake pair (`waitEvent`) or on a memory channel (`openEventChannel`).
 * Every listener added here is removed on every way out: the event arrived,
 * the task was cancelled, the block returned or raised, or the channel was
 * closed. The channel is a block (like `openNursery`) rather than a handle
 * to close by hand, so leaving the block is what removes the listener.
 */
import { ClosedResourceError, describe } from "../core/errors.js";
import { requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { openMemoryChannel, type MemoryReceiveChannel, type ReceiveResult } from "../sync/channel.js";
import { checkEventTarget, checkOptionalFunction, checkOptions, waitHostCallback, checkBody, bodyOperation, cleanUp, type HostRequest, type ListenerTarget } from "./target.js";

/** Options of `waitEvent`. */
export interface WaitEventOptions<E extends Event = Event> {
  /**
   * Called in the listener for each event; only an event it accepts (returns
   * true for) ends the wait. It runs synchronously inside the dispatch, so it
   * is also the place for `event.preventDefault()`. If it throws, the wait
   * raises that error.
   */
  filter?: ((event: E) => boolean) | undefined;
  /** As `addEventListener`'s `passive`. */
  passive?: boolean | undefined;
  /** As `addEventListener`'s `capture`. */
  capture?: boolean | undefined;
}

/** @internal `addEventListener`'s options from ours. */
export function listenerOptions(options: { passive?: boolean; capture?: boolean }): AddEventListenerOptions {
  return { passive: options.passive === true, capture: options.capture === true };
}

/**
 * Waits for the next `type` event on `target` (that `filter` accepts) and
 * returns it. Cancellable: the listener is removed when the event arrives,
 * when the task is cancelled, and on any other way out.
 *
 * ```ts
 * const click = yield* waitEvent<MouseEvent>(button, "click");
 * ```
 *
 * The task resumes after the dispatch has finished, so call
 * `preventDefault()` in `filter` if you need it.
 */
export function waitEvent<E extends Event = Event>(target: EventTarget, type: string, options: WaitEventOptions<E> = {}): Operation<E> {
  checkEventTarget("waitEvent(target, type)", target, type);
  checkOptions("waitEvent(target, type, options)", options);
  checkOptionalFunction("waitEvent's filter option", options.filter);
  return waitEventOp(target, type, options);
}

function* waitEventOp<E extends Event>(target: ListenerTarget, type: string, options: WaitEventOptions<E>): Operation<E> {
  const task = requireTask("waitEvent()");
  return yield* waitHostCallback<E>(task, target, eventRequest(target, type, options.filter, listenerOptions(options)));
}

/**
 * @internal Listens for the first `type` event that `filter` accepts (the
 * Trio and asyncio flavours share it): the listener answers with the event,
 * or with the filter's error, and removes itself either way; the request's
 * withdrawal removes it too. `wanted`, when given, is asked before the
 * filter runs: once it says no, events are ignored until the withdrawal.
 */
export function eventRequest<E extends Event>(
  target: ListenerTarget,
  type: string,
  filter: ((event: E) => boolean) | undefined,
  opts: AddEventListenerOptions,
  wanted?: () => boolean,
): HostRequest {
  return (answer) => {
    let listening = true;
    const stop = () => {
      if (!listening) return;
      listening = false;
      target.removeEventListener(type, listener, opts);
    };
    // Stops listening, then answers; a target whose removeEventListener throws gets that
    // error raised in the task (unless the filter's error is already on its way), not lost in the dispatch.
    const finish = (value: unknown, throws: boolean) => {
      try {
        stop();
      } catch (error) {
        if (!throws) [value, throws] = [error, true];
      }
      answer(value, throws);
    };
    function listener(event: Event): void {
      if (!listening) return;
      if (wanted !== undefined && !wanted()) {
        // Not wanted any more (a cancelled Future whose done callback, which withdraws it, has not
        // run, or never will on a closed loop): go now. A removal that throws is left to that callback.
        try {
          stop();
        } catch {
          listening = true;
        }
        return;
      }
      let accepted: boolean;
      try {
        accepted = filter === undefined || filter(event as E) === true;
      } catch (error) {
        finish(error, true);
        return;
      }
      if (accepted) finish(event, false);
    }
    try {
      target.addEventListener(type, listener, opts);
    } catch (error) {
      // It may have added the listener before it threw: take it off (or at least silence it).
      listening = false;
      try {
        target.removeEventListener(type, listener, opts);
      } catch {
        // The add's error is the one to report.
      }
      throw error;
    }
    return stop;
  };
}

/** What `openEventChannel` does with an event that finds the buffer full. */
export type EventOverflow = "drop-oldest" | "drop-newest" | "block";

const OVERFLOW_MODES: readonly string[] = ["drop-oldest", "drop-newest", "block"];

/** Options of `openEventChannel`. */
export interface EventChannelOptions {
  /**
   * How many events may wait for a receiver (default `Infinity`). A receiver
   * already waiting takes an event directly, so `0` keeps only the events a
   * receiver is waiting for (with a drop mode).
   */
  maxBuffer?: number | undefined;
  /**
   * What happens to an event when `maxBuffer` events already wait:
   * `"drop-oldest"` drops the oldest waiting event (the latest state wins,
   * as for pointer moves), `"drop-newest"` drops the new one, and `"block"`
   * (the default) drops nothing. A dispatch cannot wait, so under `"block"`
   * the event joins the line past `maxBuffer` (as a blocked send would in a
   * memory channel) and memory grows while the receiver lags.
   * `statistics().overflowed` counts these events in every mode.
   */
  overflow?: EventOverflow | undefined;
  /** As `addEventListener`'s `passive`. */
  passive?: boolean | undefined;
  /** As `addEventListener`'s `capture`. */
  capture?: boolean | undefined;
}

/** Counters of an `EventChannel`. */
export interface EventChannelStatistics {
  /** Events waiting for a receiver. */
  readonly buffered: number;
  /** The `maxBuffer` option. */
  readonly maxBuffer: number;
  /** The `overflow` option. */
  readonly overflow: EventOverflow;
  /** Events that found the buffer full (dropped, or kept past it under `"block"`). */
  readonly overflowed: number;
  /** Tasks blocked in `receive`. */
  readonly tasksWaitingReceive: number;
  /** Whether the listener is still on the target. */
  readonly listening: boolean;
}

/**
 * The receive side of `openEventChannel`: the events, in dispatch order.
 * Closing it removes the listener; its block's end closes it too.
 */
export class EventChannel<E extends Event = Event> {
  /** @internal */ overflowedCount = 0;
  /** @internal */ listening = true;

  /** @internal Use `openEventChannel`. */
  constructor(
    private readonly events: MemoryReceiveChannel<E>,
    private readonly stopListening: () => void,
    /** The `maxBuffer` option. */ readonly maxBuffer: number,
    /** The `overflow` option. */ readonly overflow: EventOverflow,
  ) {}

  /** True once the channel was closed (by `close()` or by leaving its block). */
  get closed(): boolean {
    return this.events.closed;
  }

  /**
   * Receives the next event, blocking until one is dispatched. A checkpoint.
   * Raises `ClosedResourceError` once the channel is closed.
   */
  receive(): Operation<E> {
    if (this.events.closed) return closedReceive();
    return this.events.receive();
  }

  /** The next event if one is waiting, else raises `WouldBlock`. Not a checkpoint. */
  receiveNowait(): E {
    return this.events.receiveNowait();
  }

  /** The next event as `{ done: false, value }` (an event channel ends only by being closed). */
  receiveOrEnd(): Operation<ReceiveResult<E>> {
    return this.events.receiveOrEnd();
  }

  /** Runs `body` for each event, one at a time, until the channel is closed (then raises `ClosedResourceError`) or `body` raises. */
  forEach(body: (event: E) => Operation<unknown>): Operation<void> {
    return this.events.forEach(body);
  }

  /** Removes the listener and drops the waiting events; idempotent. A task blocked in `receive` gets `ClosedResourceError`. */
  close(): void {
    try {
      this.stopListening();
    } finally {
      this.events.close();
    }
  }

  /** `close()`, then a checkpoint. */
  *aclose(): Operation<void> {
    this.close();
    yield* this.events.aclose();
  }

  /** Counters for tools and tests. */
  statistics(): EventChannelStatistics {
    const s = this.events.statistics();
    return {
      buffered: s.currentBufferUsed,
      maxBuffer: this.maxBuffer,
      overflow: this.overflow,
      overflowed: this.overflowedCount,
      tasksWaitingReceive: s.tasksWaitingReceive,
      listening: this.listening,
    };
  }

  toString(): string {
    return `<EventChannel ${this.overflow} ${this.maxBuffer}${this.closed ? " closed" : ""}>`;
  }
}

function* closedReceive(): Operation<never> {
  throw new ClosedResourceError("receive() on an event channel that was closed: its listener is gone. Open a new one with openEventChannel.");
}

/**
 * @internal Checks maxBuffer and overflow (of an options object already
 * checked), with their defaults; `fn` names the function whose options they are.
 */
export function checkChannelOptions(options: EventChannelOptions, fn: string): { maxBuffer: number; overflow: EventOverflow } {
  const maxBuffer = options.maxBuffer ?? Infinity;
  if (typeof maxBuffer !== "number" || Number.isNaN(maxBuffer) || maxBuffer < 0 || (maxBuffer !== Infinity && !Number.isInteger(maxBuffer))) {
    throw new RangeError(`${fn}'s maxBuffer must be a non-negative integer or Infinity, got ${describe(maxBuffer)}.`);
  }
  const overflow = options.overflow ?? "block";
  if (!OVERFLOW_MODES.includes(overflow)) {
    throw new TypeError(`${fn}'s overflow must be "drop-oldest", "drop-newest" or "block", got ${describe(overflow)}.`);
  }
  return { maxBuffer, overflow };
}

/**
 * Listens for `type` events on `target` for the length of `body`, which
 * receives them from a channel. The listener is removed when `body` returns
 * or raises, when the task is cancelled, and when the channel is closed.
 *
 * ```ts
 * yield* openEventChannel<PointerEvent>(canvas, "pointermove", { maxBuffer: 1, overflow: "drop-oldest" }, function* (moves) {
 *   for (;;) draw((yield* moves.receive()).clientX);
 * });
 * ```
 *
 * Returns what `body` returns.
 */
export function openEventChannel<E extends Event, T = void>(target: EventTarget, type: string, body: (events: EventChannel<E>) => Operation<T>): Operation<T>;
export function openEventChannel<E extends Event, T = void>(
  target: EventTarget,
  type: string,
  options: EventChannelOptions,
  body: (events: EventChannel<E>) => Operation<T>,
): Operation<T>;
export function openEventChannel<E extends Event, T = void>(
  target: EventTarget,
  type: string,
  optionsOrBody: EventChannelOptions | ((events: EventChannel<E>) => Operation<T>),
  maybeBody?: (events: EventChannel<E>) => Operation<T>,
): Operation<T> {
  checkEventTarget("openEventChannel(target, type, options, body)", target, type);
  // Left out, or passed as undefined: no options.
  const options = typeof optionsOrBody === "function" || optionsOrBody === undefined ? {} : optionsOrBody;
  const body = typeof optionsOrBody === "function" ? optionsOrBody : maybeBody;
  checkOptions("openEventChannel(target, type, options, body)", options);
  const { maxBuffer, overflow } = checkChannelOptions(options, "openEventChannel");
  checkBody("openEventChannel(target, type, options, body)", "function* (events) { ... }", body);
  return eventChannelBlock(target, type, listenerOptions(options), maxBuffer, overflow, body);
}

function* eventChannelBlock<E extends Event, T>(
  target: ListenerTarget,
  type: string,
  opts: AddEventListenerOptions,
  maxBuffer: number,
  overflow: EventOverflow,
  body: (events: EventChannel<E>) => Operation<T>,
): Operation<T> {
  requireTask("openEventChannel()");
  // The channel itself never blocks (a dispatch cannot wait); the listener
  // applies maxBuffer and the overflow mode.
  const [send, receive] = openMemoryChannel<E>(Infinity);
  const stop = () => {
    if (!channel.listening) return;
    channel.listening = false;
    target.removeEventListener(type, listener, opts);
  };
  const channel = new EventChannel<E>(receive, stop, maxBuffer, overflow);
  // Read per event without allocating (statistics() makes an object): the buffer's size.
  const buffer = receive.state.buffer;
  function listener(event: Event): void {
    if (!channel.listening) return;
    // Full: as many events wait as allowed, and no receiver is waiting to take this one.
    // (Receivers wait only on an empty buffer, so a full non-empty buffer has none;
    // the default, Infinity, is never full and skips the check.)
    const used = buffer.size;
    if (used >= maxBuffer && (used > 0 || receive.statistics().tasksWaitingReceive === 0)) {
      channel.overflowedCount++;
      if (overflow === "drop-newest") return;
      if (overflow === "drop-oldest") {
        if (used === 0) return; // nothing older to drop: this one goes
        receive.receiveNowait();
      }
    }
    send.sendNowait(event as E);
  }
  try {
    target.addEventListener(type, listener, opts);
  } catch (error) {
    // It may have added the listener before it threw: it would feed a channel no one reads.
    cleanUp(true, () => channel.close());
    throw error;
  }
  let raised = false;
  try {
    return yield* bodyOperation<T>("openEventChannel(..., body)", "function* (events) { ... }", body(channel));
  } catch (error) {
    raised = true;
    throw error;
  } finally {
    // A target whose removeEventListener throws: see cleanUp.
    cleanUp(raised, () => channel.close());
  }
}
