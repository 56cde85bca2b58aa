// @vitest-environment happy-dom
/**
 * The creation stack in the detail pane: raw frames first, mapped ones
 * when the maps arrive, library frames folded into a row that expands,
 * each user frame a link; and a stack stays shown after its task exits.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { StackView } from "../../devtools/stack-view.js";
import { createStackMapper } from "../../devtools/stack-mapper.js";
import { mount } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

// Maps by hand: main.js line 2 → main.tsx line 27 col 5 ("gB" is 16; "0B" is 26).
const appMap = JSON.stringify({ version: 3, sources: ["main.tsx"], names: [], mappings: ";AA0BI" });
const libMap = JSON.stringify({ version: 3, sources: ["../src/inspect/subscribe.ts", "../src/core/nursery.ts"], names: [], mappings: "AAAA,UCgBE" });

const STACK = [
  "Error: task produce spawned here",
  "    at Object.taskSpawned (http://h/lib/all.js:1:1)",
  "    at Nursery.startSoon (http://h/lib/all.js:1:12)",
  "    at liveFeed (http://h/app/main.js:2:7)",
  "    at Generator.next (<anonymous>)",
  "    at Runner.step (http://h/lib/all.js:1:40)",
].join("\n");

/** A mapper whose fetches wait until `release()`, serving hand-made scripts and maps. */
function gatedMapper() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const files: Record<string, string> = {
    "http://h/app/main.js": `x();\nliveFeed();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(appMap).toString("base64")}`,
    "http://h/lib/all.js": "a();\n//# sourceMappingURL=all.js.map",
    "http://h/lib/all.js.map": libMap,
  };
  const mapper = createStackMapper({
    fetchText: async (url) => {
      await gate;
      const text = files[url];
      if (text === undefined) throw new Error(`404 ${url}`);
      return text;
    },
  });
  return { mapper, release };
}

function texts(el: Element, selector: string): string[] {
  return [...el.querySelectorAll(selector)].map((e) => (e.textContent ?? "").trim());
}

describe("StackView", () => {
  it("shows the raw frames at once, then the mapped ones with library frames folded", async () => {
    const { mapper, release } = gatedMapper();
    const m = await mount(<StackView stack={STACK} mapper={mapper} />);
    cleanup = m.unmount;
    const view = m.container.querySelector('[data-testid="creation-stack"]')!;
    expect(view.getAttribute("data-mapped")).toBe("false");
    expect(view.textContent).toContain("task produce spawned here");
    // Unmapped, nothing locates the library (its recorder frame is in a bundle): every located frame is a link.
    expect(texts(view, "a.tad-frame-link")).toEqual([
      "Object.taskSpawned /lib/all.js:1:1",
      "Nursery.startSoon /lib/all.js:1:12",
      "liveFeed /app/main.js:2:7",
      "Runner.step /lib/all.js:1:40",
    ]);
    await act(async () => {
      release();
      for (let i = 0; i < 10; i++) await Promise.resolve();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(view.getAttribute("data-mapped")).toBe("true");
    const links = [...view.querySelectorAll<HTMLAnchorElement>(":scope > ol > li > a.tad-frame-link")];
    expect(links.map((a) => [a.textContent, a.getAttribute("href"), a.getAttribute("data-mapped")])).toEqual([["liveFeed /app/main.tsx:27:5", "http://h/app/main.tsx", "true"]]);
    const folds = [...view.querySelectorAll<HTMLButtonElement>("li.tad-library-frames > button")];
    expect(folds.map((b) => [b.textContent, b.getAttribute("aria-expanded")])).toEqual([
      ["▸ 2 library frames", "false"],
      ["▸ 2 library frames", "false"],
    ]);
    await act(() => folds[0]!.click());
    expect(folds[0]!.getAttribute("aria-expanded")).toBe("true");
    expect(texts(folds[0]!.parentElement!, "ol a")).toEqual(["Object.taskSpawned /src/inspect/subscribe.ts:1:1", "Nursery.startSoon /src/core/nursery.ts:17:3"]);
    // The native frame has no location: text, not a link.
    await act(() => folds[1]!.click());
    expect(texts(folds[1]!.parentElement!, "ol li")).toEqual(["Generator.next", "Runner.step /src/core/nursery.ts:17:3"]);
  });

  it("shows a new stack raw again until its own mapping arrives", async () => {
    const first = gatedMapper();
    first.release();
    const m = await mount(<StackView stack={STACK} mapper={first.mapper} />);
    cleanup = m.unmount;
    const view = () => m.container.querySelector('[data-testid="creation-stack"]')!;
    await act(async () => {
      for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
    });
    expect(view().getAttribute("data-mapped")).toBe("true");
    const second = gatedMapper();
    const { render } = await import("preact");
    await act(() => render(<StackView stack={STACK.replace("produce", "consume")} mapper={second.mapper} />, m.container));
    expect(view().getAttribute("data-mapped")).toBe("false");
    expect(view().textContent).toContain("task consume spawned here");
    await act(async () => {
      second.release();
      for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
    });
    expect(view().getAttribute("data-mapped")).toBe("true");
  });
});
