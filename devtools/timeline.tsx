/**
 * The timeline strip: task spawns, exits, cancellations and errors as ticks,
 * and the scheduler's batches as bars measured against a 16 ms frame budget,
 * drawn on one small canvas (thousands of marks would be too many DOM
 * nodes). While recording, it shows the last ten seconds; paused or
 * imported, the whole recording. Redraws are coalesced to one per frame.
 *
 * A time axis runs along the bottom (seconds before now while live, from
 * the recording's start otherwise). Hovering a mark shows what it is (the
 * event, its task and reason, or a batch's length and steps); clicking an
 * event selects its task in the tree (a cancel: the task that entered the
 * scope). The strip can be collapsed to its toolbar.
 *
 * Record/pause, clear, export to JSON (a textarea and a download link) and
 * import (paste or pick a file) live in its toolbar.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { PanelStore } from "./store.js";
import { EVENT_COLOURS } from "./styles.js";
import { exportTimeline, FRAME_BUDGET_MS, importTimeline, summarize, type TimelineData, type TimelineSummary } from "./timeline-data.js";

/** Props of `Timeline`. */
export interface TimelineProps {
  store: PanelStore;
  now(): number;
  /** Selects a row of the tree (a click on an event mark). */
  onSelect?(key: string): void;
  /** Start collapsed (default false). */
  initiallyCollapsed?: boolean | undefined;
  /**
   * Told whether each batch's tasks should be recorded: while "tasks per
   * batch" is ticked and the strip is open (recording them costs, see README).
   */
  onBatchTasksChange?(on: boolean): void;
  /** Start with "tasks per batch" ticked (default false). */
  initiallyBatchTasks?: boolean | undefined;
}

const LIVE_WINDOW_MS = 10_000;
const HEIGHT = 88;
/** The events lane, the batches lane and the axis, top to bottom (CSS px). */
const EVENTS_TOP = 4;
const EVENTS_HEIGHT = 20;
const LANE_TOP = 30;
const AXIS_HEIGHT = 14;
const LANE_HEIGHT = HEIGHT - LANE_TOP - AXIS_HEIGHT - 2;

/** The whole range the strip can show: the last ten seconds while live, else the recording with a margin. */
function fullRange(live: boolean, nowMs: number, summary: TimelineSummary): [number, number] {
  if (live) return [nowMs - LIVE_WINDOW_MS, nowMs];
  if (summary.start === null || summary.end === null) return [0, 1];
  const span = Math.max(1, summary.end - summary.start);
  return [summary.start - span * 0.02, summary.end + span * 0.02];
}

/** Zoom levels (the full range divided by this), and where the zoomed window sits. */
export interface TimelineView {
  zoom: number;
  /** 0 = the window at the full range's start, 1 = at its end (a live strip always follows now). */
  anchor: number;
}

/** The zoom levels the buttons and keys step through. */
export const ZOOM_LEVELS = [1, 2, 4, 8, 16, 32, 64, 128] as const;

/** The part of `full` a view shows. */
export function viewRange(full: [number, number], view: TimelineView): [number, number] {
  const span = (full[1] - full[0]) / Math.max(1, view.zoom);
  const start = full[0] + (full[1] - full[0] - span) * Math.min(1, Math.max(0, view.anchor));
  return [start, start + span];
}

/**
 * The view after zooming to `zoom` around the time at fraction `at` (0..1)
 * of the current window: the time under the pointer stays under it.
 */
export function zoomAround(full: [number, number], view: TimelineView, zoom: number, at: number): TimelineView {
  const [t0, t1] = viewRange(full, view);
  const pivot = t0 + (t1 - t0) * at;
  const fullSpan = full[1] - full[0];
  const span = fullSpan / zoom;
  const room = fullSpan - span;
  if (room <= 0) return { zoom, anchor: 1 };
  return { zoom, anchor: Math.min(1, Math.max(0, (pivot - at * span - full[0]) / room)) };
}

