/**
 * `subscribe`: a live feed of what changes, for tools such as the devtools
 * panel.
 *
 * The first update carries a full snapshot; every later one carries only
 * differences: tasks, scopes, nurseries and futures added, changed or
 * removed, plus timeline events (spawn, exit, error, cancel) and scheduler
 * batches. Updates are coalesced to at most one per animation frame.
 *
 * While somebody listens, one observer is attached to the runtime (see
 * `hooks.ts`): it records events, and marks the view dirty. A frame with
 * nothing dirty skips the walk (but the view is re-read every 250 ms in any
 * case, for changes made outside any task step), so thousands of idle tasks
 * cost nothing per frame. Records are compared field by field, not
 * serialised. When the last listener leaves, the observer is detached and
 * the runtime is back to paying a single null check.
 */
import type { Runner } from "../core/runner.js";
import type { Task } from "../core/task.js";
import type { CancelScope } from "../core/cancel-scope.js";
import { Cancelled, checkOptionalBoolean, checkReadable, describe, isError, isInstance, readProperty } from "../core/errors.js";
import { liveLoops, liveRuns, observer, type RuntimeObserver } from "./hooks.js";
import { liveRemotes, remoteHooks, setWatching } from "./remote.js";
import { askBatchTasks, batchTasksRunFinished, batchTasksRunStarted, takeBatchTasks } from "./batch-tasks.js";
import {
  futureRecords,
  loopRecord,
  quietClassName,
  quietValue,
  runRecord,
  scopeName,
  scopeRecord,
  taskRecord,
  walkRun,
  type FutureRecord,
  type LoopRecord,
  type NurseryRecord,
  type RunRecord,
  type ScopeRecord,
  type Snapshot,
  type TaskRecord,
} from "./snapshot.js";

/** Something that happened, for the timeline. */
export interface TimelineEvent {
  /** performance.now() in ms. */
  at: number;
  kind: "spawn" | "exit" | "error" | "cancel";
  runId: number;
  /** Task id (spawn, exit, error) or scope id (cancel). */
  id: number;
  name: string;
  detail?: string | undefined;
  /** For exit and error events: how the task ended (its `detail` is then the error, or the Cancelled message). */
  outcome?: "returned" | "raised" | "cancelled" | undefined;
}

/** One scheduler batch: when it ran and how many task steps it took. */
export interface BatchRecord {
  runId: number;
  /** performance.now() in ms. */
  start: number;
  end: number;
  steps: number;
  /**
   * The tasks that ran in this batch (the first 32 distinct ones, in the
   * order they first stepped), recorded only while a subscriber asks for
   * them (`batchTasks`).
   */
  taskIds?: number[] | undefined;
  /** How many more tasks ran than `taskIds` lists. */
  moreTasks?: number | undefined;
}

/** A set of changes to one kind of record. */
export interface Changes<R> {
  /** Records that are new or whose content changed. */
  upserted: R[];
  /** Ids of records that are gone. */
  removed: number[];
}

/** What a listener receives. */
export interface InspectorUpdate {
  /** performance.now() in ms. */
  at: number;
  /**
   * Only in the first update a listener receives: the whole state as of this
   * update (its changes are in it already). Its records are those updates
   * carry, so a future's `age` is 0 and a scope's countdown is as of when
   * its record last changed: derive both from `createdAt` and `deadline`.
   */
  full?: Snapshot | undefined;
  runs: Changes<RunRecord>;
  tasks: Changes<TaskRecord>;
  nurseries: Changes<NurseryRecord>;
  scopes: Changes<ScopeRecord>;
  loops: Changes<LoopRecord>;
  futures: Changes<FutureRecord>;
  events: TimelineEvent[];
  batches: BatchRecord[];
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** Record creation stacks of new tasks (costly; off by default). */
  captureStacks?: boolean | undefined;
  /**
   * Record which tasks ran in each batch (`BatchRecord.taskIds`) while this
   * subscriber is subscribed. Costs an instrument call per task step then
   * (the runs take their instrumented path); off by default.
   */
  batchTasks?: boolean | undefined;
  /** How to wait for the next frame (default: requestAnimationFrame, or a 16 ms timer). */
  scheduleFrame?: ((flush: () => void) => void) | undefined;
}

