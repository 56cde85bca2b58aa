/**
 * A task: one generator driven by the runner, with its place in the tree.
 *
 * The fields are few and always present (monomorphic), because a page may
 * hold tens of thousands of parked tasks. What a task will receive when it
 * next runs is kept in two fields (`resumeValue` and a bit of `flags`)
 * instead of an outcome object, so waking a task allocates nothing; once
 * the task is done, the same two hold its outcome. Booleans share one
 * `flags` number, and what few tasks use (a scope of their own from
 * `cancel()`, a Promise for `then`, the heap entry of `sleep`) sits in one
 * `extras` object made on demand, and the run is read through the task's
 * nursery: every field costs 8 bytes per task in Node (4 in Chromium).
 *
 * A Task is also a handle that plain `async` code can await: `then` creates
 * a Promise on first use only.
 */
import { returnDroppedShields, type CancelScope } from "./cancel-scope.js";
import type { Nursery } from "./nursery.js";
import type { Runner } from "./runner.js";
import type { AbortFn, Operation } from "./traps.js";
import type { DeadlineEntry } from "./deadlines.js";
import type { ContextMap } from "./context.js";
import { deferred, type Deferred } from "./deferred.js";
import { describe, functionName } from "./errors.js";

/**
 * @internal The states as plain constants: a minified module reads a
 * constant as one short name, a member of `TaskState` in full.
 */
export const RUNNABLE = 0;
/** @internal */
export const RUNNING = 1;
/** @internal */
export const BLOCKED = 2;
/** @internal */
export const DONE = 3;

/** Life cycle of a task. */
export const TaskState = { RUNNABLE, RUNNING, BLOCKED, DONE } as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/**
 * @internal Whether `task` still waits in the wait whose abort function is
 * `abortFn`. Code that steps an operation by hand and drops it leaves the
 * wait in its primitive's line while the task goes on, waits elsewhere or
 * ends: a wake must pass it over (docs/semantics.md, Misuse).
 */
export function waitsWith(task: Task, abortFn: AbortFn): boolean {
  return task.state === BLOCKED && task.abortFn === abortFn;
}

/**
 * @internal Registers the running task's wait: every operation that parks
 * names its abort function here, before it puts the task in any line. A
 * wait still registered then is one the task left without parking in it
 * (its code stepped the operation by hand and dropped it): it is undone
 * first (Runner.leaveWait), so nothing of it stays behind. Throws what
 * that abort function throws, before the new wait is registered.
 */
export function beginWait(task: Task, abortFn: AbortFn): void {
  if (task.abortFn !== null) {
    // Undo the dropped wait, return from the shielded scopes the dropped
    // operation may have left entered (returnDroppedShields), and undo any
    // wait their `finally` blocks began.
    task.runner.leaveWait(task);
    try {
      returnDroppedShields(task);
    } finally {
      if (task.abortFn !== null) task.runner.leaveWait(task);
    }
  }
  task.abortFn = abortFn;
}

const stateNames = ["runnable", "running", "blocked", "done"] as const;

let nextTaskId = 1;

/** @internal The next task id, to give back ids taken by objects made only for their shape (runner.ts). */
export function taskIdMark(): number {
  return nextTaskId;
}
/** @internal See taskIdMark. */
export function resetTaskIds(mark: number): void {
  nextTaskId = mark;
}
/** @internal Bits of `Task.flags`; hot paths test them directly (Chromium did not inline the accessors). */
export const RESUME_THROWS = 1;
/** @internal */
export const IN_SHARED_OP = 2;
/** @internal `coro` is a genuine generator object (see runner.step). */
export const IS_GENERATOR = 4;
/**
 * @internal `coro` passed isGenerator() but was not made here by a
 * generator function: a Proxy of a generator passes too. Its first step
 * goes through sharedNext, which tells them apart (see firstSharedNext).
 */
export const UNVERIFIED_GENERATOR = 8;
/** @internal The run's main task: `nursery` is the system nursery, `parentNursery` null. */
export const IS_MAIN = 16;

/** @internal %GeneratorPrototype%: every generator object inherits from it. */
export const GeneratorPrototype = Object.getPrototypeOf(function* () {}.prototype) as Generator;

/**
 * @internal %GeneratorPrototype%.next, shared by every generator object.
 * Hot paths call it directly (`generatorNext.call(gen, v)`): looking up
 * "next" on generators of many different functions is a slow, megamorphic
 * property load.
 */
export const generatorNext = GeneratorPrototype.next;

/** @internal What sharedNext returns for a value that only looked like a generator. */
export const REFUSED: unique symbol = Symbol("not a generator");

/**
 * @internal `generatorNext.call(gen, value)` for a value isGenerator()
 * accepted. A Proxy of a generator passes isGenerator (its prototype chain
 * reads the same) but not next()'s receiver check, which throws before any
 * of its code runs: then REFUSED, and the caller resumes it through its own
 * next() from now on. A genuine generator that threw is finished, so a
 * second shared next() returns quietly: that is how the two are told apart.
 */
