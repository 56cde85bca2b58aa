/**
 * Read-only snapshots of everything that is running: runs, their task trees
 * and cancel scopes, asyncio loops and their pending futures.
 *
 * A snapshot is plain data (JSON-safe), flat, with parent links: a task
 * names its nursery, a nursery names its task. Flat records diff cheaply,
 * which is what `subscribe` sends, and a virtualised tree view wants rows
 * anyway; `toTree` rebuilds the nesting for whoever prefers it.
 *
 * This module reads the core's and the asyncio layer's objects but never
 * changes them; only `cancel` in `control.ts` acts.
 */
import type { CancelScope } from "../core/cancel-scope.js";
import type { Nursery } from "../core/nursery.js";
import type { Runner, RunStatistics } from "../core/runner.js";
import type { Task } from "../core/task.js";
import { functionName, readProperty, stringOf } from "../core/errors.js";
import { FLAVOUR } from "../core/traps.js";
import { liveLoops, liveRuns } from "./hooks.js";
import { liveRemotes } from "./remote.js";

/** What a blocked task waits on. */
export interface WaitInfo {
  /** A short kind: "sleep", "nursery", "promise", "future", "Lock", "MemoryReceiveChannel", … */
  kind: string;
  /** A human-readable description: for a Promise, the label given to `waitPromise`/`abortable` (`fetchOp` gives "GET /url"), else "a Promise". */
  label: string;
  /** For sleeps: the deadline on the run's clock. */
  deadline?: number | undefined;
  /** For asyncio futures: the future's id (see `FutureRecord.id`). */
  futureId?: number | undefined;
}

/** A cancel scope. Times are in the run's clock seconds. */
export interface ScopeRecord {
  id: number;
  runId: number;
  /** The enclosing scope, or null for a run's root. */
  parentId: number | null;
  /** The task that entered the scope (null for a run's root). */
  ownerTaskId: number | null;
  /** True for a nursery's own scope. */
  nursery: boolean;
  deadline: number | null;
  timeLeft: number | null;
  shield: boolean;
  /** The name given with `new CancelScope({ name })`, or null (absent in snapshots of older versions). */
  name?: string | null | undefined;
  cancelCalled: boolean;
  cancelReason: string | null;
  /** Code inside sees cancellation (this scope or an unshielded outer one). */
  cancelled: boolean;
}

/** A task, with links to its place in the tree. */
export interface TaskRecord {
  id: number;
  runId: number;
  name: string;
  status: "runnable" | "running" | "blocked" | "done";
  system: boolean;
  /** Scope id of the nursery the task belongs to (null for a run's main task). */
  nurseryId: number | null;
  /** The task that opened that nursery. */
  parentTaskId: number | null;
  /** The task's cancel scopes, innermost first, up to the run's root. */
  scopeIds: number[];
  waitingOn: WaitInfo | null;
  /**
   * While blocked: when the task last parked, on the run's clock (seconds,
   * as `RunRecord.time`); null otherwise. The runtime stamps it with the
   * clock reading of the scheduler batch it parked in, so it may be early
   * by up to one time slice (5 ms by default) or one long step.
   */
  blockedSince: number | null;
  /**
   * Set on the bindings' own wrapper tasks (a component nursery's host, the
   * runtime's main task): what the wrapper is. Tools may fold them away.
   */
  internal?: string | undefined;
}

/** A nursery: its scope id doubles as its id. */
export interface NurseryRecord {
  id: number;
  runId: number;
  parentTaskId: number | null;
  childTaskIds: number[];
}

/** A run of `run()`. */
export interface RunRecord {
  id: number;
  name: string;
  finished: boolean;
  time: number;
  mainTaskId: number | null;
  statistics: RunStatistics;
  /**
   * For a run in a worker (listed while a subscriber watches): the worker's
   * name, and the task of this thread that opened the worker (null if none).
   */
  worker?: string | undefined;
  hostTaskId?: number | null | undefined;
}

