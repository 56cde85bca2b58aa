/**
 * Event: a one-shot flag that tasks can wait for, as in Trio.
 *
 * Why it is built so: once set, an Event stays set (there is no `clear`, as
 * in Trio: a resettable event invites lost wake-ups; make a new Event
 * instead). Waiters park in a ParkingLot, so cancelling one is O(1) and
 * setting wakes them in the order they came. `set()` needs no task, so a
 * plain callback (a DOM event, a Promise) can set it.
 */
import { checkpoint } from "../core/operations.js";
import type { Operation } from "../core/traps.js";
import { ParkingLot } from "./parking-lot.js";

/** Counters of an `Event`. */
export interface EventStatistics {
  /** How many tasks are blocked in `wait()`. */
  tasksWaiting: number;
}

/**
 * A flag that starts unset and can be set once. `yield* event.wait()`
 * blocks until it is set; it is always a checkpoint, even when the event is
 * already set.
 */
export class Event {
  private flag = false;
  private readonly lot = new ParkingLot();

  constructor() {
    this.lot.label = this;
  }

  /** True once `set()` has been called. */
  isSet(): boolean {
    return this.flag;
  }

  /** Sets the flag and wakes every waiting task. Idempotent; works outside tasks too. */
  set(): void {
    if (this.flag) return;
    this.flag = true;
    this.lot.unparkAll();
  }

  /** Blocks until the event is set. A checkpoint (cancellable) in every case. */
  *wait(): Operation<void> {
    if (this.flag) {
      yield* checkpoint();
    } else {
      yield* this.lot.park();
    }
  }

  /** Counters for tools and tests. */
  statistics(): EventStatistics {
    return { tasksWaiting: this.lot.size };
  }

  /** A short description for logs and tools. */
  toString(): string {
    return `<Event ${this.flag ? "set" : "unset"}, ${this.lot.size} waiting>`;
  }
}
