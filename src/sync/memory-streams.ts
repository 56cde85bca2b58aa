/**
 * In-memory byte streams for tests, with the semantics of Trio's
 * trio.testing memory streams: `MemorySendStream` and `MemoryReceiveStream`
 * each wrap an unbounded byte queue, and hooks connect them.
 * `memoryStreamOneWayPair()` connects a send stream to a receive stream so
 * that whatever is sent moves across at once (its hooks "pump" the data);
 * `memoryStreamPair()` staples two of those into a pair of two-way streams.
 *
 * Why hooks: a test can replace them to pump by hand, slowly, or in odd
 * chunk sizes, and so test a protocol against every arrival pattern a real
 * network may produce. The two checkpoints at the start of `sendAll` and
 * `receiveSome` (as in Trio) give a second task the chance to collide with
 * the first, so a protocol that lets two tasks use one stream fails with
 * `BusyResourceError` in tests rather than in production.
 */
import { BrokenResourceError, ClosedResourceError, WouldBlock, checkReadable, describe } from "../core/errors.js";
import { callTaskFunction, checkFunction } from "../core/nursery.js";
import { checkpoint } from "../core/operations.js";
import type { Operation } from "../core/traps.js";
import { ParkingLot } from "./parking-lot.js";
import {
  ConflictDetector,
  EMPTY_BYTES,
  StapledStream,
  checkBytes,
  checkMaxBytes,
  forEachChunk,
  receiveClosedError,
  receiveConflictDetector,
  sendConflictDetector,
  type ReceiveStream,
  type SendStream,
} from "./streams.js";

/**
 * An unbounded queue of bytes. `close()` is like closing the send end of a
 * channel: puts are refused, and gets return what is left, then an empty
 * chunk forever.
 */
class UnboundedByteQueue {
  private chunks: Uint8Array[] = [];
  /** The first chunk not yet taken: chunks are taken by index, as shift() on a long array is O(n). */
  private head = 0;
  private size = 0;
  private closed = false;
  private readonly lot = new ParkingLot();
  private readonly fetching = new ConflictDetector(
    "Another task is already taking data from this memory stream: take it from one task at a time.",
  );

  constructor(label: unknown) {
    this.lot.label = label;
  }

  put(data: Uint8Array): void {
    if (this.closed) throw new ClosedResourceError("The virtual connection is closed: nothing more can be sent on it.");
    // Copied: the caller may reuse its buffer once sendAll returns.
    if (data.length > 0) {
      this.chunks.push(data.slice());
      this.size += data.length;
    }
    this.lot.unparkAll();
  }

  close(): void {
    this.closed = true;
    this.lot.unparkAll();
  }

  closeAndWipe(): void {
    this.chunks = [];
    this.head = this.size = 0;
    this.close();
  }

  getNowait(what: string, maxBytes?: number): Uint8Array {
    this.fetching.enter();
    try {
      const limit = checkMaxBytes(what, maxBytes);
      if (!this.closed && this.size === 0) throw new WouldBlock("No data is waiting; use the blocking form to wait for some.");
      return this.take(limit);
    } finally {
      this.fetching.exit();
    }
  }

  *get(what: string, maxBytes?: number): Operation<Uint8Array> {
    this.fetching.enter();
    try {
      const limit = checkMaxBytes(what, maxBytes);
      if (!this.closed && this.size === 0) yield* this.lot.park();
      else yield* checkpoint();
      return this.take(limit);
    } finally {
      this.fetching.exit();
    }
  }

  get pending(): number {
    return this.size;
  }

  /** Up to `limit` bytes (all if undefined) from the front; empty only when nothing is there. */
  private take(limit: number | undefined): Uint8Array {
    const n = limit === undefined ? this.size : Math.min(limit, this.size);
    if (n === 0) return EMPTY_BYTES;
    const chunks = this.chunks;
    let out = chunks[this.head]!;
    if (out.length === n) {
      this.head++;
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const chunk = chunks[this.head]!;
        const k = Math.min(chunk.length, n - filled);
        out.set(k === chunk.length ? chunk : chunk.subarray(0, k), filled);
        filled += k;
        if (k === chunk.length) this.head++;
        else chunks[this.head] = chunk.subarray(k);
      }
    }
    this.size -= n;
    // Drop the taken chunks once they are all gone, or once they are most of the array.
    if (this.head === chunks.length) chunks.length = this.head = 0;
    else if (this.head >= 64 && this.head * 2 >= chunks.length) {
      chunks.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }
}

/**
 * The hooks given to a memory stream's constructor, checked there so that a
 * slip (a number, an async function, null for the whole object) is named at
 * once rather than as an engine error at the first send. A hook is a plain
 * field a test may swap later, so each call checks it again (runHook).
 */
function readHooks<H extends object>(what: string, hooks: H | undefined, operations: readonly (keyof H & string)[], close: keyof H & string): Partial<H> {
  if (hooks === undefined) return {};
  if (hooks === null || typeof hooks !== "object") {
    throw new TypeError(`${what} takes an object of hooks (or nothing), got ${describe(hooks)}.`);
  }
  checkReadable(what, hooks);
  for (const name of operations) {
    const hook = hooks[name];
    if (hook != null) checkFunction(`${what}: ${name}`, hook);
  }
  checkCloseHook(`${what}: ${close}`, hooks[close]);
  return hooks;
}

