/**
 * Condition: wait until another task says the state you need may hold, as
 * in Trio.
 *
 * Why it is built so: waiters park in the condition's own ParkingLot.
 * `notify` does not wake them; it *moves* them into the lock's queue, so a
 * notified task wakes already owning the lock, in FIFO order, with no
 * stampede of tasks that wake only to block on the lock again. A waiter that
 * is cancelled re-acquires the lock inside a shielded scope before the
 * `Cancelled` goes on, so `wait()` always ends with the lock held, as the
 * caller's `finally { release() }` expects.
 */
import { CancelScope } from "../core/cancel-scope.js";
import { describe, isInstance } from "../core/errors.js";
import { RuntimeError, requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { Lock, type LockStatistics } from "./lock.js";
import { ParkingLot, checkCount } from "./parking-lot.js";

/** Counters of a `Condition`. */
export interface ConditionStatistics {
  /** How many tasks are blocked in `wait()` and not yet notified. */
  tasksWaiting: number;
  /** The statistics of the underlying lock. */
  lockStatistics: LockStatistics;
}

/**
 * A condition variable over a `Lock`. Hold the lock, check your state, and
 * `yield* condition.wait()` until it changes; whoever changes it calls
 * `notify()` or `notifyAll()` while holding the lock.
 */
export class Condition {
  private readonly _lock: Lock;
  private readonly lot = new ParkingLot();

  /** @param lock the lock to use; by default a new `Lock`. */
  constructor(lock?: Lock) {
    if (lock !== undefined && !isInstance(lock, Lock)) {
      throw new TypeError(`new Condition(lock) takes a Lock (or nothing, to make its own), got ${describe(lock)}.`);
    }
    this._lock = lock ?? new Lock();
    this.lot.label = this;
  }

  /** The underlying lock. */
  get lock(): Lock {
    return this._lock;
  }

  /** True while some task holds the lock. */
  locked(): boolean {
    return this._lock.locked();
  }

  /** Takes the underlying lock without blocking (see `Lock.acquireNowait`). */
  acquireNowait(): void {
    this._lock.acquireNowait();
  }

  /** Takes the underlying lock (see `Lock.acquire`). */
  acquire(): Operation<void> {
    return this._lock.acquire();
  }

  /** Releases the underlying lock (see `Lock.release`). */
  release(): void {
    this._lock.release();
  }

  /** Runs `body` while holding the underlying lock (see `Lock.withLock`). */
  withLock<T>(body: () => Operation<T>): Operation<T> {
    return this._lock.withLock(body);
  }

  /**
   * Releases the lock, waits for `notify`, and re-acquires the lock before
   * returning. The caller must hold the lock. If cancelled, it still
   * re-acquires the lock (shielded from the cancellation) before raising
   * `Cancelled`. Always a checkpoint.
   */
  *wait(): Operation<void> {
    const task = requireTask("Condition.wait()");
    if (this._lock.holder !== task) {
      throw new RuntimeError("Condition.wait(): the calling task must hold the condition's lock; acquire it first (for example inside withLock).");
    }
    this._lock.release();
    try {
      // notify() moves us into the lock's queue; we wake up owning the lock.
      yield* this.lot.park();
    } catch (error) {
      const lock = this._lock;
      yield* new CancelScope({ shield: true }).run(() => lock.acquire());
      throw error;
    }
  }

  /**
   * Wakes `n` waiting tasks (default 1; Infinity for all), oldest first:
   * each returns from `wait()` once it gets the lock. The caller must hold
   * the lock.
   */
  notify(n = 1): void {
    checkCount("Condition.notify(n)", n);
    this.checkHolder("notify");
    this.lot.repark(this._lock.lot, { count: n });
    this.watchNotifier();
  }

  /** Wakes every waiting task (see `notify`). The caller must hold the lock. */
  notifyAll(): void {
    this.checkHolder("notifyAll");
    this.lot.reparkAll(this._lock.lot);
    this.watchNotifier();
  }

  /** The notified now wait in the lock's queue: should its holder (the notifier) end holding it, the lock breaks for them. */
  private watchNotifier(): void {
    if (this._lock.lot.size > 0) this._lock.watchHolder();
  }

  /** Counters for tools and tests. */
  statistics(): ConditionStatistics {
    return { tasksWaiting: this.lot.size, lockStatistics: this._lock.statistics() };
  }

  /** A short description for logs and tools. */
  toString(): string {
    return `<Condition ${this.lot.size} waiting, lock ${this._lock.locked() ? "held" : "free"}>`;
  }

  private checkHolder(what: string): void {
    const task = requireTask(`Condition.${what}()`);
    if (this._lock.holder !== task) {
      throw new RuntimeError(`Condition.${what}(): the calling task must hold the condition's lock; acquire it first.`);
    }
  }
}
