/**
 * Adapters between WHATWG streams and Trio's stream interfaces:
 * `receiveStreamFromReadable` (a `ReadableStream` of bytes read as a
 * `ReceiveStream`), `sendStreamFromWritable` (a `WritableStream` written as
 * a `SendStream`) and `readableFromReceiveStream` (a `ReceiveStream` served
 * as a `ReadableStream` to Promise-based code, such as `new Response(...)`).
 *
 * Why they are built so:
 * - Backpressure both ways comes from pulling only on demand. The receive
 *   adapter calls `reader.read()` only inside `receiveSome`, so a slow task
 *   leaves the ReadableStream's queue full and its source unpulled; the
 *   readable adapter has a high-water mark of 0 and runs `receiveSome` only
 *   when its consumer asks for a chunk; the send adapter waits on
 *   `writer.ready`.
 * - Cancelling a task in `receiveSome` never loses data: the pending read
 *   is kept and the next `receiveSome` picks up its result.
 * - A failure of the WHATWG stream is `BrokenResourceError` (its cause
 *   attached), as Trio reports a broken transport; closing our side is
 *   `ClosedResourceError`.
 */
import { waitPromise } from "../bridge/promise.js";
import { BrokenResourceError, Cancelled, ClosedResourceError, describe } from "../core/errors.js";
import { checkpoint } from "../core/operations.js";
import { openNursery } from "../core/nursery-block.js";
import type { Operation } from "../core/traps.js";
import { openMemoryChannel, type ReceiveResult } from "../sync/channel.js";
import {
  EMPTY_BYTES,
  checkBytes,
  checkMaxBytes,
  forEachChunk,
  receiveClosedError,
  receiveConflictDetector,
  sendConflictDetector,
  type ReceiveStream,
  type SendStream,
} from "../sync/streams.js";
import { bodyOperation, checkBody, checkOptions, cleanUp, hasMethods, ignoreRejection, takeLock } from "./target.js";

/** @internal A stream's failure as the error our streams and channels raise. */
export function broken(what: string, cause: unknown): BrokenResourceError {
  const reason = cause instanceof Error ? cause.message : describe(cause);
  return new BrokenResourceError(`${what} failed: ${reason}`, { cause });
}

/** @internal Waits for a writer's promise; its rejection as `BrokenResourceError`. */
export function* waitWriter(promise: Promise<unknown>): Operation<void> {
  try {
    yield* waitPromise(promise);
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    throw broken("Writing to the WritableStream", error);
  }
}

/**
 * @internal Closes a writer gracefully and waits until its sink has taken
 * everything; cancelled meanwhile, it aborts the stream rather than leave it
 * half-closed.
 */
export function* closeWriter(writer: WritableStreamDefaultWriter<never>): Operation<void> {
  const closing = writer.close();
  ignoreRejection(closing);
  try {
    yield* waitWriter(closing);
  } catch (error) {
    ignoreRejection(writer.abort());
    throw error;
  }
}

function isReadable(value: unknown): value is ReadableStream<Uint8Array> {
  return hasMethods(value, "getReader");
}

/**
 * A `ReceiveStream` over a `ReadableStream` of bytes (a fetch body, a
 * file's `stream()`, a `DecompressionStream`'s readable...). Made by
 * `receiveStreamFromReadable`; it holds the stream's reader lock until
 * closed.
 */
export class ReadableReceiveStream implements ReceiveStream {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private pendingRead: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  /** Bytes of the last chunk that did not fit in a `maxBytes`. */
  private leftover: Uint8Array = EMPTY_BYTES;
  private ended = false;
  private closed = false;
  private readonly receiving = receiveConflictDetector();

  /** @internal Use `receiveStreamFromReadable`. */
  constructor(readable: ReadableStream<Uint8Array>) {
    this.reader = readable.getReader();
  }

