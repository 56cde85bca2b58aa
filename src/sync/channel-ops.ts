/**
 * `send` and `receive` of a memory channel, as plain iterators.
 *
 * A channel operation is the hottest thing two tasks do together, and as a
 * generator it cost an allocation of a whole generator frame plus a resume
 * through V8's generator machinery at each of its two steps. A small
 * class per direction does the same work with an object of five (or four)
 * fields and two method calls.
 *
 * Each operation walks through at most two yields:
 * 1. its first `next()` raises at once (closed, broken, ended), or yields a
 *    checkpoint if the task is already cancelled (the scheduler throws the
 *    `Cancelled` back in), or completes without blocking and yields a
 *    schedule point (Trio: every channel operation is a checkpoint), or
 *    parks the task;
 * 2. its second `next(v)` returns: the value received, for `receive`.
 *
 * The final `{ value, done: true }` result is the operation object itself
 * (it has `value` and `done` fields for that), so finishing allocates
 * nothing either. `yield*` reads the two fields at once and never keeps the
 * result, and the operation is finished by then, so nobody sees it change.
 */
import { current, requireTask } from "../core/state.js";
import { YIELD_CHECKPOINT, YIELD_PARK, YIELD_SCHEDULE_POINT, type Operation, type Trap } from "../core/traps.js";
import { brokenError, endError, type ChannelState } from "./channel-state.js";

/** @internal What the handles give the operations: their state and their errors. */
export interface ChannelEnd {
  readonly state: ChannelState;
  readonly isClosed: boolean;
  closedError(what: string): Error;
}


const FRESH = 0;
const CHECKPOINTING = 1;
const WAITING = 2;
const FINISHED = 3;

/**
 * Undoes a wait still in line when an operation is ended from outside
 * (code stepping it by hand called return() or throw()), so no value goes
 * to it; the operation is finished after that.
 */
function stopWait(end: ChannelEnd, phase: number, sending: boolean): void {
  const task = current.task;
  if (phase === WAITING && task !== null) end.state.withdraw(task, sending);
}

/**
 * @internal One `send(value)`. Sending and receiving are two classes with
 * no common base: one class for both made each of its next()'s eight
 * situations (two directions, first step or resumption, handed over or
 * parked) an eighth of its calls, and V8 inlines no call made in fewer
 * than about a sixth of a function's runs, so the hand-over, the park and
 * the wake were all out-of-line calls. (A common base class cost a tenth
 * of a ping-pong in Chromium, in the derived constructors alone.)
 */
export class SendOperation<T> {
  /** The iterator result fields (see the module comment). */
  value: undefined = undefined;
  done = false;
  private phase = FRESH;

  constructor(
    private readonly end: ChannelEnd,
    private readonly item: T,
  ) {}

  next(): IteratorResult<Trap, void> {
    const phase = this.phase;
    // Resumed after the schedule point or the wait (WAITING), or past the end.
    if (phase >= WAITING) return this.finish();
    // The name for the error is picked only when there is no task.
    const task = current.task ?? requireTask("MemorySendChannel.send()");
    if (phase === FRESH && task.scope.effective) {
      this.phase = CHECKPOINTING;
      return YIELD_CHECKPOINT;
    }
    const end = this.end;
    if (end.isClosed) throw end.closedError("send");
    const state = end.state;
    if (state.openReceive === 0) throw brokenError();
    this.phase = WAITING;
    if (state.trySend(this.item)) return YIELD_SCHEDULE_POINT;
    state.parkSender(task, this.item);
    task.waitingOn = end;
    return YIELD_PARK;
  }

  throw(error: unknown): never {
    stopWait(this.end, this.phase, true);
    this.phase = FINISHED;
    throw error;
  }

  return(value?: unknown): IteratorResult<Trap, void> {
    stopWait(this.end, this.phase, true);
    this.phase = FINISHED;
    return { value: value as undefined, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }

  private finish(): IteratorResult<Trap, void> {
    this.phase = FINISHED;
    this.done = true;
    return this as IteratorReturnResult<undefined>;
  }
}

/** @internal One `receive()` (see SendOperation for why two classes). */
export class ReceiveOperation<T> {
  /** The iterator result fields (see the module comment). */
  value: T | undefined = undefined;
  done = false;
  private phase = FRESH;

  constructor(private readonly end: ChannelEnd) {}

  next(resumed?: unknown): IteratorResult<Trap, T> {
    const phase = this.phase;
    if (phase === WAITING) {
      // Woken from PARK with the value a sender handed over.
      this.value = resumed as T;
      return this.finish();
    }
    if (phase === FINISHED) return this.finish();
    // The name for the error is picked only when there is no task.
    const task = current.task ?? requireTask("MemoryReceiveChannel.receive()");
    if (phase === FRESH && task.scope.effective) {
      this.phase = CHECKPOINTING;
      return YIELD_CHECKPOINT;
    }
    const end = this.end;
    if (end.isClosed) throw end.closedError("receive");
    const state = end.state;
    if (state.canReceive()) {
      // Keep the value for the step after the schedule point.
      this.value = state.receiveNow() as T;
      this.phase = FINISHED;
      return YIELD_SCHEDULE_POINT;
    }
    if (state.openSend === 0) throw endError();
    this.phase = WAITING;
    state.parkReceiver(task);
    task.waitingOn = end;
    return YIELD_PARK;
  }

  throw(error: unknown): never {
    stopWait(this.end, this.phase, false);
    this.phase = FINISHED;
    throw error;
  }

  return(value?: unknown): IteratorResult<Trap, T> {
    stopWait(this.end, this.phase, false);
    this.phase = FINISHED;
    return { value: value as T, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }

  private finish(): IteratorResult<Trap, T> {
    this.phase = FINISHED;
    this.done = true;
    return this as IteratorReturnResult<T>;
  }
}

/** @internal */
export function sendOperation<T>(end: ChannelEnd, value: T): Operation<void> {
  return new SendOperation<T>(end, value) as unknown as Operation<void>;
}

/** @internal */
export function receiveOperation<T>(end: ChannelEnd): Operation<T> {
  return new ReceiveOperation<T>(end) as unknown as Operation<T>;
}
