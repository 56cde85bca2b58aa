/**
 * Turns the store's flat records into the rows the tree shows:
 * runs → tasks → nurseries → tasks, with each asyncio loop under the Trio
 * task that hosts it (and the loop's asyncio Tasks under the loop), each
 * worker's run under the task that opened the worker, and
 * tasks that exited with an error kept where they were.
 *
 * The bindings' own wrapper tasks (a component nursery's host, the
 * runtime's main task: `TaskRecord.internal`) and the nurseries they open
 * are folded away unless asked for: their children take their place, as
 * React DevTools' component filters hide wrapper components.
 *
 * Rows are flat (a level each) because the view is virtualised: it renders
 * a window of this array. A row names its record by kind and id only, so
 * a status change does not need new rows; only the filters look at status,
 * and when they are on, rows are rebuilt with each update.
 */
import type { inspector } from "../src/index.js";
import type { PanelStore, TaskState } from "./store.js";

/** What a row shows. */
export type RowKind = "run" | "task" | "nursery" | "loop" | "aiotask";

/** One line of the tree. */
export interface Row {
  /** Unique and stable across updates, e.g. "task:12". */
  key: string;
  kind: RowKind;
  id: number;
  /** 1 for runs (aria-level). */
  level: number;
  /** The parent row's key, or null at the top. */
  parent: string | null;
  hasChildren: boolean;
  expanded: boolean;
  /** False when the row is shown only because something inside matches the filter. */
  match: boolean;
}

/** Which tasks to show. An empty `states` set means all. */
export interface TreeFilter {
  /** Case-insensitive substring of the name, or "#12" for an id. */
  search: string;
  states: ReadonlySet<FilterState>;
}

/** The filter buttons: running/runnable go together. */
export type FilterState = "running" | "blocked" | "cancelled" | "errored" | "exited";

/** The filter state a task state counts as. */
export function filterStateOf(state: TaskState): FilterState | null {
  if (state === "running" || state === "runnable") return "running";
  if (state === "done") return "exited";
  return state;
}

interface Node {
  key: string;
  kind: RowKind;
  id: number;
  children: Node[];
}

function byId(a: { id: number }, b: { id: number }): number {
  return a.id - b.id;
}

/** Builds the nesting from the store's records. */
function buildForest(store: PanelStore): Node[] {
  const taskNode = new Map<number, Node>();
  const nurseryNode = new Map<number, Node>();
  const runNode = new Map<number, Node>();
  const roots: Node[] = [];
  for (const r of [...store.runs.values()].sort(byId)) {
    const node: Node = { key: `run:${r.id}`, kind: "run", id: r.id, children: [] };
    runNode.set(r.id, node);
    roots.push(node);
  }
  const tasks = [...store.tasks.values()].sort(byId);
  for (const t of tasks) taskNode.set(t.id, { key: `task:${t.id}`, kind: "task", id: t.id, children: [] });
  // Exited tasks (errored, and the recent history) stay where they were.
  const gone = new Map<number, inspector.TaskRecord>();
  for (const e of store.exited.values()) if (!store.tasks.has(e.record.id)) gone.set(e.record.id, e.record);
  for (const e of store.errored.values()) if (!store.tasks.has(e.record.id)) gone.set(e.record.id, e.record);
  const errored = [...gone.values()].sort(byId).map((record) => ({ record }));
  for (const e of errored) taskNode.set(e.record.id, { key: `task:${e.record.id}`, kind: "task", id: e.record.id, children: [] });
  for (const n of [...store.nurseries.values()].sort(byId)) {
    const node: Node = { key: `nursery:${n.id}`, kind: "nursery", id: n.id, children: [] };
    nurseryNode.set(n.id, node);
    const owner = n.parentTaskId === null ? undefined : taskNode.get(n.parentTaskId);
    if (owner !== undefined) owner.children.push(node);
    else (runNode.get(n.runId)?.children ?? roots).push(node);
  }
  const place = (t: inspector.TaskRecord) => {
    const node = taskNode.get(t.id)!;
    const nursery = t.nurseryId === null ? undefined : nurseryNode.get(t.nurseryId);
    if (nursery !== undefined) nursery.children.push(node);
    else (runNode.get(t.runId)?.children ?? roots).push(node);
  };
  // The main task first under its run, then system tasks.
  for (const t of tasks) if (t.nurseryId === null || !nurseryNode.has(t.nurseryId)) if (!t.system) place(t);
  for (const t of tasks) if (t.nurseryId === null || !nurseryNode.has(t.nurseryId)) if (t.system) place(t);
  for (const t of tasks) if (t.nurseryId !== null && nurseryNode.has(t.nurseryId)) place(t);
  for (const e of errored) place(e.record);
  const loopNode = new Map<number, Node>();
  for (const l of [...store.loops.values()].sort(byId)) {
    const node: Node = { key: `loop:${l.id}`, kind: "loop", id: l.id, children: [] };
    loopNode.set(l.id, node);
    const host = l.hostTaskId === null ? undefined : taskNode.get(l.hostTaskId);
    if (host !== undefined) host.children.unshift(node);
    else (runNode.get(l.runId)?.children ?? roots).push(node);
  }
  for (const f of [...store.futures.values()].sort(byId)) {
    if (f.kind !== "Task") continue;
    loopNode.get(f.loopId)?.children.push({ key: `aiotask:${f.id}`, kind: "aiotask", id: f.id, children: [] });
  }
  // A worker's run sits under the task that opened the worker, first, as a loop does.
  for (const r of [...store.runs.values()].sort(byId)) {
    const host = r.hostTaskId === undefined || r.hostTaskId === null ? undefined : taskNode.get(r.hostTaskId);
    if (host === undefined) continue;
    const node = runNode.get(r.id)!;
    roots.splice(roots.indexOf(node), 1);
    host.children.unshift(node);
  }
  return roots;
}

