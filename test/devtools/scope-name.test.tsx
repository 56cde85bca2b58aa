// @vitest-environment happy-dom
/**
 * Named cancel scopes: `new CancelScope({ name })` reaches the inspector
 * (ScopeRecord.name, the cancel event's name) and the panel shows the name
 * instead of "cancel scope #7"; a name that is not a string is refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { CancelScope, Event, inspector, openNursery, run } from "../../src/index.js";
import { PanelStore } from "../../devtools/store.js";
import { outcomeText } from "../../devtools/tree-view.js";
import { DevtoolsPanel } from "../../devtools/index.js";
import { bigSnapshot, manualFrames, mount, scopeRec, taskRec, until, update } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe("named cancel scopes", () => {
  it("are named in snapshots, cancel events, toString and the detail pane", async () => {
    const frames = manualFrames();
    const m = await mount(<DevtoolsPanel scheduleFrame={frames.scheduleFrame} now={() => 0} />);
    cleanup = m.unmount;
    const { container } = m;
    const release = new Event();
    const events: inspector.TimelineEvent[] = [];
    const stop = inspector.subscribe((u) => events.push(...u.events), { scheduleFrame: (f) => void setTimeout(f, 5) });
    let scope!: CancelScope;
    const finished = run(function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("searcher", function* () {
          scope = new CancelScope({ name: "search deadline" });
          yield* scope.run(() => release.wait());
        });
      });
    });
    const row = () => [...container.querySelectorAll<HTMLElement>('[role="treeitem"]')].find((el) => el.querySelector(".tad-name")?.textContent === "searcher");
    await until(() => row() !== undefined, frames);
    expect(String(scope)).toBe(`<CancelScope #${scope.id} "search deadline">`);
    expect(inspector.inspect().scopes.find((s) => s.id === scope.id)?.name).toBe("search deadline");
    await act(() => row()!.click());
    const first = container.querySelector('[data-testid="detail"] .tad-scope strong');
    expect(first?.textContent).toBe(`search deadline (scope #${scope.id})`);
    scope.cancel("stale");
    await finished;
    await until(() => events.some((e) => e.kind === "cancel" && e.id === scope.id), frames);
    expect(events.find((e) => e.kind === "cancel" && e.id === scope.id)?.name).toBe("search deadline");
    stop();
    release.set();
  });

  it("an exited task says which named scope cancelled it, also when the cancel came in the same update as the exit", () => {
    const store = new PanelStore();
    const snap = bigSnapshot(3);
    // Scope 300 is not yet seen cancelled: the update that brings the exit brings its cancel event too.
    snap.scopes.push(scopeRec(300, { parentId: 100, ownerTaskId: 1, name: "search deadline" }));
    snap.tasks[3] = taskRec(4, { name: "searcher", nurseryId: 100, parentTaskId: 1, scopeIds: [300, 100, 1] });
    store.apply(update({ full: snap }));
    store.apply(
      update({
        tasks: { upserted: [], removed: [4] },
        scopes: { upserted: [], removed: [300] },
        events: [
          { at: 1, kind: "cancel", runId: 1, id: 300, name: "search deadline", detail: "deadline exceeded" },
          { at: 2, kind: "exit", runId: 1, id: 4, name: "searcher", outcome: "cancelled", detail: "Cancelled" },
        ],
      }),
    );
    expect(outcomeText(store.exited.get(4)!)).toBe("cancelled by search deadline (scope #300): deadline exceeded");
  });

  it("refuses a name that is not a string", () => {
    expect(() => new CancelScope({ name: 42 as unknown as string })).toThrow(/takes a string name \(for tools\), got number/);
  });
});
