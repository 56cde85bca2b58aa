/**
 * Runs in other threads (Web Workers, `worker_threads`) as seen by this
 * thread's inspector: a mirror per worker, fed with the worker's own
 * inspector updates, whose records `inspect()` and `subscribe()` list
 * beside the local ones.
 *
 * Why it is built so: a worker's runtime has its own ids (its first task is
 * #1, as the page's is), so every id a mirror receives is given a fresh
 * negative id here, unique across mirrors and never equal to a local one;
 * tools keep keying records by id alone. A mirror's run names the page task
 * that hosts the worker (`RunRecord.hostTaskId`), so the panel can show the
 * worker's tasks under it. The worker sends updates only while somebody on
 * the page subscribes (`setWatching`), so an unwatched worker pays nothing;
 * `inspect()` without a subscriber sees the last state the mirror received.
 * Cancelling a mirrored task or scope posts the request to the worker, whose
 * own inspector carries it out there; this module never touches the
 * worker's objects.
 */
import type { CancelKind } from "./control.js";
import type { BatchRecord, InspectorUpdate, TimelineEvent } from "./subscribe.js";
import type { FutureRecord, LoopRecord, NurseryRecord, RunRecord, ScopeRecord, Snapshot, TaskRecord } from "./snapshot.js";

/** How a mirror talks back to its worker. */
export interface RemotePort {
  /** Asks the worker to send inspector updates (true) or to stop (false). */
  watch(on: boolean): void;
  /** Asks the worker to cancel its scope, task or asyncio Task `id` (the worker's own id). */
  cancel(kind: CancelKind, id: number, reason: string): void;
}

/** The mirrors of workers alive now. */
export const liveRemotes = new Set<RemoteRun>();

/** What a subscriber of this thread wants to hear: set by `subscribe` while it has listeners. */
export const remoteHooks: { changed: (() => void) | null; watching: boolean } = { changed: null, watching: false };

/** Tells every mirror whether this thread's inspector has listeners. */
export function setWatching(on: boolean): void {
  if (remoteHooks.watching === on) return;
  remoteHooks.watching = on;
  for (const remote of liveRemotes) remote.watch(on);
}

// One counter for every mirror and kind of record: ids stay unique page-wide.
let nextRemoteId = -1;

/** Translation of one worker's ids of one kind of record into page ids. */
class IdMap {
  private readonly ids = new Map<number, number>();
  /** Page id of remote `id`, made on first sight. */
  to(id: number): number {
    let mapped = this.ids.get(id);
    if (mapped === undefined) {
      mapped = nextRemoteId--;
      this.ids.set(id, mapped);
    }
    return mapped;
  }
  /** Like `to`, for optional links. */
  toNullable(id: number | null): number | null {
    return id === null ? null : this.to(id);
  }
  /** The remote id of page id `mapped`, if this map gave it. */
  from(mapped: number): number | undefined {
    for (const [remote, local] of this.ids) if (local === mapped) return remote;
    return undefined;
  }
  /** The page id of remote `id`, without making one. */
  peek(id: number): number | undefined {
    return this.ids.get(id);
  }
  /** Forgets remote `id` (its record is gone); returns the page id it had. */
  drop(id: number): number | undefined {
    const mapped = this.ids.get(id);
    this.ids.delete(id);
    return mapped;
  }
}

type Kind = "runs" | "tasks" | "nurseries" | "scopes" | "loops" | "futures";
const KINDS: readonly Kind[] = ["runs", "tasks", "nurseries", "scopes", "loops", "futures"];

/** Records to add or replace, one array per kind: a full snapshot's, or an update's upserts. */
type RecordLists = Pick<Snapshot, Kind>;

/** A worker's run as this thread's inspector lists it. */
export class RemoteRun {
  readonly runs = new Map<number, RunRecord>();
  readonly tasks = new Map<number, TaskRecord>();
  readonly nurseries = new Map<number, NurseryRecord>();
  readonly scopes = new Map<number, ScopeRecord>();
  readonly loops = new Map<number, LoopRecord>();
  readonly futures = new Map<number, FutureRecord>();
  private events: TimelineEvent[] = [];
  private batches: BatchRecord[] = [];
  private readonly runIds = new IdMap();
  private readonly taskIds = new IdMap();
  // Nurseries are named by their cancel scope's id, as locally.
  private readonly scopeIds = new IdMap();
  private readonly loopIds = new IdMap();
  private readonly futureIds = new IdMap();
  private disposed = false;

