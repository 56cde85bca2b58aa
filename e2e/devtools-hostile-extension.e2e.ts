import { expect, test, type BrowserContext, type Worker } from "@playwright/test";
import { launchWithExtension, type ExtensionBrowser } from "./extension-browser.js";

// The browser extension's panel (devtools/extension/, unpacked, --headless=new) on a page with two
// runs (demos/devtools-playground-hostile?expose=1): the hostile run (HTML and control characters
// in names and reasons, a megabyte name, errors whose getters throw, an asyncio Task whose
// getName and cancelling throw when the inspector asks) and a plain one. The panel must show
// both, as text, and the page's run must end as it does unwatched.

let browser: ExtensionBrowser;
let context: BrowserContext;
let worker: Worker;

test.beforeAll(async () => {
  browser = await launchWithExtension({ width: 1280, height: 900 });
  ({ context, worker } = browser);
});

test.afterAll(async () => {
  await browser?.close();
});

const tabIds = (): Promise<number[]> => browser.tabIds();

test("two runs, one hostile and throwing when inspected: the extension's panel shows both as text, the run ends as unwatched", async ({ baseURL }) => {
  test.setTimeout(60_000);
  const before = new Set(await tabIds());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text().slice(0, 300));
  });
  await page.goto(`${baseURL}/devtools-playground-hostile.html?expose=1`);
  await expect(page.locator("#status")).toHaveText("ready");
  const tabId = (await tabIds()).find((id) => !before.has(id))!;
  const panel = await context.newPage();
  const panelErrors: string[] = [];
  panel.on("pageerror", (e) => panelErrors.push(String(e)));
  await panel.goto(`chrome-extension://${new URL(worker.url()).host}/panel.html?tabId=${tabId}`);
  const row = (name: RegExp) => panel.getByRole("treeitem", { name });
  // Both runs, and the hostile names as text.
  await expect(row(/^idle-0 #/)).toBeVisible();
  await expect(row(/^cancelled html reason #/)).toBeVisible();
  await expect(row(/^<img src=x onerror=/)).toBeVisible();
  await expect(row(/^megabyte M+/)).toBeVisible();
  // (The failing tasks ended before the panel subscribed: only an in-page panel recording from page load keeps them.)
  // The asyncio Task whose getName throws is listed under its loop, by its class.
  await panel.getByRole("searchbox", { name: /Search tasks/ }).fill("ThrowingTask");
  await expect(row(/^ThrowingTask #\d+/)).toBeVisible();
  await panel.getByRole("searchbox", { name: /Search tasks/ }).fill("");
  await row(/^cancelled html reason #/).click();
  await expect(panel.getByTestId("detail")).toContainText("<img src=x onerror=");
  expect(await panel.locator("img, b").count()).toBe(0);
  expect(await page.evaluate(() => (window as { __injected?: number }).__injected ?? 0)).toBe(0);
  // Released, the hostile run ends as it does with no one watching (see devtools-hostile.e2e.ts).
  const outcome = await page.evaluate(() => {
    const h = (window as unknown as { hostile: { release(): void; outcome(): Promise<string> } }).hostile;
    h.release();
    return h.outcome();
  });
  expect(outcome).toBe("held and released; 6 errors");
  // The other run goes on, shown as before.
  await expect(panel.getByText(/^1 run · /)).toBeVisible();
  await expect(row(/^idle-0 #/)).toBeVisible();
  expect(errors).toEqual([]);
  expect(panelErrors).toEqual([]);
  await panel.close();
  await page.close();
});
