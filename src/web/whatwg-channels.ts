/**
 * Adapters between WHATWG streams of values (any chunk type, not only
 * bytes) and Trio's channels: `receiveChannelFromReadable` (a
 * `ReadableStream` read as a receive channel), `sendChannelFromWritable`
 * (a `WritableStream` written as a send channel) and
 * `readableFromReceiveChannel` and `writableFromSendChannel` (channels
 * served as a `ReadableStream` or `WritableStream` to Promise-based code).
 *
 * Why they are built so: as the byte adapters in whatwg-streams.ts, and
 * for the same reasons. Backpressure comes from pulling only on demand
 * (the read happens inside `receive`, the served stream has a high-water
 * mark of 0) and from `writer.ready`; a cancelled `receive` keeps its
 * pending read, so no value is lost. Chunks are values here, so nothing is
 * copied and text needs no encoding. The ends follow the channels: the end
 * of the ReadableStream is `EndOfChannel`, and closing the send side closes
 * the WritableStream gracefully (its sink sees `close`, as receivers see
 * the end of a channel).
 */
import { waitPromise } from "../bridge/promise.js";
import { BrokenResourceError, Cancelled, ClosedResourceError, EndOfChannel, WouldBlock, describe } from "../core/errors.js";
import { checkpoint } from "../core/operations.js";
import type { Operation } from "../core/traps.js";
import type { ReceiveResult } from "../sync/channel.js";
import { forEachReceived, receiveOrEnd, type Receiver } from "../sync/receive-loop.js";
import { receiveConflictDetector, sendConflictDetector } from "../sync/streams.js";
import { checkBody, hasMethods, ignoreRejection, takeLock } from "./target.js";
import { broken, closeWriter, serveReadableFrom, serveWritableTo, waitWriter } from "./whatwg-streams.js";


/**
 * A receive channel over a `ReadableStream` of values. Made by
 * `receiveChannelFromReadable`; it holds the stream's reader lock until
 * closed.
 */
export class ReadableReceiveChannel<T> {
  private readonly reader: ReadableStreamDefaultReader<T>;
  private pendingRead: Promise<ReadableStreamReadResult<T>> | null = null;
  private ended = false;
  private isClosed = false;
  private readonly receiving = receiveConflictDetector();

  /** @internal Use `receiveChannelFromReadable`. */
  constructor(readable: ReadableStream<T>) {
    this.reader = readable.getReader();
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * The next value, waiting for the stream to produce one. A checkpoint.
   * Raises `EndOfChannel` at the end of the stream, `BrokenResourceError`
   * if it errors, `ClosedResourceError` after `close()`, and
   * `BusyResourceError` if another task is receiving at the same time.
   */
  *receive(): Operation<T> {
    this.receiving.enter();
    try {
      if (this.isClosed) throw closedError();
      if (this.ended) {
        yield* checkpoint();
        throw new EndOfChannel("The ReadableStream has ended.");
      }
      // Kept across a cancellation, so its value is not lost.
      this.pendingRead ??= this.reader.read();
      let result: ReadableStreamReadResult<T>;
      try {
        result = yield* waitPromise(this.pendingRead);
      } catch (error) {
        // Cancelled while waiting: the read stays pending, for the next receive.
        if (error instanceof Cancelled) throw error;
        this.pendingRead = null;
        if (this.isClosed) throw closedError();
        throw broken("Reading the ReadableStream", error);
      }
      this.pendingRead = null;
      if (this.isClosed) throw closedError();
      if (result.done) {
        this.ended = true;
        throw new EndOfChannel("The ReadableStream has ended.");
      }
      return result.value;
    } finally {
      this.receiving.exit();
    }
  }

  /** The next value as `{ done: false, value }`, or `{ done: true }` at the end of the stream. */
  receiveOrEnd(): Operation<ReceiveResult<T>> {
    return receiveOrEnd(this);
  }

  /** Runs `body` for each value until the end of the stream (then returns) or an error. */
  forEach(body: (value: T) => Operation<unknown>): Operation<void> {
    return forEachReceived(this, body);
  }

  /**
   * Cancels the ReadableStream (its source stops) and releases it;
   * idempotent. A task blocked in `receive` gets `ClosedResourceError`.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // cancel() also settles a pending read (as done), which wakes a blocked receiver.
    ignoreRejection(this.reader.cancel());
  }

  /** `close()`, then a checkpoint. */
  *aclose(): Operation<void> {
    this.close();
    yield* checkpoint();
  }
}

function closedError(): ClosedResourceError {
  return new ClosedResourceError("receive() on a channel that was closed: its ReadableStream was cancelled. Read a new stream with receiveChannelFromReadable.");
}

/**
 * Reads a `ReadableStream` of values (objects, strings, bytes...) as a
 * receive channel: `receive()` raises `EndOfChannel` at the end. It locks
 * the stream; close the channel when done.
 *
 * ```ts
 * const lines = receiveChannelFromReadable(body.pipeThrough(new TextDecoderStream()));
 * yield* lines.forEach(function* (text) { show(text); });
 * ```
 */
export function receiveChannelFromReadable<T>(readable: ReadableStream<T>): ReadableReceiveChannel<T> {
  if (!hasMethods(readable, "getReader")) {
    throw new TypeError(`receiveChannelFromReadable(readable) needs a ReadableStream, got ${describe(readable)}.`);
  }
  if (readable.locked) {
    throw new TypeError("receiveChannelFromReadable(readable): the ReadableStream is locked to another reader; release that reader first (reader.releaseLock()).");
  }
  return takeLock("receiveChannelFromReadable(readable)", "getReader", () => new ReadableReceiveChannel<T>(readable));
}

/**
 * A send channel over a `WritableStream` of values. Made by
 * `sendChannelFromWritable`; it holds the stream's writer lock.
 */
export class WritableSendChannel<T> {
  private readonly writer: WritableStreamDefaultWriter<T>;
  private isClosed = false;
  private readonly sending = sendConflictDetector();

