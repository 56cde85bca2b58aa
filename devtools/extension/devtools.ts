/**
 * The extension's DevTools page: adds the trio-asyncio panel to DevTools,
 * telling it which tab it inspects through its query string (the panel
 * page reads only that, so a test can open it for any tab).
 */
import { chromeApi } from "./chrome-api.js";

const api = chromeApi();
if (api.devtools !== undefined) {
  const tabId = api.devtools.inspectedWindow.tabId;
  api.devtools.panels.create("trio-asyncio", "", `panel.html?tabId=${tabId}`);
}