/** The next zoom level in direction `dir` (+1 in, -1 out). */
export function stepZoom(zoom: number, dir: 1 | -1): number {
  const i = ZOOM_LEVELS.findIndex((z) => z >= zoom);
  const at = i < 0 ? ZOOM_LEVELS.length - 1 : i;
  return ZOOM_LEVELS[Math.min(ZOOM_LEVELS.length - 1, Math.max(0, at + dir))]!;
}

/** First index whose time is >= t, in a list sorted by `at`. */
function lowerBound<T>(list: readonly T[], t: number, at: (x: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(list[mid]!) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Tick marks for a time axis over [t0, t1] (ms): a round step giving about
 * six ticks, labelled in seconds relative to `origin` (now, while live: the
 * labels are then negative).
 */
export function axisTicks(t0: number, t1: number, origin: number): { at: number; label: string }[] {
  const span = t1 - t0;
  if (!(span > 0)) return [];
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000];
  const step = steps.find((st) => span / st <= 7) ?? Math.ceil(span / 6 / 60_000) * 60_000;
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  const ticks: { at: number; label: string }[] = [];
  for (let k = Math.ceil((t0 - origin) / step); origin + k * step <= t1; k++) {
    const rel = k * step;
    ticks.push({ at: origin + rel, label: `${(rel / 1000).toFixed(decimals)} s` });
  }
  return ticks;
}

/** What lies under the pointer on the strip: an event mark (nearest within 4 px) or a batch. */
export type TimelineHit = { kind: "event"; event: TimelineData["events"][number] } | { kind: "batch"; batch: TimelineData["batches"][number] };

/** Finds the mark at (px, py) on a strip `width` px wide showing [t0, t1]. */
export function hitTest(data: TimelineData, t0: number, t1: number, width: number, px: number, py: number): TimelineHit | null {
  if (!(t1 > t0) || width <= 0) return null;
  const msPerPx = (t1 - t0) / width;
  const t = t0 + px * msPerPx;
  if (py < LANE_TOP - 2) {
    const slack = 4 * msPerPx;
    let best: TimelineData["events"][number] | null = null;
    for (let i = lowerBound(data.events, t - slack, (e) => e.at); i < data.events.length; i++) {
      const e = data.events[i]!;
      if (e.at > t + slack) break;
      // The nearest wins; among marks as near, the louder kinds (error, cancel).
      if (best === null || Math.abs(e.at - t) < Math.abs(best.at - t) || (Math.abs(e.at - t) === Math.abs(best.at - t) && (e.kind === "error" || e.kind === "cancel"))) best = e;
    }
    return best === null ? null : { kind: "event", event: best };
  }
  if (py < HEIGHT - AXIS_HEIGHT) {
    const slack = 2 * msPerPx;
    for (let i = lowerBound(data.batches, t - 1000, (b) => b.start); i < data.batches.length; i++) {
      const b = data.batches[i]!;
      if (b.start > t + slack) break;
      if (b.end + slack >= t) return { kind: "batch", batch: b };
    }
  }
  return null;
}

function hitTime(hit: TimelineHit): number {
  return hit.kind === "event" ? hit.event.at : hit.batch.start;
}

/**
 * The mark after (dir 1) or before (dir -1) `from` among the events and
 * batches inside [t0, t1], in time order (at one time, events before
 * batches); from null: the first (or last) one. Null when there is none.
 */
export function nextMark(data: TimelineData, t0: number, t1: number, from: TimelineHit | null, dir: 1 | -1): TimelineHit | null {
  const marks: TimelineHit[] = [];
  for (let i = lowerBound(data.events, t0, (e) => e.at); i < data.events.length && data.events[i]!.at <= t1; i++) marks.push({ kind: "event", event: data.events[i]! });
  for (let i = lowerBound(data.batches, t0, (b) => b.start); i < data.batches.length && data.batches[i]!.start <= t1; i++) marks.push({ kind: "batch", batch: data.batches[i]! });
  if (marks.length === 0) return null;
  marks.sort((a, b) => hitTime(a) - hitTime(b) || (a.kind === b.kind ? 0 : a.kind === "event" ? -1 : 1));
  const same = (m: TimelineHit) => (from === null ? false : m.kind === "event" ? from.kind === "event" && from.event === m.event : from.kind === "batch" && from.batch === m.batch);
  const i = from === null ? -1 : marks.findIndex(same);
  if (i < 0) {
    if (from === null) return dir === 1 ? marks[0]! : marks[marks.length - 1]!;
    // The mark left the window: continue from its time.
    const t = hitTime(from);
    return (dir === 1 ? marks.find((m) => hitTime(m) > t) : [...marks].reverse().find((m) => hitTime(m) < t)) ?? null;
  }
  return marks[i + dir] ?? null;
}

function draw(canvas: HTMLCanvasElement, data: TimelineData, t0: number, t1: number, origin: number, cursor: TimelineHit | null): void {
  const ctx = canvas.getContext?.("2d");
  if (ctx === null || ctx === undefined) return;
  const ratio = globalThis.devicePixelRatio ?? 1;
  const cssWidth = canvas.clientWidth || 600;
  const w = Math.round(cssWidth * ratio);
  const h = Math.round(HEIGHT * ratio);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssWidth, HEIGHT);
  const x = (t: number) => ((t - t0) / (t1 - t0)) * cssWidth;
  // Events lane (top).
  const eventsTop = EVENTS_TOP;
  const eventsHeight = EVENTS_HEIGHT;
  for (let i = lowerBound(data.events, t0, (e) => e.at); i < data.events.length; i++) {
    const e = data.events[i]!;
    if (e.at > t1) break;
    ctx.fillStyle = EVENT_COLOURS[e.kind];
    const big = e.kind === "error" || e.kind === "cancel";
    ctx.fillRect(Math.floor(x(e.at)), eventsTop + (big ? 0 : 6), big ? 2 : 1, big ? eventsHeight : eventsHeight - 6);
  }
  // Batches lane (bottom): a bar's height grows with its duration (square
  // root scale, so 1 ms batches are still visible); the line is the budget.
  const laneTop = LANE_TOP;
  const laneHeight = LANE_HEIGHT;
  const full = FRAME_BUDGET_MS * 2;
  const scale = (ms: number) => Math.sqrt(Math.min(1, ms / full)) * laneHeight;
  for (let i = lowerBound(data.batches, t0 - 1000, (b) => b.start); i < data.batches.length; i++) {
    const b = data.batches[i]!;
    if (b.start > t1) break;
    if (b.end < t0) continue;
    const ms = b.end - b.start;
    const bh = Math.max(1, scale(ms));
    ctx.fillStyle = ms > FRAME_BUDGET_MS ? "#ff5c5c" : "#4fa3f7";
    ctx.fillRect(Math.floor(x(b.start)), laneTop + laneHeight - bh, Math.max(1, x(b.end) - x(b.start)), bh);
  }
  const budgetY = laneTop + laneHeight - scale(FRAME_BUDGET_MS);
  ctx.strokeStyle = "#ffd27a";
  ctx.setLineDash?.([3, 3]);
  ctx.beginPath();
  ctx.moveTo(0, budgetY + 0.5);
  ctx.lineTo(cssWidth, budgetY + 0.5);
  ctx.stroke();
  ctx.setLineDash?.([]);
  ctx.fillStyle = "#ffd27a";
  ctx.font = "10px ui-monospace, monospace";
  ctx.fillText(`${FRAME_BUDGET_MS} ms`, 4, budgetY - 2);
  // The time axis.
  const axisY = HEIGHT - AXIS_HEIGHT;
  ctx.fillStyle = "#3d434f";
  ctx.fillRect(0, axisY, cssWidth, 1);
  ctx.fillStyle = "#c9ced6";
  for (const tick of axisTicks(t0, t1, origin)) {
    const tx = Math.round(x(tick.at));
    ctx.fillRect(tx, axisY, 1, 4);
    const width = ctx.measureText?.(tick.label).width ?? 0;
    ctx.fillText(tick.label, Math.max(0, Math.min(cssWidth - width, tx - width / 2)), HEIGHT - 2);
  }
  // The keyboard's mark: a white line through both lanes and a notch on top.
  if (cursor !== null) {
    const cx = Math.floor(x(hitTime(cursor)));
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(cx, 0, 1, axisY);
    ctx.beginPath();
    ctx.moveTo(cx - 4, 0);
    ctx.lineTo(cx + 5, 0);
    ctx.lineTo(cx + 0.5, 5);
    ctx.fill();
  }
}

