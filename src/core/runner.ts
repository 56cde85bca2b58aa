/**
 * The runner: one per `run()`, it owns the run queue, the deadline heap and
 * the host callbacks, and steps tasks.
 *
 * Why it is built so:
 * - A task becomes runnable (spawned, woken, or yielding at a checkpoint) by
 *   being appended to one FIFO queue. Nothing else happens then, so waking a
 *   task is cheap and allocation-free.
 * - The first runnable task after idle starts a *batch* on a microtask. The
 *   batch is a plain loop inside that one host callback that steps tasks
 *   until the queue is empty: a microtask per step would cost several times
 *   more. Every so many steps the loop looks at the real time; past its
 *   slice (5 ms by default) it stops and continues on a macrotask, so the
 *   page can paint and handle input, and it also fires due deadlines then.
 *   Reading the clock is not free (`performance.now()` was a tenth of a
 *   busy batch's time in Chromium when read every 64 steps), so the
 *   interval adapts: it starts at 4 steps, doubles while the steps are
 *   quick (up to 1024) and halves when they are slow, so a loop of heavy
 *   steps is still cut close to its slice.
 * - Deadlines (sleeps and cancel scopes) live in one heap, with one host
 *   timer armed for the earliest.
 * - When nothing is runnable the runner is idle: it arms the host timer and,
 *   for `waitAllTasksBlocked` and a MockClock's autojump, an idle check
 *   (idle.ts; installed only by the testing entry, so apps do not ship it).
 * - Host completions (Promises, DOM events, aborts) enter only through
 *   `reschedule`, which appends to the queue and starts a batch if needed.
 */
import { ABSORBED, CancelScope, resetScopeIds, scopeIdMark } from "./cancel-scope.js";
import { currentContext } from "./context.js";
import { SystemClock, realSeconds, type Clock, type ClockListener } from "./clock.js";
import { DeadlineEntry, DeadlineHeap } from "./deadlines.js";
import { Cancelled, ExceptionGroup, TrioInternalError, describe, describeError, functionName, ignoreRefusedPromise, makeCancelled, readProperty, checkReadable, listInStack, withoutCancelled as groupWithoutCancelled } from "./errors.js";
import { hostMacrotask, queueSoon } from "./host.js";
import type { IdleWatch } from "./idle.js";
import { Instruments, type Instrument } from "./instruments.js";
import { Nursery, callTaskFunction } from "./nursery.js";
import { RunQueue } from "./run-queue.js";
import { current, RuntimeError } from "./state.js";
import { extrasOf, IN_SHARED_OP, IS_MAIN, IS_GENERATOR, NEVER_PARKED, RESUME_THROWS, Task, BLOCKED, DONE, RUNNABLE, RUNNING, UNVERIFIED_GENERATOR, beginWait, firstSharedNext, generatorNext, notAStepResult, waitsWith, resetTaskIds, taskIdMark, type ParkStamp, type TaskFunction } from "./task.js";
import { Abort, CHECKPOINT, PARK, SCHEDULE_POINT, SHARED_PARK, SHARED_SCHEDULE_POINT, futureAsPromiseValueError, isAsyncioFuture, type AbortTask, type Operation } from "./traps.js";
import { liveRuns, observer } from "../inspect/hooks.js";

/** Options of `run()`. */
export interface RunOptions {
  /** The clock for sleeps and deadlines; default: the host's monotonic clock. */
  clock?: Clock | undefined;
  /** Observers of the run (see `Instrument`). */
  instruments?: readonly Instrument[] | undefined;
  /** Longest stretch of task steps before yielding to the host, in seconds. Default 0.005. */
  timeSlice?: number | undefined;
  /** A name for tools. */
  name?: string | undefined;
}

/** Counters of a run, for tools and benchmarks. */
export interface RunStatistics {
  /** Tasks started, the main task included. */
  tasksSpawned: number;
  /** Tasks that have returned or raised. */
  tasksExited: number;
  /** Task steps of the batches that have ended (a batch adds its count when it ends, to keep the step loop lean). */
  steps: number;
  /** Batches started. */
  batches: number;
  /** Batches that used up their time slice and continued on a macrotask. */
  sliceOverruns: number;
}

class SleepEntry extends DeadlineEntry {
  constructor(readonly task: Task) {
    super();
  }
  expire(): void {
    const task = this.task;
    if (waitsWith(task, abortSleep)) task.runner.reschedule(task, undefined, false);
  }
}

/** @internal The abort function of a sleeping task: take it off the heap. */
export function abortSleep(_raise: () => Error, blocked: AbortTask): Abort {
  const task = blocked as Task;
  // Set: sleepUntil makes the entry right after it registers this wait.
  task.runner.deadlines.remove(task.extras!.sleepEntry!);
  return Abort.SUCCEEDED;
}

/**
 * The raiseCancel given to the abort function of a dropped wait (see
 * Runner.leaveWait): its Cancelled is never raised in the task, but an
 * abort function may pass it on (abortable aborts its signal with it).
 */
const droppedWaitCancel = (): Cancelled => makeCancelled("its task dropped this wait");

let nextRunId = 1;
/** The host timer is being armed from a fresh macrotask (see Runner.armFromFreshTask). */
const HOP: unique symbol = Symbol("hop");
/** Browsers clamp timers nested this deep, or deeper, to 4 ms (HTML's timer nesting level). */
const NESTED_TIMER_LEVELS = 4;
const NESTED_TIMER_CLAMP_MS = 4;
/** @internal Jobs (steps, asyncio callbacks) run before the first look at the clock. */
export const FIRST_CLOCK_INTERVAL = 4;
const MAX_CLOCK_INTERVAL = 1024;