export function sharedNext(gen: object, value: unknown): IteratorResult<unknown, unknown> | typeof REFUSED {
  try {
    return generatorNext.call(gen as Generator, value) as IteratorResult<unknown, unknown>;
  } catch (error) {
    try {
      generatorNext.call(gen as Generator, undefined);
    } catch {
      return REFUSED;
    }
    throw error;
  }
}

/**
 * @internal The error for a hand-written iterator whose step answered no
 * iterator result: `owner` names whose iterator it is ("Task fetch", or
 * "openNursery(body): the body"). One message for the runner's steps and
 * the nursery block's.
 */
export function notAStepResult(owner: string, result: unknown): TypeError {
  return new TypeError(`${owner}'s iterator returned ${describe(result)} from a step, not an iterator result ({ value, done }). Write it as a generator function (function*), or make a hand-written iterator's next() and throw() return { value, done }.`);
}

/**
 * @internal The first step of a task whose coroutine is UNVERIFIED_GENERATOR:
 * through the shared next() from now on if it is a genuine generator, its
 * own next() if it is not.
 */
export function firstSharedNext(task: Task, coro: Operation<unknown>, value: unknown): IteratorResult<unknown, unknown> {
  const shared = sharedNext(coro, value);
  task.flags &= ~UNVERIFIED_GENERATOR;
  if (shared === REFUSED) return coro.next(value);
  task.flags |= IS_GENERATOR;
  return shared;
}

/** @internal True if `value` is a generator object made by a generator function. */
export function isGenerator(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto !== null && Object.getPrototypeOf(proto) === GeneratorPrototype;
}

/** @internal A task function, of any arity. */
export type TaskFunction<T> = (...args: readonly unknown[]) => Operation<T>;

/** @internal What few tasks need, kept out of the Task itself. */
interface TaskExtras<T> {
  ownScope: CancelScope | null;
  deferred: Deferred<T> | null;
  /** Nurseries opened by the task and still open, innermost last: leaf tasks, most of a page's, never open one. */
  nurseries: Nursery[] | null;
  /** The task's heap entry for sleep(), made at its first sleep and reused. */
  sleepEntry: DeadlineEntry | null;
}

/** @internal The task's extras, made on first use. */
export function extrasOf<T>(task: Task<T>): TaskExtras<T> {
  return (task.extras ??= { ownScope: null, deferred: null, nurseries: null, sleepEntry: null });
}

/**
 * @internal When a task parked: the run's clock at the batch's last look,
 * one object per look shared by every task that parked in between (see
 * Runner.stampParks). A number field would box a double per parked task
 * (16 bytes in Node); a reference to a shared stamp costs nothing more.
 */
export interface ParkStamp {
  readonly seconds: number;
}
/** @internal The stamp of a task that never parked. */
export const NEVER_PARKED: ParkStamp = /* @__PURE__ */ Object.freeze({ seconds: 0 });
const NO_NURSERIES: readonly Nursery[] = /* @__PURE__ */ Object.freeze([]);

/**
 * A task of a run. Read its fields; the runtime owns them.
 *
 * A handle is deliberately not a thenable (it has no `then`): every Promise
 * adopts a thenable it is resolved with, so `run()` of a main task that
 * returns its own handle would wait on itself forever, and one that returns
 * a child's handle would resolve with the child's result instead. Plain
 * async code waits with `await task.promise`.
 */
export class Task<T = unknown> {
  /** Unique among all tasks of the page. */
  readonly id: number = nextTaskId++;
  // The name, or the task function to take it from, read only when needed:
  // looking up `fn.name` at every spawn showed in profiles.
  private nameSource: string | { readonly name: string };

  /** Shown in errors and the inspector; defaults to the function's name. */
  get name(): string {
    const src = this.nameSource;
    // Total: a task function's `name` may be a getter that throws, and the
    // name is read in error messages and cancel reasons between steps.
    return typeof src === "string" ? src : (functionName(src) ?? "anonymous");
  }
  set name(value: string) {
    this.nameSource = String(value);
  }
  /** @internal */ state: TaskState = RUNNABLE;
  /** @internal the innermost cancel scope the task is in */ scope: CancelScope;
  /** @internal */ abortFn: AbortFn | null = null;
  /** @internal value (or error) the task receives when it next runs; once done, its result (or error) */ resumeValue: unknown = undefined;
  /** @internal bits: RESUME_THROWS (the next resume throws `resumeValue`; once done, the task raised), IN_SHARED_OP (the scheduler received a shared operation iterator's yield; its next step is the resumption), IS_GENERATOR, UNVERIFIED_GENERATOR, IS_MAIN */ flags = 0;
  /** @internal what the task is blocked on, for the inspector */ waitingOn: unknown = null;
  /** @internal when the task last parked, for the inspector (see ParkStamp) */ parkStamp: ParkStamp = NEVER_PARKED;
  /** @internal task-local context (see ContextVar), inherited at spawn */ context: ContextMap = null;
  /** @internal rarely used state, made on demand */ extras: TaskExtras<T> | null = null;
  /**
   * @internal Makes the generator, at the task's first step. Until then
   * `coro` holds the task function and `resumeValue` its arguments (see
   * Nursery.spawn): a burst of spawns holds one object per task, not two,
   * until each task runs, and the Task needs no fields of its own for them.
   */
  begin(fn: TaskFunction<T>, args: readonly unknown[]): Operation<T> {
    // Only generator functions are started here (Nursery.spawn).
    this.flags |= IS_GENERATOR;
    return (this.coro = args.length === 0 ? fn() : fn(...args));
  }

