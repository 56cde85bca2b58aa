/**
 * The slice of the `chrome.*` extension API the extension uses, typed here
 * rather than by a global declaration, so the rest of the project does not
 * see a `chrome` global.
 */

/** A `chrome.runtime.Port`. */
export interface ChromePort {
  readonly name: string;
  readonly sender?: { tab?: { id?: number } | undefined; frameId?: number };
  postMessage(message: unknown): void;
  disconnect(): void;
  readonly onMessage: ChromeEvent<(message: unknown, port: ChromePort) => void>;
  readonly onDisconnect: ChromeEvent<(port: ChromePort) => void>;
}

/** A `chrome.events.Event`. */
export interface ChromeEvent<L> {
  addListener(listener: L): void;
  removeListener(listener: L): void;
}

/** `chrome`, as far as this extension uses it. */
export interface ChromeApi {
  runtime: {
    connect(info: { name: string }): ChromePort;
    readonly onConnect: ChromeEvent<(port: ChromePort) => void>;
  };
  devtools?: {
    inspectedWindow: { readonly tabId: number };
    panels: { create(title: string, iconPath: string, pagePath: string, callback?: (panel: unknown) => void): void };
  };
}

/** The extension API of the page this runs in. */
export function chromeApi(): ChromeApi {
  const api = (globalThis as { chrome?: ChromeApi }).chrome;
  if (api?.runtime === undefined) throw new Error("This script runs only inside the trio-asyncio devtools extension (chrome.runtime is missing).");
  return api;
}

/** The port name of a panel watching tab `tabId`. */
export function panelPortName(tabId: number): string {
  return `trio-asyncio-panel:${tabId}`;
}

/**
 * What the service worker tells a tab's panels when the page's content
 * script goes (the page navigated, reloaded or closed), as JSON text like
 * the page's messages. Not a page message: the extension's own.
 */
export const PAGE_GONE = JSON.stringify({ trioExtension: "pageGone" });

/** The port name of a page's content script. */
export const PAGE_PORT_NAME = "trio-asyncio-page";

/** The tab id in a panel port's name, or undefined if it is not one. */
export function tabIdOfPanelPort(name: string): number | undefined {
  const match = /^trio-asyncio-panel:(\d+)$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** The inspected tab, from a panel page's `?tabId=`; undefined if missing or not an id. */
export function tabIdFromQuery(search: string): number | undefined {
  const raw = new URLSearchParams(search).get("tabId");
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}
