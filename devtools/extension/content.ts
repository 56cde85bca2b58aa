/**
 * The extension's content script, in every page's top frame: relays the
 * page's inspector messages (window.postMessage, from `exposeInspector`)
 * to the service worker, and the panel's requests back to the page. It
 * reads nothing else of the page, and connects to the extension only once
 * the page has opted in (its `ready` message): a page that never calls
 * `exposeInspector` only gets a listener that ignores its messages.
 */
import { PAGE_PORT_NAME, chromeApi, type ChromePort } from "./chrome-api.js";
import { toPortText } from "./json-wire.js";
import { isFromPage, isToPage, wire, type InspectWire, type ReadyWire } from "../wire.js";

const targetOrigin = location.origin === "null" ? "*" : location.origin;
let port: ChromePort | null = null;
let stopped = false;
// Ports that dropped right after connecting, in a row: the extension refuses this page.
let quickDrops = 0;

/** Connects to the service worker; null if the extension is gone. */
function connect(): ChromePort | null {
  let connected: ChromePort;
  try {
    connected = chromeApi().runtime.connect({ name: PAGE_PORT_NAME });
  } catch {
    stop(); // the extension was reloaded or removed: this script is orphaned
    return null;
  }
  port = connected;
  const since = Date.now();
  connected.onMessage.addListener((message) => {
    if (isToPage(message)) window.postMessage(message, targetOrigin);
  });
  connected.onDisconnect.addListener(() => {
    port = null;
    quickDrops = Date.now() - since < 1000 ? quickDrops + 1 : 0;
    if (quickDrops >= 3) {
      stop();
      return;
    }
    // The service worker stopped (it does when idle): connect again and say the
    // page is there, so a watching panel asks for a fresh snapshot.
    connect()?.postMessage(toPortText(wire<ReadyWire>({ kind: "ready", operations: [] })));
  });
  return connected;
}

function onMessage(event: MessageEvent): void {
  if (stopped || event.source !== window || !isFromPage(event.data)) return;
  if (port === null && event.data.kind === "ready") connect();
  port?.postMessage(toPortText(event.data));
}

function stop(): void {
  if (stopped) return;
  stopped = true;
  window.removeEventListener("message", onMessage);
  // The page keeps no subscription for a panel that can no longer hear it.
  window.postMessage(wire<InspectWire>({ kind: "inspect", watch: false }), targetOrigin);
}

window.addEventListener("message", onMessage);
