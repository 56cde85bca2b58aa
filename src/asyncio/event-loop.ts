/**
 * The asyncio event loop, running as one Trio task.
 *
 * CPython's loop alternates between waiting for I/O or the next timer and
 * running a batch of ready callbacks. Here the waiting is done by the Trio
 * task that hosts the loop: it parks until `callSoon` wakes it or until the
 * earliest timer is due (a sleep on the run's own clock, so a MockClock
 * drives asyncio timers too). Then it runs iterations exactly as CPython's
 * `_run_once` does: move due timers to the ready queue, then run the
 * callbacks that were ready when the iteration began; callbacks they
 * schedule wait for the next iteration. Many iterations run inside one Trio
 * step, so a chain of callbacks costs no Trio step per callback.
 *
 * In a page that rule must yield to the host: one iteration of 100k ready
 * callbacks would freeze it for a fifth of a second. So the host task asks
 * the runner every so many callbacks whether the run's time slice is used
 * up (or the loop's own budget per step, which lets the run's other Trio
 * tasks interleave), and then yields, even in the middle of an iteration.
 * The iteration goes on where it stopped in a later batch: same order, same
 * end (callbacks scheduled meanwhile still wait for the next iteration), and
 * timers that came due meanwhile join the queue only when the next
 * iteration begins, in deadline order.
 *
 * Errors that escape callbacks go to the exception handler. The default one
 * does not just log: it raises the error in the nursery of the `openLoop`
 * block, so an asyncio failure fails the program instead of vanishing.
 */
import { asyncioContext, contextOwner, type Context, type ContextMap } from "../core/context.js";
import { DeadlineEntry, DeadlineHeap } from "../core/deadlines.js";
import { realSeconds, SystemClock, type Clock } from "../core/clock.js";
import { checkOptionalBoolean, checkReadable, describe, isError, isInstance, isUnusableFunction, messageOf, readProperty, stringOf } from "../core/errors.js";
import type { Nursery } from "../core/nursery.js";
import { FIRST_CLOCK_INTERVAL, nextClockInterval, type Runner } from "../core/runner.js";
import { current } from "../core/state.js";
import type { Task as TrioTask } from "../core/task.js";
import { BLOCKED, beginWait } from "../core/task.js";
import { Abort, PARK, SCHEDULE_POINT, type Operation } from "../core/traps.js";
import { RuntimeError } from "./errors.js";
import { liveLoops, observer } from "../inspect/hooks.js";
import { Future, isFuture, taskWakeup } from "./future.js";
import { checkCallback, explainCallbackError, Handle, NO_ARGS, TimerHandle } from "./handles.js";
import { ReadyQueue } from "./ready-queue.js";
import { LoopTasks } from "./task-list.js";
import { loopContext, running } from "./running.js";
import { leaveWaiter, stepTask, Task, taskName, type TaskOptions } from "./task.js";
import type { Coroutine } from "./types.js";
import { contextExecutor, type Executor } from "./executor.js";

/** What the exception handler receives (CPython's context dict). */
export interface ExceptionContext {
  /** What went wrong, in words. */
  message: string;
  /** The error, when there is one. */
  exception?: unknown;
  /** The Future whose error nobody retrieved. */
  future?: Future<unknown> | undefined;
  /** The Task whose error nobody retrieved (or that was destroyed pending). */
  task?: Task<unknown> | undefined;
  /** The callback handle that raised. */
  handle?: Handle | undefined;
  /** Where the future, task or handle was created (debug mode only). */
  sourceTraceback?: string | undefined;
  [key: string]: unknown;
}

/** A custom exception handler. */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/** What `createTask` passes on to a task factory: the options it was given (each key only when given). */
export interface TaskFactoryOptions {
  /** The task's name. */
  name?: string | undefined;
  /** Whether to step the coroutine at once, inside `createTask` (see `eagerTaskFactory`). */
  eagerStart?: boolean | undefined;
  /** The Context the task runs in (a copy of the current one when not given). */
  context?: Context | undefined;
}

/** Makes Tasks for `createTask` (see `setTaskFactory`). */
export type TaskFactory = (loop: EventLoop, coro: Coroutine<unknown>, options: TaskFactoryOptions) => Task<unknown>;

/** Counters of a loop, for tools and benchmarks. */
export interface LoopStatistics {
  /** Callbacks run (`callSoon`/`callLater` handles, Task steps and done callbacks). */
  callbacksRun: number;
  /** Passes over the ready queue. */
  iterations: number;
  /** Tasks created on this loop. */
  tasksCreated: number;
  /** Futures created on this loop (Tasks not included). */
  futuresCreated: number;
}

let nextLoopId = 1;

/** How many iterations the shutdown's drain of queued callbacks may take before callSoon, callAt and createFuture refuse (see checkAccepting). */
const DRAIN_ITERATIONS = 1000;

const loopAbort = () => Abort.SUCCEEDED;

/** @internal Closes a coroutine that will never run (no-op for a non-generator). */
export function closeCoro(coro: unknown): void {
  // readProperty: a revoked Proxy given for a coroutine must not turn the refusal into the engine's error.
  if (coro !== null && typeof coro === "object" && typeof readProperty(coro, "return") === "function") (coro as Generator).return(undefined);
}

/**
 * @internal Cancels `task` unless it is done. A task factory's Task whose
 * cancel() throws must not stop the caller from cancelling the others (a
 * TaskGroup's siblings, a race's attempts, the tasks of the loop's shutdown): the error goes to
 * the exception handler, and the task is waited for until it ends by itself.
 */
export function cancelOrReport(loop: EventLoop, task: Task<unknown>, who: string, msg?: string): void {
  try {
    if (!task.done()) task.cancel(msg);
  } catch (error) {
    loop.callExceptionHandler({
      message: `${who} could not cancel ${stringOf(task)}: its cancel() raised. The other tasks were cancelled, and this one is waited for until it ends by itself; a task factory must make Tasks whose cancel() works.`,
      exception: error,
      task,
    });
  }
}

