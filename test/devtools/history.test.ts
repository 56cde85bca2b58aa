/**
 * The history of exited tasks: kept (the last MAX_EXITED), with how each
 * ended, greyed in the tree, filterable, and cleared on request.
 */
import { describe, expect, it } from "vitest";
import { MAX_EXITED, PanelStore } from "../../devtools/store.js";
import { buildRows } from "../../devtools/tree.js";
import { outcomeText } from "../../devtools/tree-view.js";
import { bigSnapshot, scopeRec, taskRec, update } from "./helpers.js";

const exit = (id: number, outcome: "returned" | "raised" | "cancelled", detail?: string) => ({
  at: id,
  kind: outcome === "raised" ? ("error" as const) : ("exit" as const),
  runId: 1,
  id,
  name: `worker-${id - 2}`,
  outcome,
  ...(detail !== undefined ? { detail } : {}),
});

describe("history of exited tasks", () => {
  it("keeps each exited task's last record and outcome, names the scope that cancelled it and why", () => {
    const store = new PanelStore();
    const snap = bigSnapshot(3);
    snap.scopes.push(scopeRec(300, { parentId: 100, ownerTaskId: 1, cancelCalled: true, cancelled: true, cancelReason: "search changed" }));
    snap.tasks[3] = taskRec(4, { name: "worker-2", nurseryId: 100, parentTaskId: 1, scopeIds: [300, 100, 1] });
    store.apply(update({ full: snap }));
    store.apply(
      update({
        tasks: { upserted: [], removed: [2, 3, 4] },
        events: [exit(2, "returned"), exit(3, "raised", "TypeError: boom"), exit(4, "cancelled", "Cancelled")],
      }),
    );
    expect(outcomeText(store.exited.get(2)!)).toBe("returned");
    expect(outcomeText(store.exited.get(3)!)).toBe("raised TypeError: boom");
    expect(outcomeText(store.exited.get(4)!)).toBe("cancelled by cancel scope #300: search changed");
    expect(store.exited.get(4)!.record.status).toBe("done");
    expect(store.stateOf(store.exited.get(2)!.record)).toBe("done");
    expect(store.stateOf(store.exited.get(3)!.record)).toBe("errored");
    // In the tree where they were, and under the "Exited" filter.
    const keys = buildRows(store, new Set(), { search: "", states: new Set() }).map((r) => r.key);
    expect(keys).toEqual(["run:1", "task:1", "nursery:100", "task:2", "task:3", "task:4"]);
    const exitedOnly = buildRows(store, new Set(), { search: "", states: new Set(["exited"]) }).filter((r) => r.match).map((r) => r.key);
    expect(exitedOnly).toEqual(["task:2", "task:4"]);
    store.clearErrors();
    expect(store.exited.size).toBe(0);
  });

  it("keeps only the last MAX_EXITED", () => {
    const store = new PanelStore();
    store.apply(update({ full: bigSnapshot(0) }));
    const n = MAX_EXITED + 50;
    store.apply(update({ events: Array.from({ length: n }, (_, i) => exit(1000 + i, "returned")) }));
    expect(store.exited.size).toBe(MAX_EXITED);
    expect(store.exited.has(1000)).toBe(false);
    expect(store.exited.has(1000 + n - 1)).toBe(true);
  });
});
