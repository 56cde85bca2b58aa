/**
 * The asyncio flavour of `openWebSocket`: `openWebSocketStreams(url)`
 * returns a `[StreamReader, StreamWriter]` pair, as CPython's
 * `asyncio.open_connection` does for TCP, with CPython's method names
 * (`read`, `readline`, `readexactly`, `write`, `drain`, `close`,
 * `waitClosed`).
 *
 * Why it is built so: asyncio's streams outlive the call that opens them,
 * while `openWebSocket` is a Trio block. So the block runs in a Trio task
 * on the loop's nursery (as `trioAsAio` runs Trio code), which plays
 * CPython's transport and protocol: a pump task feeds received messages to
 * the reader (pausing while the reader holds more than twice its limit),
 * and the block waits until the writer is closed or the connection ends.
 * The loop closing cancels that task, so no socket outlives the loop.
 */
import { ValueError } from "../asyncio/errors.js";
import type { EventLoop } from "../asyncio/event-loop.js";
import type { Future } from "../asyncio/future.js";
import { shield } from "../asyncio/shield.js";
import { sleep as aioSleep } from "../asyncio/sleep.js";
import { getRunningLoop } from "../asyncio/running.js";
import type { Coroutine } from "../asyncio/types.js";
import { trioAsAio, type TrioFuture } from "../bridge/trio-as-aio.js";
import { BrokenResourceError, Cancelled, EndOfChannel, describe, isInstance, readProperty } from "../core/errors.js";
import { openNursery } from "../core/nursery-block.js";
import { RuntimeError } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { Event } from "../sync/event.js";
import { DEFAULT_STREAM_LIMIT, StreamReader } from "./asyncio-streams.js";
import { checkOptions } from "./target.js";
import { openWebSocketChecked, type OpenWebSocketOptions, type SocketCaller, type WebSocketConnection, type WebSocketMessage } from "./websocket.js";

/** What the socket's errors name (see SocketCaller). */
const STREAMS: SocketCaller = { name: "openWebSocketStreams", call: "openWebSocketStreams(url, options)", withClass: "openWebSocketStreams(url, { WebSocket })" };

const encoder = new TextEncoder();

/** Options of `openWebSocketStreams`: `openWebSocket`'s (but the receive buffer's), and the reader's `limit`. */
export interface WebSocketStreamsOptions extends Omit<OpenWebSocketOptions, "maxBuffer" | "overflow"> {
  /** The reader's buffer limit in bytes (default 64 KiB), as `open_connection`'s `limit`. */
  limit?: number | undefined;
}

/** The Trio side's shared state: what the writer tells it, and how it tells the reader. */
class SocketTask {
  /** Set by the writer's `close()`, or by the pump at the connection's end: the block then ends. */
  readonly done = new Event();
  /** Set while the reader wants no more bytes. */
  paused = false;
  /** Set when the reader asks for bytes again. */
  resumed = new Event();
}

function messageBytes(message: WebSocketMessage): Uint8Array {
  return typeof message === "string" ? encoder.encode(message) : message;
}

/** Feeds the reader from the socket until the end, the connection's error, or the block's end. */
function* pump(ws: WebSocketConnection, reader: StreamReader, state: SocketTask): Operation<void> {
  try {
    for (;;) {
      while (state.paused) {
        state.resumed = new Event();
        yield* state.resumed.wait();
      }
      let message: WebSocketMessage;
      try {
        message = yield* ws.receive();
      } catch (error) {
        if (error instanceof Cancelled) throw error;
        // A normal close by the server is the end of the stream; anything else is the reader's error.
        if (error instanceof EndOfChannel) reader.feedEof();
        else reader.setException(error instanceof Error ? error : new RuntimeError(describe(error)));
        return;
      }
      reader.feedData(messageBytes(message));
    }
  } finally {
    state.done.set();
  }
}

function checkChunk(data: unknown): asserts data is Uint8Array {
  if (!isInstance(data, Uint8Array)) {
    if (typeof data === "string") throw new TypeError(`StreamWriter.write(data) needs bytes (a Uint8Array), got ${describe(data)}. Encode text first: new TextEncoder().encode(text).`);
    throw new TypeError(`StreamWriter.write(data) needs bytes (a Uint8Array), got ${describe(data)}.`);
  }
}

/**
 * asyncio's `StreamWriter` over a WebSocket: each `write` is one binary
 * message; `drain` waits while the socket's queue (`bufferedAmount`) is
 * above its high-water mark. Made by `openWebSocketStreams`.
 */
