import { expect, test } from "@playwright/test";
import { collectErrors, openDemo, expectNothingLeft, resetWire, screenshot, VIEWPORT, wire, wireSettled } from "./helpers.js";

test.use({ viewport: VIEWPORT });

test("search as you type: each keystroke aborts the stale request; only the latest answer is shown", async ({ page, request }) => {
  const errors = collectErrors(page);
  // Answers take 1.5 s (the server's default is 350 ms): a keystroke delayed by a loaded machine
  // still comes long before the answer to the one before it.
  await openDemo(page, "/search/?latency=1500");
  await resetWire(request);
  const box = page.getByRole("searchbox", { name: "Search", exact: true });
  // 120 ms between keys, answers take 1.5 s: every request but the last is superseded in flight.
  await box.pressSequentially("sched", { delay: 120 });
  await expect(page.getByTestId("showing")).toHaveText("results for “sched”");
  await expect(page.getByTestId("results").locator("li")).toHaveText(["reschedule", "scheduler"]);
  await expect(page.getByTestId("search-status")).toHaveText("idle");
  await expect(page.getByTestId("performs")).toHaveText("5");
  await expect(page.getByTestId("cancelled")).toHaveText("4");
  await expect(page.getByTestId("succeeded")).toHaveText("1");

  // On the wire: five requests, four aborted by the client, one answered.
  const search = await wireSettled(request, "/api/search");
  expect(search).toMatchObject({ started: 5, aborted: 4, finished: 1, inFlight: 0 });
  expect((await wire(request)).counters["search.answered"]).toBe(1);
  await expectNothingLeft(page);

  // Clearing the box answers at once with no request at all.
  await box.fill("");
  await expect(page.getByTestId("showing")).toHaveCount(0);
  expect((await wireSettled(request, "/api/search")).started).toBe(5);
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("search as you type: a slow search in flight, seen in the devtools panel, then cancelled by the next keystroke", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/search/?latency=2500");
  await resetWire(request);
  const box = page.getByRole("searchbox", { name: "Search", exact: true });
  await box.pressSequentially("chan");
  await expect(page.getByTestId("search-status")).toHaveText("searching…");
  await screenshot(page, "search");
  await box.press("End");
  await box.press("n");
  await expect(page.getByTestId("showing")).toHaveText("results for “chann”", { timeout: 8000 });
  await expect(page.getByTestId("results").locator("li")).toHaveText(["channel"]);
  expect(await wireSettled(request, "/api/search")).toMatchObject({ started: 5, aborted: 4, finished: 1 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("names that explain: the panel shows the search waiting on its fetch URL, inside scopes named after the hook", async ({ page, request }) => {
  const errors = collectErrors(page);
  // The answer takes a minute: the search is still in flight whatever the machine's load.
  await openDemo(page, "/search/?latency=60000");
  await resetWire(request);
  await page.getByRole("searchbox", { name: "Search", exact: true }).fill("ab");
  await expect(page.getByTestId("search-status")).toHaveText("searching…");
  const open = page.getByRole("button", { name: "Open trio-asyncio devtools" });
  if (await open.isVisible().catch(() => false)) await open.click();
  // The instance task is named after the policy alone (the panel adds its id), and its row says what it waits on.
  const row = page.getByRole("treeitem", { name: /^search #\d+/ }).first();
  await expect(row).toContainText("GET /api/search?q=ab&latency=60000");
  await row.click();
  const detail = page.getByTestId("detail");
  await expect(detail.getByTestId("waiting-on")).toHaveText("GET /api/search?q=ab&latency=60000");
  // Its own scope is named after the policy, not "cancel scope #7".
  await expect(detail.locator(".tad-scope strong").first()).toHaveText(/^restartable policy for search \(scope #\d+\)$/);
  await screenshot(page, "devtools-names");
  // The library's scopes, once shown, are named too.
  await page.getByRole("checkbox", { name: /library internals/ }).check();
  await expect(detail.locator(".tad-scope strong", { hasText: "search scope (component nursery)" })).toBeVisible();
  await expect(detail.locator(".tad-scope strong", { hasText: "search demo lifetime" })).toBeVisible();
  await expect(detail.locator(".tad-scope strong", { hasText: /^cancel scope #/ })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("page to panel: the selected task's component is outlined on the page, and 'Pick element' selects a component's task", async ({ page, request }) => {
  const errors = collectErrors(page);
  // The answer takes a minute: the search is still in flight whatever the machine's load.
  await openDemo(page, "/search/?latency=60000");
  await resetWire(request);
  const box = page.getByRole("searchbox", { name: "Search", exact: true });
  await box.fill("ab");
  await expect(page.getByTestId("search-status")).toHaveText("searching…");
  const open = page.getByRole("button", { name: "Open trio-asyncio devtools" });
  if (await open.isVisible().catch(() => false)) await open.click();
  const outline = page.locator("[data-trio-devtools-outline]");
  await expect(outline).toHaveCount(0);

  // Panel to page: selecting the running search outlines the search card (the component's first element).
  await page.getByRole("treeitem", { name: /^search #\d+/ }).first().click();
  await expect(outline).toHaveCount(1);
  await expect(outline).toContainText(/^search · div\.card$/);
  const card = await page.locator(".card").first().boundingBox();
  const drawn = await outline.boundingBox();
  expect(drawn).not.toBeNull();
  expect(Math.abs(drawn!.x - card!.x) + Math.abs(drawn!.y - card!.y) + Math.abs(drawn!.width - card!.width)).toBeLessThan(3);
  await screenshot(page, "devtools-page-outline");

  // Selecting the run's row (no component) removes it.
  await page.locator('[role="treeitem"][aria-level="1"]').first().click();
  await expect(outline).toHaveCount(0);

  // Page to panel: pick the search box; its component's task is selected, and the page did not see the click.
  const pick = page.getByRole("button", { name: "Pick element" });
  await pick.click();
  await expect(page.getByRole("button", { name: "Picking element (Esc)" })).toHaveAttribute("aria-pressed", "true");
  await box.hover();
  await expect(outline).toContainText(/^div\.card · \d+ tasks?$/);
  await screenshot(page, "devtools-pick-element");
  await box.click();
  await expect(page.getByRole("button", { name: "Pick element" })).toHaveAttribute("aria-pressed", "false");
  await expect(page.getByTestId("detail").locator(".tad-scope strong").first()).toHaveText(/^restartable policy for search/);
  await expect(page.getByRole("treeitem", { name: /^search #\d+/ }).first()).toHaveAttribute("aria-selected", "true");
  await expect(outline).toContainText(/^search · div\.card$/);

  // Escape leaves the mode without picking; closing the panel removes the outline.
  await page.getByRole("button", { name: "Pick element" }).click();
  await expect(page.getByRole("button", { name: "Picking element (Esc)" })).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "Pick element" })).toHaveAttribute("aria-pressed", "false");
  await page.getByRole("button", { name: "Close devtools" }).first().click();
  await expect(outline).toHaveCount(0);
  expect(errors).toEqual([]);
});