  /**
   * @param label the worker's name, shown on its run
   * @param hostTaskId the page task that opened the worker (null if none)
   */
  constructor(
    readonly label: string,
    readonly hostTaskId: number | null,
    private readonly port: RemotePort,
  ) {
    liveRemotes.add(this);
    if (remoteHooks.watching) port.watch(true);
  }

  /** @internal */
  watch(on: boolean): void {
    if (!this.disposed) this.port.watch(on);
  }

  /**
   * Applies one of the worker's inspector updates. `timeOffset` is added to
   * its times (performance.now() there) to make them this thread's: the
   * worker's `performance.timeOrigin` minus this thread's.
   */
  apply(update: InspectorUpdate, timeOffset: number): void {
    if (this.disposed) return;
    if (update.full !== undefined) {
      for (const kind of KINDS) this[kind].clear();
      this.upsertAll(update.full);
    }
    this.upsertAll({
      runs: update.runs.upserted,
      tasks: update.tasks.upserted,
      nurseries: update.nurseries.upserted,
      scopes: update.scopes.upserted,
      loops: update.loops.upserted,
      futures: update.futures.upserted,
    });
    // Events before removals: an exit event names a task this update removes.
    const ended: number[] = [];
    for (const e of update.events) {
      const ids = e.kind === "cancel" ? this.scopeIds : this.taskIds;
      this.events.push({ ...e, at: e.at + timeOffset, runId: this.runIds.to(e.runId), id: ids.to(e.id) });
      if (e.kind === "exit" || e.kind === "error") ended.push(e.id);
    }
    for (const b of update.batches) this.batches.push({ ...b, runId: this.runIds.to(b.runId), start: b.start + timeOffset, end: b.end + timeOffset });
    // A nursery's id is its scope's: only the scope's removal forgets it.
    this.remove("nurseries", update.nurseries.removed, this.scopeIds, false);
    this.remove("runs", update.runs.removed, this.runIds, true);
    this.remove("tasks", update.tasks.removed, this.taskIds, true);
    this.remove("scopes", update.scopes.removed, this.scopeIds, true);
    this.remove("loops", update.loops.removed, this.loopIds, true);
    this.remove("futures", update.futures.removed, this.futureIds, true);
    // A task that came and went between two updates has an id only for its events.
    for (const id of ended) {
      const mapped = this.taskIds.peek(id);
      if (mapped !== undefined && !this.tasks.has(mapped)) this.taskIds.drop(id);
    }
    // Bounded while nobody drains them (the panel closed between two updates).
    if (this.events.length > 10_000) this.events.splice(0, this.events.length - 5_000);
    if (this.batches.length > 10_000) this.batches.splice(0, this.batches.length - 5_000);
    remoteHooks.changed?.();
  }

  /** Timeline events and batches received since the last call. */
  takeEvents(): { events: TimelineEvent[]; batches: BatchRecord[] } {
    const taken = { events: this.events, batches: this.batches };
    this.events = [];
    this.batches = [];
    return taken;
  }

  /** The worker's scope, task or asyncio Task behind page id `id`, if this mirror has it. */
  owns(kind: CancelKind, id: number): boolean {
    return this.cancellable(kind).records.has(id);
  }

  /** Asks the worker to cancel the scope, task or asyncio Task behind page id `id`. */
  cancel(kind: CancelKind, id: number, reason: string): boolean {
    const { records, ids } = this.cancellable(kind);
    if (this.disposed || !records.has(id)) return false;
    const remoteId = ids.from(id);
    if (remoteId === undefined) return false;
    this.port.cancel(kind, remoteId, reason);
    return true;
  }

  /** The worker has exited: its records leave the inspector. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    liveRemotes.delete(this);
    for (const kind of KINDS) this[kind].clear();
    this.events = [];
    this.batches = [];
    remoteHooks.changed?.();
  }

  /** Adds this mirror's records to a snapshot. */
  addTo(snapshot: Omit<Snapshot, "takenAt">): void {
    snapshot.runs.push(...this.runs.values());
    snapshot.tasks.push(...this.tasks.values());
    snapshot.nurseries.push(...this.nurseries.values());
    snapshot.scopes.push(...this.scopes.values());
    snapshot.loops.push(...this.loops.values());
    snapshot.futures.push(...this.futures.values());
  }