/** An asyncio event loop. Get one from `openLoop` or `asyncio.run`. */
export class EventLoop {
  /** A number unique among the loops of this page (tools name the loop by it). */
  readonly id = nextLoopId++;
  /** Counters for tools and benchmarks, updated as the loop runs. */
  readonly statistics: LoopStatistics = { callbacksRun: 0, iterations: 0, tasksCreated: 0, futuresCreated: 0 };
  /** @internal */ readonly runner: Runner;
  /** @internal the Trio nursery of the openLoop block (the one its children moved to, once the block is dropped) */ nursery: Nursery;
  /** @internal the Trio task that runs the loop */ hostTask: TrioTask | null = null;
  /** @internal the tasks not done yet */ readonly tasks = new LoopTasks();
  /** @internal Trio tasks started by trioAsAio, with the scope that cancels each */ readonly trioChildren = new Map<TrioTask, { cancel(msg?: string): void }>();
  /** @internal shutdown's round that cancels them, set by trioAsAio with the first (see ShutdownRound) */ cancelTrioChildren: ShutdownRound | null = null;
  /**
   * @internal The ready queue: one slot for what callSoon and timers
   * schedule (the Handle) and for a Task's step (the Task), three
   * (`fn, arg, context`) for the library's other callbacks (Future done
   * callbacks, wakeups), which need no Handle since nobody can cancel them.
   * No object per entry beyond the Handle a caller gets back.
   */
  readonly readyQueue = new ReadyQueue();
  /** How many callbacks of the iteration in progress are still to run, or -1 between iterations: one cut short by the time slice goes on with these. */
  private iterationLeft = -1;
  private readonly timerHeap = new DeadlineHeap();
  private hostParked = false;
  private hostExit = false;
  /** Set when the host task has run and exited (not merely not started yet). */
  private hostDone = false;
  /** False once callSoon, callAt and createFuture refuse: the host has exited, or the shutdown's drain ran past its bound (see checkAccepting). */
  private accepting = true;
  /** `statistics.iterations` when the shutdown last let the host drain its callbacks. */
  private drainFrom = 0;
  /** @internal async iterators started on this loop and not finished (see shutdown) */ readonly asyncgens = new Set<AsyncgenLike>();
  /** @internal shutdown's round that finalizes them, set by bridge/iterators.ts with the first (see ShutdownRound) */ finalizeAsyncgens: ShutdownRound | null = null;
  /** @internal Wakers of Trio tasks parked in waitFuture on this loop's Futures (bridge/aio-as-trio.ts): a Future still pending when the loop closes never completes, so they are woken then. */ trioWaiters: Set<() => void> | null = null;
  /** @internal finished tasks whose exception nobody has looked at yet */ readonly unretrieved = new Set<Task<unknown>>();
  private closedFlag = false;
  private stopRequested = false;
  private readonly stopWaiters: TrioTask[] = [];
  private debugMode = false;
  /** `slowCallbackDuration`, checked when set: the debug-mode timing reads this field and nothing else. */
  private slowSeconds = 0.1;
  private exceptionHandler: ExceptionHandler | null = null;
  private taskFactory: TaskFactory | null = null;
  /** The longest stretch of callbacks in one step of the host task (real seconds), so other Trio tasks interleave. */
  private readonly budgetSeconds: number;
  /** @internal set by shutdown(): Trio task waiting for tasks to finish or the host to exit */ shutdownWaiter: TrioTask | null = null;
  /** The tasks the current shutdown round waits for (see shutdown). */
  /** @internal */ shutdownRound: Set<Task<unknown>> | null = null;
  /** @internal What stands for the callback that last asked (see asyncioOwner), by its number in `callbacksRun`. */
  callbackOwner: { run: number } | null = null;
  /** @internal Futures that failed and whose exception is reported at close if nobody retrieved it (trioAsAio's). */ readonly unretrievedFutures = new Set<Future<unknown>>();
  /** @internal what reports them, set by trioAsAio with the first */ reportFutures: ((loop: EventLoop) => void) | null = null;
  /** @internal The loop time it was made at: Futures keep their creation time relative to it (see stampMs). */ readonly epoch: number;
  /** The run's clock, read without going through the Runner (see keepShapes: its class's map is not kept). */
  private readonly loopClock: Clock;

  /** @internal Use openLoop() or asyncio.run(). */
  constructor(runner: Runner, nursery: Nursery, options: { debug?: boolean; budget?: number } = {}) {
    this.runner = runner;
    this.nursery = nursery;
    this.debugMode = options.debug === true;
    this.budgetSeconds = options.budget ?? 0.004;
    this.loopClock = runner.clock;
    this.epoch = runner.clock.currentTime();
    liveLoops.add(this);
    if (shapeKeepers === null) keepShapes();
    // For ContextVar.reset: the asyncio Task stepping now, or the callback running, owns the context set() changes.
    contextOwner.asyncioOwner ??= asyncioOwner;
  }

  // ---- time and scheduling -------------------------------------------------

  /** The loop's time: the Trio run's clock, in seconds. */
  time(): number {
    return this.loopClock.currentTime();
  }

  /**
   * @internal A cheap timestamp for creation times (the inspector's ages),
   * in whole milliseconds after `epoch`: a small integer fits in a Future's
   * field unboxed, where seconds (a double) would allocate a number per
   * Future. Inside a callback the clock is read at most once per turn of
   * the host task (at most a time slice stale), else it is the clock.
   * Futures are created on hot paths; a clock read per loop iteration was
   * 7% of an asyncio Queue ping-pong.
   */
  stampMs(): number {
    if (running.loop !== this) return Math.floor((this.time() - this.epoch) * 1000);
    // The stamp itself is kept for the turn: a 10k createTask loop read and converted the time 10k times.
    let ms = this.iterationMs;
    if (ms < 0) {
      let now = this.iterationTime;
      if (Number.isNaN(now)) now = this.iterationTime = this.time();
      ms = this.iterationMs = Math.floor((now - this.epoch) * 1000);
    }
    return ms;
  }

  /** NaN until read in this turn of the host task: a double from the start, so the field never changes representation (a new hidden class, see keepShapes). */
  private iterationTime = NaN;
  /** `stampMs()` of `iterationTime`, or -1 until computed (reset with it). */
  private iterationMs = -1;

