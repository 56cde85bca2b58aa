/**
 * The task tree as a virtualised list: only the rows in (or just around) the
 * viewport are in the DOM, positioned absolutely inside a spacer as tall as
 * all rows, so 10,000 tasks cost the same to render as 30.
 *
 * Keyboard: the tree itself holds focus (role="tree", tabindex 0) and points
 * at the active row with aria-activedescendant; a row made active is
 * scrolled into view once (not again when rows above it come and go, so the
 * list does not jump back while the user scrolls elsewhere). Up/Down,
 * Home/End, PageUp/PageDown move, Right expands or steps in, Left collapses
 * or steps out; the selection (and so the detail pane) follows the cursor.
 * Enter or Space selects the row under the cursor too.
 *
 * Focus that comes from a pointer (mousedown on a row) neither moves the
 * cursor nor scrolls: the click that follows selects the row under the
 * pointer. Only keyboard focus (Tab) puts the cursor on a row.
 */
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { ExitedTask, PanelStore } from "./store.js";
import { rowName, rowTaskState, type Row } from "./tree.js";
import { ROW_HEIGHT } from "./styles.js";
import { StateDot } from "./icons.js";
import { formatDuration } from "./format.js";

/** Props of `TreeView`. */
export interface TreeViewProps {
  store: PanelStore;
  rows: Row[];
  selectedKey: string | null;
  activeKey: string | null;
  onSelect(key: string): void;
  onActivate(key: string): void;
  onToggle(key: string, expand: boolean): void;
  /** Tasks blocked longer than this (ms) are highlighted. */
  blockedThresholdMs: number;
  /** performance.now()-like clock. */
  now(): number;
  /** Used when the viewport's height cannot be measured (no layout, e.g. in tests). */
  fallbackHeight: number;
  /** Rows rendered above and below the viewport. */
  overscan?: number | undefined;
}

/** A DOM id for a row (for aria-activedescendant). */
export function rowDomId(key: string): string {
  return `tad-row-${key.replace(":", "-")}`;
}

/** A small label after a row's name: its text, and a class for its colour ("" | "tad-warn" | "tad-bad"). */
interface Badge {
  text: string;
  cls: string;
}

function describeRow(store: PanelStore, row: Row, nowMs: number, threshold: number): { meta: string; badges: Badge[]; long: boolean } {
  const badges: Badge[] = [];
  let meta = "";
  let long = false;
  if (row.kind === "task") {
    const rec = store.tasks.get(row.id);
    const err = store.errored.get(row.id);
    const ex = store.exited.get(row.id);
    if (rec === undefined && err !== undefined) {
      meta = err.detail;
      badges.push({ text: "errored", cls: "tad-bad" });
    } else if (rec === undefined && ex !== undefined) {
      meta = outcomeText(ex);
      badges.push({ text: ex.outcome === "cancelled" ? "cancelled" : ex.outcome === "raised" ? "errored" : "exited", cls: "" });
    } else if (rec !== undefined) {
      if (rec.system) badges.push({ text: "system", cls: "" });
      if (rec.waitingOn !== null) meta = rec.waitingOn.label;
      if (store.blockedTooLong(rec.id, nowMs, threshold)) {
        long = true;
        badges.push({ text: `blocked ${formatDuration((store.blockedFor(rec.id, nowMs) ?? 0) / 1000)}`, cls: "tad-warn" });
      }
    }
  } else if (row.kind === "nursery") {
    const n = store.nurseries.get(row.id);
    meta = n === undefined ? "" : `${n.childTaskIds.length} task${n.childTaskIds.length === 1 ? "" : "s"}`;
    if (store.scopes.get(row.id)?.cancelled === true) badges.push({ text: "cancelled", cls: "tad-warn" });
  } else if (row.kind === "run") {
    const r = store.runs.get(row.id);
    if (r !== undefined) meta = `${r.statistics.tasksSpawned - r.statistics.tasksExited} live tasks${r.finished ? " · finished" : ""}`;
  } else if (row.kind === "loop") {
    const l = store.loops.get(row.id);
    if (l !== undefined) meta = `${l.taskCount} tasks · ${l.readyCallbacks} ready · ${l.timers} timers${l.closed ? " · closed" : ""}`;
  } else {
    const f = store.futures.get(row.id);
    if (f !== undefined) meta = f.state;
  }
  return { meta, badges, long };
}

/** How an exited task ended, in a few words. */
export function outcomeText(ex: ExitedTask): string {
  if (ex.outcome === "returned") return "returned";
  if (ex.outcome === "raised") return `raised ${ex.detail ?? "an error"}`;
  const by = ex.cancelledBy;
  if (by === null) return `cancelled${ex.detail !== null ? `: ${ex.detail}` : ""}`;
  const named = by.name !== null && by.name !== undefined;
  const scope = by.root ? "the run's root scope" : by.nursery ? `nursery #${by.scopeId}` : named ? `${by.name} (scope #${by.scopeId})` : `cancel scope #${by.scopeId}`;
  return `cancelled by ${scope}${by.reason !== null ? `: ${by.reason}` : ""}`;
}

