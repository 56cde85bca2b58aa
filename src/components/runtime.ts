/**
 * The runtime behind the component bindings: one long-lived `run()` per
 * component tree, and nurseries whose lifetime is a component's.
 *
 * Why it is built so:
 * - Components mount and unmount at any time, from plain callbacks, while
 *   Trio work may only start inside a run. So a `TrioRuntime` owns one run
 *   whose main task opens a nursery and parks until the runtime is closed;
 *   everything the components start lives in that nursery. One run per tree
 *   (not one per component) keeps a single task tree for the devtools and a
 *   single clock for tests.
 * - A component's work is a `ScopedNursery`: while it has work, a host task
 *   in the runtime's nursery enters a `CancelScope` of its own and opens a
 *   nursery inside it. Unmounting is `scope.cancel()`: every task started
 *   there is cancelled, its `finally` blocks run, and the host task ends.
 *   No flags, no "is mounted" checks. When the last task ends, the host ends
 *   too, so an idle component owns no task.
 * - The run's main task starts on a microtask, so work started before the
 *   nursery exists is queued and handed over as soon as it opens. With
 *   `lazy: true` the run itself starts with the first work, so a runtime
 *   nobody used owns nothing (React's `<TrioRoot>` needs that).
 * - Errors never take the page down: a child that raises makes its
 *   component's nursery cancel its siblings (as any nursery does); the host
 *   reports the error to `onError`, and work started from then on goes to a
 *   fresh nursery at once, while the failed one is still unwinding. So the
 *   component keeps working, and nothing started later is caught in an
 *   earlier failure.
 * - User callbacks are isolated: an `onError` reporter that throws is
 *   reported through `reportUncaught` (see report.ts) and the runtime goes
 *   on.
 */
import { functionName, checkOptionalBoolean, checkReadable, describe, isGeneratorLike, isUnusableFunction, leavesOf, readProperty, withoutCancelled } from "../core/errors.js";
import {
  CancelScope,
  Cancelled,
  ExceptionGroup,
  RuntimeError,
  openNursery,
  runWith,
  sleepForever,
  type Clock,
  type Nursery,
  type Operation,
  type Runner,
  currentRun,
} from "../core/index.js";
import { deferred, type Deferred } from "../core/deferred.js";
import { reportWith } from "./report.js";
import { markInternal } from "./internal.js";
import { markOwnerElement, type ElementLocator } from "./element.js";

/**
 * Receives errors that component tasks raised (default: `console.error`).
 * It should not throw; if it does, both errors go to the host's
 * `reportError` (or `console.error`) and the runtime carries on.
 */
export type ErrorReporter = (error: unknown, source: string) => void;

/** Options of a `TrioRuntime` (and of `<TrioRoot>`). */
export interface TrioRuntimeOptions {
  /** A name for the run, shown by the devtools (default "TrioRoot"). */
  name?: string | undefined;
  /** The run's clock (a `MockClock` in tests). */
  clock?: Clock | undefined;
  /** Longest stretch of task steps before yielding to the browser, in seconds. */
  timeSlice?: number | undefined;
  /** Where errors raised by component tasks go (default: `console.error`). Should not throw. */
  onError?: ErrorReporter | undefined;
  /**
   * Start the run with the first work given to the runtime instead of at
   * once (default false). A lazy runtime that is never used owns no run and
   * needs no `close()`: React's `<TrioRoot>` makes its runtime so, because
   * React may throw a render away without any cleanup.
   */
  lazy?: boolean | undefined;
}

/** Something that can start tasks: a `Nursery`, a `ScopedNursery`. */
export interface TaskSpawner {
  /** Starts `fn(...args)` as a task named `name`. */
  startSoonNamed<A extends unknown[], T>(name: string, fn: (...args: A) => Operation<T>, ...args: A): unknown;
  /** True once the spawner is gone for good and will start nothing more (if it can tell). */
  readonly closed?: boolean | undefined;
}

/** Work started before a nursery was there to take it. `cancelled`: it was cancelled meanwhile, and why. */
type Pending = { name: string; fn: (...args: never[]) => Operation<unknown>; args: unknown[]; cancelled?: string };

