import { expect, test } from "@playwright/test";
import { findSeed } from "../demos/server/flaky-plan.js";
import { collectErrors, expectNothingLeft, openDemo, resetWire, screenshot, VIEWPORT, wireOf, wireSettled } from "./helpers.js";

test.use({ viewport: VIEWPORT });

test("retry: a 503, then a hung attempt aborted by its own deadline, then success", async ({ page, request }) => {
  const errors = collectErrors(page);
  const seed = findSeed(["fail", "slow", "ok"]);
  await openDemo(page, `/retry/?seed=${seed}`);
  await resetWire(request);
  await page.getByRole("button", { name: "Start" }).click();
  await expect(page.getByTestId("retry-log")).toContainText("attempt 2: GET");
  await screenshot(page, "retry");
  await expect(page.getByTestId("retry-outcome")).toHaveText(`succeeded on attempt 3: answer ${seed}.3`);
  const log = page.getByTestId("retry-log").locator("div");
  await expect(log).toHaveText([
    `attempt 1: GET /api/flaky?seed=${seed}&attempt=1`,
    "attempt 1: HTTP 503",
    "waiting 0.20 s before retrying",
    `attempt 2: GET /api/flaky?seed=${seed}&attempt=2`,
    "attempt 2: no answer within 1 s, aborted",
    "waiting 0.40 s before retrying",
    `attempt 3: GET /api/flaky?seed=${seed}&attempt=3`,
    `attempt 3: ok, answer ${seed}.3`,
  ]);
  // On the wire: three requests; the hung one was aborted by the client.
  expect(await wireSettled(request, "/api/flaky")).toMatchObject({ started: 3, finished: 2, aborted: 1 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("retry: the overall deadline cancels the attempt in flight", async ({ page, request }) => {
  const errors = collectErrors(page);
  const seed = findSeed(["slow", "slow", "slow", "slow"]);
  await openDemo(page, `/retry/?seed=${seed}&deadline=1.5`);
  await resetWire(request);
  await page.getByRole("button", { name: "Start" }).click();
  // Attempt 1 hangs and is aborted at 1 s; attempt 2 starts at 1.2 s and is cut by the deadline at 1.5 s.
  await expect(page.getByTestId("retry-outcome")).toHaveText("gave up: the deadline of 1.5 s passed after 2 attempts");
  await expect(page.getByTestId("retry-log")).toContainText("overall deadline of 1.5 s passed during attempt 2");
  expect(await wireSettled(request, "/api/flaky")).toMatchObject({ started: 2, finished: 0, aborted: 2 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("retry: the deadline can also fall in a backoff sleep", async ({ page, request }) => {
  const errors = collectErrors(page);
  const seed = findSeed(["fail", "fail", "fail", "fail", "fail", "fail"]);
  await openDemo(page, `/retry/?seed=${seed}&deadline=1.5`);
  await resetWire(request);
  await page.getByRole("button", { name: "Start" }).click();
  // 503s at about 0.08, 0.36 and 0.84 s; the third backoff (0.8 s) would end after the deadline.
  await expect(page.getByTestId("retry-outcome")).toHaveText("gave up: the deadline of 1.5 s passed after 3 attempts");
  expect(await wireSettled(request, "/api/flaky")).toMatchObject({ started: 3, finished: 3, aborted: 0 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("retry: Cancel stops the loop at once", async ({ page, request }) => {
  const errors = collectErrors(page);
  const seed = findSeed(["slow", "slow", "slow", "slow"]);
  await openDemo(page, `/retry/?seed=${seed}&deadline=20`);
  await resetWire(request);
  await page.getByRole("button", { name: "Start" }).click();
  await expect.poll(async () => (await wireOf(request, "/api/flaky")).inFlight).toBe(1);
  await expect(page.getByTestId("retry-log")).toContainText("attempt 1: GET");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("retry-outcome")).toHaveText("cancelled (the Cancel button)");
  expect(await wireSettled(request, "/api/flaky")).toMatchObject({ started: 1, aborted: 1 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});
