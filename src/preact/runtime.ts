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
 * - The run starts on a microtask, so work started before the nursery exists
 *   is queued and handed over as soon as it opens.
 * - Errors never take the page down: a child that raises makes its
 *   component's nursery cancel its siblings (as any nursery does); the host
 *   reports the error to `onError` and opens a fresh nursery, so the
 *   component keeps working.
 */
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

/** Receives errors that component tasks raised (default: `console.error`). */
export type ErrorReporter = (error: unknown, source: string) => void;

/** Options of a `TrioRuntime` (and of `<TrioRoot>`). */
export interface TrioRuntimeOptions {
  /** A name for the run, shown by the devtools (default "TrioRoot"). */
  name?: string;
  /** The run's clock (a `MockClock` in tests). */
  clock?: Clock;
  /** Longest stretch of task steps before yielding to the browser, in seconds. */
  timeSlice?: number;
  /** Where errors raised by component tasks go (default: `console.error`). */
  onError?: ErrorReporter;
}

/** Something that can start tasks: a `Nursery`, a `ScopedNursery`. */
export interface TaskSpawner {
  /** Starts `fn(...args)` as a task named `name`. */
  startSoonNamed<A extends unknown[], T>(name: string, fn: (...args: A) => Operation<T>, ...args: A): unknown;
}

type Pending = { name: string; fn: (...args: never[]) => Operation<unknown>; args: unknown[] };

const defaultReporter: ErrorReporter = (error, source) => {
  console.error(`trio-asyncio: ${source} raised`, error);
};

function checkName(what: string, name: unknown): string {
  if (typeof name !== "string") throw new TypeError(`${what} needs a string name, got ${typeof name}.`);
  return name;
}

function checkFn(what: string, fn: unknown): void {
  if (typeof fn !== "function") throw new TypeError(`${what} needs a generator function (function*), got ${typeof fn}.`);
  const kind = (fn as { constructor?: { name?: string } }).constructor?.name;
  if (kind === "AsyncFunction" || kind === "AsyncGeneratorFunction") {
    throw new TypeError(`${what} got an async function; tasks are generator functions: write function* and yield* where you would await (yield* waitPromise(p) for a Promise).`);
  }
}

/** What to report of a nursery's error: the one real error if there is just one, without the Cancelled it caused. */
function reportable(error: unknown): unknown {
  if (!(error instanceof ExceptionGroup)) return error;
  const rest = error.split(Cancelled)[1];
  if (rest === undefined) return error;
  const leaves = rest.leaves();
  return leaves.length === 1 ? leaves[0] : rest;
}

/**
 * One long-lived run that a component tree's tasks live in. `<TrioRoot>`
 * makes one; make your own to share it between trees or to drive it from
 * tests. Close it with `close()`.
 */
export class TrioRuntime {
  /** The run's name. */
  readonly name: string;
  /** Settles when the run has ended (after `close()`). */
  readonly done: Promise<void>;
  /** @internal */ readonly onError: ErrorReporter;
  private nursery: Nursery | null = null;
  private pending: Pending[] = [];
  private readonly lifetime = new CancelScope();
  private _closed = false;
  private _runner: Runner | null = null;