/** An asyncio Future or Task still pending. */
export interface FutureRecord {
  id: number;
  loopId: number;
  kind: string;
  name: string;
  state: string;
  /** Seconds on the loop clock since creation. */
  age: number;
  createdAt: number;
  doneCallbacks: string[];
  sourceTraceback: string | null;
  /** For Tasks: the future it waits on. */
  waitingOnFutureId: number | null;
  /** For Tasks: pending cancellation requests. */
  cancelling: number | null;
}

/** An asyncio loop. */
export interface LoopRecord {
  id: number;
  runId: number;
  /** The Trio task that runs the loop (null before it starts or after it stops). */
  hostTaskId: number | null;
  closed: boolean;
  debug: boolean;
  readyCallbacks: number;
  timers: number;
  taskCount: number;
  callbacksRun: number;
  iterations: number;
}

/** Everything, at one moment. */
export interface Snapshot {
  /** performance.now() in ms when taken. */
  takenAt: number;
  runs: RunRecord[];
  tasks: TaskRecord[];
  nurseries: NurseryRecord[];
  scopes: ScopeRecord[];
  loops: LoopRecord[];
  futures: FutureRecord[];
}

interface LoopLike {
  id: number;
  runner: Runner;
  hostTask: Task | null;
  isClosed(): boolean;
  getDebug(): boolean;
  time(): number;
  pending: { ready: number; timers: number };
  statistics: { callbacksRun: number; iterations: number };
  tasks: Set<FutureLike>;
  trackedFutures(): Iterable<FutureLike>;
}

interface FutureLike {
  id: number;
  status: string;
  createdAt: number;
  sourceTraceback: string | undefined;
  pendingCallbacks: readonly ((...args: never[]) => unknown)[];
  done(): boolean;
  getName?(): string;
  cancelling?(): number;
  waitingOn?: { id: number } | null | undefined;
}

// The label of a labelled Promise wait (`waitPromise(p, { label })`, `abortable`,
// `fetchOp`): a registered symbol, so the inspector imports nothing from the bridges.
const WAIT_LABEL = Symbol.for("trio-asyncio.wait-label");

/**
 * The descriptor of `key` along `value`'s prototype chain, read without
 * running a getter or a Proxy's `get` and `has` traps (its
 * getOwnPropertyDescriptor and getPrototypeOf traps cannot be avoided):
 * looking must not act on a user's value, and a reactive store's Proxy
 * tracks its reads. Total: undefined for anything that throws.
 */
function quietDescriptor(value: object, key: PropertyKey): PropertyDescriptor | undefined {
  try {
    let o: object | null = value;
    // Bounded: a Proxy's getPrototypeOf may answer a new object each time.
    for (let depth = 0; o !== null && depth < 64; depth++) {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      if (d !== undefined) return d;
      o = Reflect.getPrototypeOf(o);
    }
  } catch {
    // A trap that throws: nothing known.
  }
  return undefined;
}

/** @internal `key`'s value if it is a data property (a getter is not called); see quietDescriptor. */
export function quietValue(value: object, key: PropertyKey): unknown {
  return quietDescriptor(value, key)?.value;
}

/** @internal The name of `value`'s constructor, read quietly; undefined if none can be. */
export function quietClassName(value: object): string | undefined {
  const ctor = quietValue(value, "constructor");
  if (typeof ctor !== "function") return undefined;
  const name = quietValue(ctor, "name");
  return typeof name === "string" && name !== "" ? name : undefined;
}

/**
 * Whether `w` is an asyncio Future: the flavour mark is a getter of the
 * Future class, called only when found under the registered symbol (a user
 * value has no such property).
 */
function isFuture(w: object): boolean {
  const d = quietDescriptor(w, FLAVOUR);
  if (d === undefined) return false;
  if (d.get === undefined) return d.value === "asyncio";
  try {
    return Reflect.apply(d.get, w, []) === "asyncio";
  } catch {
    return false;
  }
}

