/** The timeline's time axis and hit-testing (pure functions, no canvas). */
import { describe, expect, it } from "vitest";
import { axisTicks, eventTarget, hitTest } from "../../devtools/timeline.js";
import { PanelStore } from "../../devtools/store.js";
import type { TimelineData } from "../../devtools/timeline-data.js";
import { scopeRec, taskRec, update } from "./helpers.js";

describe("axisTicks", () => {
  it("labels a live 10 s window in whole seconds before now", () => {
    const ticks = axisTicks(90_000, 100_000, 100_000);
    expect(ticks.map((t) => t.label)).toEqual(["-10 s", "-8 s", "-6 s", "-4 s", "-2 s", "0 s"]);
    expect(ticks.at(-1)!.at).toBe(100_000);
  });
  it("labels a short recording from its start, with decimals", () => {
    expect(axisTicks(1000, 1450, 1000).map((t) => t.label)).toEqual(["0.0 s", "0.1 s", "0.2 s", "0.3 s", "0.4 s"]);
    expect(axisTicks(5, 5, 5)).toEqual([]);
  });
});

describe("hitTest", () => {
  const data: TimelineData = {
    events: [
      { at: 100, kind: "spawn", runId: 1, id: 7, name: "worker" },
      { at: 102, kind: "cancel", runId: 1, id: 3, name: "cancel scope #3", detail: "timed out" },
      { at: 500, kind: "exit", runId: 1, id: 7, name: "worker", outcome: "returned" },
    ],
    batches: [{ runId: 1, start: 300, end: 320, steps: 4 }],
  };
  // 1000 ms over 1000 px: 1 px per ms.
  it("finds the nearest event within 4 px in the events lane, preferring a cancel among ties", () => {
    expect(hitTest(data, 0, 1000, 1000, 101, 10)).toEqual({ kind: "event", event: data.events[1] });
    expect(hitTest(data, 0, 1000, 1000, 99, 10)).toEqual({ kind: "event", event: data.events[0] });
    expect(hitTest(data, 0, 1000, 1000, 497, 10)).toEqual({ kind: "event", event: data.events[2] });
    expect(hitTest(data, 0, 1000, 1000, 200, 10)).toBeNull();
  });
  it("finds a batch in the lower lane, nothing on the axis", () => {
    expect(hitTest(data, 0, 1000, 1000, 310, 50)).toEqual({ kind: "batch", batch: data.batches[0] });
    expect(hitTest(data, 0, 1000, 1000, 310, 84)).toBeNull();
    expect(hitTest(data, 0, 1000, 1000, 600, 50)).toBeNull();
  });
  it("an event leads to its task; a cancel to the task that entered the scope", () => {
    const store = new PanelStore();
    store.apply(
      update({
        tasks: { upserted: [taskRec(7, { name: "worker", scopeIds: [3] })], removed: [] },
        scopes: { upserted: [scopeRec(3, { ownerTaskId: 7, cancelCalled: true, cancelReason: "timed out", cancelled: true })], removed: [] },
      }),
    );
    expect(eventTarget(store, data.events[0]!)).toBe("task:7");
    expect(eventTarget(store, data.events[1]!)).toBe("task:7");
    expect(eventTarget(store, { ...data.events[0]!, id: 99 })).toBeNull();
  });
});
