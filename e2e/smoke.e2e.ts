import { expect, test } from "@playwright/test";
import { collectErrors, openDemo } from "./helpers.js";

const DEMOS = [
  ["Search as you type", "/search/"],
  ["Parallel loader", "/loader/"],
  ["Retry with backoff", "/retry/"],
  ["Live feed", "/feed/"],
  ["WebSocket chat", "/chat/"],
  ["Pointer drag", "/drag/"],
  ["Tabs: leader and presence", "/tabs/"],
  ["Legacy asyncio module", "/legacy/"],
  ["Component lifetime", "/lifetime/"],
  ["React bindings", "/react/"],
  ["Worker pool", "/workers/"],
] as const;

test("the demo index links every demo, and each demo page loads with the devtools panel", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "trio-asyncio demos" })).toBeVisible();
  const links = page.locator("#demo-list a");
  await expect(links).toHaveText(DEMOS.map(([title]) => title));
  for (const [title, path] of DEMOS) {
    await expect(page.getByRole("link", { name: title, exact: true })).toHaveAttribute("href", path);
    await openDemo(page, path);
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(page.getByRole("button", { name: "Open trio-asyncio devtools" })).toBeVisible();
    // Some demos (the React one) start their run in an effect, after the first paint: poll.
    await expect.poll(() => page.evaluate(() => window.__trio!.counts().runs), { message: `the run of ${path}` }).toBe(1);
    await page.goto("/");
  }
  expect(errors).toEqual([]);
});

test("the test hook's listener count sees listeners come and go", async ({ page }) => {
  await openDemo(page, "/search/");
  const seen = await page.evaluate(() => {
    const count = () => window.__trio!.counts().listeners;
    const out: number[] = [count()];
    const a = new AbortController();
    const b = new AbortController();
    const f = () => undefined;
    a.signal.addEventListener("abort", f);
    b.signal.addEventListener("abort", f, { once: true });
    const xhr = new XMLHttpRequest();
    xhr.addEventListener("load", f);
    out.push(count());
    a.signal.removeEventListener("abort", f);
    b.abort();
    out.push(count());
    xhr.removeEventListener("load", f);
    out.push(count());
    return out;
  });
  expect(seen).toEqual([0, 3, 1, 0]);
});