  /** Runs `callback(...args)` soon, after callbacks already scheduled. */
  callSoon<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): Handle {
    checkCallback("callSoon", callback);
    this.checkAccepting("callSoon");
    // No arguments, the usual case: the Handle keeps the one shared empty array, not this call's.
    const handle = new Handle(callback as (...args: never[]) => unknown, args.length === 0 ? NO_ARGS : args, loopContext());
    this.readyQueue.push1(handle);
    if (this.hostParked) this.wakeHost();
    return handle;
  }

  /**
   * @internal `callSoon(fn, arg)` for the library's own callbacks (Task
   * steps, Future done callbacks), with no Handle: nobody gets one to
   * cancel, so the queue holds the callback, its argument and the context
   * it runs in, and nothing is allocated per call. `fn` is trusted (checked
   * where it came in, or the library's own).
   */
  schedule<A>(fn: (arg: A) => unknown, arg: A): void {
    // Only Futures' done callbacks come here: the refusal names them, not callSoon (CPython raises too, after the state changed).
    if (this.hostDone || this.closedFlag) {
      throw new RuntimeError("A Future's done callbacks cannot run on a closed event loop: its openLoop(...) block has ended. The Future is done all the same (cancel(), setResult() or setException() took effect); complete Futures and add done callbacks while the block runs.");
    }
    this.readyQueue.push(fn, arg, loopContext());
    if (this.hostParked) this.wakeHost();
  }

  /**
   * @internal `schedule(stepTask, task)`: the task's next step. When it is
   * scheduled from the task's own context (always for its first step), the
   * queue holds the Task alone, one slot, and the step runs in that
   * context, the one the three-slot entry would have held.
   */
  scheduleStep(task: Task<unknown>): void {
    this.checkOpen("callSoon");
    const context = loopContext();
    if (context === task.context) this.readyQueue.push1(task);
    else this.readyQueue.push(stepTask, task, context);
    if (this.hostParked) this.wakeHost();
  }

  /**
   * @internal A new Task's first step, from its constructor, which has just
   * checked the loop is open and taken the current context as the task's:
   * scheduleStep without doing either again.
   */
  scheduleFirstStep(task: Task<unknown>): void {
    this.readyQueue.push1(task);
    if (this.hostParked) this.wakeHost();
  }

  /** `callSoon` for code outside the loop's run (other runs, host callbacks). Same behaviour here. */
  callSoonThreadsafe<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): Handle {
    checkCallback("callSoonThreadsafe", callback);
    return this.callSoon(callback, ...args);
  }

  /** Runs `callback(...args)` after `delay` seconds. */
  callLater<A extends unknown[]>(delay: number, callback: (...args: A) => unknown, ...args: A): TimerHandle {
    if (typeof delay !== "number" || Number.isNaN(delay)) {
      throw new TypeError(`callLater(delay, callback) needs a number of seconds, got ${Number.isNaN(delay) ? "NaN" : describe(delay)}.`);
    }
    checkCallback("callLater", callback);
    return this.callAt(this.time() + delay, callback, ...args);
  }

  /** Runs `callback(...args)` when `loop.time()` reaches `when`. */
  callAt<A extends unknown[]>(when: number, callback: (...args: A) => unknown, ...args: A): TimerHandle {
    if (typeof when !== "number" || Number.isNaN(when)) {
      throw new TypeError(`callAt(when, callback) needs a loop time in seconds, got ${Number.isNaN(when) ? "NaN" : describe(when)}.`);
    }
    checkCallback("callAt", callback);
    this.checkAccepting("callAt");
    const handle = new TimerHandle(when, callback as (...args: never[]) => unknown, args, this);
    const earliestBefore = this.timerHeap.earliest();
    this.timerHeap.set(handle.timerEntry, when);
    if (this.hostParked && when < earliestBefore) this.wakeHost();
    return handle;
  }

  /**
   * @internal `sleep()`'s timer: at `when`, `future` gets `result` (unless
   * cancelled meanwhile). What `callLater(delay, setResultUnlessCancelled,
   * future, result)` does, in the same order among timers and callbacks,
   * without its Handle, TimerHandle and arguments array: 10k sleepers made
   * 40k objects. Cancel it with `removeTimer`.
   */
  sleepUntil<T>(when: number, future: Future<T>, result: T): DeadlineEntry {
    this.checkOpen("callAt");
    const timer = new SleepTimer(this, future as Future<unknown>, result);
    const earliestBefore = this.timerHeap.earliest();
    this.timerHeap.set(timer, when);
    if (this.hostParked && when < earliestBefore) this.wakeHost();
    return timer;
  }

  /** @internal Takes a timer out (a `sleepUntil` timer or a TimerHandle's entry; nothing happens if it fired already). */
  removeTimer(timer: DeadlineEntry): void {
    this.timerHeap.remove(timer);
  }

  // ---- futures and tasks ----------------------------------------------------

  /** A new pending Future on this loop. */
  createFuture<T = unknown>(): Future<T> {
    this.checkAccepting("createFuture");
    return new Future<T>(undefined, this);
  }

  /** Wraps a coroutine in a Task scheduled on this loop. */
  createTask<T>(coro: Coroutine<T>, options?: Omit<TaskOptions, "loop">): Task<T> {
    if (this.hostDone || this.closedFlag) {
      // CPython closes a coroutine it refuses, so it can never run later, half-forgotten.
      closeCoro(coro);
      this.checkOpen("createTask");
    }
    if (this.taskFactory !== null) {
      let name: string | undefined;
      let eagerStart: boolean | undefined;
      let context: Context | undefined;
      try {
        name = options?.name;
        eagerStart = options?.eagerStart;
        context = options?.context;
      } catch (error) {
        checkReadable("createTask(coro, options)", options!);
        throw error;
      }
      // Refused before the factory makes (and schedules) a task: the name given is set on it afterwards, and a factory may ignore eagerStart.
      if (name !== undefined) taskName("createTask(coro, { name })", name);
      if (eagerStart !== undefined) checkOptionalBoolean("createTask(coro, { eagerStart })", eagerStart);
      const given: TaskFactoryOptions = name === undefined ? {} : { name };
      // Passed on, as Python 3.14 does, so a factory can honour it.
      if (eagerStart !== undefined) given.eagerStart = eagerStart;
      if (context !== undefined) given.context = context;
      const task = this.taskFactory(this, coro as Coroutine<unknown>, given);
      // As CPython 3.12/3.13 (set_name after the factory): a factory that ignores its options still gives the task the name
      // asked for. A name the factory chose itself stands (3.14 leaves naming to the factory).
      if (name !== undefined && isInstance(task, Task) && task.autoNamed) task.setName(name);
      return task as Task<T>;
    }
    return new Task<T>(coro, options, this);
  }

  /** Replaces how `createTask` makes Tasks (null restores the default). */
  setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null) {
      if (typeof factory !== "function") throw new TypeError("setTaskFactory(factory) takes a function or null.");
      if (isUnusableFunction(factory)) {
        throw new TypeError("setTaskFactory(factory) takes a function or null, but this one cannot be called: reading it threw (a revoked Proxy?). Pass a plain function (loop, coro, options) => Task.");
      }
    }
    this.taskFactory = factory;
  }

  /** The task factory set by `setTaskFactory`, or null for the default. */
  getTaskFactory(): TaskFactory | null {
    return this.taskFactory;
  }

  /** @internal */
  taskCreated(task: Task<unknown>): void {
    this.tasks.add(task);
    this.statistics.tasksCreated++;
  }

  /**
   * @internal A task has just finished. Called by the task itself rather
   * than through a done callback: a callback, and the callSoon handle that
   * runs it, per task was a fifth of a 10k-task gather.
   */
  taskFinished(task: Task<unknown>): void {
    this.tasks.delete(task);
    // Checked again when the loop closes: whoever looks at the exception meanwhile clears it.
    if (task.hasException && !task.retrieved) this.unretrieved.add(task);
    if (this.shutdownRound !== null && this.shutdownRound.delete(task) && this.shutdownRound.size === 0) this.wakeShutdown();
  }

  /** @internal */
  futureCreated(future: Future<unknown>): void {
    this.statistics.futuresCreated++;
    if (this.debugMode) future.rare().sourceTraceback = new Error("Future created here").stack;
    // Only while a tool is attached: pending futures for the inspector.
    if (observer.current !== null && typeof WeakRef === "function") (this.tracked ??= new Set()).add(new WeakRef(future));
  }

  private tracked: Set<WeakRef<Future<unknown>>> | null = null;

  /** @internal Pending futures created while a tool was attached. */
  *trackedFutures(): Generator<Future<unknown>> {
    if (this.tracked === null) return;
    for (const ref of this.tracked) {
      const f = ref.deref();
      if (f === undefined || f.done()) this.tracked.delete(ref);
      else yield f;
    }
  }

  /**
   * @internal A future got an exception: if nobody retrieves it before the
   * future is garbage collected, report it (Python does the same in __del__).
   */
  exceptionSet(future: Future<unknown>): void {
    // V8 keeps an Error's stack frames (their receivers and closures: Task.step's
    // task, a gather callback's outer Future) until `stack` is first read. The
    // record below is held by the registry, and a held value that reaches its
    // target keeps the target (and its loop and run) alive forever: format
    // the stack now so the record holds only a string.
    const exception = future.exceptionValue;
    if (isError(exception)) void readProperty(exception, "stack"); // isError/readProperty: a revoked Proxy must not throw here
    const record = { retrieved: false, exception, loop: this, name: String(future), traceback: future.sourceTraceback };
    future.rare().exceptionRecord = record;
    neverRetrieved?.register(future, record);
  }

  /** The tasks of this loop that are not done. */
  allTasks(): Task<unknown>[] {
    return this.tasks.toArray().filter((t) => !t.done());
  }

  // ---- state --------------------------------------------------------------

  /** True while the loop can run callbacks (inside its openLoop block). */
  isRunning(): boolean {
    return !this.hostDone && !this.closedFlag;
  }

  /** @internal False once callSoon refuses (see checkAccepting): earlier than isClosed(), while the shutdown ends. */
  acceptsCallbacks(): boolean {
    return this.accepting;
  }

  /** True once the loop has shut down. */
  isClosed(): boolean {
    return this.closedFlag;
  }

  /** Makes a pending `runForever()` return. */
  stop(): void {
    this.stopRequested = true;
    for (const task of this.stopWaiters.splice(0)) {
      // Unless code stepping runForever() by hand dropped it and the task waits elsewhere.
      if (task.state === BLOCKED && task.waitingOn === this) task.runner.reschedule(task, undefined, false);
    }
  }

  /** Closing happens when the openLoop block ends; closing a running loop is an error, as in asyncio. */
  close(): void {
    if (this.closedFlag) return;
    throw new RuntimeError("Cannot close a running event loop: it closes by itself when its openLoop(...) block ends.");
  }

  /**
   * A Trio operation: waits until `stop()` is called (Python's
   * `run_forever`; the loop itself runs all along inside openLoop).
   */
  *runForever(): Operation<void> {
    const task = current.task;
    if (task === null) throw new RuntimeError("runForever() is a Trio operation: call it with yield* from Trio code inside openLoop.");
    if (this.stopRequested) {
      this.stopRequested = false;
      return;
    }
    beginWait(task, () => {
      const i = this.stopWaiters.indexOf(task);
      if (i !== -1) this.stopWaiters.splice(i, 1);
      return Abort.SUCCEEDED;
    });
    this.stopWaiters.push(task);
    task.waitingOn = this;
    yield PARK;
    this.stopRequested = false;
  }

  // ---- executors --------------------------------------------------------------

  private defaultExecutor: Executor | null = null;

  /**
   * Sets the executor that `runInExecutor(null, ...)` and `asyncio.toThread`
   * use (null: the pool of the innermost `openWorkerPool` block).
   */
  setDefaultExecutor(executor: Executor | null): void {
    if (executor !== null && (typeof executor !== "object" || typeof readProperty(executor, "submit") !== "function")) {
      throw new TypeError(`setDefaultExecutor(executor) takes an executor (new WorkerExecutor(pool) from trio-asyncio/workers) or null, got ${describe(executor)}.`);
    }
    this.defaultExecutor = executor;
  }

  /**
   * Python's `loop.run_in_executor`: runs operation `name(...args)` on
   * `executor` (null: the loop's default, else the innermost worker pool
   * block's) and returns a Future of its result.
   * The work is named, not a function: a worker operation (see
   * `WorkerExecutor`). Cancelling the Future cancels the work; the Future
   * turns cancelled once the work has ended.
   */
  runInExecutor<T = unknown>(executor: Executor | null, name: string, ...args: unknown[]): Future<T> {
    // As CPython: a closed loop refuses before any executor sees the work.
    this.checkOpen("runInExecutor");
    const chosen = executor ?? this.defaultExecutor ?? contextExecutor.get();
    if (chosen === null || chosen === undefined) {
      throw new RuntimeError(
        "runInExecutor(null, ...): no default executor here. Run this inside an openWorkerPool block (trio-asyncio/workers; its pool is the default), or call loop.setDefaultExecutor(new WorkerExecutor(pool)), or pass an executor.",
      );
    }
    if (typeof chosen !== "object" || typeof readProperty(chosen, "submit") !== "function") {
      throw new TypeError(`runInExecutor(executor, ...) takes an executor (new WorkerExecutor(pool) from trio-asyncio/workers) or null, got ${describe(chosen)}.`);
    }
    const future: unknown = chosen.submit(this, name, args);
    // As CPython's wrap_future refuses what is not a Future: awaited, anything else would fail with the engine's words.
    if (!isFuture(future)) {
      throw new TypeError(`runInExecutor(executor, ${describe(name)}): the executor's submit() returned ${describe(future)}, not an asyncio Future. An executor's submit(loop, name, args) must return a Future of that loop (loop.createFuture(), or asyncio.wrapPromise(promise) for a Promise).`);
    }
    return future as Future<T>;
  }

  // ---- errors and debug -----------------------------------------------------

  /** Enables debug mode: creation stacks, slow-callback reports. */
  setDebug(enabled: boolean): void {
    this.debugMode = Boolean(enabled);
  }

  /** Whether debug mode is on (see `setDebug`). */
  getDebug(): boolean {
    return this.debugMode;
  }

  /** Callbacks slower than this (seconds, default 0.1) are reported in debug mode; Infinity reports none. */
  get slowCallbackDuration(): number {
    return this.slowSeconds;
  }

  set slowCallbackDuration(seconds: number) {
    if (typeof seconds !== "number") {
      throw new TypeError(`loop.slowCallbackDuration must be a number of seconds >= 0 (callbacks slower than this are reported in debug mode), got ${describe(seconds)}.`);
    }
    if (!(seconds >= 0)) {
      throw new RangeError(`loop.slowCallbackDuration must be a number of seconds >= 0 (callbacks slower than this are reported in debug mode), got ${String(seconds)}; use 0 to report every callback, Infinity to report none.`);
    }
    this.slowSeconds = seconds;
  }

  /** Sets the handler for errors nobody retrieved (see `callExceptionHandler`); null restores the default. */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null) {
      if (typeof handler !== "function") throw new TypeError("setExceptionHandler(handler) takes a function (loop, context) => void, or null.");
      if (isUnusableFunction(handler)) {
        throw new TypeError("setExceptionHandler(handler) takes a function or null, but this one cannot be called: reading it threw (a revoked Proxy?). Pass a plain function (loop, context) => void.");
      }
    }
    this.exceptionHandler = handler;
  }

  /** The handler set by `setExceptionHandler`, or null for the default. */
  getExceptionHandler(): ExceptionHandler | null {
    return this.exceptionHandler;
  }

  /**
   * The default handler: an error with an exception is raised in the
   * openLoop block's nursery (it fails the block); a message alone is logged.
   */
  defaultExceptionHandler(context: ExceptionContext): void {
    if (context === null || typeof context !== "object") {
      throw new TypeError(`defaultExceptionHandler(context) needs an object such as { message, exception }, got ${describe(context)}.`);
    }
    // Read totally: a custom handler may pass on whatever context it was given.
    let exception: unknown;
    try {
      exception = context.exception;
    } catch (error) {
      // An error that cannot be read must not pass for a plain message, which is only logged.
      exception = new TypeError(`defaultExceptionHandler(context): reading context.exception threw (${messageOf(error)}). Pass a plain object such as { message, exception }.`, { cause: error });
    }
    const message = stringOf(readProperty(context, "message"));
    if (exception !== undefined) {
      this.surface(exception, message);
    } else {
      console.warn(`asyncio: ${message}`, context);
    }
  }

  /** Passes `context` to the exception handler; errors of the handler itself are surfaced too. */
  callExceptionHandler(context: ExceptionContext): void {
    if (context === null || typeof context !== "object") {
      throw new TypeError(`callExceptionHandler(context) needs an object such as { message, exception }, got ${describe(context)}.`);
    }
    checkReadable("callExceptionHandler(context)", context);
    const handler = this.exceptionHandler;
    if (handler === null) {
      this.defaultExceptionHandler(context);
      return;
    }
    try {
      handler(this, context);
    } catch (error) {
      // Neither error may be lost: the handler's own error fails the block,
      // and the original is attached to it.
      // stringOf: the message is the caller's, perhaps not a string (a Symbol would throw in the template).
      const wrapped = new Error(`The asyncio exception handler raised while handling: ${stringOf(readProperty(context, "message"))}`, { cause: error });
      (wrapped as Error & { context?: ExceptionContext }).context = context;
      this.surface(wrapped, "exception handler failed");
    }
  }

  /** @internal Raises `error` in the openLoop block's nursery. */
  surface(error: unknown, message: string): void {
    if (this.nursery.closed) {
      console.error(`asyncio: ${message} (after the loop's block ended)`, error);
      return;
    }
    this.nursery.startSoonNamed("asyncio error", raiseError, error);
  }

  // ---- the loop itself -------------------------------------------------------

  /** @internal Wakes the host task if it is parked. */
  wakeHost(): void {
    const task = this.hostTask;
    if (task === null || task.state !== BLOCKED || !this.hostParked) return;
    this.hostParked = false;
    const entry = task.extras?.sleepEntry;
    if (entry) this.runner.deadlines.remove(entry);
    this.runner.reschedule(task, undefined, false);
  }

  /** @internal The body of the loop's host task. */
  *hostLoop(): Operation<void> {
    const task = current.task!;
    this.hostTask = task;
    for (;;) {
      this.iterationTime = NaN;
      this.iterationMs = -1;
      this.runSlice();
      // Work left (perhaps the rest of an iteration): let the run's other tasks and the host have their turn.
      if (this.readyQueue.size > 0) {
        // Callbacks that keep scheduling callbacks (one that schedules itself again) would hold the shutdown's drain open for
        // good: past the bound, tasks they started go back to a round, which cancels them; with none, new callbacks are refused.
        if (this.hostExit && this.accepting && this.statistics.iterations - this.drainFrom > DRAIN_ITERATIONS) {
          if (this.tasks.size > 0) {
            this.hostExit = false;
            this.wakeShutdown();
          } else {
            this.accepting = false;
          }
        }
        yield SCHEDULE_POINT;
        continue;
      }
      if (this.hostExit) {
        if (!this.hasUnfinishedWork()) break;
        // The callbacks just drained started new work: back to shutdown() for another round.
        this.hostExit = false;
        this.wakeShutdown();
      }
      this.hostParked = true;
      const earliest = this.timerHeap.earliest();
      if (earliest !== Infinity) {
        this.runner.sleepUntil(task, earliest);
      } else {
        beginWait(task, loopAbort);
      }
      task.waitingOn = this;
      yield PARK;
      this.hostParked = false;
    }
    this.hostTask = null;
    this.hostDone = true;
    this.accepting = false;
    this.wakeShutdown();
  }

  /**
   * Runs iterations until nothing is ready, or until the run's time slice
   * or the loop's budget for this step is used up, even in the middle of
   * an iteration (see the module comment). The clock is read through the
   * runner every `interval` callbacks, an interval that adapts by the
   * runner's own rule (nextClockInterval): it starts small, doubles while
   * callbacks are quick and halves when they are slow, so that heavy
   * callbacks are still cut close to the slice.
   * Each step runs at least a few callbacks, however little of the slice
   * is left, so the loop always makes progress.
   */
  private runSlice(): void {
    const runner = this.runner;
    const budget = this.budgetSeconds;
    const firstLeft = runner.sliceLeft();
    let lastLeft = firstLeft;
    let interval = FIRST_CLOCK_INTERVAL;
    let untilLook = interval;
    for (;;) {
      untilLook -= this.runOnce(untilLook);
      if (this.readyQueue.size === 0) return;
      if (untilLook > 0) continue;
      const left = runner.sliceLeft();
      if (left < 0 || firstLeft - left >= budget) return;
      interval = nextClockInterval(interval, lastLeft - left, budget);
      lastLeft = left;
      untilLook = interval;
    }
  }

  /**
   * @internal One iteration, as CPython's `_run_once`, or the next part of
   * one: runs at most `limit` of its callbacks and returns how many it took
   * off the ready queue (cancelled ones included). A new iteration first
   * moves the due timers to the ready queue, in deadline order; its
   * callbacks are those ready then, so callbacks they schedule wait for the
   * next iteration, however many parts this one is run in.
   */
  runOnce(limit: number): number {
    const ready = this.readyQueue;
    let left = this.iterationLeft;
    if (left < 0) {
      this.statistics.iterations++;
      if (this.timerHeap.size > 0) {
        const now = (this.iterationTime = this.time());
        this.iterationMs = -1;
        for (let e = this.timerHeap.popExpired(now); e !== undefined; e = this.timerHeap.popExpired(now)) e.expire();
      }
      left = ready.size;
    }
    const count = left > limit ? limit : left;
    let taken = 0;
    const prevLoop = running.loop;
    const prevContext = asyncioContext.map;
    running.loop = this;
    try {
      while (taken < count) {
        const slot = ready.firstSlot();
        const chunk = ready.headChunk;
        const target = chunk[slot];
        taken++;
        if (typeof target === "function") {
          const arg = chunk[slot + 1];
          const context = chunk[slot + 2] as ContextMap;
          ready.taken3(slot);
          this.statistics.callbacksRun++;
          enterContext(context);
          if (this.debugMode) this.runTimed(new Handle(target as (arg: unknown) => unknown, [arg], context));
          else this.runCallback(target as (arg: unknown) => unknown, arg, context);
        } else if (target instanceof Task) {
          // A Task's step (scheduleStep), in the task's own context.
          ready.taken1(slot);
          const context = target.context;
          this.statistics.callbacksRun++;
          enterContext(context);
          if (this.debugMode) this.runTimed(new Handle(stepTask as (arg: unknown) => unknown, [target], context));
          else this.runStep(target);
        } else {
          const handle = target as Handle;
          ready.taken1(slot);
          if (handle.cancelledFlag) continue;
          this.statistics.callbacksRun++;
          // Each callback runs in the context it was scheduled from (CPython's Handle._context).
          enterContext(handle.context);
          if (this.debugMode) this.runTimed(handle);
          else this.runHandle(handle);
        }
      }
    } finally {
      // A wait a callback stepped by hand and dropped (see enqueueWaiter) leaves its line.
      if (running.waiter !== null) leaveWaiter();
      running.loop = prevLoop;
      asyncioContext.map = prevContext;
      // Cut short (by the limit or a callback that threw past the handler): the rest of the iteration waits where it is.
      this.iterationLeft = left > taken ? left - taken : -1;
    }
    return taken;
  }

  /** Runs one of the library's own callbacks; an error is reported with a Handle made for the report. */
  private runCallback(fn: (arg: unknown) => unknown, arg: unknown, context: ContextMap): void {
    try {
      fn(arg);
    } catch (error) {
      this.reportCallbackError(error, new Handle(fn, [arg], context));
    }
  }

  /** Runs a Task's step queued as a one-slot entry; an error is reported as runCallback would, with a Handle of stepTask. */
  private runStep(task: Task<unknown>): void {
    try {
      task.runStep(undefined, false);
    } catch (error) {
      this.reportCallbackError(error, new Handle(stepTask as (arg: unknown) => unknown, [task], task.context));
    }
  }

  private runHandle(handle: Handle): void {
    try {
      handle.run();
    } catch (error) {
      this.reportCallbackError(error, handle);
    }
  }

  private reportCallbackError(error: unknown, handle: Handle): void {
    // A context without an exception is only logged: a thrown undefined or null must not vanish that way.
    const exception = explainCallbackError(handle.handleFn, error ?? new TypeError(`A callback scheduled on the loop threw ${String(error)}; throw an Error object instead.`));
    this.callExceptionHandler({ message: `Exception in callback ${handle}`, exception, handle });
  }

  private runTimed(handle: Handle): void {
    const t0 = realSeconds();
    this.runHandle(handle);
    const took = realSeconds() - t0;
    if (took >= this.slowSeconds) {
      // A Task's step is named by its Task, as CPython's "Executing <Task ...> took": "<Handle stepTask>" said which task was slow to no one.
      const cb = handle.handleFn;
      const what = (cb === stepTask || cb === taskWakeup) && isInstance(handle.handleArgs[0], Task) ? handle.handleArgs[0] : handle;
      console.warn(`asyncio: executing ${String(what)} took ${took.toFixed(3)} seconds`);
    }
  }

  /** Pending work, for tools: ready callbacks and timers. */
  get pending(): { ready: number; timers: number } {
    return { ready: this.readyQueue.size, timers: this.timerHeap.size };
  }

  // ---- shutdown ---------------------------------------------------------------

  /**
   * @internal As `asyncio.run` does on exit: cancel every task and wait for
   * them, cancel the Trio tasks started from asyncio and wait for them, run
   * the callbacks still queued, then stop. Called shielded by openLoop.
   *
   * Work keeps arriving while this runs (a task's `finally` creates a
   * task, a callback does, a Trio task's cleanup does), so it goes in
   * rounds until none is left: asyncio.run cancels the tasks once and then
   * abandons newer ones pending, which here would leave the block waiting
   * forever. Each task is cancelled once, by the first round that finds it
   * pending, so cleanup that creates a task and awaits it still completes.
   */
  *shutdown(): Operation<void> {
    const me = current.task!;
    if (this.debugMode) {
      for (const t of this.allTasks()) console.warn(`asyncio: Task was destroyed but it is pending: ${t}`, t.sourceTraceback ?? "");
    }
    for (;;) {
      // Rounds of cancelling and awaiting, until no task, async iterator or Trio child is left.
      for (;;) {
        // A Task completed by Future's own methods (Future.prototype.cancel.call(task))
        // never went through taskFinished: done, it is no longer pending.
        for (const t of this.tasks) if (t.done()) this.taskFinished(t);
        if (this.tasks.size > 0) {
          // this.tasks holds only tasks not done yet (taskFinished removes them).
          const round = new Set(this.tasks);
          for (const t of round) cancelOrReport(this, t, "The loop's shutdown");
          yield* this.awaitRound(me, round);
        } else if (this.asyncgens.size > 0) {
          yield* this.finalizeAsyncgens!(this, me);
        } else if (this.trioChildren.size > 0) {
          yield* this.cancelTrioChildren!(this, me);
        } else {
          break;
        }
      }
      // The exceptions nobody retrieved, of tasks and of Futures registered for it, go to the exception handler.
      const unretrieved = [...this.unretrieved];
      this.unretrieved.clear();
      for (const t of unretrieved) {
        if (t.retrieved) continue;
        // Reported once, here; the garbage-collection check must not repeat it.
        t.retrieved = true;
        // `future` as CPython's Future.__del__ names it (handlers written for CPython read it), `task` as ours always did;
        // in debug mode, where the task was made, as CPython's source_traceback.
        reportNeverRetrieved(this, { message: "Task exception was never retrieved", exception: t.exceptionValue, future: t, task: t }, t.sourceTraceback);
      }
      if (this.unretrievedFutures.size > 0) this.reportFutures!(this);
      // The exception handler may have started something.
      if (this.hasUnfinishedWork()) continue;
      // Let the host drain the ready queue, then exit. If the callbacks it
      // drains start new work, it hands back (hostExit false) for another round.
      this.hostExit = true;
      // Counted per drain: a round of tasks in between (work the drained callbacks started) starts the count again.
      this.drainFrom = this.statistics.iterations;
      this.wakeHost();
      yield* this.waitFor(me, () => this.hostDone || !this.hostExit);
      if (this.hostDone) break;
    }
    this.closedFlag = true;
    this.tracked = null;
    liveLoops.delete(this);
    if (this.trioWaiters !== null) for (const wake of this.trioWaiters) wake();
  }

  /** Tasks, async iterators or Trio tasks still to end, or errors still to report. */
  private hasUnfinishedWork(): boolean {
    return this.tasks.size > 0 || this.asyncgens.size > 0 || this.trioChildren.size > 0 || this.unretrieved.size > 0 || this.unretrievedFutures.size > 0;
  }

  /** @internal Waits until every task of `round` has finished (taskFinished takes them out). */
  *awaitRound(me: TrioTask, round: Set<Task<unknown>>): Operation<void> {
    this.shutdownRound = round;
    yield* this.waitFor(me, () => round.size === 0);
    this.shutdownRound = null;
  }

  /** @internal Parks the shutdown task until `condition` holds (re-checked at each wakeShutdown). */
  *waitFor(me: TrioTask, condition: () => boolean): Operation<void> {
    while (!condition()) {
      beginWait(me, () => {
        this.shutdownWaiter = null;
        return Abort.SUCCEEDED;
      });
      this.shutdownWaiter = me;
      me.waitingOn = this;
      yield PARK;
    }
    this.shutdownWaiter = null;
  }

  /** @internal Wakes the shutdown waiter to re-check its condition. */
  wakeShutdown(): void {
    const waiter = this.shutdownWaiter;
    if (waiter === null || waiter.state !== BLOCKED) return;
    this.shutdownWaiter = null;
    this.runner.reschedule(waiter, undefined, false);
  }

  // ---- validation ---------------------------------------------------------------

  /**
   * @internal Refuses new work once the host task has stopped running
   * callbacks: from then on nothing would run it, and work must be run
   * or refused, never dropped.
   */
  checkOpen(what: string): void {
    if (this.hostDone || this.closedFlag) {
      throw new RuntimeError(`${what}() on a closed event loop: its openLoop(...) block has ended. Schedule work while the block runs.`);
    }
  }

  /**
   * checkOpen for callSoon, callAt and createFuture, which also refuse once the
   * shutdown's drain of queued callbacks has run past its bound: a
   * callback that schedules itself again would hold the block open for
   * good. The library's own scheduling (Task steps, done callbacks) is not
   * refused then, so the tasks the shutdown cancels still end.
   */
  private checkAccepting(what: string): void {
    if (this.accepting) return;
    this.checkOpen(what);
    throw new RuntimeError(
      `${what}() refused: the loop is closing, and its callbacks kept scheduling new callbacks through ${DRAIN_ITERATIONS} iterations of its shutdown (a callback that schedules itself again, or a done callback that makes the next Future?). Run repeating work as a Task (a loop around asyncio.sleep), which the shutdown cancels, or stop rescheduling when your main code ends.`,
    );
  }

  toString(): string {
    return `<EventLoop #${this.id} ${this.closedFlag ? "closed" : this.isRunning() ? "running" : "idle"}>`;
  }
}

