/**
 * asyncio's Event, Lock and Condition, with CPython 3.13 semantics.
 *
 * Each waiter is a Future of the loop, queued in FIFO order; waking a task
 * means completing its Future (the Task resumes on a later loop iteration).
 * Between being woken and running, a task may be cancelled. Every primitive
 * handles that race as CPython does, so no wakeup is lost: a Lock waiter
 * that was woken but then cancelled passes the wakeup to the next waiter,
 * and a Condition waiter always reacquires the lock before it leaves, even
 * when cancelled, then passes its notification on.
 *
 * As in asyncio (and unlike Trio), acquiring a free lock or waiting on a set
 * Event does not yield to the loop. JavaScript has no `async with`, so each
 * lock offers `withLock(body)`: acquire, run the body, release in `finally`.
 */
import { isInstance, isUnusableFunction } from "../core/errors.js";
import { CancelledError, RuntimeError } from "./errors.js";
import { isAbandoned, type Future } from "./future.js";
import { checkBody, checkCount, describe, enqueueWaiter, holding, LoopBound, RingDeque } from "./locks-core.js";
import type { Coroutine } from "./types.js";

/** An asyncio Event: a flag that tasks can wait to become set. */
export class Event extends LoopBound {
  private value = false;
  private readonly waiters = new RingDeque<Future<boolean>>();

  /** True if the flag is set (Python's `is_set()`). */
  isSet(): boolean {
    return this.value;
  }

  /** Sets the flag and wakes every waiting task; later `wait()`s return at once. */
  set(): void {
    if (this.value) return;
    this.value = true;
    const waiters = this.waiters;
    for (let i = 0; i < waiters.size; i++) {
      const fut = waiters.at(i);
      if (!fut.done()) fut.setResult(true);
    }
  }

  /** Resets the flag; tasks calling `wait()` then block until `set()`. */
  clear(): void {
    this.value = false;
  }

  /** Waits until the flag is set; returns true. Does not yield if it already is. */
  *wait(): Coroutine<true> {
    if (this.value) return true;
    const fut = this.getLoop().createFuture<boolean>();
    enqueueWaiter(this.waiters, fut);
    try {
      yield* fut;
      return true;
    } finally {
      this.waiters.remove(fut);
    }
  }

  override toString(): string {
    const waiting = this.waiters.size > 0 ? `, waiters:${this.waiters.size}` : "";
    return `<asyncio.Event [${this.value ? "set" : "unset"}${waiting}]>`;
  }
}

/**
 * An asyncio Lock: not owned by a task (any task may release it). Waiters
 * acquire it in FIFO order; a released lock goes to the first waiter even if
 * another task asks for it before that waiter runs.
 */
export class Lock extends LoopBound {
  private isLocked = false;
  private readonly waiters = new RingDeque<Future<boolean>>();

  /** True while the lock is held. */
  locked(): boolean {
    return this.isLocked;
  }

  /** Waits until the lock is free, takes it, and returns true. */
  *acquire(): Coroutine<true> {
    if (!this.isLocked && this.allWaitersCancelled()) {
      this.isLocked = true;
      return true;
    }
    const fut = this.getLoop().createFuture<boolean>();
    enqueueWaiter(this.waiters, fut);
    let woken = false;
    try {
      yield* fut;
      woken = true;
    } finally {
      this.waiters.remove(fut);
      // Cancelled (perhaps after release() chose us): if the lock is free,
      // make sure the next waiter runs, or the wakeup would be lost.
      if (!woken && !this.isLocked) this.wakeUpFirst();
    }
    this.isLocked = true;
    return true;
  }

  /** Releases the lock and wakes the first waiter; RuntimeError if it is not held. */
  release(): void {
    if (!this.isLocked) throw new RuntimeError("Lock is not acquired: release() was called more often than acquire().");
    this.isLocked = false;
    this.wakeUpFirst();
  }

  /**
   * Runs `body` while holding the lock (Python's `async with lock:`), and
   * releases it however `body` ends: `yield* lock.withLock(function* () {...})`.
   */
  withLock<R>(body: () => Coroutine<R>): Coroutine<R> {
    return holding("Lock.withLock(body)", () => this.acquire(), () => this.release(), body);
  }

  private allWaitersCancelled(): boolean {
    const waiters = this.waiters;
    for (let i = 0; i < waiters.size; i++) if (!waiters.at(i).cancelled() && !isAbandoned(waiters.at(i))) return false;
    return true;
  }

  private wakeUpFirst(): void {
    while (this.waiters.size > 0 && isAbandoned(this.waiters.at(0))) this.waiters.shift();
    if (this.waiters.size === 0) return;
    const fut = this.waiters.at(0);
    // A done head waiter has already been woken and will take the lock.
    if (!fut.done()) fut.setResult(true);
  }