/**
 * @internal The number of jobs to run until the next look at the clock,
 * given how long the last `interval` jobs took against the time `budget`:
 * doubled while they are quick (up to 1024), halved when they are slow, so
 * that heavy jobs are still cut close to the budget (see the module comment).
 */
export function nextClockInterval(interval: number, took: number, budget: number): number {
  if (took < budget / 16) return interval < MAX_CLOCK_INTERVAL ? interval * 2 : interval;
  return took > budget / 4 && interval > 1 ? interval >> 1 : interval;
}

/**
 * A detached instance of each of the core's hot classes (a Runner with its
 * root scope and system nursery, a Task, a Nursery, a CancelScope, a sleep
 * entry), made anew each time a run finishes and kept until the next.
 *
 * Why: V8's optimized code holds the hidden classes (maps) it was
 * specialised for weakly. When a run ends and a full collection finds no
 * object of those maps left, they die, and every function optimized on
 * them is deoptimized ("weak objects" in --trace-deopt): the next run
 * starts in the interpreter. A page collects garbage between bursts of
 * work, so each burst paid that: 10k tasks spawned and joined after a full
 * GC took ~25 ms instead of ~2 ms (issue 17). Made once at startup they do
 * not help: fields change representation during the first runs and the
 * maps move on, so they are made after each run, from the maps of now.
 * They never run, hold nothing of the user's, are not in the inspector's
 * list of runs, and give back the ids they took.
 */
let shapeKeepers: readonly object[] = [];
/** @internal For tests: the instances kept now. */
export const shapeKeepersNow = (): readonly object[] => shapeKeepers;
// The shape keeper task's generator: never started, it would only throw.
const NEVER_STARTED: Operation<never> = /* @__PURE__ */ (function* neverStarted(): Generator<never, never> {
  throw new Error("a shape keeper never runs");
})();

function keepShapes(): void {
  const runId = nextRunId;
  const taskId = taskIdMark();
  const scopeId = scopeIdMark();
  const runner = new Runner({});
  const scope = new CancelScope();
  const task = new Task<never>(NEVER_STARTED, runner.systemNursery, scope, "shape keeper", 0);
  shapeKeepers = [runner, task, new Nursery(task, scope, runner), new SleepEntry(task)];
  nextRunId = runId;
  resetTaskIds(taskId);
  resetScopeIds(scopeId);
}

/** A run: create one with `run()`. Exposed read-only for tools. */
export class Runner implements ClockListener {
  /** A number unique among the runs of this page (tools name the run by it). */
  readonly id = nextRunId++;
  readonly name: string;
  /** @internal */ readonly clock: Clock;
  /** @internal */ readonly deadlines = new DeadlineHeap();
  /** @internal */ instruments: Instruments | null;
  /** @internal */ readonly rootScope: CancelScope;
  /** @internal */ readonly systemNursery: Nursery;
  /** Counters for tools and benchmarks, updated as the run goes (see `currentStatistics()` for the task's view). */
  readonly statistics: RunStatistics = { tasksSpawned: 0, tasksExited: 0, steps: 0, batches: 0, sliceOverruns: 0 };
  /** @internal */ mainTask: Task | null = null;
  /** @internal The task being stepped now, read through `current.task` (see state.ts). */
  stepping: Task | null = null;
  /** The running task whose dropped wait is being undone (see leaveWait): an abort function may reschedule it. */
  private leaving: Task | null = null;
  /** @internal */ finished = false;
  private readonly sliceSeconds: number;
  /** When the current batch started (real seconds), for sliceLeft(). */
  private batchStartedAt = 0;
  /**
   * The run's clock as last read in this batch (its start, or the last
   * deadline check): stamped on a task when it parks (Task.parkStamp), so a
   * park costs a store, not a clock read.
   */
  private parkStamp: ParkStamp = NEVER_PARKED;
  /** The clock is the host's (SystemClock): the batch's real start time is its reading. */
  private readonly realClock: boolean;
  /** Set by sliceLeft() once the slice is used up: the batch ends after the current step. */
  private endBatchSoon = false;
  private readonly queue = new RunQueue();
  private scheduled = false;
  private running = false;
  /** The host timer for the earliest deadline; HOP while a fresh macrotask is on its way to arm it. */
  /** @internal */ hostTimer: ReturnType<typeof setTimeout> | typeof HOP | null = null;
  private hopEpoch = 0;
  /** True while a batch runs inside a host timer's callback (see armFromFreshTask). */
  private inTimerCallback = false;
  private timerNesting = 0;
  private hostTimerAt = Infinity;
  /** @internal Counts batches: an idle check armed in an earlier idle period is stale. */
  idleEpoch = 0;
  /** @internal The idle watch (idle.ts), for waitAllTasksBlocked and autojump; null until the testing entry installs it. */
  idle: IdleWatch | null = null;
  /** Set between the instruments' beforeIoWait and afterIoWait: the run is idle, waiting for the host. */
  private ioWaitTimeout: number | null = null;
  private mainOk = false;
  private mainValue: unknown = undefined;
  private crashErrors: unknown[] = [];
  private detachClock: (() => void) | null = null;
  private settle: { resolve(v: unknown): void; reject(e: unknown): void } | null = null;

