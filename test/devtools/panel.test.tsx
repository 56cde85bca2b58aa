// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { DevtoolsPanel } from "../../devtools/index.js";
import { ROW_HEIGHT } from "../../devtools/styles.js";
import { bigSnapshot, fakeSource, mount, taskRec, update } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function panelWith(snapshotSize: number, props: { now?: () => number; fallbackTreeHeight?: number } = {}) {
  const fake = fakeSource();
  const m = await mount(<DevtoolsPanel source={fake.source} now={props.now ?? (() => 0)} fallbackTreeHeight={props.fallbackTreeHeight ?? 400} />);
  cleanup = m.unmount;
  await fake.push(update({ full: bigSnapshot(snapshotSize) }));
  return { ...fake, container: m.container };
}

function items(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>('[role="treeitem"]')];
}

function names(container: HTMLElement): string[] {
  return items(container).map((el) => el.querySelector(".tad-name")!.textContent!);
}

async function key(el: Element, k: string): Promise<void> {
  await act(() => {
    el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
  });
}

async function type(input: HTMLInputElement, value: string): Promise<void> {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function click(el: Element): Promise<void> {
  await act(() => {
    (el as HTMLElement).click();
  });
}

describe("virtualised tree", () => {
  it("renders only the rows in view for 10,000 tasks, and follows scrolling", async () => {
    const { container } = await panelWith(10_000);
    expect(container.querySelector('[data-testid="status"]')!.textContent).toContain("10001 tasks");
    const visible = Math.ceil(400 / ROW_HEIGHT);
    const overscan = 8;
    expect(items(container).length).toBeGreaterThan(visible - 1);
    expect(items(container).length).toBeLessThanOrEqual(visible + 2 * overscan + 1);
    // The spacer is as tall as all the rows (run + main + nursery + 10,000).
    const spacer = container.querySelector<HTMLElement>('[role="tree"] > div')!;
    expect(spacer.style.height).toBe(`${10_003 * ROW_HEIGHT}px`);
    const tree = container.querySelector<HTMLElement>('[role="tree"]')!;
    await act(() => {
      tree.scrollTop = 5000 * ROW_HEIGHT;
      tree.dispatchEvent(new Event("scroll"));
    });
    const shown = names(container);
    expect(shown.length).toBeLessThanOrEqual(visible + 2 * overscan + 1);
    expect(shown).toContain("worker-4997"); // row 5000 = run, main, nursery, then worker-4997
    expect(shown).not.toContain("worker-0");
  });

  it("repaints a status change without rebuilding, and highlights tasks blocked too long", async () => {
    let now = 1000;
    const fake = await panelWith(3, { now: () => now });
    const row = () => fake.container.querySelector<HTMLElement>('[data-key="task:2"]')!;
    expect(row().classList.contains("tad-long-blocked")).toBe(false);
    now = 6500; // blocked since 0: 6.5 s, over the default 5 s
    await fake.push(update({ at: 6500, tasks: { upserted: [taskRec(3, { status: "runnable", nurseryId: 100, parentTaskId: 1 })], removed: [] } }));
    expect(row().classList.contains("tad-long-blocked")).toBe(true);
    expect(row().textContent).toContain("blocked 6.5 s");
    expect(fake.container.querySelector<HTMLElement>('[data-key="task:3"]')!.dataset.state).toBe("runnable");
    // A higher threshold turns it off.
    await type(fake.container.querySelector<HTMLInputElement>('input[type="number"]')!, "10");
    expect(row().classList.contains("tad-long-blocked")).toBe(false);
    expect(fake.container.querySelector('[data-testid="status"]')!.textContent).toMatch(/3 blocked/);
  });
});

describe("search and filters in the panel", () => {
  it("searching by name keeps the path; state filters combine with it", async () => {
    const fake = await panelWith(30);
    const search = fake.container.querySelector<HTMLInputElement>('input[type="search"]')!;
    await type(search, "worker-1");
    expect(names(fake.container)).toEqual(["big-run", "main", "nursery #100", "worker-1", ...Array.from({ length: 10 }, (_, i) => `worker-${10 + i}`)]);
    const blocked = [...fake.container.querySelectorAll("button")].find((b) => b.textContent === "Blocked")!;
    await click(blocked);
    expect(blocked.getAttribute("aria-pressed")).toBe("true");
    expect(names(fake.container)).toContain("worker-12");
    const running = [...fake.container.querySelectorAll("button")].find((b) => b.textContent === "Running")!;
    await click(blocked);
    await click(running);
    expect(names(fake.container)).toEqual([]);
    expect(fake.container.textContent).toContain("Nothing to show");
    // A task starts running: it appears (with a filter on, rows follow every change).
    await fake.push(update({ tasks: { upserted: [taskRec(13, { name: "worker-11", status: "running", nurseryId: 100, parentTaskId: 1 })], removed: [] } }));
    expect(names(fake.container)).toEqual(["big-run", "main", "nursery #100", "worker-11"]);
  });
});

describe("keyboard navigation", () => {
  it("moves with the arrows, collapses and expands, selects with Enter", async () => {
    const fake = await panelWith(3);
    const tree = fake.container.querySelector<HTMLElement>('[role="tree"]')!;
    const active = () => tree.getAttribute("aria-activedescendant");
    await act(() => tree.focus());
    expect(active()).toBe("tad-row-run-1");
    await key(tree, "ArrowDown");
    await key(tree, "ArrowDown");
    expect(active()).toBe("tad-row-nursery-100");
    const nurseryRow = () => fake.container.querySelector('[data-key="nursery:100"]')!;
    expect(nurseryRow().getAttribute("aria-expanded")).toBe("true");
    expect(nurseryRow().getAttribute("aria-level")).toBe("3");
    await key(tree, "ArrowLeft"); // collapse
    expect(nurseryRow().getAttribute("aria-expanded")).toBe("false");
    expect(names(fake.container)).toEqual(["big-run", "main", "nursery #100"]);
    await key(tree, "ArrowLeft"); // to the parent
    expect(active()).toBe("tad-row-task-1");
    await key(tree, "ArrowDown");
    await key(tree, "ArrowRight"); // expand
    expect(nurseryRow().getAttribute("aria-expanded")).toBe("true");
    await key(tree, "ArrowRight"); // into the first child
    expect(active()).toBe("tad-row-task-2");
    // The selection, and so the detail pane, follows the arrows.
    expect(fake.container.querySelector('[data-key="task:2"]')!.getAttribute("aria-selected")).toBe("true");
    expect(fake.container.querySelector('[data-testid="detail"] h2')!.textContent).toContain("worker-0");
    await key(tree, "End");
    expect(active()).toBe("tad-row-task-4");
    const row = fake.container.querySelector('[data-key="task:4"]')!;
    expect(row.getAttribute("aria-selected")).toBe("true");
    expect(fake.container.querySelector('[data-testid="detail"] h2')!.textContent).toContain("worker-2");
    await key(tree, "Enter");
    expect(row.getAttribute("aria-selected")).toBe("true");
    await key(tree, "Home");
    expect(active()).toBe("tad-row-run-1");
    // Every row is labelled for assistive technology.
    for (const el of items(fake.container)) {
      expect(el.getAttribute("aria-level")).toMatch(/^\d+$/);
      expect(el.hasAttribute("aria-selected")).toBe(true);
    }
  });

  it("focus from a mousedown moves neither the cursor nor the scroll position; the click selects its row", async () => {
    const fake = await panelWith(1000, { fallbackTreeHeight: 220 });
    const tree = fake.container.querySelector<HTMLElement>('[role="tree"]')!;
    await act(() => {
      tree.scrollTop = 500 * ROW_HEIGHT;
      tree.dispatchEvent(new Event("scroll"));
    });
    const row = fake.container.querySelector<HTMLElement>('[data-key="task:505"]')!;
    await act(() => {
      row.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
      tree.focus();
    });
    expect(tree.scrollTop).toBe(500 * ROW_HEIGHT);
    expect(tree.hasAttribute("aria-activedescendant")).toBe(false);
    await act(() => {
      row.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
      row.click();
    });
    expect(fake.container.querySelector('[data-key="task:505"]')!.getAttribute("aria-selected")).toBe("true");
    expect(tree.scrollTop).toBe(500 * ROW_HEIGHT);
    // After a blur, focus from the keyboard puts the cursor back (on the selected row).
    await act(() => tree.blur());
    await act(() => tree.focus());
    expect(tree.getAttribute("aria-activedescendant")).toBe("tad-row-task-505");
  });

  it("does not scroll back to the active row when rows come and go above it", async () => {
    const fake = await panelWith(1000, { fallbackTreeHeight: 220 });
    const tree = fake.container.querySelector<HTMLElement>('[role="tree"]')!;
    await act(() => tree.focus());
    for (let i = 0; i < 3; i++) await key(tree, "PageDown");
    const active = tree.getAttribute("aria-activedescendant")!;
    expect(active).toMatch(/^tad-row-task-\d+$/);
    await act(() => {
      tree.scrollTop = 600 * ROW_HEIGHT;
      tree.dispatchEvent(new Event("scroll"));
    });
    // A task above the active row goes away: every index below moves; the view stays where the user scrolled.
    await fake.push(update({ tasks: { upserted: [], removed: [2] } }));
    expect(tree.scrollTop).toBe(600 * ROW_HEIGHT);
    // The keys still bring the cursor back into view.
    await key(tree, "ArrowDown");
    expect(tree.scrollTop).toBeLessThan(60 * ROW_HEIGHT);
  });

  it("keeps the active row rendered when the keys take it far below the viewport", async () => {
    const fake = await panelWith(1000, { fallbackTreeHeight: 220 });
    const tree = fake.container.querySelector<HTMLElement>('[role="tree"]')!;
    await act(() => tree.focus());
    for (let i = 0; i < 5; i++) await key(tree, "PageDown");
    const id = tree.getAttribute("aria-activedescendant")!;
    expect(fake.container.querySelector(`#${id}`)).not.toBe(null);
    expect(tree.scrollTop).toBeGreaterThan(0);
  });
});
