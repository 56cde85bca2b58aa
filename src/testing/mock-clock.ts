/**
 * A clock for tests. Time stands still (rate 0) unless you `jump()` it, run
 * it at a `rate`, or let it autojump: with `autojumpThreshold` set, whenever
 * every task has been blocked that long in real time, the clock leaps to the
 * next deadline. With a threshold of 0 a test of "sleep for an hour" takes
 * microseconds and its result never depends on the machine's load.
 */
import { realSeconds, type Clock, type ClockListener } from "../core/clock.js";
import { idleWatch } from "../core/idle.js";
import { Runner } from "../core/runner.js";
import { checkReadable, describe } from "../core/errors.js";

/** Options of `new MockClock()`. */
export interface MockClockOptions {
  /** Virtual seconds per real second (default 0: time moves only by jumps). */
  rate?: number | undefined;
  /** Real seconds of idleness after which the clock jumps to the next deadline (default Infinity: never). */
  autojumpThreshold?: number | undefined;
}

/** A controllable clock: see the module comment. */
export class MockClock implements Clock {
  private virtualBase = 0;
  private realBase = 0;
  private _rate = 0;
  private _autojumpThreshold = Infinity;
  private readonly listeners = new Set<ClockListener>();

  constructor(options: MockClockOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`new MockClock(options) takes an options object such as { autojumpThreshold: 0 }, got ${options === null ? "null" : typeof options}.`);
    }
    checkReadable("new MockClock(options)", options);
    // Each option read once: a getter's second answer could differ from the one checked.
    const { rate, autojumpThreshold } = options;
    if (rate !== undefined) this.rate = rate;
    if (autojumpThreshold !== undefined) this.autojumpThreshold = autojumpThreshold;
  }

  /** Virtual seconds per real second. */
  get rate(): number {
    return this._rate;
  }
  set rate(value: number) {
    if (typeof value !== "number" || !(value >= 0) || value === Infinity) {
      throw new RangeError(`MockClock rate must be a finite number >= 0, got ${describe(value)}.`);
    }
    this.virtualBase = this.currentTime();
    this.realBase = realSeconds();
    this._rate = value;
    this.notify();
  }

  /** Real seconds of idleness before the clock jumps to the next deadline (Infinity: never). */
  get autojumpThreshold(): number {
    return this._autojumpThreshold;
  }
  set autojumpThreshold(value: number) {
    if (typeof value !== "number" || !(value >= 0)) {
      throw new RangeError(`MockClock autojumpThreshold must be a number of seconds >= 0 (Infinity to disable), got ${describe(value)}.`);
    }
    this._autojumpThreshold = value;
    this.notify();
  }

  startClock(): void {}

  currentTime(): number {
    if (this._rate === 0) return this.virtualBase;
    return this.virtualBase + (realSeconds() - this.realBase) * this._rate;
  }

  deadlineToSleepTime(deadline: number): number {
    const virtual = deadline - this.currentTime();
    if (virtual <= 0) return 0;
    if (this._rate > 0) return virtual / this._rate;
    return Infinity;
  }

  /**
   * Moves time forward by `seconds`, a finite number >= 0. Raises
   * `RangeError` for a negative jump (time is monotonic) and for NaN or
   * Infinity: after a jump to Infinity the time would be Infinity, so
   * every later sleep would end at Infinity, that is never.
   */
  jump(seconds: number): void {
    if (typeof seconds !== "number") throw new TypeError(`MockClock.jump(seconds) takes a number of seconds, got ${describe(seconds)}.`);
    if (!Number.isFinite(seconds)) {
      throw new RangeError(`MockClock.jump(seconds) needs a finite number of seconds, got ${String(seconds)}.`);
    }
    if (seconds < 0) throw new RangeError(`MockClock.jump() cannot go backwards: time is monotonic (got ${seconds}).`);
    this.virtualBase = this.currentTime() + seconds;
    this.realBase = realSeconds();
    this.notify();
  }

  /**
   * @internal Called by a run when idle past the threshold. Runs sharing
   * this clock jump together: only while every one is idle with no
   * waitAllTasksBlocked() waiter due, and no further than the earliest
   * deadline of any (one run's jump must not carry another past its own).
   */
  autojump(deadline: number): void {
    for (const run of this.listeners) {
      if (!(run instanceof Runner) || run.finished) continue;
      const waiter = run.idle?.waiters[0];
      if (!run.idleStillCurrent(run.idleEpoch) || (waiter !== undefined && waiter.cushion !== Infinity)) return;
      deadline = Math.min(deadline, run.deadlines.earliest());
    }
    if (deadline > this.currentTime()) {
      this.virtualBase = deadline;
      this.realBase = realSeconds();
      // The other runs hear of it, as of a jump(), and wake what is due.
      if (this.listeners.size > 1) this.notify();
    }
  }

  /**
   * @internal A run starting on this clock: it will hear of jumps, and gets
   * the idle watch that drives autojump (the core ships without it).
   */
  attach(listener: ClockListener): () => void {
    idleWatch(listener);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener.clockChanged();
  }

  toString(): string {
    return `<MockClock time=${this.currentTime().toFixed(4)} rate=${this._rate}>`;
  }
}