  override toString(): string {
    const waiting = this.waiters.size > 0 ? `, waiters:${this.waiters.size}` : "";
    return `<asyncio.Lock [${this.isLocked ? "locked" : "unlocked"}${waiting}]>`;
  }
}

/**
 * An asyncio Condition: tasks holding its lock wait to be notified by
 * another task holding the lock. Give a Lock to share it among several
 * Conditions; by default each Condition makes its own.
 */
export class Condition extends LoopBound {
  /** The underlying lock. */
  readonly lock: Lock;
  private readonly waiters = new RingDeque<Future<boolean>>();

  /** @param lock the Lock to use (default: a new one). */
  constructor(lock?: Lock) {
    super();
    if (lock !== undefined && !isInstance(lock, Lock)) {
      throw new TypeError(`new Condition(lock) takes an asyncio Lock (or nothing, to make its own), got ${describe(lock)}.`);
    }
    this.lock = lock ?? new Lock();
  }

  /** True while the underlying lock is held. */
  locked(): boolean {
    return this.lock.locked();
  }

  /** Acquires the underlying lock. */
  acquire(): Coroutine<true> {
    return this.lock.acquire();
  }

  /** Releases the underlying lock. */
  release(): void {
    this.lock.release();
  }

  /** Runs `body` holding the underlying lock (Python's `async with cond:`). */
  withLock<R>(body: () => Coroutine<R>): Coroutine<R> {
    checkBody("Condition.withLock(body)", body);
    return this.lock.withLock(body);
  }

  /**
   * Releases the lock, waits to be notified, reacquires the lock, and
   * returns true. The lock must be held (RuntimeError otherwise). The lock
   * is reacquired even if the wait is cancelled, so the caller's `finally`
   * can rely on holding it.
   */
  wait(): Coroutine<true> {
    return this.waitUndoing(undefined);
  }

  /** @internal `wait()`, where `undo` is called if the wait is stepped by hand and dropped (see enqueueWaiter). */
  *waitUndoing(undo: (() => void) | undefined): Coroutine<true> {
    if (!this.locked()) throw new RuntimeError("Condition.wait() needs the lock: acquire it first (e.g. inside cond.withLock(...)).");
    const loop = this.getLoop();
    this.lock.release();
    let ok = false;
    try {
      try {
        const fut = loop.createFuture<boolean>();
        enqueueWaiter(this.waiters, fut, undo);
        try {
          yield* fut;
        } finally {
          this.waiters.remove(fut);
        }
      } finally {
        yield* this.reacquire();
      }
      ok = true;
      return true;
    } finally {
      // We may have been notified before failing: pass the notification on
      // (a spurious wakeup for someone is allowed; a lost one is not).
      if (!ok) this.wake(1);
    }
  }

  /**
   * Reacquires the lock whatever happens: a cancellation during the
   * reacquire is remembered and raised once the lock is held.
   */
  private *reacquire(): Coroutine<void> {
    let cancelled: CancelledError | null = null;
    for (;;) {
      try {
        yield* this.lock.acquire();
        break;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        cancelled = error;
      }
    }
    if (cancelled !== null) throw cancelled;
  }

  /**
   * Waits until `predicate()` returns a truthy value and returns that value.
   * The predicate is checked first, then after each wakeup, with the lock held.
   */
  *waitFor<R>(predicate: () => R): Coroutine<R> {
    if (typeof predicate !== "function") {
      throw new TypeError(`Condition.waitFor(predicate) needs a function returning a truthy value when done, got ${describe(predicate)}.`);
    }
    if (isUnusableFunction(predicate)) {
      throw new TypeError("Condition.waitFor(predicate) needs a function returning a truthy value when done, but this one cannot be called: reading it threw (a revoked Proxy?). Pass a plain function.");
    }
    let result = predicate();
    while (!result) {
      yield* this.wait();
      result = predicate();
    }
    return result;
  }

  /** Wakes up to `n` (default 1) waiting tasks. The lock must be held. */
  notify(n = 1): void {
    if (!this.locked()) throw new RuntimeError("Condition.notify() needs the lock: acquire it first (e.g. inside cond.withLock(...)).");
    this.wake(checkCount("Condition.notify(n): n", n, 0, true));
  }

  /** Wakes every waiting task. The lock must be held. */
  notifyAll(): void {
    this.notify(this.waiters.size);
  }

  /** @internal Wakes up to `n` waiting tasks, lock or not (a Barrier's dropped wait leaves without it). */
  wake(n: number): void {
    const waiters = this.waiters;
    let woken = 0;
    for (let i = 0; i < waiters.size && woken < n; i++) {
      const fut = waiters.at(i);
      if (!fut.done() && !isAbandoned(fut)) {
        woken++;
        fut.setResult(false);
      }
    }
  }

  override toString(): string {
    const waiting = this.waiters.size > 0 ? `, waiters:${this.waiters.size}` : "";
    return `<asyncio.Condition [${this.locked() ? "locked" : "unlocked"}${waiting}]>`;
  }
}
