/**
 * asyncio's Semaphore and BoundedSemaphore, with CPython 3.13 semantics.
 *
 * The semaphore is strictly FIFO: while any live task waits, a newcomer
 * waits too even if the counter is above zero, so waiters cannot be
 * starved. `release()` hands a unit straight to the first waiter (the
 * counter is decremented on its behalf when it is woken). If that waiter is
 * cancelled before it runs, it gives the unit back and the next waiter is
 * woken instead, so a unit is never lost.
 */
import { ValueError } from "./errors.js";
import { isAbandoned, type Future } from "./future.js";
import { checkCount, enqueueWaiter, holding, LoopBound, RingDeque } from "./locks-core.js";
import type { Coroutine } from "./types.js";

/** An asyncio Semaphore: a counter of free units; `acquire()` takes one, waiting while none is free. */
export class Semaphore extends LoopBound {
  /** @internal free units not yet handed to anyone */ protected value: number;
  private readonly waiters = new RingDeque<Future<boolean>>();

  /** @param value initial number of units, an integer >= 0 (default 1). */
  constructor(value = 1) {
    super();
    this.value = checkCount(`${new.target.name} value`, value, 0, false);
  }

  /** True if `acquire()` would have to wait (no free unit, or tasks already waiting). */
  locked(): boolean {
    if (this.value === 0) return true;
    const waiters = this.waiters;
    for (let i = 0; i < waiters.size; i++) if (!waiters.at(i).cancelled() && !isAbandoned(waiters.at(i))) return true;
    return false;
  }

  /** Waits for a free unit, takes it, and returns true. */
  *acquire(): Coroutine<true> {
    if (!this.locked()) {
      this.value--;
      return true;
    }
    const fut = this.getLoop().createFuture<boolean>();
    enqueueWaiter(this.waiters, fut);
    try {
      try {
        yield* fut;
      } finally {
        this.waiters.remove(fut);
      }
    } catch (error) {
      // Woken by release() (which took a unit for us) but failing before
      // we run: give the unit back; the loop below passes it on.
      if (fut.done() && !fut.cancelled()) this.value++;
      throw error;
    } finally {
      // Tasks that queued behind us while units were free: wake as many as fit.
      while (this.value > 0 && this.wakeUpNext());
    }
    return true;
  }

  /** Returns a unit and wakes the first waiter, if any. */
  release(): void {
    this.value++;
    this.wakeUpNext();
  }

  /** Runs `body` holding one unit (Python's `async with sem:`), releasing it however `body` ends. */
  withLock<R>(body: () => Coroutine<R>): Coroutine<R> {
    return holding(`${this.constructor.name}.withLock(body)`, () => this.acquire(), () => this.release(), body);
  }

  private wakeUpNext(): boolean {
    const waiters = this.waiters;
    for (let i = 0; i < waiters.size; i++) {
      const fut = waiters.at(i);
      if (!fut.done() && !isAbandoned(fut)) {
        this.value--;
        fut.setResult(true);
        return true;
      }
    }
    return false;
  }

  override toString(): string {
    const waiting = this.waiters.size > 0 ? `, waiters:${this.waiters.size}` : "";
    const state = this.locked() ? "locked" : `unlocked, value:${this.value}`;
    return `<asyncio.${this.constructor.name} [${state}${waiting}]>`;
  }
}

/** A Semaphore whose `release()` raises ValueError if it would exceed the initial value. */
export class BoundedSemaphore extends Semaphore {
  private readonly boundValue: number;

  /** @param value initial and maximum number of units, an integer >= 0 (default 1). */
  constructor(value = 1) {
    super(value);
    this.boundValue = value;
  }

  /** Returns a unit; ValueError if every unit is already free. */
  override release(): void {
    if (this.value >= this.boundValue) {
      throw new ValueError(`BoundedSemaphore released too many times: it already has all ${this.boundValue} units; release() must match an acquire().`);
    }
    super.release();
  }
}