  /**
   * The next bytes (at most `maxBytes`), waiting for the stream to produce
   * some; an empty chunk once it has ended. Raises `BrokenResourceError` if
   * the stream errors (a dropped connection, an aborted fetch).
   */
  *receiveSome(maxBytes?: number): Operation<Uint8Array> {
    const limit = checkMaxBytes("receiveSome(maxBytes)", maxBytes);
    this.receiving.enter();
    try {
      if (this.closed) throw receiveClosedError();
      if (this.leftover.length > 0 || this.ended) {
        yield* checkpoint();
        if (this.closed) throw receiveClosedError();
        return this.take(this.leftover, limit);
      }
      for (;;) {
        // Kept across a cancellation, so its chunk is not lost.
        this.pendingRead ??= this.reader.read();
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = yield* waitPromise(this.pendingRead);
        } catch (error) {
          // Cancelled while waiting: the read stays pending, for the next receiveSome.
          if (error instanceof Cancelled) throw error;
          this.pendingRead = null;
          if (this.closed) throw receiveClosedError();
          throw broken("Reading the ReadableStream", error);
        }
        this.pendingRead = null;
        if (this.closed) throw receiveClosedError();
        if (result.done) {
          this.ended = true;
          return EMPTY_BYTES;
        }
        const chunk: unknown = result.value;
        if (!(chunk instanceof Uint8Array)) {
          this.close();
          throw new TypeError(
            `receiveStreamFromReadable(readable) needs a stream of bytes (Uint8Array chunks), but it produced ${describe(chunk)}; ` +
              `for text, pipe it through a TextEncoderStream first.`,
          );
        }
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

  /**
   * Cancels the ReadableStream (its source stops, a fetch is aborted) and
   * releases it; idempotent. A task blocked in `receiveSome` gets
   * `ClosedResourceError`.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.leftover = EMPTY_BYTES;
    // cancel() also settles a pending read (as done), which wakes a blocked receiver.
    ignoreRejection(this.reader.cancel());
  }

  /** `close()`, then a checkpoint. */
  *aclose(): Operation<void> {
    this.close();
    yield* checkpoint();
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
 * Reads a `ReadableStream` of bytes as a Trio `ReceiveStream`. It locks the
 * stream; close the result when done (for a fetch body, cancelling the
 * fetch's scope also ends it).
 *
 * ```ts
 * const response = yield* fetchOp(url);
 * const body = receiveStreamFromReadable(response.body!);
 * try {
 *   yield* body.forEach(function* (chunk) { ... });
 * } finally {
 *   body.close();
 * }
 * ```
 */
export function receiveStreamFromReadable(readable: ReadableStream<Uint8Array>): ReadableReceiveStream {
  if (!isReadable(readable)) {
    if (readable === null) {
      throw new TypeError("receiveStreamFromReadable(readable) needs a ReadableStream (a fetch Response's body, Blob.stream()...), got null. A Response without a body (a 204, a HEAD request) has body null.");
    }
    throw new TypeError(`receiveStreamFromReadable(readable) needs a ReadableStream (a fetch Response's body, Blob.stream()...), got ${describe(readable)}.`);
  }
  if (readable.locked) {
    throw new TypeError("receiveStreamFromReadable(readable): the ReadableStream is locked to another reader; release that reader first (reader.releaseLock()).");
  }
  return takeLock("receiveStreamFromReadable(readable)", "getReader", () => new ReadableReceiveStream(readable));
}

/**
 * A `SendStream` over a `WritableStream` of bytes. Made by
 * `sendStreamFromWritable`; it holds the stream's writer lock.
 */
export class WritableSendStream implements SendStream {
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private closed = false;
  private readonly sending = sendConflictDetector();

  /** @internal Use `sendStreamFromWritable`. */
  constructor(
    writable: WritableStream<Uint8Array>,
    private readonly copy: boolean,
  ) {
    this.writer = writable.getWriter();
  }

  /**
   * Queues `data` on the stream once its queue has room (`writer.ready`),
   * as `pipeTo` writes: a slow sink fills the queue up to its high-water
   * mark, and then `sendAll` waits, so the sink sets the task's pace.
   * Returns once the chunk is queued, not once the sink has taken it
   * (`aclose` waits for that). A checkpoint; cancelled, it writes nothing.
   * Raises `BrokenResourceError` if the stream has errored, which includes
   * a write queued by an earlier `sendAll` that the sink refused.
   */
  *sendAll(data: Uint8Array): Operation<void> {
    checkBytes("sendAll(data)", data);
    this.sending.enter();
    try {
      if (this.closed) throw new ClosedResourceError("sendAll() on a stream that was closed: this stream can no longer be used.");
      // Room in the queue: ready has resolved already, so waiting on it would only cost a host turn.
      // (desiredSize is null once the stream errors: ready then raises the error.)
      const room = this.writer.desiredSize;
      if (room === null || room <= 0) yield* this.waitReady();
      else yield* checkpoint();
      if (this.closed) throw new ClosedResourceError("sendAll() on a stream that was closed while it waited for room.");
      // Copied (unless the caller gave its buffers away): the caller may reuse its buffer once
      // sendAll returns, and the queue or the sink may still hold the chunk.
      // The write's own failure errors the stream, which the next sendAll's desiredSize/ready or aclose reports.
      ignoreRejection(this.writer.write(this.copy ? data.slice() : data));
    } finally {
      this.sending.exit();
    }
  }

  /** Waits until the stream's queue has room (`writer.ready`). */
  *waitSendAllMightNotBlock(): Operation<void> {
    this.sending.enter();
    try {
      if (this.closed) throw new ClosedResourceError("waitSendAllMightNotBlock() on a stream that was closed.");
      yield* this.waitReady();
    } finally {
      this.sending.exit();
    }
  }

  /** Aborts the WritableStream (what is queued is dropped) and releases it; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    ignoreRejection(this.writer.abort());
  }

  /** Closes the WritableStream gracefully: waits until the sink has taken everything queued. */
  *aclose(): Operation<void> {
    if (this.closed) {
      yield* checkpoint();
      return;
    }
    this.closed = true;
    yield* closeWriter(this.writer);
  }

  private *waitReady(): Operation<void> {
    yield* waitWriter(this.writer.ready);
  }
}

/** Options of `sendStreamFromWritable`. */
export interface SendStreamFromWritableOptions {
  /**
   * Whether `sendAll` hands the stream a copy of `data` (the default, true),
   * so the caller may reuse its buffer as soon as `sendAll` returns. With
   * `false` the chunk itself is queued, as `writer.write` and `pipeTo` do:
   * for code that never touches a buffer again once sent, such as a pipe
   * passing on chunks received from another stream. It saves a copy of
   * every byte.
   */
  copy?: boolean | undefined;
}

/**
 * Writes a `WritableStream` of bytes as a Trio `SendStream` (it locks the
 * stream). See `SendStreamFromWritableOptions` for `copy`.
 */
export function sendStreamFromWritable(writable: WritableStream<Uint8Array>, options: SendStreamFromWritableOptions = {}): WritableSendStream {
  if (!hasMethods(writable, "getWriter")) {
    throw new TypeError(`sendStreamFromWritable(writable) needs a WritableStream, got ${describe(writable)}.`);
  }
  checkOptions("sendStreamFromWritable(writable, options)", options);
  const copy = options.copy ?? true;
  if (typeof copy !== "boolean") throw new TypeError(`sendStreamFromWritable's copy option must be true or false, got ${describe(copy)}.`);
  if (writable.locked) {
    throw new TypeError("sendStreamFromWritable(writable): the WritableStream is locked to another writer; release that writer first (writer.releaseLock()).");
  }
  return takeLock("sendStreamFromWritable(writable)", "getWriter", () => new WritableSendStream(writable, copy));
}

/** Options of `readableFromReceiveStream`. */
export interface ReadableFromReceiveStreamOptions {
  /** The most bytes one chunk of the ReadableStream holds (`receiveSome`'s maxBytes); default: whatever is there. */
  chunkSize?: number | undefined;
}

/**
 * Serves `stream` as a `ReadableStream` of bytes for the length of `body`,
 * for Promise-based code (`new Response(readable)`, `pipeTo`, an upload).
 * A chunk is received only when the ReadableStream's reader asks for one
 * (high-water mark 0), so a slow reader slows the stream down. The block
 * owns `stream`: when `body` ends, the receiving stops, `stream` is closed,
 * and a reader still waiting gets an error; cancelling the ReadableStream
 * closes `stream` too.
 *
 * ```ts
 * yield* readableFromReceiveStream(received, function* (readable) {
 *   return yield* waitPromise(new Response(readable).text());
 * });
 * ```
 */
export function readableFromReceiveStream<T>(
  stream: ReceiveStream,
  body: (readable: ReadableStream<Uint8Array>) => Operation<T>,
): Operation<T>;
export function readableFromReceiveStream<T>(
  stream: ReceiveStream,
  options: ReadableFromReceiveStreamOptions,
  body: (readable: ReadableStream<Uint8Array>) => Operation<T>,
): Operation<T>;
export function readableFromReceiveStream<T>(
  stream: ReceiveStream,
  optionsOrBody: ReadableFromReceiveStreamOptions | ((readable: ReadableStream<Uint8Array>) => Operation<T>),
  maybeBody?: (readable: ReadableStream<Uint8Array>) => Operation<T>,
): Operation<T> {
  if (!hasMethods(stream, "receiveSome")) {
    throw new TypeError(`readableFromReceiveStream(stream, body) needs a ReceiveStream (with receiveSome), got ${describe(stream)}.`);
  }
  // Left out, or passed as undefined: no options.
  const options = typeof optionsOrBody === "function" || optionsOrBody === undefined ? {} : optionsOrBody;
  const body = typeof optionsOrBody === "function" ? optionsOrBody : maybeBody;
  checkOptions("readableFromReceiveStream(stream, options, body)", options);
  const chunkSize = checkMaxBytes("readableFromReceiveStream's chunkSize", options.chunkSize);
  checkBody("readableFromReceiveStream(stream, body)", "function* (readable) { ... }", body);
  return serveReadable(stream, chunkSize, body);
}

function serveReadable<T>(stream: ReceiveStream, chunkSize: number | undefined, body: (readable: ReadableStream<Uint8Array>) => Operation<T>): Operation<T> {
  return serveReadableFrom<Uint8Array, T>(
    function* () {
      const chunk = yield* stream.receiveSome(chunkSize);
      return chunk.length === 0 ? END : { done: false, value: chunk };
    },
    () => stream.close(),
    "readableFromReceiveStream",
    body,
  );
}

const END: ReceiveResult<never> = Object.freeze({ done: true });

/**
 * @internal Serves `next()` as a ReadableStream for the length of `body`
 * (the stream and channel adapters share it): one `next()` per pull,
 * `close()` once the reader cancels or the block ends.
 */
export function* serveReadableFrom<V, T>(
  next: () => Operation<ReceiveResult<V>>,
  close: () => void,
  what: string,
  body: (readable: ReadableStream<V>) => Operation<T>,
): Operation<T> {
  // Pull requests from the ReadableStream (host code) to the pump task.
  const [pulls, pullRequests] = openMemoryChannel<() => void>(Infinity);
  let controller!: ReadableStreamDefaultController<V>;
  let finished = false;
  // Set when the reader cancels or the block ends: the pump then stops without a word.
  let stopping = false;
  const readable = new ReadableStream<V>(
    {
      start(c) {
        controller = c;
      },
      // The stream calls pull again only once this Promise settles, so at most one receive runs at a time.
      pull: () =>
        new Promise<void>((resolve) => {
          if (finished) resolve();
          else pulls.sendNowait(resolve);
        }),
      cancel: () => {
        stopping = true;
        finished = true;
        pulls.close();
        close();
      },
    },
    { highWaterMark: 0 },
  );
  let result!: T;
  yield* openNursery(function* (nursery) {
    // Named explicitly: a minified build renames the function, and tools show task names.
    nursery.startSoonNamed("pumpToReadable", function* pumpToReadable() {
      for (;;) {
        const request = yield* pullRequests.receiveOrEnd();
        if (request.done) return;
        const answered = request.value;
        let item: ReceiveResult<V>;
        try {
          item = yield* next();
        } catch (error) {
          if (stopping) return;
          // The reader gets the error; the pump ends quietly unless the whole block is cancelled.
          finished = true;
          controller.error(error);
          answered();
          if (error instanceof Cancelled) throw error;
          return;
        }
        if (item.done) {
          finished = true;
          controller.close();
        } else {
          controller.enqueue(item.value);
        }
        answered();
        if (finished) return;
      }
    });
    let raised = false;
    try {
      result = yield* bodyOperation<T>(`${what}(..., body)`, "function* (readable) { ... }", body(readable));
    } catch (error) {
      raised = true;
      throw error;
    } finally {
      stopping = true;
      if (!finished) {
        finished = true;
        controller.error(new ClosedResourceError(`The block that served this ReadableStream (${what}) has ended.`));
      }
      pulls.close();
      nursery.cancelScope.cancel();
      // A stream whose close() throws: see cleanUp.
      cleanUp(raised, close);
    }
  });
  return result;
}

/** @internal Where `serveWritableTo` delivers: one value at a time, then a graceful or a sudden close. */
export interface WritableTarget<V> {
  send(value: V): Operation<void>;
  closeGracefully(): Operation<void>;
  closeNow(): void;
}

type WriteRequest<V> = { close: false; value: V; done: () => void; failed: (error: unknown) => void } | { close: true; value: undefined; done: () => void; failed: (error: unknown) => void };

/**
 * @internal Serves `target` as a WritableStream for the length of `body`
 * (the stream and channel adapters share it): each write is sent by a pump
 * task and settles once the send has returned, so a target that blocks
 * pushes back on the writer; the stream's close is the target's graceful
 * close, its abort a sudden one; the block's end errors the stream.
 */
export function* serveWritableTo<V, T>(target: WritableTarget<V>, what: string, body: (writable: WritableStream<V>) => Operation<T>): Operation<T> {
  // Write and close requests from the WritableStream (host code) to the pump task; the stream sends one at a time.
  const [requests, requestQueue] = openMemoryChannel<WriteRequest<V>>(Infinity);
  let controller!: WritableStreamDefaultController;
  let finished = false;
  const ended = () => new ClosedResourceError(`The block that served this WritableStream (${what}) has ended.`);
  const writable = new WritableStream<V>(
    {
      start(c) {
        controller = c;
      },
      write: (value) =>
        new Promise<void>((done, failed) => {
          if (finished) failed(ended());
          else requests.sendNowait({ close: false, value, done, failed });
        }),
      close: () =>
        new Promise<void>((done, failed) => {
          if (finished) done();
          else requests.sendNowait({ close: true, value: undefined, done, failed });
        }),
      abort: () => {
        finished = true;
        requests.close();
        target.closeNow();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );
  let result!: T;
  yield* openNursery(function* (nursery) {
    // Named explicitly: a minified build renames the function, and tools show task names.
    nursery.startSoonNamed("pumpFromWritable", function* pumpFromWritable() {
      for (;;) {
        const next = yield* requestQueue.receiveOrEnd();
        if (next.done) return;
        const request = next.value;
        try {
          if (request.close) {
            finished = true;
            yield* target.closeGracefully();
          } else {
            yield* target.send(request.value);
          }
        } catch (error) {
          finished = true;
          request.failed(error);
          if (error instanceof Cancelled) throw error;
          return;
        }
        request.done();
        if (request.close) return;
      }
    });
    let raised = false;
    try {
      result = yield* bodyOperation<T>(`${what}(..., body)`, "function* (writable) { ... }", body(writable));
    } catch (error) {
      raised = true;
      throw error;
    } finally {
      if (!finished) {
        finished = true;
        controller.error(ended());
      }
      requests.close();
      nursery.cancelScope.cancel();
      // A stream whose close() throws: see cleanUp.
      cleanUp(raised, () => target.closeNow());
    }
  });
  return result;
}

/**
 * Serves a byte `stream` (a Trio `SendStream`) as a `WritableStream` of
 * `Uint8Array` chunks for the length of `body`, for Promise-based code that
 * produces bytes (`response.body.pipeTo(writable)`, a
 * `CompressionStream`'s output). Each chunk goes through `sendAll`, and the
 * stream's `write` settles only once `sendAll` has returned, so a stream
 * that blocks pushes back on the writer (`writer.ready`, `pipeTo`). Closing
 * the WritableStream is `stream.aclose()`; aborting it, `stream.close()`.
 * The block owns `stream`: its end closes `stream` and errors the
 * WritableStream with `ClosedResourceError`. A chunk that is not a
 * `Uint8Array`, or a failed `sendAll` (`BrokenResourceError`), errors the
 * WritableStream.
 *
 * ```ts
 * const [send, receive] = memoryStreamOneWayPair();
 * yield* writableFromSendStream(send, function* (writable) {
 *   yield* waitPromise(response.body!.pipeTo(writable));
 * });
 * ```
 */
export function writableFromSendStream<T>(stream: SendStream, body: (writable: WritableStream<Uint8Array>) => Operation<T>): Operation<T> {
  if (!hasMethods(stream, "sendAll", "aclose", "close")) {
    throw new TypeError(`writableFromSendStream(stream, body) needs a SendStream (with sendAll, close and aclose), got ${describe(stream)}. For a channel of values, use writableFromSendChannel.`);
  }
  checkBody("writableFromSendStream(stream, body)", "function* (writable) { ... }", body);
  return serveWritableTo<Uint8Array, T>(
    {
      *send(chunk) {
        checkBytes("A WritableStream served by writableFromSendStream", chunk);
        yield* stream.sendAll(chunk);
      },
      closeGracefully: () => stream.aclose(),
      closeNow: () => stream.close(),
    },
    "writableFromSendStream",
    body,
  );
}