  /** @internal */
  constructor(options: RunOptions) {
    const clock = options.clock ?? new SystemClock();
    // readProperty: a revoked Proxy is "not a Clock", not the engine's error.
    if (
      typeof clock !== "object" ||
      typeof readProperty(clock, "currentTime") !== "function" ||
      typeof readProperty(clock, "deadlineToSleepTime") !== "function" ||
      typeof readProperty(clock, "startClock") !== "function"
    ) {
      throw new TypeError(`run(): options.clock must be a Clock (currentTime, deadlineToSleepTime, startClock), such as new MockClock(); got ${describe(clock)}.`);
    }
    const slice = options.timeSlice ?? 0.005;
    if (typeof slice !== "number" || !(slice > 0) || slice === Infinity) {
      throw new RangeError(`run(): options.timeSlice is in seconds and must be a positive finite number (default 0.005), got ${describe(slice)}.`);
    }
    // The name is shown in messages and tools: a symbol or an object there would make them throw.
    if (options.name !== undefined && typeof options.name !== "string") {
      throw new TypeError(`run(): options.name must be a string (a name for tools), got ${describe(options.name)}.`);
    }
    if (options.instruments !== undefined && !Array.isArray(options.instruments)) {
      throw new TypeError("run(): options.instruments must be an array of instrument objects.");
    }
    this.clock = clock;
    // A subclass may change currentTime(): only the plain host clock reads as real seconds.
    this.realClock = Object.getPrototypeOf(clock) === SystemClock.prototype;
    this.sliceSeconds = slice;
    this.name = options.name ?? `run-${this.id}`;
    // Set by runWith or addInstrument (see installInstruments): a run
    // started by run() never references the Instruments class, so an app
    // that uses no instruments does not ship it.
    this.instruments = null;
    this.rootScope = new CancelScope();
    this.rootScope.isRoot = true;
    this.rootScope.lifecycle = 1;
    this.rootScope.runner = this;
    this.systemNursery = new Nursery(null, this.rootScope, this);
  }

  /** True while the run has not finished. */
  get isRunning(): boolean {
    return !this.finished;
  }

  /** The main task (what `run` was given). */
  get main(): Task | null {
    return this.mainTask;
  }