/**
 * Who owns the context `set()` changes (see contextOwner): the asyncio Task
 * stepping now, else the loop callback running, as each runs in its own
 * copy of a context. An object stands for a callback: made when first
 * asked (most callbacks never set a variable), one per callback, as
 * callbacksRun counts each one as it starts.
 */
function asyncioOwner(): object | null {
  const { task, loop } = running;
  if (task !== null || loop === null) return task;
  const run = loop.statistics.callbacksRun;
  let owner = loop.callbackOwner;
  if (owner === null || owner.run !== run) loop.callbackOwner = owner = { run };
  return owner;
}

/**
 * Makes `context` the running asyncio context. Stored only when it changes
 * (in a run of callbacks, usually never): a store of an object into a
 * long-lived object calls V8's write barrier while it marks.
 */
function enterContext(context: ContextMap): void {
  if (asyncioContext.map !== context) asyncioContext.map = context;
}

/** @internal What the loop finalizes at shutdown: an async iterator with an optional return(). */
export interface AsyncgenLike {
  return?(): Coroutine<unknown>;
}

/**
 * @internal One round of shutdown for work a bridge left on the loop (async
 * iterators to finalize, Trio children to cancel), run once the loop's
 * tasks are done, with the shutdown's Trio task. The bridge sets it on the
 * loop when it first leaves such work, so the code lives with the bridge
 * and a program without it does not carry it.
 */
