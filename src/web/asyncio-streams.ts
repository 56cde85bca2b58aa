/**
 * asyncio's `StreamReader` and its errors (`IncompleteReadError`,
 * `LimitOverrunError`), as CPython's `asyncio.streams`: a byte buffer fed
 * by a transport (`feedData`, `feedEof`, `setException`) and read by one
 * coroutine at a time (`read`, `readline`, `readexactly`, `readuntil`).
 *
 * Why it is built so: the reader knows nothing of WebSockets; whatever
 * feeds it (here `openWebSocketStreams`'s pump task) plays CPython's
 * protocol. It asks its transport to pause when more than twice `limit`
 * bytes wait and to resume once a read brings them under `limit`, as
 * CPython does, so a reader that lags stops the feeding.
 */
import { AsyncioError, ValueError } from "../asyncio/errors.js";
import type { EventLoop } from "../asyncio/event-loop.js";
import type { Future } from "../asyncio/future.js";
import type { Coroutine } from "../asyncio/types.js";
import { describe, isError, isInstance } from "../core/errors.js";
import { RuntimeError } from "../core/state.js";
import { loopOption } from "./asyncio-events.js";
import { checkOptions } from "./target.js";

/** The default buffer limit, as CPython's `_DEFAULT_LIMIT`: 64 KiB. */
export const DEFAULT_STREAM_LIMIT = 2 ** 16;

const EMPTY = new Uint8Array(0);

/**
 * The stream ended before `expected` bytes (or a separator) arrived;
 * `partial` holds what did. As CPython's, whose base is `EOFError`.
 */
export class IncompleteReadError extends AsyncioError {
  static override readonly errorName: string = "IncompleteReadError";
  constructor(
    /** The bytes read before the end. */ readonly partial: Uint8Array,
    /** The bytes asked for; `null` for a read up to a separator. */ readonly expected: number | null,
  ) {
    super(`${partial.length} bytes read on a total of ${expected === null ? "undefined" : String(expected)} expected bytes`);
  }
}

/**
 * `readuntil` (or `readline`) found no separator within the buffer's
 * limit, or found it beyond; `consumed` is how many bytes to skip to go on.
 */
export class LimitOverrunError extends AsyncioError {
  static override readonly errorName: string = "LimitOverrunError";
  constructor(
    message: string,
    /** Bytes to consume (`readexactly(consumed)`) before reading on. */ readonly consumed: number,
  ) {
    super(message);
  }
}

/** What a `StreamReader` asks of whatever feeds it. */
export interface ReaderTransport {
  /** More than twice the limit waits: stop feeding. */
  pauseReading(): void;
  /** A read brought the buffer under the limit: feed again. */
  resumeReading(): void;
}

/** Options of `new StreamReader`. */
export interface StreamReaderOptions {
  /** The buffer's limit in bytes (default 64 KiB): `readline` refuses longer lines, and feeding pauses past twice it. */
  limit?: number | undefined;
  /** The loop its waits run on (default: the running loop). */
  loop?: EventLoop | undefined;
}

