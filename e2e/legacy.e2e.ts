import { expect, test } from "@playwright/test";
import { collectErrors, counts, expectNothingLeft, openDemo, resetWire, screenshot, VIEWPORT, wireOf, wireSettled } from "./helpers.js";

test.use({ viewport: VIEWPORT });

test("legacy asyncio: the whole batch runs through openLoop + aioAsTrio and the loop closes", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/legacy/");
  await resetWire(request);
  await page.getByRole("button", { name: "Run 12 jobs" }).click();
  await expect.poll(async () => (await counts(page)).loops).toBe(1);
  await expect(page.getByTestId("legacy-outcome")).toHaveText("done: 12 jobs, 0 failed", { timeout: 15_000 });
  const log = page.getByTestId("legacy-log");
  for (const w of [1, 2, 3]) await expect(log).toContainText(`worker ${w}: stopped`);
  await expect(log).toContainText("processJobs: all 3 workers have stopped");
  await expect(log).toContainText("Trio: the loop is closed");
  expect(await wireSettled(request, "/api/legacy")).toMatchObject({ started: 12, finished: 12, aborted: 0, maxInFlight: 3 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("legacy asyncio: cancelled from Trio, the asyncio finally blocks run and the requests are aborted", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/legacy/");
  await resetWire(request);
  await page.getByRole("button", { name: "Run 12 jobs" }).click();
  await expect(page.getByTestId("legacy-outcome")).toHaveText(/running: [3-9] of 12 jobs done/, { timeout: 10_000 });
  await expect.poll(async () => (await wireOf(request, "/api/legacy")).inFlight).toBe(3);
  const during = await counts(page);
  expect(during.loops).toBe(1);
  expect(during.futures).toBeGreaterThanOrEqual(4); // the workers and processJobs, at least
  await screenshot(page, "legacy");
  await page.getByRole("button", { name: "Cancel from Trio" }).click();
  await expect(page.getByTestId("legacy-outcome")).toHaveText(/^cancelled from Trio: \d+ of 12 jobs done$/);
  const log = page.getByTestId("legacy-log");
  for (const w of [1, 2, 3]) await expect(log).toContainText(`worker ${w}: stopped`);
  await expect(log).toContainText(/worker \d: job \d+ cancelled, request aborted/);
  await expect(log).toContainText("processJobs: all 3 workers have stopped");
  await expect(log).toContainText("Trio: runLegacy is done");
  await expect(log).not.toContainText("Trio: the loop is closed"); // the Cancelled went on up past that line
  const wire = await wireSettled(request, "/api/legacy");
  expect(wire.finished).toBeLessThan(12);
  expect(wire.aborted).toBeGreaterThanOrEqual(1);
  expect(wire.started).toBe(wire.finished + wire.aborted);
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("legacy asyncio: a Trio deadline cancels the asyncio batch the same way", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/legacy/?deadline=1");
  await resetWire(request);
  await page.getByRole("button", { name: "Run 12 jobs" }).click();
  await expect(page.getByTestId("legacy-outcome")).toHaveText(/^Trio deadline of 1 s passed: \d+ of 12 jobs done$/, { timeout: 10_000 });
  await expect(page.getByTestId("legacy-log")).toContainText("Trio: the loop is closed");
  const wire = await wireSettled(request, "/api/legacy");
  expect(wire.aborted).toBeGreaterThanOrEqual(1);
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});