export type ShutdownRound = (loop: EventLoop, me: TrioTask) => Operation<void>;

/**
 * One detached instance of each hot class, kept for the life of the page.
 *
 * Why: V8's optimized code refers to the hidden classes (maps) of the
 * objects it was specialised for, weakly. Once a run ends and a full GC
 * finds no instance of a class left, those maps die and every function
 * specialised on them is deoptimized ("weak objects"): the next run starts
 * cold, interpreting until V8 optimizes again. A page collects garbage
 * between bursts of work, so each burst paid that (issue 17: a 10k
 * createTask + gather went from ~1.5 ms to ~40 ms after a forced GC). These
 * instances keep the maps alive. They hold no user data and never run: a
 * loop on a stand-in runner that nothing drives, outside the inspector's
 * registry, with a Task on an empty generator that never starts, a Future,
 * a Handle, a sleep timer and a Future's iterator. Classes only some
 * programs use keep theirs on the same loop when first used (keeperLoop),
 * so a program without them does not carry them.
 */
let shapeKeepers: readonly object[] | null = null;

function keepShapes(): void {
  shapeKeepers = []; // first: the loop made below must not come back here
  // The clock is a real SystemClock, the class of every run's default clock: its map is kept too.
  const standIn = { clock: new SystemClock() } as unknown as Runner;
  const loop = new EventLoop(standIn, {} as Nursery);
  liveLoops.delete(loop);
  const future = new Future<unknown>(undefined, loop);
  shapeKeepers = [
    loop,
    future,
    new Task(neverStarted(), { name: "kept for its shape" }, loop), // named: it must not take the number of the page's first Task-N
    new Handle(keepShapes, NO_ARGS, null),
    new SleepTimer(loop, future, undefined),
    future[Symbol.iterator](), // what `yield* future` iterates, and its first result
  ];
}

