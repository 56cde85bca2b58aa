/**
 * Task handles are not thenables. A thenable is adopted by every Promise it
 * reaches: `run(function* () { return currentTask(); })` waited on itself
 * forever, and a run returning a child's handle resolved with the child's
 * result. Plain async code waits through `task.promise` instead.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, Task, currentTask, openNursery, sleep, sleepForever } from "../../src/core/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { rejection, runMock, within } from "./helpers.js";

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

describe("task.promise", () => {
  it("resolves with the task's return value, also once the task is done", async () => {
    let handle: Task<number> | null = null;
    let early: Promise<number> | null = null;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        handle = n.startSoon(function* () {
          yield* sleep(1);
          return 42;
        });
        early = handle.promise;
      });
    });
    await expect(early!).resolves.toBe(42);
    await expect(handle!.promise).resolves.toBe(42);
  });

  it("is the same Promise every time", async () => {
    await runMock(function* () {
      const task = currentTask();
      expect(task.promise).toBe(task.promise);
      void task.promise.catch(() => {});
    });
  });

  it("rejects with what the task raised; the nursery still receives the error", async () => {
    let observed: Promise<unknown> | null = null;
    const runError = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          const t = n.startSoon(function* () {
            yield* sleep(1);
            throw new Error("task failed");
          });
          observed = rejection(t.promise);
        });
      }),
    );
    expect(((await observed!) as Error).message).toBe("task failed");
    expect(runError).toBeDefined();
  });

  it("rejects with Cancelled for a task cancelled through its nursery", async () => {
    let observed: Promise<unknown> | null = null;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(sleepForever);
        observed = rejection(t.promise);
        yield* sleep(1);
        n.cancelScope.cancel();
      });
    });
    expect(await observed!).toBeInstanceOf(Cancelled);
  });

  it("resolves with undefined for a task cancelled by task.cancel()", async () => {
    let handle: Task | null = null;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        handle = n.startSoon(function* () {
          yield* sleepForever();
          return "never";
        });
        yield* waitAllTasksBlocked();
        handle.cancel();
      });
    });
    await expect(handle!.promise).resolves.toBeUndefined();
  });
});