/** Which mark the cursor is on, for tests: two marks can read the same (two empty batches), never share a key. */
function markKey(hit: TimelineHit): string {
  return hit.kind === "batch" ? `batch@${hit.batch.start}` : `${hit.event.kind}@${hit.event.at}#${hit.event.id}`;
}

/** What a hovered mark says. */
function hitText(store: PanelStore, hit: TimelineHit): string {
  if (hit.kind === "batch") {
    const b = hit.batch;
    const ran = b.taskIds === undefined ? "" : ` · ran: ${batchTaskNames(store, b)}`;
    return `batch: ${(b.end - b.start).toFixed(1)} ms, ${b.steps} step${b.steps === 1 ? "" : "s"}${b.end - b.start > FRAME_BUDGET_MS ? " (over the frame budget)" : ""}${ran}`;
  }
  const e = hit.event;
  const who = e.kind === "cancel" ? `${e.name} (scope #${e.id})` : `${e.name} #${e.id}`;
  const owner = e.kind === "cancel" ? scopeOwner(store, e.id) : null;
  const how = e.kind === "exit" && e.outcome !== undefined && e.outcome !== "returned" ? ` ${e.outcome}` : "";
  return `${e.kind}${how}: ${who}${owner !== null ? ` in ${store.lastRecord(owner)?.name ?? "task"} #${owner}` : ""}${e.detail !== undefined ? ` · ${e.detail}` : ""}`;
}

