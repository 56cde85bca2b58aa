/**
 * Lock and StrictFIFOLock: mutual exclusion between tasks, as in Trio.
 *
 * Why it is built so: the lock is fair. `release()` hands ownership straight
 * to the first waiter before waking it, so a task that releases and at once
 * re-acquires cannot barge ahead of the queue; `acquireNowait` succeeds only
 * when nobody is waiting. A lock has an owner task: only the owner may
 * release it, and the owner acquiring again is reported as the deadlock it
 * would be. `acquire()` is a checkpoint even when the lock is free: it raises
 * if the task is already cancelled, and yields after taking the lock.
 *
 * An owner that ends without releasing (it forgot, or its code had no
 * try/finally) would leave its waiters parked forever and their run
 * unsettled. As in Trio (0.27.0 and later), the lock then breaks: its
 * waiters, and every later acquire, raise BrokenResourceError naming the
 * task. The owner is watched only while someone waits, so an uncontended
 * lock costs nothing more; a waiter that comes after the owner has ended
 * breaks the lock itself.
 */
import { RuntimeError, requireTask } from "../core/state.js";
import { BrokenResourceError, WouldBlock } from "../core/errors.js";
import { checkpoint } from "../core/operations.js";
import type { Task } from "../core/task.js";
import { SCHEDULE_POINT, type Operation } from "../core/traps.js";
import { holding } from "./holding.js";
import { ParkingLot } from "./parking-lot.js";

/** Counters of a `Lock`. */
export interface LockStatistics {
  /** True while some task holds the lock. */
  locked: boolean;
  /** The task holding the lock, or null. */
  owner: Task | null;
  /** How many tasks are blocked in `acquire()`. */
  tasksWaiting: number;
}

/**
 * A fair mutual-exclusion lock owned by the task that acquired it. Use
 * `yield* lock.withLock(function* () { ... })`, or `acquire()`/`release()`
 * in `try/finally`.
 */
export class Lock {
  /** @internal The task holding the lock. */
  holder: Task | null = null;
  /** @internal Waiting tasks; `release` hands the lock to the first. */
  readonly lot = new ParkingLot();

  constructor() {
    this.lot.label = this;
  }

  /** The class name used in messages. */
  protected get kind(): string {
    return "Lock";
  }

  /** True while some task holds the lock. */
  locked(): boolean {
    return this.holder !== null;
  }

  /**
   * Takes the lock without blocking; raises `WouldBlock` if it is held or
   * other tasks are waiting for it.
   */
  acquireNowait(): void {
    const task = requireTask(`${this.kind}.acquireNowait()`);
    if (!this.tryAcquire(task, "acquireNowait")) {
      throw new WouldBlock(`${this.kind}.acquireNowait(): the lock is held by another task; use yield* acquire() to wait for it.`);
    }
  }

  /**
   * Takes the lock, waiting in line (FIFO) while another task holds it. A
   * checkpoint; cancellable while waiting.
   */
  *acquire(): Operation<void> {
    const task = requireTask(`${this.kind}.acquire()`);
    if (task.scope.effective) yield* checkpoint(); // raises Cancelled
    if (this.tryAcquire(task, "acquire")) {
      yield SCHEDULE_POINT; // a cancel-shielded checkpoint: the lock is ours now
      return;
    }
    // release() makes us the owner before it wakes us.
    this.watchHolder();
    yield* this.lot.park();
  }

  /**
   * Releases the lock, handing it to the first waiting task if any. Only
   * the task that holds the lock may release it (a `RuntimeError`, as in
   * Trio); on a lock that broke (its owner ended holding it), that error
   * says so and has the `BrokenResourceError` naming the owner as its
   * `cause`.
   */
  release(): void {
    const task = requireTask(`${this.kind}.release()`);
    if (this.holder !== task) {
      // A task that waited on a lock that broke (Condition.wait re-acquiring, say) and then
      // releases it in its finally hears of the break, not a misleading "held by another
      // task". Still a RuntimeError, the error Trio raises there (Python chains the break
      // as its context; we give it as the cause).
      const broken = this.lot.brokenBecause;
      if (broken !== null) {
        throw new RuntimeError(`${this.kind}.release(): the calling ${String(task)} does not hold the lock, which is broken: ${broken}`, { cause: new BrokenResourceError(broken) });
      }
      throw new RuntimeError(
        this.holder === null
          ? `${this.kind}.release(): the lock is not held. Release only after a successful acquire().`
          : `${this.kind}.release(): the lock is held by ${String(this.holder)}, not by the calling ${String(task)}; only the owner may release it.`,
      );
    }
    watching.get(task)?.delete(this);
    this.holder = this.lot.unparkOne();
    if (this.holder !== null && this.lot.size > 0) this.watchHolder();
  }

