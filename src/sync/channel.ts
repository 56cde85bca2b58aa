/**
 * Memory channels, with Trio's semantics: `openMemoryChannel(n)` gives a send
 * end and a receive end sharing one state (a buffer of at most `n` values and
 * the queues of blocked tasks, see channel-state.ts). Each end can be cloned;
 * the channel breaks or ends only when the *last* handle of a kind is closed.
 *
 * Why it is built so:
 * - Which handle a task is blocked on is read from `task.waitingOn` (set for
 *   the inspector anyway), so the hot path keeps no per-handle task sets; only
 *   the rare `close()` scans the waiters for its own.
 * - The abort functions are made once per channel (they get the task as an
 *   argument), the buffer and the lines of blocked tasks are rings (see
 *   core/ring-deque.ts), and `send`/`receive` are small iterators that yield
 *   the core's shared trap results (see channel-ops.ts), so a message costs
 *   one small object.
 * - `send` and `receive` are checkpoints even when they do not block, as in
 *   Trio: a cancellation check before, a cancel-shielded schedule point after.
 */
import { ClosedResourceError, EndOfChannel, WouldBlock, describe } from "../core/errors.js";
import { checkpoint } from "../core/operations.js";
import type { Operation } from "../core/traps.js";
import { ChannelState, brokenError, endError, type MemoryChannelStatistics } from "./channel-state.js";
import { forEachReceived, receiveOrEnd } from "./receive-loop.js";
import { receiveOperation, sendOperation } from "./channel-ops.js";

export type { MemoryChannelStatistics } from "./channel-state.js";

/** What `receiveOrEnd()` returns: a value, or the end of the channel. */
export type ReceiveResult<T> = { readonly done: false; readonly value: T } | { readonly done: true; readonly value?: undefined };


function checkBufferSize(maxBufferSize: unknown): number {
  if (typeof maxBufferSize !== "number") {
    throw new TypeError(
      `openMemoryChannel(maxBufferSize) takes a number: 0 for an unbuffered channel, a positive integer, or Infinity; got ${describe(maxBufferSize)}.`,
    );
  }
  if (maxBufferSize === Infinity) return maxBufferSize;
  if (!Number.isInteger(maxBufferSize) || maxBufferSize < 0) {
    throw new RangeError(
      `openMemoryChannel(maxBufferSize) needs a non-negative integer or Infinity, got ${String(maxBufferSize)}.`,
    );
  }
  return maxBufferSize;
}

/**
 * Opens an in-memory channel and returns its two ends, `[send, receive]`.
 *
 * `maxBufferSize` is how many sent values may wait for a receiver before
 * `send` blocks: `0` makes every send a rendezvous with a receiver,
 * `Infinity` never blocks a sender (use with care: nothing slows a fast
 * producer down).
 *
 * ```ts
 * const [tx, rx] = openMemoryChannel<number>(0);
 * yield* openNursery(function* (n) {
 *   n.startSoon(function* () {
 *     for (let i = 0; i < 3; i++) yield* tx.send(i);
 *     tx.close();
 *   });
 *   yield* rx.forEach(function* (value) { console.log(value); });
 * });
 * ```
 *
 * Plain (non-task) code at the edges of an app, such as a DOM event
 * listener, uses `send.sendNowait(value)` and `receive.receiveNowait()`:
 * they never block and need no running task.
 */
export function openMemoryChannel<T>(maxBufferSize: number): [MemorySendChannel<T>, MemoryReceiveChannel<T>] {
  const state = new ChannelState(checkBufferSize(maxBufferSize));
  const ends: [MemorySendChannel<T>, MemoryReceiveChannel<T>] = [new MemorySendChannel<T>(state), new MemoryReceiveChannel<T>(state)];
  if (shapeKeepers === null) keepShapes();
  return ends;
}

