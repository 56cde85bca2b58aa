/**
 * The tabs demo in Chromium: two pages of one browser context meet over a
 * real BroadcastChannel and elect a leader with a real Web Lock. The leader
 * leaving hands the lock to the other page, which counts on; each page that
 * leaves is checked to have nothing left (tasks, listeners: its channel's
 * message listener is a non-DOM listener the probe counts), and
 * `navigator.locks.query()` to hold no lock or request of it.
 */
import { expect, test, type Page } from "@playwright/test";
import { collectErrors, expectNothingLeft, openDemo, screenshot, VIEWPORT } from "./helpers.js";

test.use({ viewport: VIEWPORT });

interface LockState {
  held: number;
  pending: number;
}

async function lockState(page: Page): Promise<LockState> {
  return page.evaluate(async () => {
    const s = await navigator.locks.query();
    const mine = (l: LockInfo) => l.name === "trio-asyncio-tabs-leader";
    return { held: (s.held ?? []).filter(mine).length, pending: (s.pending ?? []).filter(mine).length };
  });
}

/** The inspector's names of the member tasks in the page. */
async function memberTasks(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__trio!.snapshot().tasks.map((t) => t.name).filter((n) => n.startsWith("member")));
}

async function count(page: Page): Promise<number> {
  return Number(await page.getByTestId("count").textContent());
}

test("tabs: two pages meet over BroadcastChannel, a Web Lock elects the leader, the lock passes on when it leaves", async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  const errors = [collectErrors(a), collectErrors(b)];
  await openDemo(a, "/tabs/?name=A");
  await expect(a.getByTestId("role")).toHaveText("leader");
  await openDemo(b, "/tabs/?name=B");

  // B follows A's count and both see each other; one lock held, B's request waits.
  await expect(b.getByTestId("role")).toHaveText("follower");
  await expect(b.getByTestId("leader")).toHaveText("A");
  await expect(a.getByTestId("peers")).toHaveText("B");
  await expect(b.getByTestId("peers")).toHaveText("A");
  await expect.poll(() => count(b)).toBeGreaterThanOrEqual(3);
  expect(await lockState(a)).toEqual({ held: 1, pending: 1 });
  expect(await memberTasks(b)).not.toEqual([]); // so the checks after leaving can fail
  await screenshot(b, "tabs");

  // The leader leaves: its lock goes to B, which counts on from what it heard.
  await a.getByRole("button", { name: "Leave" }).click();
  await expect(a.getByTestId("tabs-left")).toBeVisible();
  await expect(b.getByTestId("role")).toHaveText("leader");
  await expect(b.getByTestId("tabs-log")).toContainText("A left");
  await expect(b.getByTestId("peers")).toHaveText("-");
  const handedOver = await count(b);
  await expect.poll(() => count(b)).toBeGreaterThan(handedOver + 2);
  await expect(b.getByTestId("tabs-log")).toContainText(/B got the lock at count \d+/);
  const resumedAt = Number(/B got the lock at count (\d+)/.exec((await b.getByTestId("tabs-log").textContent())!)![1]);
  expect(resumedAt).toBeGreaterThanOrEqual(3); // it counted on, not from 0
  const leftA = await expectNothingLeft(a);
  expect(leftA.listeners).toBe(0);
  expect(await lockState(a)).toEqual({ held: 1, pending: 0 });

  // A joins again: it waits for the lock as a follower now.
  await a.getByRole("button", { name: "Join" }).click();
  await expect(a.getByTestId("role")).toHaveText("follower");
  await expect(a.getByTestId("leader")).toHaveText("B");
  // "follower" comes from B's ticks, which A may hear before its own lock request reaches the Lock Manager.
  await expect.poll(() => lockState(a)).toEqual({ held: 1, pending: 1 });

  // A follower leaving withdraws its lock request; then the leader leaves too: nothing of either is left.
  await a.getByRole("button", { name: "Leave" }).click();
  await expect.poll(() => lockState(b)).toEqual({ held: 1, pending: 0 });
  await expect(b.getByTestId("role")).toHaveText("leader");
  await b.getByRole("button", { name: "Leave" }).click();
  await expect.poll(() => lockState(b)).toEqual({ held: 0, pending: 0 });
  for (const page of [a, b]) {
    const left = await expectNothingLeft(page);
    expect(left.listeners).toBe(0);
    expect(await memberTasks(page)).toEqual([]);
  }
  expect(errors.flat()).toEqual([]);
});
