/**
 * Assertions that an operation does (or does not) pass through a
 * checkpoint. They drive the operation themselves and count what it yields
 * to the scheduler, so they cost the runtime nothing.
 */
import { describe, functionName, readProperty } from "../core/errors.js";
import type { Operation, Trap } from "../core/traps.js";

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

function* counting<T>(op: Operation<T>, counter: { yields: number }): Operation<T> {
  let sent: unknown = undefined;
  let throwing = false;
  for (;;) {
    let step: IteratorResult<Trap, T>;
    if (throwing) {
      throwing = false;
      step = op.throw(sent);
    } else {
      step = op.next(sent);
    }
    if (step.done === true) return step.value;
    counter.yields++;
    try {
      sent = yield step.value;
    } catch (error) {
      sent = error;
      throwing = true;
    }
  }
}

/** Runs `op` and raises if it never yielded to the scheduler. */
export function* assertCheckpoints<T>(op: Operation<T>): Operation<T> {
  checkOperation("assertCheckpoints", op);
  const counter = { yields: 0 };
  const result = yield* counting(op, counter);
  if (counter.yields === 0) throw new Error("assertCheckpoints: the operation completed without a checkpoint.");
  return result;
}

/** Runs `op` and raises if it yielded to the scheduler. */
export function* assertNoCheckpoints<T>(op: Operation<T>): Operation<T> {
  checkOperation("assertNoCheckpoints", op);
  const counter = { yields: 0 };
  const result = yield* counting(op, counter);
  if (counter.yields !== 0) throw new Error(`assertNoCheckpoints: the operation yielded to the scheduler ${counter.yields} time(s).`);
  return result;
}
