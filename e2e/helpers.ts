/**
 * Shared steps of the demo e2e tests: the server's wire counters, the page's
 * `window.__trio` counts, and the screenshot of a demo with its panel open.
 */
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";

/** One path's counters, as /api/stats reports them. */
export interface PathStats {
  started: number;
  finished: number;
  aborted: number;
  dropped: number;
  inFlight: number;
  maxInFlight: number;
}

/** /api/stats. */
export interface WireStats extends PathStats {
  byPath: Record<string, PathStats>;
  counters: Record<string, number>;
}

/** What window.__trio.counts() returns (see demos/shared/test-hook.ts). */
export interface TrioCounts {
  runs: number;
  tasks: number;
  componentTasks: number;
  sleeping: number;
  deadlineScopes: number;
  runtimeTimers: number;
  loops: number;
  loopTimers: number;
  futures: number;
  listeners: number;
}

const EMPTY: PathStats = { started: 0, finished: 0, aborted: 0, dropped: 0, inFlight: 0, maxInFlight: 0 };

/** Zeroes the server's counters. */
export async function resetWire(request: APIRequestContext): Promise<void> {
  const r = await request.get("/api/stats/reset");
  expect(r.ok()).toBe(true);
}

/** The server's counters now. */
export async function wire(request: APIRequestContext): Promise<WireStats> {
  return (await (await request.get("/api/stats")).json()) as WireStats;
}

/** One path's counters now (zeros if it was never requested). */
export async function wireOf(request: APIRequestContext, path: string): Promise<PathStats> {
  return (await wire(request)).byPath[path] ?? EMPTY;
}

/** Waits until nothing is in flight on `path`, and returns its counters. */
export async function wireSettled(request: APIRequestContext, path: string): Promise<PathStats> {
  await expect.poll(async () => (await wireOf(request, path)).inFlight, { message: `requests to ${path} still in flight` }).toBe(0);
  return wireOf(request, path);
}

/** window.__trio.counts() */
export async function counts(page: Page): Promise<TrioCounts> {
  return page.evaluate(() => window.__trio!.counts());
}

const NOTHING_LEFT = { componentTasks: 0, sleeping: 0, deadlineScopes: 0, runtimeTimers: 0, loops: 0, loopTimers: 0, futures: 0, listeners: 0 };

/** Asserts (waiting a little for unwinding) that no task, timer, loop, future or listener is left. */
export async function expectNothingLeft(page: Page): Promise<TrioCounts> {
  await expect.poll(() => counts(page), { message: "something is still running on the page" }).toMatchObject(NOTHING_LEFT);
  return counts(page);
}

let warmedUp = false;

/** Opens a demo page and waits until its app, test hook and devtools toggle are up. */
export async function openDemo(page: Page, path: string): Promise<void> {
  if (!warmedUp) {
    // A fresh dev server may discover a dependency on the first page load, pre-bundle it and
    // reload the page, which would reset a scenario midway. Load once and let that happen first.
    warmedUp = true;
    await page.goto(path);
    await page.waitForLoadState("load");
    await page.waitForTimeout(1500);
  }
  await page.goto(path);
  await page.waitForFunction(() => window.__trio !== undefined);
  await expect(page.getByRole("button", { name: /trio-asyncio devtools/ })).toBeVisible();
}

/** Collects uncaught page errors and console errors, for a final `expect(errors).toEqual([])`. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    // Chromium logs every error status and aborted load; the demos cause those on purpose.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  return errors;
}

/** Opens the devtools panel (if closed) and saves test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const open = page.getByRole("button", { name: "Open trio-asyncio devtools" });
  if (await open.isVisible().catch(() => false)) await open.click();
  await expect(page.getByRole("dialog", { name: "trio-asyncio devtools" })).toBeVisible();
  await page.waitForTimeout(300); // let the panel draw a frame or two of the live tree
  const path = fileURLToPath(new URL(`../test-results/screenshots/${name}.png`, import.meta.url));
  await page.screenshot({ path });
}

/** The viewport the demo tests use: room for the page and the panel side by side. */
export const VIEWPORT = { width: 1500, height: 950 };
