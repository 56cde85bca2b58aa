import { resolve } from "node:path";
import { expect, test, type Page } from "@playwright/test";

// The devtools tree under a real pointer, on the playground page with
// 10,000 extra tasks: the first click after a scroll must land on the row
// under the pointer (focus from a pointer must neither move the keyboard
// cursor nor scroll the tree).

const tree = (page: Page) => page.getByRole("tree", { name: "Runs and tasks" });

/** A sleeper row well inside the tree's viewport (so clicking it needs no scroll), by its data-key. */
async function rowInView(page: Page): Promise<{ key: string; name: string }> {
  // The virtual tree renders the rows of a new scroll position a frame later: wait for them.
  await expect
    .poll(() => tree(page).evaluate((el) => [...el.querySelectorAll<HTMLElement>("[role=treeitem]")].some((r) => r.offsetTop > el.scrollTop + 60 && r.offsetTop < el.scrollTop + el.clientHeight - 60 && /^sleeper-/.test(r.getAttribute("aria-label") ?? ""))), {
      message: "sleeper rows in view after the scroll",
    })
    .toBe(true);
  return tree(page).evaluate((el) => {
    const rows = [...el.querySelectorAll<HTMLElement>("[role=treeitem]")].filter(
      (r) => r.offsetTop > el.scrollTop + 60 && r.offsetTop < el.scrollTop + el.clientHeight - 60 && /^sleeper-/.test(r.getAttribute("aria-label") ?? ""),
    );
    const r = rows[Math.floor(rows.length / 2)]!;
    return { key: r.dataset.key!, name: r.getAttribute("aria-label")!.split(",")[0]! };
  });
}

async function openWithCrowd(page: Page): Promise<void> {
  test.slow();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("/devtools-playground.html");
  await expect(page.getByRole("treeitem", { name: /^fetcher-3/ })).toBeVisible();
  await page.getByRole("button", { name: "Spawn 10,000 tasks" }).click();
  // Seconds on a loaded machine; the tests are about what the page shows, not how fast.
  await expect(page.getByTestId("status")).toContainText(/100\d\d tasks/, { timeout: 20_000 });
  expect(errors).toEqual([]);
}

test("the first click after a scroll selects the row under the pointer, and the tree stays put", async ({ page }) => {
  await openWithCrowd(page);
  // Rows must not move under the pointer for reasons other than the one under test (the
  // playground's fetchers come and go above the crowd, and a late update can re-render between
  // Playwright's aim and its click): once the crowd is in the tree, freeze it. Focus handling,
  // which this test is about, works the same frozen.
  await expect.poll(() => tree(page).evaluate((el) => el.scrollHeight), { message: "the 10,000 tasks reach the tree", timeout: 20_000 }).toBeGreaterThan(100_000);
  await page.getByRole("button", { name: /^Freeze/ }).click();
  // Scroll deep into the 10,000 (the tree has not had focus yet).
  await tree(page).evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
  const { key, name } = await rowInView(page);
  const scrolledTo = await tree(page).evaluate((el) => el.scrollTop);
  expect(scrolledTo).toBeGreaterThan(1000);
  await page.locator(`[data-key="${key}"]`).click();
  await expect(page.locator(`[data-key="${key}"]`)).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("detail").getByRole("heading").first()).toContainText(name.split(" #")[0]!);
  expect(await tree(page).evaluate((el) => el.scrollTop)).toBe(scrolledTo);
  // A second scroll and click (the tree now has focus and a cursor) behaves the same.
  await tree(page).evaluate((el) => el.scrollTo(0, (el.scrollHeight * 3) / 4));
  const second = await rowInView(page);
  await page.locator(`[data-key="${second.key}"]`).click();
  await expect(page.locator(`[data-key="${second.key}"]`)).toHaveAttribute("aria-selected", "true");
  await expect(page.locator(`[data-key="${key}"]`)).toHaveCount(0);
  // The keyboard goes on from the clicked row.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(page.locator(`[data-key="${second.key}"]`)).toHaveAttribute("aria-selected", "false");
});

test("focus from the keyboard still puts the cursor on a row", async ({ page }) => {
  await page.goto("/devtools-playground.html");
  await expect(page.getByRole("treeitem", { name: /^fetcher-3/ })).toBeVisible();
  await page.getByRole("searchbox", { name: /Search tasks/ }).focus();
  // Tab from the toolbar to the tree: the filters, checkbox, threshold and buttons come between.
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    if (await tree(page).evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el)) break;
  }
  await expect(tree(page)).toHaveAttribute("aria-activedescendant", /tad-row-/);
});

test("the toggle button's icon is drawn in any font (an SVG, not a glyph)", async ({ page }) => {
  await page.goto("/devtools-playground.html");
  const close = page.getByRole("button", { name: "Close trio-asyncio devtools" });
  await expect(close.locator("svg")).toBeVisible();
  await close.click();
  const openButton = page.getByRole("button", { name: "Open trio-asyncio devtools" });
  const icon = openButton.locator("svg");
  await expect(icon).toBeVisible();
  const box = (await icon.boundingBox())!;
  expect(box.width).toBeGreaterThanOrEqual(12);
  expect(box.height).toBeGreaterThanOrEqual(12);
  await openButton.screenshot({ path: resolve(import.meta.dirname, "../test-results/screenshots/devtools-toggle.png") });
  expect(await openButton.textContent()).toBe("trio");
  // Reopen, so the next visit starts as the others expect.
  await openButton.click();
});

test("safety: cancelling main asks first; an asyncio Task has its own cancel button", async ({ page }) => {
  await page.goto("/devtools-playground.html");
  await expect(page.getByRole("treeitem", { name: /^fetcher-3/ })).toBeVisible();
  const detail = page.getByTestId("detail");
  await page.getByRole("treeitem", { name: /^main #/ }).click();
  await detail.getByRole("button", { name: "Cancel task main" }).click();
  await expect(detail.getByTestId("confirm-message")).toContainText(/main is the main task of .*: cancelling it cancels the whole run \(\d+ other tasks\)/);
  await detail.getByRole("button", { name: "Keep running" }).click();
  await expect(detail.getByTestId("confirm-message")).toHaveCount(0);
  await expect(page.getByRole("treeitem", { name: /^fetcher-1/ })).toBeVisible();
  // The asyncio Task: scroll to it, cancel it; its sibling lives on.
  await tree(page).evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.getByRole("treeitem", { name: /^aio-worker #/ }).click();
  await detail.getByRole("button", { name: "Cancel asyncio task aio-worker" }).click();
  await expect(page.getByRole("treeitem", { name: /^aio-worker #/ })).toHaveCount(0);
  await expect(page.getByRole("treeitem", { name: /^aio-waiter #/ })).toBeVisible();
});
