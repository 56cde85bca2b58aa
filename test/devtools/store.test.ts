import { describe, expect, it } from "vitest";
import { PanelStore } from "../../devtools/store.js";
import { exportTimeline, importTimeline, summarize, TIMELINE_FORMAT } from "../../devtools/timeline-data.js";
import { bigSnapshot, scopeRec, taskRec, update } from "./helpers.js";

describe("PanelStore", () => {
  it("applies a full snapshot, then diffs; counts structure changes apart from status changes", () => {
    const store = new PanelStore();
    store.apply(update({ at: 10, full: bigSnapshot(3) }));
    expect([...store.tasks.keys()]).toEqual([1, 2, 3, 4]);
    const structure = store.structure;
    // A status change is not a structure change.
    store.apply(update({ at: 20, tasks: { upserted: [taskRec(2, { status: "runnable", nurseryId: 100, parentTaskId: 1 })], removed: [] } }));
    expect(store.tasks.get(2)!.status).toBe("runnable");
    expect(store.structure).toBe(structure);
    store.apply(update({ at: 30, tasks: { upserted: [], removed: [3] } }));
    expect(store.tasks.has(3)).toBe(false);
    expect(store.structure).toBe(structure + 1);
  });

  it("reads how long a task has been blocked from the runtime's park time, on the run's clock", () => {
    const store = new PanelStore();
    const snap = bigSnapshot(2);
    snap.runs[0]!.time = 10;
    snap.takenAt = 1000;
    snap.tasks[1] = taskRec(2, { blockedSince: 4, nurseryId: 100, parentTaskId: 1 });
    store.apply(update({ at: 1000, full: snap }));
    // Run clock 10 s at 1000 ms, extrapolated to 11 s at 2000 ms: blocked since 4 s.
    expect(store.blockedFor(2, 2000)).toBe(7000);
    expect(store.blockedTooLong(2, 2000, 5000)).toBe(true);
    expect(store.blockedTooLong(2, 2000, 8000)).toBe(false);
    // It woke and parked again between two samples: the runtime's stamp moved, so does the panel.
    store.apply(update({ at: 1500, tasks: { upserted: [taskRec(2, { blockedSince: 10.4 })], removed: [] } }));
    expect(store.blockedFor(2, 2000)).toBeCloseTo(600, 6);
    expect(store.blockedTooLong(2, 2000, 5000)).toBe(false);
    // Not blocked: no figure.
    store.apply(update({ at: 1600, tasks: { upserted: [taskRec(2, { status: "runnable" })], removed: [] } }));
    expect(store.blockedFor(2, 2000)).toBe(null);
    // A task waiting on its own nursery is blocked, but not stuck.
    store.apply(update({ at: 1700, tasks: { upserted: [taskRec(1, { name: "main", blockedSince: 0, waitingOn: { kind: "nursery", label: "its children (nursery 100)" } })], removed: [] } }));
    expect(store.blockedFor(1, 2000)).toBe(11_000);
    expect(store.blockedTooLong(1, 2000, 5000)).toBe(false);
    store.apply(update({ at: 1800, tasks: { upserted: [], removed: [2] } }));
    expect(store.blockedFor(2, 2000)).toBe(null);
  });

  it("extrapolates a run's clock from its last reading, and stops it when the run finished", () => {
    const store = new PanelStore();
    const snap = bigSnapshot(0);
    snap.runs[0]!.time = 5;
    snap.takenAt = 1000;
    store.apply(update({ at: 1000, full: snap }));
    expect(store.runTime(1, 3000)).toBe(7);
    expect(store.runTime(1, 500)).toBe(5);
    store.apply(update({ at: 4000, runs: { upserted: [{ ...snap.runs[0]!, time: 8, finished: true }], removed: [] } }));
    expect(store.runTime(1, 9000)).toBe(8);
    expect(store.runTime(99, 9000)).toBe(undefined);
  });

  it("classifies a task as cancelled when any scope around it was cancelled", () => {
    const store = new PanelStore();
    const snap = bigSnapshot(1);
    snap.scopes.push(scopeRec(7, { parentId: 100, cancelCalled: true, cancelled: true }), scopeRec(8, { parentId: 7, shield: true }));
    snap.tasks[1] = taskRec(2, { scopeIds: [8, 7, 100, 1] });
    store.apply(update({ full: snap }));
    expect(store.stateOf(store.tasks.get(2)!)).toBe("cancelled");
    expect(store.stateOf(store.tasks.get(1)!)).toBe("blocked");
  });

  it("records the timeline only while recording", () => {
    const store = new PanelStore();
    const ev = { at: 1, kind: "spawn" as const, runId: 1, id: 5, name: "x" };
    store.apply(update({ events: [ev], batches: [{ runId: 1, start: 1, end: 2, steps: 3 }] }));
    store.setRecording(false);
    store.apply(update({ events: [{ ...ev, at: 2 }] }));
    store.setRecording(true);
    store.apply(update({ events: [{ ...ev, at: 3 }] }));
    expect(store.live.events.map((e) => e.at)).toEqual([1, 3]);
    expect(store.live.batches).toHaveLength(1);
    store.clearTimeline();
    expect(store.live.events).toEqual([]);
  });
});

describe("timeline export and import", () => {
  const data = {
    events: [
      { at: 10, kind: "spawn" as const, runId: 1, id: 2, name: "a" },
      { at: 12.5, kind: "error" as const, runId: 1, id: 2, name: "a", detail: "Error: boom" },
      { at: 13, kind: "cancel" as const, runId: 1, id: 9, name: "main", detail: "stop" },
    ],
    batches: [
      { runId: 1, start: 9, end: 11, steps: 4 },
      { runId: 1, start: 20, end: 40, steps: 900 },
    ],
  };

  it("round-trips through JSON", () => {
    const text = exportTimeline(data, new Date("2024-01-02T03:04:05Z"));
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed).toMatchObject({ format: TIMELINE_FORMAT, version: 1, exportedAt: "2024-01-02T03:04:05.000Z", frameBudgetMs: 16 });
    expect(importTimeline(text)).toEqual(data);
  });

  it("summarises counts and the frame budget", () => {
    expect(summarize(data)).toEqual({
      events: 3,
      spawns: 1,
      exits: 0,
      cancels: 1,
      errors: 1,
      batches: 2,
      overBudget: 1,
      longestBatchMs: 20,
      start: 9,
      end: 40,
    });
    expect(summarize({ events: [], batches: [] }).start).toBe(null);
  });

  it("rejects what it cannot read, saying what is wrong", () => {
    expect(() => importTimeline("{nope")).toThrow(/not JSON.*Export/);
    expect(() => importTimeline("[]")).toThrow(/JSON object/);
    expect(() => importTimeline(JSON.stringify({ format: "other" }))).toThrow(/"format" must be "trio-asyncio-timeline"/);
    expect(() => importTimeline(JSON.stringify({ format: TIMELINE_FORMAT, version: 2, events: [], batches: [] }))).toThrow(/version 2/);
    const good = JSON.parse(exportTimeline(data)) as { events: Record<string, unknown>[]; batches: Record<string, unknown>[] };
    good.events[1]!.kind = "explode";
    expect(() => importTimeline(JSON.stringify(good))).toThrow(/events\[1\]\.kind/);
    const bad = JSON.parse(exportTimeline(data)) as { batches: Record<string, unknown>[] };
    bad.batches[0]!.end = 1;
    expect(() => importTimeline(JSON.stringify(bad))).toThrow(/batches\[0\] ends before it starts/);
  });
});