  /** @internal the run's clock (seconds) when the task last parked, for the inspector: the batch's time, not read per park */
  get parkedAt(): number {
    return this.parkStamp.seconds;
  }

  /** @internal set when the task is done */
  get outcomeOk(): boolean {
    return (this.flags & RESUME_THROWS) === 0;
  }
  /** @internal */
  get outcomeValue(): unknown {
    return this.resumeValue;
  }
  /** @internal the scope made by `cancel()`, between the task and its nursery */
  get ownScope(): CancelScope | null {
    return this.extras === null ? null : this.extras.ownScope;
  }
  /** @internal */
  set ownScope(scope: CancelScope | null) {
    extrasOf(this).ownScope = scope;
  }
  /** @internal */
  get deferred(): Deferred<T> | null {
    return this.extras === null ? null : this.extras.deferred;
  }
  /** True for tasks made by `spawnSystemTask`. */
  get isSystem(): boolean {
    return this.parentNursery === this.runner.systemNursery;
  }
  /** @internal The run, read through the nursery: one field fewer per task. */
  get runner(): Runner {
    return this.nursery.runner;
  }
  /** The nursery this task belongs to; null for the main task. A task started with `start()` belongs to a hidden temporary nursery until it calls `started()`. */
  get parentNursery(): Nursery | null {
    return this.flags & IS_MAIN ? null : this.nursery;
  }
  /** @internal siblings in the parent nursery's list of children */ prevSibling: Task | null = null;
  /** @internal */ nextSibling: Task | null = null;
  /** @internal the task queued after this one in the run queue (see run-queue.ts) */ nextQueued: Task | null = null;
  /** @internal Nurseries opened by this task and still open, innermost last; null until the first (kept in `extras`). */
  get nurseries(): Nursery[] | null {
    return this.extras === null ? null : this.extras.nurseries;
  }
  /** @internal */
  set nurseries(list: Nursery[] | null) {
    extrasOf(this).nurseries = list;
  }

  /** Nurseries opened by this task and still open, innermost last. */
  get childNurseries(): readonly Nursery[] {
    return this.nurseries ?? NO_NURSERIES;
  }

  /** @internal */
  constructor(
    /** @internal the generator; the task function until the first step (see `begin`) */ public coro: Operation<T> | TaskFunction<T>,
    /** @internal the nursery that holds the task: the system nursery for the main task (see parentNursery) */ public nursery: Nursery,
    scope: CancelScope,
    name: string | { readonly name: string },
    flags: number,
  ) {
    this.scope = scope;
    this.nameSource = name;
    this.flags = isGenerator(coro) ? flags | UNVERIFIED_GENERATOR : flags;
  }

  /** "runnable", "running", "blocked" or "done". */
  get status(): "runnable" | "running" | "blocked" | "done" {
    return stateNames[this.state];
  }

  /** True once the task has returned or raised. */
  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Cancels this task alone: its checkpoints raise `Cancelled` until it
   * ends, and the task then counts as having finished normally (its
   * siblings and nursery are not disturbed). Idempotent; returns false if
   * the task had already finished.
   */
  cancel(reason?: string): boolean {
    if (this.state === DONE) return false;
    this.runner.cancelTask(this, reason);
    return true;
  }

  /** The task's own cancel scope chain, innermost first (for tools). */
  get cancelScopes(): CancelScope[] {
    const out: CancelScope[] = [];
    for (let s: CancelScope | null = this.scope; s !== null; s = s.parent) out.push(s);
    return out;
  }

  /**
   * A Promise of the task's outcome, for plain async code (`await
   * task.promise`): it resolves with the task's return value (`undefined`
   * for a task stopped by `cancel()`), or rejects with what the task raised,
   * `Cancelled` included. It only observes: the nursery still receives the
   * error. The same Promise every time, made on first use. From a task,
   * don't wait for it: a nursery already waits for its children, and a
   * channel or an Event passes results between tasks.
   */
  get promise(): Promise<T> {
    const extras = extrasOf(this);
    if (extras.deferred === null) {
      extras.deferred = deferred<T>();
      if (this.state === DONE) this.settleHandle();
    }
    return extras.deferred.promise;
  }

  /** @internal */
  settleHandle(): void {
    const d = this.deferred;
    if (d === null) return;
    if (this.flags & RESUME_THROWS) d.reject(this.resumeValue);
    else d.resolve(this.resumeValue as T);
  }

  toString(): string {
    return `<Task #${this.id} ${this.name} ${this.status}>`;
  }
}
