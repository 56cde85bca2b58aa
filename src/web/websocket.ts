/**
 * `openWebSocket`: a WebSocket as a two-way message channel for the length
 * of a block.
 *
 * Why it is built so:
 * - A block, like `openEventChannel`: leaving it (return, error,
 *   cancellation) closes the socket and removes every listener, so no
 *   socket outlives its scope. The body runs only once the socket is open;
 *   cancelling the wait for `open` closes the connecting socket.
 * - The listeners are host code and never wait: messages go into a memory
 *   channel (with `openEventChannel`'s `maxBuffer`/`overflow` policy, since
 *   the browser's WebSocket cannot be paused), and the task side waits on
 *   the channel. The close event ends the channel, so the messages that came
 *   before it are still received, then the close is raised.
 * - Sending pushes back on `bufferedAmount`: `send` waits (polling, as the
 *   browser has no event for it) while more than `highWaterMark` bytes are
 *   queued, so a fast producer cannot fill the browser's memory.
 * - A close by the peer is an error carrying its code, reason and
 *   `wasClean`: a normal close (1000) ends the channel (`EndOfChannel`), any
 *   other is a `WebSocketClosedError` (a `BrokenResourceError`, as Trio
 *   reports a broken transport).
 * - The WebSocket class can be injected (`{ WebSocket }`), for hosts that
 *   lack it (Node 20) and for tests.
 */
import { BrokenResourceError, Cancelled, ClosedResourceError, EndOfChannel, describe, isArrayValue, isInstance, messageOf } from "../core/errors.js";
import { checkpoint, sleep } from "../core/operations.js";
import { RuntimeError, requireTask } from "../core/state.js";
import type { Task } from "../core/task.js";
import type { Operation } from "../core/traps.js";
import { openMemoryChannel, type MemoryReceiveChannel, type MemorySendChannel, type ReceiveResult } from "../sync/channel.js";
import { forEachReceived, receiveOrEnd } from "../sync/receive-loop.js";
import { checkChannelOptions, type EventOverflow } from "./events.js";
import { bodyOperation, checkBody, checkOptions, cleanUp, hasMethods, waitHostCallback } from "./target.js";

/** What a message is received as: text, or bytes for a binary message. */
export type WebSocketMessage = string | Uint8Array;

/**
 * What `openWebSocket` reads from a WebSocket's events: a DOM `Event`,
 * `MessageEvent` or `CloseEvent`, or the `ws` package's look-alikes.
 */
export interface WebSocketEventLike {
  readonly type: string;
  /** A message's data. */
  readonly data?: unknown;
  /** A close's code, reason and cleanliness. */
  readonly code?: number | undefined;
  readonly reason?: string | undefined;
  readonly wasClean?: boolean | undefined;
  /** An error event's text (the `ws` package's). */
  readonly message?: string | undefined;
  readonly error?: unknown;
}

/** The events `openWebSocket` listens to. */
export type WebSocketEventType = "open" | "message" | "error" | "close";

/**
 * The part of a WebSocket object `openWebSocket` uses: the browser's
 * `WebSocket`, Node 22's, the `ws` package's, or a test double.
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  readonly extensions: string;
  binaryType: string;
  // Not `ArrayBufferView<ArrayBuffer>`: that generic needs TypeScript 5.7's lib, and consumers may be older.
  send(data: string | ArrayBuffer | (ArrayBufferView & { buffer: ArrayBuffer })): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: WebSocketEventType, listener: (event: WebSocketEventLike) => void): void;
  removeEventListener(type: WebSocketEventType, listener: (event: WebSocketEventLike) => void): void;
}

/** A WebSocket class: `new WebSocket(url, protocols)`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of `openWebSocket`. */
export interface OpenWebSocketOptions {
  /** Subprotocols to offer (`new WebSocket(url, protocols)`); the one chosen is `connection.protocol`. */
  protocols?: string | string[] | undefined;
  /** The WebSocket class to use (default: the global `WebSocket`); pass `ws`'s in Node 20, or a test double. */
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * How many received messages may wait for a receiver (default
   * `Infinity`). The browser cannot be told to stop reading a WebSocket, so
   * what happens past this is `overflow`'s choice.
   */
  maxBuffer?: number | undefined;
  /**
   * What happens to a message that finds `maxBuffer` messages waiting:
   * `"block"` (the default) keeps it anyway (memory grows while the
   * receiver lags), `"drop-oldest"` drops the oldest waiting message,
   * `"drop-newest"` drops the new one. `statistics().overflowed` counts them.
   */
  overflow?: EventOverflow | undefined;
  /** `send` waits while more than this many bytes are queued in the socket (`bufferedAmount`); default 1 MiB. */
  highWaterMark?: number | undefined;
  /** Seconds between two looks at `bufferedAmount` while `send` waits for it to drain; default 0.01. */
  drainInterval?: number | undefined;
}

