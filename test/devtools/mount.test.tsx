// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { inspector, openNursery, run, sleep } from "../../src/index.js";
import { mountDevtools, type MountedDevtools } from "../../devtools/index.js";

let mounted: MountedDevtools | null = null;

beforeEach(() => {
  localStorage.clear();
});

afterEach(async () => {
  await act(() => mounted?.unmount());
  mounted = null;
  expect(inspector.subscriberCount()).toBe(0);
});

function host(): HTMLElement {
  return document.querySelector<HTMLElement>("[data-trio-asyncio-devtools]")!;
}

function shadow(): ShadowRoot {
  return host().shadowRoot!;
}

async function open(options: Parameters<typeof mountDevtools>[0]): Promise<void> {
  await act(() => {
    mounted = mountDevtools(options);
  });
}

function pointer(el: Element, type: string, x: number, y: number): Promise<void> {
  return act(() => {
    el.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, button: 0, bubbles: true, pointerId: 1 }));
  });
}

describe("mountDevtools", () => {
  it("mounts a toggle button in a shadow root; the panel subscribes only while open", async () => {
    await open({ storageKey: "t1" });
    expect(shadow()).not.toBe(null);
    const toggle = shadow().querySelector<HTMLButtonElement>(".tad-toggle")!;
    expect(toggle.getAttribute("aria-label")).toBe("Open trio-asyncio devtools");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    // The icon is an SVG, not a glyph that depends on the fonts installed ("⧉" is missing in headless Chromium's).
    expect(toggle.querySelector("svg")).not.toBe(null);
    expect(toggle.textContent).toBe("trio");
    expect(shadow().querySelector('[role="dialog"]')).toBe(null);
    expect(inspector.subscriberCount()).toBe(0);
    await act(() => toggle.click());
    expect(shadow().querySelector('[role="dialog"]')).not.toBe(null);
    expect(shadow().querySelector('[role="tree"]')).not.toBe(null);
    expect(inspector.subscriberCount()).toBe(1);
    expect(JSON.parse(localStorage.getItem("t1")!)).toMatchObject({ open: true });
    // The panel's close button closes it too.
    await act(() => shadow().querySelector<HTMLButtonElement>('[aria-label="Close devtools"]')!.click());
    expect(shadow().querySelector('[role="dialog"]')).toBe(null);
    expect(inspector.subscriberCount()).toBe(0);
    expect(JSON.parse(localStorage.getItem("t1")!)).toMatchObject({ open: false });
  });

  it("Escape closes the panel, but not while typing in a text field", async () => {
    await open({ initiallyOpen: true, storageKey: "t-esc" });
    const input = shadow().querySelector<HTMLInputElement>('input[type="search"], input')!;
    expect(input).not.toBe(null);
    await act(() => {
      input.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    });
    expect(shadow().querySelector('[role="dialog"]')).not.toBe(null);
    const tree = shadow().querySelector<HTMLElement>('[role="tree"]')!;
    await act(() => {
      tree.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    });
    expect(shadow().querySelector('[role="dialog"]')).toBe(null);
  });

  it("keeps its styles in the shadow root and nothing in the page", async () => {
    const before = document.querySelectorAll("style").length;
    await open({ initiallyOpen: true, storageKey: "t2" });
    expect(document.querySelectorAll("style").length).toBe(before);
    expect(document.querySelector(".tad-root")).toBe(null);
    const css = [...shadow().querySelectorAll("style")].map((s) => s.textContent).join("");
    expect(css).toContain(":host { all: initial; }");
    expect(shadow().querySelector(".tad-root")).not.toBe(null);
  });

  it("restores open state, position and size from localStorage", async () => {
    localStorage.setItem("t3", JSON.stringify({ open: true, x: 40, y: 30, width: 500, height: 300 }));
    await open({ storageKey: "t3" });
    const frame = shadow().querySelector<HTMLElement>(".tad-frame")!;
    expect(frame.style.left).toBe("40px");
    expect(frame.style.top).toBe("30px");
    expect(frame.style.width).toBe("500px");
    expect(frame.style.height).toBe("300px");
  });

  it("stores only what the user changed: a later initiallyOpen or dock still applies", async () => {
    await open({ storageKey: "t-defaults" }); // closed, floating: the defaults, chosen by nobody
    expect(shadow().querySelector('[role="dialog"]')).toBe(null);
    expect(localStorage.getItem("t-defaults")).toBe(null);
    await act(() => mounted?.unmount());
    await open({ storageKey: "t-defaults", initiallyOpen: true, dock: "right" });
    const frame = shadow().querySelector<HTMLElement>('[role="dialog"]');
    expect(frame).not.toBe(null);
    expect(frame!.dataset.dock).toBe("right");
    // What the user does is remembered, and wins over the options from then on.
    await act(() => shadow().querySelector<HTMLButtonElement>('[aria-label="Close devtools"]')!.click());
    expect(JSON.parse(localStorage.getItem("t-defaults")!)).toMatchObject({ open: false, dock: "right" });
    await act(() => mounted?.unmount());
    await open({ storageKey: "t-defaults", initiallyOpen: true });
    expect(shadow().querySelector('[role="dialog"]')).toBe(null);
  });

  it("drags to move and resize, and remembers the result", async () => {
    localStorage.setItem("t4", JSON.stringify({ open: true, x: 40, y: 30, width: 500, height: 300 }));
    await open({ storageKey: "t4" });
    const grip = shadow().querySelector(".tad-grip")!;
    await pointer(grip, "pointerdown", 100, 100);
    await pointer(grip, "pointermove", 130, 120);
    await pointer(grip, "pointerup", 130, 120);
    const resize = shadow().querySelector(".tad-resize")!;
    await pointer(resize, "pointerdown", 0, 0);
    await pointer(resize, "pointermove", 60, 50);
    await pointer(resize, "pointerup", 60, 50);
    expect(JSON.parse(localStorage.getItem("t4")!)).toMatchObject({ open: true, dock: "float", x: 70, y: 50, width: 560, height: 350 });
  });

  it("unmount removes everything; bad options are refused with a clear message", async () => {
    await open({ initiallyOpen: true, storageKey: "t5" });
    expect(inspector.subscriberCount()).toBe(1);
    await act(() => mounted!.unmount());
    mounted = null;
    expect(document.querySelector("[data-trio-asyncio-devtools]")).toBe(null);
    expect(() => mountDevtools(null as unknown as undefined)).toThrow(/takes an object/);
  });

  it("docks to the bottom or the right, taking room from the page instead of covering it, and undocks", async () => {
    const root = document.documentElement;
    root.style.paddingBottom = "3px";
    await open({ initiallyOpen: true, storageKey: "t7", dock: "bottom" });
    const frame = () => shadow().querySelector<HTMLElement>('[role="dialog"]')!;
    expect(frame().dataset.dock).toBe("bottom");
    expect(frame().style.bottom).toBe("0px");
    const size = parseFloat(frame().style.height);
    expect(root.style.paddingBottom).toBe(`${size}px`);
    const dockButton = (label: string) => shadow().querySelector<HTMLButtonElement>(`[aria-label="${label}"]`)!;
    expect(dockButton("Dock to the bottom").getAttribute("aria-pressed")).toBe("true");
    // Resizing from the top edge grows it, and the page's room with it.
    const edge = shadow().querySelector<HTMLElement>(".tad-edge-top")!;
    await pointer(edge, "pointerdown", 0, 500);
    await pointer(edge, "pointermove", 0, 460);
    await pointer(edge, "pointerup", 0, 460);
    expect(parseFloat(frame().style.height)).toBe(size + 40);
    expect(root.style.paddingBottom).toBe(`${size + 40}px`);
    await act(() => dockButton("Dock to the right").click());
    expect(frame().dataset.dock).toBe("right");
    expect(root.style.paddingBottom).toBe("3px");
    expect(root.style.paddingRight).toBe(frame().style.width);
    expect(JSON.parse(localStorage.getItem("t7")!)).toMatchObject({ dock: "right", bottomSize: size + 40 });
    await act(() => dockButton("Float the panel").click());
    expect(root.style.paddingRight).toBe("");
    await act(() => dockButton("Dock to the bottom").click());
    // Closing gives the room back, as does unmounting.
    await act(() => shadow().querySelector<HTMLButtonElement>(".tad-toggle")!.click());
    expect(root.style.paddingBottom).toBe("3px");
    await act(() => shadow().querySelector<HTMLButtonElement>(".tad-toggle")!.click());
    expect(root.style.paddingBottom).not.toBe("3px");
    await act(() => mounted!.unmount());
    mounted = null;
    expect(root.style.paddingBottom).toBe("3px");
    root.style.paddingBottom = "";
    expect(() => mountDevtools({ dock: "left" as "bottom" })).toThrow(/takes "float", "bottom" or "right", got "left"/);
  });

  it("the page's room changes in the same commit as the dock, never a frame later", async () => {
    // Read the padding the moment the frame's data-dock changes (a
    // MutationObserver runs before the next paint): a passive effect would
    // still show the old room there, and the page would paint it once.
    const root = document.documentElement;
    await open({ initiallyOpen: true, storageKey: "t7b", dock: "right" });
    const frame = shadow().querySelector<HTMLElement>('[role="dialog"]')!;
    expect(root.style.paddingRight).toBe(frame.style.width);
    const seen = new Promise<string>((resolve) => {
      const observer = new MutationObserver(() => {
        observer.disconnect();
        resolve(`${frame.dataset.dock} ${root.style.paddingRight}`);
      });
      observer.observe(frame, { attributes: true, attributeFilter: ["data-dock"] });
    });
    shadow().querySelector<HTMLButtonElement>('[aria-label="Float the panel"]')!.click();
    expect(await seen).toBe("float ");
  });

  it("recordWhileClosed: a closed panel keeps the timeline and history from the start; reopened, they are there", async () => {
    await open({ storageKey: "t8", recordWhileClosed: true, recordIntervalMs: 20 });
    // Closed, yet subscribed (slowly); without the option a closed panel is not.
    expect(shadow().querySelector('[role="dialog"]')).toBe(null);
    expect(inspector.subscriberCount()).toBe(1);
    await run(function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("early-bird", function* () {
          yield* sleep(0);
        });
      });
    });
    await act(() => new Promise((r) => setTimeout(r, 80)));
    await act(() => shadow().querySelector<HTMLButtonElement>(".tad-toggle")!.click());
    expect(inspector.subscriberCount()).toBe(1);
    const summary = shadow().querySelector('[data-testid="timeline-summary"]')!.textContent!;
    expect(summary).toMatch(/[1-9]\d* spawns/);
    expect(shadow().querySelector('[role="treeitem"][aria-label^="early-bird"]')).not.toBe(null);
    // Closed again: still recording; unmount ends it.
    await act(() => shadow().querySelector<HTMLButtonElement>(".tad-toggle")!.click());
    expect(inspector.subscriberCount()).toBe(1);
    await act(() => mounted!.unmount());
    mounted = null;
    expect(inspector.subscriberCount()).toBe(0);
    expect(() => mountDevtools({ recordIntervalMs: 0 })).toThrow(/recordIntervalMs.*at least 16; got 0/);
  });

  it("the keyboard moves and resizes the panel (the arrows on the move button)", async () => {
    localStorage.setItem("t9", JSON.stringify({ open: true, x: 40, y: 30, width: 500, height: 300 }));
    await open({ storageKey: "t9" });
    const frame = () => shadow().querySelector<HTMLElement>('[role="dialog"]')!;
    const press = (key: string, init: KeyboardEventInit = {}) =>
      act(() => {
        shadow().querySelector(".tad-move")!.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, ...init }));
      });
    expect(shadow().querySelector(".tad-move")!.getAttribute("aria-label")).toMatch(/^Move the panel/);
    await press("ArrowRight");
    await press("ArrowDown", { altKey: true });
    expect([frame().style.left, frame().style.top]).toEqual(["60px", "32px"]);
    await press("ArrowRight", { shiftKey: true });
    await press("ArrowUp", { shiftKey: true });
    expect([frame().style.width, frame().style.height]).toEqual(["520px", "280px"]);
    expect(JSON.parse(localStorage.getItem("t9")!)).toMatchObject({ x: 60, y: 32, width: 520, height: 280 });
    await act(() => shadow().querySelector<HTMLButtonElement>('[aria-label="Dock to the bottom"]')!.click());
    const before = parseFloat(frame().style.height);
    await press("ArrowUp");
    expect(parseFloat(frame().style.height)).toBe(before + 20);
    expect(shadow().querySelector(".tad-move")!.getAttribute("aria-label")).toMatch(/^Resize the panel/);
  });

  it("mounts into a given container", async () => {
    const box = document.createElement("section");
    document.body.appendChild(box);
    await open({ container: box, storageKey: "t6" });
    expect(box.querySelector("[data-trio-asyncio-devtools]")).not.toBe(null);
    box.remove();
  });
});
