import { expect, test } from "@playwright/test";
import { collectErrors, openDemo, expectNothingLeft, resetWire, screenshot, VIEWPORT, wire, wireSettled } from "./helpers.js";

test.use({ viewport: VIEWPORT });

test("search as you type: each keystroke aborts the stale request; only the latest answer is shown", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/search/");
  await resetWire(request);
  const box = page.getByRole("searchbox", { name: "Search", exact: true });
  // 120 ms between keys, answers take 350 ms: every request but the last is superseded in flight.
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
