/**
 * Task policies, after ember-concurrency: what happens when a task is
 * performed again while earlier performs still run.
 *
 * Why it is built so:
 * - Every perform makes a `TaskInstance` with its own `CancelScope`, and
 *   runs as a task of the owner's nursery (a component's `ScopedNursery`, or
 *   any Trio `Nursery`). Cancelling an instance is `scope.cancel()`: the
 *   instance receives `Cancelled` at its checkpoint, its `finally` blocks
 *   run, an `abortable` fetch is aborted on the wire. No "isCancelled" flags.
 * - A running instance keeps its slot until it has really ended. So a
 *   restart cancels the old instance and the new one starts when the old
 *   one's `finally` has run: `maxConcurrency` is never exceeded, not even
 *   during cleanup. One cancelled before its task's first step has no
 *   cleanup: its slot frees at once (its function is never called).
 * - The policy only decides, at each perform and each end, which instances
 *   to start, queue, drop or cancel. It knows no UI framework: the hooks
 *   subscribe to its state, and plain Trio code (and the unit tests) can use
 *   it with an ordinary nursery.
 * - An instance's error is kept in its state and in `lastError`; it does not
 *   cancel the owner's other tasks. Once the policy is closed nobody reads
 *   that state, so an error raised then (a cleanup failing while the
 *   instance unwinds from an unmount) goes to the owner, which reports it,
 *   unless the instance is awaited or joined.
 * - The policy closes only when its owner is really gone (it reports
 *   `closed`: a ScopedNursery closed on unmount, a Trio nursery whose block
 *   has ended) or on `close()`. A cancellation from outside (the owner's
 *   `cancelAll()`, a sibling's failure) cancels the instances it reaches
 *   and nothing more, as ember-concurrency's tasks outlive a `cancelAll()`.
 * - A listener that throws is reported (see report.ts) and skipped: the
 *   bookkeeping of an ending instance runs exactly once whatever listeners do.
 */
import { functionName, checkReadable, describe, readProperty } from "../core/errors.js";
import { CancelScope, Cancelled, checkpointIfCancelled, type Operation } from "../core/index.js";
import { Event } from "../sync/index.js";
import { deferred, type Deferred } from "../core/deferred.js";
import { callTaskFunction } from "../core/nursery.js";
import { checkFn, checkReason, reasonOf, type HandlerEvent, type TaskSpawner } from "./runtime.js";
import { callIsolated } from "./report.js";

/**
 * What a new perform does while `maxConcurrency` instances already run:
 * - `"unbounded"`: runs anyway (no limit; `maxConcurrency` is ignored);
 * - `"restartable"`: cancels the oldest running instance; the new one starts when it has ended;
 * - `"drop"`: is dropped (never runs);
 * - `"enqueue"`: waits in line and runs when a slot frees, in order;
 * - `"keepLatest"`: waits, but only the latest waiting perform is kept; earlier waiting ones are dropped.
 */
export type PolicyName = "unbounded" | "restartable" | "drop" | "enqueue" | "keepLatest";

/** Options of `taskPolicy()` and `useTaskPolicy()`. */
export interface TaskPolicyOptions {
  /** The policy (default "unbounded"). */
  policy?: PolicyName | undefined;
  /** How many instances may run at once (default 1; ignored by "unbounded"). */
  maxConcurrency?: number | undefined;
  /** Names the instances' tasks in the devtools (default: the function's name). */
  name?: string | undefined;
  /**
   * Names each instance's cancel scope in the devtools (default
   * "<policy> policy for <name>", e.g. "restartable policy for search";
   * `useTask` gives "useTask <name>").
   */
  scopeName?: string | undefined;
}

/** Where an instance is in its life. */
export type InstanceState = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "dropped";

