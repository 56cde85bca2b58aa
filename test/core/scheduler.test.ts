import { afterEach, describe, expect, it, vi } from "vitest";
import {
  chooseMacrotask,
  checkpoint,
  currentRun,
  currentStatistics,
  currentTime,
  openNursery,
  run,
  runWith,
  sleep,
  type Runner,
} from "../../src/core/index.js";
import { queueSoon, setHostMacrotask } from "../../src/core/host.js";
import { MockClock } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

describe("scheduler: batches and slices", () => {
  it("a due timer fires while another task busy-loops on checkpoints", async () => {
    const log: string[] = [];
    await run(function* () {
      yield* openNursery(function* (n) {
        let woke = false;
        n.startSoon(function* () {
          yield* sleep(0.002);
          woke = true;
          log.push("sleeper woke");
        });
        n.startSoon(function* () {
          let i = 0;
          // Bounded so a broken scheduler fails the test instead of hanging it.
          while (!woke && i < 20_000_000) {
            yield* checkpoint();
            i++;
          }
          log.push(woke ? "busy loop saw the sleeper" : "busy loop gave up");
        });
      });
    });
    expect(log).toEqual(["sleeper woke", "busy loop saw the sleeper"]);
  });

  it("time slicing lets a host callback scheduled before a long loop run before the loop ends", async () => {
    let seenAt = -1;
    let hostRan = false;
    let runner: Runner | null = null;
    const N = 200_000;
    await run(function* () {
      runner = currentRun();
      setImmediate(() => {
        hostRan = true;
      });
      for (let i = 0; i < N; i++) {
        if (hostRan && seenAt === -1) seenAt = i;
        yield* checkpoint();
      }
    });
    expect(seenAt).toBeGreaterThan(0);
    expect(seenAt).toBeLessThan(N);
    expect(runner!.statistics.sliceOverruns).toBeGreaterThan(0);
  });

  it("a setTimeout callback gets its turn during a long run of steps", async () => {
    let seenAt = -1;
    let fired = false;
    const N = 2_000_000;
    await run(function* () {
      setTimeout(() => {
        fired = true;
      }, 1);
      for (let i = 0; i < N; i++) {
        if (fired) {
          seenAt = i;
          break;
        }
        yield* checkpoint();
      }
    });
    expect(seenAt).toBeGreaterThan(0);
  });

  it("several runs at once interleave", async () => {
    const progress: string[] = [];
    const loop = (name: string) =>
      run(function* () {
        for (let i = 0; i < 100_000; i++) {
          if (i % 10_000 === 0) progress.push(name);
          yield* checkpoint();
        }
        progress.push(`${name} done`);
      });
    await Promise.all([loop("a"), loop("b")]);
    const aDone = progress.indexOf("a done");
    const bDone = progress.indexOf("b done");
    // Each run made progress before the other finished.
    expect(progress.slice(0, bDone)).toContain("a");
    expect(progress.slice(0, aDone)).toContain("b");
  });

  it("runs on different mock clocks keep their own time", async () => {
    const [a, b] = await Promise.all([
      runMock(function* () {
        yield* sleep(10);
        return currentTime();
      }),
      runMock(function* () {
        yield* sleep(3);
        return currentTime();
      }),
    ]);
    expect(a).toBe(10);
    expect(b).toBe(3);
  });

  it("counts spawned and exited tasks, steps and batches", async () => {
    let runner: Runner | null = null;
    const inside = await run(function* () {
      runner = currentRun();
      yield* openNursery(function* (n) {
        n.startSoon(checkpoint);
        n.startSoon(checkpoint);
      });
      return { ...currentStatistics() };
    });
    expect(inside.tasksSpawned).toBe(3);
    expect(inside.tasksExited).toBe(2);
    expect(inside.batches).toBeGreaterThanOrEqual(1);
    const after = runner!.statistics;
    expect(after.tasksExited).toBe(3);
    // main: 2 steps (up to the nursery wait, then to the end); each child: 2 (to its checkpoint, then to the end).
    expect(after.steps).toBe(6);
  });

  it("the first batch starts on a microtask: the run's first step happens before a setTimeout(0)", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("timeout"), 0);
    await run(function* () {
      order.push("main first step");
    });
    expect(order[0]).toBe("main first step");
  });

  it("does not start the main task synchronously inside run()", async () => {
    const order: string[] = [];
    const p = run(function* () {
      order.push("main");
    });
    order.push("after run()");
    await p;
    expect(order).toEqual(["after run()", "main"]);
  });

  it("rejects a bad timeSlice", async () => {
    for (const timeSlice of [0, -1, Infinity, NaN, "5" as unknown as number]) {
      await expect(runWith({ timeSlice }, function* () {})).rejects.toThrow(RangeError);
    }
  });

  it("a small time slice gives more overruns than a large one", async () => {
    const overruns = async (timeSlice: number) => {
      let runner: Runner | null = null;
      await runWith({ timeSlice }, function* () {
        runner = currentRun();
        for (let i = 0; i < 50_000; i++) yield* checkpoint();
      });
      return runner!.statistics.sliceOverruns;
    };
    expect(await overruns(1e-6)).toBeGreaterThan(await overruns(10));
  });

  it("heavy steps are cut into slices at once: the clock is read more often when steps are slow", async () => {
    // Each step busy-waits 2 ms of real time, more than a third of the 5 ms
    // slice: the batch must give the host a turn every few steps, not after
    // a fixed count tuned for quick steps. Load only makes steps longer.
    let runner: Runner | null = null;
    await runWith({ timeSlice: 0.005 }, function* () {
      runner = currentRun();
      for (let i = 0; i < 20; i++) {
        const until = performance.now() + 2;
        while (performance.now() < until) {
          // busy
        }
        yield* checkpoint();
      }
    });
    expect(runner!.statistics.sliceOverruns).toBeGreaterThanOrEqual(4);
  });

  it("a chain of short sleeps never nests host timers deep enough for the browsers' 4 ms clamp", async () => {
    // Emulates HTML's timer nesting level: a timer made inside a timer
    // callback is one level deeper, and from level 6 on a delay under 4 ms
    // becomes 4 ms. The runner must arm such timers from a fresh macrotask.
    const original = globalThis.setTimeout;
    let level = 0;
    let deepest = 0;
    const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms?: number) => {
      const mine = level + 1;
      if ((ms ?? 0) < 4) deepest = Math.max(deepest, mine);
      return original(() => {
        const saved = level;
        level = mine;
        try {
          callback();
        } finally {
          level = saved;
        }
      }, ms);
    }) as unknown as typeof setTimeout);
    let slept = 0;
    try {
      await run(function* () {
        for (let i = 0; i < 20; i++) {
          yield* sleep(0.001);
          slept++;
        }
      });
    } finally {
      spy.mockRestore();
    }
    expect(slept).toBe(20);
    expect(deepest).toBeGreaterThan(1);
    expect(deepest).toBeLessThanOrEqual(5);
  });

  it("a MockClock jumped from outside wakes a sleeping run", async () => {
    const clock = new MockClock();
    const p = runMock(function* () {
      yield* sleep(5);
      return currentTime();
    }, clock);
    await new Promise((r) => setTimeout(r, 2));
    clock.jump(4);
    await new Promise((r) => setTimeout(r, 2));
    clock.jump(1);
    await expect(p).resolves.toBe(5);
  });
});

