/**
 * `send` and `receive` of a memory channel, as plain iterators.
 *
 * A channel operation is the hottest thing two tasks do together, and as a
 * generator it cost an allocation of a whole generator frame plus a resume
 * through V8's generator machinery at each of its two steps. One small
 * class does the same work for both directions with an object of six
 * fields and two method calls. (Two classes under a common base cost a
 * tenth of a ping-pong in Chromium, in the derived constructors alone.)
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

/** @internal One `send(value)` (with `sending` true) or one `receive()`. */
export class ChannelOperation<T> {
  /** The iterator result fields (see the module comment). */
  value: T | undefined = undefined;
  done = false;
  private phase = FRESH;

  constructor(
    private readonly end: ChannelEnd,
    private readonly sending: boolean,
    private readonly item: T | undefined,
  ) {}

  next(resumed?: unknown): IteratorResult<Trap, T> {
    const phase = this.phase;
    if (phase === WAITING) {
      // Woken from PARK: a receiver gets the value a sender handed over.
      if (!this.sending) this.value = resumed as T;
      return this.finish();
    }
    if (phase === FINISHED) return this.finish();
    // The name for the error is picked only when there is no task.
    const task = current.task ?? requireTask(this.sending ? "MemorySendChannel.send()" : "MemoryReceiveChannel.receive()");
    if (phase === FRESH && task.scope.effective) {
      this.phase = CHECKPOINTING;
      return YIELD_CHECKPOINT;
    }
    const end = this.end;
    if (end.isClosed) throw end.closedError(this.sending ? "send" : "receive");
    const state = end.state;
    if (this.sending) {
      if (state.openReceive === 0) throw brokenError();
      this.phase = WAITING;
      if (state.trySend(this.item)) return YIELD_SCHEDULE_POINT;
      state.parkSender(task, this.item);
    } else {
      if (state.canReceive()) {
        // Keep the value for the step after the schedule point.
        this.value = state.receiveNow() as T;
        this.phase = FINISHED;
        return YIELD_SCHEDULE_POINT;
      }
      if (state.openSend === 0) throw endError();
      this.phase = WAITING;
      state.parkReceiver(task);
    }
    task.waitingOn = end;
    return YIELD_PARK;
  }

  throw(error: unknown): never {
    this.stop();
    throw error;
  }

  return(value?: unknown): IteratorResult<Trap, T> {
    this.stop();
    return { value: value as T, done: true };
  }

  /** Ended from outside (code stepping it by hand): a wait still in line is taken back, so no value goes to it. */
  private stop(): void {
    const task = current.task;
    if (this.phase === WAITING && task !== null) this.end.state.withdraw(task, this.sending);
    this.phase = FINISHED;
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
  return new ChannelOperation<T>(end, true, value) as unknown as Operation<void>;
}

/** @internal */
export function receiveOperation<T>(end: ChannelEnd): Operation<T> {
  return new ChannelOperation<T>(end, false, undefined) as unknown as Operation<T>;
}