type Listener = (update: InspectorUpdate) => void;

interface Subscriber {
  listener: Listener;
  needsFull: boolean;
}

const subscribers = new Set<Subscriber>();
const stacks = new WeakMap<object, string>();
let captureStacks = 0;
let events: TimelineEvent[] = [];
let batches: BatchRecord[] = [];
let flushScheduled = false;
// Bumped when the last listener leaves: a flush scheduled before that is
// stale and must not run (or a panel closed and reopened would start a
// second chain of per-frame flushes).
let flushToken = 0;
let frameScheduler: ((flush: () => void) => void) | null = null;
const MAX_BUFFERED = 10_000;
/** Even when no event marked the view dirty, look again this often (ms). */
const REFRESH_MS = 250;
// Set by every runtime event; a flush with nothing dirty skips the walk, so
// idle pages (even with 10,000 sleeping tasks) cost almost nothing per frame.
let dirty = true;
let lastCollect = -Infinity;

// What the listeners last saw, to send only differences.
let lastRuns = new Map<number, unknown>();
let lastTasks = new Map<number, unknown>();
let lastNurseries = new Map<number, unknown>();
let lastScopes = new Map<number, unknown>();
let lastLoops = new Map<number, unknown>();
let lastFutures = new Map<number, unknown>();

function push<T>(list: T[], item: T): void {
  // Keep the newest MAX_BUFFERED; drop in halves so this stays O(1) amortised
  // even when no frame comes for a while (a hidden tab has no animation frames).
  if (list.length >= 2 * MAX_BUFFERED) list.splice(0, list.length - MAX_BUFFERED);
  list.push(item);
}

/** Frames kept in a creation stack: the spawn's caller sits under this recorder and the scheduler's own frames. */
const STACK_FRAMES = 40;

/**
 * The stack of a new Error, or undefined where the page made stacks
 * unreadable (an `Error.prepareStackTrace` or a `stackTraceLimit` getter
 * that throws): this runs inside the spawn, which must go on regardless.
 */
function spawnStack(name: string): string | undefined {
  // V8 keeps 10 frames unless told otherwise; raise the limit for this one capture only.
  const E = Error as { stackTraceLimit?: unknown };
  let limit: unknown;
  let raise = false;
  try {
    limit = E.stackTraceLimit;
    raise = typeof limit === "number" && limit < STACK_FRAMES;
    if (raise) E.stackTraceLimit = STACK_FRAMES;
    const stack: unknown = new Error(`task ${name} spawned here`).stack;
    return typeof stack === "string" ? stack : undefined;
  } catch {
    return undefined;
  } finally {
    if (raise) E.stackTraceLimit = limit;
  }
}

// The observer runs inside the scheduler, between task steps: it must never
// throw (the runner would have to abandon the run). Every label it makes
// from user values (task names, thrown values) is total; the hooks are
// also guarded, so that a bug here costs a report, not the program.
const recorder = {
  taskSpawned(task: object): void {
    const t = task as Task;
    if (captureStacks > 0) {
      const stack = spawnStack(t.name);
      if (stack !== undefined) stacks.set(t, stack);
    }
    membership++;
    push(events, { at: performance.now(), kind: "spawn", runId: t.runner.id, id: t.id, name: t.name });
    markDirty();
  },
  taskExited(task: object): void {
    const t = task as Task;
    membership++;
    // Task.cancel() ends a task normally (its own scope absorbs the Cancelled): still "cancelled" here.
    const own = t.ownScope;
    const byHand = t.outcomeOk && own !== null && own.cancelFlag;
    const cancelled = byHand || (!t.outcomeOk && isInstance(t.outcomeValue, Cancelled));
    const failed = !t.outcomeOk && !cancelled;
    const message = byHand ? own.cancelReason : cancelled ? quietValue(t.outcomeValue as object, "message") : undefined;
    push(events, {
      at: performance.now(),
      kind: failed ? "error" : "exit",
      runId: t.runner.id,
      id: t.id,
      name: t.name,
      outcome: failed ? "raised" : cancelled ? "cancelled" : "returned",
      ...(failed ? { detail: errorDetail(t.outcomeValue) } : typeof message === "string" && message !== "" ? { detail: message } : {}),
    });
    markDirty();
  },
  scopeCancelled(scope: object): void {
    const s = scope as CancelScope;
    push(events, {
      at: performance.now(),
      kind: "cancel",
      runId: s.runner?.id ?? 0,
      id: s.id,
      name: scopeName(s) ?? s.owner?.name ?? "scope",
      ...(s.cancelReason !== undefined ? { detail: s.cancelReason } : {}),
    });
    markDirty();
  },
  batch(runner: object, start: number, end: number, steps: number): void {
    const ran = takeBatchTasks(runner);
    push(batches, ran === undefined ? { runId: (runner as Runner).id, start, end, steps } : { runId: (runner as Runner).id, start, end, steps, ...ran });
    markDirty();
  },
};

