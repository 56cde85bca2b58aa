/**
 * Assertions that an operation does (or does not) pass through a
 * checkpoint. As in Trio, a checkpoint is a cancel point and a schedule
 * point both, and the two are counted apart. The assertions drive the
 * operation themselves and classify each trap it yields, so the scheduler
 * pays nothing for them (only checkpointIfCancelled() and
 * cancelShieldedCheckpoint() keep a counter for them).
 */
import { describe, functionName, readProperty } from "../core/errors.js";
import { passedCancelChecks, shieldedSchedulePoints } from "../core/operations.js";
import { SCHEDULE_POINT, type Operation, type Trap } from "../core/traps.js";

/**
 * Throws unless `op` is an operation (a generator): the engine would say
 * "op.next is not a function". A generator function given uncalled (the
 * usual slip: `assertCheckpoints(sleep)`) gets the call to write instead.
 */
function checkOperation(what: string, op: unknown): void {
  if (op !== null && typeof op === "object" && typeof readProperty(op, "next") === "function" && typeof readProperty(op, "throw") === "function") return;
  if (typeof op === "function") {
    throw new TypeError(`${what}(op) needs an operation (the generator a call such as sleep(1) returns), got ${describe(op)}. Call it first: ${what}(${functionName(op) ?? "fn"}(...)).`);
  }
  throw new TypeError(`${what}(op) needs an operation (the generator a call such as sleep(1) returns), got ${describe(op)}.`);
}

const NEXT = 0;
const THROW = 1;
const RETURN = 2;

/**
 * Steps `op` for `yield*`, tallying its cancel points and schedule points.
 * It hands back `op`'s own results, so the scheduler sees exactly what `op`
 * yields (the shared iterators' traps, which the scheduler marks the task
 * for, included), and it forwards `return()`, so an operation abandoned
 * at a yield still runs its finally blocks.
 *
 * Every trap is a schedule point. Each is a cancel point too (the
 * scheduler checks at CHECKPOINT and PARK, the shared iterators on
 * resumption, and the primitives that yield SCHEDULE_POINT check just
 * before), except the SCHEDULE_POINT of cancelShieldedCheckpoint(), which
 * counts itself so that it can be told apart. A cancel check that passes
 * without yielding is seen only from checkpointIfCancelled(), which counts
 * itself too.
 */
class Tally<T> {
  cancelPoints = 0;
  schedulePoints = 0;

  constructor(private readonly op: Operation<T>) {}

  next(value?: unknown): IteratorResult<Trap, T> {
    return this.step(NEXT, value);
  }
  throw(error: unknown): IteratorResult<Trap, T> {
    return this.step(THROW, error);
  }
  return(value?: unknown): IteratorResult<Trap, T> {
    return this.step(RETURN, value);
  }
  [Symbol.iterator](): Iterator<Trap, T, unknown> {
    return this;
  }

  private step(how: number, arg: unknown): IteratorResult<Trap, T> {
    const op = this.op;
    const checks = passedCancelChecks;
    const shielded = shieldedSchedulePoints;
    let result: IteratorResult<Trap, T>;
    try {
      if (how === NEXT) result = op.next(arg);
      else if (how === THROW) result = op.throw(arg);
      else if (typeof readProperty(op, "return") === "function") result = op.return(arg as T);
      else return { value: arg as T, done: true };
    } finally {
      // Counted even when the step raises: assertNoCheckpoints checks then too.
      this.cancelPoints += passedCancelChecks - checks;
    }
    // Not an object: yield* raises the engine's TypeError itself.
    if (typeof result === "object" && result !== null && result.done !== true) {
      this.schedulePoints++;
      if (result.value !== SCHEDULE_POINT || shieldedSchedulePoints === shielded) this.cancelPoints++;
    }
    return result;
  }
}

/**
 * Runs `op` and raises unless it passed a checkpoint: at least one cancel
 * point and at least one schedule point, as Trio's `assert_checkpoints`
 * counts them. An operation that raises passes, as in Trio (its error goes
 * on unchanged).
 *
 * So a lone `cancelShieldedCheckpoint()` fails (a schedule point, no cancel
 * point), and so does a lone `checkpointIfCancelled()` outside a cancelled
 * scope (a cancel point, no schedule point); the two together pass. The
 * runtime's primitives that check cancellation and then yield without a
 * second check (an uncontended `Lock.acquire()`, a memory channel `send`
 * or `receive` that completes at once) pass, as their Trio counterparts do.
 *
 * One difference from Trio remains: a cancel check that passes without
 * yielding is counted only from `checkpointIfCancelled()`. Built-in
 * primitives make that check inline (for speed), so a primitive that
 * checks and then raises without yielding (`Lock.acquire()` by the task
 * that holds the lock) passes `assertNoCheckpoints`, where Trio's
 * `assert_no_checkpoints` would fail.
 */
export function* assertCheckpoints<T>(op: Operation<T>): Operation<T> {
  checkOperation("assertCheckpoints", op);
  const tally = new Tally(op);
  const result = yield* tally;
  if (tally.cancelPoints === 0 || tally.schedulePoints === 0) {
    throw new Error(
      `assertCheckpoints: the operation completed without a checkpoint: it passed ${tally.cancelPoints} cancel point(s) and yielded to the scheduler ${tally.schedulePoints} time(s), and a checkpoint is both. Make every path that returns pass one, e.g. yield* checkpoint(), or yield* checkpointIfCancelled() followed by yield* cancelShieldedCheckpoint().`,
    );
  }
  return result;
}

/**
 * Runs `op` and raises if it passed a cancel point or a schedule point, as
 * Trio's `assert_no_checkpoints` does: even if `op` then raised (the
 * assertion's error then carries `op`'s as its `cause`). See
 * `assertCheckpoints` for what counts, and the one cancel check it cannot
 * see. An operation abandoned at a yield (its task dropped, `return()`
 * called on it) is not checked: its finally blocks run and nothing is raised.
 */
export function* assertNoCheckpoints<T>(op: Operation<T>): Operation<T> {
  checkOperation("assertNoCheckpoints", op);
  const tally = new Tally(op);
  let result: T;
  try {
    result = yield* tally;
  } catch (error) {
    if (tally.cancelPoints !== 0 || tally.schedulePoints !== 0) throw passedCheckpoints(tally, { cause: error });
    throw error;
  }
  if (tally.cancelPoints !== 0 || tally.schedulePoints !== 0) throw passedCheckpoints(tally);
  return result;
}

function passedCheckpoints(tally: Tally<unknown>, options?: ErrorOptions): Error {
  return new Error(
    `assertNoCheckpoints: the operation yielded to the scheduler ${tally.schedulePoints} time(s) and passed ${tally.cancelPoints} cancel point(s); it must pass neither. Take the yield* that checkpoints (or calls checkpointIfCancelled() or cancelShieldedCheckpoint()) out of it, or assert assertCheckpoints if it is meant to checkpoint.`,
    options,
  );
}