/** @internal Describes a task's `waitingOn` value. */
export function describeWait(task: Task): WaitInfo | null {
  if (task.status !== "blocked") return null;
  const w = task.waitingOn;
  if (w === null || w === undefined) return { kind: "other", label: "blocked" };
  if (w === "sleep") {
    const deadline = task.extras?.sleepEntry?.deadline ?? Infinity;
    return { kind: "sleep", label: `sleep until ${deadline.toFixed(3)}`, deadline };
  }
  if (typeof w === "string") return { kind: w, label: w };
  // What a task waits on may be a user's value (a host object; waitPromise
  // parks on a native Promise, never the user's thenable): read quietly
  // (see quietDescriptor), and never its `then` or a default toString,
  // which would read it further.
  if (typeof w === "object") {
    if (isFuture(w)) {
      const id = readProperty(w, "id");
      return { kind: "future", label: stringOf(w), ...(typeof id === "number" ? { futureId: id } : {}) };
    }
    const label = quietValue(w, WAIT_LABEL);
    if (typeof label === "string") return { kind: "promise", label };
    const then = quietDescriptor(w, "then");
    if (then !== undefined && (typeof then.value === "function" || then.get !== undefined)) return { kind: "promise", label: "a Promise" };
    // The task's own nursery, and a live loop, known by identity: a user's class may bear their names.
    if (task.childNurseries.includes(w as Nursery)) return { kind: "nursery", label: `its children (nursery ${(w as Nursery).cancelScope.id})` };
    if (liveLoops.has(w)) return { kind: "loop", label: stringOf(w) };
    const ctor = quietClassName(w) ?? "object";
    // A class's own toString says what it is (the library's channels and sockets); the default one says no more than the class.
    const toString = quietValue(w, "toString");
    if (typeof toString !== "function" || toString === Object.prototype.toString) return { kind: ctor, label: ctor };
    return { kind: ctor, label: stringOf(w) };
  }
  return { kind: "other", label: stringOf(w) };
}

/**
 * @internal A scope's name, or null: read totally, since a scope is user
 * code's object (a `name` getter that throws must not stop the inspector).
 */
export function scopeName(scope: CancelScope): string | null {
  const name = readProperty(scope, "name");
  return typeof name === "string" ? name : null;
}

function scopeRecord(scope: CancelScope, runner: Runner, now: number): ScopeRecord {
  const deadline = scope.active && !scope.isRoot ? scope.deadline : Infinity;
  return {
    id: scope.id,
    runId: runner.id,
    parentId: scope.parent?.id ?? null,
    ownerTaskId: scope.owner?.id ?? null,
    nursery: scope.nursery !== null,
    deadline: deadline === Infinity ? null : deadline,
    timeLeft: deadline === Infinity ? null : deadline - now,
    shield: scope.shield,
    name: scopeName(scope),
    // Not `cancelCalled`: as in Trio, that getter cancels a scope whose
    // deadline has passed. Looking must not act: the scheduler decides when.
    cancelCalled: scope.cancelFlag,
    cancelReason: scope.cancelReason ?? null,
    cancelled: scope.effective,
  };
}

