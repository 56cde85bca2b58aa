import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { chromium, expect, test, type BrowserContext, type CDPSession, type Page, type Worker } from "@playwright/test";
import { CHROMIUM_FLAGS } from "./chromium-flags.js";
import { launchWithExtension, type ExtensionBrowser } from "./extension-browser.js";

// The browser extension's DevTools panel (devtools/extension/), loaded
// unpacked into Debian's Chromium. The last test opens it in DevTools
// itself (headless new mode runs DevTools' UI, reached over CDP); the
// others open the panel page as an ordinary tab of the same browser
// (chrome-extension://<id>/panel.html?tabId=<tab>, the URL DevTools gives
// it), so that Playwright's locators can drive it. Everything else is the
// real path: the page's exposeInspector(), the content script, the
// service worker.

const SLOW = "/api/playground/slow";
let browser: ExtensionBrowser;
let context: BrowserContext;
let worker: Worker;
let extensionDir = "";

test.beforeAll(async () => {
  browser = await launchWithExtension({ width: 1280, height: 1300 });
  ({ context, worker, extensionDir } = browser);
});

test.afterAll(async () => {
  await browser?.close();
});

const extensionId = (): string => new URL(worker.url()).host;

const tabIds = (): Promise<number[]> => browser.tabIds();

/** Opens the demo page in a new tab; returns it and its tab id. */
async function openDemo(baseURL: string, query = ""): Promise<{ page: Page; tabId: number }> {
  const before = new Set(await tabIds());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${baseURL}/extension.html${query}`);
  await expect(page.getByRole("treeitem", { name: /^fetcher-3 #/ })).toBeVisible();
  const added = (await tabIds()).filter((id) => !before.has(id));
  expect(added).toHaveLength(1);
  expect(errors).toEqual([]);
  return { page, tabId: added[0]! };
}

/** Opens the extension's panel page for tab `tabId`. */
async function openPanel(tabId: number): Promise<Page> {
  const panel = await context.newPage();
  await panel.goto(`chrome-extension://${extensionId()}/panel.html?tabId=${tabId}`);
  return panel;
}