/** How a WebSocket closed: the close frame's code and reason, and whether the closing handshake completed. */
export interface WebSocketCloseInfo {
  /** The close code (1000 normal, 1006 when the connection dropped without a close frame). */
  readonly code: number;
  /** The close frame's reason text ("" when none). */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** Who started the close: `"peer"` (the server, or the network dropping), or `"us"` (`close()`, or the block ending). */
  readonly by: "peer" | "us";
}

/** Counters of a `WebSocketConnection`. */
export interface WebSocketStatistics {
  /** Received messages waiting for a receiver. */
  readonly buffered: number;
  /** Received messages that found the buffer full (dropped, or kept past it under `"block"`). */
  readonly overflowed: number;
  /** Tasks blocked in `receive`. */
  readonly tasksWaitingReceive: number;
  /** Bytes queued in the socket, not yet sent (the socket's `bufferedAmount`). */
  readonly bufferedAmount: number;
  /** Messages received. */
  readonly received: number;
  /** Messages sent. */
  readonly sent: number;
  /** Whether the listeners are still on the socket. */
  readonly listening: boolean;
}

const CODE_MEANINGS: Readonly<Record<number, string>> = {
  1000: "normal closure",
  1001: "going away",
  1002: "protocol error",
  1003: "unsupported data",
  1005: "no status code",
  1006: "abnormal closure: the connection dropped without a close frame",
  1007: "invalid payload data",
  1008: "policy violation",
  1009: "message too big",
  1010: "missing extension",
  1011: "internal server error",
  1012: "service restart",
  1013: "try again later",
  1014: "bad gateway",
  1015: "TLS handshake failure",
};

function describeClose(code: number, reason: string, wasClean: boolean): string {
  const meaning = CODE_MEANINGS[code];
  return `code ${code}${meaning === undefined ? "" : ` (${meaning})`}, reason ${JSON.stringify(reason)}, wasClean ${wasClean}`;
}

/**
 * A WebSocket that closed abnormally, or could not be opened: the close's
 * `code`, `reason` and `wasClean` are on the error. A `BrokenResourceError`,
 * as Trio reports a transport that broke under it.
 */
export class WebSocketClosedError extends BrokenResourceError {
  /** @internal Its name, kept when an app's minifier renames the class. */
  static override readonly errorName: string = "WebSocketClosedError";

  /** The close frame's code (1006 when the connection dropped without one). */
  readonly code: number;
  /** The close frame's reason ("" if none). */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** The socket's URL. */
  readonly url: string;

  /** @internal Raised by `openWebSocket`'s operations. */
  constructor(message: string, url: string, code: number, reason: string, wasClean: boolean) {
    super(message);
    this.url = url;
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
  }
}

const CONNECTING = 0;
const OPEN = 1;

const DEFAULT_HIGH_WATER_MARK = 1 << 20;
const DEFAULT_DRAIN_INTERVAL = 0.01;
const MAX_REASON_BYTES = 123;

/**
 * An open WebSocket, as `openWebSocket` hands it to its block: send with
 * `send`, receive with `receive`/`forEach`, close with `close`/`aclose`.
 */