/** The virtualised, keyboard-navigable task tree. */
export function TreeView(props: TreeViewProps): JSX.Element {
  const { store, rows, selectedKey, activeKey } = props;
  const overscan = props.overscan ?? 8;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const measure = () => setHeight(el.clientHeight);
    measure();
    if (typeof ResizeObserver !== "function") return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const viewport = height > 0 ? height : props.fallbackHeight;
  const activeIndex = activeKey === null ? -1 : rows.findIndex((r) => r.key === activeKey);

  // Bring a newly active row into view, once: later changes of its index
  // (rows added or removed above it) leave the scroll position alone.
  const revealed = useRef<string | null>(null);
  // Set between a mousedown on the tree and the focus it causes.
  const pointerDown = useRef(false);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null || activeIndex < 0 || revealed.current === activeKey) return;
    revealed.current = activeKey;
    const top = activeIndex * ROW_HEIGHT;
    let next = el.scrollTop;
    if (top < next) next = top;
    else if (top + ROW_HEIGHT > next + viewport) next = top + ROW_HEIGHT - viewport;
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
  }, [activeKey, activeIndex, viewport]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - overscan);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + overscan);
  const nowMs = props.now();

  // The selection follows the keyboard cursor, so the arrows update the
  // detail pane as they go (as browsers' devtools trees do).
  const move = (index: number) => {
    if (rows.length === 0) return;
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))]!;
    props.onActivate(row.key);
    props.onSelect(row.key);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const index = activeIndex < 0 ? 0 : activeIndex;
    const row = rows[index];
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    switch (e.key) {
      case "ArrowDown":
        move(activeIndex < 0 ? 0 : index + 1);
        break;
      case "ArrowUp":
        move(activeIndex < 0 ? 0 : index - 1);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(rows.length - 1);
        break;
      case "PageDown":
        move(index + page);
        break;
      case "PageUp":
        move(index - page);
        break;
      case "ArrowRight":
        if (row === undefined) return;
        if (row.hasChildren && !row.expanded) props.onToggle(row.key, true);
        else if (row.expanded) move(index + 1);
        break;
      case "ArrowLeft": {
        if (row === undefined) return;
        if (row.expanded) props.onToggle(row.key, false);
        else if (row.parent !== null) {
          props.onActivate(row.parent);
          props.onSelect(row.parent);
        }
        break;
      }
      case "Enter":
      case " ":
        if (row === undefined) return;
        props.onSelect(row.key);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const items: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const row = rows[i]!;
    const state = rowTaskState(store, row.kind, row.id);
    const { meta, badges, long } = describeRow(store, row, nowMs, props.blockedThresholdMs);
    const exited = row.kind === "task" && !store.tasks.has(row.id);
    const cls = ["tad-row", row.key === activeKey ? "tad-active" : "", row.match ? "" : "tad-nomatch", long ? "tad-long-blocked" : "", exited ? "tad-exited" : ""]
      .filter(Boolean)
      .join(" ");
    const kindText = row.kind === "run" ? (store.runs.get(row.id)?.worker !== undefined ? "worker run" : "run") : null;
    const name = rowName(store, row.kind, row.id);
    const idText = row.kind === "nursery" || row.kind === "loop" ? null : `#${row.id}`;
    // The accessible name starts with the row's visible text, word for word
    // (speech users say what they see), then adds what only colour shows.
    const visible = [kindText, name, idText, ...badges.map((b) => b.text), meta || null].filter((x): x is string => x !== null);
    const extra = [row.kind === "task" || row.kind === "aiotask" ? state : null, long ? "blocked too long" : null].filter((x): x is string => x !== null);
    items.push(
      <div
        key={row.key}
        id={rowDomId(row.key)}
        role="treeitem"
        aria-level={row.level}
        aria-expanded={row.hasChildren ? row.expanded : undefined}
        aria-selected={row.key === selectedKey}
        aria-label={visible.join(" ") + (extra.length > 0 ? `, ${extra.join(", ")}` : "")}
        data-key={row.key}
        data-state={state ?? undefined}
        class={cls}
        style={{ top: `${i * ROW_HEIGHT}px`, paddingLeft: `${(row.level - 1) * 14 + 4}px` }}
        onClick={() => {
          props.onActivate(row.key);
          props.onSelect(row.key);
        }}
      >
        <span
          class="tad-twisty"
          aria-hidden="true"
          onClick={(e) => {
            if (!row.hasChildren) return;
            e.stopPropagation();
            props.onToggle(row.key, !row.expanded);
          }}
        >
          {row.hasChildren ? (row.expanded ? "▾" : "▸") : ""}
        </span>
        <StateDot state={state} aio={row.kind === "aiotask"} title={state ?? row.kind} />
        {/* Spaces between the spans: invisible in the flex row, but they keep words apart in the text. */}
        {kindText !== null ? <span class="tad-kind">{kindText} </span> : null}
        <span class="tad-name">{name}</span>{" "}
        {idText !== null ? <span class="tad-kind">{idText} </span> : null}
        {badges.map((b, k) => (
          <span key={k} class={`tad-badge ${b.cls}`}>
            {b.text}{" "}
          </span>
        ))}
        <span class="tad-meta">{meta}</span>
      </div>,
    );
  }

  return (
    <div
      ref={scroller}
      class="tad-tree"
      role="tree"
      aria-label="Runs and tasks"
      tabIndex={0}
      aria-activedescendant={activeIndex >= first && activeIndex < last ? rowDomId(rows[activeIndex]!.key) : undefined}
      onKeyDown={onKeyDown}
      onMouseDown={() => {
        pointerDown.current = true;
      }}
      onMouseUp={() => {
        pointerDown.current = false;
      }}
      onBlur={() => {
        pointerDown.current = false;
      }}
      onFocus={() => {
        // A click focuses the tree on mousedown: moving the cursor (and so
        // scrolling) now would put another row under the mouseup.
        if (pointerDown.current) {
          pointerDown.current = false;
          return;
        }
        if (activeIndex < 0 && rows.length > 0) props.onActivate((rows.find((r) => r.key === selectedKey) ?? rows[0]!).key);
      }}
      onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      {rows.length === 0 ? (
        <div class="tad-empty">Nothing to show. Start a run() (or clear the search and filters).</div>
      ) : (
        <div style={{ height: `${rows.length * ROW_HEIGHT}px`, position: "relative" }}>{items}</div>
      )}
    </div>
  );
}