/** The derived state of a policy, replaced (never mutated) on every change. */
export interface TaskPolicyState<T> {
  /** True while at least one instance runs. */
  readonly isRunning: boolean;
  /** True while no instance runs or waits. */
  readonly isIdle: boolean;
  /** Instances running now (including ones cancelled and still unwinding). */
  readonly runningCount: number;
  /** Instances waiting for a slot. */
  readonly queuedCount: number;
  /** How many times `perform` was called. */
  readonly performCount: number;
  /** Instances that returned a value. */
  readonly succeededCount: number;
  /** Instances that raised. */
  readonly failedCount: number;
  /** Instances cancelled, running or still queued (restarted, `cancelAll`, unmount). */
  readonly cancelledCount: number;
  /** Performs that never ran (the "drop" and "keepLatest" policies). */
  readonly droppedCount: number;
  /** The value of the latest instance that succeeded. */
  readonly lastValue: T | undefined;
  /** The error of the latest instance that failed, cleared when a later one succeeds. */
  readonly lastError: unknown;
  /** The latest performed instance. */
  readonly last: TaskInstance<T> | null;
}

/** Rejection of an awaited instance that was cancelled or dropped. */
export class TaskInstanceCancelled extends Error {
  /** Why it was cancelled or dropped. */
  readonly reason: string;
  /** @param dropped True when the instance never ran (the message then says so). */
  constructor(reason: string, dropped = false) {
    super(`The task instance was ${dropped ? "dropped" : "cancelled"}: ${reason}`);
    this.reason = reason;
  }
  override get name(): string {
    return "TaskInstanceCancelled";
  }
}

let nextInstanceId = 1;

/**
 * One perform of a policy task. Await it from plain code (it rejects with
 * `TaskInstanceCancelled` if cancelled or dropped), or `yield* join()` from
 * Trio code.
 */
export class TaskInstance<T = unknown> implements PromiseLike<T> {
  /** Unique on the page. */
  readonly id = nextInstanceId++;
  /** @internal */ readonly scope: CancelScope;
  private _state: InstanceState = "queued";
  private _value: T | undefined = undefined;
  private _error: unknown = undefined;
  private _reason: string | undefined = undefined;
  private readonly ended = new Event();
  private deferred: Deferred<T> | null = null;
  /** Tasks waiting in `join()` now (one that was cancelled while it waited reads nothing). */
  private joiners = 0;
  /** @internal Its task has taken its first step (so its function may run): from then on its slot frees only when the task ends. */
  began = false;

  /** @internal */
  constructor(
    private readonly policy: TaskPolicy<unknown[], T>,
    /** The arguments given to `perform`. */
    readonly args: readonly unknown[],
  ) {
    this.scope = new CancelScope({ name: policy.scopeName });
  }

  /** Where the instance is in its life. */
  get state(): InstanceState {
    return this._state;
  }
  /** The value it returned (once succeeded). */
  get value(): T | undefined {
    return this._value;
  }
  /** What it raised (once failed). */
  get error(): unknown {
    return this._error;
  }
  /** Why it was cancelled or dropped. */
  get cancelReason(): string | undefined {
    return this._reason;
  }
  /** True once it succeeded, failed, was cancelled or dropped. */
  get isFinished(): boolean {
    return this._state !== "queued" && this._state !== "running";
  }

  /** Cancels this instance (a queued one never starts). Idempotent. Bound: `onClick={instance.cancel}` works. */
  readonly cancel = (reason?: string | HandlerEvent): void => {
    this.policy.cancelInstance(this, reasonOf("TaskInstance.cancel(reason)", reason, "cancelled"));
  };

  /** Waits (from Trio code) until the instance has finished; returns it. A checkpoint. */
  *join(): Operation<this> {
    this.joiners++;
    try {
      yield* this.ended.wait();
    } finally {
      this.joiners--;
    }
    return this;
  }

  /** @internal True while somebody will read its outcome: it is awaited, or a task waits in `join()`. */
  get observed(): boolean {
    return this.deferred !== null || this.joiners > 0;
  }