function* neverStarted(): Coroutine<void> {}

/** @internal The detached loop of the shape keepers, for modules that keep their own class's shape on it (gather.ts). */
export function keeperLoop(): EventLoop {
  if (shapeKeepers === null) keepShapes();
  return shapeKeepers![0] as EventLoop;
}

/** @internal See `EventLoop.sleepUntil`. */
class SleepTimer extends DeadlineEntry {
  constructor(
    /** @internal */ readonly sleepLoop: EventLoop,
    /** @internal */ readonly sleeper: Future<unknown>,
    /** @internal */ readonly sleepValue: unknown,
  ) {
    super();
  }
  /** Due: its Future is resolved in this iteration, where a TimerHandle's callback would run. */
  expire(): void {
    this.sleepLoop.readyQueue.push(resolveSleep, this, null);
  }
}

/** Runs on the loop when a sleep timer is due (a library callback, no Handle). */
function resolveSleep(timer: SleepTimer): void {
  const future = timer.sleeper;
  if (!future.done()) future.setResult(timer.sleepValue);
}

interface ExceptionRecord {
  retrieved: boolean;
  exception: unknown;
  loop: EventLoop;
  name: string;
  traceback: string | undefined;
}

const neverRetrieved =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry<ExceptionRecord>((record) => {
        if (!record.retrieved) reportNeverRetrieved(record.loop, { message: `${record.name}: exception was never retrieved`, exception: record.exception }, record.traceback);
      })
    : null;

/** Passes an exception nobody retrieved to the handler, with where its Future was made (debug mode) as CPython's source_traceback. */
function reportNeverRetrieved(loop: EventLoop, context: ExceptionContext, traceback: string | undefined): void {
  if (traceback !== undefined) context.sourceTraceback = traceback;
  loop.callExceptionHandler(context);
}

function* raiseError(error: unknown): Operation<never> {
  throw error;
}