function checkCloseHook(what: string, hook: unknown): void {
  if (hook != null && typeof hook !== "function") {
    throw new TypeError(`${what} must be a function (or null for none), got ${describe(hook)}.`);
  }
}

/** Runs an operation hook if there is one; one that is not a generator function is named. */
function* runHook(what: string, hook: (() => Operation<void>) | null | undefined): Operation<void> {
  if (hook != null) yield* callTaskFunction(what, hook, []);
}

/** Runs a close hook if there is one. */
function runCloseHook(what: string, hook: (() => void) | null | undefined): void {
  checkCloseHook(what, hook);
  if (hook != null) hook();
}

/** Hooks of a `MemorySendStream`, called after the data is queued, or on close. */
export interface MemorySendStreamHooks {
  /** Runs at the end of every `sendAll` (after the data is queued). */
  sendAllHook?: ((() => Operation<void>) | null) | undefined;
  /** Runs at the end of every `waitSendAllMightNotBlock`. */
  waitSendAllMightNotBlockHook?: ((() => Operation<void>) | null) | undefined;
  /** Runs at the end of `close()`. */
  closeHook?: ((() => void) | null) | undefined;
}

/**
 * A `SendStream` that queues what is sent, for tests: read it back with
 * `getData`/`getDataNowait`, or connect it to a receive stream with
 * `memoryStreamOneWayPair`. The hooks are plain fields, so a test may swap
 * them at any time.
 */
export class MemorySendStream implements SendStream {
  /** Runs after `sendAll` queued its data (null: none). */
  sendAllHook: (() => Operation<void>) | null;
  /** Runs in `waitSendAllMightNotBlock` (null: none). */
  waitSendAllMightNotBlockHook: (() => Operation<void>) | null;
  /** Runs at the end of `close()` (null: none). */
  closeHook: (() => void) | null;
  private readonly sending = sendConflictDetector();
  private readonly outgoing = new UnboundedByteQueue(this);

  constructor(hooks?: MemorySendStreamHooks) {
    hooks = readHooks("new MemorySendStream(hooks)", hooks, ["sendAllHook", "waitSendAllMightNotBlockHook"], "closeHook");
    this.sendAllHook = hooks.sendAllHook ?? null;
    this.waitSendAllMightNotBlockHook = hooks.waitSendAllMightNotBlockHook ?? null;
    this.closeHook = hooks.closeHook ?? null;
  }

  /** Queues `data`, then runs `sendAllHook`. Raises `ClosedResourceError` once this stream is closed. */
  *sendAll(data: Uint8Array): Operation<void> {
    checkBytes("MemorySendStream.sendAll(data)", data);
    this.sending.enter();
    try {
      yield* checkpoint();
      yield* checkpoint();
      this.outgoing.put(data);
      yield* runHook("MemorySendStream.sendAllHook", this.sendAllHook);
    } finally {
      this.sending.exit();
    }
  }

  /** Runs `waitSendAllMightNotBlockHook` (never blocks by itself). */
  *waitSendAllMightNotBlock(): Operation<void> {
    this.sending.enter();
    try {
      yield* checkpoint();
      yield* checkpoint();
      this.outgoing.put(EMPTY_BYTES);
      yield* runHook("MemorySendStream.waitSendAllMightNotBlockHook", this.waitSendAllMightNotBlockHook);
    } finally {
      this.sending.exit();
    }
  }

  /** Closes the stream (the reader sees the end after the queued data), then runs `closeHook`. */
  close(): void {
    this.outgoing.close();
    runCloseHook("MemorySendStream.closeHook", this.closeHook);
  }

  /** `close()`, then a checkpoint. */
  *aclose(): Operation<void> {
    this.close();
    yield* checkpoint();
  }

  /** Takes up to `maxBytes` of the queued data (all if left out), waiting for some; empty once closed and drained. */
  getData(maxBytes?: number): Operation<Uint8Array> {
    return this.outgoing.get("MemorySendStream.getData(maxBytes)", maxBytes);
  }

  /** As `getData`, but raises `WouldBlock` instead of waiting. */
  getDataNowait(maxBytes?: number): Uint8Array {
    return this.outgoing.getNowait("MemorySendStream.getDataNowait(maxBytes)", maxBytes);
  }

  /** Bytes queued and not yet taken. */
  get pendingBytes(): number {
    return this.outgoing.pending;
  }
}

/** Hooks of a `MemoryReceiveStream`. */
export interface MemoryReceiveStreamHooks {
  /** Runs at the start of every `receiveSome`, before it looks for data. */
  receiveSomeHook?: ((() => Operation<void>) | null) | undefined;
  /** Runs at the end of `close()`. */
  closeHook?: ((() => void) | null) | undefined;
}

/**
 * A `ReceiveStream` fed by hand (`putData`, `putEof`) or by a connected
 * `MemorySendStream`, for tests.
 */
