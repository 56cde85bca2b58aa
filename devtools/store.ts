/**
 * The panel's model: the inspector's flat records kept in maps, updated from
 * the diff feed, plus what only the panel knows (which tasks exited with
 * an error, the recorded timeline). How long a task has been blocked comes
 * from the runtime (`TaskRecord.blockedSince`, stamped when it parks), not
 * from sampling: a task that wakes and parks again between two samples
 * starts over.
 *
 * It is plain TypeScript with no DOM, so it can be tested alone, and it
 * counts two versions: `structure` (the set of rows changed: something was
 * added or removed) and `version` (anything changed). The tree rebuilds its
 * rows only when the structure changed, so a frame in which 10,000 tasks
 * merely change status costs a map update per task, not a new row list.
 */
import type { inspector } from "../src/index.js";
import { emptyTimeline, type TimelineData } from "./timeline-data.js";

/** How the panel classifies a task. */
export type TaskState = "running" | "runnable" | "blocked" | "cancelled" | "errored" | "done";

/** A task that exited with an error, kept so it can still be found and read. */
export interface ErroredTask {
  record: inspector.TaskRecord;
  /** The error, as the inspector described it. */
  detail: string;
  /** performance.now() in ms when it exited. */
  at: number;
}

/** A task that has exited, kept (the last `MAX_EXITED`) so its last state can still be read. */
export interface ExitedTask {
  /** Its last record before it exited. */
  record: inspector.TaskRecord;
  outcome: "returned" | "raised" | "cancelled";
  /** The error (raised), or the Cancelled message (cancelled). */
  detail: string | null;
  /** For a cancelled task: the innermost scope around it whose cancel was called, as last seen (with its name, if it has one). */
  cancelledBy: { scopeId: number; nursery: boolean; root: boolean; reason: string | null; name?: string | null } | null;
  /** performance.now() in ms when it exited. */
  at: number;
}

/** Where a run's clock stood at a known moment, to extrapolate from. */
interface ClockReading {
  time: number;
  at: number;
  finished: boolean;
}

const MAX_ERRORED = 500;
/** Exited tasks kept for the history (oldest dropped first). */
export const MAX_EXITED = 200;
const MAX_TIMELINE = 50_000;
/** Updates held while frozen before they are dropped for a resync (a minute and a half at ten a second, and then some). */
const MAX_HELD = 2_000;

type Listener = () => void;

/** The panel's state, fed by inspector updates. */
export class PanelStore {
  readonly runs = new Map<number, inspector.RunRecord>();
  readonly tasks = new Map<number, inspector.TaskRecord>();
  readonly nurseries = new Map<number, inspector.NurseryRecord>();
  readonly scopes = new Map<number, inspector.ScopeRecord>();
  readonly loops = new Map<number, inspector.LoopRecord>();
  readonly futures = new Map<number, inspector.FutureRecord>();
  /** Tasks that exited with an error, by id, oldest first. */
  readonly errored = new Map<number, ErroredTask>();
  /** The last `MAX_EXITED` tasks that exited (any outcome), by id, oldest first. */
  readonly exited = new Map<number, ExitedTask>();
  /** The recorded timeline (live), see `recording`. */
  live: TimelineData = emptyTimeline();
  /** A timeline loaded by import, shown instead of the live one while set. */
  imported: TimelineData | null = null;
  /** Whether events and batches are appended to `live`. */
  recording = true;
  /**
   * performance.now() when the panel was frozen, or null when live. While
   * frozen, updates are held back (not applied), so the tree, the detail
   * pane and the timeline stand still; `setFrozen(false)` applies them in
   * order.
   */
  frozenAt: number | null = null;
  /**
   * Set when more than `MAX_HELD` updates came in while frozen: they were
   * dropped, and the panel must resubscribe for a fresh full snapshot.
   */
  needsResync = false;
  private held: inspector.InspectorUpdate[] = [];
  /** Bumped when records are added or removed. */
  structure = 0;
  /** Bumped on every change. */
  version = 0;
  private readonly clocks = new Map<number, ClockReading>();
  private readonly listeners = new Set<Listener>();

  /** Calls `listener` after every applied update; returns the unsubscribe function. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Applies one inspector update (the first carries `full`); holds it back while frozen. */
  apply(update: inspector.InspectorUpdate): void {
    if (this.frozenAt !== null) {
      if (update.full !== undefined) {
        this.held = [];
        this.needsResync = false;
      }
      if (this.needsResync) return;
      this.held.push(update);
      if (this.held.length > MAX_HELD) {
        this.held = [];
        this.needsResync = true;
      }
      // The view shows how much is held; nothing else changed.
      for (const l of [...this.listeners]) l();
      return;
    }
    this.applyNow(update);
  }

  /** Freezes (the view stops changing, updates are held) or unfreezes (held updates are applied). */
  setFrozen(on: boolean, nowMs: number): void {
    if (on === (this.frozenAt !== null)) return;
    if (on) {
      this.frozenAt = nowMs;
      this.changed();
      return;
    }
    this.frozenAt = null;
    const held = this.held;
    this.held = [];
    for (const u of held) this.applyNow(u);
    this.changed();
  }