export class WebSocketConnection {
  private readonly messagesIn: MemorySendChannel<WebSocketMessage>;
  private readonly messages: MemoryReceiveChannel<WebSocketMessage>;
  private overflowedCount = 0;
  private receivedCount = 0;
  private sentCount = 0;
  private listening = true;
  private info: WebSocketCloseInfo | null = null;
  private closing: { code: number; reason: string } | null = null;
  private errorText = "";
  /** A removeEventListener error from the close event, raised at the block's end (see cleanUp). */
  private removeError: { error: unknown } | null = null;
  /** @internal How the task waiting for `open` (or for the close, in `aclose`) is answered. */
  private waiter: { answer: (value: unknown, throws?: boolean) => void; forOpen: boolean } | null = null;
  private readonly onEvent = (event: WebSocketEventLike) => this.handle(event);
  /**
   * Messages that came while a Blob before them is read (a socket that
   * ignored binaryType): handed over in order once it has been; null when
   * none is being read.
   */
  private backlog: { data: unknown; ready: boolean; error?: TypeError }[] | null = null;
  /** The close came while the backlog was read: the channel ends after it. */
  private endAfterBacklog = false;
  /** A message that could not be taken: raised by `receive` after the messages before it. */
  private failure: TypeError | null = null;

  /** @internal Use `openWebSocket`. */
  constructor(
    private readonly socket: WebSocketLike,
    /** The URL the socket was opened with. */ readonly url: string,
    private readonly maxBuffer: number,
    private readonly overflow: EventOverflow,
    private readonly highWaterMark: number,
    private readonly drainInterval: number,
  ) {
    [this.messagesIn, this.messages] = openMemoryChannel<WebSocketMessage>(Infinity);
    let added = 0;
    try {
      socket.binaryType = "arraybuffer";
      for (const type of EVENT_TYPES) {
        socket.addEventListener(type, this.onEvent);
        added++;
      }
    } catch (error) {
      // A socket that cannot be set up is not used: the listeners it took go (the one whose add
      // threw too: it may have been added first), and it is closed. The first failure is the one reported.
      this.listening = false;
      removeListeners(socket, EVENT_TYPES.slice(0, added + 1), this.onEvent);
      try {
        socket.close();
      } catch {
        // See above.
      }
      throw error;
    }
  }

  /** The subprotocol the server chose ("" if none). */
  get protocol(): string {
    return this.socket.protocol;
  }

  /** The extensions the server chose ("" if none). */
  get extensions(): string {
    return this.socket.extensions;
  }

  /** Bytes queued in the socket, not yet sent. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** How the socket closed, once it has (`null` while open or closing). */
  get closeInfo(): WebSocketCloseInfo | null {
    return this.info;
  }

  /** @internal True once `close()` was called or the block ended (not when only the peer closed). */
  get closedOnThisSide(): boolean {
    return this.closing !== null;
  }

  /** True once `close()` was called, the block ended, or the peer closed. */
  get closed(): boolean {
    return this.closing !== null || this.info !== null;
  }

  /**
   * Sends a text or binary message, once the socket's queue has room: while
   * more than `highWaterMark` bytes wait to be sent, it waits for them to
   * drain, so a slow network slows the task down. A checkpoint; a
   * cancelled `send` has sent nothing. Raises `ClosedResourceError` after
   * `close()`, and the close's error (`WebSocketClosedError`, or
   * `BrokenResourceError` after a normal close) once the peer has closed.
   */
  *send(data: WebSocketMessage | ArrayBuffer | ArrayBufferView): Operation<void> {
    checkSendData(data);
    yield* checkpoint();
    yield* this.drain("send()");
    this.sendNow("send()", data);
  }

  /** Sends a message at once, however much is queued. Not a checkpoint; usable from plain code. */
  sendNowait(data: WebSocketMessage | ArrayBuffer | ArrayBufferView): void {
    checkSendData(data);
    this.sendNow("sendNowait()", data);
  }

  /** Waits until at most `highWaterMark` bytes are queued in the socket (what `send` waits for). */
  *waitSendAllMightNotBlock(): Operation<void> {
    yield* checkpoint();
    yield* this.drain("waitSendAllMightNotBlock()");
  }

  /**
   * The next message, waiting for one. A checkpoint. The messages received
   * before the socket closed come first; then a normal close (code 1000 by
   * the peer) raises `EndOfChannel`, any other close `WebSocketClosedError`,
   * and a close on this side `ClosedResourceError`. Binary messages are
   * bytes even from a socket that ignored `binaryType` (its Blobs are read,
   * in order); a message that is neither text, bytes nor a Blob raises a
   * `TypeError` once the messages before it are taken.
   */
  *receive(): Operation<WebSocketMessage> {
    if (this.closing !== null) throw this.closedHere("receive()");
    try {
      return yield* this.messages.receive();
    } catch (error) {
      if (error instanceof EndOfChannel) throw this.endError();
      if (error instanceof ClosedResourceError && this.closing !== null) throw this.closedHere("receive()");
      throw error;
    }
  }