/** "name #id, name #id (+N more)" for a batch's recorded tasks. */
function batchTaskNames(store: PanelStore, b: TimelineData["batches"][number]): string {
  const ids = b.taskIds ?? [];
  if (ids.length === 0) return "no task";
  const shown = ids.slice(0, 5).map((id) => `${store.lastRecord(id)?.name ?? "task"} #${id}`);
  const more = ids.length - shown.length + (b.moreTasks ?? 0);
  return `${shown.join(", ")}${more > 0 ? ` (+${more} more)` : ""}`;
}

/** The task that entered a scope, if the panel knows it. */
function scopeOwner(store: PanelStore, scopeId: number): number | null {
  return store.scopes.get(scopeId)?.ownerTaskId ?? null;
}

/** The tree row an event leads to (its task; for a cancel, the task that entered the scope). */
export function eventTarget(store: PanelStore, e: TimelineData["events"][number]): string | null {
  if (e.kind !== "cancel") return store.lastRecord(e.id) !== null ? `task:${e.id}` : null;
  const owner = scopeOwner(store, e.id);
  return owner === null ? null : `task:${owner}`;
}

function describe(s: TimelineSummary): string {
  return (
    `${s.events} events (${s.spawns} spawns, ${s.exits} exits, ${s.cancels} cancels, ${s.errors} errors) · ` +
    `${s.batches} batches, ${s.overBudget} over ${FRAME_BUDGET_MS} ms, longest ${s.longestBatchMs.toFixed(1)} ms`
  );
}