function checkBytes(what: string, data: unknown): asserts data is Uint8Array {
  if (!isInstance(data, Uint8Array)) {
    if (typeof data === "string") throw new TypeError(`${what} needs bytes (a Uint8Array), got ${describe(data)}. Encode text first: new TextEncoder().encode(text).`);
    throw new TypeError(`${what} needs bytes (a Uint8Array), got ${describe(data)}.`);
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  outer: for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * asyncio's `StreamReader`: bytes from a transport, read by one coroutine
 * at a time. Made by `openWebSocketStreams`; a reader of your own (fed by
 * hand with `feedData`/`feedEof`) serves tests and other transports.
 */
export class StreamReader {
  /** The buffer's limit in bytes. */
  readonly limit: number;
  private readonly loop: EventLoop;
  private buffer: Uint8Array = new Uint8Array(256);
  private start = 0;
  private end = 0;
  private eof = false;
  private error: Error | null = null;
  private waiter: Future<void> | null = null;
  private transport: ReaderTransport | null = null;
  private paused = false;

  constructor(options: StreamReaderOptions = {}) {
    checkOptions("new StreamReader(options)", options);
    const limit = options.limit ?? DEFAULT_STREAM_LIMIT;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit <= 0) {
      throw new ValueError(`StreamReader's limit must be a whole number of bytes above 0 (default 65536), got ${describe(limit)}.`);
    }
    this.limit = limit;
    this.loop = loopOption("new StreamReader(options)", options);
  }

  /** Bytes waiting in the buffer. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** The error the transport ended with (`setException`), or `null`. */
  exception(): Error | null {
    return this.error;
  }

  /** True once the transport has ended (`feedEof`) and every byte has been read. */
  atEof(): boolean {
    return this.eof && this.buffered === 0;
  }

  /** @internal The transport that feeds it, asked to pause and resume. */
  setTransport(transport: ReaderTransport): void {
    if (this.transport !== null) throw new RuntimeError("This StreamReader already has a transport.");
    this.transport = transport;
  }

  /** Makes every read after the buffered bytes raise `error` (the transport failed); wakes a waiting read. */
  setException(error: Error): void {
    if (!isError(error)) throw new TypeError(`StreamReader.setException(error) needs an Error (reads raise it), got ${describe(error)}.`);
    this.error = error;
    const waiter = this.waiter;
    if (waiter !== null) {
      this.waiter = null;
      if (!waiter.cancelled()) waiter.setException(error);
    }
  }

  /** Adds bytes from the transport. Not after `feedEof`. */
  feedData(data: Uint8Array): void {
    checkBytes("feedData(data)", data);
    if (this.eof) throw new RuntimeError("feedData() after feedEof(): the stream has ended.");
    if (data.length === 0) return;
    this.append(data);
    this.wakeup();
    if (this.transport !== null && !this.paused && this.buffered > 2 * this.limit) {
      this.paused = true;
      this.transport.pauseReading();
    }
  }

  /** The transport has ended: reads return what is buffered, then the end. */
  feedEof(): void {
    this.eof = true;
    this.wakeup();
  }

  /**
   * Up to `n` bytes (at least one, unless the stream has ended: then an
   * empty array). With `n` < 0 (the default), everything up to the end.
   */
  *read(n = -1): Coroutine<Uint8Array> {
    checkCount("read(n)", n, true);
    if (this.error !== null) throw this.error;
    if (n === 0) return EMPTY;
    if (n < 0) {
      // In blocks of `limit`, as CPython, so the transport is never paused by this read itself.
      const blocks: Uint8Array[] = [];
      try {
        for (;;) {
          const block = yield* this.read(this.limit);
          if (block.length === 0) return concat(blocks);
          blocks.push(block);
        }
      } catch (error) {
        // Cancelled (or the transport failed) part way: what was taken goes back, so nothing is lost.
        if (blocks.length > 0) this.unread(concat(blocks));
        throw error;
      }
    }
    if (this.buffered === 0 && !this.eof) yield* this.waitForData("read");
    return this.take(Math.min(n, this.buffered));
  }

  /**
   * Exactly `n` bytes; `IncompleteReadError` (with the bytes read) if the
   * stream ends first.
   */
  *readexactly(n: number): Coroutine<Uint8Array> {
    checkCount("readexactly(n)", n, false);
    if (this.error !== null) throw this.error;
    if (n === 0) return EMPTY;
    while (this.buffered < n) {
      if (this.eof) throw new IncompleteReadError(this.take(this.buffered), n);
      yield* this.waitForData("readexactly");
    }
    return this.take(n);
  }

  /**
   * The bytes up to and including the next `\n`. At the end of the stream,
   * what is left (maybe empty). A line longer than `limit` raises
   * `ValueError` and is dropped from the buffer (up to its separator, if it
   * has arrived).
   */
  *readline(): Coroutine<Uint8Array> {
    const separator = NEWLINE;
    try {
      return yield* this.readuntil(separator);
    } catch (error) {
      if (error instanceof IncompleteReadError) return error.partial;
      if (error instanceof LimitOverrunError) {
        // As CPython: drop the line up to its separator if that has arrived, else everything buffered.
        const at = this.start + error.consumed;
        const separatorNext = this.end - at >= separator.length && separator.every((byte, i) => this.buffer[at + i] === byte);
        this.start = separatorNext ? at + separator.length : this.end;
        this.maybeResume();
        throw new ValueError(error.message);
      }
      throw error;
    }
  }

  /**
   * The bytes up to and including `separator` (default `\n`).
   * `IncompleteReadError` (with the rest) if the stream ends first;
   * `LimitOverrunError` (bytes left in the buffer) if the separator is not
   * within `limit`.
   */
  *readuntil(separator: Uint8Array = NEWLINE): Coroutine<Uint8Array> {
    checkBytes("readuntil(separator)", separator);
    if (separator.length === 0) throw new ValueError("readuntil(separator): the separator should be at least one byte.");
    if (this.error !== null) throw this.error;
    let offset = 0;
    let found: number;
    for (;;) {
      const length = this.buffered;
      if (length - offset >= separator.length) {
        const at = indexOf(this.buffer.subarray(0, this.end), separator, this.start + offset);
        if (at !== -1) {
          found = at - this.start;
          break;
        }
        offset = length + 1 - separator.length;
        if (offset > this.limit) throw new LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
      }
      if (this.eof) throw new IncompleteReadError(this.take(this.buffered), null);
      yield* this.waitForData("readuntil");
    }
    if (found > this.limit) throw new LimitOverrunError("Separator is found, but chunk is longer than limit", found);
    return this.take(found + separator.length);
  }

  toString(): string {
    // As CPython's repr: only what differs from a fresh reader.
    const parts = ["StreamReader"];
    if (this.buffered > 0) parts.push(`${this.buffered} bytes`);
    if (this.eof) parts.push("eof");
    if (this.limit !== DEFAULT_STREAM_LIMIT) parts.push(`limit=${this.limit}`);
    if (this.waiter !== null) parts.push("waiter");
    if (this.error !== null) parts.push(`exception=${this.error.name}`);
    if (this.paused) parts.push("paused");
    return `<${parts.join(" ")}>`;
  }

  private *waitForData(what: string): Coroutine<void> {
    if (this.waiter !== null) {
      throw new RuntimeError(`${what}() called while another coroutine is already waiting for incoming data: read from one coroutine at a time.`);
    }
    if (this.paused) {
      this.paused = false;
      this.transport?.resumeReading();
    }
    const waiter = this.loop.createFuture<void>();
    this.waiter = waiter;
    try {
      yield* waiter; // raises the transport's error if setException woke it
    } finally {
      if (this.waiter === waiter) this.waiter = null;
    }
  }

  private wakeup(): void {
    const waiter = this.waiter;
    if (waiter === null) return;
    this.waiter = null;
    if (!waiter.cancelled()) waiter.setResult(undefined);
  }

  /** Puts `data` back in front of the buffered bytes (a read that did not finish). */
  private unread(data: Uint8Array): void {
    const next = new Uint8Array(Math.max(256, (data.length + this.buffered) * 2));
    next.set(data);
    next.set(this.buffer.subarray(this.start, this.end), data.length);
    this.end = data.length + this.buffered;
    this.start = 0;
    this.buffer = next;
    if (this.transport !== null && !this.paused && this.buffered > 2 * this.limit) {
      this.paused = true;
      this.transport.pauseReading();
    }
  }

  private append(data: Uint8Array): void {
    const length = this.buffered;
    if (this.end + data.length > this.buffer.length) {
      // Compact, and grow if the live bytes still do not fit.
      if (length + data.length <= this.buffer.length) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array((length + data.length) * 2);
        next.set(this.buffer.subarray(this.start, this.end));
        this.buffer = next;
      }
      this.start = 0;
      this.end = length;
    }
    this.buffer.set(data, this.end);
    this.end += data.length;
  }

  /** The next `n` buffered bytes, as a copy the caller owns. */
  private take(n: number): Uint8Array {
    const out = this.buffer.slice(this.start, this.start + n);
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
    this.maybeResume();
    return out;
  }

  private maybeResume(): void {
    if (this.paused && this.buffered <= this.limit) {
      this.paused = false;
      this.transport?.resumeReading();
    }
  }
}

const NEWLINE = new Uint8Array([10]);

function checkCount(what: string, n: unknown, negativeOk: boolean): asserts n is number {
  if (typeof n !== "number" || !Number.isInteger(n)) throw new TypeError(`${what} needs a whole number of bytes, got ${describe(n)}.`);
  if (!negativeOk && n < 0) throw new ValueError(`${what}: the size can not be less than zero, got ${n}.`);
}

function concat(blocks: Uint8Array[]): Uint8Array {
  if (blocks.length === 1) return blocks[0]!;
  let size = 0;
  for (const b of blocks) size += b.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
