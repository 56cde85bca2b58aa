/**
 * The basic operations every task uses: checkpoints, sleeping, and reading
 * the clock and the current task; plus the low-level wait/wake pair that
 * every blocking primitive is built from.
 *
 * `checkpoint()` is the hottest operation of all, so it is not a generator:
 * it returns one shared iterator whose per-task state is a flag on the task.
 * `yield* checkpoint()` therefore allocates nothing.
 */
import { RunFinishedError, checkDuration, checkSeconds, describe, functionName, isUnusableFunction } from "./errors.js";
import type { Instrument } from "./instruments.js";
import { callTaskFunction } from "./nursery.js";
import { installInstruments, uninstallInstrument, type Runner, type RunStatistics } from "./runner.js";
import { RuntimeError, current, requireTask } from "./state.js";
import { IN_SHARED_OP, beginWait, type Task } from "./task.js";
import { Abort, PARK, SCHEDULE_POINT, YIELD_PARK, YIELD_SHARED_PARK, YIELD_SHARED_SCHEDULE_POINT, type AbortFn, type Operation, type Outcome } from "./traps.js";

const DONE: IteratorReturnResult<void> = /* @__PURE__ */ Object.freeze({ value: undefined, done: true });

/**
 * What the shared operation iterators (one object for all tasks, their
 * per-task state a bit on the task) have in common: leaving early clears
 * that bit. The bit (IN_SHARED_OP) says "resumed after my own yield": the
 * scheduler sets it when it receives their SHARED_* trap, and their next
 * step clears it, so only a yield that reached the scheduler sets it.
 */
abstract class SharedOperation {
  throw(error: unknown): never {
    const task = current.task;
    if (task !== null) task.flags &= ~IN_SHARED_OP;
    throw error;
  }
  return(value?: unknown): IteratorResult<never, void> {
    const task = current.task;
    if (task !== null) task.flags &= ~IN_SHARED_OP;
    return { value: value as undefined, done: true };
  }
  [Symbol.iterator](): this {
    return this;
  }
}

class CheckpointIterator extends SharedOperation {
  next(): IteratorResult<typeof SCHEDULE_POINT, void> {
    const task = current.task;
    if (task === null) requireTask("checkpoint()");
    const flags = task!.flags;
    // Set by the scheduler when it received this iterator's yield (not
    // here: a checkpoint stepped by hand and dropped must leave no mark).
    if ((flags & IN_SHARED_OP) !== 0) {
      task!.flags = flags & ~IN_SHARED_OP;
      // Resumed: as in Trio, the cancel point follows the schedule point,
      // so a cancellation that came while the task waited in the run queue
      // (another task's cancel(), a deadline passed meanwhile) is raised
      // here, not at the next checkpoint.
      if (task!.scope.effective) raiseCancelled(task!);
      return DONE;
    }
    // A plain schedule point: the cancel point is the check above, when
    // the task resumes (so a shield raised meanwhile is honoured too).
    return YIELD_SHARED_SCHEDULE_POINT;
  }
}

/** Out of line, so that the resumption it guards stays small. */
function raiseCancelled(task: Task): never {
  throw task.scope.effectiveCancelled();
}

const checkpointIterator = /* @__PURE__ */ new CheckpointIterator() as unknown as Operation<void>;

/**
 * A shared iterator, handed out for a new operation: the task's mark is
 * not its own (only stepping the iterator already held resumes it). A
 * driver that forwarded a shared iterator's yield and dropped it once
 * resumed left the mark set, and the task's next checkpoint returned at
 * once, its next sleepForever() raised "woken by reschedule".
 */
function fresh<T>(op: T): T {
  const task = current.task;
  if (task !== null) task.flags &= ~IN_SHARED_OP;
  return op;
}

/**
 * A checkpoint: raises `Cancelled` if the task is cancelled, and otherwise
 * lets other tasks run before continuing.
 */
export function checkpoint(): Operation<void> {
  return fresh(checkpointIterator);
}

