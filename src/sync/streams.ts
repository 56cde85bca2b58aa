/**
 * Trio's byte-stream interfaces (trio.abc.SendStream, ReceiveStream, Stream,
 * HalfCloseableStream) and `StapledStream`, which joins a send stream and a
 * receive stream into one two-way stream.
 *
 * Why they are built so: a stream carries bytes (`Uint8Array`), not
 * messages: `receiveSome` returns whatever is there (up to `maxBytes`), and
 * an empty chunk means the other side has finished sending, as in Trio. One
 * task at a time may send, and one may receive: a second task doing the
 * same at once gets `BusyResourceError` (Trio's ConflictDetector), because
 * interleaved chunks of two writers or readers are almost never what
 * anyone meant. The errors are the channels' (`ClosedResourceError` for
 * this end closed, `BrokenResourceError` for the other end gone).
 */
import { BusyResourceError, ClosedResourceError, describe, isInstance, readProperty } from "../core/errors.js";
import { checkFunction } from "../core/nursery.js";
import type { Operation } from "../core/traps.js";

/** Something that holds a resource until it is closed. */
export interface AsyncResource {
  /** Closes at once, without waiting; idempotent. */
  close(): void;
  /** Closes, gracefully where the resource has a graceful close; always a checkpoint. */
  aclose(): Operation<void>;
}

/** The sending half of a byte stream (Trio's `SendStream`). */
export interface SendStream extends AsyncResource {
  /**
   * Sends all of `data`, waiting while the other side is not ready for it.
   * Raises `ClosedResourceError` if this stream was closed,
   * `BrokenResourceError` if the other side is gone, `BusyResourceError` if
   * another task is sending on it at the same time.
   */
  sendAll(data: Uint8Array): Operation<void>;
  /** Blocks until a `sendAll` might not block (a hint, not a promise). */
  waitSendAllMightNotBlock(): Operation<void>;
}

/** The receiving half of a byte stream (Trio's `ReceiveStream`). */
export interface ReceiveStream extends AsyncResource {
  /**
   * Waits for data and returns at least one byte and at most `maxBytes`
   * (default: whatever is there), or an empty chunk once the other side has
   * finished sending. Raises `ClosedResourceError` if this stream was
   * closed, `BusyResourceError` if another task is receiving from it at the
   * same time.
   */
  receiveSome(maxBytes?: number): Operation<Uint8Array>;
}

/** A two-way byte stream. */
export interface Stream extends SendStream, ReceiveStream {}

/** A two-way stream whose sending half can be closed alone (Trio's `HalfCloseableStream`). */
export interface HalfCloseableStream extends Stream {
  /** Tells the other side that nothing more will be sent; receiving still works. */
  sendEof(): Operation<void>;
}

/** @internal True if `value` has the `receiveSome` of a `ReceiveStream`. */
export function isReceiveStream(value: unknown): value is ReceiveStream {
  // readProperty: a revoked Proxy or a throwing getter is "not a stream", never an engine error.
  return value !== null && typeof value === "object" && typeof readProperty(value, "receiveSome") === "function";
}

/**
 * Runs `body` for each chunk received from `stream`, one at a time, until
 * the end (an empty chunk), as Trio's `async for chunk in stream`. An error
 * from `body` or from receiving propagates.
 */
export function* forEachChunk(stream: ReceiveStream, body: (chunk: Uint8Array) => Operation<unknown>): Operation<void> {
  if (!isReceiveStream(stream)) {
    throw new TypeError(`forEachChunk(stream, body) needs a ReceiveStream (with receiveSome), got ${describe(stream)}.`);
  }
  if (typeof body !== "function") {
    throw new TypeError(`forEachChunk(stream, body) takes a generator function such as function* (chunk) { ... }, got ${describe(body)}.`);
  }
  // A revoked Proxy of a function or an async function: named now, not at the first chunk.
  checkFunction("forEachChunk(stream, body)", body);
  for (;;) {
    const chunk = yield* stream.receiveSome();
    if (chunk.length === 0) return;
    const op = body(chunk) as Operation<unknown> | undefined;
    if (op === null || typeof op !== "object" || typeof op.next !== "function") {
      throw new TypeError(`forEachChunk(stream, body): body must be a generator function (function* (chunk) { ... }); it returned ${describe(op)}.`);
    }
    yield* op;
  }
}

/**
 * @internal Raises `BusyResourceError` when a second task enters what one
 * task at a time may do (Trio's ConflictDetector).
 */
export class ConflictDetector {
  private held = false;
  constructor(private readonly message: string) {}
  enter(): void {
    if (this.held) throw new BusyResourceError(this.message);
    this.held = true;
  }
  exit(): void {
    this.held = false;
  }
}