  /** The next message if one is waiting, else raises `WouldBlock` (or the close's error). Not a checkpoint. */
  receiveNowait(): WebSocketMessage {
    if (this.closing !== null) throw this.closedHere("receiveNowait()");
    try {
      return this.messages.receiveNowait();
    } catch (error) {
      if (error instanceof EndOfChannel) throw this.endError();
      throw error;
    }
  }

  /** The next message as `{ done: false, value }`, or `{ done: true }` after a normal close by the peer. */
  receiveOrEnd(): Operation<ReceiveResult<WebSocketMessage>> {
    return receiveOrEnd(this);
  }

  /** Runs `body` for each message until the peer closes normally (then returns) or abnormally (then raises). */
  forEach(body: (message: WebSocketMessage) => Operation<unknown>): Operation<void> {
    return forEachReceived(this, body);
  }

  /**
   * Starts the closing handshake with `code` (1000, or 3000 to 4999) and
   * `reason` (at most 123 bytes of UTF-8); idempotent. Messages not yet
   * received are dropped; a task blocked in `receive` gets
   * `ClosedResourceError`. Use `aclose` to wait for the handshake.
   */
  close(code = 1000, reason = ""): void {
    checkCloseArgs(code, reason);
    this.closeSocket(code, reason);
    this.messages.close();
  }

  /**
   * `close(code, reason)`, then waits until the socket has closed (the
   * server answered the close frame, or the connection dropped), and
   * returns how it closed. Cancellable: the socket keeps closing on its own.
   */
  *aclose(code = 1000, reason = ""): Operation<WebSocketCloseInfo> {
    this.close(code, reason);
    const task = requireTask("aclose()");
    if (this.info === null && this.listening) {
      yield* waitHostCallback<void>(task, this.socket, (answer) => {
        this.waiter = { answer, forOpen: false };
        return () => (this.waiter = null);
      });
    } else {
      yield* checkpoint();
    }
    return this.info ?? { code, reason, wasClean: false, by: "us" };
  }

  /** Counters for tools and tests. */
  statistics(): WebSocketStatistics {
    const s = this.messages.statistics();
    return {
      buffered: s.currentBufferUsed,
      overflowed: this.overflowedCount,
      tasksWaitingReceive: s.tasksWaitingReceive,
      bufferedAmount: this.socket.bufferedAmount,
      received: this.receivedCount,
      sent: this.sentCount,
      listening: this.listening,
    };
  }

  toString(): string {
    return `<WebSocketConnection ${this.url}${this.info !== null ? " closed" : this.closing !== null ? " closing" : ""}>`;
  }

  /** @internal Waits for the `open` event (or raises the close that came instead). */
  *waitOpen(task: Task): Operation<void> {
    if (this.info !== null) throw this.openFailed();
    if (this.socket.readyState === OPEN) return;
    yield* waitHostCallback<void>(task, this.socket, (answer) => {
      this.waiter = { answer, forOpen: true };
      return () => (this.waiter = null);
    });
  }

  /** @internal Leaving the block: close the socket if still open or connecting, drop the listeners and the messages. */
  shutdown(reason: string): void {
    // A socket whose close() throws still loses our listeners, and the channels still close.
    try {
      this.closeSocket(1000, reason);
    } finally {
      try {
        this.stopListening();
      } finally {
        this.messages.close();
        this.messagesIn.close();
      }
    }
  }

  private handle(event: WebSocketEventLike): void {
    if (!this.listening) return;
    switch (event.type) {
      case "message":
        this.onMessage(event.data);
        break;
      case "open": {
        const waiter = this.waiter;
        if (waiter?.forOpen === true) waiter.answer(undefined);
        break;
      }
      case "error":
        // Always followed by a close event, which decides; kept for its message.
        this.errorText = readErrorText(event);
        break;
      case "close":
        this.onClose(event);
        break;
    }
  }