  /** @internal Use `sendChannelFromWritable`. */
  constructor(writable: WritableStream<T>) {
    this.writer = writable.getWriter();
  }

  /** True once `close()` or `abort()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Queues `value` on the stream once its queue has room (`writer.ready`),
   * as `pipeTo` writes; a slow sink fills the queue up to its high-water
   * mark, and then `send` waits. A checkpoint; cancelled, it writes
   * nothing. Raises `BrokenResourceError` if the stream has errored (a
   * write the sink refused included), `ClosedResourceError` after `close()`.
   */
  *send(value: T): Operation<void> {
    this.sending.enter();
    try {
      if (this.isClosed) throw sendClosedError("send");
      const room = this.writer.desiredSize;
      if (room === null || room <= 0) yield* waitWriter(this.writer.ready);
      else yield* checkpoint();
      if (this.isClosed) throw sendClosedError("send");
      // The write's own failure errors the stream, which the next send or aclose reports.
      ignoreRejection(this.writer.write(value));
    } finally {
      this.sending.exit();
    }
  }

  /** Queues `value` if the stream's queue has room, else raises `WouldBlock`. Not a checkpoint. */
  sendNowait(value: T): void {
    if (this.isClosed) throw sendClosedError("sendNowait");
    const room = this.writer.desiredSize;
    if (room === null) throw new BrokenResourceError("sendNowait() on a WritableStream that has errored.");
    if (room <= 0) throw new WouldBlock("The WritableStream's queue is full; use yield* send(value) to wait for room.");
    ignoreRejection(this.writer.write(value));
  }

  /**
   * Closes the WritableStream gracefully, without waiting: its sink gets
   * `close` once it has taken what is queued (as a channel's receivers see
   * its end after the buffered values). Idempotent.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    ignoreRejection(this.writer.close());
  }

  /** Closes gracefully and waits until the sink has taken everything; `BrokenResourceError` if it fails. */
  *aclose(): Operation<void> {
    if (this.isClosed) {
      yield* checkpoint();
      return;
    }
    this.isClosed = true;
    yield* closeWriter(this.writer);
  }