export class StreamWriter {
  private closing = false;
  private readonly drainOp: () => TrioFuture<void>;

  /** @internal Use `openWebSocketStreams`. */
  constructor(
    private readonly ws: WebSocketConnection,
    /** The reader of the same connection. */ readonly reader: StreamReader,
    private readonly state: SocketTask,
    private readonly task: TrioFuture<void>,
    private readonly loop: EventLoop,
  ) {
    this.drainOp = trioAsAio(function* drainWebSocket() {
      yield* ws.waitSendAllMightNotBlock();
    });
  }

  /**
   * Sends `data` as one binary message, without waiting (the socket queues
   * it; call `drain()` to let the queue go down). Raises the connection's
   * error once it is lost, and `RuntimeError` after `close()`.
   */
  write(data: Uint8Array): void {
    checkChunk(data);
    if (this.closing) throw new RuntimeError("StreamWriter.write() after close(): the WebSocket is closing. Open a new connection with openWebSocketStreams.");
    this.checkOpen();
    if (data.length === 0) return;
    this.ws.sendNowait(data);
  }

  /**
   * Raises if the connection has ended: the connection's error as the reader
   * has it (a close other than the server's normal one), else what ended it,
   * naming this call rather than the Trio block underneath (whose end also
   * closes the socket "on this side").
   */
  private checkOpen(): void {
    const error = this.reader.exception();
    if (error !== null) throw error;
    if (!this.ws.closed) return;
    const info = this.ws.closeInfo;
    if (info !== null && info.by === "peer") {
      throw new BrokenResourceError(
        `StreamWriter.write() on a WebSocket the server closed (code ${info.code}${info.reason === "" ? "" : `, reason ${JSON.stringify(info.reason)}`}): open a new connection with openWebSocketStreams.`,
      );
    }
    throw new RuntimeError("StreamWriter.write() on a WebSocket closed when its loop ended (or its task was cancelled): open a new connection with openWebSocketStreams.");
  }

  /**
   * `write` of each chunk, in order; all or nothing, as CPython joins them
   * first: a chunk that is not bytes, or an iterator that throws, sends none.
   */
  writelines(chunks: Iterable<Uint8Array>): void {
    if (chunks === null || typeof chunks !== "object" || typeof readProperty(chunks, Symbol.iterator) !== "function") {
      throw new TypeError(`StreamWriter.writelines(chunks) needs an iterable of Uint8Arrays (an array of them), got ${describe(chunks)}.`);
    }
    const all = Array.from(chunks);
    for (const chunk of all) checkChunk(chunk);
    for (const chunk of all) this.write(chunk);
  }

  /**
   * Waits until the socket's queue is at or below its high-water mark.
   * Raises the connection's error if it was lost (as CPython's `drain`
   * raises the reader's exception). Once the connection has ended (the
   * server's normal close, or this side's close() completed) it raises
   * too, as CPython's raises ConnectionResetError then: what was written
   * last may not have arrived. While a close() is still under way it
   * returns.
   */
  *drain(): Coroutine<void> {
    const error = this.reader.exception();
    if (error !== null) throw error;
    if (this.closing || this.ws.closed) {
      // As CPython: let the connection's end be noticed (a checkpoint), then raise if it has ended.
      yield* aioSleep(0);
      this.checkEnded();
      return;
    }
    yield* this.drainOp();
  }

  /** drain()'s check once the connection is closing: the error it ended with, or that it has ended. */
  private checkEnded(): void {
    const error = this.reader.exception();
    if (error !== null) throw error;
    if (!this.ws.closed) return;
    const info = this.ws.closeInfo;
    if (info !== null && info.by === "peer" && !this.closing) {
      throw new BrokenResourceError(
        `StreamWriter.drain() on a WebSocket the server closed (code ${info.code}${info.reason === "" ? "" : `, reason ${JSON.stringify(info.reason)}`}): what was written last may not have arrived (CPython's drain raises ConnectionResetError here). Open a new connection with openWebSocketStreams.`,
      );
    }
    throw new RuntimeError("StreamWriter.drain() after the WebSocket closed: close() has completed, so there is nothing to drain (CPython's drain raises ConnectionResetError here). Call drain() before close(), then waitClosed().");
  }

  /** WebSockets have no half-close: always false. */
  canWriteEof(): boolean {
    return false;
  }

  /** Always raises: a WebSocket cannot end one direction only (use `close()`). */
  writeEof(): never {
    throw new RuntimeError("StreamWriter.writeEof(): a WebSocket has no half-close (canWriteEof() is false); close() ends both directions.");
  }