/**
 * Starts deferred work in `nursery`. Work cancelled while it waited still
 * starts, inside a cancelled scope: it receives `Cancelled` at its first
 * checkpoint and its `finally` blocks run (a task is never silently
 * forgotten, so a policy instance behind it ends and frees its slot). A
 * start that throws (a plain function given instead of a generator
 * function, called now) goes to `onError`; the rest still start.
 */
function startPending(nursery: Nursery, pending: readonly Pending[], onError: ErrorReporter, source: (p: Pending) => string): void {
  for (const p of pending) {
    try {
      if (p.cancelled === undefined) nursery.startSoonNamed(p.name, p.fn as (...args: unknown[]) => Operation<unknown>, ...p.args);
      else nursery.startSoonNamed(p.name, startCancelled, p.cancelled, p.fn as (...args: unknown[]) => Operation<unknown>, p.args);
    } catch (error) {
      reportWith(onError, error, source(p));
    }
  }
}

function* startCancelled(reason: string, fn: (...args: unknown[]) => Operation<unknown>, args: unknown[]): Operation<unknown> {
  const scope = new CancelScope({ name: "cancelled before it started" });
  scope.cancel(reason);
  return yield* scope.run(() => fn(...args));
}

const defaultReporter: ErrorReporter = (error, source) => {
  console.error(`trio-asyncio: ${source} raised`, error);
};

function checkName(what: string, name: unknown): string {
  if (typeof name !== "string") throw new TypeError(`${what} needs a string name, got ${describe(name)}.`);
  return name;
}

/**
 * @internal Throws a clear TypeError unless `fn` can be a task function: a
 * function (a generator function, or a plain one that returns a generator),
 * not an async function, not a generator object (the function's call), not
 * a revoked Proxy. Reads `fn` only totally.
 */
export function checkFn(what: string, fn: unknown): void {
  if (typeof fn !== "function") {
    if (isGeneratorLike(fn)) {
      throw new TypeError(`${what} needs a generator function (function*), got ${describe(fn)}. This is a generator object, the function's call: pass the generator function itself (op, not op()).`);
    }
    throw new TypeError(`${what} needs a generator function (function*), got ${describe(fn)}.`);
  }
  if (isUnusableFunction(fn)) {
    throw new TypeError(`${what} needs a generator function (function*), got a function that cannot be called (a revoked Proxy?).`);
  }
  const kind = functionName(readProperty(fn, "constructor"));
  if (kind === "AsyncFunction" || kind === "AsyncGeneratorFunction") {
    throw new TypeError(`${what} got an async function; tasks are generator functions: write function* and yield* where you would await (yield* waitPromise(p) for a Promise).`);
  }
}

/** @internal Throws a clear TypeError unless `reason` is a string (a cancel reason). */
export function checkReason(what: string, reason: unknown): void {
  if (typeof reason !== "string") throw new TypeError(`${what} takes a string reason (shown by tools and in the cancelled tasks' errors), or nothing; got ${describe(reason)}.`);
}

/**
 * What an event handler is called with: a DOM event, or React's synthetic
 * one. The methods a component passes as handlers (`onClick={h.cancelAll}`)
 * take it in place of a reason and use their default reason.
 */
export interface HandlerEvent {
  /** The event's type ("click"): only its presence is checked. */
  readonly type: string;
  /** Present on every DOM and React event; never called. */
  preventDefault(): void;
}

/**
 * @internal The cancel reason of a bound method: `reason`; `fallback` when
 * it is left out or is the event of a handler it was passed as; else a
 * clear TypeError.
 */
export function reasonOf(what: string, reason: unknown, fallback: string): string {
  if (reason === undefined || (typeof reason === "object" && reason !== null && typeof readProperty(reason, "preventDefault") === "function" && typeof readProperty(reason, "type") === "string")) return fallback;
  checkReason(what, reason);
  return reason as string;
}

