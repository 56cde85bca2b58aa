/**
 * CapacityLimiter: at most N borrowers at once, as in Trio.
 *
 * Why it is built so: unlike a Semaphore, each token is held by a named
 * borrower (the running task by default, or any value you pass to the
 * `OnBehalfOf` variants, such as a worker's handle), so the limiter can
 * catch a borrower acquiring twice or releasing what it never took, and
 * `statistics()` can list who holds the tokens. It is fair: waiters are
 * served strictly in order, and a freed token goes straight to the first
 * waiter. `totalTokens` may change at any time; raising it wakes as many
 * waiters as now fit.
 */
import { RuntimeError, requireTask } from "../core/state.js";
import { WouldBlock, describe } from "../core/errors.js";
import { checkpoint } from "../core/operations.js";
import type { Task } from "../core/task.js";
import { SCHEDULE_POINT, type Operation } from "../core/traps.js";
import { holding } from "./holding.js";
import { ParkingLot } from "./parking-lot.js";

/** Counters of a `CapacityLimiter`. */
export interface CapacityLimiterStatistics {
  /** How many tokens are held. */
  borrowedTokens: number;
  /** The limiter's capacity. */
  totalTokens: number;
  /** Who holds the tokens (tasks, or what was passed to the `OnBehalfOf` methods). */
  borrowers: unknown[];
  /** How many tasks are blocked waiting for a token. */
  tasksWaiting: number;
}

// 0 is allowed, as in Trio: a limiter of no tokens is paused, and raising
// totalTokens later lets the waiters in.
function checkTotalTokens(value: unknown): number {
  if (value === Infinity) return value;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`CapacityLimiter totalTokens must be a non-negative integer or Infinity, got ${describe(value)}.`);
  }
  if (value < 0) {
    throw new RangeError(`CapacityLimiter totalTokens must be at least 0 (or Infinity), got ${value}.`);
  }
  return value;
}

function checkBorrower(what: string, borrower: unknown): void {
  if (borrower === undefined || borrower === null) {
    throw new TypeError(`${what} needs a borrower (any value that identifies who holds the token), got ${String(borrower)}.`);
  }
}

/**
 * Limits how many borrowers may hold a token at once. A task takes a token
 * with `yield* limiter.acquire()` and gives it back with `release()`, or
 * uses `yield* limiter.withToken(function* () { ... })`.
 */
export class CapacityLimiter {
  private _totalTokens: number;
  private readonly borrowerSet = new Set<unknown>();
  /** Blocked tasks and whom they wait for; `waitingBorrowers` is the same the other way round, for O(1) checks. */
  private readonly pending = new Map<Task, unknown>();
  private readonly waitingBorrowers = new Map<unknown, Task>();
  private readonly lot = new ParkingLot();

  /** @param totalTokens the capacity: an integer >= 0 (0 admits nobody until raised), or Infinity. */
  constructor(totalTokens: number) {
    this._totalTokens = checkTotalTokens(totalTokens);
    this.lot.label = this;
  }

  /**
   * The capacity. Settable at any time: raising it wakes waiters that now
   * fit; lowering it below `borrowedTokens` takes effect as tokens return.
   */
  get totalTokens(): number {
    return this._totalTokens;
  }
  set totalTokens(value: number) {
    this._totalTokens = checkTotalTokens(value);
    this.wakeWaiters();
  }

  /** How many tokens are held. */
  get borrowedTokens(): number {
    return this.borrowerSet.size;
  }

  /** `totalTokens - borrowedTokens` (negative while the capacity was lowered below what is borrowed). */
  get availableTokens(): number {
    return this._totalTokens - this.borrowerSet.size;
  }

  /** Takes a token for the running task without blocking; raises `WouldBlock` if none is free. */
  acquireNowait(): void {
    this.nowait("acquireNowait", requireTask("CapacityLimiter.acquireNowait()"));
  }

  /** Takes a token for `borrower` without blocking; raises `WouldBlock` if none is free. Works outside tasks too. */
  acquireOnBehalfOfNowait(borrower: unknown): void {
    checkBorrower("CapacityLimiter.acquireOnBehalfOfNowait(borrower)", borrower);
    this.nowait("acquireOnBehalfOfNowait", borrower);
  }

  /** Takes a token for the running task, waiting in line while none is free. A checkpoint. */
  acquire(): Operation<void> {
    return this.acquireFor("acquire", requireTask("CapacityLimiter.acquire()"));
  }