  /** Number of updates held back while frozen. */
  get heldCount(): number {
    return this.held.length;
  }

  private applyNow(update: inspector.InspectorUpdate): void {
    let structural = false;
    if (update.full !== undefined) {
      this.load(update.full);
      structural = true;
    }
    // Errors first: the exited task's last record is still in the map.
    for (const e of update.events) {
      if (e.kind !== "error") continue;
      const record = this.tasks.get(e.id) ?? fallbackRecord(e);
      this.errored.set(e.id, { record, detail: e.detail ?? "error", at: e.at });
      structural = true;
      if (this.errored.size > MAX_ERRORED) this.errored.delete(this.errored.keys().next().value as number);
    }
    // A scope cancelled in the same update as the exits it caused is not yet
    // upserted as cancelled (and may be gone already): its cancel event says so.
    let cancelledNow: Map<number, string | null> | null = null;
    for (const e of update.events) if (e.kind === "cancel") (cancelledNow ??= new Map()).set(e.id, e.detail ?? null);
    for (const e of update.events) {
      if (e.kind !== "exit" && e.kind !== "error") continue;
      this.noteExit(e, cancelledNow);
      structural = true;
    }
    // A full snapshot is the state as of this update: its changes are in it already (upserting
    // them again cost 10,000 map writes when the panel opens beside 10,000 tasks).
    if (update.full === undefined) {
      structural = upsert(this.runs, update.runs) || structural;
      for (const r of update.runs.upserted) this.clocks.set(r.id, { time: r.time, at: update.at, finished: r.finished });
      for (const id of update.runs.removed) this.clocks.delete(id);
      structural = upsert(this.tasks, update.tasks) || structural;
      structural = upsert(this.nurseries, update.nurseries) || structural;
      upsert(this.scopes, update.scopes);
      structural = upsert(this.loops, update.loops) || structural;
      structural = upsert(this.futures, update.futures) || structural;
    }
    if (this.recording) {
      appendCapped(this.live.events, update.events);
      appendCapped(this.live.batches, update.batches);
    }
    if (structural) this.structure++;
    this.version++;
    for (const l of [...this.listeners]) l();
  }

  /** Forgets the tasks that exited with errors (and the history of exited tasks). */
  clearErrors(): void {
    if (this.errored.size === 0 && this.exited.size === 0) return;
    this.errored.clear();
    this.exited.clear();
    this.structure++;
    this.changed();
  }

  /** Empties the live timeline. */
  clearTimeline(): void {
    this.live = emptyTimeline();
    this.changed();
  }

  /** Starts or stops recording the live timeline. */
  setRecording(on: boolean): void {
    this.recording = on;
    this.changed();
  }

  /** Shows an imported timeline (null goes back to the live one). */
  setImported(data: TimelineData | null): void {
    this.imported = data;
    this.changed();
  }

  /** The timeline on show: the imported one if any, else the live one. */
  timeline(): TimelineData {
    return this.imported ?? this.live;
  }

  /** The run's clock now (seconds), extrapolated from the last reading at `nowMs` (performance.now()). */
  runTime(runId: number, nowMs: number): number | undefined {
    const c = this.clocks.get(runId);
    if (c === undefined) return undefined;
    return c.finished ? c.time : c.time + Math.max(0, nowMs - c.at) / 1000;
  }

  /** The last record of a task, live or exited (null if unknown or dropped from the history). */
  lastRecord(taskId: number): inspector.TaskRecord | null {
    return this.tasks.get(taskId) ?? this.errored.get(taskId)?.record ?? this.exited.get(taskId)?.record ?? null;
  }

  /** How the panel classifies a task (see `TaskState`). */
  stateOf(task: inspector.TaskRecord): TaskState {
    if (!this.tasks.has(task.id)) {
      if (this.errored.has(task.id) || this.exited.get(task.id)?.outcome === "raised") return "errored";
      if (this.exited.has(task.id)) return "done";
    }
    // In a cancelled scope: cancellation reaches it, or it is cleaning up
    // (e.g. in a shielded `finally`) inside a scope whose cancel was called.
    for (const sid of task.scopeIds) {
      const scope = this.scopes.get(sid);
      if (scope !== undefined && (scope.cancelled || scope.cancelCalled)) return "cancelled";
    }
    return task.status;
  }

  /**
   * How long (ms) the task has been blocked at `nowMs` (performance.now()),
   * or null if it is not: the run's clock now (extrapolated) minus when the
   * runtime says it last parked.
   */
  blockedFor(taskId: number, nowMs: number): number | null {
    const t = this.tasks.get(taskId);
    if (t === undefined || t.status !== "blocked" || t.blockedSince === null) return null;
    const time = this.runTime(t.runId, nowMs);
    return time === undefined ? null : Math.max(0, (time - t.blockedSince) * 1000);
  }

