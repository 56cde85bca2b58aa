/**
 * asyncio's Task: drives an asyncio coroutine (a generator that yields
 * Futures) step by step on its loop.
 *
 * Each step resumes the generator once. When it yields a Future, the Task
 * registers a done callback on it and sleeps; the callback schedules the
 * next step, which sends the outcome back in (the Future's own iterator then
 * returns its result or raises). `cancel()` cancels the Future the Task waits
 * on, so `CancelledError` arrives at exactly that `yield*`; if the Task is
 * not waiting, it is thrown in at the next step. Cancellation requests are
 * counted (`cancelling()`/`uncancel()`), as in Python 3.11+.
 *
 * While a Task steps, the core's "current Trio task" is cleared, so a Trio
 * operation called from asyncio code fails with a message naming
 * `trioAsAio` instead of corrupting the loop's own Trio task.
 */
import { current } from "../core/state.js";
import { checkOptionalBoolean, checkReadable, describe, ignoreRefusedPromise, messageOf, readProperty } from "../core/errors.js";
import { CHECKPOINT, FLAVOUR, PARK, SCHEDULE_POINT, SHARED_PARK, SHARED_SCHEDULE_POINT } from "../core/traps.js";
import { GeneratorPrototype, generatorNext } from "../core/task.js";
import { asyncioContext, Context, isContext, type ContextMap } from "../core/context.js";
import { CancelledError, InvalidStateError, isCancelledError, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { Future, isFuture, RETRIEVED } from "./future.js";
import { loopContext, running } from "./running.js";
import type { Coroutine } from "./types.js";

/** @internal The marker a bare "yield now" step yields (asyncio's `sleep(0)`). */
export const YIELD_NOW: object = Object.freeze({ toString: () => "[asyncio yield-now]" });

let taskCounter = 0;

/** Task's bits in `Future.bits`, next to the Future's own (see STATE_BITS there). MUST_CANCEL: cancel() must be thrown in at the next step. */
const MUST_CANCEL = 16;
/**
 * `coroutine` is a genuine generator object: runStep() resumes it with the one
 * %GeneratorPrototype%.next all generators share. Looking up "next" on the
 * coroutine itself is a megamorphic load when the bodies are inline (every
 * generator function has its own prototype, so each closure's generators
 * have their own hidden class).
 */
const IS_GENERATOR = 64;
/** The task runs in a `Context` object (given to createTask, or made by getContext()), kept in `contextObjects`: each step takes its map from there and leaves its changes there. */
const OWN_CONTEXT = 32;
/** The Context objects of the tasks with OWN_CONTEXT (few do: a field on every Task would cost them all). */
const contextObjects = new WeakMap<Task<unknown>, Context>();
/** The count of cancel requests lives in `bits` from bit 8 up (bit 7 is Future's GATHER_SEEN): one field less per Task. */
const CANCEL_SHIFT = 8;
const FLAG_BITS = (1 << CANCEL_SHIFT) - 1;
/** Where the count stops (a request is counted while below it): keeps `bits` a small integer in every engine. */
const MAX_CANCELS = (1 << 22) - 1;

/**
 * What the core's error message for a Trio operation used from asyncio code
 * names (`current.foreign`, only ever put in a template string): the task
 * being stepped. One object for every task, made into words only when that
 * message is built, while the culprit is still `running.task`; a label
 * string per task was an allocation per Task.
 */
const FOREIGN_LABEL = {
  toString: (): string => (running.task === null ? "asyncio code" : `the asyncio task "${running.task.getName()}"`),
} as unknown as string;

/** Options of a new Task. */
export interface TaskOptions {
  /** The loop (default: the running loop). */
  loop?: EventLoop | undefined;
  /** A name for tools and errors (default `Task-N`). */
  name?: string | undefined;
  /** Run the first step synchronously, now (Python's eager tasks). */
  eagerStart?: boolean | undefined;
  /**
   * The Context the task runs in (default: a copy of the creator's):
   * what it `set()`s stays in that Context, shared with whatever else runs
   * in it (Python's `create_task(coro, context=ctx)`).
   */
  context?: Context | undefined;
}

/** An asyncio Task. */
export class Task<T = unknown> extends Future<T> {
  /** The name, or the N of the default name `Task-N`, made into a string only when read (most never are). */
  private declare nameValue: string | number;
  /** @internal */ declare readonly coroutine: Coroutine<T>;
  /**
   * @internal The Future this task waits on. The task parks itself (not a
   * closure) as that Future's done callback, and `wakeup()` reads the
   * outcome from here. Kept in `value`, which holds nothing until the task
   * is done: a field of its own cost 8 bytes per Task (Node).
   */
  get fwaiter(): Future<unknown> | null {
    const value = this.value;
    return value === undefined || this.done() ? null : (value as Future<unknown>);
  }
  /** @internal */
  set fwaiter(future: Future<unknown> | null) {
    // Only ever set while the task is pending (its steps and waits).
    this.value = future === null ? undefined : future;
  }
  /** @internal task-local context inherited from the creator, with what the task's own steps set (see OWN_CONTEXT) */ declare context: ContextMap;
  /** @internal the links of the loop's list of tasks not done (task-list.ts) */ declare loopPrev: Task<unknown> | null;
  /** @internal */ declare loopNext: Task<unknown> | null;

  constructor(coro: Coroutine<T>, options?: TaskOptions, /* the library passes the loop here, from loop.createTask (no options object made per task) */ loop?: EventLoop) {
    super(options, loop);
    const generator = seemsGenerator(coro);
    if (!generator && (coro === null || typeof coro !== "object" || typeof readProperty(coro, "next") !== "function")) {
      throw new TypeError(notCoroutineMessage(coro));
    }
    // Both options read now, before the task is registered: a getter that throws must not leave it registered and never stepped.
    let name: unknown, eager: unknown, context: unknown;
    if (options != null) {
      try {
        name = options.name;
        eager = options.eagerStart;
        context = options.context;
      } catch (error) {
        checkReadable("createTask(coro, options)", options);
        throw error;
      }
      // CPython takes any truthy value; here 1 or "false" would silently start the task the other way than meant.
      if (eager !== undefined) checkOptionalBoolean("createTask(coro, { eagerStart })", eager);
      if (context !== undefined && !isContext(context)) {
        throw new TypeError(`createTask(coro, { context }) takes a Context (from copyContext() or task.getContext()), got ${describe(context)}.`);
      }
      // An eager first step runs now, inside the Context's run(): it cannot enter that Context again (CPython's Context.run raises there too).
      if (eager === true && context !== undefined && (context as Context).entered && this.loop.isRunning()) {
        throw new RuntimeError("createTask(coro, { context, eagerStart: true }): that Context is entered now (this code runs inside its run()), so the task cannot start in it at once. Pass context.copy(), or leave out eagerStart.");
      }
    }
    // Assigned in one fixed order, not as class fields (see Future's constructor).
    this.nameValue = name === undefined ? ++taskCounter : taskName("createTask(coro, { name })", name);
    this.coroutine = coro;
    if (generator) this.bits |= IS_GENERATOR;
    if (context === undefined) {
      this.context = loopContext(); // the creator's, as CPython's create_task copies it
    } else {
      this.context = (context as Context).map;
      contextObjects.set(this as Task<unknown>, context as Context);
      this.bits |= OWN_CONTEXT;
    }
    this.loopPrev = null;
    this.loopNext = null;
    const l = this.loop;
    l.checkOpen("createTask"); // before taskCreated: a refused task must not count as pending
    l.taskCreated(this as Task<unknown>);
    if (eager === true && l.isRunning()) {
      // Started inside another task's step, perhaps between its primitive's wait and the yield of it: that wait is kept for that step's end.
      const run = running;
      const waiter = run.waiter;
      const line = run.waiterLine;
      const undo = run.waiterUndo;
      run.waiter = null;
      this.runStep(undefined, false);
      run.waiter = waiter;
      run.waiterLine = line;
      run.waiterUndo = undo;
    } else {
      l.scheduleFirstStep(this as Task<unknown>); // this.context is the current context: set above, from loopContext()
    }
  }

  /** @internal Pending cancel requests (`cancelling()`), counted in `bits` up to 4M. */
  get numCancelsRequested(): number {
    return this.bits >>> CANCEL_SHIFT;
  }
  /** @internal */
  set numCancelsRequested(count: number) {
    this.bits = (this.bits & FLAG_BITS) | (Math.min(count, MAX_CANCELS) << CANCEL_SHIFT);
  }

  /**
   * The Context the task runs in (Python's `task.get_context()`): its
   * values, those it set included; `run()` in it changes what the task
   * sees. The same object every time.
   */
  getContext(): Context {
    if ((this.bits & OWN_CONTEXT) !== 0) return contextObjects.get(this as Task<unknown>)!;
    // From the task's own step, its latest values are the running ones, and the Context is entered until the step ends.
    const stepping = running.task === (this as Task<unknown>);
    const context = new Context(stepping ? loopContext() : this.context);
    context.entered = stepping;
    contextObjects.set(this as Task<unknown>, context);
    this.bits |= OWN_CONTEXT;
    return context;
  }

  /** A step of a task with its own Context: takes that Context's values, which code outside may have changed, and marks it entered. Returns it, or null if it was entered already (then the step leaves it alone). */
  private enterOwnContext(): Context | null {
    const context = contextObjects.get(this as Task<unknown>)!;
    if (context.entered) return null;
    this.context = context.map;
    context.entered = true;
    return context;
  }

  /** The end of a step that entered its Context (or made it): what the step set is the Context's now. */
  private leaveOwnContext(): void {
    const context = contextObjects.get(this as Task<unknown>)!;
    context.map = this.context;
    context.entered = false;
  }

  /** The task's name. */
  getName(): string {
    const name = this.nameValue;
    return typeof name === "number" ? `Task-${name}` : name;
  }

  /** @internal True while the task has only its automatic Task-N name (none was given or set). */
  get autoNamed(): boolean {
    return typeof this.nameValue === "number";
  }

  /** Renames the task. */
  setName(name: string): void {
    this.nameValue = taskName("setName(name)", name);
  }

  /** The coroutine the task drives. */
  getCoro(): Coroutine<T> {
    return this.coroutine;
  }

  /** Tasks cannot be completed from outside: they end when their coroutine does. */
  override setResult(_value: T): never {
    throw new RuntimeError("Task does not support setResult(): a Task's result is what its coroutine returns.");
  }

  override setException(_exception: unknown): never {
    throw new RuntimeError("Task does not support setException(): a Task's exception is what its coroutine raises.");
  }

  /**
   * Requests cancellation: `CancelledError` is thrown into the coroutine at
   * the `yield*` where it waits. Returns false if the task is already done.
   */
  override cancel(msg?: string): boolean {
    this.retrieved = true;
    if (this.done()) return false;
    // The message becomes a CancelledError's message at the next step,
    // where a throw (a Symbol or hostile object as message) would wedge the task.
    if (msg !== undefined && typeof msg !== "string") msg = messageOf(msg);
    this.numCancelsRequested++;
    if (this.fwaiter !== null && this.fwaiter.cancel(msg)) {
      // The waiter will wake us with CancelledError. Keep fwaiter: it may be
      // a Task that swallows the cancellation, to be cancelled again later.
      return true;
    }
    this.bits |= MUST_CANCEL;
    this.cancelMessage = msg;
    return true;
  }

  /** How many cancellation requests are pending (Python 3.11+). */
  cancelling(): number {
    return this.numCancelsRequested;
  }

  /** Withdraws one cancellation request; returns how many remain. */
  uncancel(): number {
    if (this.numCancelsRequested > 0) {
      this.numCancelsRequested--;
      if (this.numCancelsRequested === 0) this.bits &= ~MUST_CANCEL;
    }
    return this.numCancelsRequested;
  }

  /** The Future the task is waiting on, or null (for tools). */
  get waitingOn(): Future<unknown> | null {
    return this.fwaiter;
  }

  private finishCancelled(msg: string | undefined): void {
    Future.prototype.cancel.call(this, msg);
    this.loop.taskFinished(this as Task<unknown>);
  }

  /** @internal Runs the coroutine one step. */
  runStep(error: unknown, throws: boolean): void {
    if (this.done()) {
      // Completed from outside its own code (Future's methods called on it): refused, as CPython's (the loop's shutdown drops it as done).
      throw new InvalidStateError(
        `step(): Task ${this.getName()} is already done, before its coroutine ended: something completed it with Future's own methods (such as Future.prototype.cancel.call(task)). Cancel a Task with task.cancel(), which lets its coroutine run its finally blocks.`,
      );
    }
    if ((this.bits & MUST_CANCEL) !== 0) {
      if (!(throws && error instanceof CancelledError)) {
        error = this.makeCancelledError();
        throws = true;
      }
      this.bits &= ~MUST_CANCEL;
    }
    this.fwaiter = null;
    // The three module objects read once each: a bundler makes them module
    // variables, which V8's optimized code reloads and map-checks at every
    // use. The loop and the context are stored only when they change (from
    // the loop's runOnce they are the task's already): a store of an object
    // into a long-lived object calls V8's write barrier while it marks.
    const run = running;
    const trio = current;
    const aio = asyncioContext;
    const loop = this.loop;
    // undefined: no Context object (yet); null: its Context was entered already, by code around this step.
    const own = (this.bits & OWN_CONTEXT) === 0 ? undefined : this.enterOwnContext();
    const context = this.context;
    const prevTask = run.task;
    const prevLoop = run.loop;
    const prevForeign = trio.foreign;
    const prevContext = aio.map;
    run.task = this as Task<unknown>;
    if (prevLoop !== loop) run.loop = loop;
    // No Trio task is current while `foreign` is set (see state.ts).
    trio.foreign = FOREIGN_LABEL;
    if (prevContext !== context) aio.map = context;
    let done = false;
    let yielded: unknown;
    let threw = false;
    try {
      const result = throws ? this.throwIn(error) : (this.bits & IS_GENERATOR) !== 0 ? this.resumeGenerator() : this.coroutine.next(undefined);
      // Read inside the try: a hand-written iterator's result may have throwing getters.
      done = result.done === true;
      yielded = result.value;
    } catch (exc) {
      threw = true;
      yielded = exc;
    }
    // What the step set() is the task's from now on (its Context's too, if it has one).
    const after = aio.map as ContextMap;
    if (after !== context) this.context = after;
    if (own !== null && (this.bits & OWN_CONTEXT) !== 0) this.leaveOwnContext();
    // Compared with what they are now: the step's code may have changed them.
    if (aio.map !== prevContext) aio.map = prevContext;
    run.task = prevTask;
    if (run.loop !== prevLoop) run.loop = prevLoop;
    trio.foreign = prevForeign;
    // A primitive's wait the step made but did not yield was stepped by hand and dropped: it leaves its line.
    const waiter = run.waiter;
    if (waiter !== null) {
      if (waiter !== yielded || done || threw) leaveWaiter();
      else run.waiter = null;
    }
    if (threw) {
      this.finishThrown(yielded);
      return;
    }
    if (done) {
      if ((this.bits & MUST_CANCEL) !== 0) {
        // cancel() arrived during the last step: honour it, as CPython does.
        this.bits &= ~MUST_CANCEL;
        this.finishCancelled(this.cancelMessage);
      } else {
        this.finishWith(yielded as T);
        this.loop.taskFinished(this as Task<unknown>);
      }
      return;
    }
    if (yielded === YIELD_NOW) {
      this.loop.scheduleStep(this as Task<unknown>);
    } else if (isFuture(yielded)) {
      this.waitOn(yielded);
    } else {
      // CPython's "Task got bad yield": thrown into the coroutine at that yield, on the next iteration.
      ignoreRefusedPromise(yielded); // a Promise yielded by mistake: its rejection is ours to silence
      this.loop.callSoon(stepWithError, this as Task<unknown>, new TypeError(badYieldMessage(yielded)));
    }
  }

  /** Parks the task on `future`; every failure to do so is thrown into the coroutine, never left pending. */
  private waitOn(future: Future<unknown>): void {
    let problem: unknown;
    try {
      if (future.getLoop() !== this.loop) {
        problem = new RuntimeError(`Task ${this.getName()} awaited a Future attached to a different loop.`);
      } else if (future === (this as unknown)) {
        problem = new RuntimeError(`Task ${this.getName()} cannot await itself.`);
      } else {
        this.fwaiter = future;
        future.addCallback(this);
        if ((this.bits & MUST_CANCEL) !== 0 && future.cancel(this.cancelMessage)) this.bits &= ~MUST_CANCEL;
        return;
      }
    } catch (error) {
      // A Future subclass whose methods throw.
      this.fwaiter = null;
      problem = error;
    }
    this.loop.callSoon(stepWithError, this as Task<unknown>, problem);
  }

  /** The coroutine raised: the task ends cancelled (CancelledError) or with the error. */
  private finishThrown(exc: unknown): void {
    if (isCancelledError(exc)) {
      // Kept so that awaiting the task raises this very error (CPython 3.12's _cancelled_exc).
      this.rare().cancelledExc = exc;
      // CPython ends the Task with Future.cancel() and no message: the
      // message lives on in that error only, so a later makeCancelledError()
      // (a second await, gather's returnExceptions entry) has none.
      this.finishCancelled(undefined);
      return;
    }
    if (exc === undefined || exc === null) {
      // setException() refuses these, which would leave the task pending forever.
      exc = new TypeError(`Task ${this.getName()}: its coroutine threw ${String(exc)}; throw an Error object instead.`);
    }
    this.bits &= ~RETRIEVED; // a cancel() the coroutine answered with an error must not hide that error
    // Not setException(): its checks inspect the value, and whatever the coroutine threw must end the task.
    this.storeException(exc);
    this.loop.taskFinished(this as Task<unknown>);
  }

  /** Raises `error` in the coroutine at its wait; one without a throw() method fails the task with a TypeError that says so. */
  private throwIn(error: unknown): IteratorResult<unknown, T> {
    const coro = this.coroutine;
    const fn = coro.throw;
    if (typeof fn !== "function") {
      throw new TypeError(
        `Task ${this.getName()}: its coroutine has no throw() method, so ${describe(error)} could not be raised at its wait: such a task can be neither cancelled nor told that what it awaited failed. Pass a generator (call a function*), or give a hand-written coroutine next(), throw() and return().`,
        { cause: error },
      );
    }
    return fn.call(coro, error) as IteratorResult<unknown, T>;
  }

  /**
   * Resumes a coroutine taken for a generator (IS_GENERATOR) through the
   * shared next(). A Proxy of a generator passes isGenerator (its prototype
   * chain reads the same) but not next()'s receiver check, which throws a
   * TypeError before any of its code runs: then it is resumed as any other
   * iterator. A genuine generator that threw is finished, so a second
   * shared next() returns quietly: that is how the two are told apart.
   */
  private resumeGenerator(): IteratorResult<unknown, T> {
    const coro = this.coroutine;
    try {
      return generatorNext.call(coro, undefined) as IteratorResult<unknown, T>;
    } catch (error) {
      if (!refusesSharedNext(coro)) throw error;
      this.bits &= ~IS_GENERATOR;
      return coro.next(undefined);
    }
  }

  /** @internal The Future it waits on is done (the loop runs this through taskWakeup): step with its outcome. */
  wakeup(): void {
    const future = this.fwaiter;
    if (future === null) {
      // Not waiting (a Future subclass that ran its callbacks twice): nothing to resume.
      return;
    }
    try {
      future.result();
    } catch (error) {
      this.runStep(error, true);
      return;
    }
    this.runStep(undefined, false);
  }

  override toString(): string {
    // "cancelling" while a cancel request is pending, as CPython's repr says (_task_repr_info)
    const state = !this.done() && this.cancelling() > 0 ? "cancelling" : this.status.toLowerCase();
    return `<Task ${this.getName()} ${state}>`;
  }
}

/** After a throw from the shared next(): true if `coro` is no genuine generator (see Task.resumeGenerator). */
function refusesSharedNext(coro: Coroutine<unknown>): boolean {
  try {
    generatorNext.call(coro, undefined);
    return false;
  } catch {
    return true;
  }
}

/**
 * True if `value` inherits from %GeneratorPrototype%: the IS_GENERATOR hint,
 * which resumeGenerator checks at the first step (a value the shared next()
 * refuses is resumed through its own next()). isPrototypeOf rather than
 * isGenerator's two getPrototypeOf: until V8 has optimized the code that
 * makes Tasks, each getPrototypeOf of a generator object is a call into its
 * runtime, where isPrototypeOf walks the chain in place (a 10k
 * createTask+gather after two warm-up rounds: 10% fewer instructions).
 * Total: a revoked Proxy throws (it is then checked as any other value).
 */
function seemsGenerator(value: unknown): boolean {
  try {
    // eslint-disable-next-line no-prototype-builtins -- %GeneratorPrototype%'s own method, which nothing shadows
    return GeneratorPrototype.isPrototypeOf(value as object);
  } catch {
    return false;
  }
}

/**
 * @internal A task's name as a string: strings and numbers as CPython's str() would
 * give them; anything else is refused, since the name goes into every
 * message about the task and must not throw there.
 */
export function taskName(what: string, name: unknown): string {
  if (typeof name === "string") return name;
  if (typeof name === "number" || typeof name === "bigint" || typeof name === "boolean") return String(name);
  throw new TypeError(`${what}: a task name must be a string, got ${describe(name)}.`);
}

/** What a Task was given instead of a coroutine, and what to pass (whole messages, so the production build codes each). */
function notCoroutineMessage(coro: unknown): string {
  if (typeof coro === "function") {
    return "An asyncio Task needs a coroutine (the generator returned by calling a function*). You passed a function: call it to get the coroutine, e.g. createTask(main()) rather than createTask(main).";
  }
  if (isFuture(coro)) {
    return "An asyncio Task needs a coroutine (the generator returned by calling a function*). You passed a Future or Task, which needs no Task: wait for it with yield* future in asyncio code, or waitFuture(future) in Trio code.";
  }
  if (coro !== null && typeof coro === "object" && typeof readProperty(coro, "then") === "function") {
    return "An asyncio Task needs a coroutine (the generator returned by calling a function*). You passed a Promise: asyncio coroutines are generator functions (function*) that yield* Futures.";
  }
  return `An asyncio Task needs a coroutine (the generator returned by calling a function*), got ${describe(coro)}.`;
}

/**
 * What went wrong and how to fix it, for a value a Task cannot wait on.
 * Total: it only reads the value through readProperty/describe, which
 * never throw, so a hostile value cannot leave the Task pending.
 */
function badYieldMessage(value: unknown): string {
  if (value === CHECKPOINT || value === PARK || value === SCHEDULE_POINT || value === SHARED_PARK || value === SHARED_SCHEDULE_POINT) {
    return "An asyncio coroutine yielded a Trio operation's trap. Trio code runs in Trio tasks: call it from asyncio through yield* trioAsAio(fn)(...).";
  }
  if (value !== null && typeof value === "object") {
    if (readProperty(value, FLAVOUR) === "asyncio") {
      return "An asyncio coroutine yielded a Future of another copy of this library; yield* only Futures of the loop's own library.";
    }
    if (typeof readProperty(value, "then") === "function") {
      return "An asyncio coroutine yielded a Promise. Wrap it: yield* wrapPromise(promise).";
    }
    if (typeof readProperty(value, "next") === "function") {
      return "An asyncio coroutine yielded a generator object: write `yield* coro()`, not `yield coro()`.";
    }
  }
  return `An asyncio coroutine yielded ${describe(value)}, which a Task cannot wait on. Wait with yield* on Futures and coroutines (e.g. yield* sleep(1)); never yield a value yourself.`;
}

/**
 * @internal Takes the wait noted in `running.waiter` out of its line and
 * cancels it: its step ended without yielding it, or began another wait
 * (it was stepped by hand and dropped), as the core undoes a Trio wait its
 * task left (see beginWait), and calls the wait's undo (see
 * enqueueWaiter). Left alone if something else listens to it (a
 * hand-written driver that will resume the wait's coroutine itself).
 */
export function leaveWaiter(): void {
  const run = running;
  const waiter = run.waiter!;
  const line = run.waiterLine!;
  const undo = run.waiterUndo;
  run.waiter = null;
  if (waiter.callbacks !== null) return;
  line.remove(waiter as never);
  waiter.cancel();
  if (undo !== undefined) undo();
}

/** @internal Runs `task`'s next step (scheduled with loop.scheduleStep: no closure, and no Handle, per Task). */
export function stepTask(task: Task<unknown>): void {
  task.runStep(undefined, false);
}

/** Throws `error` into `task` (scheduled with callSoon on the rare error paths, so no Task carries a closure for it). */
function stepWithError(task: Task<unknown>, error: unknown): void {
  task.runStep(error, true);
}