let reportedFailure = false;
function observerFailed(hook: string, error: unknown): void {
  markDirty();
  if (reportedFailure) return;
  reportedFailure = true;
  console.error(`trio-asyncio inspector: recording ${hook} failed; the program goes on, the inspector may miss events.`, error);
}

const runtimeObserver: RuntimeObserver = {
  runStarted(runner) {
    batchTasksRunStarted(runner);
    markDirty();
  },
  runFinished(runner) {
    batchTasksRunFinished(runner);
    markDirty();
  },
  taskSpawned(task) {
    try {
      recorder.taskSpawned(task);
    } catch (error) {
      observerFailed("a task spawn", error);
    }
  },
  taskExited(task) {
    try {
      recorder.taskExited(task);
    } catch (error) {
      observerFailed("a task exit", error);
    }
  },
  scopeCancelled(scope) {
    try {
      recorder.scopeCancelled(scope);
    } catch (error) {
      observerFailed("a cancellation", error);
    }
  },
  batch(runner, start, end, steps) {
    try {
      recorder.batch(runner, start, end, steps);
    } catch (error) {
      observerFailed("a batch", error);
    }
  },
};

function markDirty(): void {
  dirty = true;
  scheduleFlushSafely();
}

/** scheduleFlush for the inspector's own callers, where a throwing scheduleFrame must not escape. */
function scheduleFlushSafely(): void {
  try {
    scheduleFlush();
  } catch (error) {
    frameSchedulerFailed(error);
  }
}

let reportedSchedulerFailure = false;
/**
 * A `scheduleFrame` that threw after subscribe accepted it: markDirty runs
 * inside the runtime's hooks and a worker's exit, where its error would
 * reach nobody who can act, so it is reported once and the inspector goes
 * on at the default pace rather than never flushing again.
 */
function frameSchedulerFailed(error: unknown): void {
  frameScheduler = null;
  if (!reportedSchedulerFailure) {
    reportedSchedulerFailure = true;
    console.error("trio-asyncio inspector: the scheduleFrame given to inspector.subscribe threw; updates go on at the default pace (one per animation frame).", error);
  }
  try {
    scheduleFlush();
  } catch {
    // The host's own frame or timer function failed too: the next change tries again.
  }
}

/**
 * describeError, reading the user's error quietly (see quietValue): the
 * hook runs inside the scheduler, where a `message` getter must not run.
 * Only `name` is read through its getter (its throw caught): the library's
 * own error classes define it as one, which keeps it through an app's minifier.
 */
function errorDetail(error: unknown): string {
  if (typeof error !== "object" || error === null) return describe(error);
  const className = quietClassName(error);
  if (!isError(error)) {
    // describe() names a revoked Proxy and an object with no prototype before it reads `constructor` (a getter, maybe).
    let proto: object | null = null;
    try {
      proto = Reflect.getPrototypeOf(error);
    } catch {
      // A revoked Proxy: proto stays null and describe() says which.
    }
    if (proto === null) return describe(error);
    // describe()'s last line, on the quietly read class name (sharing it would put a call into every core bundle).
    return className === undefined || className === "Object" ? "an object" : `${/^[AEIO]/i.test(className) ? "an" : "a"} ${className}`;
  }
  const name = readProperty(error, "name");
  const message = quietValue(error, "message");
  const shown = typeof name === "string" && name !== "" ? name : (className ?? "Error");
  return typeof message === "string" && message !== "" ? `${shown}: ${message}` : shown;
}

function defaultFrame(flush: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  if (typeof raf === "function") raf(flush);
  else setTimeout(flush, 16);
}

