/**
 * Nurseries: the only way to run tasks concurrently, and the reason no task
 * can outlive the code that started it.
 *
 * `openNursery(body)` runs `body` with a nursery in hand. The body may start
 * children; when it is done, the nursery waits for every child before
 * `openNursery` returns. If anything raises (the body or a child), the
 * nursery cancels everything else inside it, waits for it to unwind, and
 * raises all the errors together as an `ExceptionGroup`. Errors are never
 * dropped and never left for a log.
 *
 * One deliberate difference from Trio: when every error collected is a
 * `Cancelled` (the nursery was cancelled from outside), the nursery raises a
 * single `Cancelled` rather than a group of them, so the enclosing scope sees
 * the ordinary thing and `catch (e) { if (e instanceof Cancelled) … }` works.
 */
import { CancelScope, refreshFrom } from "./cancel-scope.js";
import { Cancelled, ExceptionGroup, describe, describeError, functionName, isGeneratorLike, isUnusableFunction, readProperty } from "./errors.js";
import { RuntimeError, current, requireTask } from "./state.js";
import { waitsWith, type Task } from "./task.js";
import type { Runner } from "./runner.js";
import { Abort, type Operation } from "./traps.js";
import { openNursery } from "./nursery-block.js";

export { openNursery } from "./nursery-block.js";

/** Passed to a child started with `nursery.start()`, to report that it is ready. */
export interface TaskStatus<T = void> {
  /** Reports readiness: `start()` returns `value` and the child moves to its nursery. */
  started(...value: T extends void ? [value?: T] : [value: T]): void;
}

/** What `startSoon` passes where a function may also be used with `start`. */
export const TASK_STATUS_IGNORED: TaskStatus<never> = { started(): void {} };

/** The arguments of a task started without any (shared: nothing writes to it). */
const NO_ARGS: readonly unknown[] = /* @__PURE__ */ Object.freeze([]);

/** A live, read-only view of a nursery's children. */
export class ChildTasks implements Iterable<Task> {
  /** @internal */
  constructor(private readonly hostNursery: Nursery) {}

  /** How many children are running. */
  get size(): number {
    return this.hostNursery.childCount;
  }

  /** True if `task` is a running child of this nursery. */
  has(task: Task): boolean {
    for (const t of this) if (t === task) return true;
    return false;
  }

  *[Symbol.iterator](): Iterator<Task> {
    // Read the next link before yielding: the consumer may remove the task.
    for (let t = this.hostNursery.headChild; t !== null; ) {
      const next: Task | null = t.nextSibling;
      yield t;
      t = next;
    }
  }
}

/**
 * A nursery: spawns children, waits for them, propagates their errors.
 * Get one from `openNursery`.
 */
export class Nursery {
  /** The running children. */
  /** @internal first child, for the intrusive list of children */ headChild: Task | null = null;
  /** @internal */ tailChild: Task | null = null;
  /** @internal number of children */ childCount = 0;

  /**
   * The running children, in spawn order (a live, read-only view). The
   * nursery keeps them in a linked list through the tasks themselves: a
   * Set would cost a hash entry per task and rehash as it grows.
   */
  get childTasks(): ChildTasks {
    return new ChildTasks(this);
  }

  /** @internal */
  addChild(task: Task): void {
    task.prevSibling = this.tailChild;
    task.nextSibling = null;
    if (this.tailChild === null) this.headChild = task;
    else this.tailChild.nextSibling = task;
    this.tailChild = task;
    this.childCount++;
  }

  /** @internal */
  unlinkChild(task: Task): void {
    const prev = task.prevSibling;
    const next = task.nextSibling;
    if (prev === null) {
      if (this.headChild !== task) return; // not a child of this nursery
      this.headChild = next;
    } else {
      prev.nextSibling = next;
    }
    if (next === null) this.tailChild = prev;
    else next.prevSibling = prev;
    task.prevSibling = null;
    task.nextSibling = null;
    this.childCount--;
  }
  /** @internal */ closed = false;
  /** @internal */ pendingErrors: unknown[] = [];
  /** @internal */ pendingStarts = 0;
  /** @internal For the hidden nursery of a start() call: the nursery whose pending start it holds, until released (releaseStart). */
  startTarget: Nursery | null = null;
  /** @internal Called when the nursery's task drops it (see dropInto), with the nursery its children moved to. */
  onDrop: ((home: Nursery) => void) | null = null;
  /** @internal */ parentWaiting = false;

