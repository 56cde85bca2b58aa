// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * The React bindings name the scopes they make as the Preact ones do:
 * "useTask <name>" and "<policy> policy for <name>", inside the component
 * nursery's and the runtime's named scopes.
 */
import { afterEach, expect, it } from "vitest";
import { act, StrictMode } from "react";
import { sleepForever } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useTask, useTaskPolicy } from "../../src/react/index.js";
import { cleanup, closedAfterTest, flush, render } from "./helpers.js";

afterEach(cleanup);

function scopeNames(runtime: TrioRuntime, taskName: string): (string | null | undefined)[] {
  const snap = inspect();
  const task = snap.tasks.find((t) => t.runId === runtime.runner?.id && t.name === taskName);
  if (task === undefined) throw new Error(`no task ${taskName}`);
  return task.scopeIds.map((id) => snap.scopes.find((s) => s.id === id)?.name);
}

it("useTask and useTaskPolicy name their scopes after the hook, the policy and the task", async () => {
  const runtime = closedAfterTest(new TrioRuntime({ name: "react-names", clock: new MockClock() }));
  function View() {
    useTask(() => sleepForever(), [], { name: "load" });
    const save = useTaskPolicy(function* save() {
      yield* sleepForever();
    }, { policy: "drop" });
    return <button onClick={() => save.perform()}>save</button>;
  }
  const container = document.body.appendChild(document.createElement("div"));
  await act(async () => render(<StrictMode><TrioRoot runtime={runtime}><View /></TrioRoot></StrictMode>, container));
  await flush(runtime);
  await act(async () => container.querySelector("button")!.click());
  await flush(runtime);
  const load = scopeNames(runtime, "load");
  expect(load[0]).toBe("useTask load");
  expect(load).toContain("load scope (component nursery)");
  expect(load).toContain("react-names lifetime");
  expect(scopeNames(runtime, "save")[0]).toBe("drop policy for save");
});
