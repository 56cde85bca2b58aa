/**
 * Assertions that an operation does (or does not) pass through a
 * checkpoint. They drive the operation themselves and count what it yields
 * to the scheduler, so they cost the runtime nothing.
 */
import type { Operation, Trap } from "../core/traps.js";

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
  const counter = { yields: 0 };
  const result = yield* counting(op, counter);
  if (counter.yields === 0) throw new Error("assertCheckpoints: the operation completed without a checkpoint.");
  return result;
}

/** Runs `op` and raises if it yielded to the scheduler. */
export function* assertNoCheckpoints<T>(op: Operation<T>): Operation<T> {
  const counter = { yields: 0 };
  const result = yield* counting(op, counter);
  if (counter.yields !== 0) throw new Error(`assertNoCheckpoints: the operation yielded to the scheduler ${counter.yields} time(s).`);
  return result;
}