/** @internal One task at a time sending on a byte stream. */
export function sendConflictDetector(): ConflictDetector {
  return new ConflictDetector(
    "Another task is already sending on this stream: send from one task at a time (funnel the data through a memory channel to one sender).",
  );
}

/** @internal One task at a time receiving from a byte stream. */
export function receiveConflictDetector(): ConflictDetector {
  return new ConflictDetector(
    "Another task is already receiving from this stream: receive in one task and hand the data to the others (through a memory channel).",
  );
}

/** @internal The empty chunk: the end of a stream, or nothing to take. */
export const EMPTY_BYTES = new Uint8Array(0);

/** @internal What `receiveSome` raises on a stream closed at this end. */
export function receiveClosedError(): ClosedResourceError {
  return new ClosedResourceError("receiveSome() on a stream that was closed: this stream can no longer be used.");
}

/** @internal Checks that `data` is bytes, naming the conversion if not. */
export function checkBytes(what: string, data: unknown): asserts data is Uint8Array {
  if (isInstance(data, Uint8Array)) return;
  // One literal per case, so the production build codes each whole (scripts/error-codes.ts).
  if (typeof data === "string") throw new TypeError(`${what} sends bytes (a Uint8Array), got ${describe(data)}. Encode text first: new TextEncoder().encode(text).`);
  if (isInstance(data, ArrayBuffer) || ArrayBuffer.isView(data)) throw new TypeError(`${what} sends bytes (a Uint8Array), got ${describe(data)}. Wrap it as bytes: new Uint8Array(buffer).`);
  throw new TypeError(`${what} sends bytes (a Uint8Array), got ${describe(data)}.`);
}

/** @internal Checks `maxBytes` of `receiveSome`: undefined, or an integer of at least 1. */
export function checkMaxBytes(what: string, maxBytes: unknown): number | undefined {
  if (maxBytes === undefined) return undefined;
  if (typeof maxBytes !== "number" || !Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new TypeError(`${what}: maxBytes must be an integer of at least 1, or left out to take whatever is there; got ${describe(maxBytes)}.`);
  }
  return maxBytes;
}

/**
 * One two-way stream made of a send stream and a receive stream, as Trio's
 * `StapledStream`: sending goes to `sendStream`, receiving comes from
 * `receiveStream`.
 */
export class StapledStream<S extends SendStream = SendStream, R extends ReceiveStream = ReceiveStream> implements HalfCloseableStream {
  constructor(
    /** Where `sendAll` goes. */ readonly sendStream: S,
    /** Where `receiveSome` comes from. */ readonly receiveStream: R,
  ) {
    if (sendStream === null || typeof sendStream !== "object" || typeof readProperty(sendStream, "sendAll") !== "function") {
      throw new TypeError(`StapledStream(sendStream, receiveStream) needs a SendStream first (with sendAll), got ${describe(sendStream)}.`);
    }
    if (!isReceiveStream(receiveStream)) {
      throw new TypeError(`StapledStream(sendStream, receiveStream) needs a ReceiveStream second (with receiveSome), got ${describe(receiveStream)}.`);
    }
  }

  /** `sendStream.sendAll(data)`. */
  sendAll(data: Uint8Array): Operation<void> {
    return this.sendStream.sendAll(data);
  }

  /** `sendStream.waitSendAllMightNotBlock()`. */
  waitSendAllMightNotBlock(): Operation<void> {
    return this.sendStream.waitSendAllMightNotBlock();
  }

  /** Closes the sending half only: `sendStream.sendEof()` if it has one, else `sendStream.aclose()`. */
  sendEof(): Operation<void> {
    const send = this.sendStream as S & Partial<HalfCloseableStream>;
    return typeof send.sendEof === "function" ? send.sendEof() : send.aclose();
  }

  /** `receiveStream.receiveSome(maxBytes)`. */
  receiveSome(maxBytes?: number): Operation<Uint8Array> {
    return this.receiveStream.receiveSome(maxBytes);
  }

  /** Runs `body` for each chunk received until the end (see `forEachChunk`). */
  forEach(body: (chunk: Uint8Array) => Operation<unknown>): Operation<void> {
    return forEachChunk(this, body);
  }

  /** Closes both halves. */
  close(): void {
    try {
      this.sendStream.close();
    } finally {
      this.receiveStream.close();
    }
  }

  /** Closes both halves gracefully: the receiving half is closed even if closing the sending half raises. */
  *aclose(): Operation<void> {
    try {
      yield* this.sendStream.aclose();
    } finally {
      yield* this.receiveStream.aclose();
    }
  }
}
