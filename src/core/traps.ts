/**
 * What a Trio-flavoured task yields to the scheduler.
 *
 * A task is a generator. It talks to the scheduler by yielding one of two
 * singletons: CHECKPOINT ("let others run, and raise if I am cancelled") or
 * PARK ("I am blocked until someone calls reschedule(me)"). Everything else an
 * operation needs (the current task, its cancel scope, the clock) it reads
 * synchronously, because the scheduler steps tasks one at a time and records
 * which one is running. Yielding shared singletons means the hot path
 * allocates nothing.
 *
 * The `Trap` type is branded so that a Trio operation and an asyncio coroutine
 * (which yields Futures) are different generator types: putting one where the
 * other belongs is a compile error.
 */
import { readProperty } from "./errors.js";

declare const trioBrand: unique symbol;

/** A value a Trio task yields to its scheduler. Opaque: only the runtime makes them. */
export interface Trap {
  readonly [trioBrand]: "trio";
}

/**
 * A Trio-flavoured operation: a generator driven by the scheduler. Run it with
 * `yield* op` inside another operation, as Python writes `await op`.
 */
export type Operation<T = void> = Generator<Trap, T, unknown>;

/** A function that makes an operation: what `run`, `startSoon` and friends take. */
export type OperationFn<A extends unknown[] = unknown[], T = unknown> = (...args: A) => Operation<T>;

class TrapValue {
  constructor(readonly kind: string) {}
  toString(): string {
    return `[trio trap ${this.kind}]`;
  }
}

/** @internal Yield to the scheduler; raise Cancelled if the task is cancelled. */
export const CHECKPOINT = /* @__PURE__ */ new TrapValue("checkpoint") as unknown as Trap;
/** @internal Block until rescheduled; the abort function was stored on the task. */
export const PARK = /* @__PURE__ */ new TrapValue("park") as unknown as Trap;

/** @internal Yield to the scheduler without a cancellation check. */
export const SCHEDULE_POINT = /* @__PURE__ */ new TrapValue("schedule point") as unknown as Trap;

/**
 * @internal SCHEDULE_POINT and PARK as the shared operation iterators
 * (checkpoint(), sleepForever()) yield them: the scheduler marks the task
 * when it receives one (IN_SHARED_OP), so the iterator knows that its next
 * step is its resumption. One stepped by hand and dropped never reaches the
 * scheduler, so it leaves no mark behind for the task's later operations.
 */
export const SHARED_SCHEDULE_POINT = /* @__PURE__ */ new TrapValue("schedule point") as unknown as Trap;
/** @internal */
export const SHARED_PARK = /* @__PURE__ */ new TrapValue("park") as unknown as Trap;

/**
 * @internal The iterator results that yield each trap, shared by every
 * hand-written operation iterator (checkpoint, sleeps, channel operations,
 * the nursery block), so yielding a trap allocates nothing.
 */
export const YIELD_CHECKPOINT: IteratorYieldResult<Trap> = /* @__PURE__ */ Object.freeze({ value: CHECKPOINT, done: false });
/** @internal */
export const YIELD_PARK: IteratorYieldResult<Trap> = /* @__PURE__ */ Object.freeze({ value: PARK, done: false });
/** @internal */
export const YIELD_SCHEDULE_POINT: IteratorYieldResult<Trap> = /* @__PURE__ */ Object.freeze({ value: SCHEDULE_POINT, done: false });
/** @internal */
export const YIELD_SHARED_SCHEDULE_POINT: IteratorYieldResult<Trap> = /* @__PURE__ */ Object.freeze({ value: SHARED_SCHEDULE_POINT, done: false });
/** @internal */
export const YIELD_SHARED_PARK: IteratorYieldResult<Trap> = /* @__PURE__ */ Object.freeze({ value: SHARED_PARK, done: false });

/** What an abort function answers when the scheduler wants to cancel a blocked task. */
export const Abort = {
  /** The wait was undone: the task may be woken with `Cancelled` now. */
  SUCCEEDED: 1,
  /** The wait cannot be undone now; whoever completes it must call `reschedule`. */
  FAILED: 2,
} as const;
export type Abort = (typeof Abort)[keyof typeof Abort];

/**
 * Called when a blocked task is cancelled. `raiseCancel` builds the
 * `Cancelled` error to deliver, for abort functions that must pass it on.
 */
export type AbortFn = (raiseCancel: () => Error, task: AbortTask) => Abort;

/** The task an abort function is called for (a `Task`; typed loosely to keep this module free of imports). */
export interface AbortTask {
  readonly id: number;
  readonly name: string;
}

/** The result of an operation: a value or an error. */
export type Outcome<T = unknown> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** An outcome holding a value. */
export function valueOutcome<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

/** An outcome holding an error. */
export function errorOutcome(error: unknown): Outcome<never> {
  return { ok: false, error };
}

/** The marker asyncio Futures carry, so the core can name the right adapter. */
export const FLAVOUR = Symbol.for("trio-asyncio.flavour");

/**
 * True for an asyncio Future (or Task). Futures are thenables, so a Promise
 * resolved *with* one adopts it instead of holding it: one whose result is
 * itself, or that is pending on a closed loop, would keep the Promise
 * pending forever. Callers that hand a value to a Promise refuse these.
 * Total: a revoked Proxy or a throwing getter answers false.
 */
export function isAsyncioFuture(value: unknown): boolean {
  return value !== null && typeof value === "object" && readProperty(value, FLAVOUR) === "asyncio";
}

/** The error for a Promise that would be resolved with an asyncio Future (see isAsyncioFuture). */
export function futureAsPromiseValueError(where: string): TypeError {
  return new TypeError(
    `${where} is an asyncio Future, and a Promise cannot hold a Future: it would wait on it, forever if the Future never completes (its loop has closed, or its result is the Future itself). Return the Future's result (\`return yield* future\`) instead.`,
  );
}
