/**
 * Channels across a `MessagePort`, with credit-based backpressure: a worker
 * streams results (progress, partial matches) to the page, or the page
 * feeds a worker, and a fast sender can never flood a slow receiver.
 *
 * Why it is built so: `postMessage` never blocks, so backpressure must be
 * agreed between the two ends. The receiver grants the sender `credits`
 * items when it opens, and one more each time it takes an item out; the
 * sender spends one credit per item and parks when it has none. So at most
 * `credits` items are ever in flight or buffered, whatever the speeds.
 * Each end is a block (`receiveFromPort`, `sendToPort`) so the port is
 * closed, and the other end told, on every exit path: a normal end is
 * `EndOfChannel` for the receiver, a failure or cancellation of the sender
 * is `BrokenResourceError` (with the sender's error as its cause), and a
 * receiver that leaves makes the sender's next `send` raise
 * `BrokenResourceError`. Inside, each end reads the port through a memory
 * channel (the host's listener only `sendNowait`s into it), so waiting is
 * the memory channel's own, cancellable, wait.
 *
 * A port whose other side vanished without a word (its worker was
 * terminated) says nothing in every host; run the receiving block in the
 * same nursery as the call that feeds it, and the call's error cancels it.
 *
 * Messages on the port (tagged like the worker protocol):
 *   receiver → sender  credit  grants `n` more items
 *   receiver → sender  close   the receiver has left
 *   sender → receiver  item    one value (spends a credit)
 *   sender → receiver  end     the sender finished normally
 *   sender → receiver  abort   the sender's block failed or was cancelled
 */
import { BrokenResourceError, ClosedResourceError, EndOfChannel, checkReadable, describe, describeError, isInstance, readProperty } from "../core/errors.js";
import { callTaskFunction } from "../core/nursery.js";
import { cancelShieldedCheckpoint, checkpointIfCancelled } from "../core/operations.js";
import { requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { openMemoryChannel, type MemoryReceiveChannel, type ReceiveResult } from "../sync/channel.js";
import { forEachReceived, receiveOrEnd } from "../sync/receive-loop.js";
import { checkTransfer, cloneFailure } from "./endpoint.js";
import { RETURNED, closingAfter } from "./cleanup.js";
import {
  deserializeThrown,
  describeField,
  isOnlyCancelled,
  PROTOCOL_TAG,
  PROTOCOL_VERSION,
  protocolVersionOf,
  readField,
  serializeThrown,
  Unreadable,
  type SerializedThrown,
} from "./protocol.js";

/**
 * The part of a `MessagePort` (browser or `worker_threads`) a port channel
 * uses. The transfer list is a plain array: the DOM's `postMessage(message,
 * transfer: Transferable[])` does not take a readonly (or absent) one, so a
 * readonly optional list here refused the browser's MessagePort.
 */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: never[]): void;
  close(): void;
}

/** Options of `receiveFromPort`. */
export interface PortReceiveOptions {
  /** How many items the sender may send ahead of the receiver (in flight plus buffered). Default 16. */
  credits?: number | undefined;
}

/** Options of one `send` on a port channel. */
export interface PortSendOptions {
  /** Objects to move rather than copy (ArrayBuffers, MessagePorts, ...). */
  transfer?: readonly Transferable[] | undefined;
}

/** What the sender's listener passes on: credit, the receiver's leaving, or a message of its it could not read. */
type Credit = number | "close" | TypeError;

type PortMessage =
  | { kind: "credit"; n: number }
  | { kind: "close" }
  | { kind: "item"; value: unknown }
  | { kind: "end" }
  | { kind: "abort"; error: SerializedThrown };

function post(port: MessagePortLike, body: PortMessage, transfer: readonly Transferable[] = []): void {
  port.postMessage({ [PROTOCOL_TAG]: PROTOCOL_VERSION, ...body }, transfer as never[]);
}

/**
 * Listens on a port of either host; returns the function that stops
 * listening. An event whose `data` cannot be read (a port of the caller's
 * can dispatch anything) goes to `unreadable`, never as a throw to the host.
 */
