/**
 * `timeout`/`timeoutAt`: a deadline on a block of asyncio code (Python's
 * `async with asyncio.timeout(delay) as cm:`).
 *
 * JavaScript has no `async with`, so the block is a generator function:
 *
 *     const value = yield* timeout(1).run(function* (cm) {
 *       return yield* fetchSomething();
 *     });
 *
 * `run` enters the timeout, runs the block, and exits it whatever happens;
 * the block receives the Timeout (`cm`) so it can `reschedule` it.
 *
 * The mechanism is CPython 3.12's, because nesting depends on it: at the
 * deadline the Timeout calls `task.cancel()` on its Task, so the block gets
 * an ordinary `CancelledError` at the `yield*` where it waits. On exit it
 * calls `task.uncancel()`; only if that brings the count back to what it was
 * on entry was the cancellation its own, and the `CancelledError` becomes a
 * `TimeoutError`. A cancellation requested by anyone else (an outer
 * timeout, a TaskGroup, `task.cancel()`) is left to propagate. So timeouts
 * nest, and compose with TaskGroups, with no extra bookkeeping.
 */
import { describe, isUnusableFunction } from "../core/errors.js";
import { CancelledError, RuntimeError, TimeoutError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import type { Handle } from "./handles.js";
import { currentTask, getRunningLoop } from "./running.js";
import type { Task } from "./task.js";
import type { Coroutine } from "./types.js";

type TimeoutState = "created" | "active" | "expiring" | "expired" | "finished";

function checkTime(what: string, value: unknown): void {
  if (value !== null && (typeof value !== "number" || Number.isNaN(value))) {
    throw new TypeError(`${what} needs a number of seconds (or null for no deadline), got ${Number.isNaN(value) ? "NaN" : describe(value)}.`);
  }
}

/** A deadline on a block of asyncio code. Make one with `timeout` or `timeoutAt`. */
export class Timeout {
  private state: TimeoutState = "created";
  private whenValue: number | null;
  private handle: Handle | null = null;
  private task: Task<unknown> | null = null;
  private loop: EventLoop | null = null;
  private cancellingOnEntry = 0;
  private readonly onTimeoutBound = () => this.onTimeout();

  /** @param when The deadline in loop time (`loop.time()`), or null for none. */
  constructor(when: number | null) {
    checkTime("Timeout(when)", when);
    this.whenValue = when;
  }

  /** The deadline in loop time, or null if there is none. */
  when(): number | null {
    return this.whenValue;
  }

  /**
   * Moves the deadline to `when` (loop time; null removes it). Only while
   * the block runs and the deadline has not passed.
   */
  reschedule(when: number | null): void {
    checkTime("reschedule(when)", when);
    if (this.state !== "active") {
      if (this.state === "created") throw new RuntimeError("Timeout has not been entered: call reschedule() inside its run(...) block.");
      throw new RuntimeError(`Cannot change state of ${this.state} Timeout.`);
    }
    this.whenValue = when;
    this.handle?.cancel();
    this.handle = null;
    if (when === null) return;
    const loop = this.loop!;
    this.handle = when <= loop.time() ? loop.callSoon(this.onTimeoutBound) : loop.callAt(when, this.onTimeoutBound);
  }

  /** True once the deadline has passed (the block was or is being cancelled by it). */
  expired(): boolean {
    return this.state === "expiring" || this.state === "expired";
  }

  /**
   * Runs `body(this)` under the deadline and returns its result. If the
   * deadline cancels the block, raises `TimeoutError` (whose `cause` is the
   * CancelledError). A Timeout can be run only once.
   */
  *run<T>(body: (timeout: Timeout) => Coroutine<T>): Coroutine<T> {
    if (typeof body !== "function") throw new TypeError("Timeout.run(body) needs a generator function: run(function* (cm) { ... }).");
    if (isUnusableFunction(body)) throw new TypeError("Timeout.run(body) needs a generator function, but this one cannot be called: reading it threw (a revoked Proxy?). Pass run(function* (cm) { ... }).");
    this.enter();
    let value: T;
    try {
      value = yield* body(this);
    } catch (error) {
      this.exit(true, error);
      throw error;
    }
    this.exit(false, undefined);
    return value;
  }

  private enter(): void {
    if (this.state !== "created") throw new RuntimeError("Timeout has already been entered: make a new one for each block.");
    const task = currentTask();
    if (task === null) throw new RuntimeError("Timeout should be used inside a task: run it with yield* from an asyncio coroutine.");
    this.state = "active";
    this.task = task;
    this.loop = task.getLoop();
    this.cancellingOnEntry = task.cancelling();
    this.reschedule(this.whenValue);
  }

  private exit(failed: boolean, error: unknown): void {
    this.handle?.cancel();
    this.handle = null;
    if (this.state === "expiring") {
      this.state = "expired";
      // Always uncancel first: the cancellation we requested is withdrawn
      // whether or not the block let it through.
      if (this.task!.uncancel() <= this.cancellingOnEntry && failed && error instanceof CancelledError) {
        throw new TimeoutError("The timeout expired.", { cause: error });
      }
    } else if (this.state === "active") {
      this.state = "finished";
    }
  }

  private onTimeout(): void {
    if (this.state !== "active") return;
    this.task!.cancel();
    this.state = "expiring";
    this.handle = null;
  }

  toString(): string {
    if (this.state === "active") return `<Timeout [active] when=${this.whenValue === null ? "None" : String(this.whenValue)}>`;
    return `<Timeout [${this.state}]>`;
  }
}

/**
 * A Timeout `delay` seconds from now on the running loop's clock (null: no
 * deadline). Use it as `yield* timeout(5).run(function* (cm) { ... })`.
 */
export function timeout(delay: number | null): Timeout {
  checkTime("timeout(delay)", delay);
  return new Timeout(delay === null ? null : getRunningLoop().time() + delay);
}

/** A Timeout at loop time `when` (see `loop.time()`; null: no deadline). */
export function timeoutAt(when: number | null): Timeout {
  checkTime("timeoutAt(when)", when);
  return new Timeout(when);
}