/** @internal Walks one run's tree, calling back for every task, nursery and scope. */
export function walkRun(
  runner: Runner,
  visit: { task(t: Task, nursery: Nursery | null): void; nursery(n: Nursery): void; scope(s: CancelScope): void },
): void {
  const seenScopes = new Set<number>();
  // Visits a scope and its ancestors, stopping at the first one already seen.
  const visitChain = (start: CancelScope) => {
    for (let s: CancelScope | null = start; s !== null; s = s.parent) {
      if (seenScopes.has(s.id)) break;
      seenScopes.add(s.id);
      visit.scope(s);
    }
  };
  // Two parallel stacks rather than a tuple per task: this walk runs for
  // every inspector update, over possibly tens of thousands of tasks.
  const taskStack: Task[] = [];
  const nurseryStack: (Nursery | null)[] = [];
  for (const t of runner.systemNursery.childTasks) {
    taskStack.push(t);
    nurseryStack.push(t === runner.mainTask ? null : runner.systemNursery);
  }
  visitChain(runner.rootScope);
  while (taskStack.length > 0) {
    const task = taskStack.pop()!;
    const nursery = nurseryStack.pop()!;
    visit.task(task, nursery);
    visitChain(task.scope);
    if (task.childNurseries.length === 0) continue;
    for (const n of task.childNurseries) {
      visit.nursery(n);
      visitChain(n.cancelScope);
      for (const child of n.childTasks) {
        taskStack.push(child);
        nurseryStack.push(n);
      }
    }
  }
}

/** The registered symbol the bindings mark their wrapper task functions with (src/components/internal.ts). */
const INTERNAL_TASK = Symbol.for("trio-asyncio.internal-task");

/** @internal */
export function taskRecord(task: Task, runner: Runner, nursery: Nursery | null): TaskRecord {
  const scopeIds: number[] = [];
  for (let s: CancelScope | null = task.scope; s !== null; s = s.parent) scopeIds.push(s.id);
  const record: TaskRecord = {
    id: task.id,
    runId: runner.id,
    name: task.name,
    status: task.status,
    system: task.isSystem,
    nurseryId: nursery?.cancelScope.id ?? null,
    parentTaskId: nursery?.parentTask?.id ?? null,
    scopeIds,
    waitingOn: describeWait(task),
    blockedSince: task.status === "blocked" ? task.parkedAt : null,
  };
  // The task function (before the first step) or its generator carries the bindings' mark.
  const coro: unknown = task.coro;
  const mark = typeof coro === "object" || typeof coro === "function" ? (coro === null ? undefined : quietValue(coro, INTERNAL_TASK)) : undefined;
  if (typeof mark === "string") record.internal = mark;
  return record;
}


function runRecord(runner: Runner): RunRecord {
  return {
    id: runner.id,
    name: runner.name,
    finished: runner.finished,
    time: runner.clock.currentTime(),
    mainTaskId: runner.mainTask?.id ?? null,
    statistics: { ...runner.statistics },
  };
}

/** @internal */
export function loopRecord(loop: LoopLike): LoopRecord {
  return {
    id: loop.id,
    runId: loop.runner.id,
    hostTaskId: loop.hostTask?.id ?? null,
    closed: loop.isClosed(),
    debug: loop.getDebug(),
    readyCallbacks: loop.pending.ready,
    timers: loop.pending.timers,
    taskCount: loop.tasks.size,
    callbacksRun: loop.statistics.callbacksRun,
    iterations: loop.statistics.iterations,
  };
}