/** True while a flush runs: a scheduler that calls back at once must not start another inside it. */
let flushing = false;

function scheduleFlush(): void {
  if (flushScheduled || subscribers.size === 0) return;
  flushScheduled = true;
  const token = flushToken;
  const go = () => {
    if (token === flushToken) flush();
  };
  try {
    (frameScheduler ?? defaultFrame)(() => {
      // A scheduleFrame that runs the flush at once ((f) => f()) is called again from the end of
      // each flush while anything runs: inside a flush, wait for a frame instead of recursing.
      if (flushing) defaultFrame(go);
      else go();
    });
  } catch (error) {
    // Nothing was scheduled: a later change must be able to try again.
    flushScheduled = false;
    throw error;
  }
}

/** Structural equality of plain JSON-like data (records are small and flat). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * Differences between `records` and what was last sent, updating `last` in
 * place. An unchanged record costs one map lookup (cached records are the
 * same object as last time); removals are searched for only when some id
 * sent last time is missing.
 */
function diff<R extends { id: number }>(records: R[], last: Map<number, unknown>, ignore?: (r: R) => unknown): Changes<R> {
  const upserted: R[] = [];
  for (const r of records) {
    const key = ignore === undefined ? r : ignore(r);
    const prev = last.get(r.id);
    if (prev === undefined) {
      upserted.push(r);
      last.set(r.id, key);
      continue;
    }
    if (prev === key) continue;
    if (!same(prev, key)) upserted.push(r);
    last.set(r.id, key);
  }
  const removed: number[] = [];
  // `last` now holds every id sent before plus the new ones: more than
  // `records` means some id sent before is gone.
  if (last.size > records.length) {
    const ids = new Set<number>();
    for (const r of records) ids.add(r.id);
    for (const id of last.keys()) {
      if (!ids.has(id)) {
        removed.push(id);
        last.delete(id);
      }
    }
  }
  return { upserted, removed };
}

// Records of tasks and scopes whose inputs did not change are reused as is,
// so an unchanged task costs a few property reads and an identity check in
// `diff`, not a new record and a deep comparison. Labels (String(waitingOn))
// can change without the inputs changing, so the cache is dropped every second.
interface TaskCacheEntry {
  epoch: number;
  status: string;
  name: string;
  waitingOn: unknown;
  parkedAt: number;
  scope: CancelScope;
  deadline: number | undefined;
  nursery: object | null;
  record: TaskRecord;
}
interface ScopeCacheEntry {
  epoch: number;
  active: boolean;
  deadline: number;
  shield: boolean;
  cancelCalled: boolean;
  cancelled: boolean;
  reason: string | undefined;
  record: ScopeRecord;
}
let taskCache = new WeakMap<Task, TaskCacheEntry>();
let scopeCache = new WeakMap<CancelScope, ScopeCacheEntry>();
let cacheEpoch = 0;
// Bumped on every spawn and exit: until it moves, no nursery's children changed.
let membership = 0;
let nurseryCache = new WeakMap<object, { epoch: number; membership: number; record: NurseryRecord }>();
let cacheEpochStarted = -Infinity;
const CACHE_MS = 1000;

function cachedTaskRecord(t: Task, runner: Runner, n: Parameters<typeof taskRecord>[2]): TaskRecord {
  const c = taskCache.get(t);
  const status = t.status;
  const waitingOn = t.waitingOn as unknown;
  const deadline = t.extras?.sleepEntry?.deadline;
  if (
    c !== undefined &&
    c.epoch === cacheEpoch &&
    c.status === status &&
    c.waitingOn === waitingOn &&
    c.parkedAt === t.parkedAt &&
    c.scope === t.scope &&
    c.deadline === deadline &&
    c.nursery === n &&
    c.name === t.name
  ) {
    return c.record;
  }
  const record = taskRecord(t, runner, n);
  taskCache.set(t, { epoch: cacheEpoch, status, name: t.name, waitingOn, parkedAt: t.parkedAt, scope: t.scope, deadline, nursery: n, record });
  return record;
}

