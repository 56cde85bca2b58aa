/**
 * `mountDevtools`: the panel as a floating, draggable, resizable window
 * (or docked to the bottom or right edge, where it takes room from the
 * page instead of covering it) with a toggle button, inside a Shadow DOM
 * root so neither the page's styles nor the panel's leak across.
 * Open/closed, dock, position and sizes are remembered in localStorage.
 * While closed the panel is unmounted, so it is unsubscribed from the
 * inspector and costs the page nothing, unless `recordWhileClosed` keeps
 * a slow subscription feeding the page-lifetime store.
 */
import { render } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { DevtoolsPanel } from "./panel.js";
import { CloseIcon, DockIcon, MoveIcon, PanelIcon } from "./icons.js";
import { PanelStore } from "./store.js";
import { liveSource } from "./source.js";
import { FRAME_CSS, PANEL_CSS } from "./styles.js";
import { checkOptions, shown } from "./format.js";

/** Options of `mountDevtools`. */
export interface MountOptions {
  /** Open the panel at once when nothing is remembered (default false). */
  initiallyOpen?: boolean | undefined;
  /** The localStorage key for open/closed, position and size (default "trio-asyncio-devtools"). */
  storageKey?: string | undefined;
  /** Where to attach the panel's host element (default document.body). */
  container?: HTMLElement | undefined;
  /** Where the panel sits when nothing is remembered (default "float"). */
  dock?: Dock | undefined;
  /**
   * Keep recording while the panel is closed (default false): the timeline,
   * the history of exited tasks and their errors then reach back to when
   * `mountDevtools` was called (call it at page load), so opening the panel
   * after a bug shows what led there. Bounded like the open panel's (the
   * newest events and batches, the last 200 exited tasks). Costs the page
   * an inspector walk every `recordIntervalMs` and a few pushes per spawn,
   * exit and scheduler batch: see `bench/panel-cost.ts`.
   */
  recordWhileClosed?: boolean | undefined;
  /** While closed and recording: ms between inspector updates (default 1000). */
  recordIntervalMs?: number | undefined;
}

/** Where the panel sits: a floating window, or docked to an edge of the viewport. */
export type Dock = "float" | "bottom" | "right";

const DOCKS: readonly Dock[] = ["float", "bottom", "right"];

/** What `mountDevtools` returns. */
export interface MountedDevtools {
  /** Removes the panel and its host element, and unsubscribes. */
  unmount(): void;
}

/** Remembered between page loads. */
interface Layout {
  open: boolean;
  dock: Dock;
  /** The floating window. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Docked: the height at the bottom, the width at the right (CSS px). */
  bottomSize: number;
  rightSize: number;
}

const DOCK_LABELS: Record<Dock, string> = { float: "Float the panel", bottom: "Dock to the bottom", right: "Dock to the right" };

const MIN_W = 320;
const MIN_H = 200;

function viewport(): { w: number; h: number } {
  return { w: globalThis.innerWidth || 1024, h: globalThis.innerHeight || 768 };
}

function defaultLayout(open: boolean, dock: Dock): Layout {
  const { w, h } = viewport();
  const width = Math.min(860, Math.max(MIN_W, w - 40));
  const height = Math.min(520, Math.max(MIN_H, Math.round(h * 0.6)));
  return {
    open,
    dock,
    x: Math.max(0, w - width - 20),
    y: Math.max(0, h - height - 60),
    width,
    height,
    bottomSize: Math.max(MIN_H, Math.round(h * 0.4)),
    rightSize: Math.max(MIN_W, Math.min(480, Math.round(w * 0.4))),
  };
}

/** Keeps the frame on screen (the window may have shrunk since last time), and leaves the page some room when docked. */
function clamp(l: Layout): Layout {
  const { w, h } = viewport();
  const width = Math.max(MIN_W, Math.min(l.width, w));
  const height = Math.max(MIN_H, Math.min(l.height, h));
  return {
    open: l.open,
    dock: l.dock,
    width,
    height,
    x: Math.max(0, Math.min(l.x, w - width)),
    y: Math.max(0, Math.min(l.y, h - height)),
    bottomSize: Math.max(MIN_H / 2, Math.min(l.bottomSize, h - 80)),
    rightSize: Math.max(MIN_W, Math.min(l.rightSize, w - 120)),
  };
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // e.g. blocked by privacy settings
  }
}

