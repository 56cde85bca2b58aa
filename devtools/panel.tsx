/**
 * `<DevtoolsPanel/>`: the whole panel (toolbar, tree, detail pane,
 * timeline) as one Preact component, usable on its own or inside
 * `mountDevtools`' floating frame.
 *
 * It subscribes to the inspector while mounted (so a closed panel costs the
 * page nothing) and renders once per inspector update, which the inspector
 * already coalesces to one per animation frame. Rows are rebuilt only when
 * the set of records changed or a filter is on; status changes only repaint
 * the visible rows.
 */
import { useLayoutEffect, useMemo, useReducer, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { PanelStore } from "./store.js";
import { liveSource, type InspectorSource } from "./source.js";
import { buildTree, filterIsEmpty, isInternalRow, type FilterState, type TreeFilter } from "./tree.js";
import { TreeView } from "./tree-view.js";
import { DetailPane } from "./detail.js";
import { Timeline } from "./timeline.js";
import { PANEL_CSS } from "./styles.js";
import { CloseIcon, StateDot, type DotState } from "./icons.js";
import { describeElement, useElementOutline, usePicker } from "./page-link.js";
import { shown } from "./format.js";

/** Props of `DevtoolsPanel`. */
export interface DevtoolsPanelProps {
  /** Where the data comes from (default: this page's live inspector). */
  source?: InspectorSource | undefined;
  /** Passed to `inspector.subscribe` (default: the next animation frame at least `refreshInterval` ms after the last). */
  scheduleFrame?: ((flush: () => void) => void) | undefined;
  /**
   * Minimum time between two updates of the panel, in ms (default 100: ten
   * a second is plenty to read, and keeps the panel's cost to the page low).
   * 0 updates on every animation frame. Ignored when `scheduleFrame` is given.
   */
  refreshInterval?: number | undefined;
  /** Highlight tasks blocked at least this long, in seconds (default 5; editable in the toolbar). */
  blockedThreshold?: number | undefined;
  /** Start with creation stacks captured (default false; a toolbar checkbox). */
  captureStacks?: boolean | undefined;
  /** Shows a close button that calls this. */
  onClose?: (() => void) | undefined;
  /** Render the panel's <style> (default true; mountDevtools puts it in the shadow root itself). */
  injectStyles?: boolean | undefined;
  /** The tree viewport's height when it cannot be measured (default 400 px). */
  fallbackTreeHeight?: number | undefined;
  /** Show the bindings' own wrapper tasks and scopes (default false: folded away; a toolbar checkbox). */
  showInternals?: boolean | undefined;
  /** A performance.now()-like clock (tests pass a fixed one). */
  now?: (() => number) | undefined;
  /** Use this store instead of a new one (tests, or to keep state across remounts). */
  store?: PanelStore | undefined;
}

const FILTERS: { state: FilterState; label: string; dot: DotState }[] = [
  { state: "running", label: "Running", dot: "running" },
  { state: "blocked", label: "Blocked", dot: "blocked" },
  { state: "cancelled", label: "Cancelled", dot: "cancelled" },
  { state: "errored", label: "Errored", dot: "errored" },
  { state: "exited", label: "Exited", dot: "done" },
];

const defaultNow = (): number => performance.now();

/**
 * Schedules inspector flushes on the next animation frame at least
 * `interval` ms after the previous one, and further apart when a flush
 * itself is slow (a huge task tree): never closer than 33 times the last
 * flush's duration, which keeps the inspector and the store under about 3%
 * of the main thread however big the tree. The first flush (the full
 * snapshot a new subscriber gets) runs at once: the panel subscribes before
 * its first paint, so it opens with its rows instead of two frames later.
 */
export function throttledFrames(interval: number): (flush: () => void) => void {
  let last = -Infinity;
  let gap = interval;
  const raf = (cb: () => void) => {
    const r = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
    if (typeof r === "function") r(cb);
    else setTimeout(cb, 16);
  };
  return (flush) => {
    const run = () => {
      const start = performance.now();
      last = start;
      flush();
      gap = Math.max(interval, (performance.now() - start) * 33);
    };
    if (last === -Infinity) {
      run();
      return;
    }
    const wait = last + gap - performance.now();
    if (wait <= 0) raf(run);
    else setTimeout(() => raf(run), wait);
  };
}

/** Throws a TypeError naming the first prop of `DevtoolsPanel` that has the wrong kind of value. */
function checkPanelProps(props: DevtoolsPanelProps): void {
  const bad = (prop: string, wants: string, got: unknown): never => {
    throw new TypeError(`<DevtoolsPanel ${prop}={…}> takes ${wants}, or leave it out; got ${shown(got)}.`);
  };
  const { source, scheduleFrame, refreshInterval, blockedThreshold, onClose, now, store, fallbackTreeHeight } = props;
  if (source !== undefined) {
    let ok: boolean;
    try {
      ok = source !== null && typeof source === "object" && typeof source.subscribe === "function" && typeof source.cancel === "function" && typeof source.creationStack === "function";
    } catch {
      ok = false;
    }
    if (!ok) bad("source", "an InspectorSource (an object with subscribe, cancel and creationStack, as the inspector has)", source);
  }
  for (const [prop, value] of [["scheduleFrame", scheduleFrame], ["onClose", onClose], ["now", now]] as const) {
    if (value !== undefined && typeof value !== "function") bad(prop, "a function", value);
  }
  for (const [prop, value] of [["refreshInterval", refreshInterval], ["blockedThreshold", blockedThreshold], ["fallbackTreeHeight", fallbackTreeHeight]] as const) {
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) bad(prop, "a finite number ≥ 0", value);
  }
  let isStore = store === undefined;
  try {
    isStore ||= store instanceof PanelStore;
  } catch {
    isStore = false;
  }
  if (!isStore) bad("store", "a PanelStore", store);
}