  /** Takes a token for `borrower`, waiting in line while none is free. A checkpoint. */
  acquireOnBehalfOf(borrower: unknown): Operation<void> {
    requireTask("CapacityLimiter.acquireOnBehalfOf()");
    checkBorrower("CapacityLimiter.acquireOnBehalfOf(borrower)", borrower);
    return this.acquireFor("acquireOnBehalfOf", borrower);
  }

  /** Returns the running task's token. */
  release(): void {
    this.releaseFor("release", requireTask("CapacityLimiter.release()"));
  }

  /** Returns `borrower`'s token. Works outside tasks too. */
  releaseOnBehalfOf(borrower: unknown): void {
    checkBorrower("CapacityLimiter.releaseOnBehalfOf(borrower)", borrower);
    this.releaseFor("releaseOnBehalfOf", borrower);
  }

  /** Runs `body` while the running task holds a token and returns its result; the token is returned however the body ends. */
  withToken<T>(body: () => Operation<T>): Operation<T> {
    return holding("CapacityLimiter.withToken()", () => this.acquire(), () => this.release(), body);
  }

  /** Counters for tools and tests. */
  statistics(): CapacityLimiterStatistics {
    return {
      borrowedTokens: this.borrowerSet.size,
      totalTokens: this._totalTokens,
      borrowers: [...this.borrowerSet],
      tasksWaiting: this.lot.size,
    };
  }

  /** A short description for logs and tools. */
  toString(): string {
    return `<CapacityLimiter ${this.borrowerSet.size}/${this._totalTokens} borrowed, ${this.lot.size} waiting>`;
  }

  private checkNew(what: string, borrower: unknown): void {
    if (this.borrowerSet.has(borrower)) {
      throw new RuntimeError(
        `CapacityLimiter.${what}(): this borrower already holds one of the limiter's tokens; ` +
          `a borrower holds at most one. Release it first, or use a different borrower.`,
      );
    }
    const waiter = this.waitingBorrowers.get(borrower);
    if (waiter !== undefined) {
      if (this.lot.holds(waiter)) {
        throw new RuntimeError(`CapacityLimiter.${what}(): this borrower is already waiting for a token in another task.`);
      }
      // Its acquire was stepped by hand and dropped (no finally ran): that wait is over.
      this.pending.delete(waiter);
      this.waitingBorrowers.delete(borrower);
    }
  }

  private tryAcquire(what: string, borrower: unknown): boolean {
    this.checkNew(what, borrower);
    if (this.borrowerSet.size < this._totalTokens && this.lot.size === 0) {
      this.borrowerSet.add(borrower);
      return true;
    }
    return false;
  }

  private nowait(what: string, borrower: unknown): void {
    if (!this.tryAcquire(what, borrower)) {
      throw new WouldBlock(`CapacityLimiter.${what}(): no token is free; use the blocking variant to wait for one.`);
    }
  }

  private *acquireFor(what: string, borrower: unknown): Operation<void> {
    const task = requireTask(`CapacityLimiter.${what}()`);
    if (task.scope.effective) yield* checkpoint(); // raises Cancelled
    if (this.tryAcquire(what, borrower)) {
      yield SCHEDULE_POINT; // a cancel-shielded checkpoint: the token is ours now
      return;
    }
    // A dropped acquire of this task (see checkNew) ends here, if the borrower did not already.
    const dropped = this.pending.get(task);
    if (dropped !== undefined) this.waitingBorrowers.delete(dropped);
    this.pending.set(task, borrower);
    this.waitingBorrowers.set(borrower, task);
    try {
      // wakeWaiters() records the borrower as holding a token before it wakes us.
      yield* this.lot.park();
    } finally {
      // Cancelled while waiting: forget the wait (after a wake-up this is already done).
      if (this.pending.delete(task)) this.waitingBorrowers.delete(borrower);
    }
  }

  private releaseFor(what: string, borrower: unknown): void {
    if (!this.borrowerSet.delete(borrower)) {
      throw new RuntimeError(
        `CapacityLimiter.${what}(): this borrower holds none of the limiter's tokens. Release only a token that was acquired, once.`,
      );
    }
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const available = this._totalTokens - this.borrowerSet.size;
    for (let i = 0; i < available && this.lot.size > 0; i++) {
      const task = this.lot.unparkOne();
      if (task === null) break; // only waits dropped by hand were left
      const borrower = this.pending.get(task);
      this.pending.delete(task);
      this.waitingBorrowers.delete(borrower);
      this.borrowerSet.add(borrower);
    }
  }
}