/** True for a row that is one of the bindings' wrappers: an internal task, or a nursery such a task opened. */
export function isInternalRow(store: PanelStore, kind: RowKind, id: number): boolean {
  if (kind === "task") return store.lastRecord(id)?.internal !== undefined;
  if (kind === "nursery") {
    const owner = store.nurseries.get(id)?.parentTaskId;
    return owner !== undefined && owner !== null && store.lastRecord(owner)?.internal !== undefined;
  }
  return false;
}

/** Replaces wrapper nodes by their children, everywhere in the forest (without recursion: trees can be deep). */
function foldInternals(store: PanelStore, forest: Node[]): { forest: Node[]; hidden: number } {
  let hidden = 0;
  const unwrap = (nodes: Node[]): Node[] => {
    if (!nodes.some((n) => isInternalRow(store, n.kind, n.id))) return nodes;
    const out: Node[] = [];
    const pending = [...nodes].reverse();
    while (pending.length > 0) {
      const n = pending.pop()!;
      if (!isInternalRow(store, n.kind, n.id)) {
        out.push(n);
        continue;
      }
      hidden++;
      for (let i = n.children.length - 1; i >= 0; i--) pending.push(n.children[i]!);
    }
    return out;
  };
  const top = unwrap(forest);
  const stack = [...top];
  while (stack.length > 0) {
    const n = stack.pop()!;
    n.children = unwrap(n.children);
    for (const c of n.children) stack.push(c);
  }
  return { forest: top, hidden };
}

/** The display name of a row's record. */
export function rowName(store: PanelStore, kind: RowKind, id: number): string {
  switch (kind) {
    case "run":
      return store.runs.get(id)?.name ?? `run ${id}`;
    case "task":
      return store.lastRecord(id)?.name ?? `task ${id}`;
    case "nursery":
      return `nursery #${id}`;
    case "loop":
      return `EventLoop #${id}`;
    case "aiotask":
      return store.futures.get(id)?.name ?? `Task #${id}`;
  }
}

/** The state of a task row (null for other rows). */
export function rowTaskState(store: PanelStore, kind: RowKind, id: number): TaskState | null {
  if (kind !== "task") return null;
  const rec = store.lastRecord(id);
  return rec === null ? null : store.stateOf(rec);
}

function matches(store: PanelStore, node: Node, filter: TreeFilter, search: string): boolean {
  if (node.kind !== "task" && node.kind !== "aiotask") return false;
  if (search !== "") {
    if (search.startsWith("#")) {
      if (`#${node.id}` !== search) return false;
    } else if (!rowName(store, node.kind, node.id).toLowerCase().includes(search)) {
      return false;
    }
  }
  if (filter.states.size === 0) return true;
  if (node.kind === "aiotask") return false;
  const state = rowTaskState(store, node.kind, node.id);
  const fs = state === null ? null : filterStateOf(state);
  return fs !== null && filter.states.has(fs);
}

/** True if the filter hides nothing. */
export function filterIsEmpty(filter: TreeFilter): boolean {
  return filter.search.trim() === "" && filter.states.size === 0;
}

/**
 * The visible rows: depth first, skipping the children of collapsed rows
 * (and, unless `showInternals`, the bindings' wrappers: `hiddenInternals`
 * counts them).
 * With a filter, only matching tasks and the rows on the way to them are
 * kept (rows on the way are marked `match: false`).
 */
export function buildRows(store: PanelStore, collapsed: ReadonlySet<string>, filter: TreeFilter, options: { showInternals?: boolean } = {}): Row[] {
  return buildTree(store, collapsed, filter, options).rows;
}

/** `buildRows`, and how many wrapper rows were folded away. */
export function buildTree(
  store: PanelStore,
  collapsed: ReadonlySet<string>,
  filter: TreeFilter,
  options: { showInternals?: boolean } = {},
): { rows: Row[]; hiddenInternals: number } {
  let forest = buildForest(store);
  let hiddenInternals = 0;
  if (options.showInternals !== true) ({ forest, hidden: hiddenInternals } = foldInternals(store, forest));
  const filtering = !filterIsEmpty(filter);
  const search = filter.search.trim().toLowerCase();
  // With a filter: which nodes are kept (match, or something below matches).
  const keep = new Map<Node, boolean>();
  const isMatch = new Map<Node, boolean>();
  if (filtering) {
    // Post-order without recursion: deep trees must not overflow the stack.
    const stack: [Node, boolean][] = forest.map((n) => [n, false]);
    while (stack.length > 0) {
      const [node, visited] = stack.pop()!;
      if (!visited) {
        stack.push([node, true]);
        for (const c of node.children) stack.push([c, false]);
        continue;
      }
      const m = matches(store, node, filter, search);
      isMatch.set(node, m);
      keep.set(node, m || node.children.some((c) => keep.get(c) === true));
    }
  }
  const rows: Row[] = [];
  const stack: [Node, number, string | null][] = [];
  for (let i = forest.length - 1; i >= 0; i--) stack.push([forest[i]!, 1, null]);
  while (stack.length > 0) {
    const [node, level, parent] = stack.pop()!;
    if (filtering && keep.get(node) !== true) continue;
    const children = filtering ? node.children.filter((c) => keep.get(c) === true) : node.children;
    const expanded = children.length > 0 && !collapsed.has(node.key);
    rows.push({
      key: node.key,
      kind: node.kind,
      id: node.id,
      level,
      parent,
      hasChildren: children.length > 0,
      expanded,
      match: !filtering || isMatch.get(node) === true,
    });
    if (expanded) for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, level + 1, node.key]);
  }
  return { rows, hiddenInternals };
}
