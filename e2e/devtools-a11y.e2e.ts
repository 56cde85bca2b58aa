import { createRequire } from "node:module";
import { expect, test, type Page } from "@playwright/test";

// Accessibility of the open devtools panel, checked by axe-core inside the
// panel's shadow root: no serious or critical violations, with a row
// selected, a row flagged "blocked too long", an exited row and the detail
// pane filled (the states whose colours and names matter).

const require = createRequire(import.meta.url);

interface AxeNode {
  target: unknown;
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

/** Runs axe-core on the panel's host element and returns its serious/critical violations, summarised. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve("axe-core") });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ include: [["[data-trio-asyncio-devtools]"]] }, { resultTypes: ["violations"] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 5).map((n) => `  ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}\n    ${n.failureSummary ?? ""}`).join("\n")}`);
}

test("axe-core finds no serious or critical violations in the open panel", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/devtools-playground.html");
  await expect(page.getByRole("treeitem", { name: /^fetcher-3/ })).toBeVisible();
  // A threshold low enough that some rows are flagged "blocked too long".
  await page.getByRole("spinbutton", { name: /Highlight tasks blocked/ }).fill("0.5");
  await expect(page.locator(".tad-row.tad-long-blocked").first()).toBeVisible();
  await expect(page.locator(".tad-row.tad-exited").first()).toBeVisible();
  await page.getByRole("treeitem", { name: /^deadline-worker/ }).click();
  await expect(page.getByTestId("detail").getByRole("heading").first()).toContainText("deadline-worker");
  expect(await axeViolations(page)).toEqual([]);
  // A selected row that is also flagged.
  await page.locator(".tad-row.tad-long-blocked").first().click();
  await expect(page.locator(".tad-row.tad-long-blocked[aria-selected=true]")).toHaveCount(1);
  expect(await axeViolations(page)).toEqual([]);
  // Frozen (the button's name changes with its text).
  await page.getByRole("button", { name: /^Freeze/ }).click();
  await expect(page.getByRole("button", { name: /^Frozen/ })).toHaveAttribute("aria-pressed", "true");
  expect(await axeViolations(page)).toEqual([]);
  await page.getByRole("button", { name: /^Frozen/ }).click();
  // Docked to the right (narrow, stacked), with library internals shown and the timeline collapsed.
  await page.getByRole("button", { name: "Dock to the right" }).click();
  await page.getByRole("checkbox", { name: /library internals/ }).check();
  await page.getByRole("button", { name: "Timeline", exact: true }).click();
  expect(await axeViolations(page)).toEqual([]);
});

test("a row's state is told by text and shape, not only by colour", async ({ page }) => {
  await page.goto("/devtools-playground.html");
  const row = page.getByRole("treeitem", { name: /^fetcher-1 #\d+/ });
  await expect(row).toBeVisible();
  // The accessible name starts with the visible text and ends with the state.
  const label = (await row.getAttribute("aria-label"))!;
  const visible = (await row.evaluate((el) => (el as HTMLElement).innerText)).replace(/\s+/g, " ").trim();
  expect(label.startsWith(visible)).toBe(true);
  expect(label).toMatch(/, blocked/);
  // Each state has its own shape.
  await expect(row.locator("svg.tad-dot")).toHaveAttribute("data-shape", "blocked");
  // The errored task moves below the fold (history comes after live tasks): search for it.
  await page.getByRole("searchbox", { name: /Search tasks/ }).fill("crasher");
  const crasher = page.getByRole("treeitem", { name: /^crasher #/ });
  await expect(crasher).toHaveAttribute("data-state", "errored", { timeout: 15_000 });
  await expect(crasher.locator("svg.tad-dot")).toHaveAttribute("data-shape", "errored");
  await expect(crasher).toContainText("errored");
});
