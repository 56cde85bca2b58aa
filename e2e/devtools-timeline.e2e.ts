import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "@playwright/test";

// The timeline's zoom (buttons, ctrl+wheel, + and - keys), its keyboard
// marks (arrow keys move between events and batches, Enter opens one) and
// which tasks ran in each batch (the inspector records them while the
// strip is open), on the playground page.

const dir = resolve(import.meta.dirname, "../test-results/screenshots");

test("timeline: zoom, arrow keys between marks, and the tasks that ran in a batch", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/devtools-playground.html");
  await expect(page.getByRole("treeitem", { name: /^fetcher-3/ })).toBeVisible();
  mkdirSync(dir, { recursive: true });
  const timeline = page.getByRole("region", { name: "Timeline" });
  await timeline.getByRole("checkbox", { name: "tasks per batch" }).check();
  await page.waitForTimeout(1500); // blips spawn, step and exit
  await timeline.getByRole("button", { name: "Pause recording" }).click();
  const canvas = timeline.locator("canvas");
  const zoom = page.getByTestId("timeline-zoom");

  // Zoom: the buttons, the keys and ctrl+wheel step through ×1, ×2, ×4, …
  await expect(zoom).toHaveText("×1");
  await expect(timeline.getByRole("button", { name: "Zoom out" })).toBeDisabled();
  await timeline.getByRole("button", { name: "Zoom in" }).click();
  await expect(zoom).toHaveText("×2");
  await canvas.focus();
  await page.keyboard.press("+");
  await expect(zoom).toHaveText("×4");
  await page.keyboard.press("-");
  await expect(zoom).toHaveText("×2");
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.9, box.y + 40);
  await page.keyboard.down("Control");
  await page.mouse.wheel(0, -100);
  await page.keyboard.up("Control");
  await expect(zoom).toHaveText("×4");
  expect(await page.evaluate(() => window.visualViewport?.scale ?? 1)).toBe(1); // the page itself did not zoom
  await page.keyboard.press("0");
  await expect(zoom).toHaveText("×1");

  // The arrow keys walk the marks; a batch's mark names the tasks that ran in it.
  await canvas.focus();
  const mark = page.getByTestId("timeline-mark");
  await page.keyboard.press("ArrowRight");
  await expect(mark).not.toHaveAttribute("data-mark", "");
  // Compared by key, not text: two neighbouring marks can read the same (two empty batches).
  const first = (await mark.getAttribute("data-mark"))!;
  const firstText = (await mark.textContent())!;
  expect(firstText).not.toBe("");
  await page.keyboard.press("ArrowRight");
  await expect(mark).not.toHaveAttribute("data-mark", first);
  await page.keyboard.press("ArrowLeft");
  await expect(mark).toHaveAttribute("data-mark", first);
  await expect(mark).toHaveText(firstText);
  let batchText = "";
  for (let i = 0; i < 400 && batchText === ""; i++) {
    await page.keyboard.press("ArrowRight");
    const text = (await mark.textContent()) ?? "";
    if (/^batch: .* · ran: (?!no task).*#\d+/.test(text)) batchText = text;
  }
  expect(batchText).toMatch(/ran: .+ #\d+/);
  // Enter pins the batch below the strip, each task a button that selects it.
  await page.keyboard.press("Enter");
  const pinned = page.getByTestId("timeline-batch");
  await expect(pinned).toBeVisible();
  const taskButtons = pinned.locator("button.tad-link");
  expect(await taskButtons.count()).toBeGreaterThan(0);
  const region = (await timeline.boundingBox())!;
  await page.screenshot({ path: resolve(dir, "devtools-timeline-batch.png"), clip: region });
  const label = (await taskButtons.first().textContent())!;
  const id = /#(\d+)$/.exec(label)![1]!;
  await taskButtons.first().click();
  await expect(page.locator(`[data-key="task:${id}"]`)).toHaveAttribute("aria-selected", "true");

  // Hovering a batch says the same (the pinned batch below the strip may have moved it: measure again).
  const strip = (await canvas.boundingBox())!;
  let hovered = "";
  const hover = page.getByTestId("timeline-hover");
  for (let x = 2; x < strip.width - 2 && hovered === ""; x += 3) {
    await page.mouse.move(strip.x + x, strip.y + 60);
    if ((await hover.count()) > 0 && /^batch: .* · ran: /.test((await hover.textContent()) ?? "")) hovered = (await hover.textContent())!;
  }
  expect(hovered).toMatch(/^batch: [\d.]+ ms, \d+ steps? .*· ran: /);
  expect(errors).toEqual([]);
});
