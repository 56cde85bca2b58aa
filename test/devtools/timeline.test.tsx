// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { DevtoolsPanel } from "../../devtools/index.js";
import { importTimeline } from "../../devtools/timeline-data.js";
import { fakeSource, mount, update } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

function byLabel<T extends HTMLElement>(root: HTMLElement, label: string): T {
  const el = root.querySelector<T>(`[aria-label="${label}"]`);
  if (el === null) throw new Error(`nothing labelled ${label}`);
  return el;
}

async function click(el: Element): Promise<void> {
  await act(() => (el as HTMLElement).click());
}

const events = [
  { at: 100, kind: "spawn" as const, runId: 1, id: 2, name: "a" },
  { at: 120, kind: "cancel" as const, runId: 1, id: 7, name: "main", detail: "enough" },
  { at: 130, kind: "error" as const, runId: 1, id: 2, name: "a", detail: "Error: boom" },
];
const batches = [
  { runId: 1, start: 99, end: 101, steps: 3 },
  { runId: 1, start: 110, end: 135, steps: 5000 },
];

describe("timeline", () => {
  it("records, pauses, exports JSON, and imports it back into the view", async () => {
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => 200} />);
    cleanup = m.unmount;
    const summary = () => m.container.querySelector('[data-testid="timeline-summary"]')!.textContent!;
    await fake.push(update({ events: events.slice(0, 2), batches }));
    expect(summary()).toBe("2 events (1 spawns, 0 exits, 1 cancels, 0 errors) · 2 batches, 1 over 16 ms, longest 25.0 ms");
    // Paused: nothing more is recorded.
    const pause = byLabel(m.container, "Pause recording");
    await click(pause);
    expect(byLabel(m.container, "Resume recording").getAttribute("aria-pressed")).toBe("false");
    await fake.push(update({ events: events.slice(2) }));
    expect(summary()).toMatch(/^2 events/);
    await click(byLabel(m.container, "Resume recording"));
    await fake.push(update({ events: events.slice(2) }));
    expect(summary()).toMatch(/^3 events .* 1 errors/);

    await click(byLabel(m.container, "Export the timeline as JSON"));
    const json = byLabel<HTMLTextAreaElement>(m.container, "Exported timeline JSON").value;
    const file = JSON.parse(json) as { format: string; events: unknown[]; batches: unknown[] };
    expect(file.format).toBe("trio-asyncio-timeline");
    expect(importTimeline(json)).toEqual({ events, batches });
    const link = m.container.querySelector<HTMLAnchorElement>("a[download]");
    expect(link?.getAttribute("download")).toBe("trio-asyncio-timeline.json");

    // Clear the live timeline, then import what was exported: the view shows it.
    await click(byLabel(m.container, "Clear the timeline"));
    expect(summary()).toMatch(/^0 events/);
    await click(byLabel(m.container, "Import a timeline"));
    const input = byLabel<HTMLTextAreaElement>(m.container, "Timeline JSON to import");
    await act(() => {
      input.value = "{ not json";
      input.dispatchEvent(new InputEvent("input", { bubbles: true }));
    });
    await click([...m.container.querySelectorAll("button")].find((b) => b.textContent === "Load")!);
    expect(m.container.querySelector('[role="alert"]')!.textContent).toMatch(/not JSON/);
    await act(() => {
      input.value = json;
      input.dispatchEvent(new InputEvent("input", { bubbles: true }));
    });
    await click([...m.container.querySelectorAll("button")].find((b) => b.textContent === "Load")!);
    expect(summary()).toBe("3 events (1 spawns, 0 exits, 1 cancels, 1 errors) · 2 batches, 1 over 16 ms, longest 25.0 ms");
    expect(m.container.querySelector("canvas")!.getAttribute("aria-label")).toContain("3 events");
    expect(m.container.querySelector(".tad-timeline .tad-badge")!.textContent).toBe("imported");
    // Live updates keep being recorded behind the imported view.
    await fake.push(update({ events: [{ at: 300, kind: "spawn", runId: 1, id: 9, name: "b" }] }));
    expect(summary()).toMatch(/^3 events/);
    await click([...m.container.querySelectorAll("button")].find((b) => b.textContent === "Back to live")!);
    expect(summary()).toMatch(/^1 events \(1 spawns/);
  });
});