  /** @internal */
  start<T>(main: Operation<T>, name: string): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      // What a run rejects with is what a console shows: a group lists the errors inside in its stack.
      this.settle = { resolve: resolve as (v: unknown) => void, reject: (error) => reject(listInStack(error)) };
    });
    liveRuns.add(this);
    try {
      this.detachClock = this.clock.attach?.(this) ?? null;
      this.clock.startClock();
    } catch (cause) {
      // A clock that fails to start (Trio's start_guest_run raises a
      // TrioInternalError then): the run never began, so it must not stay
      // listed as live for the inspector, nor attached to the clock.
      try {
        this.release();
      } catch {
        // Detaching from the broken clock failed too; the run is over either way.
      }
      throw new TrioInternalError(`The run's clock failed to start: ${describeError(cause)}. The run did not start. This is a bug in the clock given to runWith(); the error's cause has the details.`, { cause });
    }
    this.instruments?.call("beforeRun");
    observer.current?.runStarted?.(this);
    this.mainTask = this.spawnTask(main, this.systemNursery, name, true);
    return promise;
  }

  // ---- tasks -------------------------------------------------------------

  /** @internal */
  spawnTask<T>(coro: Operation<T> | TaskFunction<T>, nursery: Nursery, name: string | { readonly name: string }, isMain = false): Task<T> {
    if (this.finished) throw new RuntimeError("This run has finished; its tasks cannot start new ones.");
    // The main task is the root of the task tree: it sits in the system
    // nursery's bookkeeping but has no parent nursery (Task.parentNursery).
    const task = new Task<T>(coro, nursery, nursery.cancelScope, name, isMain ? IS_MAIN : 0);
    // A run's own tasks (main, system) start from its root context, empty, as Trio's
    // system_context: a run started inside another must not inherit its values (its loop).
    if (nursery !== this.systemNursery) task.context = currentContext();
    nursery.addChild(task);
    this.statistics.tasksSpawned++;
    if (this.instruments !== null) this.instruments.call("taskSpawned", task);
    if (observer.current !== null) observer.current.taskSpawned?.(task);
    // Spawned from a running batch (the usual case): schedule() would only
    // push it. The task starts out RUNNABLE.
    if (this.running && this.instruments === null) this.queue.push(task);
    else this.schedule(task);
    return task;
  }

  /** @internal Makes a task runnable. */
  schedule(task: Task): void {
    task.state = RUNNABLE;
    this.queue.push(task);
    if (this.instruments !== null) this.instruments.call("taskScheduled", task);
    if (!this.scheduled && !this.running) {
      this.scheduled = true;
      queueSoon(this.batchCallback);
    }
  }

  /** @internal Wakes a blocked task with a value, or an error if `throws`. */
  reschedule(task: Task, value: unknown, throws: boolean): void {
    if (task.state !== BLOCKED) {
      // An abort function that wakes its task itself, run for a wait the
      // task dropped (leaveWait): the task runs on, with nothing to wake.
      if (task === this.leaving) return;
      throw new TrioInternalError(`reschedule() of ${task} which is not blocked; every wait must be woken exactly once.`);
    }
    task.abortFn = null;
    task.waitingOn = null;
    task.resumeValue = value;
    if (throws) task.flags |= RESUME_THROWS; // clear whenever a task is blocked
    this.schedule(task);
  }

  /** @internal Asks a blocked task's abort function to let it be cancelled. */
  attemptAbort(task: Task): void {
    const abortFn = task.abortFn;
    if (task.state !== BLOCKED || abortFn === null) return;
    const scope = task.scope;
    let error: unknown;
    try {
      const answer = abortFn(scope.raiseCancel(), task);
      if (answer === Abort.FAILED) return;
      if (answer === Abort.SUCCEEDED) {
        if (task.state === BLOCKED) return this.reschedule(task, scope.effectiveCancelled(), true);
        error = new TrioInternalError(
          `The abort function of task ${task.name} woke it and then answered Abort.SUCCEEDED, which wakes it a second time; every wait must be woken exactly once. An abort function that wakes its task itself must answer Abort.FAILED; one that answers Abort.SUCCEEDED leaves the waking to the scheduler.`,
        );
      } else {
        // A typo here would park the task forever: fail loudly at its wait.
        error = new TypeError(`An abort function returned ${describe(answer)}; it must return Abort.SUCCEEDED or Abort.FAILED.`);
      }
    } catch (thrown) {
      error = thrown;
    }
    // A broken abort function must neither wedge the task nor lose its
    // error: the wait raises it, in place of any wake the function gave.
    if (task.state === BLOCKED) return this.reschedule(task, error, true);
    task.resumeValue = error;
    task.flags |= RESUME_THROWS;
  }

  /**
   * @internal Undoes the wait that `task`, running, registered (beginWait)
   * and left without parking in it: its code stepped the operation by hand
   * and dropped it (docs/semantics.md, Misuse). Its abort function takes it
   * out of its line, or answers Abort.FAILED and the wake that comes later
   * is passed over (waitsWith); its answer does not matter otherwise.
   * Throws what the abort function throws.
   */
  leaveWait(task: Task): void {
    const abortFn = task.abortFn!;
    const outer = this.leaving;
    task.abortFn = null;
    this.leaving = task;
    try {
      abortFn(droppedWaitCancel, task);
    } finally {
      this.leaving = outer;
    }
  }

  /**
   * A step ended with a yield other than PARK while a wait was registered:
   * undo it. What its abort function throws is raised at that yield
   * (returns true then), in place of what the yield would have given.
   */
  private leftAtYield(task: Task): boolean {
    task.waitingOn = null;
    try {
      this.leaveWait(task);
      return false;
    } catch (error) {
      task.flags |= RESUME_THROWS;
      task.resumeValue = error;
      return true;
    }
  }

  private readonly batchCallback = (): void => this.runBatch();

  /**
   * @internal Runs tasks until none is runnable or the slice is used up.
   * Guarded, once per batch rather than per step (the hot path stays
   * lean): whatever escapes the scheduler ends the run (see `abandon`)
   * instead of leaving it wedged with a task still current.
   */
  runBatch(): void {
    try {
      this.runSteps();
    } catch (error) {
      this.abandon(error);
    }
  }

  private runSteps(): void {
    if (this.running || this.finished) return;
    this.scheduled = false;
    this.running = true;
    current.runner = this;
    // Any batch ends an idle period: a pending idle check is stale.
    this.idleEpoch++;
    if (this.ioWaitTimeout !== null) {
      const timeout = this.ioWaitTimeout;
      this.ioWaitTimeout = null;
      this.instruments?.call("afterIoWait", timeout);
    }
    const startedAt = realSeconds();
    this.batchStartedAt = startedAt;
    // With the host clock, the batch's reading is the run's time: one read, not one per use.
    const runTime = this.realClock ? startedAt : this.clock.currentTime();
    this.stampParks(runTime);
    this.endBatchSoon = false;
    const obs = observer.current;
    const stats = this.statistics;
    stats.batches++;
    if (this.deadlines.size > 0) this.fireDeadlines(runTime);
    let steps = 0;
    let interval = FIRST_CLOCK_INTERVAL;
    let lastLook = startedAt;
    const slice = this.sliceSeconds;
    const queue = this.queue;
    // The step count at which the batch next reads the clock.
    let lookAt = interval;
    while (queue.head !== null) {
      steps += this.step(queue.shift(), lookAt - steps);
      if (queue.head === null) {
        if (this.deadlines.size > 0) this.fireDeadlines(this.clock.currentTime());
      } else if (steps >= lookAt || this.endBatchSoon) {
        const now = realSeconds();
        if (now - startedAt > slice) {
          stats.sliceOverruns++;
          this.scheduled = true;
          hostMacrotask()(this.batchCallback);
          break;
        }
        interval = nextClockInterval(interval, now - lastLook, slice);
        lastLook = now;
        if (this.realClock) this.stampParks(now);
        lookAt = steps + interval;
        if (this.deadlines.size > 0) this.fireDeadlines(this.realClock ? now : this.clock.currentTime());
      }
    }
    stats.steps += steps;
    this.running = false;
    current.runner = null;
    if (obs !== null) obs.batch?.(this, startedAt * 1000, realSeconds() * 1000, steps);
    if (!this.scheduled && !this.finished) this.becomeIdle();
  }

  /**
   * @internal For a task that runs many small jobs inside one step (the
   * asyncio loop runs its ready callbacks so): the real seconds left of the
   * current batch's time slice. Below 0 the slice is used up: the
   * task should yield (`SCHEDULE_POINT`), and the batch then ends after
   * that step and continues on a macrotask, so the page can paint and
   * handle input. Reads the clock: ask every so many jobs, not after each.
   */
  sliceLeft(): number {
    const left = this.sliceSeconds - (realSeconds() - this.batchStartedAt);
    // Below 0 exactly when runSteps sees `now - startedAt > slice`: a coarse clock can land on the edge.
    if (left < 0 && this.running) this.endBatchSoon = true;
    return left;
  }

  /**
   * @internal Steps `task` and then, in the same call, the tasks queued
   * after it: resumes each generator and acts on what it yields, queueing
   * the task again if it yielded to the others. Returns the number of
   * steps taken, up to `budget` (until the batch's next look at the
   * clock); it returns early when the queue is empty (the batch checks
   * deadlines then) or the slice is used up. A task that yields while no
   * other task is runnable is resumed at once: a trip through the queue,
   * or even a call of this method per step, nearly doubled the cost of a
   * lone task's checkpoint. Going on with the next queued task here rather
   * than returning to runSteps saves a call and its entry checks per step
   * (a tenth of a channel ping-pong, where every step switches tasks, and
   * of spawning tiny tasks). With instruments installed each step returns,
   * and every yield goes through `schedule`, so they see each step.
   */
  step(task: Task, budget: number): number {
    // Batches never nest (they start only from host callbacks), so no task
    // is current around a step.
    this.stepping = task;
    const queue = this.queue;
    let taken = 0;
    for (;;) {
      taken++;
      task.state = RUNNING;
      const instruments = this.instruments;
      if (instruments !== null) instruments.call("beforeTaskStep", task);
      let result: IteratorResult<unknown, unknown>;
      let yielded: unknown;
      let done: boolean;
      // False once the task raised (`yielded` is the error then).
      let ok = true;
      try {
        const value = task.resumeValue;
        task.resumeValue = undefined;
        // The first step makes the generator (see Task.begin); inside the
        // try, so an error binding the arguments is the task's own. (A new
        // generator ignores the value of its first next(), here the arguments.)
        const coro = typeof task.coro === "function" ? task.begin(task.coro, value as readonly unknown[]) : task.coro;
        const flags = task.flags;
        if ((flags & RESUME_THROWS) !== 0) {
          task.flags = flags & ~RESUME_THROWS;
          result = coro.throw(value);
        } else if ((flags & IS_GENERATOR) !== 0) {
          // All generators share one next() (see generatorNext).
          result = generatorNext.call(coro, value) as IteratorResult<unknown, unknown>;
        } else if ((flags & UNVERIFIED_GENERATOR) !== 0) {
          result = firstSharedNext(task, coro, value);
        } else {
          result = coro.next(value);
        }
        // Read inside the try: a hand-written iterator's result is the
        // task's own business, and a getter that throws there fails the
        // task, not the scheduler.
        if (typeof result !== "object" || result === null) {
          throw notAStepResult(`Task ${task.name}`, result);
        }
        yielded = result.value;
        done = result.done === true;
      } catch (error) {
        ok = false;
        yielded = error;
        done = true;
      }
      if (done) {
        this.taskExited(task, ok, yielded);
      } else if (yielded === SHARED_SCHEDULE_POINT || yielded === CHECKPOINT || yielded === SCHEDULE_POINT) {
        // checkpoint()'s shared iterator reads this mark at its next step
        // to know it is resumed (see SharedOperation in operations.ts).
        if (yielded === SHARED_SCHEDULE_POINT) task.flags |= IN_SHARED_OP;
        if (task.abortFn !== null && this.leftAtYield(task)) {
          this.schedule(task);
        } else if (yielded === CHECKPOINT && task.scope.effective) {
          task.flags |= RESUME_THROWS;
          task.resumeValue = task.scope.effectiveCancelled();
          this.schedule(task);
        } else if (this.instruments !== null) {
          // Read afresh: the step may have installed an instrument.
          this.schedule(task);
        } else if (queue.head === null && taken < budget && !this.endBatchSoon) {
          continue;
        } else {
          // schedule(), minus what cannot apply inside a batch.
          task.state = RUNNABLE;
          queue.push(task);
        }
      } else if (yielded === PARK || yielded === SHARED_PARK) {
        if (yielded === SHARED_PARK) task.flags |= IN_SHARED_OP;
        task.state = BLOCKED;
        task.parkStamp = this.parkStamp;
        if (task.abortFn === null) {
          task.abortFn = refuseAbort;
        }
        if (task.scope.effective) this.attemptAbort(task);
      } else {
        // A mistake in user code: raise it at the yield, with the fix.
        task.flags |= RESUME_THROWS;
        ignoreRefusedPromise(yielded); // a Promise yielded by mistake: its rejection is ours to silence
        task.resumeValue = new TypeError(foreignYieldMessage(yielded));
        // A dropped wait's broken abort function: its error is raised instead.
        if (task.abortFn !== null) this.leftAtYield(task);
        this.schedule(task);
      }
      // As in Trio, afterTaskStep comes once the step's outcome is acted
      // on (a task yielding at a checkpoint is already rescheduled), with
      // the task still current. Read afresh: the step may have changed the
      // instruments. Without them (the lone-task loop above too), the next
      // queued task is stepped in this same call. (A run that this step
      // finished has none left: its end is announced in endLastStep.)
      if (this.instruments === null && queue.head !== null && taken < budget && !this.endBatchSoon) {
        this.stepping = task = queue.shift();
        continue;
      }
      this.endLastStep(task);
      return taken;
    }
  }

  /**
   * The end of step()'s last step: afterTaskStep, after taskExited if
   * the task ended (Trio's order: the task is still current for both). A
   * run that this step finished announces it (afterRun) only now, with no
   * task current, so that afterRun is the last hook of the run.
   */
  private endLastStep(task: Task): void {
    if (this.instruments !== null) this.instruments.call("afterTaskStep", task);
    this.stepping = null;
    // Runs finish only in a task's last step, and no task steps after that:
    // a finished run here is one this step finished.
    if (this.finished) {
      this.instruments?.call("afterRun");
      observer.current?.runFinished?.(this);
    }
  }

  /**
   * Last resort: an error escaped the scheduler itself while it stepped a
   * task (a bug of ours, or a broken clock or tool attached to the run;
   * what user code throws or yields never gets here). The run's state can
   * no longer be trusted, so, as Trio does with TrioInternalError, the run
   * ends at once and rejects with a TrioInternalError whose `cause` is the
   * error. Its suspended tasks are abandoned (their finally blocks do not
   * run), but nothing global outlives the step: no task stays current, the
   * host timers are cleared and the run leaves the list of live runs.
   */
  /** @internal */
  abandon(cause: unknown): void {
    const task = this.stepping;
    this.stepping = null;
    current.runner = null;
    this.running = false;
    this.scheduled = false;
    const where = task === null ? "between task steps" : `while stepping ${task}`;
    const error = new TrioInternalError(
      `The scheduler failed ${where}: ${describeError(cause)}. The run was abandoned and its remaining tasks will not run. ` +
        "This is a bug in trio-asyncio or in a clock or tool attached to the run; the error's cause has the details.",
      { cause },
    );
    if (this.finished) {
      // The run has already settled: nobody is left to reject, so report it.
      console.error(error);
      return;
    }
    if (this.idle !== null) this.idle.waiters.length = 0;
    while (this.deadlines.popExpired(Infinity) !== undefined);
    try {
      this.release();
    } catch {
      // The clock may be what broke; the run is over either way.
    }
    this.instruments?.call("afterRun");
    try {
      observer.current?.runFinished?.(this);
    } catch {
      // The observer may be what broke.
    }
    this.settle!.reject(error);
  }

  /** @internal See Task.cancel: give the task a scope of its own, then cancel it. */
  cancelTask(task: Task, reason: string | undefined): void {
    let own = task.ownScope;
    if (own === null) {
      const home = task.nursery.cancelScope;
      own = new CancelScope();
      own.adoptAsTaskScope(task, home);
      task.ownScope = own;
    }
    own.cancel(reason ?? "task cancelled");
  }

  private taskExited(task: Task, ok: boolean, value: unknown): void {
    if (task.abortFn !== null) {
      // A wait its code stepped by hand and dropped: undone now (a sleep's
      // deadline leaves the heap, a listener its target, ...). A broken
      // abort function's error joins the task's outcome.
      try {
        this.leaveWait(task);
      } catch (error) {
        value = ok ? error : new ExceptionGroup(`Task ${task.name} failed, and so did undoing its dropped wait`, [value, error]);
        ok = false;
      }
    }
    const extras = task.extras;
    const own = extras === null ? null : extras.ownScope;
    const home = own ?? task.nursery.cancelScope;
    // (A child moved out of a nursery its parent dropped ends in that
    // nursery's scope, which is not its own: only scopes it entered count.)
    let moved = false;
    if (task.scope === home) {
      // The common case: nothing left entered.
    } else if (task.scope.owner !== task) {
      moved = true;
    } else {
      // The task ended inside scopes it entered: its code stepped
      // CancelScope.run or openNursery by hand (next()) and dropped them.
      // Left linked they would keep deadlines on the heap and signal
      // listeners, and an abandoned nursery's children would outlive the
      // task. As Trio does with the part of the tree that misnesting
      // abandons: cancel and close them, and fail a task that had not.
      const lost: unknown[] = [];
      for (let scope = task.scope; scope !== home && scope.owner === task; scope = task.scope) {
        // Its own Cancelled stops here, as at a proper exit. As in
        // leaveInner, only if it was cancelled before it was left: not an
        // outer Cancelled, caught and raised again inside it.
        if (!ok && scope.cancelFlag) {
          const rest = scope.filterExit(value);
          ok = rest === ABSORBED;
          value = ok ? undefined : rest;
        }
        scope.cancel();
        const dropped = scope.nursery;
        if (dropped !== null) {
          dropped.dropInto(task.nursery);
          // What its children raised so far goes with the task's outcome.
          const raised = scope.filterExit(dropped.combinedError());
          if (raised !== undefined && raised !== ABSORBED) lost.push(raised);
        }
        try {
          scope.exit(task);
        } catch {
          // A signal that refuses to let go: the scope is closed all the same.
        }
      }
      if (task.nurseries !== null) task.nurseries = null;
      if (ok) {
        ok = false;
        value = new RuntimeError(`Task ${task.name} ended inside a CancelScope.run or openNursery it stepped by hand; run operations with yield*.`);
      }
      if (lost.length > 0) value = new ExceptionGroup(`Errors from a nursery that task ${task.name} left without waiting for it`, [value, ...lost]);
    }
    if (own !== null) {
      // A task cancelled through Task.cancel() ends normally, as if a scope
      // around its whole body had absorbed the Cancelled.
      if (!ok) {
        const rest = own.filterExit(value);
        if (rest === ABSORBED) {
          ok = true;
          value = undefined;
        } else {
          value = rest;
        }
      }
      own.detachTaskScope(task);
    }
    task.state = DONE;
    // A done task keeps its outcome where its resume value was.
    if (!ok) task.flags |= RESUME_THROWS;
    task.resumeValue = value;
    task.waitingOn = null;
    this.statistics.tasksExited++;
    if (observer.current !== null) observer.current.taskExited?.(task);
    if (extras !== null && extras.deferred !== null) task.settleHandle();
    const nursery = task.nursery;
    if (nursery !== this.systemNursery) {
      // The common case: a child of a user nursery.
      // A moved child's Cancelled is the dropped nursery's (or its new
      // nursery's scopes raise their own): it must not cancel the new
      // nursery, its other children and the task that dropped the
      // nursery. Its handle, settled above, still sees it.
      if (moved && !ok) ok = (value = withoutCancelled(value)) === ABSORBED;
      nursery.childExited(task, ok, value);
    } else if (task === this.mainTask) {
      this.systemNursery.unlinkChild(task);
      this.mainOk = ok;
      this.mainValue = value;
      this.rootScope.cancel("the main task finished");
      this.maybeFinish();
    } else {
      // A system task. Its nursery's scope is the root scope, which absorbs
      // the run's own Cancelled (the main task ended, or another system task
      // crashed): only real errors count as a crash.
      this.systemNursery.unlinkChild(task);
      const crash = ok ? ABSORBED : withoutCancelled(value);
      if (crash !== ABSORBED) {
        this.crashErrors.push(crash);
        this.rootScope.cancel(`system task ${task.name} crashed`);
      }
      this.maybeFinish();
    }
    // Last, as in Trio: the nursery has heard of the exit (and woken its
    // parent) before the hook runs. A run this exit finished says so later
    // (afterRun, see endLastStep).
    if (this.instruments !== null) this.instruments.call("taskExited", task);
  }

  /** Lets go of what the run holds outside itself; the clock last, as it is the part that may throw. */
  private release(): void {
    this.finished = true;
    this.clearHostTimer();
    this.idle?.stop();
    liveRuns.delete(this);
    this.detachClock?.();
  }

  private maybeFinish(): void {
    if (this.finished || this.mainTask?.state !== DONE || this.systemNursery.childCount > 0) return;
    this.release();
    // Always in a task's last step (taskExited): that step announces the
    // end once its own hooks are out (see endLastStep).
    const settle = this.settle!;
    keepShapes();
    if (this.crashErrors.length > 0) {
      // The crash cancelled the main task: drop that Cancelled, but keep
      // any real error the main task raised while it unwound.
      const errors = this.crashErrors;
      const mainError = this.mainOk ? ABSORBED : withoutCancelled(this.mainValue);
      if (mainError !== ABSORBED) errors.unshift(mainError);
      settle.reject(errors.length === 1 ? errors[0] : new ExceptionGroup(mainError === ABSORBED ? "System tasks crashed" : "The main task and system tasks failed", errors));
    } else if (this.mainOk) {
      if (isAsyncioFuture(this.mainValue)) settle.reject(futureAsPromiseValueError("The run's result"));
      else settle.resolve(this.mainValue);
    } else {
      settle.reject(this.mainValue);
    }
  }

  // ---- deadlines and idleness ---------------------------------------------

  /** The time tasks that park from now on are stamped with (see ParkStamp): one object per look at the clock. */
  private stampParks(seconds: number): void {
    if (this.parkStamp.seconds !== seconds) this.parkStamp = { seconds };
  }

  /**
   * Wakes what is due at `now`, the run's clock (read by the caller, who
   * may have just read it). The tasks it wakes go ahead of those already
   * queued, in deadline order: a batch checks deadlines every so many
   * steps, and behind a queue of 10k first steps a sleeper that came due
   * would otherwise wait for the whole queue (issue 17: with 10k sleepers
   * the p99 overshoot was 3.5x setTimeout's). A woken task has waited
   * since its deadline; the queued ones were made runnable just now.
   */
  private fireDeadlines(now: number): void {
    this.stampParks(now);
    const queue = this.queue;
    const lastBefore = queue.tail;
    for (let entry = this.deadlines.popExpired(now); entry !== undefined; entry = this.deadlines.popExpired(now)) {
      entry.expire();
    }
    if (lastBefore !== null) queue.moveAfterToFront(lastBefore);
  }

  /** @internal Puts the running task to sleep until `deadline`. */
  sleepUntil(task: Task, deadline: number): void {
    beginWait(task, abortSleep);
    this.deadlines.set((extrasOf(task).sleepEntry ??= new SleepEntry(task)), deadline);
  }

  /** @internal A deadline moved: make sure the host timer matches, even when idle. */
  deadlinesChanged(): void {
    if (!this.running && !this.scheduled && !this.finished) this.becomeIdle();
  }

  /** @internal (ClockListener) The clock jumped or changed its autojump threshold. */
  clockChanged(): void {
    // A jump made by a running task (MockClock.jump) must be seen at its next
    // checkpoint, not at the batch's next look at the clock: fire what is
    // now due at once.
    if (this.running && !this.finished && this.deadlines.size > 0) this.fireDeadlines(this.clock.currentTime());
    // The host timer was computed at the old time or rate: drop it, so the
    // next idle period arms it afresh (becomeIdle keeps a timer for the same deadline).
    if (!this.finished) this.clearHostTimer();
    if (this.running || this.scheduled || this.finished) return;
    this.scheduled = true;
    queueSoon(this.batchCallback);
  }

  private clearHostTimer(): void {
    if (this.hostTimer === HOP) this.hopEpoch++;
    else if (this.hostTimer !== null) clearTimeout(this.hostTimer);
    this.hostTimer = null;
    this.hostTimerAt = Infinity;
  }

  private readonly hostTimerFired = (): void => {
    this.hostTimer = null;
    this.hostTimerAt = Infinity;
    if (this.running || this.finished) return;
    if (this.scheduled) return; // a batch is on its way and will fire deadlines
    this.runBatchInTimer();
  };

  /** @internal Runs a batch from a host timer's callback (see armFromFreshTask). */
  runBatchInTimer(): void {
    this.inTimerCallback = true;
    try {
      this.runBatch();
    } finally {
      this.inTimerCallback = false;
    }
  }

  /**
   * Browsers clamp a `setTimeout` armed from inside a chain of five or more
   * nested timer callbacks to at least 4 ms (HTML's timer nesting level).
   * Sleepers due a few ms apart would each wake up to 4 ms late (the median
   * sleeper woke 2 ms late in Chromium). So a short timer wanted from inside
   * a timer callback is armed from a fresh macrotask instead, which is not
   * a timer and resets the nesting.
   */
  private armFromFreshTask(): void {
    const epoch = ++this.hopEpoch;
    this.hostTimer = HOP;
    hostMacrotask()(() => {
      if (epoch !== this.hopEpoch || this.hostTimer !== HOP) return;
      this.hostTimer = null;
      this.hostTimerAt = Infinity;
      if (this.running || this.scheduled || this.finished) return;
      const earliest = this.deadlines.earliest();
      if (earliest !== Infinity && this.clock.deadlineToSleepTime(earliest) <= 0) this.runBatch();
      else this.armHostTimer();
    });
  }

  /** Arms the host timer for the earliest deadline, if it is not armed for it already. */
  private armHostTimer(): void {
    const earliest = this.deadlines.earliest();
    if (earliest === Infinity) {
      this.clearHostTimer();
    } else if (earliest !== this.hostTimerAt || this.hostTimer === null) {
      this.clearHostTimer();
      const seconds = this.clock.deadlineToSleepTime(earliest);
      if (seconds !== Infinity) {
        const ms = Math.min(Math.max(0, seconds * 1000), 2 ** 31 - 1);
        this.hostTimerAt = earliest;
        // Count how deep the chain of timers armed from timer callbacks is:
        // only the fifth level and beyond is clamped.
        this.timerNesting = this.inTimerCallback ? this.timerNesting + 1 : 0;
        if (this.timerNesting >= NESTED_TIMER_LEVELS && ms < NESTED_TIMER_CLAMP_MS) this.armFromFreshTask();
        else this.hostTimer = setTimeout(this.hostTimerFired, ms);
      }
    }
  }

  private becomeIdle(): void {
    this.armHostTimer();
    const earliest = this.deadlines.earliest();
    const idleDelay = this.idle === null ? Infinity : this.idle.arm();
    // Instruments hear of each idle period once (a deadline moved while idle
    // re-arms the timers above but is the same wait).
    if (this.instruments !== null && this.ioWaitTimeout === null) {
      const hostSeconds = earliest === Infinity ? Infinity : Math.max(0, this.clock.deadlineToSleepTime(earliest));
      this.ioWaitTimeout = Math.min(hostSeconds, idleDelay);
      this.instruments.call("beforeIoWait", this.ioWaitTimeout);
    }
  }

  /** @internal True while the idle period that armed a check (its `epoch`) goes on. */
  idleStillCurrent(epoch: number): boolean {
    return epoch === this.idleEpoch && !this.running && !this.scheduled && !this.finished;
  }

  toString(): string {
    return `<Run #${this.id} ${this.name}${this.finished ? " finished" : ""}>`;
  }
}