/**
 * @internal What the testing assertions (testing/checkpoints.ts) cannot see
 * in the traps an operation yields: a cancel point passed without
 * yielding, and a schedule point that is no cancel point. Only the two
 * operations below count them, so a bundle without those drops them.
 */
export let passedCancelChecks = 0;
/** @internal */
export let shieldedSchedulePoints = 0;

/** Raises `Cancelled` if the task is cancelled; otherwise returns at once without yielding. */
export function* checkpointIfCancelled(): Operation<void> {
  const task = requireTask("checkpointIfCancelled()");
  if (task.scope.effective) yield* checkpointIterator;
  else passedCancelChecks++;
}

/** Lets other tasks run, without checking for cancellation. */
export function* cancelShieldedCheckpoint(): Operation<void> {
  requireTask("cancelShieldedCheckpoint()");
  shieldedSchedulePoints++;
  yield SCHEDULE_POINT;
}

/** Sleeps for `seconds` (a float; 0 is a checkpoint). Cancellable. */
export function sleep(seconds: number): Operation<void> {
  checkDuration("sleep(seconds)", seconds);
  if (seconds === 0) return fresh(checkpointIterator);
  return new SleepIterator(seconds, DURATION) as unknown as Operation<void>;
}

const abortForever = () => Abort.SUCCEEDED;

/**
 * One sleep, as a plain iterator rather than a generator: it allocates less,
 * and a `Cancelled` thrown into a sleeping task unwinds one frame fewer.
 * `whenTime` is a duration (relative) or a deadline.
 */
class SleepIterator {
  constructor(
    private readonly whenTime: number,
    /**
     * DURATION or DEADLINE until the first step, then STARTED: one small
     * integer rather than three fields (started, relative, the name for
     * errors), as a sleeping task keeps its iterator.
     */
    private phase: number,
  ) {}

  next(): IteratorResult<typeof PARK, void> {
    const phase = this.phase;
    if (phase === STARTED) {
      // Woken: as Trio's sleep (a wait inside a cancel scope of its own),
      // it returns only if no cancellation is visible now. One that came
      // while the task waited in the run queue, or an enclosing deadline
      // that fell due with the sleep's own, is raised here.
      const task = current.task;
      if (task !== null && task.scope.effective) raiseCancelled(task);
      return DONE;
    }
    this.phase = STARTED;
    const task = requireTask(phase === DURATION ? "sleep()" : "sleepUntil()");
    const runner = task.runner;
    runner.sleepUntil(task, phase === DURATION ? runner.clock.currentTime() + this.whenTime : this.whenTime);
    task.waitingOn = "sleep";
    return YIELD_PARK;
  }
  // Not SharedOperation's: a sleep sets no bit to clear, and cancelling
  // many sleepers measured slower through the inherited methods.
  throw(error: unknown): never {
    throw error;
  }
  return(value?: unknown): IteratorResult<typeof PARK, void> {
    return { value: value as undefined, done: true };
  }
  [Symbol.iterator](): this {
    return this;
  }
}
const DURATION = 0;
const DEADLINE = 1;
const STARTED = 2;

/** Sleeps until the run's clock reaches `deadline` (see `currentTime()`). */
export function sleepUntil(deadline: number): Operation<void> {
  checkSeconds("sleepUntil(deadline)", deadline);
  return new SleepIterator(deadline, DEADLINE) as unknown as Operation<void>;
}

/**
 * `sleepForever()` as one shared iterator, like `checkpoint()`: a page may
 * park thousands of tasks in it, and each would otherwise hold an iterator.
 */
class SleepForeverIterator extends SharedOperation {
  next(): IteratorResult<typeof PARK, void> {
    const task = requireTask("sleepForever()");
    if ((task.flags & IN_SHARED_OP) !== 0) {
      // Woken by a reschedule() aimed at it by mistake: carrying on would
      // return from an operation typed never to return.
      task.flags &= ~IN_SHARED_OP;
      throw new RuntimeError("sleepForever() was woken by reschedule() without being cancelled; only cancellation may end it.");
    }
    beginWait(task, abortForever);
    task.waitingOn = "sleepForever";
    return YIELD_SHARED_PARK;
  }
}