function cachedScopeRecord(sc: CancelScope, runner: Runner, now: number): ScopeRecord {
  const c = scopeCache.get(sc);
  const deadline = sc.deadline;
  if (
    c !== undefined &&
    c.epoch === cacheEpoch &&
    c.active === sc.active &&
    c.deadline === deadline &&
    c.shield === sc.shield &&
    c.cancelCalled === sc.cancelFlag &&
    c.cancelled === sc.effective &&
    c.reason === sc.cancelReason
  ) {
    return c.record;
  }
  const record = scopeRecord(sc, runner, now);
  record.timeLeft = null;
  scopeCache.set(sc, { epoch: cacheEpoch, active: sc.active, deadline, shield: sc.shield, cancelCalled: sc.cancelFlag, cancelled: sc.effective, reason: sc.cancelReason, record });
  return record;
}

function collect(): Omit<Snapshot, "takenAt"> {
  const runs: RunRecord[] = [];
  const tasks: TaskRecord[] = [];
  const nurseries: NurseryRecord[] = [];
  const scopes: ScopeRecord[] = [];
  for (const r of liveRuns) {
    const runner = r as Runner;
    const now = runner.clock.currentTime();
    // The countdown is recomputed by the panel from the deadline: leave the
    // clock out of what is diffed, or every scope would change every frame.
    const run = runRecord(runner);
    runs.push(run);
    walkRun(runner, {
      task: (t, n) => tasks.push(cachedTaskRecord(t, runner, n)),
      nursery: (n) => {
        const c = nurseryCache.get(n);
        if (c !== undefined && c.epoch === cacheEpoch && c.membership === membership) {
          nurseries.push(c.record);
          return;
        }
        const record = { id: n.cancelScope.id, runId: runner.id, parentTaskId: n.parentTask?.id ?? null, childTaskIds: [...n.childTasks].map((t) => t.id) };
        nurseryCache.set(n, { epoch: cacheEpoch, membership, record });
        nurseries.push(record);
      },
      scope: (sc) => scopes.push(cachedScopeRecord(sc, runner, now)),
    });
  }
  const loops: LoopRecord[] = [];
  const futures: FutureRecord[] = [];
  for (const l of liveLoops) {
    const loop = l as Parameters<typeof loopRecord>[0];
    loops.push(loopRecord(loop));
    for (const f of futureRecords(loop)) {
      f.age = 0; // derived from createdAt by the consumer
      futures.push(f);
    }
  }
  const state = { runs, tasks, nurseries, scopes, loops, futures };
  // Workers' runs, as their last updates left them (their records are kept objects: unchanged ones cost a lookup).
  for (const remote of liveRemotes) {
    remote.addTo(state);
    const taken = remote.takeEvents();
    for (const e of taken.events) push(events, e);
    for (const b of taken.batches) push(batches, b);
  }
  return state;
}

function flush(): void {
  flushing = true;
  try {
    flushOnce();
  } finally {
    flushing = false;
  }
}

function flushOnce(): void {
  flushScheduled = false;
  if (subscribers.size === 0) return;
  const now = performance.now();
  let newcomer = false;
  for (const sub of subscribers) if (sub.needsFull) newcomer = true;
  if (!dirty && !newcomer && now - lastCollect < REFRESH_MS) {
    if (liveRuns.size > 0 || liveLoops.size > 0 || liveRemotes.size > 0) scheduleFlushSafely();
    return;
  }
  dirty = false;
  lastCollect = now;
  if (now - cacheEpochStarted > CACHE_MS) {
    cacheEpoch++;
    cacheEpochStarted = now;
  }
  const state = collect();
  const r = diff(state.runs, lastRuns, (x) => ({ ...x, time: 0 }));
  const t = diff(state.tasks, lastTasks);
  const n = diff(state.nurseries, lastNurseries);
  const s = diff(state.scopes, lastScopes);
  const l = diff(state.loops, lastLoops);
  const f = diff(state.futures, lastFutures);
  const update: InspectorUpdate = {
    at: now,
    runs: r,
    tasks: t,
    nurseries: n,
    scopes: s,
    loops: l,
    futures: f,
    events,
    batches,
  };
  events = [];
  batches = [];
  const hasChanges =
    update.runs.upserted.length + update.runs.removed.length + update.tasks.upserted.length + update.tasks.removed.length +
      update.nurseries.upserted.length + update.nurseries.removed.length + update.scopes.upserted.length + update.scopes.removed.length +
      update.loops.upserted.length + update.loops.removed.length + update.futures.upserted.length + update.futures.removed.length +
      update.events.length + update.batches.length >
    0;
  let full: Snapshot | null = null;
  for (const sub of [...subscribers]) {
    if (!subscribers.has(sub)) continue;
    let payload = update;
    if (sub.needsFull) {
      sub.needsFull = false;
      // The walk just done is the snapshot: a second walk (inspect()) cost as much again, a third
      // of opening the panel beside 10,000 tasks. Its records are the ones updates carry (a
      // future's age and a scope's countdown are left for the consumer to derive, as in updates).
      full ??= { takenAt: now, ...state };
      payload = { ...update, full };
    } else if (!hasChanges) {
      continue;
    }
    try {
      sub.listener(payload);
    } catch (error) {
      // A broken tool must not break the page, nor silence other tools.
      console.error("trio-asyncio inspector: a subscriber threw; it stays subscribed.", error);
    }
  }
  // Keep the view live while anything runs: statuses change without events.
  if (liveRuns.size > 0 || liveLoops.size > 0 || liveRemotes.size > 0) scheduleFlushSafely();
}

