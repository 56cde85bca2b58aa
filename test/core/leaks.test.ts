import { describe, expect, it } from "vitest";
import {
  CancelScope,
  checkpoint,
  currentRun,
  moveOnAfter,
  openNursery,
  run,
  runWith,
  sleep,
  sleepForever,
  spawnSystemTask,
  type Operation,
  type Runner,
  type TaskStatus,
} from "../../src/core/index.js";
import { abortable, waitPromise } from "../../src/bridge/promise.js";
import { liveRuns } from "../../src/inspect/hooks.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runKeep } from "./helpers.js";
import { leftovers } from "../../src/core/runner.js";

const clean = { tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 };

function expectClean(runner: Runner): void {
  expect(leftovers(runner)).toEqual(clean);
  expect(runner.isRunning).toBe(false);
  expect(liveRuns.has(runner)).toBe(false);
  expect(runner.rootScope.children?.size ?? 0).toBe(0);
}

function* busyTree(): Operation<void> {
  yield* openNursery(function* (n) {
    for (let i = 1; i <= 5; i++) {
      n.startSoon(function* () {
        yield* moveOnAfter(i * 10, function* () {
          yield* sleep(i);
          yield* checkpoint();
        });
      });
    }
    yield* n.start(function* (status: TaskStatus) {
      status.started();
      yield* sleep(2);
    });
  });
}

describe("nothing is left after a run", () => {
  it("after success", async () => {
    const { runner, ok } = await runKeep(busyTree);
    expect(ok).toBe(true);
    expectClean(runner);
  });

  it("after an error in a child with sleeping siblings and pending deadlines", async () => {
    const { runner, ok } = await runKeep(function* () {
      yield* moveOnAfter(1000, function* () {
        yield* openNursery(function* (n) {
          n.startSoon(sleep, 500);
          n.startSoon(function* () {
            yield* moveOnAfter(300, sleepForever);
          });
          n.startSoon(function* () {
            yield* sleep(1);
            throw new Error("boom");
          });
        });
      });
    });
    expect(ok).toBe(false);
    expectClean(runner);
  });

  it("after an error raised by main directly", async () => {
    const { runner, ok } = await runKeep(function* () {
      yield* sleep(1);
      throw new Error("main failed");
    });
    expect(ok).toBe(false);
    expectClean(runner);
  });

  it("after cancellation of everything", async () => {
    const { runner, ok } = await runKeep(function* () {
      yield* new CancelScope().run(function* (scope) {
        yield* openNursery(function* (n) {
          for (let i = 0; i < 10; i++) n.startSoon(sleepForever);
          n.startSoon(function* () {
            yield* new CancelScope({ deadline: 1e9 }).run(sleepForever);
          });
          yield* waitAllTasksBlocked();
          scope.cancel();
        });
      });
    });
    expect(ok).toBe(true);
    expectClean(runner);
  });

  it("after deadlines expire", async () => {
    const { runner } = await runKeep(function* () {
      for (let i = 0; i < 5; i++) yield* moveOnAfter(1, sleepForever);
    });
    expectClean(runner);
  });

  it("after a scope whose deadline was moved several times", async () => {
    const { runner } = await runKeep(function* () {
      yield* new CancelScope().run(function* (s) {
        s.deadline = 100;
        s.deadline = 50;
        s.deadline = 200;
        yield* sleep(1);
      });
    });
    expectClean(runner);
  });

  it("after system tasks are cancelled by the end of main", async () => {
    const { runner } = await runKeep(function* () {
      spawnSystemTask(sleepForever);
      spawnSystemTask(function* () {
        yield* sleep(1e6);
      });
      yield* sleep(1);
    });
    expectClean(runner);
  });

  it("after a crashing system task fails the run", async () => {
    const { runner, ok, value } = await runKeep(function* () {
      spawnSystemTask(function* () {
        yield* sleep(1);
        throw new Error("system crash");
      });
      yield* sleepForever();
    });
    expect(ok).toBe(false);
    expect((value as Error).message).toBe("system crash");
    expectClean(runner);
  });

  it("after waitAllTasksBlocked waiters, used and cancelled", async () => {
    const { runner } = await runKeep(function* () {
      yield* waitAllTasksBlocked();
      yield* moveOnAfter(1, function* () {
        yield* openNursery(function* (n) {
          n.startSoon(waitAllTasksBlocked, 10);
          n.startSoon(sleepForever);
        });
      });
    });
    expectClean(runner);
  });

  it("after Promise waits, settled and abandoned", async () => {
    const never = new Promise<void>(() => {});
    const { runner } = await runKeep(function* () {
      yield* waitPromise(Promise.resolve(1));
      yield* moveOnAfter(1, () => waitPromise(never));
      yield* moveOnAfter(1, () =>
        abortable(
          (signal) =>
            new Promise<void>((_res, rej) => {
              signal.addEventListener("abort", () => rej(signal.reason));
            }),
        ),
      );
    });
    expectClean(runner);
  });

  it("on the real clock, with a real host timer armed during the run", async () => {
    let runner: Runner | null = null;
    await run(function* () {
      runner = currentRun();
      yield* openNursery(function* (n) {
        n.startSoon(sleep, 1000);
        yield* sleep(0.005);
        n.cancelScope.cancel();
      });
    });
    expectClean(runner!);
  });

  it("on a MockClock without autojump, driven by jump()", async () => {
    const clock = new MockClock();
    let runner: Runner | null = null;
    const p = runWith({ clock }, function* () {
      runner = currentRun();
      yield* sleep(10);
    });
    await new Promise((r) => setTimeout(r, 2));
    clock.jump(10);
    await p;
    expectClean(runner!);
  });

  it("many runs leave no live runs behind", async () => {
    const before = liveRuns.size;
    await Promise.all(Array.from({ length: 20 }, (_, i) => runKeep(() => sleep(i))));
    expect(liveRuns.size).toBe(before);
  });
});