/**
 * One channel and one operation of each direction, kept alive and never
 * used, from the first channel on: V8 drops the optimized code of a class
 * whose instances are all gone after a full GC (its maps die with them), and
 * a page's channels come and go between bursts of work. With these alive,
 * the channel's hot paths stay compiled across GCs, as the core's and the
 * asyncio loop's keepers do for theirs (issue 17: a ping-pong after a full
 * GC ran 4.5-5.6x a raw Promise hand-off, warm 2.9x).
 */
let shapeKeepers: readonly object[] | null = null;

function keepShapes(): void {
  shapeKeepers = [];
  const firstFreeId = nextHandleId;
  const state = new ChannelState(0);
  const send = new MemorySendChannel<unknown>(state);
  const receive = new MemoryReceiveChannel<unknown>(state);
  shapeKeepers = [state, send, receive, sendOperation(send, undefined), receiveOperation(receive)];
  // They take no ids: the page's next channel numbers on from its last.
  nextHandleId = firstFreeId;
}

/** @internal For tests: what keepShapes keeps (empty until the first channel). */
export const channelShapeKeepersNow = (): readonly object[] => shapeKeepers ?? [];

let nextHandleId = 1;

/**
 * The send end of a memory channel (or a clone of it). Close it when done:
 * receivers see `EndOfChannel` once every send handle is closed and the
 * buffer is drained.
 */
export class MemorySendChannel<T> {
  /** Unique among the page's channel handles, for tools and messages. */
  readonly id: number = nextHandleId++;
  /** @internal read by the operations (channel-ops.ts); `closed` is the public view */ isClosed = false;

  /** @internal Use `openMemoryChannel` or `clone()`. */
  constructor(/** @internal */ readonly state: ChannelState) {}

  /** True once this handle was closed (other clones may still be open). */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Sends a value, blocking while the buffer is full (or, unbuffered, until a
   * receiver takes it). Always a checkpoint. If the send is cancelled while
   * blocked, the value is not delivered.
   *
   * Raises `ClosedResourceError` if this handle is (or gets) closed,
   * `BrokenResourceError` if every receive handle is (or gets) closed.
   */
  send(value: T): Operation<void> {
    return sendOperation(this, value);
  }

  /**
   * Sends a value if that can be done without blocking, else raises
   * `WouldBlock`. Not a checkpoint, and usable from plain (non-task) code:
   * it is how callbacks and event listeners feed a channel.
   */
  sendNowait(value: T): void {
    if (this.isClosed) throw this.closedError("sendNowait");
    const state = this.state;
    if (state.openReceive === 0) throw brokenError();
    if (!state.trySend(value)) {
      throw new WouldBlock(
        `The channel's buffer is full (maxBufferSize ${state.maxBufferSize}) and no receiver is waiting; ` +
          `use yield* send(value) to wait for room.`,
      );
    }
  }

  /**
   * Another send handle on the same channel. It counts separately: the
   * channel ends only when every send handle is closed.
   */
  clone(): MemorySendChannel<T> {
    if (this.isClosed) throw this.closedError("clone");
    this.state.openSend++;
    return new MemorySendChannel<T>(this.state);
  }

  /**
   * Closes this handle; idempotent. Tasks blocked sending on it get
   * `ClosedResourceError`. If it was the last open send handle, blocked
   * receivers get `EndOfChannel` (values already buffered are still received
   * first).
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const state = this.state;
    state.failSenders(this, () => new ClosedResourceError("The send channel was closed while this task was sending on it."));
    if (--state.openSend === 0) state.failReceivers(null, () => new EndOfChannel("Every send handle of the channel was closed."));
  }

  /** `close()`, then a checkpoint: the operation form, as Trio's `aclose`. */
  *aclose(): Operation<void> {
    this.close();
    yield* checkpoint();
  }

  /** Counters of the channel (shared by all its handles). */
  statistics(): MemoryChannelStatistics {
    return this.state.statistics();
  }

  toString(): string {
    return `<MemorySendChannel #${this.id}${this.isClosed ? " closed" : ""}>`;
  }

