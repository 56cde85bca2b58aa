/**
 * The `openNursery(body)` block, as a plain iterator.
 *
 * Every step of every task that runs inside a nursery passes through the
 * block that opened it, on the way to the scheduler and back. Written as a
 * generator (`yield* body`), that pass-through was a generator resume and
 * suspend per step, about a tenth of a channel ping-pong's time in
 * profiles. As an iterator it is one method call that hands the body's own
 * result object on, allocating nothing.
 *
 * The block goes through four phases:
 * - FRESH: nothing has run yet (the first `next()` opens the nursery, so
 *   merely calling `openNursery(...)` does nothing, as with a generator);
 * - BODY: the body's generator runs; whatever it raises is the nursery's;
 * - WAITING: the body is done and the task is parked until the children
 *   are; the parent's wait cannot be aborted, cancellation reaches the
 *   children through the nursery's scope instead;
 * - DONE: the nursery is closed, its scope exited, its errors raised.
 */
import { ABSORBED, CancelScope, checkLeaver } from "./cancel-scope.js";
import { ExceptionGroup } from "./errors.js";
import { Nursery, callTaskFunction, checkFunction, nurseryAbort } from "./nursery.js";
import { requireTask } from "./state.js";
import { REFUSED, beginWait, generatorNext, isGenerator, notAStepResult, sharedNext } from "./task.js";
import { YIELD_PARK, type Operation, type Trap } from "./traps.js";

const FRESH = 0;
const BODY = 1;
const WAITING = 2;
const DONE = 3;


/** What the body's iterator is: resumed through its own next(), a generator not yet proven genuine, or one that is. */
const ITERATOR = 0;
const UNVERIFIED = 1;
const GENUINE = 2;

class NurseryBlock<T> {
  private phase = FRESH;
  private bodyOp: Operation<T> | null = null;
  private innerKind = ITERATOR;
  private hostNursery: Nursery | null = null;
  private outcomeValue: T | undefined = undefined;

  constructor(
    private readonly bodyFn: (nursery: Nursery) => Operation<T>,
    private readonly unwrapSingle: boolean,
  ) {}

  next(value?: unknown): IteratorResult<Trap, T | undefined> {
    const phase = this.phase;
    if (phase === BODY) return this.resumeBody(false, value);
    if (phase === WAITING) return this.waitForChildren();
    if (phase === FRESH) return this.startNow();
    return { value: undefined, done: true };
  }

  throw(error: unknown): IteratorResult<Trap, T | undefined> {
    this.checkLeaver();
    if (this.phase === BODY) return this.resumeBody(true, error);
    // Not started, finished, or woken with an error while waiting for the
    // children (no abort function does that): the error passes through.
    this.phase = DONE;
    throw error;
  }