  /** Aborts the WritableStream: what is queued is dropped, its sink's `abort` runs. Idempotent. */
  abort(reason?: unknown): void {
    if (this.isClosed) return;
    this.isClosed = true;
    ignoreRejection(this.writer.abort(reason));
  }

}

function sendClosedError(what: string): ClosedResourceError {
  return new ClosedResourceError(`${what}() on a channel that was closed: its WritableStream is closing. Write a new stream with sendChannelFromWritable.`);
}

/**
 * Writes a `WritableStream` of values as a send channel (it locks the
 * stream). `close()` closes the stream gracefully; `abort()` drops what is
 * queued.
 */
export function sendChannelFromWritable<T>(writable: WritableStream<T>): WritableSendChannel<T> {
  if (!hasMethods(writable, "getWriter")) {
    throw new TypeError(`sendChannelFromWritable(writable) needs a WritableStream, got ${describe(writable)}.`);
  }
  if (writable.locked) {
    throw new TypeError("sendChannelFromWritable(writable): the WritableStream is locked to another writer; release that writer first (writer.releaseLock()).");
  }
  return takeLock("sendChannelFromWritable(writable)", "getWriter", () => new WritableSendChannel<T>(writable));
}

/** A receive channel as `readableFromReceiveChannel` takes it: a memory channel's receive side, a `ReadableReceiveChannel`... */
export interface ClosableReceiver<T> extends Receiver<T> {
  /** Closes this side: later receives raise `ClosedResourceError`. */
  close(): void;
}

/**
 * Serves `channel` as a `ReadableStream` of its values for the length of
 * `body`, for Promise-based code (`pipeTo`, `for await`, a Response of
 * encoded text). A value is received only when the stream's reader asks
 * for one (high-water mark 0); the channel's end is the stream's end. The
 * block owns `channel`: when `body` ends, the receiving stops, `channel` is
 * closed, and a reader still waiting gets an error; cancelling the
 * ReadableStream closes `channel` too.
 *
 * ```ts
 * yield* readableFromReceiveChannel(receive, function* (readable) {
 *   yield* waitPromise(readable.pipeThrough(new TextEncoderStream()).pipeTo(upload));
 * });
 * ```
 */
export function readableFromReceiveChannel<V, T = void>(channel: ClosableReceiver<V>, body: (readable: ReadableStream<V>) => Operation<T>): Operation<T> {
  if (!hasMethods(channel, "receive", "close")) {
    throw new TypeError(`readableFromReceiveChannel(channel, body) needs a receive channel (with receive and close), got ${describe(channel)}.`);
  }
  checkBody("readableFromReceiveChannel(channel, body)", "function* (readable) { ... }", body);
  return serveReadableFrom<V, T>(
    () => receiveOrEnd(channel),
    () => channel.close(),
    "readableFromReceiveChannel",
    body,
  );
}

/** A send channel as `writableFromSendChannel` takes it: a memory channel's send side, a `WritableSendChannel`... */
export interface ClosableSender<T> {
  /** Sends `value`, waiting while the channel is full. */
  send(value: T): Operation<void>;
  /** Closes this side: the receivers see the end after what was sent. */
  close(): void;
}

/**
 * Serves `channel` as a `WritableStream` for the length of `body`, for
 * Promise-based code that produces values (`readable.pipeTo(writable)`, a
 * writer in a callback). Each written value is sent with `channel.send`,
 * and the stream's `write` settles only once the send has returned, so a
 * full channel pushes back on the writer (`writer.ready`, `pipeTo`).
 * Closing the stream closes `channel` (its receivers see the end); so does
 * the block's end, after which the stream errors with
 * `ClosedResourceError`. A failed send (`BrokenResourceError` when every
 * receiver is gone) errors the stream.
 *
 * ```ts
 * yield* writableFromSendChannel(send, function* (writable) {
 *   yield* waitPromise(response.body!.pipeThrough(new TextDecoderStream()).pipeTo(writable));
 * });
 * ```
 */
export function writableFromSendChannel<V, T = void>(channel: ClosableSender<V>, body: (writable: WritableStream<V>) => Operation<T>): Operation<T> {
  if (!hasMethods(channel, "send", "close")) {
    throw new TypeError(`writableFromSendChannel(channel, body) needs a send channel (with send and close), got ${describe(channel)}.`);
  }
  checkBody("writableFromSendChannel(channel, body)", "function* (writable) { ... }", body);
  return serveWritable(channel, body);
}

function serveWritable<V, T>(channel: ClosableSender<V>, body: (writable: WritableStream<V>) => Operation<T>): Operation<T> {
  return serveWritableTo<V, T>(
    {
      send: (value) => channel.send(value),
      *closeGracefully() {
        channel.close();
      },
      closeNow: () => channel.close(),
    },
    "writableFromSendChannel",
    body,
  );
}
