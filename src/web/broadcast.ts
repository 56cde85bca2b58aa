/**
 * `openBroadcastChannel`: a `BroadcastChannel` (messages to every other
 * context of the same origin listening on the same name: tabs, iframes,
 * workers) as a send channel and a receive channel, for the length of a
 * block.
 *
 * Why it is built so: receiving is `openEventChannel` on the channel's
 * "message" events (same buffer and overflow options), so the listener
 * goes with the block; sending is `postMessage`, which never blocks. The
 * BroadcastChannel is closed when the block ends, however it ends, so it
 * neither keeps receiving nor keeps a Node process alive.
 */
import { ClosedResourceError, describe } from "../core/errors.js";
import { checkpoint } from "../core/operations.js";
import { RuntimeError } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import type { ReceiveResult } from "../sync/channel.js";
import { forEachReceived, receiveOrEnd } from "../sync/receive-loop.js";
import { bodyOperation, checkBody, checkOptions, cleanUp } from "./target.js";
import { EventChannel, checkChannelOptions, openEventChannel, type EventChannelOptions, type EventChannelStatistics } from "./events.js";

/** The sending side of `openBroadcastChannel`. */
export class BroadcastSendChannel<T> {
  /** @internal */ closedFlag = false;

  /** @internal Use `openBroadcastChannel`. */
  constructor(private readonly channel: BroadcastChannel) {}

  /** The channel's name. */
  get name(): string {
    return this.channel.name;
  }

  /** True once the block has ended (or `close()` was called). */
  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * Posts `message` to the other listeners (not to this one). A
   * checkpoint; cancelled, it posts nothing. The message is copied with
   * the structured clone algorithm: a value that cannot be cloned (a
   * function, a DOM node) raises its DataCloneError here.
   */
  *send(message: T): Operation<void> {
    // The checkpoint first, as the other sends here: a cancelled send has posted nothing.
    yield* checkpoint();
    this.sendNowait(message);
  }

  /** Posts `message` at once; not a checkpoint, usable from plain code. */
  sendNowait(message: T): void {
    if (this.closedFlag) {
      throw new ClosedResourceError(`send() on the BroadcastChannel ${describe(this.channel.name)} after it was closed: open a new one with openBroadcastChannel.`);
    }
    this.channel.postMessage(message);
  }

  /** Closes the BroadcastChannel (both sides); idempotent. */
  close(): void {
    this.closedFlag = true;
    this.channel.close();
  }
}

/** The receiving side of `openBroadcastChannel`: the messages' data, in arrival order. */
export class BroadcastReceiveChannel<T> {
  /** @internal Use `openBroadcastChannel`. */
  constructor(private readonly events: EventChannel<MessageEvent>) {}

  /** The next message's data; a checkpoint. Raises `ClosedResourceError` once closed. */
  *receive(): Operation<T> {
    return (yield* this.events.receive()).data as T;
  }

  /** The next message's data if one is waiting, else raises `WouldBlock`. */
  receiveNowait(): T {
    return this.events.receiveNowait().data as T;
  }

  /** The next message's data as `{ done: false, value }` (the channel ends only by being closed). */
  receiveOrEnd(): Operation<ReceiveResult<T>> {
    return receiveOrEnd(this);
  }

  /** Runs `body` for each message's data until the channel is closed or `body` raises. */
  forEach(body: (message: T) => Operation<unknown>): Operation<void> {
    return forEachReceived(this, body);
  }

  /** Stops receiving (the sending side stays open until the block ends). */
  close(): void {
    this.events.close();
  }

  /** Counters of the buffer (see `openEventChannel`). */
  statistics(): EventChannelStatistics {
    return this.events.statistics();
  }
}

/** Options of `openBroadcastChannel`: the receive buffer, as `openEventChannel`'s. */
export type BroadcastChannelOptions = Pick<EventChannelOptions, "maxBuffer" | "overflow">;

/**
 * Opens the BroadcastChannel `name` for the length of `body`, which gets
 * its two sides. The channel is closed when `body` returns, raises or is
 * cancelled.
 *
 * ```ts
 * yield* openBroadcastChannel<string>("presence", function* (send, receive) {
 *   yield* send.send("hello from this tab");
 *   yield* receive.forEach(function* (message) { show(message); });
 * });
 * ```
 */
export function openBroadcastChannel<T, R = void>(name: string, body: (send: BroadcastSendChannel<T>, receive: BroadcastReceiveChannel<T>) => Operation<R>): Operation<R>;
export function openBroadcastChannel<T, R = void>(
  name: string,
  options: BroadcastChannelOptions,
  body: (send: BroadcastSendChannel<T>, receive: BroadcastReceiveChannel<T>) => Operation<R>,
): Operation<R>;
export function openBroadcastChannel<T, R = void>(
  name: string,
  optionsOrBody: BroadcastChannelOptions | ((send: BroadcastSendChannel<T>, receive: BroadcastReceiveChannel<T>) => Operation<R>),
  maybeBody?: (send: BroadcastSendChannel<T>, receive: BroadcastReceiveChannel<T>) => Operation<R>,
): Operation<R> {
  if (typeof name !== "string") {
    throw new TypeError(`openBroadcastChannel(name, body) needs a channel name (a string), got ${describe(name)}.`);
  }
  // Left out, or passed as undefined: no options.
  const options = typeof optionsOrBody === "function" || optionsOrBody === undefined ? {} : optionsOrBody;
  const body = typeof optionsOrBody === "function" ? optionsOrBody : maybeBody;
  checkOptions("openBroadcastChannel(name, options, body)", options);
  checkChannelOptions(options, "openBroadcastChannel");
  checkBody("openBroadcastChannel(name, body)", "function* (send, receive) { ... }", body);
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  if (typeof Channel !== "function") {
    throw new RuntimeError("openBroadcastChannel() needs BroadcastChannel (browsers, workers, Node 18+); it is missing here.");
  }
  return broadcastBlock(Channel, name, options, body);
}

function* broadcastBlock<T, R>(
  Channel: typeof BroadcastChannel,
  name: string,
  options: BroadcastChannelOptions,
  body: (send: BroadcastSendChannel<T>, receive: BroadcastReceiveChannel<T>) => Operation<R>,
): Operation<R> {
  const channel = new Channel(name);
  const send = new BroadcastSendChannel<T>(channel);
  let raised = false;
  try {
    return yield* openEventChannel<MessageEvent, R>(channel, "message", { maxBuffer: options.maxBuffer, overflow: options.overflow }, function* (events) {
      return yield* bodyOperation<R>("openBroadcastChannel(name, body)", "function* (send, receive) { ... }", body(send, new BroadcastReceiveChannel<T>(events)));
    });
  } catch (error) {
    raised = true;
    throw error;
  } finally {
    // A channel whose close() throws: see cleanUp.
    cleanUp(raised, () => send.close());
  }
}
