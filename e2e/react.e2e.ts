import { expect, test } from "@playwright/test";
import { collectErrors, counts, expectNothingLeft, openDemo, resetWire, screenshot, VIEWPORT, wireSettled } from "./helpers.js";

test.use({ viewport: VIEWPORT });

test("React bindings: StrictMode sends the first search once; queries committed in transitions abort the stale request", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/react/");
  await resetWire(request);
  // Answers take 1.5 s (the server's default is 350 ms), so that below a keystroke delayed by a
  // loaded machine still comes long before the answer to the one before it.
  await openDemo(page, "/react/?q=sched&latency=1500");
  await expect(page.getByTestId("showing")).toHaveText("results for “sched”");
  await expect(page.getByTestId("results").locator("li")).toHaveText(["reschedule", "scheduler"]);
  // StrictMode mounted the app twice: the search function ran once, one request, none aborted.
  await expect(page.getByTestId("runs")).toHaveText("1");
  expect(await wireSettled(request, "/api/search")).toMatchObject({ started: 1, aborted: 0, finished: 1 });
  expect((await counts(page)).runs).toBe(1);
  await expectNothingLeft(page);

  // 120 ms between keys, answers take 1.5 s: each committed query supersedes the one in flight.
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

test("React page to panel: the selected task's component is outlined, and 'Pick element' selects its task", async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize(VIEWPORT);
  // The answer takes a minute: the search is still in flight whatever the machine's load.
  await openDemo(page, "/react/?latency=60000");
  await page.getByRole("searchbox", { name: "Search", exact: true }).fill("chan");
  await expect(page.getByTestId("search-status")).toHaveText("searching…");
  const open = page.getByRole("button", { name: "Open trio-asyncio devtools" });
  if (await open.isVisible().catch(() => false)) await open.click();
  const outline = page.locator("[data-trio-devtools-outline]");
  await expect(outline).toHaveCount(0);

  // Panel to page: the running search's component (Results) is its first element, the div around the status.
  const row = page.locator('[role="treeitem"][aria-label^="react search #"]:not(.tad-exited)').first();
  await row.click();
  await expect(outline).toHaveCount(1);
  await expect(outline).toContainText(/^react search · div$/);
  const results = await page.getByTestId("search-status").locator("xpath=../..").boundingBox();
  const drawn = await outline.boundingBox();
  expect(Math.abs(drawn!.x - results!.x) + Math.abs(drawn!.y - results!.y) + Math.abs(drawn!.width - results!.width)).toBeLessThan(3);
  await screenshot(page, "react-page-outline");

  // Page to panel: pick the status line; the component's task is selected.
  await page.locator('[role="treeitem"][aria-level="1"]').first().click();
  await expect(outline).toHaveCount(0);
  await page.getByRole("button", { name: "Pick element" }).click();
  await page.getByTestId("search-status").hover();
  await expect(outline).toContainText(/^div · \d+ tasks?$/);
  await page.getByTestId("search-status").click();
  await expect(page.getByRole("button", { name: "Pick element" })).toHaveAttribute("aria-pressed", "false");
  await expect(row).toHaveAttribute("aria-selected", "true");
  await expect(outline).toContainText(/^react search · div$/);
  expect(errors).toEqual([]);
});
