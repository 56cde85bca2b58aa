import { expect, test, type Page } from "@playwright/test";
import { collectErrors, counts, expectNothingLeft, openDemo, screenshot, VIEWPORT } from "./helpers.js";

test.use({ viewport: VIEWPORT });

async function shown(page: Page, key: string): Promise<number> {
  return Number(await page.getByTestId(`count-${key}`).textContent());
}

test("component lifetime: unmounting components and the root leaves nothing running", async ({ page }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/lifetime/");
  expect(await counts(page)).toMatchObject({ runs: 1, componentTasks: 0, sleeping: 0 });

  await page.getByRole("button", { name: "Add 10" }).click();
  await expect(page.getByTestId("widget")).toHaveCount(10);
  // Each widget: its useTask host and ticker; its idle nursery and idle save policy cost nothing.
  await expect.poll(async () => (await counts(page)).componentTasks).toBe(20);
  await expect.poll(async () => (await counts(page)).sleeping).toBe(10);
  await expect.poll(() => shown(page, "componentTasks")).toBe(20);

  for (const id of [2, 5, 9]) await page.getByRole("button", { name: `Start a job in widget ${id}` }).click();
  await expect.poll(async () => (await counts(page)).componentTasks).toBe(26);
  // The save lasts 0.5 s: too short a window for polls from here on a loaded machine. Record in
  // the page, while it runs, what the hook counts (sampled) and every value the table shows.
  await page.evaluate(() => {
    const seen = { hook: [] as number[], shown: [] as string[], stop: () => {} };
    (window as unknown as { __lifetimeSeen: typeof seen }).__lifetimeSeen = seen;
    const cell = document.querySelector('[data-testid="count-componentTasks"]')!;
    const observer = new MutationObserver(() => seen.shown.push(cell.textContent ?? ""));
    observer.observe(cell, { childList: true, characterData: true, subtree: true });
    const sampler = setInterval(() => seen.hook.push(window.__trio!.counts().componentTasks), 5);
    seen.stop = () => {
      observer.disconnect();
      clearInterval(sampler);
    };
  });
  const seenDuringSave = () => page.evaluate(() => (window as unknown as { __lifetimeSeen: { hook: number[]; shown: string[] } }).__lifetimeSeen);
  await page.getByTestId("widget").nth(0).getByRole("button", { name: "save" }).click();
  // Three job nurseries (host + job), and one save in flight (host + instance).
  await expect.poll(async () => (await seenDuringSave()).hook).toContain(28);
  await expect.poll(async () => (await seenDuringSave()).shown).toContain("28");
  await page.evaluate(() => (window as unknown as { __lifetimeSeen: { stop(): void } }).__lifetimeSeen.stop());
  await screenshot(page, "lifetime");

  // The save finishes by itself, and its host with it.
  await expect.poll(async () => (await counts(page)).componentTasks).toBe(26);

  await page.getByRole("button", { name: "Remove the last" }).click();
  await expect.poll(async () => (await counts(page)).componentTasks).toBe(24); // widget 10: its ticker pair (no jobs)
  await page.getByRole("button", { name: "Remove all" }).click();
  await expect(page.getByTestId("widget")).toHaveCount(0);
  const left = await expectNothingLeft(page);
  expect(left.runs).toBe(1);
  // Ten tickers and three jobs ran their finally blocks.
  await expect(page.getByTestId("finallies")).toHaveText("13");
  await expect.poll(() => shown(page, "componentTasks")).toBe(0);
  await expect.poll(() => shown(page, "sleeping")).toBe(0);

  // Unmount the whole root while widgets run: the run itself ends.
  await page.getByRole("button", { name: "Add 10" }).click();
  await page.getByRole("button", { name: "Start a job in widget 11" }).click();
  await expect.poll(async () => (await counts(page)).componentTasks).toBe(22);
  await page.getByRole("button", { name: "Unmount the TrioRoot" }).click();
  await expect(page.getByTestId("root-unmounted")).toBeVisible();
  await expect.poll(async () => (await counts(page)).runs).toBe(0);
  expect(await counts(page)).toMatchObject({ tasks: 0, componentTasks: 0, sleeping: 0, runtimeTimers: 0, listeners: 0 });
  await expect(page.getByTestId("finallies")).toHaveText("24");
  await expect.poll(() => shown(page, "runs")).toBe(0);

  // Mount it again: a new run, and the ten widgets mount again with their tickers.
  await page.getByRole("button", { name: "Mount the TrioRoot" }).click();
  await expect.poll(async () => (await counts(page)).runs).toBe(1);
  await page.getByRole("button", { name: "Add a widget" }).click();
  await expect.poll(async () => (await counts(page)).componentTasks).toBe(22);
  await page.getByRole("button", { name: "Remove all" }).click();
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});
