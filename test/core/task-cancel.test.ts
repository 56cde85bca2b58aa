import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  ExceptionGroup,
  checkpoint,
  currentTask,
  currentTime,
  openNursery,
  sleep,
  sleepForever,
  type Task,
  type TaskStatus,
} from "../../src/core/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { rejection, runKeep, runMock } from "./helpers.js";
import { leftovers } from "../../src/core/runner.js";

describe("Task.cancel()", () => {
  it("cancels one task; its siblings and nursery go on, and it counts as finished normally", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const victim = n.startSoon(function* () {
          try {
            yield* sleepForever();
          } catch (e) {
            log.push(`victim: ${(e as Cancelled).reason}`);
            throw e;
          }
        });
        n.startSoon(function* () {
          yield* sleep(5);
          log.push("sibling finished");
        });
        yield* sleep(1);
        expect(victim.cancel("not needed")).toBe(true);
        yield* sleep(1);
        expect(victim.done).toBe(true);
        expect(n.cancelScope.cancelCalled).toBe(false);
        log.push("body finished");
      });
    });
    expect(log).toEqual(["victim: not needed", "body finished", "sibling finished"]);
  });

  it("the handle of a cancelled task resolves with undefined", async () => {
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

  it("returns false for a finished task and is idempotent", async () => {
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const quick = n.startSoon(checkpoint);
        const slow = n.startSoon(sleepForever);
        yield* sleep(1);
        expect(quick.cancel()).toBe(false);
        expect(slow.cancel("first")).toBe(true);
        expect(slow.cancel("second")).toBe(true);
      });
    });
  });

  it("before the task's first step, cancels its first checkpoint", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          log.push("ran");
          yield* checkpoint();
          log.push("not reached");
        });
        t.cancel();
      });
    });
    expect(log).toEqual(["ran"]);
  });

  it("cancels the task's own children too", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const parent = n.startSoon(function* () {
          yield* openNursery(function* (inner) {
            inner.startSoon(function* () {
              try {
                yield* sleepForever();
              } finally {
                log.push("grandchild unwound");
              }
            });
            yield* sleepForever();
          });
        });
        yield* waitAllTasksBlocked();
        parent.cancel();
      });
    });
    expect(log).toEqual(["grandchild unwound"]);
  });

  it("reaches a task that is inside its own cancel scopes, but not through a shield", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          yield* new CancelScope({ shield: true }).run(function* () {
            yield* sleep(3);
            log.push(`shielded part done at ${currentTime()}`);
          });
          yield* new CancelScope().run(function* () {
            yield* sleepForever();
          });
        });
        yield* sleep(1);
        t.cancel();
      });
    });
    expect(log).toEqual(["shielded part done at 3"]);
  });

  it("level-triggered: a task that swallows Cancelled is cancelled again at its next checkpoint", async () => {
    let count = 0;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          for (let i = 0; i < 3; i++) {
            try {
              yield* sleepForever();
            } catch (e) {
              if (e instanceof Cancelled) count++;
            }
          }
        });
        yield* waitAllTasksBlocked();
        t.cancel();
      });
    });
    expect(count).toBe(3);
  });

  it("an error raised while unwinding still reaches the nursery", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          const t = n.startSoon(function* () {
            try {
              yield* sleepForever();
            } finally {
              // eslint-disable-next-line no-unsafe-finally
              throw new Error("cleanup failed");
            }
          });
          yield* waitAllTasksBlocked();
          t.cancel();
        });
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).leaves().map((e) => (e as Error).message)).toEqual(["cleanup failed"]);
  });

  it("when the nursery is cancelled as well, the Cancelled goes on to the nursery's scope", async () => {
    let scope: CancelScope | null = null;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        scope = n.cancelScope;
        const t = n.startSoon(sleepForever);
        yield* waitAllTasksBlocked();
        t.cancel();
        n.cancelScope.cancel();
      });
    });
    expect(scope!.cancelledCaught).toBe(true);
  });

  it("works on a task started with start(), after it moved", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        let task: Task | null = null;
        yield* n.start(function* (status: TaskStatus) {
          task = currentTask();
          status.started();
          try {
            yield* sleepForever();
          } finally {
            log.push("started task cancelled");
          }
        });
        yield* sleep(1);
        task!.cancel();
      });
    });
    expect(log).toEqual(["started task cancelled"]);
  });

  it("on the main task, the run ends normally with undefined", async () => {
    const r = await runMock(function* () {
      currentTask().cancel();
      yield* sleep(1);
      return "not this";
    });
    expect(r).toBeUndefined();
  });

  it("leaves nothing behind", async () => {
    const { runner, ok } = await runKeep(function* () {
      yield* openNursery(function* (n) {
        const ts = [0, 1, 2].map(() => n.startSoon(sleep, 100));
        yield* sleep(1);
        for (const t of ts) t.cancel();
      });
      expect(currentTime()).toBe(1);
    });
    expect(ok).toBe(true);
    expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
    expect(runner.rootScope.children?.size ?? 0).toBe(0);
  });
});
