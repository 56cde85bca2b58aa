import { expect, test } from "@playwright/test";

test("the demo index loads in Chromium", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "trio-asyncio demos" })).toBeVisible();
  expect(errors).toEqual([]);
});