  /** @internal */
  constructor(
    /** The task that opened the nursery (null for a run's system nursery). */
    readonly parentTask: Task | null,
    /** Cancels everything in the nursery: the body and every child. */
    readonly cancelScope: CancelScope,
    /** @internal */ readonly runner: Runner,
  ) {
    cancelScope.nursery = this;
  }

  /**
   * Starts `fn(...args)` as a child task and returns its handle at once. The
   * child first runs at the next scheduling point.
   */
  startSoon<A extends unknown[], T>(fn: (...args: A) => Operation<T>, ...args: A): Task<T>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- internal: any arity
  startSoon(fn: (...args: any[]) => Operation<unknown>): Task<unknown> {
    // `arguments` rather than a rest parameter: most tasks take no
    // arguments, and a rest parameter allocates an array at every spawn.
    // eslint-disable-next-line prefer-rest-params -- see above
    return this.spawnTask(fn, arguments.length === 1 ? NO_ARGS : Array.prototype.slice.call(arguments, 1));
  }

  /** `startSoon` with an explicit task name. */
  startSoonNamed<A extends unknown[], T>(name: string, fn: (...args: A) => Operation<T>, ...args: A): Task<T> {
    if (typeof name !== "string") throw new TypeError(`startSoonNamed(name, fn, ...args) needs a string name first, got ${describe(name)}.`);
    return this.spawnTask(fn, args, name);
  }

  /**
   * Starts `fn(...args, taskStatus)` and waits until it calls
   * `taskStatus.started(value)`; returns `value`. Until then the child runs
   * under the caller's cancel scopes and its errors are raised here; after,
   * it belongs to this nursery.
   *
   * As in Trio, if the `start()` call is cancelled by the time the child
   * calls `started()`, the child is not moved: it keeps running under
   * `start()`, which then raises what the child ends with (usually
   * `Cancelled`) or, if the child returns normally, returns `value`.
   * `start()` itself is no cancellation point: a child that calls
   * `started()` and returns without a checkpoint makes `start()` return
   * normally even in a cancelled scope.
   */
  *start<A extends unknown[], T = void>(
    fn: (...args: [...A, TaskStatus<T>]) => Operation<unknown>,
    ...args: A
  ): Operation<T> {
    const caller = requireTask("nursery.start()");
    this.checkOpen("start", caller);
    checkFunction("nursery.start()", fn);
    const status = new StartStatus<T>(this);
    try {
      // The child runs in a hidden nursery of the caller's. The caller waits
      // in that nursery's exit, which cancellation cannot interrupt (the
      // child, inside the same scopes, is cancelled instead): it goes on
      // once the child has moved out (started()) or ended.
      yield* openNursery(function* spawnStartedChild(old) {
        status.oldNursery = old;
        // The hidden nursery holds the start: released when start() ends,
        // or when its task drops it (Nursery.dropInto).
        old.startTarget = status.targetNursery;
        old.startTarget.pendingStarts++;
        old.spawnTask(startedChild, [status, fn, args], functionName(fn) ?? "anonymous");
      }, true);
      if (!status.startedCalled) {
        throw new RuntimeError(`The child ${functionName(fn) ?? "task"} given to start() returned without calling taskStatus.started().`);
      }
      return status.value as T;
    } finally {
      if (status.oldNursery !== null) releaseStart(status.oldNursery);
    }
  }

  /** @internal */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- internal: any arity
  spawnTask<T>(fn: (...args: any[]) => Operation<T>, args: readonly unknown[], name?: string): Task<T> {
    this.checkOpen("startSoon", current.task);
    // A generator function's call only binds its arguments, so it waits
    // for the task's first step (Task.begin). Any other function is called
    // now, to check at once that it returns a generator.
    if (isGeneratorFunction(fn)) {
      const task = this.runner.spawnTask<T>(fn, this, name ?? fn);
      task.resumeValue = args;
      return task;
    }
    const coro = callTaskFunction("startSoon()", fn, args);
    return this.runner.spawnTask(coro, this, name ?? fn);
  }