  constructor(options: TrioRuntimeOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("new TrioRuntime(options) takes an options object such as { name, clock, onError }.");
    }
    this.name = options.name ?? "TrioRoot";
    this.onError = options.onError ?? defaultReporter;
    const runOptions = { name: this.name, ...(options.clock ? { clock: options.clock } : {}), ...(options.timeSlice ? { timeSlice: options.timeSlice } : {}) };
    this.done = runWith(runOptions, trioRoot, this).then(
      () => undefined,
      (error: unknown) => {
        this.onError(error, `the run of ${this.name}`);
      },
    );
  }

  /** True once `close()` was called. */
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
    if (this._closed) {
      throw new RuntimeError(`The runtime ${this.name} is closed; its <TrioRoot> has unmounted. Start work from components that are still mounted.`);
    }
    if (this.nursery === null) this.pending.push({ name, fn: fn as unknown as Pending["fn"], args });
    else this.nursery.startSoonNamed(name, fn, ...args);
  }

  /** A nursery tied to a component's lifetime: see `ScopedNursery`. */
  openNursery(name: string, onError?: ErrorReporter): ScopedNursery {
    return new ScopedNursery(this, name, onError ?? this.onError);
  }

  /**
   * Cancels everything in the runtime and ends its run. Every task's
   * `finally` runs first. Idempotent; returns `done`.
   */
  close(reason = "the TrioRoot unmounted"): Promise<void> {
    if (!this._closed) {
      this._closed = true;
      this.pending = [];
      this.lifetime.cancel(reason);
    }
    return this.done;
  }

  /** @internal The main task has opened the runtime's nursery. */
  attach(nursery: Nursery, runner: Runner): void {
    this.nursery = nursery;
    this._runner = runner;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) nursery.startSoonNamed(p.name, p.fn as (...args: unknown[]) => Operation<unknown>, ...p.args);
  }

  /** @internal */
  detach(): void {
    this.nursery = null;
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
 */
export class ScopedNursery implements TaskSpawner {
  private nursery: Nursery | null = null;
  private pending: Pending[] = [];
  private hostScope: CancelScope | null = null;
  private _closed = false;

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

  /** True once `close()` was called: nothing more can start here. */
  get closed(): boolean {
    return this._closed;
  }

  /** How many tasks run (or wait to start) here now. */
  get taskCount(): number {
    return (this.nursery?.childTasks.size ?? 0) + this.pending.length;
  }

  /** Starts `fn(...args)` in this nursery (named after the function). */
  startSoon<A extends unknown[]>(fn: (...args: A) => Operation<unknown>, ...args: A): void {
    checkFn("startSoon(fn)", fn);
    this.startSoonNamed(fn.name || "anonymous", fn, ...args);
  }

  /** Starts `fn(...args)` in this nursery as a task named `name`. */
  startSoonNamed<A extends unknown[], T>(name: string, fn: (...args: A) => Operation<T>, ...args: A): void {
    checkName("startSoonNamed(name, fn)", name);
    checkFn("startSoonNamed(name, fn)", fn);
    if (this.runtime.closed) this.close("the runtime is closed");
    if (this._closed) {
      throw new RuntimeError(`startSoon() on the nursery ${this.name}, which is closed (its component unmounted). Start work only while the component is mounted.`);
    }
    if (this.nursery !== null) {
      this.nursery.startSoonNamed(name, fn, ...args);
      return;
    }
    this.pending.push({ name, fn: fn as unknown as Pending["fn"], args });
    if (this.hostScope === null) {
      const scope = new CancelScope();
      this.hostScope = scope;
      this.runtime.spawn(this.name, scopedNurseryHost, this, scope);
    }
  }

  /**
   * Cancels every task running here now, and drops queued ones, but keeps
   * the nursery usable: later `startSoon` calls run in a fresh nursery.
   */
  cancelAll(reason = "cancelAll()"): void {
    this.pending = [];
    // Detach the cancelled nursery: what starts next goes to a fresh one.
    this.nursery?.cancelScope.cancel(reason);
    this.nursery = null;
  }

  /** Cancels everything here for good (the component unmounted). Idempotent. */
  close(reason = "the component unmounted"): void {
    if (this._closed) return;
    this._closed = true;
    this.pending = [];
    this.hostScope?.cancel(reason);
  }

  /** @internal Runs nurseries while there is work; returns when there is none. */
  *host(): Operation<void> {
    const self = this;
    while (this.pending.length > 0 && !this._closed) {
      try {
        yield* openNursery(function* (nursery) {
          self.nursery = nursery;
          const pending = self.pending;
          self.pending = [];
          for (const p of pending) nursery.startSoonNamed(p.name, p.fn as (...args: unknown[]) => Operation<unknown>, ...p.args);
        });
      } catch (error) {
        if (error instanceof Cancelled) throw error;
        this.onError(reportable(error), `a task of ${this.name}`);
      } finally {
        this.nursery = null;
      }
    }
  }

  /** @internal The host task has ended (all in the same step as its nursery closing, so no start can slip in between). */
  hostEnded(scope: CancelScope): void {
    if (this.hostScope === scope) this.hostScope = null;
    this.nursery = null;
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