/** An optional option of `new TrioRuntime(options)`, read once; its getter's own error (if it throws) travels on. */
function checkRuntimeOptions(options: TrioRuntimeOptions): { name: string; clock: Clock | undefined; timeSlice: number | undefined; onError: ErrorReporter | undefined; lazy: boolean } {
  const what = "new TrioRuntime(options)";
  const { name, clock, timeSlice, onError, lazy } = options;
  if (name !== undefined && typeof name !== "string") throw new TypeError(`${what}: name must be a string (the run's name, for tools), got ${describe(name)}.`);
  if (clock !== undefined && (clock === null || typeof clock !== "object" || typeof readProperty(clock, "currentTime") !== "function")) {
    throw new TypeError(`${what}: clock must be a Clock (with currentTime), such as new MockClock(), or left out; got ${describe(clock)}.`);
  }
  if (timeSlice !== undefined && (typeof timeSlice !== "number" || !(timeSlice > 0) || timeSlice === Infinity)) {
    throw new RangeError(`${what}: timeSlice is in seconds and must be a positive finite number (default 0.005), or left out; got ${describe(timeSlice)}.`);
  }
  if (onError !== undefined && typeof onError !== "function") {
    throw new TypeError(`${what}: onError must be a function (error, source) => void, or left out (errors then go to console.error); got ${describe(onError)}.`);
  }
  return { name: name ?? "TrioRoot", clock, timeSlice, onError, lazy: checkOptionalBoolean(`${what}: lazy`, lazy) };
}

/**
 * What to report of a nursery's error: the one real error if there is just
 * one, without the Cancelled it caused. Total, the group's methods read from
 * the class: a task may raise a Proxy of a group whose traps throw, and a
 * throw here would leave the runtime's run unended.
 */
function reportable(error: unknown): unknown {
  if (!(error instanceof ExceptionGroup)) return error;
  const rest = withoutCancelled(error)[1];
  if (rest === undefined) return error;
  const leaves = leavesOf(rest);
  return leaves?.length === 1 ? leaves[0] : rest;
}

/**
 * One long-lived run that a component tree's tasks live in. `<TrioRoot>`
 * makes one; make your own to share it between trees or to drive it from
 * tests. Close it with `close()`.
 */
export class TrioRuntime {
  /** The run's name. */
  readonly name: string;
  /**
   * Settles when the run has ended (after `close()`). A `lazy` runtime that
   * never had work owns no run: its `done` settles as soon as it is closed.
   */
  readonly done: Promise<void>;
  /** @internal */ readonly onError: ErrorReporter;
  private nursery: Nursery | null = null;
  private pending: Pending[] = [];
  private readonly lifetime: CancelScope;
  private _closed = false;
  /** Set when the run ended without `close()` (a task in the runtime's own nursery raised). */
  private runFailed = false;
  private _runner: Runner | null = null;
  /** Starts the run; null once it has been started (or the runtime closed before it was needed). */
  private startRun: (() => void) | null;
  private readonly ended: Deferred<void> = deferred<void>();