function listen(what: string, port: unknown, listener: (data: unknown) => void, unreadable: (error: TypeError) => void): () => void {
  const p = port as Record<string, unknown>;
  if (port === null || typeof port !== "object" || typeof readProperty(p, "postMessage") !== "function" || typeof readProperty(p, "close") !== "function") {
    throw new TypeError(`${what} needs a MessagePort (one end of a new MessageChannel(), the other end transferred to the other side), got ${describe(port)}.`);
  }
  const on = readProperty(p, "on");
  const off = readProperty(p, "off");
  if (typeof on === "function" && typeof off === "function") {
    // Node's worker_threads port: "message" listeners get the data, and keep the port referenced.
    const onMessage = (data: unknown) => listener(data);
    return attach(() => on.call(port, "message", onMessage), () => off.call(port, "message", onMessage));
  }
  const add = readProperty(p, "addEventListener");
  const remove = readProperty(p, "removeEventListener");
  if (typeof add !== "function" || typeof remove !== "function") throw new TypeError(`${what} needs a MessagePort, got ${describe(port)}.`);
  const onMessage = (event: MessageEvent) => {
    let data: unknown;
    try {
      data = event.data;
    } catch (error) {
      unreadable(new TypeError(`its message event cannot be read (${describeError(error)})`, { cause: error }));
      return;
    }
    listener(data);
  };
  const start = readProperty(p, "start");
  return attach(
    () => {
      add.call(port, "message", onMessage);
      if (typeof start === "function") start.call(port); // a browser port queues messages until started
    },
    () => remove.call(port, "message", onMessage),
  );
}

/**
 * Runs `on` (adding our listener, and what goes with it); returns `off`. If
 * `on` throws, the listener it may have taken is taken back (`off`, whose
 * own refusal is skipped) before the error goes on: a block that could not
 * open leaves nothing on the port.
 */
function attach(on: () => void, off: () => void): () => void {
  try {
    on();
  } catch (error) {
    try {
      off();
    } catch {
      // it refuses this too: nothing more to do
    }
    throw error;
  }
  return off;
}

function ours(data: unknown): PortMessage | undefined {
  return protocolVersionOf(data) === PROTOCOL_VERSION ? (data as PortMessage) : undefined;
}

/** What the receiver's listener passes on; `unreadable` is a message of ours it could not read. */
type Inbound = { kind: "item"; value: unknown } | { kind: "end" } | { kind: "abort"; error: unknown } | { kind: "unreadable"; error: TypeError };

/** The receiving end of a channel across a port, open for the duration of a `receiveFromPort` block. */
export class PortReceiveChannel<T> {
  private state: "open" | "ended" | "closed" = "open";
  private endError: Error | null = null;
  /** What the port threw when this end granted the sender credit (null: every grant went out). */
  private creditRefused: { readonly error: unknown } | null = null;

  /** @internal */
  constructor(
    private readonly port: MessagePortLike,
    private readonly inbox: MemoryReceiveChannel<Inbound>,
    private readonly label: string,
  ) {}

  /**
   * Waits for the next item and returns it, granting the sender one more
   * credit. Raises `EndOfChannel` once the sender finished and every item
   * was taken, `BrokenResourceError` (its cause is the sender's error) if
   * the sender failed or was cancelled, and `ClosedResourceError` after the
   * block ended. If the port refuses the credit (its postMessage throws),
   * the item is still returned, the items that had arrived are received
   * after it, and then `BrokenResourceError` says why nothing more can
   * come. A checkpoint, as a memory channel's `receive`: a caller already
   * cancelled gets `Cancelled` before any of these and takes nothing;
   * cancellable while it waits.
   */
  *receive(): Operation<T> {
    // Cancelled first, whatever the channel's state (Trio: checkpoint_if_cancelled).
    yield* checkpointIfCancelled();
    if (this.state === "closed") throw new ClosedResourceError(`${this.label}: receive() after its receiveFromPort block ended. Receive inside the block.`);
    if (this.endError !== null) throw this.endError;
    let msg: Inbound;
    const refused = this.creditRefused;
    if (refused === null) {
      msg = yield* this.inbox.receive();
    } else {
      // No credit reaches the sender any more, so nothing more will come: hand out what had arrived, then say why.
      let arrived: Inbound | undefined;
      try {
        arrived = this.inbox.receiveNowait();
      } catch {
        arrived = undefined; // WouldBlock: everything that had arrived was received
      }
      if (arrived === undefined) {
        this.state = "ended";
        this.endError = new BrokenResourceError(
          `${this.label}: the sender could not be granted credit for more items (the port's postMessage threw ${describeError(refused.error)}), so nothing more can be received; the items that had arrived were received. Pass receiveFromPort a MessagePort whose postMessage works.`,
          { cause: refused.error },
        );
        throw this.endError;
      }
      yield* cancelShieldedCheckpoint(); // taken: a cancellation now must not lose it
      msg = arrived;
    }
    if (msg.kind === "item") {
      if (refused === null) {
        try {
          post(this.port, { kind: "credit", n: 1 });
        } catch (error) {
          // The item is taken: it is returned, and the failure raised once what had arrived is received.
          this.creditRefused = { error };
        }
      }
      return msg.value as T;
    }
    this.state = "ended";
    this.endError =
      msg.kind === "end"
        ? new EndOfChannel(`${this.label}: the sender has finished.`)
        : msg.kind === "unreadable"
          ? new BrokenResourceError(`${this.label}: a message from the sender cannot be read (${msg.error.message}), so nothing more can be received. Send with sendToPort of the same trio-asyncio.`, { cause: msg.error })
          : new BrokenResourceError(`${this.label}: the sender's block failed or was cancelled before it finished.`, { cause: msg.error });
    throw this.endError;
  }

