/**
 * `webSocketByteStream`: an open WebSocket as a Trio byte `Stream`, for
 * code written against `SendStream`/`ReceiveStream` (framing helpers such as
 * `receiveLines`, a protocol over bytes).
 *
 * Why it is built so: it is a view on the connection's message channel, not
 * a second listener, so `openWebSocket`'s guarantees (closed with its block,
 * backpressure on `bufferedAmount`, closes as errors) hold unchanged. Each
 * `sendAll` is one binary message; `receiveSome` hands out the received
 * messages' bytes, splitting one that is larger than `maxBytes` across
 * calls. Message boundaries are not kept, as in any byte stream.
 */
import { checkpoint } from "../core/operations.js";
import type { Operation } from "../core/traps.js";
import {
  EMPTY_BYTES,
  checkBytes,
  checkMaxBytes,
  forEachChunk,
  receiveClosedError,
  receiveConflictDetector,
  sendConflictDetector,
  type Stream,
} from "../sync/streams.js";
import { describe, isInstance } from "../core/errors.js";
import { WebSocketConnection } from "./websocket.js";

const encoder = new TextEncoder();

/** A `Stream` of bytes over a `WebSocketConnection`; see `webSocketByteStream`. */
export class WebSocketByteStream implements Stream {
  private leftover: Uint8Array = EMPTY_BYTES;
  private ended = false;
  private readonly sending = sendConflictDetector();
  private readonly receiving = receiveConflictDetector();

  /** @internal Use `webSocketByteStream`. */
  constructor(/** The connection underneath. */ readonly connection: WebSocketConnection) {}

  /**
   * Sends `data` as one binary message, waiting first while the socket's
   * queue is above its `highWaterMark`. Raises as the connection's `send`.
   */
  *sendAll(data: Uint8Array): Operation<void> {
    checkBytes("sendAll(data)", data);
    this.sending.enter();
    try {
      // WebSocket.send copies the bytes, so the caller may reuse its buffer at once.
      yield* this.connection.send(data);
    } finally {
      this.sending.exit();
    }
  }

  /** Waits until the socket's queue is at most `highWaterMark` bytes. */
  *waitSendAllMightNotBlock(): Operation<void> {
    this.sending.enter();
    try {
      yield* this.connection.waitSendAllMightNotBlock();
    } finally {
      this.sending.exit();
    }
  }

  /**
   * The next bytes received (at most `maxBytes`): a binary message's bytes,
   * or a text message's UTF-8. An empty chunk once the server has closed
   * normally (1000); `WebSocketClosedError` after any other close;
   * `ClosedResourceError` once closed on this side.
   */
  *receiveSome(maxBytes?: number): Operation<Uint8Array> {
    const limit = checkMaxBytes("receiveSome(maxBytes)", maxBytes);
    this.receiving.enter();
    try {
      if (this.leftover.length > 0 || this.ended) {
        yield* checkpoint();
        if (this.connection.closedOnThisSide) throw receiveClosedError();
        return this.take(this.leftover, limit);
      }
      for (;;) {
        const next = yield* this.connection.receiveOrEnd();
        if (next.done) {
          this.ended = true;
          return EMPTY_BYTES;
        }
        const chunk = typeof next.value === "string" ? encoder.encode(next.value) : next.value;
        if (chunk.length > 0) return this.take(chunk, limit);
      }
    } finally {
      this.receiving.exit();
    }
  }

  /** Runs `body` for each chunk until the end (see `forEachChunk`). */
  forEach(body: (chunk: Uint8Array) => Operation<unknown>): Operation<void> {
    return forEachChunk(this, body);
  }

  /** Closes the WebSocket (code 1000); idempotent. */
  close(): void {
    this.leftover = EMPTY_BYTES;
    this.connection.close();
  }

  /** Closes the WebSocket and waits for the closing handshake. */
  *aclose(): Operation<void> {
    this.leftover = EMPTY_BYTES;
    yield* this.connection.aclose();
  }

  private take(chunk: Uint8Array, limit: number | undefined): Uint8Array {
    if (limit === undefined || chunk.length <= limit) {
      this.leftover = EMPTY_BYTES;
      return chunk;
    }
    this.leftover = chunk.subarray(limit);
    return chunk.subarray(0, limit);
  }
}

/**
 * The open WebSocket `connection` as a Trio byte `Stream`. Use it inside
 * the `openWebSocket` block (the socket closes with the block).
 *
 * ```ts
 * yield* openWebSocket(url, function* (ws) {
 *   const lines = receiveLines(webSocketByteStream(ws));
 *   yield* lines.forEach(function* (line) { show(line); });
 * });
 * ```
 */
export function webSocketByteStream(connection: WebSocketConnection): WebSocketByteStream {
  if (!isInstance(connection, WebSocketConnection)) {
    throw new TypeError(`webSocketByteStream(connection) needs the connection openWebSocket gives its block, got ${describe(connection)}.`);
  }
  return new WebSocketByteStream(connection);
}
