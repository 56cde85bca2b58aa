/**
 * Semaphore: a counter of available permits that tasks wait on, as in Trio.
 *
 * Why it is built so: permits have no owner, so `release()` and
 * `acquireNowait()` need no task and a plain callback may call them. Like the Lock, it is fair: a release
 * with tasks waiting hands the permit straight to the first of them (the
 * value stays 0), so nobody barges ahead. An optional `maxValue` turns it
 * into a bounded semaphore that reports releasing more than was acquired.
 */
import { requireTask } from "../core/state.js";
import { WouldBlock, describe, checkReadable } from "../core/errors.js";
import { checkpoint } from "../core/operations.js";
import { SCHEDULE_POINT, type Operation } from "../core/traps.js";
import { holding } from "./holding.js";
import { ParkingLot } from "./parking-lot.js";

/** Options of a `Semaphore`. */
export interface SemaphoreOptions {
  /** The highest the value may reach; releasing past it raises. Default: no limit. */
  maxValue?: number | undefined;
}

/** Counters of a `Semaphore`. */
export interface SemaphoreStatistics {
  /** How many tasks are blocked in `acquire()`. */
  tasksWaiting: number;
}

function checkNonNegativeInteger(what: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`${what} must be a non-negative integer, got ${describe(value)}.`);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}.`);
  return value;
}

/**
 * A fair counting semaphore. `acquire()` takes one permit, waiting in line
 * while the value is 0; `release()` gives one back.
 */
export class Semaphore {
  private _value: number;
  private readonly _maxValue: number | undefined;
  private readonly lot = new ParkingLot();

  /**
   * @param initialValue how many permits are available at first (an integer >= 0).
   * @param options `maxValue`: the bound checked by `release()`.
   */
  constructor(initialValue: number, options: SemaphoreOptions = {}) {
    this._value = checkNonNegativeInteger("Semaphore initialValue", initialValue);
    if (options === null || typeof options !== "object") {
      throw new TypeError(`new Semaphore(initialValue, options) takes an options object such as { maxValue: 3 }, got ${describe(options)}.`);
    }
    checkReadable("new Semaphore(initialValue, options)", options);
    const max = options.maxValue;
    if (max !== undefined) {
      checkNonNegativeInteger("Semaphore maxValue", max);
      if (max < initialValue) {
        throw new RangeError(`Semaphore maxValue (${max}) must be at least initialValue (${initialValue}).`);
      }
    }
    this._maxValue = max;
    this.lot.label = this;
  }

  /** How many permits are available now. */
  get value(): number {
    return this._value;
  }

  /** The bound given as `maxValue`, or undefined for none. */
  get maxValue(): number | undefined {
    return this._maxValue;
  }

  /** Takes a permit without blocking; raises `WouldBlock` if none is available. Works outside tasks too. */
  acquireNowait(): void {
    if (!this.tryAcquire()) {
      throw new WouldBlock("Semaphore.acquireNowait(): no permit is available; use yield* acquire() to wait for one.");
    }
  }

  /** Takes a permit, waiting in line (FIFO) while none is available. A checkpoint. */
  *acquire(): Operation<void> {
    const task = requireTask("Semaphore.acquire()");
    if (task.scope.effective) yield* checkpoint(); // raises Cancelled
    if (this.tryAcquire()) {
      yield SCHEDULE_POINT; // a cancel-shielded checkpoint: the permit is ours now
      return;
    }
    // release() hands us the permit before it wakes us.
    yield* this.lot.park();
  }

  /**
   * Gives a permit back: to the first waiting task if any, else to the
   * value. Raises if that would exceed `maxValue`. Works outside tasks too.
   */
  release(): void {
    if (this.lot.unparkOne() !== null) return;
    if (this._maxValue !== undefined && this._value >= this._maxValue) {
      throw new RangeError(
        `Semaphore released too many times: its value is already at maxValue (${this._maxValue}). Release only permits you acquired.`,
      );
    }
    this._value++;
  }

  /** Runs `body` while holding a permit and returns its result; the permit is released however the body ends. */
  withSemaphore<T>(body: () => Operation<T>): Operation<T> {
    return holding("Semaphore.withSemaphore()", () => this.acquire(), () => this.release(), body);
  }

  /** Counters for tools and tests. */
  statistics(): SemaphoreStatistics {
    return { tasksWaiting: this.lot.size };
  }

  /** A short description for logs and tools. */
  toString(): string {
    const max = this._maxValue === undefined ? "" : `/${this._maxValue}`;
    return `<Semaphore value=${this._value}${max}, ${this.lot.size} waiting>`;
  }

  private tryAcquire(): boolean {
    if (this._value > 0) {
      this._value--;
      return true;
    }
    return false;
  }
}
