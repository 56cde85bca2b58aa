// @vitest-environment happy-dom
/**
 * Page to panel: selecting a task outlines its component's DOM element (the
 * outline goes when the selection has no element, and when the panel
 * unmounts); "Pick element" turns a click on the page into a selection of
 * that component's task, without the page seeing the click; Escape stops it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { sleepForever } from "../../src/index.js";
import { TrioRoot, TrioRuntime, useTask } from "../../src/preact/index.js";
import { DevtoolsPanel } from "../../devtools/index.js";
import { owningElement } from "../../devtools/page-link.js";
import { manualFrames, mount, until } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

let pageClicks = 0;

function Search(): preact.JSX.Element {
  useTask(function* search() {
    yield* sleepForever();
  }, []);
  return (
    <section class="search">
      <button type="button" class="go" onClick={() => pageClicks++}>
        go
      </button>
    </section>
  );
}

function Other(): preact.JSX.Element {
  useTask(function* poll() {
    yield* sleepForever();
  }, []);
  return <aside class="other">poll</aside>;
}

async function setup() {
  pageClicks = 0;
  const runtime = new TrioRuntime({ name: "page-link" });
  const frames = manualFrames();
  const app = await mount(
    <TrioRoot runtime={runtime}>
      <Search />
      <Other />
    </TrioRoot>,
  );
  const panel = await mount(<DevtoolsPanel scheduleFrame={frames.scheduleFrame} />);
  cleanup = async () => {
    await panel.unmount();
    await app.unmount();
    await runtime.close();
  };
  const row = (name: string) => [...panel.container.querySelectorAll<HTMLElement>('[role="treeitem"]')].find((el) => el.querySelector(".tad-name")?.textContent === name);
  await until(() => row("search") !== undefined && row("poll") !== undefined, frames);
  const outline = () => document.querySelector<HTMLElement>("[data-trio-devtools-outline]");
  return { app, panel, frames, row, outline };
}

describe("page to panel", () => {
  it("selecting a task outlines its component's element; a task with none, or unmounting the panel, removes the outline", async () => {
    const { app, panel, frames, row, outline } = await setup();
    expect(outline()).toBe(null);
    await act(() => row("search")!.click());
    await until(() => outline() !== null, frames);
    expect(outline()!.textContent).toBe("search · section.search");
    await act(() => row("poll")!.click());
    await until(() => outline()?.textContent === "poll · aside.other", frames);
    expect(document.querySelectorAll("[data-trio-devtools-outline]")).toHaveLength(1);
    // The run's row is no task: nothing is outlined.
    await act(() => panel.container.querySelector<HTMLElement>('[role="treeitem"][aria-level="1"]')!.click());
    await until(() => outline() === null, frames);
    await act(() => row("search")!.click());
    await until(() => outline() !== null, frames);
    await panel.unmount();
    expect(outline()).toBe(null);
    expect(app.container.querySelector("section.search")).not.toBe(null);
  });

  it("Pick element: a click on the page selects the component's task, and the page never sees that click; Escape stops picking", async () => {
    const { app, panel, frames, row, outline } = await setup();
    const pick = () => [...panel.container.querySelectorAll("button")].find((b) => /Pick element|Picking element/.test(b.textContent ?? ""))!;
    expect(pick().getAttribute("aria-pressed")).toBe("false");
    await act(() => pick().click());
    expect(pick().getAttribute("aria-pressed")).toBe("true");
    await act(() => app.container.querySelector<HTMLElement>("button.go")!.click());
    expect(pageClicks).toBe(0);
    expect(pick().getAttribute("aria-pressed")).toBe("false");
    await until(() => row("search")?.getAttribute("aria-selected") === "true", frames);
    await until(() => outline()?.textContent === "search · section.search", frames);
    // Picking again, then Escape: nothing picked, and page clicks reach the page again.
    await act(() => pick().click());
    await act(() => {
      document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    });
    expect(pick().getAttribute("aria-pressed")).toBe("false");
    await act(() => app.container.querySelector<HTMLElement>("button.go")!.click());
    expect(pageClicks).toBe(1);
  });

  it("owningElement finds the nearest component element up the tree", () => {
    const outer = document.createElement("div");
    const inner = document.createElement("p");
    const leaf = document.createElement("span");
    outer.append(inner);
    inner.append(leaf);
    expect(owningElement(leaf, new Map([[outer, [1]]]))).toBe(outer);
    expect(owningElement(leaf, new Map([[outer, [1]], [inner, [2]]]))).toBe(inner);
    expect(owningElement(leaf, new Map())).toBe(null);
  });
});
