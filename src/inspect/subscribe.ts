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
 * `hooks.ts`): it records events, and marks the view dirty. When the last
 * listener leaves, the observer is detached and the runtime is back to
 * paying a single null check.
 */
import type { Runner } from "../core/runner.js";
import type { Task } from "../core/task.js";
import type { CancelScope } from "../core/cancel-scope.js";
import { liveLoops, liveRuns, observer, type RuntimeObserver } from "./hooks.js";
import {
  futureRecords,
  inspect,
  loopRecord,
  runRecord,
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
  detail?: string;
}

/** One scheduler batch: when it ran and how many task steps it took. */
export interface BatchRecord {
  runId: number;
  /** performance.now() in ms. */
  start: number;
  end: number;
  steps: number;
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
  /** Only in the first update a listener receives. */
  full?: Snapshot;
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
  captureStacks?: boolean;
  /** How to wait for the next frame (default: requestAnimationFrame, or a 16 ms timer). */
  scheduleFrame?: (flush: () => void) => void;
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
let frameScheduler: ((flush: () => void) => void) | null = null;
const MAX_BUFFERED = 10_000;

// What the listeners last saw, to send only differences.
let lastRuns = new Map<number, string>();
let lastTasks = new Map<number, string>();
let lastNurseries = new Map<number, string>();
let lastScopes = new Map<number, string>();
let lastLoops = new Map<number, string>();
let lastFutures = new Map<number, string>();

function push<T>(list: T[], item: T): void {
  if (list.length >= MAX_BUFFERED) list.shift();
  list.push(item);
}

const runtimeObserver: RuntimeObserver = {
  runStarted: () => scheduleFlush(),
  runFinished: () => scheduleFlush(),
  taskSpawned(task) {
    const t = task as Task;
    if (captureStacks > 0) stacks.set(t, new Error(`task ${t.name} spawned here`).stack ?? "");
    push(events, { at: performance.now(), kind: "spawn", runId: t.runner.id, id: t.id, name: t.name });
    scheduleFlush();
  },
  taskExited(task) {
    const t = task as Task;
    const failed = !t.outcomeOk && !isCancelled(t.outcomeValue);
    push(events, {
      at: performance.now(),
      kind: failed ? "error" : "exit",
      runId: t.runner.id,
      id: t.id,
      name: t.name,
      ...(failed ? { detail: describeError(t.outcomeValue) } : {}),
    });
    scheduleFlush();
  },
  scopeCancelled(scope) {
    const s = scope as CancelScope;
    push(events, {
      at: performance.now(),
      kind: "cancel",
      runId: s.runner?.id ?? 0,
      id: s.id,
      name: s.owner?.name ?? "scope",
      ...(s.cancelReason !== undefined ? { detail: s.cancelReason } : {}),
    });
    scheduleFlush();
  },
  batch(runner, start, end, steps) {
    push(batches, { runId: (runner as Runner).id, start, end, steps });
    scheduleFlush();
  },
};

function isCancelled(error: unknown): boolean {
  return error instanceof Error && error.name === "Cancelled";
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function defaultFrame(flush: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  if (typeof raf === "function") raf(flush);
  else setTimeout(flush, 16);
}

function scheduleFlush(): void {
  if (flushScheduled || subscribers.size === 0) return;
  flushScheduled = true;
  (frameScheduler ?? defaultFrame)(flush);
}

function diff<R extends { id: number }>(records: R[], last: Map<number, string>): { changes: Changes<R>; next: Map<number, string> } {
  const next = new Map<number, string>();
  const upserted: R[] = [];
  for (const r of records) {
    const key = JSON.stringify(r);
    next.set(r.id, key);
    if (last.get(r.id) !== key) upserted.push(r);
  }
  const removed: number[] = [];
  for (const id of last.keys()) if (!next.has(id)) removed.push(id);
  return { changes: { upserted, removed }, next };
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
      task: (t, n) => tasks.push(taskRecord(t, runner, n)),
      nursery: (n) => nurseries.push({ id: n.cancelScope.id, runId: runner.id, parentTaskId: n.parentTask?.id ?? null, childTaskIds: [...n.childTasks].map((t) => t.id) }),
      scope: (s) => {
        const rec = scopeRecord(s, runner, now);
        rec.timeLeft = null;
        scopes.push(rec);
      },
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
  return { runs, tasks, nurseries, scopes, loops, futures };
}

function flush(): void {
  flushScheduled = false;
  if (subscribers.size === 0) return;
  const now = performance.now();
  const state = collect();
  const r = diff(state.runs.map((x) => ({ ...x, time: 0 })), lastRuns);
  const t = diff(state.tasks, lastTasks);
  const n = diff(state.nurseries, lastNurseries);
  const s = diff(state.scopes, lastScopes);
  const l = diff(state.loops, lastLoops);
  const f = diff(state.futures, lastFutures);
  lastRuns = r.next;
  lastTasks = t.next;
  lastNurseries = n.next;
  lastScopes = s.next;
  lastLoops = l.next;
  lastFutures = f.next;
  const update: InspectorUpdate = {
    at: now,
    runs: { upserted: state.runs.filter((x) => r.changes.upserted.some((y) => y.id === x.id)), removed: r.changes.removed },
    tasks: t.changes,
    nurseries: n.changes,
    scopes: s.changes,
    loops: l.changes,
    futures: f.changes,
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
      full ??= inspect();
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
  if (liveRuns.size > 0 || liveLoops.size > 0) scheduleFlush();
}

/**
 * Listens for changes. The listener is called at most once per animation
 * frame; its first call carries `full`. Returns the unsubscribe function.
 */
export function subscribe(listener: Listener, options: SubscribeOptions = {}): () => void {
  if (typeof listener !== "function") throw new TypeError("subscribe(listener) needs a function that receives InspectorUpdate objects.");
  const sub: Subscriber = { listener, needsFull: true };
  if (subscribers.size === 0) {
    observer.current = runtimeObserver;
    lastRuns = new Map();
    lastTasks = new Map();
    lastNurseries = new Map();
    lastScopes = new Map();
    lastLoops = new Map();
    lastFutures = new Map();
  }
  if (options.scheduleFrame !== undefined) frameScheduler = options.scheduleFrame;
  if (options.captureStacks === true) captureStacks++;
  subscribers.add(sub);
  scheduleFlush();
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    subscribers.delete(sub);
    if (options.captureStacks === true) captureStacks--;
    if (subscribers.size === 0) {
      observer.current = null;
      flushScheduled = false;
      events = [];
      batches = [];
      frameScheduler = null;
    }
  };
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