  /**
   * `receive()`, with the sender's normal end as a value instead of
   * `EndOfChannel`: `{ done: false, value }`, then `{ done: true }`. Other
   * errors are raised as `receive()` raises them.
   */
  receiveOrEnd(): Operation<ReceiveResult<T>> {
    return receiveOrEnd(this);
  }

  /**
   * Runs `body` (a generator function) for each item, one at a time, until
   * the sender finishes; raises what `receive()` raises otherwise.
   */
  forEach(body: (value: T) => Operation<unknown>): Operation<void> {
    return forEachReceived(this, body);
  }

  /** @internal */
  markClosed(): void {
    this.state = "closed";
  }

  toString(): string {
    return `<${this.label}>`;
  }
}

/** The sending end of a channel across a port, open for the duration of a `sendToPort` block. */
export class PortSendChannel<T> {
  private available = 0;
  private state: "open" | "broken" | "closed" = "open";
  /** Why the channel broke when the receiver sent what cannot be read (null: the receiver left). */
  private brokenBy: TypeError | null = null;

  /** @internal */
  constructor(
    private readonly port: MessagePortLike,
    private readonly credits: MemoryReceiveChannel<Credit>,
    private readonly label: string,
  ) {}

  /** Credits left: items this end may send before it must wait for the receiver. */
  get creditsLeft(): number {
    return this.available;
  }

  /**
   * Sends `value` (structured-cloned; `options.transfer` is moved). Waits,
   * cancellably, while the receiver's credits are used up. Raises
   * `BrokenResourceError` once the receiver has left, `ClosedResourceError`
   * after the block ended, and a `TypeError` naming the fix for a value
   * that cannot be cloned (nothing sent, no credit spent). A checkpoint, as
   * a memory channel's `send`: a caller already cancelled gets `Cancelled`
   * before any of these errors and sends nothing; one cancelled while it
   * waits for credit sends nothing either.
   */
  *send(value: T, options?: PortSendOptions): Operation<void> {
    // Options are checked first, so a mistake raises where it was written.
    const what = `${this.label}.send(value, options)`;
    const transfer = checkTransfer(what, options);
    // Then Cancelled, whatever the channel's state (Trio: checkpoint_if_cancelled).
    yield* checkpointIfCancelled();
    this.drainCredits();
    this.check();
    if (this.available > 0) {
      this.postItem(value, transfer, what);
      // Sent without waiting: still a schedule point, shielded so the item that went is not reported lost.
      yield* cancelShieldedCheckpoint();
      return;
    }
    while (this.available === 0) {
      this.take(yield* this.credits.receive());
      this.check();
    }
    this.postItem(value, transfer, what);
  }

