/**
 * The pointer-drag demo in Chromium, with real pointer input: a drag moves
 * the card and drops it on pointerup, Escape puts it back, and the
 * listeners of a drag (pointermove, pointerup, keydown) exist only while it
 * lasts. Listeners on DOM nodes and the window are invisible to the page's
 * listener probe, so this test asks Chromium itself (DevTools protocol,
 * DOMDebugger.getEventListeners). It ends with dragging switched off: no
 * task, and no listener of ours on the board or the window.
 */
import { expect, test, type CDPSession, type Page } from "@playwright/test";
import { collectErrors, expectNothingLeft, openDemo, screenshot, VIEWPORT } from "./helpers.js";

test.use({ viewport: VIEWPORT });

const OURS = ["pointerdown", "pointermove", "pointerup", "keydown"];

/** The types of the listeners (of the types above) on the board and on the window, as Chromium lists them. */
async function listenerTypes(cdp: CDPSession): Promise<{ board: string[]; window: string[] }> {
  const types = async (expression: string) => {
    const { result } = await cdp.send("Runtime.evaluate", { expression });
    const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId! });
    await cdp.send("Runtime.releaseObject", { objectId: result.objectId! });
    return listeners.map((l) => l.type).filter((t) => OURS.includes(t)).sort();
  };
  return { board: await types(`document.querySelector('[data-testid="board"]')`), window: await types("window") };
}

/** The inspector's names of the drag tasks in the page. */
async function dragTasks(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__trio!.snapshot().tasks.map((t) => t.name).filter((n) => /dragLoop|drop|cancelOnEscape/.test(n)));
}

async function cardCenter(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId("card").boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

test("pointer drag: moves arrive through a channel, pointerup drops, Escape undoes, and no listener outlives a drag", async ({ page }) => {
  const errors = collectErrors(page);
  await openDemo(page, "/drag/");
  const cdp = await page.context().newCDPSession(page);
  await expect(page.getByTestId("position")).toHaveText("40, 40");
  // Idle: only the pointerdown wait is on the board; nothing on the window.
  // The drag loop is started by an effect, after the first paint (so the check at the end can fail).
  await expect.poll(() => dragTasks(page)).not.toEqual([]);
  // The board's pointerdown wait is added by the demo's task, which may start after the first paint.
  await expect.poll(async () => (await listenerTypes(cdp)).board, { message: "the pointerdown wait" }).toEqual(["pointerdown"]);
  const idle = await listenerTypes(cdp);
  expect(idle.board).toEqual(["pointerdown"]);
  const windowBaseline = idle.window;
  expect(windowBaseline).not.toContain("keydown");

  // A drag: the card follows the pointer; the drag's listeners are there while it lasts.
  let from = await cardCenter(page);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await expect(page.getByTestId("drag-state")).toHaveText("dragging");
  // "dragging" is drawn as the drag starts, before its tasks have added their listeners: wait for them.
  await expect
    .poll(() => listenerTypes(cdp), { message: "the drag's listeners" })
    .toEqual({ board: ["pointermove", "pointerup"], window: [...windowBaseline, "keydown"].sort() });
  await page.mouse.move(from.x + 60, from.y + 30, { steps: 12 });
  await expect(page.getByTestId("position")).toHaveText("100, 70");
  await page.mouse.up();
  await expect(page.getByTestId("drag-state")).toHaveText("idle");
  await expect(page.getByTestId("outcomes")).toHaveText("1 / 0");
  await expect(page.getByTestId("position")).toHaveText("100, 70");
  await expect.poll(() => listenerTypes(cdp), { message: "back to the idle listeners" }).toEqual(idle);
  const moves = (await page.getByTestId("moves").textContent())!;
  expect(Number(moves.split(" / ")[0])).toBeGreaterThanOrEqual(1);

  // Escape mid-drag: the card goes back to where the drag started, and the listeners go.
  from = await cardCenter(page);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 80, from.y + 90, { steps: 8 });
  await expect(page.getByTestId("position")).toHaveText("180, 160");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("drag-state")).toHaveText("idle");
  await expect(page.getByTestId("position")).toHaveText("100, 70");
  await expect(page.getByTestId("outcomes")).toHaveText("1 / 1");
  await expect.poll(() => listenerTypes(cdp), { message: "back to the idle listeners" }).toEqual(idle);
  // The button comes up after the cancel: no drag is waiting for it, and the card stays.
  await page.mouse.up();
  await expect(page.getByTestId("position")).toHaveText("100, 70");
  await screenshot(page, "drag");

  // Switching dragging off mid-drag cancels the task: the card goes back, every listener goes.
  from = await cardCenter(page);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 20, from.y + 20, { steps: 4 });
  await expect(page.getByTestId("position")).toHaveText("120, 90");
  // The mouse is held down on the card, so the switch is flipped by a click event rather than the mouse.
  await page.getByLabel(/dragging on/).dispatchEvent("click");
  await expect(page.getByLabel(/dragging on/)).not.toBeChecked();
  await expect(page.getByTestId("drag-state")).toHaveText("idle");
  await expect(page.getByTestId("position")).toHaveText("100, 70");
  await page.mouse.up();
  await expect.poll(() => listenerTypes(cdp), { message: "no listener of ours left" }).toEqual({ board: [], window: windowBaseline });
  await expectNothingLeft(page);
  expect(await dragTasks(page)).toEqual([]);
  expect(errors).toEqual([]);
});