  constructor(options: TrioRuntimeOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`new TrioRuntime(options) takes an options object such as { name, clock, onError }, got ${describe(options)}.`);
    }
    checkReadable("new TrioRuntime(options)", options);
    const { name, clock, timeSlice, onError, lazy } = checkRuntimeOptions(options);
    this.name = name;
    this.lifetime = new CancelScope({ name: `${this.name} lifetime` });
    this.onError = onError ?? defaultReporter;
    this.done = this.ended.promise;
    const runOptions = { name: this.name, ...(clock !== undefined ? { clock } : {}), ...(timeSlice !== undefined ? { timeSlice } : {}) };
    // Lazy: the run starts with the first work, not here. A runtime made
    // during a render that the framework throws away (React renders twice in
    // StrictMode and may discard a concurrent render) never gets a cleanup,
    // so it must own nothing until it is used.
    // The main task (the root of the task tree in the devtools) is named
    // after the runtime, not after trioRoot, which an app's minifier renames.
    const main = { [name]: (runtime: TrioRuntime) => trioRoot(runtime) }[name]!;
    this.startRun = () => {
      runWith(runOptions, main, this).then(
        () => this.ended.resolve(),
        (error: unknown) => {
          reportWith(this.onError, reportable(error), `the run of ${this.name}`);
          this.ended.resolve();
        },
      );
    };
    if (!lazy) this.startNow();
  }

  private startNow(): void {
    const start = this.startRun;
    this.startRun = null;
    start?.();
  }

  /** True once `close()` was called, or once the run has ended on its own (it failed). */
  get closed(): boolean {
    return this._closed;
  }

  /** The run, once its main task has started (null before, and for tools only). */
  get runner(): Runner | null {
    return this._runner;
  }

  /**
   * Starts `fn(...args)` in the runtime's nursery. Work started before the
   * run is up waits for it. The task should not raise: the runtime's nursery
   * is the whole tree's, so an error there cancels everything (use a
   * `ScopedNursery` for work that may fail).
   */
  spawn<A extends unknown[]>(name: string, fn: (...args: A) => Operation<unknown>, ...args: A): void {
    checkName("TrioRuntime.spawn(name, fn)", name);
    checkFn("TrioRuntime.spawn(name, fn)", fn);
    if (this.runFailed) {
      throw new RuntimeError(`The runtime ${this.name} has ended: its run failed (the error went to onError). Make a new runtime (remount the <TrioRoot>) to start work again.`);
    }
    if (this._closed) {
      throw new RuntimeError(`The runtime ${this.name} is closed; its <TrioRoot> has unmounted. Start work from components that are still mounted.`);
    }
    if (this.nursery === null) {
      this.pending.push({ name, fn: fn as unknown as Pending["fn"], args });
      this.startNow();
    } else this.nursery.startSoonNamed(name, fn, ...args);
  }

  /** A nursery tied to a component's lifetime: see `ScopedNursery`. */
  openNursery(name: string, onError?: ErrorReporter): ScopedNursery {
    if (onError !== undefined && typeof onError !== "function") {
      throw new TypeError(`TrioRuntime.openNursery(name, onError): onError must be a function (error, source) => void, or left out; got ${describe(onError)}.`);
    }
    return new ScopedNursery(this, name, onError ?? this.onError);
  }

  /**
   * Cancels everything in the runtime and ends its run. Every task's
   * `finally` runs first (work spawned before the run was up included: it
   * starts cancelled). Idempotent; returns `done`.
   */
  close(reason = "the TrioRoot unmounted"): Promise<void> {
    checkReason("TrioRuntime.close(reason)", reason);
    if (!this._closed) {
      this._closed = true;
      this.lifetime.cancel(reason);
      if (this.startRun !== null) {
        // Never used: there is no run to end.
        this.startRun = null;
        this.ended.resolve();
      }
    }
    return this.done;
  }

  /** @internal The main task has opened the runtime's nursery. */
  attach(nursery: Nursery, runner: Runner): void {
    this.nursery = nursery;
    this._runner = runner;
    const pending = this.pending;
    this.pending = [];
    // Inside the lifetime scope: if close() came first, these start cancelled.
    startPending(nursery, pending, this.onError, (p) => `the start of ${p.name}`);
  }

  /** @internal The run's main task is ending. */
  detach(): void {
    this.nursery = null;
    if (!this._closed) {
      // Nobody called close(): the runtime's own nursery failed. Refuse
      // later work with a clear error instead of queueing it for a run
      // that will never come. (Nothing is pending: attach() took it all.)
      this._closed = true;
      this.runFailed = true;
    }
  }

  /** @internal */
  get lifetimeScope(): CancelScope {
    return this.lifetime;
  }

  toString(): string {
    return `<TrioRuntime ${this.name}${this._closed ? " closed" : ""}>`;
  }
}

function* trioRoot(runtime: TrioRuntime): Operation<void> {
  const runner = currentRun();
  try {
    yield* runtime.lifetimeScope.run(() =>
      openNursery(function* (nursery) {
        runtime.attach(nursery, runner);
        yield* sleepForever();
      }),
    );
  } finally {
    runtime.detach();
  }
}

