/**
 * `exposeInspector()`: the page's side of the browser-extension panel. It
 * answers the extension's content script over `window.postMessage` with
 * the messages of `wire.ts`: while the panel watches, the page's inspector
 * updates go out as JSON text (throttled as the in-page panel's); the
 * panel's cancel buttons and stack requests come in.
 *
 * Why it is opt-in: a page that does not call it runs nothing and listens
 * to nothing for the extension, and what it exposes (task names, cancel)
 * is what any script on the page could already reach through `inspector`.
 * Only messages posted by this very window are answered (the content
 * script shares the window), never another frame's.
 */
import { inspector } from "../src/index.js";
import { throttledFrames } from "./panel.js";
import { checkOptions, shown } from "./format.js";
import { isToPage, wire, type InspectorStackWire, type InspectorWire, type ReadyWire, type ToPage } from "./wire.js";

/** Options of `exposeInspector`. */
export interface ExposeOptions {
  /** Minimum ms between two updates sent to the panel (default 100, as the in-page panel). */
  refreshInterval?: number | undefined;
}

/** What `exposeInspector` returns. */
export interface ExposedInspector {
  /** Stops answering: removes the listener and unsubscribes from the inspector. */
  dispose(): void;
}

const exposed = new WeakSet<object>();

/**
 * Lets the trio-asyncio browser extension's DevTools panel show and cancel
 * this page's tasks. Call it once (at page load, or lazily); `dispose()`
 * undoes it. Without it the extension's panel says the page has not opted in.
 */
export function exposeInspector(options: ExposeOptions = {}): ExposedInspector {
  const win = (globalThis as { window?: Window }).window;
  if (win === undefined || typeof win.postMessage !== "function" || typeof win.addEventListener !== "function") {
    throw new Error("exposeInspector() needs a browser window: it answers the devtools extension's content script through window.postMessage. In a worker, open it from the page (openWorker) and the page's inspector mirrors it.");
  }
  checkOptions("exposeInspector(options)", options, "{ refreshInterval: 100 }");
  const interval = options.refreshInterval ?? 100;
  if (typeof interval !== "number" || !Number.isFinite(interval) || interval < 0) {
    throw new TypeError(`exposeInspector({ refreshInterval }) takes a number of ms ≥ 0, not ${shown(interval)}.`);
  }
  if (exposed.has(win)) {
    throw new Error("The inspector is already exposed on this window: call dispose() on the first exposeInspector() handle before exposing it again.");
  }
  exposed.add(win);
  // Our own window only: "/" would refuse an opaque (file://) origin, and nothing else can receive it.
  const targetOrigin = win.location.origin === "null" ? "*" : win.location.origin;
  const post = (message: ReadyWire | InspectorWire | InspectorStackWire): void => {
    try {
      win.postMessage(message, targetOrigin);
    } catch {
      // The window is closing: nobody is listening any more.
    }
  };
  let unsubscribe: (() => void) | null = null;
  const stopWatching = (): void => {
    unsubscribe?.();
    unsubscribe = null;
  };
  const answer = (msg: ToPage): void => {
    if (msg.kind === "inspect") {
      // A watch that comes again (a panel reopened or reloaded) starts over with a full snapshot.
      stopWatching();
      if (msg.watch !== true) return;
      const timeOrigin = performance.timeOrigin;
      const send = (update: inspector.InspectorUpdate): void => {
        let updateJson: string;
        try {
          updateJson = JSON.stringify(update);
        } catch {
          return; // a value JSON refuses (a BigInt in a label?) costs this update, not the page
        }
        post(wire<InspectorWire>({ kind: "inspector", updateJson, timeOrigin }));
      };
      unsubscribe = inspector.subscribe(send, {
        captureStacks: msg.captureStacks === true,
        scheduleFrame: throttledFrames(interval),
      });
    } else if (msg.kind === "inspectCancel") {
      try {
        inspector.cancel(msg.what, msg.id, typeof msg.reason === "string" ? msg.reason : "cancelled from the devtools extension");
      } catch {
        // A malformed request (bad kind or id): inspector.cancel's TypeError, nothing to cancel.
      }
    } else if (msg.kind === "inspectStack" && typeof msg.id === "number") {
      post(wire<InspectorStackWire>({ kind: "inspectorStack", id: msg.id, stack: inspector.creationStack(msg.id) ?? null }));
    }
  };
  const onMessage = (event: MessageEvent): void => {
    if (event.source !== win || !isToPage(event.data)) return;
    answer(event.data);
  };
  win.addEventListener("message", onMessage);
  post(wire<ReadyWire>({ kind: "ready", operations: [] }));
  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      win.removeEventListener("message", onMessage);
      stopWatching();
      exposed.delete(win);
    },
  };
}