  /**
   * @internal While tasks wait, breaks the lock if its owner ends without
   * releasing it (see the module comment). Called when a task joins the
   * queue: in acquire(), on a hand-off, and by Condition.notify.
   */
  watchHolder(): void {
    const holder = this.holder!;
    if (holder.done) return this.holderEnded(holder);
    let locks = watching.get(holder);
    if (locks === undefined) {
      // One hook per task, however many hand-offs: a hook per hand-off made
      // a chain that grew with every turn of a contended lock and overflowed
      // the stack when the task ended.
      const held = (locks = new Set());
      watching.set(holder, held);
      whenEnded(holder, () => {
        for (const lock of held) lock.holderEnded(holder);
      });
    }
    locks.add(this);
  }

  /** @internal Breaks the lock if `holder`, which has ended, still holds it. */
  holderEnded(holder: Task): void {
    if (this.holder === holder) this.lot.breakLot(`${this.kind}: ${String(holder)} ended while holding the lock, so it can never be released. Release a lock in a finally block, or use withLock().`);
  }

  /**
   * Runs `body` while holding the lock and returns its result; the lock is
   * released however the body ends.
   */
  withLock<T>(body: () => Operation<T>): Operation<T> {
    return holding(`${this.kind}.withLock()`, () => this.acquire(), () => this.release(), body);
  }

  /** Counters for tools and tests. */
  statistics(): LockStatistics {
    return { locked: this.holder !== null, owner: this.holder, tasksWaiting: this.lot.size };
  }

  /** A short description for logs and tools. */
  toString(): string {
    return `<${this.kind} ${this.holder === null ? "unlocked" : `held by ${String(this.holder)}`}, ${this.lot.size} waiting>`;
  }

  private tryAcquire(task: Task, what: string): boolean {
    if (this.holder === task) {
      throw new RuntimeError(
        `${this.kind}.${what}(): this task already holds the lock, so waiting for it would deadlock. ` +
          `Locks are not re-entrant: release it first, or acquire it once around all the work.`,
      );
    }
    if (this.holder === null && this.lot.size === 0) {
      this.holder = task;
      return true;
    }
    return false;
  }
}

/**
 * A Lock that guarantees strict FIFO hand-off: waiters get the lock in
 * exactly the order they asked for it. (This `Lock` already behaves so; the
 * separate name documents that your code relies on it, as in Trio.)
 */
export class StrictFIFOLock extends Lock {
  protected override get kind(): string {
    return "StrictFIFOLock";
  }
}

/** The locks each task holds while others wait for them, watched by one hook per task (see watchHolder). */
const watching = new WeakMap<Task, Set<Lock>>();

/**
 * Calls `ended` when `task` ends (at once if it has), in the runner's exit
 * step: the runner settles a task's Promise there before the task's
 * nursery hears of the exit, so, as in Trio, a broken lock's waiters are
 * woken with the error before a failing owner gets them cancelled. (A
 * `then` on the Promise would run only after the batch.)
 */
function whenEnded(task: Task, ended: () => void): void {
  task.promise.then(undefined, ignore); // makes the Promise; a rejection nobody else waits for is not unhandled
  if (task.done) return ended();
  const settle = task.deferred!;
  task.extras!.deferred = {
    promise: settle.promise,
    resolve(value) {
      ended();
      settle.resolve(value);
    },
    reject(error) {
      ended();
      settle.reject(error);
    },
  };
}

function ignore(): void {}