  /** Starts closing the connection (code 1000); idempotent. `waitClosed()` waits for the end. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.state.done.set();
  }

  /** True once `close()` was called. */
  isClosing(): boolean {
    return this.closing;
  }

  /**
   * Waits until the connection is closed (by `close()`, by the peer, or
   * lost). Cancelling the waiting Task stops the wait only: the connection
   * stays open (it is shielded, as it is not the waiter's to close).
   */
  *waitClosed(): Coroutine<void> {
    yield* shield(this.task);
  }

  /**
   * Details, as CPython's `get_extra_info`: `"url"`, `"protocol"` (the
   * subprotocol chosen), `"extensions"`, `"bufferedAmount"`.
   */
  getExtraInfo(name: string, fallback?: unknown): unknown {
    switch (name) {
      case "url":
        return this.ws.url;
      case "protocol":
        return this.ws.protocol;
      case "extensions":
        return this.ws.extensions;
      case "bufferedAmount":
        return this.ws.bufferedAmount;
      default:
        return fallback;
    }
  }

  /** The loop the connection lives on. */
  getLoop(): EventLoop {
    return this.loop;
  }

  toString(): string {
    return `<StreamWriter ${this.ws.url}${this.closing ? " closing" : ""}>`;
  }
}

/**
 * Opens a WebSocket from asyncio code and returns `[reader, writer]`, as
 * CPython's `asyncio.open_connection`:
 *
 * ```ts
 * function* chat(): asyncio.Coroutine<void> {
 *   const [reader, writer] = yield* openWebSocketStreams("wss://example.com/lines");
 *   writer.write(new TextEncoder().encode("hello\n"));
 *   yield* writer.drain();
 *   const line = yield* reader.readline();
 *   writer.close();
 *   yield* writer.waitClosed();
 * }
 * ```
 *
 * Received text messages reach the reader as UTF-8 bytes, binary ones as
 * they are; message boundaries are not kept. A normal close by the server
 * is the reader's end (`atEof()`); any other close is raised by reads and
 * `drain()` as `WebSocketClosedError`. A connection that cannot open
 * raises `WebSocketClosedError` here. Cancelling the call, or the loop
 * closing, closes the socket.
 */
export function openWebSocketStreams(url: string | URL, options: WebSocketStreamsOptions = {}): Coroutine<[StreamReader, StreamWriter]> {
  checkOptions("openWebSocketStreams(url, options)", options);
  const { limit = DEFAULT_STREAM_LIMIT, ...socketOptions } = options;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit <= 0) {
    throw new ValueError(`openWebSocketStreams's limit must be a whole number of bytes above 0 (default 65536), got ${describe(limit)}.`);
  }
  // openWebSocket checks url and options when called and opens nothing until run: bad input raises here, at the call.
  openWebSocketChecked(STREAMS, url, socketOptions, checkOnly);
  return openStreams(url, limit, socketOptions);
}

function* checkOnly(): Operation<void> {}

function* openStreams(url: string | URL, limit: number, socketOptions: OpenWebSocketOptions): Coroutine<[StreamReader, StreamWriter]> {
  const loop = getRunningLoop();
  const reader = new StreamReader({ limit, loop });
  const state = new SocketTask();
  reader.setTransport({
    pauseReading: () => {
      state.paused = true;
    },
    resumeReading: () => {
      state.paused = false;
      state.resumed.set();
    },
  });
  const opened: Future<WebSocketConnection> = loop.createFuture<WebSocketConnection>();
  const block = openWebSocketChecked(STREAMS, url, socketOptions, function* (ws) {
    if (!opened.done()) opened.setResult(ws);
    yield* openNursery(function* (nursery) {
      nursery.startSoonNamed("asyncio stream pump", pump, ws, reader, state); // named: a minified build renames pump
      yield* state.done.wait();
      nursery.cancelScope.cancel();
    });
  });
  const task = trioAsAio(function* webSocketStreams() {
    yield* block;
  })();
  task.addDoneCallback(() => {
    // Failed or cancelled before it opened: the waiting call gets the error.
    if (opened.done()) return;
    if (task.cancelled()) opened.cancel();
    else opened.setException(task.exception() ?? new RuntimeError("The WebSocket's task ended before the socket opened."));
  });
  let ws: WebSocketConnection;
  try {
    ws = yield* opened;
  } catch (error) {
    task.cancel();
    throw error;
  }
  return [reader, new StreamWriter(ws, reader, state, task, loop)];
}
