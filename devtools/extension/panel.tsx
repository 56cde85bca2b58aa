/**
 * The extension's panel page: the same `<DevtoolsPanel/>` as the in-page
 * panel, fed by a `PortSource` connected (through the service worker) to
 * the inspected tab's page. The tab comes from the query string
 * (`panel.html?tabId=12`), set by the DevTools page (a test opens the page
 * as a tab the same way).
 */
import { render } from "preact";
import { useEffect, useReducer } from "preact/hooks";
import type { JSX } from "preact";
import { DevtoolsPanel } from "../panel.js";
import { PAGE_GONE, chromeApi, panelPortName, tabIdFromQuery, type ChromeApi, type ChromePort } from "./chrome-api.js";
import { fromPortText } from "./json-wire.js";
import { PortSource } from "./port-source.js";

/** Connects a source to tab `tabId`'s page, connecting again when the service worker restarts. */
function connectSource(tabId: number): PortSource {
  let port: ChromePort | null = null;
  const source = new PortSource((message) => port?.postMessage(message));
  const connect = (): void => {
    port = chromeApi().runtime.connect({ name: panelPortName(tabId) });
    port.onMessage.addListener((message) => {
      if (message === PAGE_GONE) source.pageGone();
      else source.receive(fromPortText(message));
    });
    port.onDisconnect.addListener(() => {
      port = null;
      connect();
      source.reconnected();
    });
  };
  connect();
  return source;
}

function App(props: { source: PortSource }): JSX.Element {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => props.source.onStatus(() => rerender(undefined)), [props.source]);
  return (
    <div style={{ display: "flex", flexDirection: "column", height: "100%" }}>
      {props.source.connected ? null : (
        <p role="status" style={{ margin: 0, padding: "6px 8px", font: "12px system-ui, sans-serif", color: "#dde1e7", background: "#2a2d35" }}>
          Waiting for the page: it shows here once it calls <code>exposeInspector()</code> from <code>trio-asyncio/devtools</code> (reload the page
          if it did before the extension was loaded).
        </p>
      )}
      <div style={{ flex: "1", minHeight: "0" }}>
        <DevtoolsPanel source={props.source} />
      </div>
    </div>
  );
}

const app = document.getElementById("app");
// In DevTools the panel page can also ask which tab it inspects (should a
// browser drop the query string of a panel's path).
const tabId = tabIdFromQuery(location.search) ?? (globalThis as { chrome?: ChromeApi }).chrome?.devtools?.inspectedWindow.tabId;
if (app !== null) {
  if (tabId === undefined) {
    app.textContent = "This panel needs the inspected tab's id: open it from DevTools, or as panel.html?tabId=<id>.";
  } else {
    render(<App source={connectSource(tabId)} />, app);
  }
}
