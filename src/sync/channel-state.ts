/**
 * The shared state of a memory channel, kept apart from the public handles
 * in channel.ts so that it is not a public name.
 *
 * Blocked senders live in a `Map<Task, value>` and blocked receivers in a
 * `Set<Task>`: both keep insertion order (FIFO fairness) and remove a
 * cancelled waiter in O(1). The abort functions are made once per channel
 * (the scheduler passes them the task), so parking allocates no closure.
 */
import type { Task } from "../core/task.js";
import { Abort, type AbortFn, type AbortTask } from "../core/traps.js";
import { RingDeque } from "../core/ring-deque.js";

/** Marks "no value available" inside the module, distinct from any value a user sends. */
export const NOTHING: unknown = Symbol("nothing");

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
  /** Blocked senders and the value each one is sending, oldest first. */
  readonly sendWaiters = new Map<Task, unknown>();
  /** Blocked receivers, oldest first. */
  readonly receiveWaiters = new Set<Task>();
  readonly abortSend: AbortFn;
  readonly abortReceive: AbortFn;

  constructor(readonly maxBufferSize: number) {
    // Presize for small buffers; a big or unbounded one grows as it fills.
    this.buffer = new RingDeque<unknown>(Math.min(16, Math.max(1, maxBufferSize)));
    this.abortSend = (_raiseCancel: () => Error, task: AbortTask) => {
      this.sendWaiters.delete(task as Task);
      return Abort.SUCCEEDED;
    };
    this.abortReceive = (_raiseCancel: () => Error, task: AbortTask) => {
      this.receiveWaiters.delete(task as Task);
      return Abort.SUCCEEDED;
    };
  }

  statistics(): MemoryChannelStatistics {
    return {
      currentBufferUsed: this.buffer.size,
      maxBufferSize: this.maxBufferSize,
      openSendChannels: this.openSend,
      openReceiveChannels: this.openReceive,
      tasksWaitingSend: this.sendWaiters.size,
      tasksWaitingReceive: this.receiveWaiters.size,
    };
  }

  /** Hands `value` to a waiting receiver or buffers it; false if it would block. */
  trySend(value: unknown): boolean {
    const receivers = this.receiveWaiters;
    if (receivers.size > 0) {
      // The oldest waiting receiver. The buffer is empty whenever receivers wait.
      let task!: Task;
      for (task of receivers) break;
      receivers.delete(task);
      task.runner.reschedule(task, value, false);
      return true;
    }
    if (this.buffer.size < this.maxBufferSize) {
      this.buffer.push(value);
      return true;
    }
    return false;
  }

  /**
   * Takes the next value, moving the oldest blocked sender's value into the
   * buffer (and waking that sender). Returns `NOTHING` if there is none.
   */
  tryReceive(): unknown {
    const senders = this.sendWaiters;
    const buffer = this.buffer;
    if (senders.size > 0) {
      let task!: Task;
      for (task of senders.keys()) break;
      const value = senders.get(task);
      senders.delete(task);
      task.runner.reschedule(task, undefined, false);
      if (buffer.size === 0) return value;
      buffer.push(value);
    }
    if (buffer.size > 0) return buffer.shift();
    return NOTHING;
  }
}