describe("chooseMacrotask", () => {
  it("picks setImmediate under Node", () => {
    const m = chooseMacrotask({ setImmediate: () => 0, process: { versions: { node: "20" } }, MessageChannel } as never);
    expect(m.kind).toBe("setImmediate");
  });

  it("picks MessageChannel in a browser-like host without setImmediate, and runs callbacks in order", async () => {
    const m = chooseMacrotask({ MessageChannel } as never);
    expect(m.kind).toBe("MessageChannel");
    const order: number[] = [];
    await new Promise<void>((resolve) => {
      m(() => order.push(1));
      m(() => order.push(2));
      m(() => {
        order.push(3);
        resolve();
      });
    });
    expect(order).toEqual([1, 2, 3]);
  });

  it("prefers MessageChannel over setImmediate outside Node", () => {
    const m = chooseMacrotask({ setImmediate: () => 0, MessageChannel } as never);
    expect(m.kind).toBe("MessageChannel");
  });

  it("uses scheduler.postTask where present", async () => {
    const calls: unknown[] = [];
    const host = {
      scheduler: {
        postTask(cb: () => void, options?: unknown) {
          calls.push(options);
          cb();
          return Promise.resolve();
        },
      },
      MessageChannel,
    };
    const m = chooseMacrotask(host as never);
    expect(m.kind).toBe("postTask");
    let ran = false;
    m(() => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(calls).toEqual([{ priority: "user-visible" }]);
  });

  it("falls back to setTimeout with a warning when neither exists", async () => {
    const warnings: string[] = [];
    const m = chooseMacrotask({} as never, (msg) => warnings.push(msg));
    expect(m.kind).toBe("setTimeout");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/setTimeout/);
    await new Promise<void>((resolve) => m(resolve));
  });

  it("falls back when MessageChannel cannot be constructed", () => {
    const warnings: string[] = [];
    class Broken {
      constructor() {
        throw new Error("sandboxed");
      }
    }
    const m = chooseMacrotask({ MessageChannel: Broken } as never, (msg) => warnings.push(msg));
    expect(m.kind).toBe("setTimeout");
    expect(warnings).toHaveLength(1);
  });

  it("uses setImmediate outside Node when it is the only option", () => {
    const m = chooseMacrotask({ setImmediate: () => 0 } as never);
    expect(m.kind).toBe("setImmediate");
  });

  describe("a run continues its slices on whatever facility was chosen", () => {
    let previous: ReturnType<typeof setHostMacrotask> | undefined;
    afterEach(() => {
      setHostMacrotask(previous);
    });

    it("setTimeout fallback", async () => {
      const warn = vi.fn();
      previous = setHostMacrotask(chooseMacrotask({} as never, warn));
      let runner: Runner | null = null;
      await runWith({ timeSlice: 1e-4 }, function* () {
        runner = currentRun();
        for (let i = 0; i < 20_000; i++) yield* checkpoint();
      });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(runner!.statistics.sliceOverruns).toBeGreaterThan(0);
    });

    it("MessageChannel", async () => {
      previous = setHostMacrotask(chooseMacrotask({ MessageChannel } as never));
      let runner: Runner | null = null;
      await runWith({ timeSlice: 1e-4 }, function* () {
        runner = currentRun();
        for (let i = 0; i < 20_000; i++) yield* checkpoint();
      });
      expect(runner!.statistics.sliceOverruns).toBeGreaterThan(0);
    });
  });
});

describe("queueSoon (how a batch is queued 'soon')", () => {
  it("keeps FIFO order with the other microtasks of the host", async () => {
    const order: number[] = [];
    queueSoon(() => order.push(1));
    queueMicrotask(() => order.push(2));
    void Promise.resolve().then(() => order.push(3));
    queueSoon(() => order.push(4));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(order).toEqual([1, 2, 3, 4]);
  });
});