const sleepForeverIterator = /* @__PURE__ */ new SleepForeverIterator() as unknown as Operation<never>;

/** Blocks until cancelled. */
export function sleepForever(): Operation<never> {
  return fresh(sleepForeverIterator);
}

/** The current time of the run's clock, in seconds. */
export function currentTime(): number {
  return requireTask("currentTime()").runner.clock.currentTime();
}

/** The task running now. */
export function currentTask(): Task {
  return requireTask("currentTask()");
}

/** The run of the task running now. */
export function currentRun(): Runner {
  return requireTask("currentRun()").runner;
}

/** Counters of the current run. */
export function currentStatistics(): RunStatistics {
  return requireTask("currentStatistics()").runner.statistics;
}

/**
 * Low level: blocks the running task until someone calls `reschedule(task,
 * outcome)`. If the task is cancelled meanwhile, `abortFn` is called: answer
 * `Abort.SUCCEEDED` if the wait was undone (the task then receives
 * `Cancelled`), or `Abort.FAILED` if whoever completes it will reschedule.
 * Returns the value the task was rescheduled with, or raises its error.
 */
export function* waitTaskRescheduled(abortFn: AbortFn): Operation<unknown> {
  const task = requireTask("waitTaskRescheduled()");
  // (A revoked Proxy would raise the engine's words at the cancel, in the task.)
  if (typeof abortFn !== "function" || isUnusableFunction(abortFn)) {
    throw new TypeError("waitTaskRescheduled(abortFn) needs an abort function that returns Abort.SUCCEEDED or Abort.FAILED.");
  }
  beginWait(task, abortFn);
  return yield PARK;
}

/** Low level: wakes a task blocked in `waitTaskRescheduled` with an outcome. */
export function reschedule(task: Task, outcome: Outcome = { ok: true, value: undefined }): void {
  if (task === null || typeof task !== "object" || typeof (task as { runner?: unknown }).runner !== "object") {
    throw new TypeError(`reschedule(task, outcome) needs a Task (the one that called waitTaskRescheduled), got ${describe(task)}.`);
  }
  if (outcome === null || typeof outcome !== "object" || typeof outcome.ok !== "boolean") {
    throw new TypeError("reschedule(task, outcome) takes an outcome such as valueOutcome(v) or errorOutcome(e).");
  }
  // A host callback that fires after the run settled (a late timer, an
  // event) finds nothing to wake: say that, as Trio's run_sync_soon does
  // once its run is over, rather than report a wait woken twice.
  if (task.runner.finished) throw new RunFinishedError(`reschedule() of ${task}: its run has finished.`);
  task.runner.reschedule(task, outcome.ok ? outcome.value : outcome.error, !outcome.ok);
}

/**
 * Low level: starts a task in the run's system nursery. It is cancelled when
 * the main task ends; if it raises, the whole run fails.
 */
export function spawnSystemTask<A extends unknown[], T>(fn: (...args: A) => Operation<T>, ...args: A): Task<T> {
  const runner = requireTask("spawnSystemTask()").runner;
  const coro = callTaskFunction("spawnSystemTask()", fn, args);
  return runner.spawnTask(coro, runner.systemNursery, functionName(fn) ?? "system");
}

/**
 * Installs an instrument in the current run (once). Its hooks are read now:
 * a hook that cannot be read, or is not a function, is refused with a TypeError.
 */
export function addInstrument(instrument: Instrument): void {
  installInstruments(requireTask("addInstrument()").runner, [instrument]);
}

/** Removes an instrument from the current run. */
export function removeInstrument(instrument: Instrument): void {
  uninstallInstrument(requireTask("removeInstrument()").runner, instrument);
}