  /** @internal */
  closedError(what: string): ClosedResourceError {
    return new ClosedResourceError(`${what}() on a send channel that was closed: this handle can no longer be used.`);
  }
}


/**
 * The receive end of a memory channel (or a clone of it). Several receivers
 * may share a channel; each value goes to exactly one of them.
 */
export class MemoryReceiveChannel<T> {
  /** Unique among the page's channel handles, for tools and messages. */
  readonly id: number = nextHandleId++;
  /** @internal read by the operations (channel-ops.ts); `closed` is the public view */ isClosed = false;

  /** @internal Use `openMemoryChannel` or `clone()`. */
  constructor(/** @internal */ readonly state: ChannelState) {}

  /** True once this handle was closed (other clones may still be open). */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Receives the next value, blocking until there is one. Always a
   * checkpoint. If cancelled while blocked, no value is consumed.
   *
   * Raises `EndOfChannel` once every send handle is closed and the buffer is
   * empty, `ClosedResourceError` if this handle is (or gets) closed.
   */
  receive(): Operation<T> {
    return receiveOperation<T>(this);
  }

  /**
   * Receives a value if one is ready, else raises `WouldBlock` (or
   * `EndOfChannel` if the channel has ended). Not a checkpoint, and usable
   * from plain (non-task) code.
   */
  receiveNowait(): T {
    if (this.isClosed) throw this.closedError("receiveNowait");
    const state = this.state;
    if (state.canReceive()) return state.receiveNow() as T;
    if (state.openSend === 0) throw endError();
    throw new WouldBlock("No value is ready on the channel; use yield* receive() to wait for one.");
  }

  /**
   * Receives the next value as `{ done: false, value }`, or `{ done: true }`
   * once the channel has ended, for hand-written loops:
   *
   * ```ts
   * for (;;) {
   *   const r = yield* rx.receiveOrEnd();
   *   if (r.done) break;
   *   use(r.value);
   * }
   * ```
   */
  receiveOrEnd(): Operation<ReceiveResult<T>> {
    return receiveOrEnd(this);
  }

  /**
   * Runs `body` for each value received, one at a time, until the channel
   * ends (every send handle closed and the buffer drained); then returns
   * normally. An error from `body` or from receiving (such as
   * `ClosedResourceError`) propagates.
   */
  forEach(body: (value: T) => Operation<unknown>): Operation<void> {
    return forEachReceived(this, body);
  }

  /**
   * Another receive handle on the same channel. It counts separately: senders
   * see `BrokenResourceError` only when every receive handle is closed.
   */
  clone(): MemoryReceiveChannel<T> {
    if (this.isClosed) throw this.closedError("clone");
    this.state.openReceive++;
    return new MemoryReceiveChannel<T>(this.state);
  }

  /**
   * Closes this handle; idempotent. Tasks blocked receiving on it get
   * `ClosedResourceError`. If it was the last open receive handle, blocked
   * senders get `BrokenResourceError` and the buffered values are dropped.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const state = this.state;
    state.failReceivers(this, () => new ClosedResourceError("The receive channel was closed while this task was receiving on it."));
    if (--state.openReceive === 0) {
      state.failSenders(null, brokenError);
      state.buffer.clear();
    }
  }

  /** `close()`, then a checkpoint: the operation form, as Trio's `aclose`. */
  *aclose(): Operation<void> {
    this.close();
    yield* checkpoint();
  }

  /** Counters of the channel (shared by all its handles). */
  statistics(): MemoryChannelStatistics {
    return this.state.statistics();
  }

  toString(): string {
    return `<MemoryReceiveChannel #${this.id}${this.isClosed ? " closed" : ""}>`;
  }

  /** @internal */
  closedError(what: string): ClosedResourceError {
    return new ClosedResourceError(`${what}() on a receive channel that was closed: this handle can no longer be used.`);
  }
}
