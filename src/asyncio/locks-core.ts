/**
 * What asyncio's queues and locks share: a ring deque for their waiter
 * Futures (and the Queue's items), the lazy binding to one event loop, and
 * input checks.
 *
 * Waiters are woken in FIFO order and, when cancelled, remove themselves
 * from wherever they are in the line. A ring buffer makes the common cases
 * (append at the tail, take or remove at the head) O(1) without
 * `Array.shift`; removal from the middle is O(n) but only happens on
 * cancellation. As in CPython 3.10+, a primitive can be created outside any
 * loop; it binds to the running loop the first time it has to wait, and
 * using it from another loop afterwards is an error.
 */
import { RuntimeError, ValueError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import type { Coroutine } from "./types.js";
import type { Future } from "./future.js";
import { getRunningLoop, running } from "./running.js";
import { leaveWaiter } from "./task.js";
import type { RingDeque } from "../core/ring-deque.js";
import { describe as describeTotal, isUnusableFunction } from "../core/errors.js";

/** @internal */
export { RingDeque } from "../core/ring-deque.js";

/**
 * @internal Puts `waiter` at the end of `line` and, in a Task's step, notes
 * it as the wait the step is about to yield: if the step ends without
 * yielding it, or begins another such wait first, the wait was stepped by
 * hand and dropped, and leaves the line (see leaveWaiter); `undo`, if
 * given, is called then too.
 */
export function enqueueWaiter<F extends Future<unknown>>(line: RingDeque<F>, waiter: F, undo?: () => void): void {
  line.push(waiter);
  const run = running;
  // Noted in a Task's step, or in a loop callback (undone when the loop's slice ends, or by the next step or wait).
  if (run.task === null && run.loop === null) return;
  if (run.waiter !== null) leaveWaiter();
  run.waiter = waiter;
  run.waiterLine = line;
  run.waiterUndo = undo;
}

/** @internal Rejects a `withLock` body that is not a generator function. */
export function checkBody(what: string, body: unknown): void {
  if (typeof body !== "function") {
    throw new TypeError(`${what} needs a generator function to run while holding it, e.g. function* () { ... }, got ${describe(body)}.`);
  }
  if (isUnusableFunction(body)) {
    throw new TypeError(`${what} needs a generator function to run while holding it, but this one cannot be called: reading it threw (a revoked Proxy?). Pass a plain function* () { ... }.`);
  }
}

/** @internal `withLock` for every asyncio lock: acquire, run `body`, release however it ends. */
export function* holding<R>(what: string, acquire: () => Coroutine<unknown>, release: () => void, body: () => Coroutine<R>): Coroutine<R> {
  checkBody(what, body);
  yield* acquire();
  try {
    return yield* body();
  } finally {
    release();
  }
}

/**
 * Base of the asyncio primitives, not for use on its own: binds to the
 * running loop on first need (CPython's `_LoopBoundMixin`). Not internal,
 * because the public primitives extend it in their declarations.
 */
export class LoopBound {
  private boundLoop: EventLoop | null = null;

  /** @internal The running loop, which must be the one this object is bound to. */
  protected getLoop(): EventLoop {
    const loop = getRunningLoop();
    const bound = this.boundLoop;
    if (bound === null) {
      this.boundLoop = loop;
    } else if (bound !== loop) {
      throw new RuntimeError(
        `${String(this)} is bound to a different event loop: asyncio queues and locks work on the loop where they first waited. Create one per openLoop(...) block.`,
      );
    }
    return loop;
  }
}

/**
 * @internal A short description of a value for error messages. Total: where
 * looking at the value throws (a revoked Proxy, getters that throw), the
 * core's `describe` stands in.
 */
export function describe(value: unknown): string {
  try {
    return describeShort(value);
  } catch {
    return describeTotal(value);
  }
}

function describeShort(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean" || value === undefined) return String(value);
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor !== undefined && ctor !== "Object" ? `a ${ctor}` : "an object";
}

/**
 * @internal Checks a count argument: TypeError for a non-number,
 * ValueError (a RangeError) for a non-integer or one below `min`.
 */
export function checkCount(what: string, value: unknown, min: number, allowInfinity: boolean): number {
  if (typeof value !== "number") throw new TypeError(`${what} must be an integer >= ${min}, got ${describe(value)}.`);
  const ok = (Number.isInteger(value) || (allowInfinity && value === Infinity)) && value >= min;
  if (!ok) throw new ValueError(`${what} must be an integer >= ${min}, got ${String(value)}.`);
  return value;
}