  /** The records and id map of what a tool may cancel, by kind. */
  private cancellable(kind: CancelKind): { records: Map<number, unknown>; ids: IdMap } {
    if (kind === "scope") return { records: this.scopes, ids: this.scopeIds };
    if (kind === "task") return { records: this.tasks, ids: this.taskIds };
    return { records: this.futures, ids: this.futureIds };
  }

  private upsertAll(lists: RecordLists): void {
    this.upsert("runs", lists.runs, (r) => this.runRecord(r));
    this.upsert("tasks", lists.tasks, (t) => this.taskRecord(t));
    this.upsert("nurseries", lists.nurseries, (n) => this.nurseryRecord(n));
    this.upsert("scopes", lists.scopes, (s) => this.scopeRecord(s));
    this.upsert("loops", lists.loops, (l) => this.loopRecord(l));
    this.upsert("futures", lists.futures, (f) => this.futureRecord(f));
  }

  private upsert<R extends { id: number }>(kind: Kind, upserted: readonly R[], map: (r: R) => R): void {
    const records = this[kind] as unknown as Map<number, R>;
    for (const r of upserted) {
      const mapped = map(r);
      records.set(mapped.id, mapped);
    }
  }

  private remove(kind: Kind, removed: readonly number[], ids: IdMap, forget: boolean): void {
    const records = this[kind] as unknown as Map<number, unknown>;
    for (const id of removed) {
      const mapped = forget ? ids.drop(id) : ids.peek(id);
      if (mapped !== undefined) records.delete(mapped);
    }
  }

  private runRecord(r: RunRecord): RunRecord {
    return { ...r, id: this.runIds.to(r.id), name: `${this.label}: ${r.name}`, mainTaskId: this.taskIds.toNullable(r.mainTaskId), hostTaskId: this.hostTaskId, worker: this.label };
  }

  private taskRecord(t: TaskRecord): TaskRecord {
    const waitingOn = t.waitingOn === null || t.waitingOn.futureId === undefined ? t.waitingOn : { ...t.waitingOn, futureId: this.futureIds.to(t.waitingOn.futureId) };
    return {
      ...t,
      id: this.taskIds.to(t.id),
      runId: this.runIds.to(t.runId),
      nurseryId: this.scopeIds.toNullable(t.nurseryId),
      parentTaskId: this.taskIds.toNullable(t.parentTaskId),
      scopeIds: t.scopeIds.map((id) => this.scopeIds.to(id)),
      waitingOn,
    };
  }

  private nurseryRecord(n: NurseryRecord): NurseryRecord {
    return {
      ...n,
      id: this.scopeIds.to(n.id),
      runId: this.runIds.to(n.runId),
      parentTaskId: this.taskIds.toNullable(n.parentTaskId),
      childTaskIds: n.childTaskIds.map((id) => this.taskIds.to(id)),
    };
  }

  private scopeRecord(s: ScopeRecord): ScopeRecord {
    return {
      ...s,
      id: this.scopeIds.to(s.id),
      runId: this.runIds.to(s.runId),
      parentId: this.scopeIds.toNullable(s.parentId),
      ownerTaskId: this.taskIds.toNullable(s.ownerTaskId),
    };
  }

  private loopRecord(l: LoopRecord): LoopRecord {
    return { ...l, id: this.loopIds.to(l.id), runId: this.runIds.to(l.runId), hostTaskId: this.taskIds.toNullable(l.hostTaskId) };
  }

  private futureRecord(f: FutureRecord): FutureRecord {
    return { ...f, id: this.futureIds.to(f.id), loopId: this.loopIds.to(f.loopId), waitingOnFutureId: this.futureIds.toNullable(f.waitingOnFutureId) };
  }
}

/** The mirror that holds page id `id` of this kind, if any (ids below 0 only). */
export function remoteOwning(kind: CancelKind, id: number): RemoteRun | undefined {
  if (id >= 0) return undefined;
  for (const remote of liveRemotes) if (remote.owns(kind, id)) return remote;
  return undefined;
}