export class MemoryReceiveStream implements ReceiveStream {
  /** Runs at the start of every `receiveSome`, before it looks for data (null: none). */
  receiveSomeHook: (() => Operation<void>) | null;
  /** Runs at the end of `close()` (null: none). */
  closeHook: (() => void) | null;
  private closed = false;
  private readonly receiving = receiveConflictDetector();
  private readonly incoming = new UnboundedByteQueue(this);

  constructor(hooks?: MemoryReceiveStreamHooks) {
    hooks = readHooks("new MemoryReceiveStream(hooks)", hooks, ["receiveSomeHook"], "closeHook");
    this.receiveSomeHook = hooks.receiveSomeHook ?? null;
    this.closeHook = hooks.closeHook ?? null;
  }

  /**
   * Returns up to `maxBytes` of the data put in (all that is there if left
   * out), waiting for some; an empty chunk after `putEof()`.
   */
  *receiveSome(maxBytes?: number): Operation<Uint8Array> {
    checkMaxBytes("MemoryReceiveStream.receiveSome(maxBytes)", maxBytes);
    this.receiving.enter();
    try {
      yield* checkpoint();
      yield* checkpoint();
      if (this.closed) throw receiveClosedError();
      yield* runHook("MemoryReceiveStream.receiveSomeHook", this.receiveSomeHook);
      const data = yield* this.incoming.get("MemoryReceiveStream.receiveSome(maxBytes)", maxBytes);
      // Closed while waiting: the wipe woke us with nothing, which is not an end of stream.
      if (this.closed) throw receiveClosedError();
      return data;
    } finally {
      this.receiving.exit();
    }
  }

  /** Runs `body` for each chunk until the end (see `forEachChunk`). */
  forEach(body: (chunk: Uint8Array) => Operation<unknown>): Operation<void> {
    return forEachChunk(this, body);
  }

  /** Closes the stream and drops the data not yet received; then runs `closeHook`. Idempotent. */
  close(): void {
    this.closed = true;
    this.incoming.closeAndWipe();
    runCloseHook("MemoryReceiveStream.closeHook", this.closeHook);
  }

  /** `close()`, then a checkpoint. */
  *aclose(): Operation<void> {
    this.close();
    yield* checkpoint();
  }

  /** Adds `data` for `receiveSome` to return. Raises `ClosedResourceError` after `putEof()` or `close()`. */
  putData(data: Uint8Array): void {
    checkBytes("MemoryReceiveStream.putData(data)", data);
    this.incoming.put(data);
  }

  /** Marks the end of the data: once it is drained, `receiveSome` returns an empty chunk. */
  putEof(): void {
    this.incoming.close();
  }

  /** Bytes put in and not yet received. */
  get pendingBytes(): number {
    return this.incoming.pending;
  }
}

/**
 * Moves data from `sendStream`'s queue into `receiveStream` (at most
 * `maxBytes`, all if left out), or the end of stream if `sendStream` was
 * closed. Returns false if there was nothing to move. Raises
 * `BrokenResourceError` if `receiveStream` was closed: the sender learns
 * that nobody will read what it sends.
 */
export function memoryStreamPump(sendStream: MemorySendStream, receiveStream: MemoryReceiveStream, maxBytes?: number): boolean {
  let data: Uint8Array;
  try {
    data = sendStream.getDataNowait(maxBytes);
  } catch (error) {
    if (error instanceof WouldBlock) return false;
    throw error;
  }
  try {
    if (data.length === 0) receiveStream.putEof();
    else receiveStream.putData(data);
  } catch (error) {
    if (error instanceof ClosedResourceError) {
      throw new BrokenResourceError("The receiving MemoryReceiveStream was closed: nobody will read what is sent.", { cause: error });
    }
    throw error;
  }
  return true;
}

/**
 * A connected `[MemorySendStream, MemoryReceiveStream]`: what is sent is
 * moved across at once, with unbounded buffering (so `sendAll` never
 * blocks). Replace the send stream's hooks to control delivery by hand.
 */
export function memoryStreamOneWayPair(): [MemorySendStream, MemoryReceiveStream] {
  const sendStream = new MemorySendStream();
  const receiveStream = new MemoryReceiveStream();
  const pump = () => {
    memoryStreamPump(sendStream, receiveStream);
  };
  function* asyncPump(): Operation<void> {
    pump();
  }
  sendStream.sendAllHook = asyncPump;
  sendStream.closeHook = pump;
  return [sendStream, receiveStream];
}

/**
 * Two connected two-way streams: what one sends, the other receives (two
 * one-way pairs, stapled crosswise). Unbounded buffering, as
 * `memoryStreamOneWayPair`.
 */
export function memoryStreamPair(): [
  StapledStream<MemorySendStream, MemoryReceiveStream>,
  StapledStream<MemorySendStream, MemoryReceiveStream>,
] {
  const [send1, receive1] = memoryStreamOneWayPair();
  const [send2, receive2] = memoryStreamOneWayPair();
  return [new StapledStream(send1, receive2), new StapledStream(send2, receive1)];
}