  return(value?: unknown): IteratorResult<Trap, T | undefined> {
    // Only a hand-driven block is ever returned from. As a finally would:
    // pass it to the body, then close the nursery now if no child is left.
    // With children left the block cannot wait for them here: the end of
    // the task cancels them and fails the task (Runner.taskExited).
    this.checkLeaver();
    if (this.phase === BODY) {
      const nursery = this.hostNursery!;
      try {
        const step = this.bodyOp!.return(value as T);
        if (step.done !== true) return step;
        this.outcomeValue = step.value;
      } catch (error) {
        if (nursery.childCount > 0 || nursery.pendingStarts > 0) {
          this.phase = DONE;
          throw error;
        }
        nursery.addError(error, "the nursery body");
      }
      if (nursery.childCount === 0 && nursery.pendingStarts === 0) return this.waitForChildren();
    }
    this.phase = DONE;
    return { value: value as T, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }

  // Ended from another task: refused before the body hears of it.
  private checkLeaver(): void {
    if (this.phase === BODY || this.phase === WAITING) checkLeaver("An openNursery() block", this.hostNursery!.parentTask!);
  }

  private startNow(): IteratorResult<Trap, T | undefined> {
    const task = requireTask("openNursery()");
    checkFunction("openNursery()", this.bodyFn);
    const scope = new CancelScope();
    scope.enter(task);
    const nursery = new Nursery(task, scope, task.runner);
    (task.nurseries ??= []).push(nursery);
    this.hostNursery = nursery;
    this.phase = BODY;
    try {
      // callTaskFunction: a plain function (returning no generator) gets an error that names the fix.
      this.bodyOp = callTaskFunction("openNursery()", this.bodyFn, [nursery]);
      this.innerKind = isGenerator(this.bodyOp) ? UNVERIFIED : ITERATOR;
    } catch (error) {
      nursery.addError(error, "the nursery body");
      return this.waitForChildren();
    }
    return this.resumeBody(false, undefined);
  }

  private resumeBody(throws: boolean, value: unknown): IteratorResult<Trap, T | undefined> {
    const inner = this.bodyOp!;
    let r: IteratorResult<Trap, T>;
    let shared: unknown;
    try {
      // A generator body is resumed through the shared generator next()
      // (see runner.step): this runs at every step of the task.
      if (throws) {
        r = inner.throw(value);
      } else if (this.innerKind === GENUINE) {
        r = generatorNext.call(inner, value) as IteratorResult<Trap, T>;
      } else if (this.innerKind === UNVERIFIED && (shared = sharedNext(inner, value)) !== REFUSED) {
        // The first step told a generator from a Proxy of one (see sharedNext).
        this.innerKind = GENUINE;
        r = shared as IteratorResult<Trap, T>;
      } else {
        this.innerKind = ITERATOR;
        r = inner.next(value);
      }
      // What a body that is not a genuine generator answers is read once,
      // here, inside the try: a getter that throws, or no object at all, is
      // the body's error, and the nursery still waits for its children.
      if (this.innerKind !== GENUINE) r = plainResult(r);
    } catch (error) {
      this.hostNursery!.addError(error, "the nursery body");
      return this.waitForChildren();
    }
    if (r.done !== true) return r;
    this.outcomeValue = r.value;
    return this.waitForChildren();
  }

  private waitForChildren(): IteratorResult<Trap, T | undefined> {
    const nursery = this.hostNursery!;
    const task = nursery.parentTask!;
    if (nursery.childCount > 0 || nursery.pendingStarts > 0) {
      this.phase = WAITING;
      beginWait(task, nurseryAbort);
      nursery.parentWaiting = true;
      task.waitingOn = nursery;
      return YIELD_PARK;
    }
    this.phase = DONE;
    this.bodyOp = null;
    task.waitingOn = null;
    nursery.closed = true;
    const list = task.nurseries!;
    const i = list.lastIndexOf(nursery);
    if (i !== -1) list.splice(i, 1);
    const scope = nursery.cancelScope;
    // Scopes the body left entered (an operation stepped by hand and
    // dropped) are left first (none: nothing happens), so that what a
    // dropped nursery's children raised joins this nursery's errors, as a
    // nested nursery's would, rather than lose to them in exitRaising.
    const lost = scope.leaveInner(task, ABSORBED);
    if (lost !== ABSORBED) nursery.pendingErrors.push(lost);
    const error = nursery.combinedError();
    if (error !== undefined) {
      let rest = scope.filterExit(error);
      // start() reports its child's early error as itself, not wrapped.
      if (this.unwrapSingle && rest instanceof ExceptionGroup && rest.exceptions.length === 1) rest = rest.exceptions[0];
      scope.exitRaising(task, rest);
      return { value: undefined, done: true };
    }
    scope.exit(task);
    const result = this.outcomeValue;
    this.outcomeValue = undefined;
    return { value: result, done: true };
  }
}

/** A hand-written iterator's step result, read once into a plain object. */
function plainResult<R extends IteratorResult<Trap, unknown>>(r: R): R {
  if (typeof r !== "object" || r === null) {
    throw notAStepResult("openNursery(body): the body", r);
  }
  const value = r.value;
  return (r.done === true ? { value, done: true } : { value, done: false }) as R;
}

/**
 * Opens a nursery, runs `body(nursery)`, then waits for every child.
 * Returns the body's result, or `undefined` if the nursery's own scope
 * absorbed a cancellation. Raises an `ExceptionGroup` of everything the
 * body and the children raised.
 */
export function openNursery<T>(body: (nursery: Nursery) => Operation<T>): Operation<T | undefined>;
/** @internal */
export function openNursery<T>(body: (nursery: Nursery) => Operation<T>, unwrapSingle: boolean): Operation<T | undefined>;
export function openNursery<T>(body: (nursery: Nursery) => Operation<T>, unwrapSingle = false): Operation<T | undefined> {
  return new NurseryBlock(body, unwrapSingle) as unknown as Operation<T | undefined>;
}
