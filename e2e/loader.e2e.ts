import { expect, test } from "@playwright/test";
import { collectErrors, expectNothingLeft, openDemo, resetWire, screenshot, VIEWPORT, wireOf, wireSettled } from "./helpers.js";

test.use({ viewport: VIEWPORT });

test("parallel loader: 50 resources, never more than 4 on the wire", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/loader/");
  await resetWire(request);
  await page.getByRole("button", { name: "Load 50 resources" }).click();
  await expect(page.getByTestId("loaded")).toContainText("loaded 1");
  await expect(page.getByTestId("in-flight")).toHaveText("in flight: 4 (limit 4)");
  await screenshot(page, "loader");
  await expect(page.getByTestId("outcome")).toHaveText(/^Loaded 50 of 50 in \d+\.\d s\.$/, { timeout: 20_000 });
  const wire = await wireSettled(request, "/api/resource");
  expect(wire).toMatchObject({ started: 50, finished: 50, aborted: 0, maxInFlight: 4 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("parallel loader: Cancel aborts every request in flight and leaves nothing running", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/loader/");
  await resetWire(request);
  await page.getByRole("button", { name: "Load 50 resources" }).click();
  await expect.poll(async () => (await wireOf(request, "/api/resource")).finished).toBeGreaterThanOrEqual(8);
  await expect.poll(async () => (await wireOf(request, "/api/resource")).inFlight).toBe(4);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("outcome")).toHaveText(/^Cancelled: loaded (\d+) of 50; (\d+) cancelled\.$/);
  const text = (await page.getByTestId("outcome").textContent())!;
  const [, loaded, cancelled] = /loaded (\d+) of 50; (\d+) cancelled/.exec(text)!.map(Number);
  expect(loaded! + cancelled!).toBe(50);
  const wire = await wireSettled(request, "/api/resource");
  // Every request sent either finished or was aborted; the rest were never sent. A response the
  // server had just sent when Cancel came counts as finished there but was dropped by the page.
  expect(wire.finished).toBeGreaterThanOrEqual(loaded!);
  expect(wire.aborted).toBeGreaterThanOrEqual(1);
  expect(wire.aborted + wire.finished - loaded!).toBeLessThanOrEqual(4);
  expect(wire.started).toBe(wire.finished + wire.aborted);
  expect(wire.started).toBeLessThan(50);
  expect(wire.maxInFlight).toBe(4);
  await expect(page.getByTestId("in-flight")).toHaveText("in flight: 0 (limit 4)");
  await expectNothingLeft(page);
  // Nothing was sent after the cancel.
  await page.waitForTimeout(500);
  expect((await wireOf(request, "/api/resource")).started).toBe(wire.started);
  expect(errors).toEqual([]);
});

test("parallel loader: the deadline cancels the rest", async ({ page, request }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/loader/?deadline=1");
  await resetWire(request);
  await page.getByRole("button", { name: "Load 50 resources" }).click();
  await expect(page.getByTestId("outcome")).toHaveText(/^Deadline of 1 s passed: loaded (\d+) of 50; (\d+) cancelled\.$/, { timeout: 10_000 });
  const wire = await wireSettled(request, "/api/resource");
  expect(wire.finished).toBeGreaterThan(4);
  expect(wire.finished).toBeLessThan(50);
  expect(wire.aborted).toBeGreaterThanOrEqual(1);
  expect(wire.started).toBe(wire.finished + wire.aborted);
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});