/** Each tree row as "level key state name": what both panels must agree on. */
async function treeRows(page: Page): Promise<string[]> {
  return page.getByRole("tree", { name: "Runs and tasks" }).evaluate((tree) =>
    [...tree.querySelectorAll('[role="treeitem"]')].map((row) => {
      const label = row.getAttribute("aria-label") ?? "";
      // The name and id, not the timings after them (they tick).
      const name = /^(.*?#-?\d+)/.exec(label)?.[1] ?? label.split(" ")[0];
      return `${row.getAttribute("aria-level")} ${row.getAttribute("data-key")} ${row.getAttribute("data-state") ?? "-"} ${name}`;
    }),
  );
}

async function slowAborted(page: Page): Promise<number> {
  const stats = (await (await page.request.get("/api/stats")).json()) as { byPath: Record<string, { aborted: number }> };
  return stats.byPath[SLOW]?.aborted ?? 0;
}

test("the extension loads: its service worker runs and its panel shows the same tree as the in-page panel", async ({ baseURL }) => {
  expect(worker.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/background\.js$/);
  const { page, tabId } = await openDemo(baseURL!);
  const panel = await openPanel(tabId);
  await expect(panel.getByRole("treeitem", { name: /^fetcher-3 #/ })).toBeVisible();
  await expect(panel.getByRole("status")).toHaveCount(0); // no "waiting for the page"
  await expect(panel.getByRole("treeitem", { name: /^aio-worker #/ })).toBeVisible();
  // Row for row, key for key: the same tree (polled, a row's state may flip between two samples).
  const inPage = await treeRows(page);
  expect(inPage.length).toBeGreaterThan(8);
  await expect.poll(async () => JSON.stringify(await treeRows(panel))).toBe(JSON.stringify(await treeRows(page)));
  expect(await treeRows(panel)).toContain(inPage.find((r) => r.includes("fetcher-2")));
  // The page's inspector has two subscriptions: the in-page panel's and the extension's.
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { extensionDemo: { subscribers(): number } }).extensionDemo.subscribers())).toBe(2);
  mkdirSync(resolve(import.meta.dirname, "../test-results/screenshots"), { recursive: true });
  await panel.getByRole("treeitem", { name: /^fetcher-1 #/ }).click();
  await expect(panel.getByTestId("detail")).toContainText("fetcher-1");
  // About the size DevTools gives a panel docked at the bottom of a window.
  await panel.setViewportSize({ width: 1100, height: 560 });
  await panel.screenshot({ path: resolve(import.meta.dirname, "../test-results/screenshots/extension-panel.png") });
  await panel.setViewportSize({ width: 1280, height: 1300 });
  // The page reloads: its new content script connects, the page says it is ready, the panel asks again.
  await page.reload();
  await expect(page.getByRole("treeitem", { name: /^fetcher-3 #/ })).toBeVisible();
  await expect.poll(async () => JSON.stringify(await treeRows(panel))).toBe(JSON.stringify(await treeRows(page)));
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { extensionDemo: { subscribers(): number } }).extensionDemo.subscribers())).toBe(2);
  // The page navigates to a page that does not opt in: the panel empties and waits again.
  await page.goto(`${baseURL}/index.html`);
  await expect(panel.getByRole("status")).toContainText("exposeInspector()");
  await expect(panel.getByRole("treeitem")).toHaveCount(0);
  await page.goBack();
  await expect(panel.getByRole("treeitem", { name: /^fetcher-3 #/ })).toBeVisible();
  await expect(panel.getByRole("status")).toHaveCount(0);
  // Closing the extension's panel ends its subscription in the page.
  await panel.close();
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { extensionDemo: { subscribers(): number } }).extensionDemo.subscribers())).toBe(1);
  await page.close();
});

test("cancel from the extension's panel cancels the task in the page: its finally runs and its fetch is aborted", async ({ baseURL }) => {
  await (await context.newPage()).request.get("/api/stats/reset");
  const { page, tabId } = await openDemo(baseURL!);
  await expect.poll(async () => (await (await page.request.get("/api/stats")).json()).byPath[SLOW]?.started ?? 0).toBe(3);
  const panel = await openPanel(tabId);
  const before = await slowAborted(page);
  await panel.getByRole("treeitem", { name: /^fetcher-2 #/ }).click();
  await panel.getByTestId("detail").getByRole("button", { name: "Cancel task fetcher-2" }).click();
  await expect(page.getByRole("list", { name: "Log" })).toContainText("fetcher-2 finally");
  await expect.poll(() => slowAborted(page)).toBe(before + 1);
  // Both panels show it exited; its siblings run on.
  await expect(page.getByRole("treeitem", { name: /^fetcher-2 #/ })).toHaveClass(/tad-exited/);
  await expect(panel.getByRole("treeitem", { name: /^fetcher-2 #/ })).toHaveClass(/tad-exited/);
  await expect(panel.getByTestId("detail").getByTestId("task-outcome")).toHaveText(/^cancelled.*: cancelled from the devtools panel$/);
  await expect(page.getByRole("list", { name: "Log" })).not.toContainText("fetcher-1 finally");
  await panel.close();
  await page.close();
});

test("a page shows in the extension only once it opts in, and stops when it disposes", async ({ baseURL }) => {
  const { page, tabId } = await openDemo(baseURL!, "?expose=later");
  const subscribers = () => page.evaluate(() => (globalThis as unknown as { extensionDemo: { subscribers(): number } }).extensionDemo.subscribers());
  const panel = await openPanel(tabId);
  await expect(panel.getByRole("status")).toContainText("exposeInspector()");
  await expect(panel.getByRole("treeitem")).toHaveCount(0);
  expect(await subscribers()).toBe(1); // the in-page panel's only
  // Exposed later: the page says it is ready and the watching panel asks for a snapshot.
  await page.getByRole("button", { name: "Expose the inspector" }).click();
  await expect(panel.getByRole("treeitem", { name: /^fetcher-3 #/ })).toBeVisible();
  await expect(panel.getByRole("status")).toHaveCount(0);
  await expect.poll(subscribers).toBe(2);
  // Disposed: the page unsubscribes at once and stops answering.
  await page.getByRole("button", { name: "Stop exposing" }).click();
  await expect.poll(subscribers).toBe(1);
  await panel.reload();
  await expect(panel.getByRole("status")).toContainText("exposeInspector()");
  await expect(panel.getByRole("treeitem")).toHaveCount(0);
  expect(await subscribers()).toBe(1);
  await panel.close();
  await page.close();
});

test("the panel and the page reconnect when the service worker is stopped (Chrome stops it when idle)", async ({ baseURL }) => {
  const { page, tabId } = await openDemo(baseURL!);
  const panel = await openPanel(tabId);
  await expect(panel.getByRole("treeitem", { name: /^fetcher-3 #/ })).toBeVisible();
  const cdp = await context.newCDPSession(panel);
  const versions: string[] = [];
  cdp.on("ServiceWorker.workerVersionUpdated", (e) => versions.push(...e.versions.map((v) => `${v.versionId}:${v.runningStatus}`)));
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.stopAllWorkers");
  // It stopped, and the ports connecting again started it again.
  await expect.poll(() => versions.join(" ")).toMatch(/:stopped .*:running$/);
  // Both sides connected again: a cancel from the panel still reaches the page.
  await panel.getByRole("treeitem", { name: /^fetcher-1 #/ }).click();
  await panel.getByTestId("detail").getByRole("button", { name: "Cancel task fetcher-1" }).click();
  await expect(page.getByRole("list", { name: "Log" })).toContainText("fetcher-1 finally");
  await expect(panel.getByRole("treeitem", { name: /^fetcher-1 #/ })).toHaveClass(/tad-exited/);
  await panel.close();
  await page.close();
});

/**
 * A CDP session to a target Playwright does not expose (DevTools' own
 * page, an extension panel's frame inside it), through a page's session:
 * Target.attachToTarget without flattening, then messages in and out.
 */
class RawTarget {
  private nextId = 1;
  private readonly pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();

  private constructor(
    private readonly session: CDPSession,
    private readonly sessionId: string,
  ) {
    session.on("Target.receivedMessageFromTarget", (e) => {
      if (e.sessionId !== this.sessionId) return;
      const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: unknown };
      if (m.id !== undefined) this.pending.get(m.id)?.(m);
    });
  }

  static async attach(session: CDPSession, targetId: string): Promise<RawTarget> {
    const { sessionId } = await session.send("Target.attachToTarget", { targetId, flatten: false });
    return new RawTarget(session, sessionId);
  }

  async call<T>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<{ result?: unknown; error?: unknown }>((resolve) => this.pending.set(id, resolve));
    await this.session.send("Target.sendMessageToTarget", { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) });
    const m = await answer;
    this.pending.delete(id);
    if (m.error !== undefined) throw new Error(`${method}: ${JSON.stringify(m.error)}`);
    return m.result as T;
  }

  /** Evaluates `expression` (awaited) in the target; returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.call<{ result: { value?: T }; exceptionDetails?: unknown }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails !== undefined) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value as T;
  }
}

async function targets(session: CDPSession): Promise<{ targetId: string; type: string; url: string; title: string }[]> {
  return (await session.send("Target.getTargets")).targetInfos;
}

/** The tree rows of a panel document, as treeRows() reads them (for a target reached by CDP). */
const TREE_ROWS = `[...document.querySelectorAll('[role="tree"][aria-label="Runs and tasks"] [role="treeitem"]')].map((row) => {
  const label = row.getAttribute("aria-label") ?? "";
  const name = /^(.*?#-?\\d+)/.exec(label)?.[1] ?? label.split(" ")[0];
  return row.getAttribute("aria-level") + " " + row.getAttribute("data-key") + " " + (row.getAttribute("data-state") ?? "-") + " " + name;
})`;

test("in DevTools itself: the trio-asyncio panel opens for the inspected tab, shows its tree and cancels in it", async ({ baseURL }) => {
  // Its own browser, with DevTools opened for every tab (headless new mode runs DevTools' UI too).
  const dir = mkdtempSync(resolve(tmpdir(), "trio-extension-devtools-"));
  const browser = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: false,
    ignoreDefaultArgs: ["--disable-extensions"],
    viewport: { width: 1280, height: 1000 },
    args: ["--headless=new", `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, "--auto-open-devtools-for-tabs", ...CHROMIUM_FLAGS],
  });
  try {
    const sw = browser.serviceWorkers()[0] ?? (await browser.waitForEvent("serviceworker"));
    const id = new URL(sw.url()).host;
    const page = await browser.newPage();
    await page.goto(`${baseURL}/extension.html`);
    await expect(page.getByRole("treeitem", { name: /^fetcher-3 #/ })).toBeVisible();
    const session = await browser.newCDPSession(page);
    // DevTools' page for this tab; its extension view once the DevTools page has created it.
    let devtoolsId = "";
    await expect.poll(async () => (devtoolsId = (await targets(session)).find((t) => t.url.startsWith("devtools://") && t.title.includes("extension.html"))?.targetId ?? "")).not.toBe("");
    const devtools = await RawTarget.attach(session, devtoolsId);
    const viewId = `chrome-extension://${id}trio-asyncio`;
    await expect
      .poll(() =>
        devtools.evaluate<boolean>(`(async () => {
          const UI = await import("./ui/legacy/legacy.js");
          const manager = UI.ViewManager.ViewManager.instance();
          if (![...manager.views.keys()].includes(${JSON.stringify(viewId)})) return false;
          await manager.showView(${JSON.stringify(viewId)});
          return true;
        })()`),
      )
      .toBe(true);
    // The panel's frame inside DevTools, told the inspected tab by its query string.
    let panelId = "";
    await expect.poll(async () => (panelId = (await targets(session)).find((t) => t.url.startsWith(`chrome-extension://${id}/panel.html?tabId=`))?.targetId ?? "")).not.toBe("");
    const panel = await RawTarget.attach(session, panelId);
    await expect.poll(async () => JSON.stringify(await panel.evaluate<string[]>(TREE_ROWS))).toBe(JSON.stringify(await treeRows(page)));
    // A picture of DevTools with the panel (DevTools' own page, so the page's screenshot would not show it),
    // undocked into its own window so the picture is DevTools alone.
    await devtools.evaluate(`(async () => { const UI = await import("./ui/legacy/legacy.js"); UI.DockController.DockController.instance().setDockSide("undocked"); })()`);
    const { windowId } = await devtools.call<{ windowId: number }>("Browser.getWindowForTarget");
    await devtools.call("Browser.setWindowBounds", { windowId, bounds: { width: 1100, height: 600 } });
    await expect.poll(async () => JSON.stringify(await panel.evaluate<string[]>(TREE_ROWS))).toBe(JSON.stringify(await treeRows(page)));
    await panel.evaluate(`document.querySelector('[role="treeitem"][aria-label^="fetcher-1 #"]').click()`);
    await expect.poll(() => panel.evaluate<string>(`document.querySelector('[data-testid="detail"]')?.textContent ?? ""`)).toContain("Cancel task");
    const shot = await devtools.call<{ data: string }>("Page.captureScreenshot", { format: "png" });
    writeFileSync(resolve(import.meta.dirname, "../test-results/screenshots/extension-devtools.png"), Buffer.from(shot.data, "base64"));
    // Cancel from the panel in DevTools: the page's task runs its finally.
    await panel.evaluate(`document.querySelector('[role="treeitem"][aria-label^="fetcher-2 #"]').click()`);
    await expect.poll(() => panel.evaluate<boolean>(`document.querySelector('button[aria-label="Cancel task fetcher-2"]') !== null`)).toBe(true);
    await panel.evaluate(`document.querySelector('button[aria-label="Cancel task fetcher-2"]').click()`);
    await expect(page.getByRole("list", { name: "Log" })).toContainText("fetcher-2 finally");
    await expect.poll(() => panel.evaluate<string>(`document.querySelector('[role="treeitem"][aria-label^="fetcher-2 #"]')?.className ?? ""`)).toMatch(/tad-exited/);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