/**
 * @internal For tests: what a run has left behind (all zero and false after
 * the run). A function, not a method, so that apps, which never call it,
 * do not ship it.
 */
export function leftovers(runner: Runner): { tasks: number; deadlines: number; hostTimer: boolean; idleTimer: boolean; idleWaiters: number } {
  const idle = runner.idle;
  return {
    tasks: runner.systemNursery.childCount,
    deadlines: runner.deadlines.size,
    hostTimer: runner.hostTimer !== null,
    idleTimer: idle !== null && idle.timer !== null,
    idleWaiters: idle === null ? 0 : idle.waiters.length,
  };
}

/** What is left of an error once the run's root scope has absorbed its `Cancelled`s. */
/** The error without its Cancelled parts, or ABSORBED if nothing else (a thrown undefined is an error). */
function withoutCancelled(error: unknown): unknown {
  if (error instanceof Cancelled) return ABSORBED;
  if (error instanceof ExceptionGroup) return groupWithoutCancelled(error)[1] ?? ABSORBED;
  return error;
}

// Parking without an abort function means "cannot be cancelled here".
const refuseAbort = () => Abort.FAILED;

// Total, like describe(): it runs between steps, where a throw would wedge
// the run, and what it inspects is whatever the task yielded.
function foreignYieldMessage(value: unknown): string {
  if (value !== null && typeof value === "object") {
    if (isAsyncioFuture(value)) {
      return "A Trio task yielded an asyncio Future. asyncio code runs on an asyncio loop: call it through aioAsTrio(fn) inside openLoop(...).";
    }
    if (typeof readProperty(value, "then") === "function") {
      return "A Trio task yielded a Promise. Wait for it with `yield* waitPromise(promise)`, or make it cancellable with `yield* abortable(signal => …)`.";
    }
    if (typeof readProperty(value, "next") === "function") {
      return "A Trio task yielded a generator object: write `yield* operation()`, not `yield operation()`.";
    }
  }
  return `A Trio task yielded ${describe(value)}, which the scheduler does not understand. Run operations with yield* (for example yield* sleep(1)); never yield a value yourself.`;
}

