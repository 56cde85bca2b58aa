// @vitest-environment happy-dom
/**
 * Named cancel scopes: `new CancelScope({ name })` reaches the inspector
 * (ScopeRecord.name, the cancel event's name) and the panel shows the name
 * instead of "cancel scope #7"; a name that is not a string is refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { CancelScope, Event, inspector, openNursery, run } from "../../src/index.js";
import { DevtoolsPanel } from "../../devtools/index.js";
import { manualFrames, mount, until } from "./helpers.js";

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

  it("refuses a name that is not a string", () => {
    expect(() => new CancelScope({ name: 42 as unknown as string })).toThrow(/takes a string name \(for tools\), got number/);
  });
});