  private onMessage(data: unknown): void {
    if (this.closing !== null || this.failure !== null) return;
    this.receivedCount++;
    const blob = isBlob(data);
    if (!blob && this.backlog === null) return this.take(data);
    const entry: { data: unknown; ready: boolean; error?: TypeError } = { data, ready: !blob };
    (this.backlog ??= []).push(entry);
    if (!blob) return;
    // Only the first answer counts (a stand-in's arrayBuffer may answer twice).
    const done = (value: unknown) => {
      if (entry.ready) return;
      entry.data = value;
      entry.ready = true;
      this.flushBacklog();
    };
    const failed = (error: unknown) => {
      if (entry.ready) return;
      entry.error = new TypeError(`The WebSocket to ${this.url} delivered a Blob whose bytes could not be read (${messageOf(error)}): its socket ignored binaryType = "arraybuffer".`, { cause: error });
      done(undefined);
    };
    try {
      (data as Blob).arrayBuffer().then(done, failed);
    } catch (error) {
      failed(error);
    }
  }

  /** Ends the channel with `error`, raised by `receive` once the messages before it are taken. */
  private fail(error: TypeError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.backlog = null;
    this.messagesIn.close();
  }

  /** Hands over the backlog's messages that are ready, in order; ends the channel after it if the close came meanwhile. */
  private flushBacklog(): void {
    const backlog = this.backlog;
    // The block ended, or we closed: what was being read goes nowhere.
    if (backlog === null || this.closing !== null) return;
    while (backlog.length > 0 && backlog[0]!.ready) {
      const entry = backlog.shift()!;
      if (entry.error === undefined) this.take(entry.data);
      else this.fail(entry.error);
    }
    if (backlog.length > 0 || this.backlog !== backlog) return;
    this.backlog = null;
    if (this.endAfterBacklog) this.messagesIn.close();
  }

  /** One message in order: into the buffer (as its policy says), or the failure that ends the channel. */
  private take(data: unknown): void {
    if (this.failure !== null) return;
    const message = toMessage(data);
    if (message === null) {
      return this.fail(
        new TypeError(
          `The WebSocket to ${this.url} delivered a message that is neither text nor bytes (${describe(data)}): its socket ignored binaryType = "arraybuffer". Use a WebSocket class that honours binaryType, as the platform's and the ws package's do.`,
        ),
      );
    }
    const s = this.messages.statistics();
    if (s.currentBufferUsed >= this.maxBuffer && s.tasksWaitingReceive === 0) {
      this.overflowedCount++;
      if (this.overflow === "drop-newest") return;
      if (this.overflow === "drop-oldest") {
        if (s.currentBufferUsed === 0) return;
        this.messages.receiveNowait();
      }
    }
    this.messagesIn.sendNowait(message);
  }