/** The trio-asyncio devtools panel. */
export function DevtoolsPanel(props: DevtoolsPanelProps): JSX.Element {
  checkPanelProps(props);
  const source = props.source ?? liveSource;
  const store = useMemo(() => props.store ?? new PanelStore(), [props.store]);
  const liveNow = props.now ?? defaultNow;
  // Frozen, time stands still too: countdowns and "blocked for" stop.
  const frozenAt = store.frozenAt;
  const now = frozenAt === null ? liveNow : () => frozenAt;
  const [resync, setResync] = useState(0);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [captureStacks, setCaptureStacks] = useState(props.captureStacks === true);
  const [search, setSearch] = useState("");
  const [states, setStates] = useState<ReadonlySet<FilterState>>(new Set());
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(props.blockedThreshold ?? 5);
  const [showInternals, setShowInternals] = useState(props.showInternals === true);
  const [picking, setPicking] = useState(false);
  // Which tasks ran in each batch is recorded (an instrument per run) only while the timeline asks.
  const [batchTasks, setBatchTasks] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);

  // Listening from a layout effect declared before the subscription's: the first snapshot, which
  // the subscription delivers at once, must re-render the panel (an idle run sends nothing after it).
  useLayoutEffect(() => store.listen(() => rerender(undefined)), [store]);
  const interval = props.refreshInterval ?? 100;
  // A layout effect: the first snapshot (taken at once, see throttledFrames) lands before the first paint.
  useLayoutEffect(() => {
    const scheduleFrame = props.scheduleFrame ?? throttledFrames(interval);
    return source.subscribe((update) => store.apply(update), { captureStacks, batchTasks, scheduleFrame });
  }, [source, store, captureStacks, batchTasks, props.scheduleFrame, interval, resync]);
  const toggleFrozen = () => {
    const frozen = store.frozenAt !== null;
    const resubscribe = frozen && store.needsResync;
    store.setFrozen(!frozen, liveNow());
    // Too much came in while frozen: start again from a full snapshot.
    if (resubscribe) setResync((n) => n + 1);
  };

  const filter: TreeFilter = useMemo(() => ({ search, states }), [search, states]);
  const filtering = !filterIsEmpty(filter);
  // Without a filter, rows depend only on the structure; with one, on every change.
  const { rows, hiddenInternals } = useMemo(
    () => buildTree(store, collapsed, filter, { showInternals }),
    [store, collapsed, filter, showInternals, store.structure, filtering ? store.version : 0],
  );

  const toggle = (key: string, expand: boolean) => {
    const next = new Set(collapsed);
    if (expand) next.delete(key);
    else next.add(key);
    setCollapsed(next);
  };
  const select = (key: string) => {
    setSelectedKey(key);
    setActiveKey(key);
    // A link in the detail pane may point inside a collapsed row: open the way.
    const [kind] = key.split(":");
    if (kind === "task" || kind === "nursery" || kind === "aiotask" || kind === "loop") {
      if (!rows.some((r) => r.key === key)) {
        if (collapsed.size > 0) setCollapsed(new Set());
        // A link to one of the bindings' wrappers: show them, or the row cannot be.
        const [, id] = key.split(":");
        if (!showInternals && isInternalRow(store, kind, Number(id))) setShowInternals(true);
      }
    }
  };
  // Page to panel: only a source in this page can hand out its elements.
  const canLink = typeof document !== "undefined" && source.elementOf !== undefined && source.tasksByElement !== undefined;
  const selectedTaskId = selectedKey !== null && selectedKey.startsWith("task:") ? Number(selectedKey.slice(5)) : null;
  const selectedRecord = selectedTaskId === null ? undefined : store.tasks.get(selectedTaskId);
  // elementOf walks the runs: ask again only when the selected task's record changes, not on every update.
  const selectedElement = useMemo(
    () => (canLink && selectedTaskId !== null && selectedRecord !== undefined ? source.elementOf!(selectedTaskId) : null),
    [canLink, source, selectedTaskId, selectedRecord],
  );
  const selectedName = selectedRecord?.name ?? "";
  useElementOutline(picking ? null : selectedElement, selectedElement === null ? "" : `${selectedName} · ${describeElement(selectedElement)}`);
  usePicker({
    active: canLink && picking,
    tasksByElement: () => source.tasksByElement?.() ?? new Map<Element, number[]>(),
    insidePanel: (event) => {
      const root = rootRef.current;
      if (root === null) return false;
      const path = event.composedPath();
      const top = root.getRootNode() as Partial<ShadowRoot>;
      return path.includes(root) || (top.host !== undefined && path.includes(top.host));
    },
    onPick: (_element, ids) => {
      setPicking(false);
      // The component's own work first, not the bindings' wrappers.
      const id = ids.find((i) => store.lastRecord(i)?.internal === undefined) ?? ids[0];
      if (id !== undefined) select(`task:${id}`);
    },
    onCancel: () => setPicking(false),
  });

  const toggleState = (s: FilterState) => {
    const next = new Set(states);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    setStates(next);
  };

  let blocked = 0;
  let longBlocked = 0;
  const nowMs = now();
  for (const t of store.tasks.values()) {
    if (t.status !== "blocked") continue;
    blocked++;
    if (store.blockedTooLong(t.id, nowMs, threshold * 1000)) longBlocked++;
  }

  return (
    <div class="tad-root" role="region" aria-label="trio-asyncio devtools" ref={rootRef}>
      {props.injectStyles === false ? null : <style>{PANEL_CSS}</style>}
      <div class="tad-toolbar" role="toolbar" aria-label="Tree controls">
        <span class="tad-title">trio-asyncio</span>
        <input
          type="search"
          aria-label="Search tasks by name (or #id)"
          placeholder="Search tasks…"
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
        />
        <span class="tad-filters" role="group" aria-label="Filter by state">
          {FILTERS.map((f) => (
            <button key={f.state} type="button" aria-pressed={states.has(f.state)} onClick={() => toggleState(f.state)} title={`Show only ${f.label.toLowerCase()} tasks`}>
              <StateDot state={f.dot} />
              {f.label}
            </button>
          ))}
        </span>
        <label>
          <input type="checkbox" checked={captureStacks} onChange={(e) => setCaptureStacks((e.currentTarget as HTMLInputElement).checked)} /> capture stacks
        </label>
        <label>
          blocked ≥{" "}
          <input
            type="number"
            min={0}
            step={0.5}
            aria-label="Highlight tasks blocked at least this many seconds"
            value={threshold}
            onInput={(e) => {
              const v = Number((e.currentTarget as HTMLInputElement).value);
              if (Number.isFinite(v) && v >= 0) setThreshold(v);
            }}
          />{" "}
          s
        </label>
        <label title="The Preact/React bindings' own wrapper tasks and the scopes they open (a component nursery's host, the runtime's main task)">
          <input type="checkbox" checked={showInternals} onChange={(e) => setShowInternals((e.currentTarget as HTMLInputElement).checked)} /> library internals
          {!showInternals && hiddenInternals > 0 ? <span class="tad-kind"> ({hiddenInternals} hidden)</span> : null}
        </label>
        <button
          type="button"
          aria-pressed={frozenAt !== null}
          aria-label={
            frozenAt !== null
              ? `Frozen${store.heldCount > 0 ? ` (${store.heldCount} updates held)` : ""}: press to unfreeze and apply what changed meanwhile`
              : "Freeze the tree, details and timeline"
          }
          title="Freeze: rows stop moving under the pointer; updates are held and applied when you unfreeze"
          onClick={toggleFrozen}
        >
          {frozenAt !== null ? `Frozen${store.heldCount > 0 ? ` (${store.heldCount} updates held)` : ""}` : "Freeze"}
        </button>
        {canLink ? (
          <button
            type="button"
            aria-pressed={picking}
            title="Inspect element: click a component on the page to select its tasks (Esc stops)"
            onClick={() => setPicking(!picking)}
          >
            {picking ? "Picking element (Esc)" : "Pick element"}
          </button>
        ) : null}
        <span class="tad-grow" />
        {store.errored.size > 0 || store.exited.size > 0 ? (
          <button type="button" title="Forget the tasks that exited (and their errors)" onClick={() => store.clearErrors()}>
            Clear history
          </button>
        ) : null}
        {props.onClose !== undefined ? (
          <button type="button" class="tad-icon-button" aria-label="Close devtools" onClick={props.onClose}>
            <CloseIcon />
          </button>
        ) : null}
      </div>
      <div class="tad-main">
        <TreeView
          store={store}
          rows={rows}
          selectedKey={selectedKey}
          activeKey={activeKey}
          onSelect={select}
          onActivate={setActiveKey}
          onToggle={toggle}
          blockedThresholdMs={threshold * 1000}
          now={now}
          fallbackHeight={props.fallbackTreeHeight ?? 400}
        />
        <DetailPane
          store={store}
          selectedKey={selectedKey}
          source={source}
          captureStacks={captureStacks}
          now={now}
          onSelect={select}
          showInternals={showInternals}
          onShowInternals={() => setShowInternals(true)}
        />
      </div>
      <Timeline store={store} now={now} onSelect={select} onBatchTasksChange={setBatchTasks} />
      <div class="tad-status" data-testid="status">
        {store.runs.size} run{store.runs.size === 1 ? "" : "s"} · {store.tasks.size} tasks · {blocked} blocked
        {longBlocked > 0 ? ` (${longBlocked} ≥ ${threshold} s)` : ""} · {store.loops.size} asyncio loop{store.loops.size === 1 ? "" : "s"} ·{" "}
        {store.errored.size} errored · {rows.length} rows
      </div>
    </div>
  );
}
