// @vitest-environment happy-dom
/**
 * The bindings' wrapper tasks (the runtime's main task, a component
 * nursery's host) and the scopes they enter are folded away by default,
 * with a toggle, on a live TrioRuntime.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { sleepForever, inspector, type Operation } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRuntime, taskPolicy } from "../../src/components/index.js";
import { DevtoolsPanel } from "../../devtools/index.js";
import { PanelStore } from "../../devtools/store.js";
import { buildTree, rowName } from "../../devtools/tree.js";
import { manualFrames, mount, until } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
  expect(inspector.subscriberCount()).toBe(0);
});

function* userWork(): Operation<void> {
  yield* sleepForever();
}

/** A runtime with a component nursery running a policy's instance and a plain task. */
function app(): { rt: TrioRuntime; runName: string } {
  const runName = `internals-${Math.random().toString(36).slice(2, 8)}`;
  const rt = new TrioRuntime({ name: runName, clock: new MockClock(), onError: (e) => { throw e; } });
  const nursery = rt.openNursery("search scope");
  nursery.startSoonNamed("user-task", userWork);
  taskPolicy(nursery, function* search(): Operation<void> {
    yield* sleepForever();
  }).perform();
  return { rt, runName };
}

describe("library internals", () => {
  it("the tree hoists the user's tasks over the wrappers; the toggle shows them", async () => {
    const { rt, runName } = app();
    const store = new PanelStore();
    const frames = manualFrames();
    const stop = inspector.subscribe((u) => store.apply(u), { scheduleFrame: frames.scheduleFrame });
    cleanup = async () => {
      stop();
      await rt.close();
    };
    await until(() => [...store.tasks.values()].some((t) => t.name === "search"), frames);
    const run = [...store.runs.values()].find((r) => r.name === runName)!;
    const names = (showInternals: boolean) => {
      const { rows, hiddenInternals } = buildTree(store, new Set(), { search: "", states: new Set() }, { showInternals });
      const start = rows.findIndex((r) => r.key === `run:${run.id}`);
      const mine = rows.slice(start + 1).filter((r) => r.kind === "run" ? false : true);
      return { hiddenInternals, list: mine.map((r) => `${r.level}:${rowName(store, r.kind, r.id)}`) };
    };
    const folded = names(false);
    // Directly under the run: no main task, no host, no nurseries.
    expect(folded.list.filter((l) => /user-task|:search$|search scope|nursery/.test(l))).toEqual(["2:user-task", "2:search"]);
    expect(folded.hiddenInternals).toBeGreaterThanOrEqual(4); // main task, its nursery, the host, its nurseries
    const shown = names(true);
    expect(shown.list.some((l) => l.endsWith(":search scope"))).toBe(true);
    expect(shown.list.find((l) => /:search$/.test(l))!.startsWith("2:")).toBe(false);
    expect(shown.hiddenInternals).toBe(0);
  });

  it("the detail pane folds the wrappers' scopes into one line, with a button that shows them", async () => {
    const { rt } = app();
    const frames = manualFrames();
    const m = await mount(<DevtoolsPanel scheduleFrame={frames.scheduleFrame} now={() => 0} fallbackTreeHeight={4000} />);
    cleanup = async () => {
      await m.unmount();
      await rt.close();
    };
    const row = () => [...m.container.querySelectorAll<HTMLElement>('[role="treeitem"]')].find((el) => el.querySelector(".tad-name")?.textContent === "search");
    await until(() => row() !== undefined, frames);
    expect([...m.container.querySelectorAll(".tad-name")].some((el) => el.textContent === "search scope")).toBe(false);
    await act(() => row()!.click());
    const detail = m.container.querySelector<HTMLElement>('[data-testid="detail"]')!;
    const scopes = () => detail.querySelectorAll('[aria-label="Cancel scopes"] > li').length;
    const shownBefore = scopes();
    // The run's root, the instance's own scope: the rest are wrappers.
    expect(shownBefore).toBe(2);
    expect(detail.querySelector('[data-testid="hidden-scopes"]')!.textContent).toMatch(/^5 library scopes hidden/);
    const show = [...detail.querySelectorAll("button")].find((b) => b.textContent === "Show library internals")!;
    await act(() => show.click());
    expect(scopes()).toBe(7);
    expect(detail.querySelector('[data-testid="hidden-scopes"]')).toBeNull();
    const toggle = [...m.container.querySelectorAll<HTMLLabelElement>("label")].find((l) => l.textContent?.includes("library internals"))!.querySelector("input")!;
    expect(toggle.checked).toBe(true);
    expect([...m.container.querySelectorAll(".tad-name")].some((el) => el.textContent === "search scope")).toBe(true);
  });
});
