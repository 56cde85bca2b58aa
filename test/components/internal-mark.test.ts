/**
 * The bindings mark their own wrapper tasks (the runtime's main task, a
 * component nursery's host and fresh generations) so the inspector can say
 * which tasks are library internals; the user's tasks carry no mark.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sleepForever, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { taskPolicy } from "../../src/components/index.js";
import { closeTestRuntimes, recordErrors, settled, testRuntime } from "./helpers.js";

afterEach(closeTestRuntimes);

function* userWork(): Operation<void> {
  yield* sleepForever();
}

describe("internal-task marks", () => {
  it("marks the wrappers, in the inspector's records, and nothing the user started", async () => {
    const { rt } = testRuntime("marks", recordErrors([]));
    const nursery = rt.openNursery("search scope");
    nursery.startSoonNamed("user-task", userWork);
    const policy = taskPolicy(nursery, function* search(): Operation<void> {
      yield* sleepForever();
    });
    policy.perform();
    await settled(rt);
    const runId = rt.runner!.id;
    const tasks = inspect().tasks.filter((t) => t.runId === runId);
    const byName = (name: string) => tasks.filter((t) => t.name === name);
    const main = tasks.find((t) => t.id === inspect().runs.find((r) => r.id === runId)!.mainTaskId)!;
    expect(main.internal).toBe("runtime");
    // Named after the runtime (the root of the devtools' task tree), not after a function an app's minifier renames.
    expect(main.name).toBe(rt.name);
    expect(rt.name).toBe("marks");
    expect(byName("search scope").map((t) => t.internal)).toEqual(["component nursery"]);
    expect(byName("user-task").map((t) => t.internal)).toEqual([undefined]);
    expect(byName("search").map((t) => t.internal)).toEqual([undefined]);
  });
});