/**
 * Listens for changes. The listener is called at most once per animation
 * frame; its first call carries `full`. Returns the unsubscribe function.
 */
export function subscribe(listener: Listener, options: SubscribeOptions = {}): () => void {
  if (typeof listener !== "function") throw new TypeError("subscribe(listener) needs a function that receives InspectorUpdate objects.");
  if (options === null || typeof options !== "object") {
    throw new TypeError(`subscribe(listener, options) takes an options object such as { captureStacks: true }, got ${describe(options)}.`);
  }
  checkReadable("subscribe(listener, options)", options);
  // Each option read once, and all checked before anything is registered.
  const { scheduleFrame, captureStacks: withStacks, batchTasks } = options;
  if (scheduleFrame !== undefined && typeof scheduleFrame !== "function") {
    throw new TypeError(`subscribe's scheduleFrame option must be a function (flush) => void that calls flush on the next frame, got ${describe(scheduleFrame)}.`);
  }
  for (const [name, value] of [["captureStacks", withStacks], ["batchTasks", batchTasks]] as const) checkOptionalBoolean(`subscribe's ${name} option`, value);
  const sub: Subscriber = { listener, needsFull: true };
  dirty = true;
  if (subscribers.size === 0) {
    observer.current = runtimeObserver;
    remoteHooks.changed = markDirty;
    lastCollect = -Infinity;
    taskCache = new WeakMap();
    scopeCache = new WeakMap();
    nurseryCache = new WeakMap();
    lastRuns = new Map();
    lastTasks = new Map();
    lastNurseries = new Map();
    lastScopes = new Map();
    lastLoops = new Map();
    lastFutures = new Map();
  }
  if (scheduleFrame !== undefined) frameScheduler = scheduleFrame;
  if (withStacks === true) captureStacks++;
  subscribers.add(sub);
  const stopBatchTasks = batchTasks === true ? askBatchTasks() : null;
  setWatching(true);
  let active = true;
  const unsubscribe = () => {
    if (!active) return;
    active = false;
    subscribers.delete(sub);
    if (withStacks === true) captureStacks--;
    stopBatchTasks?.();
    if (subscribers.size === 0) {
      observer.current = null;
      remoteHooks.changed = null;
      setWatching(false);
      flushScheduled = false;
      flushToken++;
      events = [];
      batches = [];
      frameScheduler = null;
    }
  };
  try {
    scheduleFlush();
  } catch (error) {
    // A scheduleFrame that throws: nothing stays subscribed, and the caller hears why.
    unsubscribe();
    throw error;
  }
  return unsubscribe;
}

/** The creation stack of a task spawned while stacks were captured, if any. */
export function creationStack(taskId: number): string | undefined {
  for (const r of liveRuns) {
    let found: string | undefined;
    walkRun(r as Runner, {
      task: (t) => {
        if (t.id === taskId) found = stacks.get(t);
      },
      nursery: () => {},
      scope: () => {},
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Number of listeners (for tests of the zero-cost promise). */
export function subscriberCount(): number {
  return subscribers.size;
}