  private onClose(event: WebSocketEventLike): void {
    const code = typeof event.code === "number" ? event.code : 1006;
    const reason = typeof event.reason === "string" ? event.reason : "";
    this.info = { code, reason, wasClean: event.wasClean === true, by: this.closing === null ? "peer" : "us" };
    try {
      this.stopListening();
    } catch (error) {
      // Thrown in the dispatch it would be lost and the waiters never woken: kept for the block's end.
      this.removeError = { error };
    }
    // The messages already received stay receivable (those behind a Blob once it is read); then the channel ends.
    if (this.backlog === null) this.messagesIn.close();
    else this.endAfterBacklog = true;
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter === null) return;
    if (waiter.forOpen) waiter.answer(this.openFailed(), true);
    else waiter.answer(undefined);
  }

  /** Removes every listener, even past one whose removal throws; then throws the first error (or the one kept from the close event). */
  private stopListening(): void {
    const kept = this.removeError;
    this.removeError = null;
    if (kept !== null) throw kept.error;
    if (!this.listening) return;
    this.listening = false;
    const failed = removeListeners(this.socket, EVENT_TYPES, this.onEvent);
    if (failed !== null) throw failed.error;
  }

  private closeSocket(code: number, reason: string): void {
    if (this.closing !== null) return;
    this.closing = { code, reason };
    const state = this.socket.readyState;
    if (state === CONNECTING || state === OPEN) this.socket.close(code, reason);
  }

  private *drain(what: string): Operation<void> {
    for (;;) {
      this.checkSendable(what);
      // Negated: a socket with no numeric bufferedAmount (a minimal stand-in) cannot say it is
      // full, so send goes on rather than poll for ever.
      if (!(this.socket.bufferedAmount > this.highWaterMark)) return;
      yield* sleep(this.drainInterval);
    }
  }

  private sendNow(what: string, data: WebSocketMessage | ArrayBuffer | ArrayBufferView): void {
    this.checkSendable(what);
    // A view over a SharedArrayBuffer is sent as the browser sends it (or refuses it).
    this.socket.send(data as string | ArrayBuffer | (ArrayBufferView & { buffer: ArrayBuffer }));
    this.sentCount++;
  }

  private checkSendable(what: string): void {
    if (this.closing !== null) throw this.closedHere(what);
    if (this.info !== null) {
      const error = this.endError();
      if (error instanceof EndOfChannel) {
        throw new BrokenResourceError(`${what} on a WebSocket the server closed (${describeClose(this.info.code, this.info.reason, this.info.wasClean)}): open a new one.`);
      }
      throw error;
    }
  }

  private closedHere(what: string): ClosedResourceError {
    return new ClosedResourceError(`${what} on a WebSocket that was closed on this side (close(), or its block ended): open a new one with openWebSocket.`);
  }

  /** What ends the receiving once the peer has closed. */
  private endError(): Error {
    if (this.failure !== null) return this.failure;
    const info = this.info!;
    if (info.by === "us") return this.closedHere("receive()");
    if (info.code === 1000 && info.wasClean) {
      return new EndOfChannel(`The server closed the WebSocket to ${this.url} normally (${describeClose(info.code, info.reason, info.wasClean)}).`);
    }
    return new WebSocketClosedError(
      `The WebSocket to ${this.url} was closed by the server or the network: ${describeClose(info.code, info.reason, info.wasClean)}${this.errorSuffix()}.`,
      this.url,
      info.code,
      info.reason,
      info.wasClean,
    );
  }

  private openFailed(): WebSocketClosedError {
    const info = this.info!;
    return new WebSocketClosedError(
      `Could not open the WebSocket to ${this.url}: it closed while connecting, ${describeClose(info.code, info.reason, info.wasClean)}${this.errorSuffix()}. ` +
        `Check the URL, that the server accepts WebSocket upgrades there, and the subprotocols offered.`,
      this.url,
      info.code,
      info.reason,
      info.wasClean,
    );
  }

  private errorSuffix(): string {
    return this.errorText === "" ? "" : ` (error event: ${this.errorText})`;
  }
}

const EVENT_TYPES = ["open", "message", "error", "close"] as const;

/** Removes `listener` for each of `types`, going on past a removal that throws; returns the first such failure. */
function removeListeners(socket: WebSocketLike, types: readonly (typeof EVENT_TYPES)[number][], listener: (event: WebSocketEventLike) => void): { error: unknown } | null {
  let failed: { error: unknown } | null = null;
  for (const type of types) {
    try {
      socket.removeEventListener(type, listener);
    } catch (error) {
      failed ??= { error };
    }
  }
  return failed;
}

function readErrorText(event: WebSocketEventLike): string {
  if (typeof event.message === "string" && event.message !== "") return event.message;
  if (event.error instanceof Error) return event.error.message;
  return "error";
}

