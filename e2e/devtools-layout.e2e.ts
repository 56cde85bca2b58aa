import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test, type Page } from "@playwright/test";

// The panel's layout on the playground page: docked to the bottom or the
// right (taking room from the page, not covering it), the tree and detail
// stacked when narrow, and the timeline: axis, hover, click-through,
// collapse. Screenshots go to test-results/screenshots/.

const dir = resolve(import.meta.dirname, "../test-results/screenshots");
const frame = (page: Page) => page.getByRole("dialog", { name: "trio-asyncio devtools" });

async function open(page: Page): Promise<void> {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/devtools-playground.html");
  await expect(page.getByRole("treeitem", { name: /^fetcher-3/ })).toBeVisible();
  expect(errors).toEqual([]);
  mkdirSync(dir, { recursive: true });
}

test("docked to the bottom, the panel spans the width and the page makes room for it", async ({ page }) => {
  await open(page);
  await page.getByRole("button", { name: "Dock to the bottom" }).click();
  await expect(frame(page)).toHaveAttribute("data-dock", "bottom");
  const box = (await frame(page).boundingBox())!;
  expect(box.x).toBe(0);
  expect(box.width).toBe(1280);
  expect(Math.round(box.y + box.height)).toBe(900);
  // The page's end can be scrolled above the panel: nothing is hidden under it.
  const padding = await page.evaluate(() => parseFloat(document.documentElement.style.paddingBottom));
  expect(padding).toBe(Math.round(box.height));
  await page.getByRole("treeitem", { name: /^deadline-worker/ }).click();
  await page.screenshot({ path: resolve(dir, "devtools-docked.png") });
  // Remembered across a reload.
  await page.reload();
  await expect(frame(page)).toHaveAttribute("data-dock", "bottom");
});

test("docked to the right (narrow), the detail pane sits under the tree", async ({ page }) => {
  await open(page);
  await page.getByRole("button", { name: "Dock to the right" }).click();
  await expect(frame(page)).toHaveAttribute("data-dock", "right");
  const box = (await frame(page).boundingBox())!;
  expect(Math.round(box.x + box.width)).toBe(1280);
  expect(box.height).toBe(900);
  expect(await page.evaluate(() => parseFloat(document.documentElement.style.paddingRight))).toBe(Math.round(box.width));
  await page.getByRole("treeitem", { name: /^deadline-worker/ }).click();
  const tree = (await page.getByRole("tree", { name: "Runs and tasks" }).boundingBox())!;
  const detail = (await page.getByTestId("detail").boundingBox())!;
  expect(detail.y).toBeGreaterThanOrEqual(tree.y + tree.height - 1);
  expect(detail.width).toBeGreaterThan(box.width - 20);
  await page.screenshot({ path: resolve(dir, "devtools-narrow.png") });
  // Floating again: side by side.
  await page.getByRole("button", { name: "Float the panel" }).click();
  await expect(frame(page)).toHaveAttribute("data-dock", "float");
  expect(await page.evaluate(() => document.documentElement.style.paddingRight)).toBe("");
  const tree2 = (await page.getByRole("tree", { name: "Runs and tasks" }).boundingBox())!;
  const detail2 = (await page.getByTestId("detail").boundingBox())!;
  expect(detail2.x).toBeGreaterThanOrEqual(tree2.x + tree2.width - 1);
});

