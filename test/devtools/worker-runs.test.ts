/**
 * A worker's run in the panel's tree: under the task that opened the
 * worker (first, as a hosted loop is), marked as a worker run; at the top
 * when that task is not listed.
 */
import { describe, expect, it } from "vitest";
import type { inspector } from "../../src/index.js";
import { PanelStore } from "../../devtools/store.js";
import { buildRows, rowName } from "../../devtools/tree.js";

const stats = { tasksSpawned: 2, tasksExited: 0, steps: 0, batches: 0, sliceOverruns: 0 } as unknown as inspector.RunRecord["statistics"];

function task(id: number, runId: number, name: string, nurseryId: number | null, parentTaskId: number | null): inspector.TaskRecord {
  return { id, runId, name, status: "blocked", system: false, nurseryId, parentTaskId, scopeIds: [], waitingOn: { kind: "sleep", label: "sleep" }, blockedSince: 0 };
}

function snapshot(hostTaskId: number | null): inspector.Snapshot {
  return {
    takenAt: 0,
    runs: [
      { id: 1, name: "page", finished: false, time: 0, mainTaskId: 1, statistics: stats },
      { id: -1, name: "fractal: run", finished: false, time: 0, mainTaskId: -2, statistics: stats, worker: "fractal", hostTaskId },
    ],
    tasks: [task(1, 1, "main", null, null), task(2, 1, "render", 10, 1), task(-2, -1, "serve", null, null), task(-3, -1, "worker call band #4", -10, -2)],
    nurseries: [
      { id: 10, runId: 1, parentTaskId: 1, childTaskIds: [2] },
      { id: -10, runId: -1, parentTaskId: -2, childTaskIds: [-3] },
    ],
    scopes: [],
    loops: [],
    futures: [],
  };
}

function update(full: inspector.Snapshot): inspector.InspectorUpdate {
  const none = { upserted: [], removed: [] };
  return { at: 0, full, runs: none, tasks: none, nurseries: none, scopes: none, loops: none, futures: none, events: [], batches: [] };
}

function outline(store: PanelStore): string[] {
  return buildRows(store, new Set(), { search: "", states: new Set() }).map((r) => `${"  ".repeat(r.level - 1)}${r.kind} ${rowName(store, r.kind, r.id)}`);
}

describe("worker runs in the tree", () => {
  it("sit under the task that opened the worker, with their tasks", () => {
    const store = new PanelStore();
    store.apply(update(snapshot(1)));
    expect(outline(store)).toEqual([
      "run page",
      "  task main",
      "    run fractal: run",
      "      task serve",
      "        nursery nursery #-10",
      "          task worker call band #4",
      "    nursery nursery #10",
      "      task render",
    ]);
  });

  it("stay at the top when the opening task is not listed", () => {
    const store = new PanelStore();
    store.apply(update(snapshot(99)));
    const rows = outline(store);
    expect(rows).toContain("run page");
    expect(rows).toContain("run fractal: run");
    expect(rows).toContain("  task serve");
    expect(rows.filter((r) => r.startsWith("run "))).toHaveLength(2);
  });
});
