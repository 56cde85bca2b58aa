import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { collectErrors, openDemo, VIEWPORT } from "./helpers.js";

// Creation stacks mapped back to sources (issue 12): in the Vite dev server
// every module carries an inline source map, so a task spawned by a demo's
// own code shows the demo's .tsx file and line, as a link, with the
// library's frames (the scheduler, the nursery, the inspector's recorder)
// folded into rows that expand.

const feedSource = readFileSync(fileURLToPath(new URL("../demos/feed/main.tsx", import.meta.url)), "utf8").split("\n");
/** 1-based line and column of `text` in demos/feed/main.tsx. */
function where(text: string): { line: number; column: number } {
  const i = feedSource.findIndex((l) => l.includes(text));
  expect(i, `demos/feed/main.tsx has ${text}`).toBeGreaterThanOrEqual(0);
  return { line: i + 1, column: feedSource[i]!.indexOf(text) + 1 };
}

test("a task spawned by the feed demo shows its creation in feed/main.tsx, mapped, with library frames folded", async ({ page, baseURL }) => {
  const errors = collectErrors(page);
  await page.setViewportSize(VIEWPORT);
  await openDemo(page, "/feed/?dropAfter=0&interval=200");
  const open = page.getByRole("button", { name: "Open trio-asyncio devtools" });
  if (await open.isVisible().catch(() => false)) await open.click();
  await page.getByRole("checkbox", { name: /capture stacks/ }).check();
  const stack = page.getByTestId("creation-stack");
  // Remount the feed: its tasks are spawned again, now with stacks. The panel turns capturing on
  // when it re-subscribes after the checkbox's render; a remount that beats it (a loaded machine)
  // spawns without a stack, so remount until the live producer shows one.
  await expect(async () => {
    await page.getByRole("button", { name: "Unmount the feed" }).click();
    await page.getByRole("button", { name: "Mount the feed" }).click();
    // The live producer (the first one's row stays in the history, exited, with no stack).
    await page.locator('[role="treeitem"][aria-label^="produce #"]:not(.tad-exited)').first().click();
    await expect(stack).toContainText("task produce spawned here", { timeout: 3000 });
  }).toPass({ timeout: 20_000 });
  await expect(stack).toHaveAttribute("data-mapped", "true");

  // The user frames: where liveFeed starts the producer, then liveFeed itself where it opens the nursery.
  const start = where("n.startSoon(produce");
  const startCall = { line: start.line, column: start.column + "n.".length };
  const nursery = where("yield* openNursery(function* (n)");
  const userLinks = stack.locator(":scope > ol > li > a.tad-frame-link");
  await expect(userLinks).toHaveText([
    `(anonymous) /feed/main.tsx:${startCall.line}:${startCall.column}`,
    new RegExp(`^liveFeed /feed/main\\.tsx:${nursery.line}:\\d+$`),
  ]);
  await expect(userLinks.first()).toHaveAttribute("href", `${baseURL}/feed/main.tsx`);
  await expect(userLinks.first()).toHaveAttribute("target", "_blank");
  // The raw frame, still in the link's title, is the served (transformed) module's position, not the source's.
  expect(await userLinks.first().getAttribute("title")).toMatch(/\/feed\/main\.tsx:\d+:\d+$/);
  expect(await userLinks.first().getAttribute("title")).not.toContain(`:${startCall.line}:${startCall.column}`);

  // Library frames fold: the recorder and the nursery first, the scheduler last.
  const folds = stack.locator("li.tad-library-frames > button");
  await expect(folds).toHaveCount(3);
  await expect(folds.first()).toHaveText(/^▸ \d+ library frames$/);
  await page.getByRole("heading", { name: "Creation stack" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: fileURLToPath(new URL("../test-results/screenshots/devtools-stack.png", import.meta.url)) });
  await folds.first().click();
  await expect(folds.first()).toHaveAttribute("aria-expanded", "true");
  const inner = stack.locator("li.tad-library-frames").first().locator("a.tad-frame-link");
  await expect(inner.filter({ hasText: "/src/inspect/subscribe.ts:" }).first()).toBeVisible();
  await expect(inner.filter({ hasText: /^Nursery\.startSoon \/@fs\/.*\/src\/core\/nursery\.ts:\d+:\d+$/ })).toHaveCount(1);

  // Unmounted, the task exits: the pane keeps the stack it showed.
  await page.getByRole("button", { name: "Unmount the feed" }).click();
  await expect(page.getByTestId("detail").getByTestId("task-outcome")).toBeVisible();
  await expect(stack).toContainText("task produce spawned here");
  expect(errors).toEqual([]);
});