  /** Posts one item, spending a credit; raises (nothing sent, no credit spent) if the port refuses it. */
  private postItem(value: T, transfer: readonly unknown[], what: string): void {
    try {
      post(this.port, { kind: "item", value }, transfer as readonly Transferable[]);
    } catch (error) {
      const failure = cloneFailure(error);
      if (failure === undefined && transfer.length > 0 && clones(value)) {
        throw new TypeError(`${what}: options.transfer cannot be used (${describeError(error)}). List only objects that can be moved (ArrayBuffers, MessagePorts, ...), each once. Nothing was sent.`, { cause: error });
      }
      if (failure === undefined) throw error;
      throw new TypeError(`${this.label}.send(${describe(value)}): the value cannot be sent across the port (${failure}). Send plain data, and list buffers to move in { transfer: [...] }. Nothing was sent.`, { cause: error });
    }
    this.available--;
    // Take credits (and the receiver's leaving) already here without waiting: a checkpoint's work.
    this.drainCredits();
  }

  private drainCredits(): void {
    for (;;) {
      let credit: Credit;
      try {
        credit = this.credits.receiveNowait();
      } catch {
        return; // WouldBlock: nothing waiting
      }
      this.take(credit);
    }
  }

  private take(credit: Credit): void {
    if (typeof credit === "number") {
      this.available += credit;
    } else if (this.state === "open") {
      this.state = "broken";
      if (credit !== "close") this.brokenBy = credit;
    }
  }

  private check(): void {
    if (this.state === "closed") throw new ClosedResourceError(`${this.label}: send() after its sendToPort block ended. Send inside the block.`);
    if (this.state === "broken" && this.brokenBy !== null) {
      throw new BrokenResourceError(`${this.label}: a message from the receiver cannot be read (${this.brokenBy.message}), so nothing more can be sent. Receive with receiveFromPort of the same trio-asyncio.`, { cause: this.brokenBy });
    }
    if (this.state === "broken") throw new BrokenResourceError(`${this.label}: the receiver has left (its receiveFromPort block ended), so nothing more can be sent.`);
  }

  /** @internal */
  markClosed(): void {
    this.state = "closed";
  }

  toString(): string {
    return `<${this.label}>`;
  }
}