function loadLayout(key: string, initiallyOpen: boolean, dock: Dock): Layout {
  const fallback = defaultLayout(initiallyOpen, dock);
  try {
    const raw = storage()?.getItem(key);
    if (raw === null || raw === undefined) return fallback;
    const v = JSON.parse(raw) as Partial<Layout>;
    const num = (x: unknown, d: number) => (typeof x === "number" && Number.isFinite(x) ? x : d);
    return clamp({
      open: typeof v.open === "boolean" ? v.open : initiallyOpen,
      dock: DOCKS.includes(v.dock as Dock) ? (v.dock as Dock) : dock,
      x: num(v.x, fallback.x),
      y: num(v.y, fallback.y),
      width: num(v.width, fallback.width),
      height: num(v.height, fallback.height),
      bottomSize: num(v.bottomSize, fallback.bottomSize),
      rightSize: num(v.rightSize, fallback.rightSize),
    });
  } catch {
    return fallback;
  }
}

function saveLayout(key: string, layout: Layout): void {
  try {
    storage()?.setItem(key, JSON.stringify(layout));
  } catch {
    // Quota or privacy settings: the layout is just not remembered.
  }
}

/** Follows a pointer drag, calling `move(dx, dy)` and `done()` at the end. */
function drag(e: PointerEvent, move: (dx: number, dy: number) => void, done: () => void): void {
  if (e.button !== 0) return;
  e.preventDefault();
  const x0 = e.clientX;
  const y0 = e.clientY;
  const target = e.currentTarget as HTMLElement;
  target.setPointerCapture?.(e.pointerId);
  const onMove = (ev: PointerEvent) => move(ev.clientX - x0, ev.clientY - y0);
  const onUp = () => {
    target.removeEventListener("pointermove", onMove);
    target.removeEventListener("pointerup", onUp);
    target.removeEventListener("pointercancel", onUp);
    done();
  };
  target.addEventListener("pointermove", onMove);
  target.addEventListener("pointerup", onUp);
  target.addEventListener("pointercancel", onUp);
}

/**
 * While docked and open, the page gets padding on that edge as large as
 * the panel, so the panel takes room instead of covering content; the
 * page's own inline padding comes back when undocked, closed or unmounted.
 * A layout effect, so the padding changes in the same frame as the dock:
 * the page never paints with room reserved for a panel that has moved.
 */
function useReservedEdge(dock: Dock, open: boolean, size: number): void {
  useLayoutEffect(() => {
    const root = globalThis.document?.documentElement;
    if (root === undefined || !open || dock === "float") return;
    const prop = dock === "bottom" ? "paddingBottom" : "paddingRight";
    const before = root.style[prop];
    root.style[prop] = `${size}px`;
    return () => {
      root.style[prop] = before;
    };
  }, [dock, open, size]);
}

/**
 * While the panel is closed, feeds the store from a slow inspector
 * subscription (the open panel has its own). A layout effect, so that it
 * subscribes within `mountDevtools()` itself: a run started right after
 * is recorded from its first spawn.
 */