/**
 * A nursery whose lifetime is a component's: tasks started here are
 * cancelled when `close()` is called (on unmount). It is a handle, usable
 * from plain callbacks.
 *
 * It costs nothing while idle: the host task (a cancel scope and a nursery
 * in the runtime's run) is started by the first `startSoon` and ends as
 * soon as its last task has, so a mounted component with no work running
 * owns no task at all.
 *
 * Inside the host, work runs in a *generation*: a Trio nursery. When a
 * generation fails (or `cancelAll()` cancels it), it stops taking work, and
 * whatever is started next opens a fresh generation at once, beside the
 * old one that is still unwinding. The first generation runs in the host
 * task itself; only such fresh ones need a task of their own.
 */
export class ScopedNursery implements TaskSpawner {
  /** The generation that takes new work; null when none is open or it stopped taking work. */
  private current: Nursery | null = null;
  /** Every generation still open: the current one and failed or cancelled ones still unwinding. */
  private readonly generations = new Set<Nursery>();
  /** The host's own nursery, where fresh generations start; null while no host runs. */
  private hostNursery: Nursery | null = null;
  /** Work waiting for a generation; while it is not empty, one has been asked for (and none more is). */
  private pending: Pending[] = [];
  private hostScope: CancelScope | null = null;
  private _closed = false;
  /**
   * @internal Set by a binding that can find the component's DOM (Preact's
   * useNursery): tools then map this nursery's tasks to that element.
   */
  locateElement: ElementLocator | null = null;

  /** @internal Use `runtime.openNursery(name)` or the `useNursery()` hook. */
  constructor(
    /** The runtime whose run hosts this nursery. */
    readonly runtime: TrioRuntime,
    /** Shown by the devtools as the host task's name. */
    readonly name: string,
    private readonly onError: ErrorReporter,
  ) {
    checkName("ScopedNursery(name)", name);
  }

  /** True once `close()` was called or the runtime is closed: nothing more can start here. */
  get closed(): boolean {
    return this._closed || this.runtime.closed;
  }

  /** How many tasks run (or wait to start) here now, unwinding ones included. */
  get taskCount(): number {
    let count = this.pending.length;
    for (const generation of this.generations) count += generation.childTasks.size;
    return count;
  }

  /** Starts `fn(...args)` in this nursery (named after the function). Bound: safe to pass on detached. */
  readonly startSoon = <A extends unknown[]>(fn: (...args: A) => Operation<unknown>, ...args: A): void => {
    checkFn("startSoon(fn)", fn);
    this.startSoonNamed(functionName(fn) ?? "anonymous", fn, ...args);
  };

  /** Starts `fn(...args)` in this nursery as a task named `name`. */
  startSoonNamed<A extends unknown[], T>(name: string, fn: (...args: A) => Operation<T>, ...args: A): void {
    checkName("startSoonNamed(name, fn)", name);
    checkFn("startSoonNamed(name, fn)", fn);
    if (this.runtime.closed) {
      this.close("the runtime is closed");
      throw new RuntimeError(`startSoon() on the nursery ${this.name}, which is closed (its runtime ${this.runtime.name} is closed). Start work only while the <TrioRoot> is mounted.`);
    }
    if (this._closed) {
      throw new RuntimeError(`startSoon() on the nursery ${this.name}, which is closed (its component unmounted). Start work only while the component is mounted.`);
    }
    const current = this.current;
    // A cancelled generation (failed, or cancelAll()) would cancel the new
    // task at its first checkpoint: it goes to a fresh one instead.
    if (current !== null && !current.cancelScope.cancelCalled) {
      current.startSoonNamed(name, fn, ...args);
      return;
    }
    this.pending.push({ name, fn: fn as unknown as Pending["fn"], args });
    if (this.pending.length === 1) this.requestGeneration();
  }