/** `read()`, or `fallback` where it throws: for what user code may override. */
function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * @internal The loop's pending futures and Tasks. Total: a task factory
 * may make Tasks of a user's subclass, whose `getName`, `done` or
 * `cancelling` may throw or answer a value of the wrong kind; such a Task
 * is listed with what can be read of it (it was not the inspector's to fail).
 */
export function futureRecords(loop: LoopLike): FutureRecord[] {
  const now = loop.time();
  const out: FutureRecord[] = [];
  const seen = new Set<number>();
  const add = (f: FutureLike, task: boolean) => {
    if (attempt(() => f.done(), false) || seen.has(f.id)) return;
    seen.add(f.id);
    const className = functionName(readProperty(f, "constructor")) ?? "Future";
    // A Task of a user's subclass (a task factory) is still a Task for tools: its class shows in its default name.
    const kind = task ? "Task" : className;
    const name = attempt(() => f.getName?.(), undefined);
    const cancelling = attempt(() => f.cancelling?.(), undefined);
    const traceback = attempt(() => f.sourceTraceback, undefined);
    // Internal getters that ask the Task's own methods (`waitingOn` asks the awaited future's `done`).
    const waitingOn = attempt(() => f.waitingOn?.id, undefined);
    const state = attempt(() => f.status, "pending");
    const createdAt = attempt(() => f.createdAt, now);
    out.push({
      id: f.id,
      loopId: loop.id,
      kind,
      name: typeof name === "string" ? name : `${className} #${f.id}`,
      state: typeof state === "string" ? state : "pending",
      age: now - createdAt,
      createdAt,
      doneCallbacks: attempt(() => f.pendingCallbacks.map((cb) => functionName(cb) ?? "anonymous"), []),
      sourceTraceback: typeof traceback === "string" ? traceback : null,
      waitingOnFutureId: typeof waitingOn === "number" ? waitingOn : null,
      cancelling: typeof cancelling === "number" ? cancelling : null,
    });
  };
  for (const t of loop.tasks) add(t, true);
  // The loop's walk asks each future whether it is done (a subclass's `done` may throw): what it listed stays.
  attempt(() => {
    for (const f of loop.trackedFutures()) add(f, false);
  }, undefined);
  out.sort((a, b) => b.age - a.age);
  return out;
}

/** Everything running now, as plain data. */
export function inspect(): Snapshot {
  const snapshot: Snapshot = { takenAt: performance.now(), runs: [], tasks: [], nurseries: [], scopes: [], loops: [], futures: [] };
  for (const r of liveRuns) {
    const runner = r as Runner;
    const now = runner.clock.currentTime();
    snapshot.runs.push(runRecord(runner));
    walkRun(runner, {
      task: (t, n) => snapshot.tasks.push(taskRecord(t, runner, n)),
      nursery: (n) =>
        snapshot.nurseries.push({ id: n.cancelScope.id, runId: runner.id, parentTaskId: n.parentTask?.id ?? null, childTaskIds: [...n.childTasks].map((t) => t.id) }),
      scope: (s) => snapshot.scopes.push(scopeRecord(s, runner, now)),
    });
  }
  for (const l of liveLoops) {
    const loop = l as LoopLike;
    snapshot.loops.push(loopRecord(loop));
    snapshot.futures.push(...futureRecords(loop));
  }
  for (const remote of liveRemotes) remote.addTo(snapshot);
  return snapshot;
}

/** @internal */
export { scopeRecord, runRecord };

/** A task with its nurseries nested, for consumers that want a tree. */
export interface TaskTreeNode extends TaskRecord {
  nurseries: { id: number; tasks: TaskTreeNode[] }[];
}

/** Rebuilds the nesting of a snapshot: one root per run (its main task), plus system tasks. */
export function toTree(snapshot: Pick<Snapshot, "tasks" | "nurseries">): TaskTreeNode[] {
  if (snapshot === null || typeof snapshot !== "object" || !Array.isArray(snapshot.tasks) || !Array.isArray(snapshot.nurseries)) {
    throw new TypeError("toTree(snapshot) needs a snapshot from inspect() (an object with tasks and nurseries arrays).");
  }
  const nodes = new Map<number, TaskTreeNode>();
  for (const t of snapshot.tasks) nodes.set(t.id, { ...t, nurseries: [] });
  const nurseryNodes = new Map<number, { id: number; tasks: TaskTreeNode[] }>();
  for (const n of snapshot.nurseries) {
    const node = { id: n.id, tasks: [] as TaskTreeNode[] };
    nurseryNodes.set(n.id, node);
    if (n.parentTaskId !== null) nodes.get(n.parentTaskId)?.nurseries.push(node);
  }
  const roots: TaskTreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.nurseryId === null ? undefined : nurseryNodes.get(node.nurseryId);
    if (parent !== undefined) parent.tasks.push(node);
    else roots.push(node);
  }
  return roots;
}
