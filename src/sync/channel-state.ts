/**
 * The shared state of a memory channel, kept apart from the public handles
 * in channel.ts so that it is not a public name.
 *
 * Blocked senders and receivers wait in FIFO lines (ring deques, see
 * core/ring-deque.ts), which is fair and costs no allocation per wait; a
 * Map and a Set did the same with a hash entry per wait and an iterator
 * per wake, and showed as a fifth of a ping-pong's time in profiles. A
 * cancelled waiter is found by a scan from the head. The abort functions
 * are made once per channel (the scheduler passes them the task), so
 * parking allocates no closure.
 */
import { beginWait, waitsWith, type Task } from "../core/task.js";
import { Abort, type AbortFn, type AbortTask } from "../core/traps.js";
import { RingDeque } from "../core/ring-deque.js";
import { BrokenResourceError, EndOfChannel } from "../core/errors.js";

/** What `statistics()` of either end of a memory channel reports. */
export interface MemoryChannelStatistics {
  /** Values sitting in the buffer now. */
  readonly currentBufferUsed: number;
  /** The buffer's capacity, as given to `openMemoryChannel` (may be `Infinity`). */
  readonly maxBufferSize: number;
  /** Send handles (the original and its clones) not yet closed. */
  readonly openSendChannels: number;
  /** Receive handles not yet closed. */
  readonly openReceiveChannels: number;
  /** Tasks blocked in `send`. */
  readonly tasksWaitingSend: number;
  /** Tasks blocked in `receive`. */
  readonly tasksWaitingReceive: number;
}

/** @internal The state both ends and all their clones share. */
export class ChannelState {
  readonly buffer: RingDeque<unknown>;
  openSend = 1;
  openReceive = 1;
  /** Blocked senders, oldest first, and the value each one is sending (same positions). */
  private readonly senders = new RingDeque<Task>(4);
  private readonly sendValues = new RingDeque<unknown>(4);
  /** Blocked receivers, oldest first. */
  private readonly receivers = new RingDeque<Task>(4);
  private readonly abortSend: AbortFn;
  private readonly abortReceive: AbortFn;

  constructor(readonly maxBufferSize: number) {
    // Presize for small buffers; a big or unbounded one grows as it fills.
    this.buffer = new RingDeque<unknown>(Math.min(16, Math.max(1, maxBufferSize)));
    // Cancelled waiters are usually the oldest ones (cancellation reaches
    // tasks in the order they blocked), so the scan from the head is short.
    this.abortSend = (_raiseCancel: () => Error, task: AbortTask) => {
      const i = this.senders.indexOf(task as Task);
      if (i !== -1) {
        this.senders.removeAt(i);
        this.sendValues.removeAt(i);
      }
      return Abort.SUCCEEDED;
    };
    this.abortReceive = (_raiseCancel: () => Error, task: AbortTask) => {
      this.receivers.remove(task as Task);
      return Abort.SUCCEEDED;
    };
  }

  statistics(): MemoryChannelStatistics {
    return {
      currentBufferUsed: this.buffer.size,
      maxBufferSize: this.maxBufferSize,
      openSendChannels: this.openSend,
      openReceiveChannels: this.openReceive,
      tasksWaitingSend: this.senders.size,
      tasksWaitingReceive: this.receivers.size,
    };
  }

  /** Blocks `task` in send(value): it waits in line until a receiver takes the value. */
  parkSender(task: Task, value: unknown): void {
    beginWait(task, this.abortSend);
    this.senders.push(task);
    this.sendValues.push(value);
  }

  /** Blocks `task` in receive(): it waits in line for a value. */
  parkReceiver(task: Task): void {
    beginWait(task, this.abortReceive);
    this.receivers.push(task);
  }

  /**
   * Takes back the wait of `task` (the current one), whose operation was
   * ended by return() or throw() while it waited: its code stepped it by hand.
   */
  withdraw(task: Task, sending: boolean): void {
    const abort = sending ? this.abortSend : this.abortReceive;
    if (task.abortFn !== abort) return;
    abort(() => new Error(), task);
    task.abortFn = null;
    task.waitingOn = null;
  }

  /** Hands `value` to a waiting receiver or buffers it; false if it would block. */
  trySend(value: unknown): boolean {
    while (this.receivers.size > 0) {
      // The oldest waiting receiver. The buffer is empty whenever receivers wait.
      const task = this.receivers.shift();
      // Passed over if it no longer waits here: its code stepped the
      // receive by hand and dropped it (the task ended or waits elsewhere).
      if (!waitsWith(task, this.abortReceive)) continue;
      task.runner.reschedule(task, value, false);
      return true;
    }
    if (this.buffer.size < this.maxBufferSize) {
      this.buffer.push(value);
      return true;
    }
    return false;
  }

  /** True if a value can be received now (one is buffered, or a sender waits). */
  canReceive(): boolean {
    return this.buffer.size > 0 || this.liveSender();
  }

  /** Whether a sender waits, after taking out of line those whose send was dropped (see trySend). */
  private liveSender(): boolean {
    const senders = this.senders;
    while (senders.size > 0) {
      const task = senders.at(0);
      if (waitsWith(task, this.abortSend)) return true;
      senders.shift();
      this.sendValues.shift();
    }
    return false;
  }

  /**
   * Takes the next value (there must be one, see canReceive), moving the
   * oldest blocked sender's value into the buffer and waking that sender.
   * A boolean and a take, not one call that answers a sentinel: comparing
   * a value of any type with a sentinel was a generic StrictEqual call in V8.
   */
  receiveNow(): unknown {
    const buffer = this.buffer;
    if (this.liveSender()) {
      const task = this.senders.shift();
      const value = this.sendValues.shift();
      task.runner.reschedule(task, undefined, false);
      if (buffer.size === 0) return value;
      buffer.push(value);
    }
    return buffer.shift();
  }

  /** Wakes with `error()` the senders blocked on `handle` (every sender if `handle` is null). */
  failSenders(handle: unknown, error: () => Error): void {
    this.failWaiters(this.senders, this.sendValues, handle, error);
  }

  /** Wakes with `error()` the receivers blocked on `handle` (every receiver if `handle` is null). */
  failReceivers(handle: unknown, error: () => Error): void {
    this.failWaiters(this.receivers, null, handle, error);
  }

  private failWaiters(waiters: RingDeque<Task>, values: RingDeque<unknown> | null, handle: unknown, error: () => Error): void {
    // Rare (close()): rebuild the line without the woken tasks, keeping order.
    const n = waiters.size;
    for (let i = 0; i < n; i++) {
      const task = waiters.shift();
      const value = values?.shift();
      if (!waitsWith(task, values === null ? this.abortReceive : this.abortSend)) {
        // Dropped (see trySend): out of line.
      } else if (handle === null || task.waitingOn === handle) {
        task.runner.reschedule(task, error(), true);
      } else {
        waiters.push(task);
        values?.push(value);
      }
    }
  }
}

/** @internal */
export function brokenError(): BrokenResourceError {
  return new BrokenResourceError("Every receive handle of the channel was closed: nobody will receive this value.");
}

/** @internal */
export function endError(): EndOfChannel {
  return new EndOfChannel("Every send handle of the channel was closed and its buffer is empty.");
}
