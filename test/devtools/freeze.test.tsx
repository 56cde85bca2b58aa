// @vitest-environment happy-dom
/**
 * Freeze: the tree, the detail pane and the status stop changing (updates
 * are held, time stands still), and unfreezing applies what was held, in
 * order; past the cap, the panel resubscribes for a fresh snapshot.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { DevtoolsPanel } from "../../devtools/index.js";
import { PanelStore } from "../../devtools/store.js";
import { bigSnapshot, fakeSource, mount, taskRec, update } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

function freezeButton(container: HTMLElement): HTMLButtonElement {
  return [...container.querySelectorAll<HTMLButtonElement>("button")].find((b) => /^(Freeze|Frozen)/.test(b.getAttribute("aria-label") ?? ""))!;
}

describe("freeze", () => {
  it("holds updates while frozen and applies them in order on unfreeze; time stands still", async () => {
    const fake = fakeSource();
    let clock = 1000;
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => clock} />);
    cleanup = m.unmount;
    const snap = bigSnapshot(2);
    snap.takenAt = 1000;
    await fake.push(update({ at: 1000, full: snap }));
    await act(() => (m.container.querySelector('[data-key="task:2"]') as HTMLElement).click());
    const blockedFor = () => m.container.querySelector('[data-testid="blocked-for"]')!.textContent;
    expect(blockedFor()).toBe("0 ms");
    await act(() => freezeButton(m.container).click());
    expect(freezeButton(m.container).getAttribute("aria-pressed")).toBe("true");
    // New tasks, a removal, time passing: nothing moves.
    await fake.push(update({ at: 1100, tasks: { upserted: [taskRec(50, { name: "newcomer", nurseryId: 100, parentTaskId: 1 })], removed: [] } }));
    await fake.push(update({ at: 1200, tasks: { upserted: [], removed: [3] } }));
    clock = 4000;
    await fake.push(update({ at: 1300, events: [{ at: 1300, kind: "spawn", runId: 1, id: 51, name: "x" }] }));
    expect(m.container.querySelector('[data-key="task:50"]')).toBe(null);
    expect(m.container.querySelector('[data-key="task:3"]')).not.toBe(null);
    expect(blockedFor()).toBe("0 ms");
    expect(freezeButton(m.container).textContent).toBe("Frozen (3 updates held)");
    expect(m.container.querySelector('[data-testid="status"]')!.textContent).toContain("3 tasks");
    // Unfreeze: all of it at once, and time moves again.
    await act(() => freezeButton(m.container).click());
    expect(freezeButton(m.container).getAttribute("aria-pressed")).toBe("false");
    expect(m.container.querySelector('[data-key="task:50"]')).not.toBe(null);
    expect(m.container.querySelector('[data-key="task:3"]')).toBe(null);
    expect(blockedFor()).toBe("3.0 s");
  });

  it("past the cap it drops what it held and resubscribes for a full snapshot on unfreeze", async () => {
    const store = new PanelStore();
    store.apply(update({ at: 0, full: bigSnapshot(1) }));
    store.setFrozen(true, 0);
    for (let i = 0; i < 2001; i++) store.apply(update({ at: i, tasks: { upserted: [taskRec(1000 + i)], removed: [] } }));
    expect(store.needsResync).toBe(true);
    expect(store.heldCount).toBe(0);
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} store={store} now={() => 0} />);
    cleanup = m.unmount;
    expect(fake.subscriptions()).toBe(1);
    await act(() => freezeButton(m.container).click());
    expect(store.frozenAt).toBe(null);
    // A new subscription: the inspector sends it a full snapshot first.
    expect(fake.subscriptions()).toBe(2);
    await fake.push(update({ at: 10, full: bigSnapshot(3) }));
    expect(store.tasks.size).toBe(4);
    expect(store.tasks.has(1000)).toBe(false);
  });
});