  /** Refuses a closed nursery, and a task of another run: the two runs' schedulers would both own the child. */
  private checkOpen(what: string, task: Task | null): void {
    if (this.closed) {
      throw new RuntimeError(`${what}() on a closed nursery: the nursery's block has ended. Start tasks while openNursery(...) is still running.`);
    }
    if (task !== null && task.runner !== this.runner) {
      throw new RuntimeError(
        `${what}() on a nursery of another run: each run() is its own world. Start the task from a task of the nursery's run, or pass a channel between the runs.`,
      );
    }
  }

  /** @internal A child has ended. */
  childExited(task: Task, ok: boolean, value: unknown): void {
    this.unlinkChild(task);
    if (!ok) this.addError(value, task);
    this.maybeWakeParent();
  }

  /**
   * @internal The nursery's task ended without waiting for it (it stepped
   * the openNursery block by hand): hand the children still running to
   * `home`, the nursery the task itself belonged to, so that the run waits
   * for them and their errors reach someone.
   */
  dropInto(home: Nursery): void {
    this.closed = true;
    this.parentWaiting = false;
    // A start() stepped by hand and dropped: its finally will never run.
    releaseStart(this);
    if (this.onDrop !== null) this.onDrop(home);
    for (let child = this.headChild; child !== null; child = this.headChild) {
      this.unlinkChild(child);
      home.addChild(child);
      child.nursery = home;
    }
  }

  /** @internal `source` is the task that raised, or a description; a task's name is read only if needed. */
  addError(error: unknown, source: Task | string): void {
    this.pendingErrors.push(error);
    if (!this.cancelScope.cancelCalled) {
      const name = typeof source === "string" ? source : source.name;
      this.cancelScope.cancel(error instanceof Cancelled ? undefined : `${name} raised ${describeError(error)}`);
    }
  }

  /** @internal */
  maybeWakeParent(): void {
    if (this.parentWaiting && this.childCount === 0 && this.pendingStarts === 0) {
      this.parentWaiting = false;
      const parent = this.parentTask!;
      // Unless code stepping the block by hand dropped its wait and the
      // task went on to wait for something else: that wait is not ours to end.
      if (waitsWith(parent, nurseryAbort) && parent.waitingOn === this) parent.runner.reschedule(parent, undefined, false);
    }
  }

  /** @internal The error the nursery raises, or undefined. */
  combinedError(): unknown {
    const errors = this.pendingErrors;
    if (errors.length === 0) return undefined;
    return errors.every((e) => e instanceof Cancelled) ? errors[0] : new ExceptionGroup("Errors from a nursery", errors);
  }
}

/** @internal */
class StartStatus<T> implements TaskStatus<T> {
  startedCalled = false;
  /** The child ended without calling started(). */
  childEnded = false;
  value: unknown = undefined;
  oldNursery: Nursery | null = null;
  constructor(readonly targetNursery: Nursery) {}

  started(value?: T): void {
    if (this.startedCalled) throw new RuntimeError("taskStatus.started() was called twice; call it once, when the task is ready.");
    if (this.childEnded) throw new RuntimeError("taskStatus.started() was called after the start() call had already failed.");
    const old = this.oldNursery!;
    // The start() call is cancelled: leave the child under it, as Trio does.
    // It may be unwinding with a Cancelled that only the caller's scopes can
    // catch; moved, that Cancelled would reach the target nursery and cancel
    // its other children. start() now reports however the child ends.
    const move = !old.cancelScope.effective && old.headChild !== null;
    if (move && this.targetNursery.closed) {
      throw new RuntimeError("taskStatus.started() cannot move the task: its target nursery is closed.");
    }
    this.startedCalled = true;
    this.value = value;
    if (move) {
      moveTask(old.headChild!, old, this.targetNursery);
      // The start() caller waits in the hidden nursery's exit: the move
      // emptied that nursery, so let it finish.
      old.maybeWakeParent();
    }
  }
}