  /** @internal */
  markRunning(): void {
    this._state = "running";
  }

  /** @internal */
  finish(state: "succeeded" | "failed" | "cancelled" | "dropped", value: T | undefined, error: unknown, reason?: string): void {
    if (this.isFinished) return;
    this._state = state;
    this._value = value;
    this._error = error;
    this._reason = reason;
    this.ended.set();
    if (this.deferred !== null) this.settle();
  }

  /** Awaitable from plain code: the value, the error, or `TaskInstanceCancelled`. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.deferred === null) {
      this.deferred = deferred<T>();
      if (this.isFinished) this.settle();
    }
    return this.deferred.promise.then(onFulfilled, onRejected);
  }

  private settle(): void {
    const d = this.deferred!;
    if (this._state === "succeeded") d.resolve(this._value as T);
    else if (this._state === "failed") d.reject(this._error);
    else d.reject(new TaskInstanceCancelled(this._reason ?? this._state, this._state === "dropped"));
  }

  toString(): string {
    return `<TaskInstance #${this.id} ${this._state}>`;
  }
}

type Listener = () => void;

const POLICIES: readonly PolicyName[] = ["unbounded", "restartable", "drop", "enqueue", "keepLatest"];

/**
 * A task with a concurrency policy. Make one with `taskPolicy(owner, fn,
 * options)`, or in a component with `useTaskPolicy(fn, options)`.
 */
export class TaskPolicy<A extends unknown[], T> {
  /** The policy. */
  readonly policy: PolicyName;
  /** How many instances may run at once. */
  readonly maxConcurrency: number;
  /** The task name shown in the devtools. */
  readonly name: string;
  /** The name of each instance's cancel scope, shown in the devtools. */
  readonly scopeName: string;
  private readonly running: TaskInstance<T>[] = [];
  private readonly queue: TaskInstance<T>[] = [];
  private readonly listeners = new Set<Listener>();
  private _state: TaskPolicyState<T>;
  private counts = { perform: 0, succeeded: 0, failed: 0, cancelled: 0, dropped: 0 };
  private lastValue: T | undefined = undefined;
  private lastError: unknown = undefined;
  private last: TaskInstance<T> | null = null;
  /** Why `close()` was called; undefined while it was not. */
  private closeReason: string | undefined = undefined;

  /** @internal Use `taskPolicy()`. */
  constructor(
    private readonly owner: TaskSpawner,
    /** @internal */ readonly fn: (...args: A) => Operation<T>,
    options: TaskPolicyOptions,
  ) {
    if (owner === null || typeof owner !== "object" || typeof readProperty(owner, "startSoonNamed") !== "function") {
      throw new TypeError(`taskPolicy(owner, fn, options) needs an owner that can start tasks: a Nursery, or the ScopedNursery of useNursery(); got ${describe(owner)}.`);
    }
    checkFn("taskPolicy(owner, fn, options)", fn);
    if (options === null || typeof options !== "object") {
      throw new TypeError(`taskPolicy(owner, fn, options) takes an options object such as { policy: "restartable" }, got ${describe(options)}.`);
    }
    checkReadable("taskPolicy(owner, fn, options)", options);
    const policy = options.policy ?? "unbounded";
    if (typeof policy !== "string") {
      throw new TypeError(`taskPolicy(owner, fn, { policy }) takes a policy name, one of ${POLICIES.map((p) => `"${p}"`).join(", ")}; got ${describe(policy)}.`);
    }
    if (!(POLICIES as readonly string[]).includes(policy)) {
      throw new RangeError(`Unknown task policy ${JSON.stringify(policy)}; use one of ${POLICIES.map((p) => `"${p}"`).join(", ")}.`);
    }
    const max = options.maxConcurrency ?? 1;
    if (typeof max !== "number" || !(max >= 1) || (!Number.isInteger(max) && max !== Infinity)) {
      throw new RangeError(`maxConcurrency must be a positive integer (or Infinity), got ${describe(max)}.`);
    }
    this.policy = policy as PolicyName;
    this.maxConcurrency = policy === "unbounded" ? Infinity : max;
    if (options.name !== undefined && typeof options.name !== "string") {
      throw new TypeError(`taskPolicy(owner, fn, { name }) takes a string (the instances' task name, for tools), got ${describe(options.name)}.`);
    }
    this.name = policyName(fn, options);
    if (options.scopeName !== undefined && typeof options.scopeName !== "string") {
      throw new TypeError(`taskPolicy(owner, fn, { scopeName }) takes a string (the instances' scope name, for tools), got ${describe(options.scopeName)}.`);
    }
    this.scopeName = options.scopeName ?? `${policy} policy for ${this.name}`;
    this._state = this.derive();
  }