test("timeline: hovering a mark names its task and reason; a click selects the task; the strip collapses", async ({ page }) => {
  await open(page);
  const timeline = page.getByRole("region", { name: "Timeline" });
  await page.waitForTimeout(1500); // some spawns, exits and cancels
  // Paused, the strip holds still (the whole recording).
  await timeline.getByRole("button", { name: "Pause recording" }).click();
  const canvas = timeline.locator("canvas");
  const box = (await canvas.boundingBox())!;
  const hover = page.getByTestId("timeline-hover");
  let found = "";
  for (let x = 2; x < box.width - 2 && found === ""; x += 2) {
    await page.mouse.move(box.x + x, box.y + 14);
    if ((await hover.count()) > 0) {
      const text = (await hover.textContent())!;
      if (/^(spawn|exit|error|cancel)/.test(text) && !/^cancel/.test(text)) found = text;
    }
  }
  expect(found).toMatch(/^(spawn|exit|error)[a-z ]*: .+ #\d+/);
  await page.screenshot({ path: resolve(dir, "devtools-timeline-hover.png"), clip: { x: box.x - 10, y: box.y - 120, width: box.width + 20, height: box.height + 150 } });
  const [, name, id] = /^[a-z ]+: (.+) #(\d+)/.exec(found)!;
  await page.mouse.down();
  await page.mouse.up();
  await expect(page.locator(`[data-key="task:${id}"]`)).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("detail").getByRole("heading").first()).toContainText(name!);
  // The axis is drawn: its labels are in the canvas, so check the summary and a hovered batch instead.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 20);
  await expect(hover).toHaveCount(0);
  // Collapse and expand.
  const toggle = timeline.getByRole("button", { name: "Timeline", exact: true });
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await toggle.click();
  await expect(timeline.locator("canvas")).toHaveCount(0);
  await toggle.click();
  await expect(timeline.locator("canvas")).toHaveCount(1);
});

test("record from page load: opened late, the panel shows what happened while it was closed", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("/devtools-playground.html?record");
  await expect(page.getByRole("button", { name: "Open trio-asyncio devtools" })).toBeVisible();
  await expect(page.getByRole("tree", { name: "Runs and tasks" })).toHaveCount(0);
  // Let the crasher fail and blips come and go while the panel is closed.
  await page.waitForTimeout(3000);
  const t0 = await page.evaluate(() => performance.now());
  await page.getByRole("button", { name: "Open trio-asyncio devtools" }).click();
  await expect(page.getByTestId("status")).toContainText("1 errored");
  // The timeline reaches back before the panel opened: the first spawns (main, the fetchers) are there.
  await page.getByRole("button", { name: "Export the timeline as JSON" }).click();
  const file = JSON.parse(await page.getByRole("textbox", { name: "Exported timeline JSON" }).inputValue()) as { events: { kind: string; name: string; at: number }[] };
  const fetcherSpawn = file.events.find((e) => e.kind === "spawn" && e.name === "fetcher-1");
  expect(fetcherSpawn).toBeDefined();
  expect(fetcherSpawn!.at).toBeLessThan(t0 - 2000);
  expect(file.events.some((e) => e.kind === "error" && e.name === "crasher")).toBe(true);
  expect(errors).toEqual([]);
});

test("library internals: on a Preact demo, the bindings' wrappers are folded away until the toggle shows them", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 1500, height: 950 });
  await page.goto("/search/?latency=2500");
  const open = page.getByRole("button", { name: "Open trio-asyncio devtools" });
  if (await open.isVisible().catch(() => false)) await open.click();
  await page.getByRole("searchbox", { name: "Search", exact: true }).fill("ap");
  // The running search: its instance task sits right under the run (no host task, no nurseries in between).
  const instance = page.getByRole("treeitem", { name: /^search #\d+/ }).first();
  await expect(instance).toBeVisible();
  await expect(instance).toHaveAttribute("aria-level", "2");
  await expect(page.getByRole("treeitem", { name: /^search scope #/ })).toHaveCount(0);
  const toggle = page.getByRole("checkbox", { name: /library internals/ });
  await expect(toggle).not.toBeChecked();
  await expect(page.locator("label", { hasText: "library internals" })).toContainText(/\(\d+ hidden\)/);
  await instance.click();
  await expect(page.getByTestId("hidden-scopes")).toContainText(/library scopes? hidden/);
  await page.screenshot({ path: resolve(dir, "devtools-internals-folded.png") });
  await toggle.check();
  await expect(page.getByRole("treeitem", { name: /^search scope #/ })).toBeVisible();
  await expect(page.getByTestId("hidden-scopes")).toHaveCount(0);
  expect(errors).toEqual([]);
});
