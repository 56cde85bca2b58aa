/**
 * The service worker's job: connect each DevTools panel (one port per
 * panel, named after the tab it inspects) with the content script of that
 * tab's page (one port per page load, its tab known from the sender).
 *
 * Why it is built so: a panel and a content script cannot talk directly,
 * and the service worker may be stopped and started again at any time, so
 * it keeps nothing but the live ports; a side whose port drops connects
 * again and says what it wants (the panel asks to watch again). The page
 * has one inspector subscription for all panels of its tab: it is told to
 * stop only when the last watching panel stops or goes.
 */
import { PAGE_GONE, PAGE_PORT_NAME, tabIdOfPanelPort, type ChromePort } from "./chrome-api.js";
import { isToPage, wire, type InspectWire } from "../wire.js";

/** The ports of one tab. */
interface TabPorts {
  page: ChromePort | null;
  panels: Set<ChromePort>;
  watching: Set<ChromePort>;
}

/** Routes messages between the panels and the pages, by tab. */
export class Router {
  private readonly tabs = new Map<number, TabPorts>();

  /** Takes a newly connected port (a panel's or a content script's); ignores others. */
  connect(port: ChromePort): void {
    const panelTab = tabIdOfPanelPort(port.name);
    if (panelTab !== undefined) this.connectPanel(panelTab, port);
    else if (port.name === PAGE_PORT_NAME) this.connectPage(port);
  }

  /** How many ports are routed now (for tests). */
  get size(): number {
    let n = 0;
    for (const t of this.tabs.values()) n += t.panels.size + (t.page === null ? 0 : 1);
    return n;
  }

  private tab(tabId: number): TabPorts {
    let t = this.tabs.get(tabId);
    if (t === undefined) {
      t = { page: null, panels: new Set(), watching: new Set() };
      this.tabs.set(tabId, t);
    }
    return t;
  }

  private connectPanel(tabId: number, port: ChromePort): void {
    const t = this.tab(tabId);
    t.panels.add(port);
    port.onMessage.addListener((message) => {
      if (!isToPage(message)) return;
      if (message.kind === "inspect") {
        if (message.watch === true) t.watching.add(port);
        else {
          t.watching.delete(port);
          // Another panel of this tab still watches: the page keeps sending.
          if (t.watching.size > 0) return;
        }
      }
      t.page?.postMessage(message);
    });
    port.onDisconnect.addListener(() => {
      t.panels.delete(port);
      const wasWatching = t.watching.delete(port);
      if (wasWatching && t.watching.size === 0) t.page?.postMessage(wire<InspectWire>({ kind: "inspect", watch: false }));
      this.forget(tabId, t);
    });
  }

  private connectPage(port: ChromePort): void {
    const tabId = port.sender?.tab?.id;
    // Top frames of tabs only (the content script is not injected elsewhere).
    if (tabId === undefined || (port.sender?.frameId ?? 0) !== 0) {
      port.disconnect();
      return;
    }
    const t = this.tab(tabId);
    t.page = port;
    // A page's messages arrive as JSON text (json-wire.ts); the panels decode them.
    port.onMessage.addListener((message) => {
      if (typeof message !== "string") return;
      for (const panel of t.panels) panel.postMessage(message);
    });
    port.onDisconnect.addListener(() => {
      if (t.page !== port) return; // replaced by the next page's already
      t.page = null;
      // The panels must not go on showing a page that is not there.
      for (const panel of t.panels) panel.postMessage(PAGE_GONE);
      this.forget(tabId, t);
    });
  }

  private forget(tabId: number, t: TabPorts): void {
    if (t.page === null && t.panels.size === 0) this.tabs.delete(tabId);
  }
}
