import { expect, test } from "@playwright/test";
import { collectErrors, counts, expectNothingLeft, openDemo, resetWire, screenshot, VIEWPORT, wireSettled } from "./helpers.js";

test.use({ viewport: VIEWPORT });

test("React bindings: StrictMode sends the first search once; queries committed in transitions abort the stale request", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/react/");
  await resetWire(request);
  await openDemo(page, "/react/?q=sched");
  await expect(page.getByTestId("showing")).toHaveText("results for “sched”");
  await expect(page.getByTestId("results").locator("li")).toHaveText(["reschedule", "scheduler"]);
  // StrictMode mounted the app twice: the search function ran once, one request, none aborted.
  await expect(page.getByTestId("runs")).toHaveText("1");
  expect(await wireSettled(request, "/api/search")).toMatchObject({ started: 1, aborted: 0, finished: 1 });
  expect((await counts(page)).runs).toBe(1);
  await expectNothingLeft(page);

  // 120 ms between keys, answers take 350 ms: each committed query supersedes the one in flight.
  await resetWire(request);
  const box = page.getByRole("searchbox", { name: "Search", exact: true });
  await box.press("End");
  await box.pressSequentially("ule", { delay: 120 });
  await expect(page.getByTestId("showing")).toHaveText("results for “schedule”");
  await expect(page.getByTestId("search-status")).toHaveText("succeeded");
  const runs = Number(await page.getByTestId("runs").textContent()) - 1;
  // React may skip a query typed faster than it commits, never add one.
  expect(runs).toBeGreaterThanOrEqual(1);
  expect(runs).toBeLessThanOrEqual(3);
  const wire = await wireSettled(request, "/api/search");
  expect(wire).toMatchObject({ started: runs, aborted: runs - 1, finished: 1 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("React bindings: unmounting the component aborts its search in flight; mounting it again searches again", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/react/?latency=2500");
  await resetWire(request);
  const box = page.getByRole("searchbox", { name: "Search", exact: true });
  await box.fill("chan");
  await expect(page.getByTestId("search-status")).toHaveText("searching…");
  await expect.poll(async () => (await counts(page)).componentTasks).toBeGreaterThan(0);
  await screenshot(page, "react");
  await page.getByRole("button", { name: "Hide the results" }).click();
  await expect(page.getByTestId("hidden")).toBeVisible();
  expect(await wireSettled(request, "/api/search")).toMatchObject({ started: 1, aborted: 1, finished: 0 });
  await expectNothingLeft(page);

  await page.getByRole("button", { name: "Show the results" }).click();
  await expect(page.getByTestId("results").locator("li")).toHaveText(["channel"], { timeout: 8000 });
  expect(await wireSettled(request, "/api/search")).toMatchObject({ started: 2, aborted: 1, finished: 1 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});
