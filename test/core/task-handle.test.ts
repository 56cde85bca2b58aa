/**
 * Task handles are not thenables. A thenable is adopted by every Promise it
 * reaches: `run(function* () { return currentTask(); })` waited on itself
 * forever, and a run returning a child's handle resolved with the child's
 * result. Plain async code waits through `task.promise` instead.
 */
import { describe, expect, it } from "vitest";
import { Task, currentTask, openNursery, sleep } from "../../src/core/index.js";
import { runMock, within } from "./helpers.js";

describe("a Task handle is a plain value, not a thenable", () => {
  it("has no then(), so Promises never adopt it", () => {
    expect("then" in Task.prototype).toBe(false);
  });

  it("a run that returns its own main task settles with that handle", async () => {
    let main: Task | null = null;
    const result = await within(
      runMock(function* () {
        main = currentTask();
        return main;
      }),
    );
    expect(result).toBeInstanceOf(Task);
    expect(result).toBe(main);
    expect(result.done).toBe(true);
  });

  it("a run that returns a child's handle resolves with the handle, not the child's result", async () => {
    const result = await within(
      runMock(function* () {
        return yield* openNursery(function* (n) {
          return n.startSoon(function* () {
            yield* sleep(1);
            return "child result";
          });
        });
      }),
    );
    expect(result).toBeInstanceOf(Task);
    expect((result as Task<string>).name).toBeTypeOf("string");
  });

  it("Promise.resolve(handle) is the handle", async () => {
    let handle: Task<number> | null = null;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        handle = n.startSoon(function* () {
          return 1;
        });
      });
    });
    expect(await Promise.resolve(handle!)).toBe(handle);
  });
});

// The rest of task.promise (its value, its error, Cancelled, task.cancel())
// is tested in promise-bridge.test.ts and task-cancel.test.ts.
describe("task.promise", () => {
  it("is the same Promise every time", async () => {
    await runMock(function* () {
      const task = currentTask();
      expect(task.promise).toBe(task.promise);
      void task.promise.catch(() => {});
    });
  });
});
