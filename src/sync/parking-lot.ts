/**
 * ParkingLot: the fair queue of blocked tasks that every other primitive in
 * this folder is built from, as in Trio.
 *
 * Why it is built so:
 * - The queue is an intrusive doubly linked list, so parking, waking the
 *   first task and removing a cancelled task from the middle are all O(1),
 *   even with tens of thousands of waiters. (A `Map` keeps order too, but
 *   popping from its front repeatedly walks over deleted slots.)
 * - A task is blocked in at most one place at a time, so each task owns one
 *   list node, found through a WeakMap and reused for every park: steady-state
 *   parking allocates nothing but the generator.
 * - One shared abort function serves every parked task. It removes the node
 *   from whichever lot holds it *now* (`node.lot`), so a task moved by
 *   `repark` is still cleaned up correctly when it is cancelled.
 * - A lot may carry a label, the primitive it belongs to, which is what the
 *   inspector shows a parked task waiting on (a Lock rather than its lot).
 */
import { BrokenResourceError, describe, checkReadable, isInstance } from "../core/errors.js";
import { requireTask } from "../core/state.js";
import { beginWait, waitsWith, type Task } from "../core/task.js";
import { Abort, PARK, type AbortTask, type Operation } from "../core/traps.js";

/** Counters of a `ParkingLot`. */
export interface ParkingLotStatistics {
  /** How many tasks are parked in the lot. */
  tasksWaiting: number;
}

/** How many tasks `unpark`/`repark` act on. */
export interface UnparkOptions {
  /** A non-negative integer, or Infinity for all. Default 1. */
  count?: number | undefined;
}

class ParkedNode {
  lot: ParkingLot | null = null;
  prev: ParkedNode | null = null;
  next: ParkedNode | null = null;
  constructor(readonly task: Task) {}
}

const nodes = new WeakMap<Task, ParkedNode>();

/**
 * Whether the node's task is still parked by this lot's park(). Code that
 * steps park() by hand and drops it leaves its node behind while the task
 * goes on, waits elsewhere or ends: that wait is not the lot's to end.
 */
function stillParked(node: ParkedNode): boolean {
  return waitsWith(node.task, abortParked);
}

function abortParked(_raiseCancel: () => Error, blocked: AbortTask): Abort {
  const node = nodes.get(blocked as Task);
  if (node !== undefined && node.lot !== null) node.lot.unlink(node);
  return Abort.SUCCEEDED;
}

/** @internal Checks a count of tasks: a non-negative integer or Infinity. */
export function checkCount(what: string, count: unknown): number {
  if (count === Infinity) return count;
  if (typeof count !== "number") {
    throw new TypeError(`${what} needs a count that is a non-negative integer or Infinity, got ${describe(count)}.`);
  }
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`${what} needs a count that is a non-negative integer or Infinity, got ${count}.`);
  }
  return count;
}

