import { describe, expect, it } from "vitest";
import {
  run,
  runWith,
  openNursery,
  sleep,
  sleepForever,
  checkpoint,
  currentTime,
  currentRun,
  currentTask,
  spawnSystemTask,
  waitPromise,
  Cancelled,
  ExceptionGroup,
  type Runner,
  type Operation,
} from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { liveRuns } from "../../src/inspect/hooks.js";

describe("run", () => {
  it("returns the main task's result", async () => {
    await expect(run(function* () {
      yield* checkpoint();
      return 42;
    })).resolves.toBe(42);
  });

  it("passes arguments to main", async () => {
    await expect(run(function* (a: number, b: string) {
      return `${a}${b}`;
    }, 1, "x")).resolves.toBe("1x");
  });

  it("rejects with what main raised", async () => {
    await expect(run(function* () {
      yield* checkpoint();
      throw new Error("nope");
    })).rejects.toThrow("nope");
  });

  it("drives sleeps with a MockClock that autojumps", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    const t = await runWith({ clock }, function* () {
      yield* sleep(3600);
      return currentTime();
    });
    expect(t).toBe(3600);
  });

  it("reports child errors as an ExceptionGroup", async () => {
    const err = await run(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          throw new Error("child");
        });
      });
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).exceptions.map((e) => (e as Error).message)).toEqual(["child"]);
  });
});

describe("tasks that are not generators", () => {
  // The runner resumes generators through the shared generator next() and
  // anything else through its own next(): both must work, in any mix.
  function iteratorTask(steps: number, log: string[], name: string): Operation<string> {
    const inner = checkpointsThenReturn(steps, name);
    const it = {
      next: (v?: unknown) => {
        log.push(name);
        return inner.next(v);
      },
      throw: (e: unknown) => inner.throw(e),
      return: (v: string) => inner.return(v),
      [Symbol.iterator]() {
        return it;
      },
    };
    return it as unknown as Operation<string>;
  }
  function* checkpointsThenReturn(steps: number, name: string): Operation<string> {
    for (let i = 0; i < steps; i++) yield* checkpoint();
    return name;
  }

  it("a hand-written iterator runs as a task beside generator tasks, as the main task and as a child", async () => {
    const log: string[] = [];
    const results: string[] = [];
    const main = await run(() => iteratorTask(1, log, "main"));
    expect(main).toBe("main");
    await run(function* () {
      yield* openNursery(function* (n) {
        const a = n.startSoon((s: number) => iteratorTask(s, log, "child"), 2);
        const b = n.startSoon(checkpointsThenReturn, 2, "generator");
        yield* checkpoint();
        yield* checkpoint();
        yield* checkpoint();
        results.push(String(a.done), String(b.done));
      });
    });
    expect(results).toEqual(["true", "true"]);
    // The wrapper saw every step of its task: its first, one per checkpoint, and the last.
    expect(log.filter((x) => x === "child")).toHaveLength(3);
    expect(log.filter((x) => x === "main")).toHaveLength(2);
  });
});

describe("run lifecycle", () => {
  it("names the run and its main task", async () => {
    let runner: Runner | null = null;
    await runWith({ name: "my-run" }, function* mainFn() {
      runner = currentRun();
      expect(runner.name).toBe("my-run");
      expect(runner.isRunning).toBe(true);
      expect(runner.main).toBe(currentTask());
      expect(currentTask().name).toBe("mainFn");
      expect(String(runner)).toBe(`<Run #${runner.id} my-run>`);
    });
    expect(runner!.isRunning).toBe(false);
    expect(String(runner)).toMatch(/finished/);
  });

  it("is listed among live runs while it runs", async () => {
    let live = false;
    let runner: Runner | null = null;
    await run(function* () {
      runner = currentRun();
      live = liveRuns.has(runner);
    });
    expect(live).toBe(true);
    expect(liveRuns.has(runner!)).toBe(false);
  });

  it("system tasks are cancelled when main ends, and their finally blocks run", async () => {
    const log: string[] = [];
    const v = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      spawnSystemTask(function* service() {
        try {
          yield* sleepForever();
        } finally {
          log.push("service stopped");
        }
      });
      yield* sleep(1);
      return "main result";
    });
    expect(v).toBe("main result");
    expect(log).toEqual(["service stopped"]);
  });

  it("a system task that crashes fails the run and cancels main", async () => {
    const log: string[] = [];
    const err = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      spawnSystemTask(function* () {
        yield* sleep(1);
        throw new Error("service died");
      });
      try {
        yield* sleepForever();
      } catch (e) {
        log.push(e instanceof Cancelled ? `main cancelled: ${(e as Cancelled).reason}` : "other");
        throw e;
      }
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe("service died");
    expect(log).toEqual(["main cancelled: system task system crashed"]);
  });

  it("several crashing system tasks give an AggregateError", async () => {
    const err = await run(function* () {
      for (const m of ["a", "b"]) {
        // Both crash in their first step: a crash cancels the run, and a
        // task resumed from a checkpoint after that raises Cancelled there.
        spawnSystemTask(function* () {
          throw new Error(m);
        });
      }
      yield* sleepForever();
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors.map((e: Error) => e.message).sort()).toEqual(["a", "b"]);
  });

  it("main can wait for a nested run through a Promise", async () => {
    const v = await run(function* () {
      const inner = run(function* () {
        yield* checkpoint();
        return currentRun().id;
      });
      const innerId = yield* waitPromise(inner);
      return innerId !== currentRun().id;
    });
    expect(v).toBe(true);
  });

  it("a finished run refuses new tasks with a clear error", async () => {
    let runner: Runner | null = null;
    await run(function* () {
      runner = currentRun();
    });
    expect(() => runner!.spawnTask((function* () {})(), runner!.systemNursery, "late", true)).toThrow(/has finished/);
  });
});