/** A message's data as text or bytes; null for anything else (a socket that ignored binaryType). */
function toMessage(data: unknown): WebSocketMessage | null {
  if (typeof data === "string") return data;
  // isInstance, total: a revoked Proxy is neither (ArrayBuffer.isView never throws).
  if (isInstance(data, ArrayBuffer)) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** A Blob, as a socket left with binaryType "blob" (or ignoring it) delivers binary messages. */
function isBlob(data: unknown): data is Blob {
  return typeof Blob === "function" && isInstance(data, Blob);
}

function checkSendData(data: unknown): void {
  // isInstance, total: a revoked Proxy is no ArrayBuffer (ArrayBuffer.isView never throws).
  if (typeof data === "string" || isInstance(data, ArrayBuffer) || ArrayBuffer.isView(data)) return;
  if (data !== null && typeof data === "object") {
    throw new TypeError(`send(data) sends a string (a text message) or bytes (a Uint8Array, ArrayBuffer or other ArrayBufferView: a binary message), got ${describe(data)}. For an object, send JSON.stringify(value).`);
  }
  throw new TypeError(`send(data) sends a string (a text message) or bytes (a Uint8Array, ArrayBuffer or other ArrayBufferView: a binary message), got ${describe(data)}.`);
}

function checkCloseArgs(code: unknown, reason: unknown): void {
  if (typeof code !== "number" || !Number.isInteger(code) || (code !== 1000 && (code < 3000 || code > 4999))) {
    throw new RangeError(`close(code, reason): code must be 1000 (normal closure) or an application code from 3000 to 4999, got ${describe(code)}.`);
  }
  if (typeof reason !== "string") {
    throw new TypeError(`close(code, reason): reason must be a string, got ${describe(reason)}.`);
  }
  if (new TextEncoder().encode(reason).length > MAX_REASON_BYTES) {
    throw new RangeError(`close(code, reason): reason must be at most ${MAX_REASON_BYTES} bytes of UTF-8, got ${new TextEncoder().encode(reason).length}.`);
  }
}

function urlText(url: URL): string | undefined {
  try {
    return String(url);
  } catch {
    return undefined;
  }
}

function checkPositive(caller: string, what: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || value === Infinity) {
    throw new RangeError(`${caller}'s ${what} must be a positive finite number, got ${describe(value)}.`);
  }
  return value;
}

function checkProtocols(caller: string, protocols: unknown): void {
  if (protocols === undefined || typeof protocols === "string") return;
  // isArrayValue, total: a revoked Proxy is no array (Array.isArray throws for it).
  if (isArrayValue(protocols) && protocols.every((p) => typeof p === "string")) return;
  throw new TypeError(`${caller}'s protocols must be a string or an array of strings (subprotocol names), got ${describe(protocols)}.`);
}

/**
 * Opens a WebSocket to `url`, waits until it is open, and runs `body` with
 * the connection; returns what `body` returns. The socket is closed (code
 * 1000) and its listeners removed when `body` returns, raises or is
 * cancelled. Cancelling while it connects closes the connecting socket. If
 * the socket closes before it opens, raises `WebSocketClosedError`.
 *
 * ```ts
 * yield* openWebSocket("wss://example.com/chat", function* (ws) {
 *   yield* ws.send(JSON.stringify({ hello: "world" }));
 *   yield* ws.forEach(function* (message) { show(message); });
 * });
 * ```
 */
export function openWebSocket<R>(url: string | URL, body: (connection: WebSocketConnection) => Operation<R>): Operation<R>;
export function openWebSocket<R>(url: string | URL, options: OpenWebSocketOptions, body: (connection: WebSocketConnection) => Operation<R>): Operation<R>;
export function openWebSocket<R>(
  url: string | URL,
  optionsOrBody: OpenWebSocketOptions | ((connection: WebSocketConnection) => Operation<R>),
  maybeBody?: (connection: WebSocketConnection) => Operation<R>,
): Operation<R> {
  // Left out, or passed as undefined: no options.
  const options = typeof optionsOrBody === "function" || optionsOrBody === undefined ? {} : optionsOrBody;
  const body = typeof optionsOrBody === "function" ? optionsOrBody : maybeBody;
  return openWebSocketChecked(OPEN_WEBSOCKET, url, options, body);
}

/**
 * @internal Which public call a socket is opened for, so that its errors
 * name what the user wrote: its name, and how to pass a WebSocket class to it.
 */
export interface SocketCaller {
  readonly name: string;
  /** The call with its parameters, as messages about its arguments name it. */
  readonly call: string;
  readonly withClass: string;
}

const OPEN_WEBSOCKET: SocketCaller = { name: "openWebSocket", call: "openWebSocket(url, options, body)", withClass: "openWebSocket(url, { WebSocket }, body)" };