/**
 * @internal Installs instruments in a run (once each), making its set on
 * first use. Kept out of the Runner class so that only the code paths that
 * install instruments (runWith's option, addInstrument) pull in the
 * Instruments class.
 */
export function installInstruments(runner: Runner, instruments: readonly Instrument[]): void {
  const set = (runner.instruments ??= new Instruments([]));
  for (const instrument of instruments) set.add(instrument);
}

/** @internal Removes an instrument from a run; a run left with none drops its set (the hot path checks for null). */
export function uninstallInstrument(runner: Runner, instrument: Instrument): void {
  if (runner.instruments === null || !runner.instruments.remove(instrument)) {
    throw new RangeError("removeInstrument(): that instrument is not installed in this run.");
  }
  if (runner.instruments.size === 0) runner.instruments = null;
}

/**
 * Runs `main(...args)` as the main task of a new run and returns a Promise of
 * its result. Several runs may coexist on a page.
 */
export function run<A extends unknown[], T>(main: (...args: A) => Operation<T>, ...args: A): Promise<T> {
  return startRun({}, main, args);
}

/** `run` with options: a clock, instruments, the time slice. */
export function runWith<A extends unknown[], T>(options: RunOptions, main: (...args: A) => Operation<T>, ...args: A): Promise<T> {
  return startRun(options, main, args, installInstruments);
}

// `install` is passed by runWith only, so that run() alone does not reach the Instruments class.
function startRun<A extends unknown[], T>(
  options: RunOptions,
  main: (...args: A) => Operation<T>,
  args: A,
  install?: (runner: Runner, instruments: readonly Instrument[]) => void,
): Promise<T> {
  try {
    if (options === null || typeof options !== "object") {
      throw new TypeError("runWith(options, main, ...args) needs an options object first; use run(main) without options.");
    }
    checkReadable("runWith(options, main, ...args)", options);
    const runner = new Runner(options);
    if (install !== undefined && options.instruments?.length) install(runner, options.instruments);
    const coro = callTaskFunction("run()", main, args);
    return runner.start(coro, functionName(main) ?? "main");
  } catch (error) {
    return Promise.reject(error);
  }
}
