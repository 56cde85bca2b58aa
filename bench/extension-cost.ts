/**
 * What the browser extension's panel costs the inspected page:
 * `npx tsx bench/extension-cost.ts` (flags: --rounds N, default 4;
 * --window MS, default 2000).
 *
 * Why it is built so: absolute figures depend on the machine, so the page
 * watched by the extension's panel is compared with the same page not
 * watched, in the same Chromium, rounds interleaved (the order turns each
 * round). The page is demos/extension.html without its in-page panel
 * (`?inpage=0`), so only the extension's path is measured: the page's
 * inspector subscription, `postMessage` to the content script, and the
 * content script's JSON encoding, all on the page's main thread. The panel
 * page is opened as a tab, as the e2e test does (DevTools cannot be driven
 * headless). Measured in the page: animation-frame interval, and tasks over
 * 50 ms (PerformanceObserver "longtask"), steady (after a second of
 * settling) and in the window that opens the panel (its first full
 * snapshot).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { createServer } from "vite";
import { chromium, type BrowserContext, type Page, type Worker } from "playwright-core";
import { buildExtension } from "../scripts/build-extension.js";

interface FrameStats {
  frames: number;
  frameMeanMs: number;
  longTasks: number;
  longestTaskMs: number;
}

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const ROUNDS = flag("--rounds", 4);
const WINDOW = flag("--window", 2000);
const CROWDS = [0, 10_000];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function tabIds(context: BrowserContext, worker: Worker): Promise<number[]> {
  return (context.serviceWorkers()[0] ?? worker).evaluate(async () => {
    const api = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<{ id?: number }[]> } } }).chrome;
    return (await api.tabs.query({})).map((t) => t.id ?? -1);
  });
}

const measure = (page: Page, ms: number): Promise<FrameStats> =>
  page.evaluate((ms) => (globalThis as unknown as { extensionDemo: { measure(ms: number): Promise<FrameStats> } }).extensionDemo.measure(ms), ms);

async function main(): Promise<void> {
  // No hot reload (an edit elsewhere in the tree must not reload the page mid-measure).
  process.env.TRIO_E2E = "1";
  const server = await createServer({ configFile: resolve(root, "vite.config.ts"), logLevel: "error", server: { host: "127.0.0.1", port: 5198, strictPort: false } });
  await server.listen();
  const base = server.resolvedUrls?.local[0] ?? "http://127.0.0.1:5198/";
  const extensionDir = await buildExtension(mkdtempSync(resolve(tmpdir(), "trio-extension-")));
  const profileDir = mkdtempSync(resolve(tmpdir(), "trio-extension-profile-"));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: false,
    ignoreDefaultArgs: ["--disable-extensions"],
    viewport: { width: 1280, height: 900 },
    args: ["--headless=new", `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-timer-throttling", "--disable-renderer-backgrounding"],
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
    const id = new URL(worker.url()).host;
    console.log(`extension cost: ${ROUNDS} rounds of ${WINDOW} ms per state, interleaved; ratios to the page not watched\n`);
    for (const crowd of CROWDS) {
      const before = new Set(await tabIds(context, worker));
      const page = await context.newPage();
      await page.goto(new URL(`extension.html?inpage=0&crowd=${crowd}`, base).href);
      await page.waitForFunction(() => "extensionDemo" in globalThis);
      await page.waitForTimeout(1000);
      const tabId = (await tabIds(context, worker)).find((t) => !before.has(t))!;
      const alone: FrameStats[] = [];
      const watched: FrameStats[] = [];
      const opening: FrameStats[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const watchFirst = round % 2 === 1;
        for (const state of watchFirst ? ["watched", "alone"] : ["alone", "watched"]) {
          if (state === "alone") {
            alone.push(await measure(page, WINDOW));
            continue;
          }
          const panel = await context.newPage();
          const opened = measure(page, 1000);
          await panel.goto(`chrome-extension://${id}/panel.html?tabId=${tabId}`);
          opening.push(await opened);
          await page.waitForTimeout(500);
          watched.push(await measure(page, WINDOW));
          await panel.close();
          await page.waitForTimeout(500);
        }
      }
      const m = (xs: FrameStats[], k: keyof FrameStats) => median(xs.map((x) => x[k]));
      console.log(`${crowd.toLocaleString("en")} idle tasks (+ the demo's 8):`);
      console.log(`  watched / alone: frame interval ${(m(watched, "frameMeanMs") / m(alone, "frameMeanMs")).toFixed(2)}x`);
      console.log(`  long tasks per window: alone ${m(alone, "longTasks")}, watched ${m(watched, "longTasks")}; longest: alone ${m(alone, "longestTaskMs").toFixed(0)} ms, watched ${m(watched, "longestTaskMs").toFixed(0)} ms`);
      console.log(`  opening the panel (1 s window): long tasks ${m(opening, "longTasks")}, longest ${m(opening, "longestTaskMs").toFixed(0)} ms (median of ${opening.length})\n`);
      await page.close();
    }
  } finally {
    await context.close();
    await server.close();
    rmSync(extensionDir, { recursive: true, force: true });
    rmSync(profileDir, { recursive: true, force: true });
  }
}

await main();