  /**
   * True if the task counts as stuck: blocked at least `thresholdMs` on
   * something other than its own children (a task waiting for its nursery
   * is where it should be; its children are what to look at).
   */
  blockedTooLong(taskId: number, nowMs: number, thresholdMs: number): boolean {
    const t = this.tasks.get(taskId);
    if (t === undefined || t.waitingOn?.kind === "nursery") return false;
    const blocked = this.blockedFor(taskId, nowMs);
    return blocked !== null && blocked >= thresholdMs;
  }

  /**
   * The live tasks a task hosts: those in the nurseries it opened, at any
   * depth, plus the asyncio Tasks of loops it runs. Cancelling the task
   * cancels them all. Walks the store: call it on a click, not per frame.
   */
  hostedCount(taskId: number): number {
    const byParent = new Map<number, number[]>();
    for (const n of this.nurseries.values()) {
      if (n.parentTaskId === null) continue;
      const list = byParent.get(n.parentTaskId);
      if (list === undefined) byParent.set(n.parentTaskId, [...n.childTaskIds]);
      else list.push(...n.childTaskIds);
    }
    const loopsByHost = new Map<number, number[]>();
    for (const l of this.loops.values()) if (l.hostTaskId !== null) loopsByHost.set(l.hostTaskId, [...(loopsByHost.get(l.hostTaskId) ?? []), l.id]);
    let count = 0;
    const seen = new Set<number>([taskId]);
    const stack = [taskId];
    while (stack.length > 0) {
      const id = stack.pop()!;
      for (const loopId of loopsByHost.get(id) ?? []) for (const f of this.futures.values()) if (f.loopId === loopId && f.kind === "Task") count++;
      for (const child of byParent.get(id) ?? []) {
        if (seen.has(child) || !this.tasks.has(child)) continue;
        seen.add(child);
        count++;
        stack.push(child);
      }
    }
    return count;
  }

  /** The live tasks inside a scope (its id among their `scopeIds`): those a cancel of it reaches. */
  tasksInScope(scopeId: number): number {
    let count = 0;
    for (const t of this.tasks.values()) if (t.scopeIds.includes(scopeId)) count++;
    return count;
  }

  private noteExit(e: inspector.TimelineEvent, cancelledNow: Map<number, string | null> | null): void {
    const record = this.tasks.get(e.id) ?? fallbackRecord(e);
    const outcome = e.outcome ?? (e.kind === "error" ? "raised" : "returned");
    let cancelledBy: ExitedTask["cancelledBy"] = null;
    if (outcome === "cancelled") {
      for (const sid of record.scopeIds) {
        const scope = this.scopes.get(sid);
        const now = cancelledNow?.get(sid);
        if (scope === undefined || (!scope.cancelCalled && now === undefined)) continue;
        const reason = scope.cancelCalled ? scope.cancelReason : (now ?? null);
        cancelledBy = { scopeId: sid, nursery: scope.nursery, root: scope.parentId === null, reason, name: scope.name ?? null };
        break;
      }
    }
    // Its last record says how it stood, not "blocked" for ever.
    const last = { ...record, status: "done" as const, waitingOn: null, blockedSince: null };
    this.exited.delete(e.id);
    this.exited.set(e.id, { record: last, outcome, detail: e.detail ?? null, cancelledBy, at: e.at });
    if (this.exited.size > MAX_EXITED) this.exited.delete(this.exited.keys().next().value as number);
  }

  private load(full: inspector.Snapshot): void {
    this.runs.clear();
    this.tasks.clear();
    this.nurseries.clear();
    this.scopes.clear();
    this.loops.clear();
    this.futures.clear();
    this.clocks.clear();
    for (const r of full.runs) {
      this.runs.set(r.id, r);
      this.clocks.set(r.id, { time: r.time, at: full.takenAt, finished: r.finished });
    }
    for (const t of full.tasks) this.tasks.set(t.id, t);
    for (const n of full.nurseries) this.nurseries.set(n.id, n);
    for (const s of full.scopes) this.scopes.set(s.id, s);
    for (const l of full.loops) this.loops.set(l.id, l);
    for (const f of full.futures) this.futures.set(f.id, f);
  }

  private changed(): void {
    this.version++;
    for (const l of [...this.listeners]) l();
  }
}

function upsert<R extends { id: number }>(map: Map<number, R>, changes: inspector.Changes<R>): boolean {
  let structural = changes.removed.length > 0;
  for (const r of changes.upserted) {
    if (!structural && !map.has(r.id)) structural = true;
    map.set(r.id, r);
  }
  for (const id of changes.removed) map.delete(id);
  return structural;
}

function appendCapped<T>(list: T[], items: readonly T[]): void {
  for (const item of items) list.push(item);
  // Drop the oldest quarter at once, so a full timeline is not shifted on every update.
  if (list.length > MAX_TIMELINE) list.splice(0, list.length - Math.floor(MAX_TIMELINE * 0.75));
}

function fallbackRecord(e: inspector.TimelineEvent): inspector.TaskRecord {
  return { id: e.id, runId: e.runId, name: e.name, status: "done", system: false, nurseryId: null, parentTaskId: null, scopeIds: [], waitingOn: null, blockedSince: null };
}