/** @internal `openWebSocket` with its arguments sorted; checks them all before anything opens. */
export function openWebSocketChecked<R>(
  caller: SocketCaller,
  url: unknown,
  options: OpenWebSocketOptions,
  body: ((connection: WebSocketConnection) => Operation<R>) | undefined,
): Operation<R> {
  const name = caller.name;
  if (typeof url !== "string" && !isInstance(url, URL)) {
    throw new TypeError(`${caller.call} needs a URL (a string such as "wss://example.com/chat", or a URL), got ${describe(url)}.`);
  }
  // Its text read now, totally: a Proxy of a URL passes instanceof, but URL's toString refuses it.
  const href = typeof url === "string" ? url : urlText(url);
  if (href === undefined) {
    throw new TypeError(`${caller.call}: the URL given cannot be read as text (a Proxy of a URL?); pass the URL itself, or its href string.`);
  }
  checkOptions(caller.call, options);
  checkProtocols(name, options.protocols);
  const { maxBuffer, overflow } = checkChannelOptions({ maxBuffer: options.maxBuffer, overflow: options.overflow }, name);
  const highWaterMark = options.highWaterMark === undefined ? DEFAULT_HIGH_WATER_MARK : options.highWaterMark;
  if (typeof highWaterMark !== "number" || !(highWaterMark >= 0)) {
    throw new RangeError(`${name}'s highWaterMark must be a number of bytes >= 0, got ${describe(highWaterMark)}.`);
  }
  const drainInterval = checkPositive(name, "drainInterval", options.drainInterval, DEFAULT_DRAIN_INTERVAL);
  checkBody("openWebSocket(url, body)", "function* (ws) { ... }", body);
  if (options.WebSocket !== undefined && typeof options.WebSocket !== "function") {
    throw new TypeError(`${name}'s WebSocket option must be a WebSocket class (or left out for the global one), got ${describe(options.WebSocket)}.`);
  }
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof Ctor !== "function") {
    throw new RuntimeError(
      `${name}() needs a WebSocket class: the global WebSocket (browsers, workers, Node 22+) is missing here. Pass one: ${caller.withClass}, for instance the ws package's.`,
    );
  }
  return webSocketBlock(name, Ctor, href, options.protocols, { maxBuffer, overflow, highWaterMark, drainInterval }, body);
}

function* webSocketBlock<R>(
  caller: string,
  Ctor: WebSocketConstructor,
  url: string,
  protocols: string | string[] | undefined,
  settings: { maxBuffer: number; overflow: EventOverflow; highWaterMark: number; drainInterval: number },
  body: (connection: WebSocketConnection) => Operation<R>,
): Operation<R> {
  const task = requireTask(`${caller}()`);
  let socket: WebSocketLike;
  try {
    socket = protocols === undefined ? new Ctor(url) : new Ctor(url, protocols);
  } catch (error) {
    throw new TypeError(`${caller}(url): new WebSocket(${JSON.stringify(url)}) refused it: ${messageOf(error)}. Give a ws:// or wss:// URL (or http(s):// where the browser accepts it).`, {
      cause: error,
    });
  }
  if (!hasMethods(socket, "addEventListener", "removeEventListener", "send", "close")) {
    throw new TypeError(
      `${caller}(url): the WebSocket class made ${describe(socket)}, without addEventListener, removeEventListener, send and close. Pass a WebSocket class (the global one, or the ws package's).`,
    );
  }
  let connection: WebSocketConnection;
  try {
    connection = new WebSocketConnection(socket, url, settings.maxBuffer, settings.overflow, settings.highWaterMark, settings.drainInterval);
  } catch (error) {
    throw new TypeError(`${caller}(url): the socket could not be set up (${messageOf(error)}), so it was closed. Pass a WebSocket class whose sockets take binaryType and event listeners, as the platform's do.`, {
      cause: error,
    });
  }
  let exit = "error";
  let raised = false;
  try {
    yield* connection.waitOpen(task);
    const result = yield* bodyOperation<R>("openWebSocket(url, body)", "function* (ws) { ... }", body(connection));
    exit = "";
    return result;
  } catch (error) {
    raised = true;
    if (error instanceof Cancelled) exit = "cancelled";
    throw error;
  } finally {
    // A socket whose close() or removeEventListener throws: see cleanUp.
    cleanUp(raised, () => connection.shutdown(exit));
  }
}