function* startedChild<T>(status: StartStatus<T>, fn: (...args: unknown[]) => Operation<unknown>, args: unknown[]): Operation<unknown> {
  try {
    const coro = callTaskFunction("nursery.start()", fn, [...args, status]);
    return yield* coro;
  } finally {
    if (!status.startedCalled) status.childEnded = true;
  }
}

/**
 * The start() whose hidden nursery is `hidden` no longer holds its target
 * open: it returned, or its task dropped it (then only once).
 */
function releaseStart(hidden: Nursery): void {
  const target = hidden.startTarget;
  if (target === null) return;
  hidden.startTarget = null;
  target.pendingStarts--;
  target.maybeWakeParent();
}

/** Moves a task that called started() from the temporary nursery to its target. */
function moveTask(task: Task, from: Nursery, to: Nursery): void {
  from.unlinkChild(task);
  to.addChild(task);
  task.nursery = to;
  const oldScope = from.cancelScope;
  const newScope = to.cancelScope;
  // Scopes the child entered hang under the old nursery's scope (only the
  // child runs in there): rehang them under the new one.
  if (oldScope.children !== null) {
    for (const child of oldScope.children) {
      child.parent = newScope;
      (newScope.children ??= new Set()).add(child);
      refreshFrom(child);
    }
    oldScope.children.clear();
  }
  if (task.scope === oldScope) task.scope = newScope;
  // If the new home is already cancelled, a blocked child must hear of it.
  if (task.scope.effective) task.runner.attemptAbort(task);
}

/** @internal The abort function of a task waiting for its nursery's children: refused, the children are cancelled instead. */
export const nurseryAbort = (): Abort => Abort.FAILED;

const GeneratorFunction: unknown = function* () {}.constructor;

/** @internal A `function*`: one identity check, the common case of every spawn. */
export function isGeneratorFunction(fn: unknown): boolean {
  try {
    return typeof fn === "function" && (fn as { constructor?: unknown }).constructor === GeneratorFunction;
  } catch {
    return false; // a revoked Proxy of a function: checkFunction names it
  }
}

/** @internal Rejects async and plain functions with a message that names the fix. */
export function checkFunction(what: string, fn: unknown): void {
  if (typeof fn !== "function") {
    // The commonest slip: the function's call, op(x), where the function and its arguments go, op, x.
    // (Each message one literal, so the production build codes it.)
    if (isGeneratorLike(fn)) {
      throw new TypeError(`${what} needs a generator function (function*), got an object. This is a generator object, the function's call: pass the function itself and its arguments apart (op, arg rather than op(arg)).`);
    }
    throw new TypeError(`${what} needs a generator function (function*), got ${describe(fn)}.`);
  }
  if (isGeneratorFunction(fn)) return;
  if (isUnusableFunction(fn)) {
    throw new TypeError(`${what} needs a generator function (function*), got a function that cannot be inspected (a revoked Proxy?). Pass the function itself.`);
  }
  const kind = functionName(readProperty(fn, "constructor"));
  if (kind === "AsyncFunction" || kind === "AsyncGeneratorFunction") {
    throw new TypeError(
      `${what} got an async function (${functionName(fn) ?? "anonymous"}). Tasks are generator functions: write ` +
        `function* and use yield* where you would await; wrap Promises with yield* waitPromise(p) or ` +
        `yield* abortable(signal => ...).`,
    );
  }
}

/** @internal Calls a task function and checks that it made a generator. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- internal: any arity
export function callTaskFunction<T>(what: string, fn: (...args: any[]) => Operation<T>, args: readonly unknown[]): Operation<T> {
  checkFunction(what, fn);
  // A spread call costs more than a plain one, and most tasks take no arguments.
  const coro = args.length === 0 ? (fn as () => unknown)() : (fn as (...a: unknown[]) => unknown)(...args);
  // What a plain function returned may be anything (a revoked Proxy): read it totally.
  if (!isGeneratorLike(coro)) {
    const got = coro !== null && typeof coro === "object" && typeof readProperty(coro, "then") === "function" ? "a Promise" : describe(coro);
    throw new TypeError(
      `${what}: ${functionName(fn) ?? "the function"} returned ${got}, not a generator. Tasks are generator ` +
        `functions (function*); a Promise can be awaited inside one with yield* waitPromise(p).`,
    );
  }
  return coro as Operation<T>;
}
