/**
 * asyncio's Barrier (CPython 3.11+): `parties` tasks wait until all of them
 * have arrived, then all go on together.
 *
 * It is a small state machine over a Condition. FILLING: tasks arrive and
 * wait. When the last one arrives the barrier turns DRAINING and every
 * waiter leaves; tasks arriving meanwhile wait for the drain to finish, so
 * each phase (cycle) has exactly `parties` members. `reset()` sends the
 * current waiters away with BrokenBarrierError (RESETTING) and then refills;
 * `abort()` breaks the barrier until the next reset (BROKEN). A cancelled
 * waiter simply leaves; the barrier does not break. So does a wait stepped
 * by hand and dropped (see enqueueWaiter), once its Task's step ends: as a
 * task that never arrived while the barrier fills, as one that left in any
 * other state (CPython closes such a coroutine, which runs its `finally`).
 */
import { BrokenBarrierError } from "./errors.js";
import { Condition } from "./locks.js";
import { checkCount } from "./locks-core.js";
import type { Coroutine } from "./types.js";

const FILLING = 0;
const DRAINING = 1;
const RESETTING = 2;
const BROKEN = 3;
type BarrierState = typeof FILLING | typeof DRAINING | typeof RESETTING | typeof BROKEN;
const stateNames = ["filling", "draining", "resetting", "broken"] as const;

/** An asyncio Barrier for `parties` tasks. */
export class Barrier {
  private readonly cond = new Condition();
  private readonly partiesValue: number;
  private state: BarrierState = FILLING;
  private count = 0;

  /** @param parties how many tasks must call `wait()` to pass, an integer >= 1. */
  constructor(parties: number) {
    this.partiesValue = checkCount("Barrier parties", parties, 1, false);
  }

  /**
   * Waits until `parties` tasks are waiting, then returns this task's
   * arrival index in the phase (0 to parties - 1; exactly one task gets
   * each). Raises BrokenBarrierError if the barrier is reset or aborted
   * while waiting, or is broken.
   */
  *wait(): Coroutine<number> {
    const cond = this.cond;
    yield* cond.acquire();
    try {
      // Wait while the previous phase drains or a reset completes.
      yield* cond.waitFor(() => this.state !== DRAINING && this.state !== RESETTING);
      if (this.state === BROKEN) throw new BrokenBarrierError("Barrier aborted: abort() was called; reset() it to use it again.");
      const index = this.count++;
      let counted = true;
      // Undoes the arrival once: here on the way out, or by the Task when this wait is dropped (the `finally` never runs then).
      const leave = (): void => {
        if (counted) {
          counted = false;
          this.count--;
          this.leave();
        }
      };
      try {
        if (index + 1 === this.partiesValue) {
          // The last arrival releases the phase and goes on at once.
          this.state = DRAINING;
          cond.notifyAll();
        } else {
          while (this.stateNow() === FILLING) yield* cond.waitUndoing(leave);
          const state = this.stateNow();
          if (state === BROKEN || state === RESETTING) {
            throw new BrokenBarrierError("Barrier reset or aborted while this task waited.");
          }
        }
        return index;
      } finally {
        leave();
      }
    } finally {
      cond.release();
    }
  }

  /** The state, read through a call: it changes while a task waits, which TypeScript's narrowing cannot see. */
  private stateNow(): BarrierState {
    return this.state;
  }

  /**
   * The last task out of a draining or resetting barrier reopens it and
   * wakes the tasks waiting to enter. Without the lock when a dropped wait
   * leaves (its Condition.wait released it).
   */
  private leave(): void {
    if (this.count === 0) {
      if (this.state === RESETTING || this.state === DRAINING) this.state = FILLING;
      this.cond.wake(Infinity);
    }
  }

  /**
   * Returns the barrier to its initial state; tasks waiting in it get
   * BrokenBarrierError. Also repairs a broken barrier.
   */
  *reset(): Coroutine<void> {
    yield* this.cond.withLock(() => this.resetLocked());
  }

  private *resetLocked(): Coroutine<void> {
    // With tasks inside, the last one to leave reopens the barrier.
    this.state = this.count > 0 ? RESETTING : FILLING;
    this.cond.notifyAll();
  }

  /** Breaks the barrier: current and future `wait()`s raise BrokenBarrierError until `reset()`. */
  *abort(): Coroutine<void> {
    yield* this.cond.withLock(() => this.abortLocked());
  }

  private *abortLocked(): Coroutine<void> {
    this.state = BROKEN;
    this.cond.notifyAll();
  }

  /** How many tasks must wait to pass the barrier. */
  get parties(): number {
    return this.partiesValue;
  }

  /** How many tasks are waiting for the current phase to fill (0 while draining or resetting). */
  get nWaiting(): number {
    return this.state === FILLING ? this.count : 0;
  }

  /** True once `abort()` broke the barrier (until `reset()`). */
  get broken(): boolean {
    return this.state === BROKEN;
  }

  toString(): string {
    const waiting = this.state === FILLING ? `, waiters:${this.count}/${this.partiesValue}` : "";
    return `<asyncio.Barrier [${stateNames[this.state]}${waiting}]>`;
  }
}