/** The timeline strip with its controls. */
export function Timeline(props: TimelineProps): JSX.Element {
  const { store } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [exported, setExported] = useState<{ json: string; url: string | null } | null>(null);
  const [importText, setImportText] = useState("");
  const [importError, setImportError] = useState<string | null>(null);
  const [showImport, setShowImport] = useState(false);
  const [collapsed, setCollapsed] = useState(props.initiallyCollapsed === true);
  const [hover, setHover] = useState<{ hit: TimelineHit; x: number } | null>(null);
  const [view, setViewState] = useState<TimelineView>({ zoom: 1, anchor: 1 });
  const [cursor, setCursorState] = useState<TimelineHit | null>(null);
  const [pinned, setPinned] = useState<TimelineData["batches"][number] | null>(null);
  // The redraw reads these (it runs outside renders).
  const viewRef = useRef(view);
  const cursorRef = useRef(cursor);
  const requestRef = useRef<() => void>(() => {});
  // The range last drawn, for hit-testing what the pointer is over.
  const drawn = useRef<[number, number] | null>(null);
  const data = store.timeline();
  const imported = store.imported !== null;
  const summary = summarize(data);
  const isLive = () => store.recording && store.frozenAt === null && store.imported === null;
  const setView = (v: TimelineView) => {
    viewRef.current = v;
    setViewState(v);
    requestRef.current();
  };
  const setCursor = (c: TimelineHit | null) => {
    cursorRef.current = c;
    setCursorState(c);
    requestRef.current();
  };
  const full = () => {
    const d = store.timeline();
    return fullRange(isLive(), props.now(), summarize(d));
  };

  const [batchTasks, setBatchTasks] = useState(props.initiallyBatchTasks === true);
  useEffect(() => {
    props.onBatchTasksChange?.(batchTasks && !collapsed);
  }, [batchTasks, collapsed]);

  // Redraw on changes, once per frame at most, and keep a live window moving.
  useEffect(() => {
    let pending = false;
    let stopped = false;
    const raf = globalThis.requestAnimationFrame?.bind(globalThis) ?? ((cb: () => void) => setTimeout(cb, 16));
    const redraw = () => {
      pending = false;
      if (stopped || canvas.current === null) return;
      const d = store.timeline();
      const live = isLive();
      const s = summarize(d);
      const [t0, t1] = viewRange(fullRange(live, props.now(), s), live ? { ...viewRef.current, anchor: 1 } : viewRef.current);
      draw(canvas.current, d, t0, t1, live ? props.now() : (s.start ?? t0), cursorRef.current);
      drawn.current = [t0, t1];
    };
    const request = () => {
      if (pending) return;
      pending = true;
      raf(redraw);
    };
    requestRef.current = request;
    request();
    const unlisten = store.listen(request);
    const timer = setInterval(() => {
      if (isLive()) request();
    }, 250);
    return () => {
      stopped = true;
      requestRef.current = () => {};
      unlisten();
      clearInterval(timer);
    };
  }, [store, collapsed]);

  const hitAt = (e: MouseEvent): { hit: TimelineHit; x: number } | null => {
    const el = canvas.current;
    const r = drawn.current;
    if (el === null || r === null) return null;
    const box = el.getBoundingClientRect();
    const px = e.clientX - box.left;
    const hit = hitTest(store.timeline(), r[0], r[1], box.width, px, e.clientY - box.top);
    return hit === null ? null : { hit, x: px };
  };

  /** Zooms one level in or out around `at` (0..1 of the strip; default its middle, or the keyboard's mark). */
  const zoomBy = (dir: 1 | -1, at?: number) => {
    const f = full();
    const next = stepZoom(viewRef.current.zoom, dir);
    let pivot = at;
    if (pivot === undefined) {
      const r = drawn.current;
      const c = cursorRef.current;
      pivot = r !== null && c !== null ? Math.min(1, Math.max(0, (hitTime(c) - r[0]) / (r[1] - r[0]))) : 0.5;
    }
    setView(next === 1 ? { zoom: 1, anchor: 1 } : zoomAround(f, viewRef.current, next, pivot));
  };

  // Ctrl+wheel zooms around the pointer (a listener of our own: it must not be passive, to keep the page from zooming).
  useEffect(() => {
    const el = canvas.current;
    if (el === null) return;
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey || e.deltaY === 0) return;
      e.preventDefault();
      const box = el.getBoundingClientRect();
      zoomBy(e.deltaY < 0 ? 1 : -1, box.width > 0 ? (e.clientX - box.left) / box.width : 0.5);
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, [collapsed]);

  /** Acts on a mark: an event selects its task, a batch is pinned below the strip with its tasks. */
  const open = (hit: TimelineHit) => {
    if (hit.kind === "batch") {
      setPinned(hit.batch);
      return;
    }
    const key = eventTarget(store, hit.event);
    if (key !== null) props.onSelect?.(key);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "+" || e.key === "=") zoomBy(1);
    else if (e.key === "-" || e.key === "_") zoomBy(-1);
    else if (e.key === "0") setView({ zoom: 1, anchor: 1 });
    else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      const r = drawn.current;
      if (r === null) return;
      const next = nextMark(store.timeline(), r[0], r[1], cursorRef.current, e.key === "ArrowRight" ? 1 : -1);
      if (next !== null) setCursor(next);
    } else if (e.key === "Enter" && cursorRef.current !== null) open(cursorRef.current);
    else if (e.key === "Escape" && (pinned !== null || cursorRef.current !== null)) {
      setPinned(null);
      setCursor(null);
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };

  useEffect(() => () => {
    if (exported?.url != null) URL.revokeObjectURL(exported.url);
  }, [exported]);

  const doExport = () => {
    const json = exportTimeline(data);
    // Each export makes a new object URL: release the previous one.
    if (exported?.url) URL.revokeObjectURL(exported.url);
    let url: string | null = null;
    if (typeof Blob === "function" && typeof URL.createObjectURL === "function") {
      url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
    }
    setExported({ json, url });
  };

  const load = (text: string) => {
    try {
      const d = importTimeline(text);
      d.events.sort((a, b) => a.at - b.at);
      d.batches.sort((a, b) => a.start - b.start);
      store.setImported(d);
      setImportError(null);
      setShowImport(false);
    } catch (error) {
      setImportError((error as Error).message);
    }
  };

  return (
    <section class="tad-timeline" aria-label="Timeline">
      <div class="tad-timeline-bar">
        <button type="button" class="tad-link tad-section-toggle" aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)}>
          <span aria-hidden="true">{collapsed ? "▸" : "▾"} </span>
          <strong>Timeline</strong>
        </button>
        {imported ? (
          <>
            <span class="tad-badge tad-warn">imported</span>
            <button type="button" onClick={() => store.setImported(null)}>Back to live</button>
          </>
        ) : (
          <button
            type="button"
            aria-pressed={store.recording}
            aria-label={store.recording ? "Pause recording" : "Resume recording"}
            onClick={() => store.setRecording(!store.recording)}
          >
            {store.recording ? "❚❚ Pause" : "● Record"}
          </button>
        )}
        <button type="button" aria-label="Clear the timeline" onClick={() => store.clearTimeline()} disabled={imported}>
          Clear
        </button>
        <button type="button" aria-label="Export the timeline as JSON" onClick={doExport}>
          Export
        </button>
        <button type="button" aria-label="Import a timeline" aria-expanded={showImport} onClick={() => setShowImport(!showImport)}>
          Import…
        </button>
        <label title="Record which tasks ran in each batch (each task step then costs more)">
          <input type="checkbox" checked={batchTasks} onChange={(e) => setBatchTasks((e.currentTarget as HTMLInputElement).checked)} /> tasks per batch
        </label>
        <span class="tad-zoom" role="group" aria-label="Zoom">
          <button type="button" aria-label="Zoom out" onClick={() => zoomBy(-1)} disabled={view.zoom <= 1}>−</button>
          <button type="button" aria-label={`×${view.zoom}: reset zoom`} data-testid="timeline-zoom" onClick={() => setView({ zoom: 1, anchor: 1 })} disabled={view.zoom === 1}>
            ×{view.zoom}
          </button>
          <button type="button" aria-label="Zoom in" onClick={() => zoomBy(1)} disabled={view.zoom >= ZOOM_LEVELS[ZOOM_LEVELS.length - 1]!}>+</button>
        </span>
        <span class="tad-legend" aria-hidden="true">
          {Object.entries(EVENT_COLOURS).map(([k, c]) => (
            <span key={k} style={`--c: ${c}`}>{k}</span>
          ))}
          <span style="--c: #4fa3f7">batch</span>
          <span style="--c: #ff5c5c">&gt; budget</span>
        </span>
      </div>
      {collapsed ? null : (
        <div class="tad-canvas-wrap">
          <canvas
            ref={canvas}
            role="img"
            tabIndex={0}
            aria-label={`Timeline: ${describe(summary)}. Arrow keys move between marks, Enter opens one, + and − zoom.`}
            aria-describedby="tad-timeline-mark"
            onKeyDown={onKeyDown}
            height={HEIGHT}
            style={{ cursor: hover?.hit.kind === "event" && eventTarget(store, hover.hit.event) !== null ? "pointer" : "default" }}
            onMouseMove={(e) => setHover(hitAt(e))}
            onMouseLeave={() => setHover(null)}
            onClick={(e) => {
              const h = hitAt(e);
              if (h === null) return;
              setCursor(h.hit);
              open(h.hit);
            }}
          />
          {hover !== null ? (
            <div class="tad-tooltip" role="status" data-testid="timeline-hover" style={{ left: `${Math.max(0, hover.x - 120)}px` }}>
              {hitText(store, hover.hit)}
            </div>
          ) : null}
          <div id="tad-timeline-mark" class="tad-kind" role="status" data-testid="timeline-mark" data-mark={cursor !== null ? markKey(cursor) : ""}>
            {cursor !== null ? hitText(store, cursor) : ""}
          </div>
        </div>
      )}
      {pinned !== null && !collapsed ? (
        <div class="tad-batch" data-testid="timeline-batch" role="group" aria-label="Batch">
          <strong>
            Batch: {(pinned.end - pinned.start).toFixed(1)} ms, {pinned.steps} step{pinned.steps === 1 ? "" : "s"}
          </strong>{" "}
          {pinned.taskIds === undefined ? (
            <span class="tad-kind">(which tasks ran was not recorded: tick "tasks per batch")</span>
          ) : (
            <>
              <span class="tad-kind">ran:</span>{" "}
              {pinned.taskIds.map((id) => (
                <button key={id} type="button" class="tad-link" onClick={() => props.onSelect?.(`task:${id}`)}>
                  {`${store.lastRecord(id)?.name ?? "task"} #${id}`}
                </button>
              ))}
              {(pinned.moreTasks ?? 0) > 0 ? <span class="tad-kind"> and {pinned.moreTasks} more</span> : null}
            </>
          )}{" "}
          <button type="button" aria-label="Close the batch" onClick={() => setPinned(null)}>×</button>
        </div>
      ) : null}
      <div class="tad-kind" data-testid="timeline-summary">{describe(summary)}</div>
      {exported !== null ? (
        <div>
          <textarea readOnly aria-label="Exported timeline JSON" value={exported.json} data-testid="export-json" />
          {exported.url !== null ? (
            <a href={exported.url} download="trio-asyncio-timeline.json" style={{ color: "#7fb2ff" }}>
              Download trio-asyncio-timeline.json
            </a>
          ) : null}{" "}
          <button type="button" onClick={() => setExported(null)}>Close export</button>
        </div>
      ) : null}
      {showImport ? (
        <div>
          <textarea
            aria-label="Timeline JSON to import"
            placeholder="Paste a timeline exported from this panel"
            value={importText}
            onInput={(e) => setImportText((e.currentTarget as HTMLTextAreaElement).value)}
          />
          <button type="button" onClick={() => load(importText)}>Load</button>{" "}
          <input
            type="file"
            accept="application/json,.json"
            aria-label="Import a timeline file"
            onChange={(e) => {
              const file = (e.currentTarget as HTMLInputElement).files?.[0];
              if (file !== undefined) void file.text().then(load);
            }}
          />
          {importError !== null ? <p class="tad-error" role="alert">{importError}</p> : null}
        </div>
      ) : null}
    </section>
  );
}