  /**
   * Cancels every task started here so far (one not yet begun receives
   * `Cancelled` at its first checkpoint), but keeps the nursery usable:
   * later `startSoon` calls run in a fresh nursery at once, while the
   * cancelled tasks unwind. Bound, so it can be a handler as it is
   * (`onClick={nursery.cancelAll}`: the event stands for no reason).
   */
  readonly cancelAll = (reason?: string | HandlerEvent): void => {
    const why = reasonOf("ScopedNursery.cancelAll(reason)", reason, "cancelAll()");
    for (const p of this.pending) p.cancelled ??= why;
    this.current = null;
    for (const generation of this.generations) generation.cancelScope.cancel(why);
  };

  /** Cancels everything here for good (the component unmounted). Idempotent. */
  close(reason = "the component unmounted"): void {
    checkReason("ScopedNursery.close(reason)", reason);
    if (this._closed) return;
    this._closed = true;
    // Work not yet begun still starts, cancelled, inside the cancelled host.
    for (const p of this.pending) p.cancelled ??= reason;
    this.current = null;
    this.hostScope?.cancel(reason);
  }

  // Makes sure a generation will take `pending`: the host if none runs, else a fresh generation task in it.
  private requestGeneration(): void {
    if (this.hostScope === null) {
      const scope = new CancelScope({ name: `${this.name} (component nursery)` });
      if (this.locateElement !== null) markOwnerElement(scope, this.locateElement);
      this.hostScope = scope;
      this.runtime.spawn(this.name, scopedNurseryHost, this, scope);
    } else if (this.hostNursery !== null) {
      this.hostNursery.startSoonNamed(this.name, scopedNurseryGeneration, this);
    }
    // Else the host task is spawned but has not run yet: its first generation takes `pending`.
  }

  /** @internal The host: its first generation runs here; fresh ones are tasks of the host's nursery. */
  *host(): Operation<void> {
    const self = this;
    yield* openNursery(function* (hostNursery) {
      self.hostNursery = hostNursery;
      // Even when closed: the pending work starts, cancelled, so it ends properly.
      yield* self.generation();
    });
  }

  /** @internal One generation: a nursery that takes `pending` and later work until it ends, fails or is cancelled. */
  *generation(): Operation<void> {
    const self = this;
    let mine: Nursery | null = null;
    try {
      yield* openNursery(function* (nursery) {
        mine = nursery;
        self.generations.add(nursery);
        self.current = nursery;
        const pending = self.pending;
        self.pending = [];
        startPending(nursery, pending, self.onError, () => `a task of ${self.name}`);
      });
    } catch (error) {
      // Cancelled: the host itself is cancelled (unmount, runtime closed); let it travel on.
      if (error instanceof Cancelled) throw error;
      reportWith(this.onError, reportable(error), `a task of ${this.name}`);
    } finally {
      // In the same step as the nursery closing, so no start can slip into a closed nursery.
      if (mine !== null) {
        this.generations.delete(mine);
        if (this.current === mine) this.current = null;
      }
    }
  }

  /** @internal The host task has ended (in the same step as its nursery closing, so no start can slip in between). */
  hostEnded(scope: CancelScope): void {
    if (this.hostScope !== scope) return;
    this.hostScope = null;
    this.hostNursery = null;
    this.current = null;
    // Work that nothing took (the host was cancelled before its first
    // generation opened, and this nursery is still open): start it anew
    // rather than lose it.
    if (this.pending.length > 0 && !this.closed) this.requestGeneration();
  }

  toString(): string {
    return `<ScopedNursery ${this.name}${this._closed ? " closed" : ""}>`;
  }
}

function* scopedNurseryHost(owner: ScopedNursery, scope: CancelScope): Operation<void> {
  try {
    yield* scope.run(() => owner.host());
  } finally {
    owner.hostEnded(scope);
  }
}

// A fresh generation, started while an earlier one (failed or cancelled) still unwinds.
function* scopedNurseryGeneration(owner: ScopedNursery): Operation<void> {
  yield* owner.generation();
}

// The devtools fold these wrappers away (the tasks the user's work runs in are the policies' and startSoon's own).
markInternal(trioRoot, "runtime");
markInternal(scopedNurseryHost, "component nursery");
markInternal(scopedNurseryGeneration, "component nursery generation");
