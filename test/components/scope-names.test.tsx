// @vitest-environment happy-dom
/**
 * The bindings name the cancel scopes they make, so the devtools show
 * "useTask search" or "restartable policy for search" instead of
 * "cancel scope #7", and a policy's tasks carry the policy's name alone
 * (the panel adds the task id) instead of "search #6 #8".
 */
import { afterEach, describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { sleepForever, type Operation } from "../../src/core/index.js";
import { inspect, type ScopeRecord, type Snapshot } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { taskPolicy } from "../../src/components/index.js";
import { TrioRoot, TrioRuntime, useTask } from "../../src/preact/index.js";
import { closeTestRuntimes, recordErrors, settled, testRuntime } from "./helpers.js";

afterEach(closeTestRuntimes);

/** The names of the scopes that the tasks of the run called `runName` are inside. */
function scopeNamesOf(snapshot: Snapshot, runId: number, taskName: string): (string | null | undefined)[] {
  const byId = new Map<number, ScopeRecord>(snapshot.scopes.map((s) => [s.id, s]));
  const task = snapshot.tasks.find((t) => t.runId === runId && t.name === taskName);
  if (task === undefined) throw new Error(`no task ${taskName}`);
  return task.scopeIds.map((id) => byId.get(id)?.name);
}

describe("scope names of the components layer", () => {
  it("a policy's instances run in '<policy> policy for <name>', under the nursery host's and the runtime's named scopes", async () => {
    const { rt } = testRuntime("names", recordErrors([]));
    const nursery = rt.openNursery("results");
    const policy = taskPolicy(nursery, function* search(): Operation<void> {
      yield* sleepForever();
    }, { policy: "keepLatest" });
    policy.perform();
    await settled(rt);
    const names = scopeNamesOf(inspect(), rt.runner!.id, "search");
    expect(names).toContain("keepLatest policy for search");
    expect(names).toContain("results (component nursery)");
    expect(names).toContain("names lifetime");
    expect(names.indexOf("keepLatest policy for search")).toBeLessThan(names.indexOf("results (component nursery)"));
  });

  it("takes scopeName, and refuses a name or scopeName that is not a string", async () => {
    const { rt } = testRuntime("names-options", recordErrors([]));
    const nursery = rt.openNursery("results");
    const policy = taskPolicy(nursery, function* search(): Operation<void> {
      yield* sleepForever();
    }, { scopeName: "search box request" });
    policy.perform();
    await settled(rt);
    expect(scopeNamesOf(inspect(), rt.runner!.id, "search")[0]).toBe("search box request");
    const noop = function* (): Operation<void> {};
    expect(() => taskPolicy(nursery, noop, { scopeName: 3 as unknown as string })).toThrow(/taskPolicy\(owner, fn, \{ scopeName \}\) takes a string \(the instances' scope name, for tools\), got number/);
    expect(() => taskPolicy(nursery, noop, { name: false as unknown as string })).toThrow(/taskPolicy\(owner, fn, \{ name \}\) takes a string \(the instances' task name, for tools\), got boolean/);
  });

  it("useTask names its scope 'useTask <name>'", async () => {
    const container = document.createElement("div");
    document.body.append(container);
    const runtime = new TrioRuntime({ name: "hooks", clock: new MockClock() });
    function Search(): null {
      useTask(function* search() {
        yield* sleepForever();
      }, []);
      return null;
    }
    try {
      await act(async () => {
        render(
          <TrioRoot runtime={runtime}>
            <Search />
          </TrioRoot>,
          container,
        );
      });
      await act(() => settled(runtime));
      const names = scopeNamesOf(inspect(), runtime.runner!.id, "search");
      expect(names[0]).toBe("useTask search");
      expect(names).toContain("search scope (component nursery)");
      expect(names).toContain("hooks lifetime");
    } finally {
      render(null, container);
      await runtime.close();
      container.remove();
    }
  });
});
