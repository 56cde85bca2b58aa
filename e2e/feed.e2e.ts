import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { collectErrors, expectNothingLeft, openDemo, resetWire, screenshot, VIEWPORT, wire, wireOf, wireSettled } from "./helpers.js";

test.use({ viewport: VIEWPORT });

/** The names of the tasks the inspector sees in the page's runs now. */
async function taskNames(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__trio!.snapshot().tasks.map((t) => t.name));
}

/** Nothing of the feed is left: no task (by the inspector), timer or listener in the page, no connection on the server. */
async function expectFeedGone(page: Page, request: APIRequestContext): Promise<void> {
  const settled = await wireSettled(request, "/api/feed");
  expect(settled.inFlight).toBe(0);
  expect(settled.finished + settled.aborted + settled.dropped).toBe(settled.started);
  const left = await expectNothingLeft(page);
  expect(left.listeners).toBe(0);
  const names = await taskNames(page);
  expect(names.filter((n) => /liveFeed|produce|consume|readEvents/.test(n))).toEqual([]);
}

async function number(page: Page, id: string): Promise<number> {
  return Number(await page.getByTestId(id).textContent());
}

/**
 * Expects `last-id` to equal `received` (no event lost), both read in one
 * page.evaluate. The feed ticks every 60 ms, so two separate reads can
 * straddle a render and disagree by one; both counters come from the same
 * render, so one synchronous read sees a consistent pair.
 */
async function expectLastIdIsReceived(page: Page): Promise<void> {
  const [lastId, received] = await page.evaluate((ids) => {
    return ids.map((id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (el === null) throw new Error(`no element with data-testid="${id}"`);
      return Number(el.textContent);
    });
  }, ["last-id", "received"]);
  expect(Number.isFinite(lastId) && Number.isFinite(received)).toBe(true);
  expect(lastId).toBe(received);
}

test("live feed: reconnects after drops without gaps, pushes back when slow, stops on unmount", async ({ page, request }) => {
  const errors = collectErrors(page);
  await resetWire(request);
  await openDemo(page, "/feed/?dropAfter=5&interval=60");
  await resetWire(request);
  await page.reload();
  await page.waitForFunction(() => window.__trio !== undefined);

  // Three drops and reconnections, and every event exactly once, in order.
  await expect.poll(() => number(page, "received"), { timeout: 10_000 }).toBeGreaterThanOrEqual(16);
  await expect.poll(async () => Number((await page.getByTestId("connections").textContent())!.replace(/\D/g, ""))).toBeGreaterThanOrEqual(4);
  await expect(page.getByTestId("gaps")).toHaveText("0 / 0");
  await expectLastIdIsReceived(page);
  await expect(page.getByTestId("feed-log")).toContainText("connection lost");
  await expect(page.getByTestId("feed-log")).toContainText("resuming after event 5");
  const feed = await wireOf(request, "/api/feed");
  expect(feed.started).toBeGreaterThanOrEqual(4);
  expect(feed.dropped).toBeGreaterThanOrEqual(3);
  await expect.poll(async () => (await wireOf(request, "/api/feed")).inFlight).toBe(1);
  await screenshot(page, "feed");

  // A slow consumer: the 8-slot buffer fills and the producer waits in send().
  await page.getByLabel("slow consumer").check();
  await expect(page.getByTestId("buffer")).toHaveText("8/8", { timeout: 10_000 });
  await expect(page.getByTestId("producer")).toHaveText("waiting (buffer full)");
  expect(await number(page, "blocked")).toBeGreaterThanOrEqual(1);
  const before = await number(page, "received");
  await page.getByLabel("slow consumer").uncheck();
  await expect.poll(() => number(page, "received")).toBeGreaterThan(before + 10);
  await expect(page.getByTestId("gaps")).toHaveText("0 / 0");
  await expectLastIdIsReceived(page);

  // The inspector sees the feed's tasks while it runs (so the check after unmounting can fail).
  expect(await taskNames(page)).toEqual(expect.arrayContaining(["liveFeed", "produce", "consume"]));

  // Unmounting mid-drop-cycle leaves nothing behind either.
  await page.getByRole("button", { name: "Unmount the feed" }).click();
  await expect(page.getByTestId("feed-unmounted")).toBeVisible();
  await expectFeedGone(page, request);
  expect(errors).toEqual([]);
});

test("live feed: unmounting cancels the stream and the client closes the connection", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/feed/?dropAfter=0&interval=50");
  await expect.poll(() => number(page, "received")).toBeGreaterThanOrEqual(3);
  await resetWire(request);
  await page.reload();
  await page.waitForFunction(() => window.__trio !== undefined);
  await expect.poll(() => number(page, "received")).toBeGreaterThanOrEqual(5);
  expect(await wireOf(request, "/api/feed")).toMatchObject({ started: 1, inFlight: 1 });
  await page.getByRole("button", { name: "Unmount the feed" }).click();
  await expect(page.getByTestId("feed-unmounted")).toBeVisible();
  expect(await wireSettled(request, "/api/feed")).toMatchObject({ started: 1, aborted: 1, dropped: 0, inFlight: 0 });
  await expectFeedGone(page, request);
  // And it stays closed: no reconnection.
  await page.waitForTimeout(800);
  expect((await wireOf(request, "/api/feed")).started).toBe(1);
  expect((await wire(request)).counters["feed.connections"]).toBe(1);

  // Mounting again starts a fresh feed.
  await page.getByRole("button", { name: "Mount the feed" }).click();
  await expect.poll(() => number(page, "received")).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId("gaps")).toHaveText("0 / 0");
  expect(errors).toEqual([]);
});
