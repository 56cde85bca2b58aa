/**
 * The timeline's zoom and keyboard marks as data: the window a zoom shows,
 * zooming around a point that stays put, the zoom steps, moving from mark
 * to mark in time order, and batches' task ids through export and import.
 */
import { describe, expect, it } from "vitest";
import { nextMark, stepZoom, viewRange, zoomAround, ZOOM_LEVELS } from "../../devtools/timeline.js";
import { exportTimeline, importTimeline, type TimelineData } from "../../devtools/timeline-data.js";

describe("timeline zoom", () => {
  it("shows a 1/zoom window placed by its anchor", () => {
    expect(viewRange([0, 1000], { zoom: 1, anchor: 0.3 })).toEqual([0, 1000]);
    expect(viewRange([0, 1000], { zoom: 4, anchor: 1 })).toEqual([750, 1000]);
    expect(viewRange([0, 1000], { zoom: 4, anchor: 0 })).toEqual([0, 250]);
    expect(viewRange([0, 1000], { zoom: 2, anchor: 0.5 })).toEqual([250, 750]);
    expect(viewRange([0, 1000], { zoom: 2, anchor: 7 })).toEqual([500, 1000]); // clamped
  });

  it("keeps the time under the pointer where it is", () => {
    const full: [number, number] = [0, 1000];
    let view = { zoom: 1, anchor: 1 };
    for (const [zoom, at] of [[2, 0.25], [8, 0.9], [4, 0.5]] as const) {
      const [a0, a1] = viewRange(full, view);
      const pivot = a0 + (a1 - a0) * at;
      view = zoomAround(full, view, zoom, at);
      const [b0, b1] = viewRange(full, view);
      expect(b1 - b0).toBeCloseTo(1000 / zoom);
      expect(b0 + (b1 - b0) * at).toBeCloseTo(pivot);
    }
    // Near an edge the window stops at the range's end rather than leaving it.
    const edge = viewRange(full, zoomAround(full, { zoom: 1, anchor: 1 }, 2, 0.99));
    expect(edge[1]).toBeLessThanOrEqual(1000);
  });

  it("steps through the levels and stops at both ends", () => {
    expect(stepZoom(1, 1)).toBe(2);
    expect(stepZoom(2, -1)).toBe(1);
    expect(stepZoom(1, -1)).toBe(1);
    const top = ZOOM_LEVELS[ZOOM_LEVELS.length - 1]!;
    expect(stepZoom(top, 1)).toBe(top);
  });
});

describe("timeline marks", () => {
  const data: TimelineData = {
    events: [
      { at: 10, kind: "spawn", runId: 1, id: 2, name: "a" },
      { at: 30, kind: "exit", runId: 1, id: 2, name: "a" },
      { at: 90, kind: "cancel", runId: 1, id: 7, name: "s" },
    ],
    batches: [
      { runId: 1, start: 10, end: 12, steps: 3, taskIds: [1, 2] },
      { runId: 1, start: 50, end: 51, steps: 1 },
    ],
  };
  const at = (h: ReturnType<typeof nextMark>) => (h === null ? null : h.kind === "event" ? `${h.event.kind}@${h.event.at}` : `batch@${h.batch.start}`);

  it("moves right and left in time order, events before batches at one time, within the window", () => {
    const seen: (string | null)[] = [];
    let h = nextMark(data, 0, 100, null, 1);
    while (h !== null) {
      seen.push(at(h));
      h = nextMark(data, 0, 100, h, 1);
    }
    expect(seen).toEqual(["spawn@10", "batch@10", "exit@30", "batch@50", "cancel@90"]);
    expect(at(nextMark(data, 0, 100, null, -1))).toBe("cancel@90");
    const batch50 = nextMark(data, 40, 60, null, 1);
    expect(at(batch50)).toBe("batch@50");
    expect(at(nextMark(data, 0, 100, batch50, -1))).toBe("exit@30");
    // Zoomed so the mark left the window: the next one after its time in the window.
    expect(at(nextMark(data, 60, 100, batch50, 1))).toBe("cancel@90");
    expect(nextMark(data, 60, 100, batch50, -1)).toBeNull();
    expect(nextMark(data, 200, 300, null, 1)).toBeNull();
  });

  it("keeps batches' task ids through export and import, and refuses bad ones", () => {
    const back = importTimeline(exportTimeline({ events: [], batches: [{ runId: 1, start: 1, end: 2, steps: 9, taskIds: [3, 4], moreTasks: 5 }, { runId: 1, start: 3, end: 4, steps: 1 }] }));
    expect(back.batches).toEqual([{ runId: 1, start: 1, end: 2, steps: 9, taskIds: [3, 4], moreTasks: 5 }, { runId: 1, start: 3, end: 4, steps: 1 }]);
    const bad = JSON.stringify({ format: "trio-asyncio-timeline", version: 1, events: [], batches: [{ runId: 1, start: 1, end: 2, steps: 1, taskIds: "3" }] });
    expect(() => importTimeline(bad)).toThrow(/batches\[0\]\.taskIds must be an array/);
  });
});