/** Whether `value` alone can be cloned (so a failed post was the transfer list's fault). */
function clones(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

let nextChannelNumber = 1;

function checkCredits(what: string, credits: unknown): number {
  if (credits === undefined) return 16;
  if (typeof credits !== "number" || !Number.isInteger(credits) || credits < 1) {
    throw new TypeError(`${what}: options.credits must be a whole number of items >= 1 (how far the sender may run ahead), got ${describe(credits)}.`);
  }
  return credits;
}

/**
 * Receives items sent with `sendToPort` on the other end of `port`, for the
 * duration of `body(channel)`, and returns what `body` returns. The sender
 * may run `options.credits` items ahead (default 16), then waits for this
 * end to take them. When the block ends, on any path, the sender is told
 * (its next `send` raises `BrokenResourceError`) and the port is closed.
 *
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * yield* openNursery(function* (nursery) {
 *   nursery.startSoon(() => worker.call("search", [query, port2], { transfer: [port2] }));
 *   yield* receiveFromPort<Match>(port1, function* (matches) {
 *     yield* matches.forEach(function* (match) {
 *       show(match);
 *     }); // until the sender finishes
 *   });
 * });
 * ```
 */
export function* receiveFromPort<T, R = void>(
  port: MessagePortLike,
  body: (channel: PortReceiveChannel<T>) => Operation<R>,
  options: PortReceiveOptions = {},
): Operation<R> {
  const what = "receiveFromPort(port, body)";
  requireTask(what);
  if (typeof body !== "function") throw new TypeError(`${what} needs a generator function as body (function* (channel) { ... }), got ${describe(body)}.`);
  if (options === null || typeof options !== "object") throw new TypeError(`${what}: options must be an object, got ${describe(options)}.`);
  checkReadable(what, options);
  const credits = checkCredits(what, options.credits);
  const [inboxSend, inbox] = openMemoryChannel<Inbound>(Infinity);
  const stop = listen(what, port, (data) => {
    // Read totally: a port of the caller's can deliver anything, and nothing may throw into the host's listener.
    const msg = ours(data);
    if (msg === undefined || inboxSend.closed) return;
    const kind = readProperty(msg, "kind");
    if (kind === "item") {
      const value = readField(msg, "value");
      inboxSend.sendNowait(isInstance(value, Unreadable) ? { kind: "unreadable", error: new TypeError(`its item's value ${describeField(value)}`, { cause: value.error }) } : { kind: "item", value });
    } else if (kind === "end") inboxSend.sendNowait({ kind: "end" });
    else if (kind === "abort") inboxSend.sendNowait({ kind: "abort", error: deserializeThrown(readProperty(msg, "error") as SerializedThrown) });
  }, (error) => {
    if (!inboxSend.closed) inboxSend.sendNowait({ kind: "unreadable", error });
  });
  const label = `port channel #${nextChannelNumber++} (receiving)`;
  const channel = new PortReceiveChannel<T>(port, inbox, label);
  /** Ends this side on every path; returns what the port refused (our listener's removal, close()). */
  const close = (): unknown[] => {
    channel.markClosed();
    inboxSend.close();
    inbox.close();
    return closePort(port, stop, { kind: "close" });
  };
  return yield* closingAfter(
    label,
    function* () {
      post(port, { kind: "credit", n: credits });
      return yield* callTaskFunction(what, body, [channel]);
    },
    // A generator with nothing to wait for: closing a port does not block.
    function* () {
      return close();
    },
  );
}

/**
 * Stops listening on `port`, tells the other end `last` and closes the port,
 * each step whatever the one before did; returns the errors of the steps the
 * port refused (a post to a closed port is no error: the other end has gone).
 */
function closePort(port: MessagePortLike, stop: () => void, last: PortMessage): unknown[] {
  const errors: unknown[] = [];
  try {
    stop();
  } catch (error) {
    errors.push(error);
  }
  try {
    post(port, last);
  } catch {
    // the port is already closed: the other end has gone
  }
  try {
    port.close();
  } catch (error) {
    errors.push(error);
  }
  return errors;
}

/**
 * Sends items to a `receiveFromPort` block on the other end of `port`, for
 * the duration of `body(channel)`, and returns what `body` returns. `send`
 * waits while the receiver's credits are used up. When the block ends the
 * receiver is told (normally: `EndOfChannel` after the last item; by an
 * error or cancellation: `BrokenResourceError` with the error as cause)
 * and the port is closed.
 *
 * ```ts
 * // in a worker operation
 * *search(query: string, port: MessagePort) {
 *   yield* sendToPort<Match>(port, function* (out) {
 *     for (const m of matchesOf(query)) yield* out.send(m);
 *   });
 * }
 * ```
 */
export function* sendToPort<T, R = void>(port: MessagePortLike, body: (channel: PortSendChannel<T>) => Operation<R>): Operation<R> {
  const what = "sendToPort(port, body)";
  requireTask(what);
  if (typeof body !== "function") throw new TypeError(`${what} needs a generator function as body (function* (channel) { ... }), got ${describe(body)}.`);
  const [creditSend, creditReceive] = openMemoryChannel<Credit>(Infinity);
  const stop = listen(what, port, (data) => {
    // Read totally: a port of the caller's can deliver anything, and nothing may throw into the host's listener.
    const msg = ours(data);
    if (msg === undefined || creditSend.closed) return;
    const kind = readProperty(msg, "kind");
    if (kind === "credit") {
      const n = readField(msg, "n");
      // Credit that is no whole number would leave the sender waiting forever, or never waiting.
      if (typeof n === "number" && Number.isSafeInteger(n) && n > 0) creditSend.sendNowait(n);
      else creditSend.sendNowait(new TypeError(`its credit ${describeField(n)}, not a whole number of items >= 1`));
    } else if (kind === "close") creditSend.sendNowait("close");
  }, (error) => {
    if (!creditSend.closed) creditSend.sendNowait(error);
  });
  const label = `port channel #${nextChannelNumber++} (sending)`;
  const channel = new PortSendChannel<T>(port, creditReceive, label);
  /** Ends this side on every path, telling the receiver how; returns what the port refused. */
  const close = (last: PortMessage): unknown[] => {
    channel.markClosed();
    creditSend.close();
    creditReceive.close();
    return closePort(port, stop, last);
  };
  return yield* closingAfter(
    label,
    () => callTaskFunction(what, body, [channel]),
    // The receiver hears "end" after a normal end, "abort" with the error otherwise.
    function* (raised) {
      return close(raised === RETURNED ? { kind: "end" } : { kind: "abort", error: serializeThrown(isOnlyCancelled(raised) ? new Error("the sender was cancelled") : raised) });
    },
  );
}