function readCount(what: string, options: UnparkOptions | undefined): number {
  if (options === undefined) return 1;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${what} takes an options object such as { count: 2 } (or nothing for one task), got ${describe(options)}.`);
  }
  checkReadable(what, options);
  return options.count === undefined ? 1 : checkCount(what, options.count);
}

/**
 * A fair (FIFO) queue of parked tasks: the low-level building block of
 * locks, events and the rest. `yield* lot.park()` blocks the running task
 * until another task (or a plain callback) calls `unpark()`; cancelling a
 * parked task removes it from the lot.
 */
export class ParkingLot {
  private head: ParkedNode | null = null;
  private tail: ParkedNode | null = null;
  private length = 0;
  /** @internal What a task parked here is shown waiting on (the primitive owning the lot). */
  label: unknown = this;
  /** @internal Why the lot is broken (see breakLot), or null while it works. */
  brokenBecause: string | null = null;

  /** How many tasks are parked here. */
  get size(): number {
    return this.length;
  }

  /**
   * Blocks the running task until `unpark` wakes it. Cancellable: a
   * cancelled task leaves the lot and raises `Cancelled`.
   */
  *park(): Operation<void> {
    const task = requireTask("ParkingLot.park()");
    if (this.brokenBecause !== null) throw new BrokenResourceError(this.brokenBecause);
    beginWait(task, abortParked);
    this.append(task);
    task.waitingOn = this.label;
    yield PARK;
  }

  /**
   * Wakes the first `count` parked tasks (default 1; Infinity for all), in
   * the order they parked, and returns them.
   */
  unpark(options?: UnparkOptions): Task[] {
    return this.wake(readCount("ParkingLot.unpark()", options));
  }

  /** @internal Wakes the first parked task and returns it, or null if none: `unpark()` without the array. */
  unparkOne(): Task | null {
    for (let node = this.head; node !== null; node = this.head) {
      this.unlink(node);
      if (!stillParked(node)) continue;
      node.task.runner.reschedule(node.task, undefined, false);
      return node.task;
    }
    return null;
  }

  /** Wakes every parked task and returns them, oldest first. */
  unparkAll(): Task[] {
    return this.wake(Infinity);
  }

  /**
   * Moves the first `count` parked tasks (default 1) to the end of
   * `newLot`, without waking them: they wake when `newLot` unparks them.
   */
  repark(newLot: ParkingLot, options?: UnparkOptions): void {
    if (!isInstance(newLot, ParkingLot)) {
      throw new TypeError(`ParkingLot.repark(newLot) needs a ParkingLot to move tasks to, got ${describe(newLot)}.`);
    }
    this.move(newLot, readCount("ParkingLot.repark()", options));
  }

  /** Moves every parked task to the end of `newLot`, in order. */
  reparkAll(newLot: ParkingLot): void {
    if (!isInstance(newLot, ParkingLot)) {
      throw new TypeError(`ParkingLot.reparkAll(newLot) needs a ParkingLot to move tasks to, got ${describe(newLot)}.`);
    }
    this.move(newLot, Infinity);
  }

  /**
   * @internal Breaks the lot, as Trio (0.27.0 and later) does when a lock's
   * owner ends without releasing it: nothing can ever wake its tasks. Each
   * parked task, and each that parks here later, raises
   * `BrokenResourceError` with `reason`, so the run ends instead of
   * waiting forever. So does a task reparked here (Trio's repark would
   * leave it parked for good).
   */
  breakLot(reason: string): void {
    if (this.brokenBecause !== null) return;
    this.brokenBecause = reason;
    while (this.head !== null) this.wakeBroken(this.head);
  }

  private wakeBroken(node: ParkedNode): void {
    this.unlink(node);
    if (stillParked(node)) node.task.runner.reschedule(node.task, new BrokenResourceError(this.brokenBecause!), true);
  }

  /** @internal Whether `task` is parked here now (not woken, cancelled, or a park stepped by hand and dropped). */
  holds(task: Task): boolean {
    const node = nodes.get(task);
    return node !== undefined && node.lot === this && stillParked(node);
  }

  /** Counters for tools and tests. */
  statistics(): ParkingLotStatistics {
    return { tasksWaiting: this.length };
  }

  /** A short description for logs and tools. */
  toString(): string {
    return `<ParkingLot ${this.length} waiting>`;
  }

  /** @internal Removes a node; used by the abort function. */
  unlink(node: ParkedNode): void {
    if (node.prev === null) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
    node.lot = null;
    this.length--;
  }

  private append(task: Task): void {
    let node = nodes.get(task);
    if (node === undefined) {
      node = new ParkedNode(task);
      nodes.set(task, node);
    } else if (node.lot !== null) {
      // A task blocks in one place at a time; a stale entry would be woken twice.
      node.lot.unlink(node);
    }
    this.link(node);
  }

  private link(node: ParkedNode): void {
    node.lot = this;
    node.prev = this.tail;
    node.next = null;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.length++;
  }

  private wake(count: number): Task[] {
    const woken: Task[] = [];
    while (woken.length < count && this.head !== null) {
      const node = this.head;
      this.unlink(node);
      if (!stillParked(node)) continue;
      woken.push(node.task);
      node.task.runner.reschedule(node.task, undefined, false);
    }
    return woken;
  }

  private move(newLot: ParkingLot, count: number): void {
    // Take exactly the tasks parked now: reparking into this same lot must not loop forever.
    let moved = 0;
    for (let left = this.length; moved < count && left > 0; left--) {
      const node = this.head!;
      this.unlink(node);
      if (!stillParked(node)) continue;
      newLot.link(node);
      node.task.waitingOn = newLot.label;
      if (newLot.brokenBecause !== null) newLot.wakeBroken(node);
      moved++;
    }
  }
}