  /** The current derived state (a new object after every change). */
  get state(): TaskPolicyState<T> {
    return this._state;
  }

  /** True once `close()` was called or the owner is gone for good (closed): performs then come back dropped. */
  get closed(): boolean {
    return this.closeReason !== undefined || this.owner.closed === true;
  }

  /**
   * Calls `listener` after every change of `state`; returns the unsubscribe
   * function. A listener that throws is reported (the host's `reportError`,
   * else `console.error`) and does not disturb the policy or other listeners.
   */
  subscribe(listener: Listener): () => void {
    if (typeof listener !== "function") throw new TypeError(`TaskPolicy.subscribe(listener) needs a function () => void, called after every change of state; got ${describe(listener)}.`);
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Performs the task with `args`, following the policy; returns the new
   * instance at once (it may be queued, or already dropped). Usable from
   * plain callbacks and from tasks; bound, so it can be passed on detached.
   */
  readonly perform = (...args: A): TaskInstance<T> => {
    const instance = new TaskInstance<T>(this as unknown as TaskPolicy<unknown[], T>, args);
    this.counts.perform++;
    this.last = instance;
    if (this.closed) {
      this.drop(instance, this.closeReason !== undefined ? `the task policy is closed (${this.closeReason})` : "the task's owner is closed");
      this.cancelQueuedIfClosed();
      this.changed();
      return instance;
    }
    const max = this.maxConcurrency;
    const free = this.running.length < max;
    switch (this.policy) {
      case "unbounded":
      case "enqueue":
        this.queue.push(instance);
        break;
      case "drop":
        if (free) this.queue.push(instance);
        else this.drop(instance, busyReason(this.running));
        break;
      case "keepLatest":
        if (!free) {
          for (const old of this.queue.splice(0)) this.drop(old, "a later perform replaced it");
        }
        this.queue.push(instance);
        break;
      case "restartable":
        this.queue.push(instance);
        while (this.queue.length > max) this.cancelQueued(this.queue[0]!, "restarted before it began");
        this.makeRoom();
        break;
    }
    this.startQueued();
    this.changed();
    return instance;
  };

  /**
   * Cancels every running instance and drops every queued one. Bound, so it
   * can be a handler as it is (`onClick={policy.cancelAll}`: the event
   * stands for no reason).
   */
  readonly cancelAll = (reason?: string | HandlerEvent): void => {
    const why = reasonOf("TaskPolicy.cancelAll(reason)", reason, "cancelAll()");
    for (const instance of this.queue.splice(0)) this.finishQueued(instance, why);
    for (const instance of [...this.running]) this.cancelRunning(instance, why);
    this.changed();
  };

  /**
   * Cancels everything and refuses new performs (they come back dropped).
   * The hooks call it on unmount.
   */
  close(reason = "the component unmounted"): void {
    checkReason("TaskPolicy.close(reason)", reason);
    this.closeReason ??= reason;
    this.cancelAll(reason);
  }

  /** @internal */
  cancelInstance(instance: TaskInstance<T>, reason: string): void {
    if (instance.isFinished) return;
    const i = this.queue.indexOf(instance);
    if (i !== -1) {
      this.queue.splice(i, 1);
      this.finishQueued(instance, reason);
    } else {
      this.cancelRunning(instance, reason);
    }
    this.changed();
  }

  // Restartable: cancel the oldest running instances until enough slots are
  // on their way to free up for everything queued.
  private makeRoom(): void {
    const max = this.maxConcurrency;
    let leaving = 0;
    for (const r of this.running) if (r.scope.cancelCalled) leaving++;
    for (const r of this.running) {
      if (this.running.length - leaving + this.queue.length <= max) break;
      if (!r.scope.cancelCalled) {
        r.scope.cancel("restarted: a newer perform replaced it");
        leaving++;
      }
    }
  }

  // An instance whose task has not taken its first step has nothing to clean
  // up: its slot frees at once (the task returns without calling the
  // function), so a "drop" perform right after, or React StrictMode's
  // cancel-then-perform in an effect, is not dropped for it.
  private cancelRunning(instance: TaskInstance<T>, reason: string): void {
    instance.scope.cancel(reason);
    if (!instance.began) this.ended(instance, "cancelled", undefined, undefined, reason);
  }

  private cancelQueued(instance: TaskInstance<T>, reason: string): void {
    const i = this.queue.indexOf(instance);
    if (i !== -1) this.queue.splice(i, 1);
    this.finishQueued(instance, reason);
  }

  private finishQueued(instance: TaskInstance<T>, reason: string): void {
    this.counts.cancelled++;
    instance.finish("cancelled", undefined, undefined, reason);
  }

  private drop(instance: TaskInstance<T>, reason: string): void {
    this.counts.dropped++;
    instance.finish("dropped", undefined, undefined, reason);
  }

  // Once the policy or its owner is closed, nothing queued can ever run.
  private cancelQueuedIfClosed(): void {
    if (this.queue.length === 0 || !this.closed) return;
    for (const rest of this.queue.splice(0)) this.finishQueued(rest, "the task's owner is closed");
  }

  private startQueued(): void {
    this.cancelQueuedIfClosed();
    while (this.queue.length > 0 && this.running.length < this.maxConcurrency) {
      const instance = this.queue.shift()!;
      this.running.push(instance);
      instance.markRunning();
      try {
        this.owner.startSoonNamed(this.name, runInstance, this as unknown as TaskPolicy<unknown[], unknown>, instance as TaskInstance<unknown>);
      } catch (error) {
        this.running.pop();
        this.drop(instance, error instanceof Error ? error.message : "the owner refused to start it");
        if (this.owner.closed === true) {
          // The owner is gone for good: nothing queued can run any more.
          for (const rest of this.queue.splice(0)) this.drop(rest, "the task's owner is closed");
        }
        // Else a passing refusal (a perform from a task of another run):
        // only this instance is lost; what is queued starts at the next end.
        return;
      }
    }
  }

  /** @internal An instance's task has ended. Counts it once, whatever happens after. */
  ended(instance: TaskInstance<T>, state: "succeeded" | "failed" | "cancelled", value: T | undefined, error: unknown, cancelReason?: string): void {
    const i = this.running.indexOf(instance);
    if (i === -1) return;
    this.running.splice(i, 1);
    if (state === "succeeded") {
      this.counts.succeeded++;
      this.lastValue = value;
      this.lastError = undefined;
    } else if (state === "failed") {
      this.counts.failed++;
      this.lastError = error;
    } else {
      this.counts.cancelled++;
    }
    instance.finish(state, value, error, state === "cancelled" ? (instance.scope.cancelReason ?? cancelReason ?? "cancelled") : undefined);
    this.startQueued();
    this.changed();
  }

  private derive(): TaskPolicyState<T> {
    const c = this.counts;
    return {
      isRunning: this.running.length > 0,
      isIdle: this.running.length === 0 && this.queue.length === 0,
      runningCount: this.running.length,
      queuedCount: this.queue.length,
      performCount: c.perform,
      succeededCount: c.succeeded,
      failedCount: c.failed,
      cancelledCount: c.cancelled,
      droppedCount: c.dropped,
      lastValue: this.lastValue,
      lastError: this.lastError,
      last: this.last,
    };
  }

  private changed(): void {
    this._state = this.derive();
    for (const listener of [...this.listeners]) callIsolated(listener);
  }

  toString(): string {
    return `<TaskPolicy ${this.name} ${this.policy} running=${this.running.length} queued=${this.queue.length}>`;
  }
}

// Why a "drop" perform is dropped. Cancelled instances keep their slots until
// their cleanup has run, so right after cancelAll() the slots may be held
// only by instances that are leaving: say so, and how to wait for them.
function busyReason(running: readonly TaskInstance<unknown>[]): string {
  const leaving = running.find((r) => !r.scope.cancelCalled) === undefined ? running[0] : undefined;
  if (leaving === undefined) return "the task was already running";
  return `instance #${leaving.id} was cancelled (${leaving.scope.cancelReason ?? "cancelled"}) but is still finishing its cleanup; to perform again right after cancelling, wait for it first (await it, or yield* join()), or use the "restartable" or "keepLatest" policy`;
}

// Hoisted: every instance of every policy runs this same generator function.
// `policy.ended` is called exactly once, in the finally, on every path.
function* runInstance(policy: TaskPolicy<unknown[], unknown>, instance: TaskInstance<unknown>): Operation<void> {
  const scope = instance.scope;
  let state: "succeeded" | "failed" | "cancelled" = "cancelled";
  let value: unknown = undefined;
  let failure: unknown = undefined;
  let reason: string | undefined = undefined;
  try {
    // Cancelled between perform and its first step, or started in an owner
    // that is already cancelled (a dying nursery): never call the function.
    if (scope.cancelCalled) return;
    instance.began = true;
    yield* checkpointIfCancelled();
    // Called here rather than by scope.run, so that a function that is not a
    // generator function is named as the policy's, not as CancelScope.run's body.
    value = yield* scope.run(() => callTaskFunction("taskPolicy(owner, fn) / useTaskPolicy(fn)", policy.fn, instance.args));
    state = scope.cancelledCaught ? "cancelled" : "succeeded";
  } catch (error) {
    if (error instanceof Cancelled) {
      // Not our scope's: the owner is being cancelled (cancelAll, a
      // sibling's failure, unmount). Record it, then let it travel on; the
      // policy stays open unless the owner is really gone.
      reason = error.reason ?? "the task's owner was cancelled";
      throw error;
    }
    state = "failed";
    failure = error;
  } finally {
    policy.ended(instance, state, value, failure, reason);
  }
  // Kept in the state while somebody may read it. Once the policy is closed
  // (its component unmounted, a cleanup failed while unwinding) nobody
  // renders that state: unless the instance is awaited or joined, the error
  // travels on to the owner, which reports it (a ScopedNursery: to onError)
  // rather than let it vanish.
  if (state === "failed" && policy.closed && !instance.observed) throw failure;
}

/** The task name of a policy's instances: `options.name`, else the function's name, else "task". */
export function policyName(fn: { readonly name: string }, options: TaskPolicyOptions): string {
  return options.name ?? functionName(fn) ?? "task";
}

/**
 * Makes a policy task outside components: instances run as tasks of
 * `owner` (a `Nursery`, or a `ScopedNursery`).
 */
export function taskPolicy<A extends unknown[], T>(owner: TaskSpawner, fn: (...args: A) => Operation<T>, options: TaskPolicyOptions = {}): TaskPolicy<A, T> {
  return new TaskPolicy(owner, fn, options);
}