function useClosedRecorder(store: PanelStore, active: boolean, intervalMs: number): void {
  useLayoutEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = liveSource.subscribe((update) => store.apply(update), {
      scheduleFrame: (flush) => {
        timer = setTimeout(() => {
          timer = null;
          flush();
        }, intervalMs);
      },
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [store, active, intervalMs]);
}

function Floating(props: {
  storageKey: string;
  initiallyOpen: boolean;
  dock: Dock;
  store: PanelStore;
  recordWhileClosed: boolean;
  recordIntervalMs: number;
}): JSX.Element {
  const [layout, setLayout] = useState<Layout>(() => loadLayout(props.storageKey, props.initiallyOpen, props.dock));
  const latest = useRef(layout);
  latest.current = layout;
  const toggleRef = useRef<HTMLButtonElement>(null);

  // Remember what the user changes, not this mount's defaults: saved at
  // mount, `initiallyOpen: false` (or the default dock) would be stored as
  // if chosen, and a later `initiallyOpen: true` or `dock` ignored for good.
  const changedSinceMount = useRef(false);
  useEffect(() => {
    if (changedSinceMount.current) saveLayout(props.storageKey, layout);
    changedSinceMount.current = true;
  }, [layout.open, layout.dock]);
  useReservedEdge(layout.dock, layout.open, layout.dock === "bottom" ? layout.bottomSize : layout.rightSize);
  useClosedRecorder(props.store, props.recordWhileClosed && !layout.open, props.recordIntervalMs);
  useEffect(() => {
    const onResize = () => setLayout((l) => clamp(l));
    globalThis.addEventListener?.("resize", onResize);
    return () => globalThis.removeEventListener?.("resize", onResize);
  }, []);

  const setOpen = (open: boolean) => {
    setLayout({ ...latest.current, open });
    if (!open) toggleRef.current?.focus();
  };
  const commit = () => saveLayout(props.storageKey, latest.current);

  const startMove = (e: PointerEvent) => {
    const start = latest.current;
    drag(e, (dx, dy) => setLayout(clamp({ ...start, x: start.x + dx, y: start.y + dy })), commit);
  };
  const startResize = (e: PointerEvent) => {
    const start = latest.current;
    drag(e, (dx, dy) => setLayout(clamp({ ...start, width: start.width + dx, height: start.height + dy })), commit);
  };
  // Docked: the inner edge resizes (dragging it away from the page's edge grows the panel).
  const startEdge = (e: PointerEvent) => {
    const start = latest.current;
    drag(
      e,
      (dx, dy) => setLayout(clamp(start.dock === "bottom" ? { ...start, bottomSize: start.bottomSize - dy } : { ...start, rightSize: start.rightSize - dx })),
      commit,
    );
  };
  const setDock = (dock: Dock) => setLayout(clamp({ ...latest.current, dock }));
  // The keyboard's way to drag: arrows move a floating panel, Shift+arrows
  // resize it; docked, the arrows move the inner edge.
  const onMoveKey = (e: KeyboardEvent) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (d === undefined) return;
    e.preventDefault();
    const step = e.altKey ? 2 : 20;
    const [dx, dy] = [d[0]! * step, d[1]! * step];
    const l = latest.current;
    let next: Layout;
    if (l.dock === "bottom") next = { ...l, bottomSize: l.bottomSize - dy };
    else if (l.dock === "right") next = { ...l, rightSize: l.rightSize - dx };
    else if (e.shiftKey) next = { ...l, width: l.width + dx, height: l.height + dy };
    else next = { ...l, x: l.x + dx, y: l.y + dy };
    setLayout(clamp(next));
    saveLayout(props.storageKey, clamp(next));
  };
  const docked = layout.dock !== "float";
  const frameStyle =
    layout.dock === "bottom"
      ? { left: "0px", right: "0px", bottom: "0px", height: `${layout.bottomSize}px` }
      : layout.dock === "right"
        ? { top: "0px", right: "0px", bottom: "0px", width: `${layout.rightSize}px` }
        : { left: `${layout.x}px`, top: `${layout.y}px`, width: `${layout.width}px`, height: `${layout.height}px` };

  return (
    <>
      <button
        ref={toggleRef}
        type="button"
        class="tad-toggle"
        // Docked, the button sits beside the panel rather than over its status line.
        style={layout.open && layout.dock === "bottom" ? { bottom: `${layout.bottomSize + 14}px` } : layout.open && layout.dock === "right" ? { right: `${layout.rightSize + 14}px` } : undefined}
        aria-expanded={layout.open}
        aria-label={layout.open ? "Close trio-asyncio devtools" : "Open trio-asyncio devtools"}
        onClick={() => setOpen(!layout.open)}
      >
        {layout.open ? <CloseIcon /> : <PanelIcon />}
        <span>trio</span>
      </button>
      {layout.open ? (
        <div
          class={docked ? "tad-frame tad-docked" : "tad-frame"}
          role="dialog"
          aria-label="trio-asyncio devtools"
          data-dock={layout.dock}
          style={frameStyle}
          onKeyDown={(e) => {
            if (e.key !== "Escape") return;
            // In a text field, Escape belongs to the field (clearing a search),
            // not to the panel.
            const target = e.target as HTMLElement | null;
            if (target !== null && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
            setOpen(false);
          }}
        >
          <div class="tad-head">
            <div class="tad-grip" title={docked ? undefined : "Drag to move"} aria-hidden="true" onPointerDown={docked ? undefined : startMove} />
            <button
              type="button"
              class="tad-move"
              aria-label={docked ? "Resize the panel: arrow keys" : "Move the panel: arrow keys (Shift: resize)"}
              title={docked ? "Focus, then arrow keys resize the panel" : "Focus, then arrow keys move the panel (Shift+arrows resize)"}
              onKeyDown={onMoveKey}
            >
              <MoveIcon />
            </button>
            <span class="tad-dock" role="group" aria-label="Dock the panel">
              {DOCKS.map((d) => (
                <button key={d} type="button" aria-pressed={layout.dock === d} aria-label={DOCK_LABELS[d]} title={DOCK_LABELS[d]} onClick={() => setDock(d)}>
                  <DockIcon dock={d} />
                </button>
              ))}
            </span>
          </div>
          <div class="tad-body">
            <DevtoolsPanel store={props.store} injectStyles={false} onClose={() => setOpen(false)} />
          </div>
          {layout.dock === "float" ? <div class="tad-resize" title="Drag to resize" aria-hidden="true" onPointerDown={startResize} /> : null}
          {docked ? (
            <div class={layout.dock === "bottom" ? "tad-edge tad-edge-top" : "tad-edge tad-edge-left"} title="Drag to resize" aria-hidden="true" onPointerDown={startEdge} />
          ) : null}
        </div>
      ) : null}
    </>
  );
}

/** An element (or a shadow root) the panel's host can be appended to; false, not a throw, for a hostile value. */
function isContainer(value: unknown): value is HTMLElement {
  try {
    return (typeof Element === "function" && value instanceof Element) || (typeof DocumentFragment === "function" && value instanceof DocumentFragment);
  } catch {
    return false;
  }
}

/**
 * Mounts the floating devtools panel (and its toggle button) on the page.
 * Call `unmount()` on the result to remove it.
 */
export function mountDevtools(options: MountOptions = {}): MountedDevtools {
  checkOptions("mountDevtools(options)", options, "{ initiallyOpen: true }");
  if (typeof document === "undefined") {
    throw new Error("mountDevtools() needs a DOM (call it in the browser, after the page has loaded).");
  }
  // Each option is read once (a getter that throws raises its own error, before anything is mounted).
  const { dock: givenDock, recordIntervalMs: givenInterval, container: givenContainer, storageKey: givenKey, initiallyOpen, recordWhileClosed } = options;
  const dock = givenDock ?? "float";
  if (!DOCKS.includes(dock)) {
    throw new TypeError(`mountDevtools({ dock }) takes "float", "bottom" or "right", got ${shown(dock)}.`);
  }
  const recordIntervalMs = givenInterval ?? 1000;
  if (typeof recordIntervalMs !== "number" || !(recordIntervalMs >= 16)) {
    throw new TypeError(`mountDevtools({ recordIntervalMs }) takes a number of milliseconds, at least 16; got ${typeof recordIntervalMs === "number" ? recordIntervalMs : shown(recordIntervalMs)}.`);
  }
  const storageKey = givenKey ?? "trio-asyncio-devtools";
  if (typeof storageKey !== "string") throw new TypeError(`mountDevtools({ storageKey }) takes a string (the localStorage key), got ${shown(storageKey)}.`);
  for (const [key, value] of [["initiallyOpen", initiallyOpen], ["recordWhileClosed", recordWhileClosed]] as const) {
    if (value !== undefined && typeof value !== "boolean") throw new TypeError(`mountDevtools({ ${key} }) takes true or false, got ${shown(value)}.`);
  }
  if (givenContainer !== undefined && !isContainer(givenContainer)) {
    throw new TypeError(`mountDevtools({ container }) takes a DOM element to attach the panel to (default document.body), got ${shown(givenContainer)}.`);
  }
  const container = givenContainer ?? document.body;
  if (container === null || container === undefined) {
    throw new Error("mountDevtools(): document.body does not exist yet; call it after the page has loaded, or pass { container }.");
  }
  const host = document.createElement("div");
  host.setAttribute("data-trio-asyncio-devtools", "");
  container.appendChild(host);
  const shadow = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = FRAME_CSS + PANEL_CSS;
  shadow.appendChild(style);
  const mountPoint = document.createElement("div");
  shadow.appendChild(mountPoint);
  // One store for the page's life: closing and reopening keeps the timeline and errors.
  const store = new PanelStore();
  render(
    <Floating
      storageKey={storageKey}
      initiallyOpen={initiallyOpen === true}
      dock={dock}
      store={store}
      recordWhileClosed={recordWhileClosed === true}
      recordIntervalMs={recordIntervalMs}
    />,
    mountPoint,
  );
  let mounted = true;
  return {
    unmount() {
      if (!mounted) return;
      mounted = false;
      render(null, mountPoint);
      host.remove();
    },
  };
}
