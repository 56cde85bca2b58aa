/** asyncio on workers: loop.runInExecutor with a WorkerExecutor, and asyncio.toThread on the default executor. */
import { describe, expect, it } from "vitest";
import { aioAsTrio, asyncio, openLoop, run, RuntimeError } from "../../src/index.js";
import { openWorkerPool, WorkerExecutor } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { tracker, type WorkerTracker } from "./helpers.js";

/** Runs asyncio `main` in a loop inside a pool block of the basic fixture. */
function withPool<T>(t: WorkerTracker, main: (executor: WorkerExecutor<BasicOps>) => asyncio.Coroutine<T>, size = 1): Promise<T> {
  return run(function* () {
    return yield* openWorkerPool<BasicOps, T>(
      () => t.make(),
      function* (pool) {
        return yield* openLoop(function* () {
          return yield* aioAsTrio(main)(new WorkerExecutor(pool));
        });
      },
      { size },
    );
  });
}

describe("asyncio executors", () => {
  it("loop.runInExecutor(executor, name, ...args) returns a Future of the worker's result", async () => {
    const t = await tracker("basic.worker");
    const result = await withPool(t, function* (executor) {
      const loop = asyncio.getRunningLoop();
      const a = loop.runInExecutor<number>(executor, "add", 2, 3);
      const b = loop.runInExecutor<number>(executor, "sleepThenAdd", 0.01, 10, 20);
      return yield* asyncio.gather(a, b);
    }, 2);
    expect(result).toEqual([5, 30]);
    expect(t.alive).toBe(0);
  });

  it("asyncio.toThread runs on the loop's default executor", async () => {
    const t = await tracker("basic.worker");
    const result = await withPool(t, function* (executor) {
      asyncio.getRunningLoop().setDefaultExecutor(executor);
      return yield* asyncio.toThread<number>("add", 40, 2);
    });
    expect(result).toBe(42);
  });

  it("worker errors reach the awaiting coroutine", async () => {
    const t = await tracker("basic.worker");
    const error = await withPool(t, function* (executor) {
      try {
        yield* asyncio.getRunningLoop().runInExecutor(executor, "fail", "from asyncio");
      } catch (e) {
        return e;
      }
    });
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe("from asyncio");
  });

  it("a timeout cancels the work in the worker; its finally has run when TimeoutError is raised", async () => {
    const t = await tracker("basic.worker");
    await withPool(t, function* (executor) {
      asyncio.getRunningLoop().setDefaultExecutor(executor);
      try {
        yield* asyncio.waitFor(asyncio.toThread("waitForCancel", "aio"), 0.3);
      } catch (e) {
        t.events.push(`caller:${(e as Error).name}`);
      }
    });
    expect(t.events.slice(0, 3)).toEqual(["log:aio:started", "log:aio:finally", "caller:TimeoutError"]);
  });

  it("no executor and no pool block: RuntimeError naming the fixes", async () => {
    let error: unknown;
    await run(function* () {
      yield* openLoop(function* (loop) {
        try {
          loop.runInExecutor(null, "add", 1, 2);
        } catch (e) {
          error = e;
        }
      });
    });
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/no default executor here.*inside an openWorkerPool block.*setDefaultExecutor\(new WorkerExecutor\(pool\)\)/);
  });

  it("an unknown name, a bad executor: clear errors", async () => {
    const t = await tracker("basic.worker");
    const errors = await withPool(t, function* (executor) {
      const loop = asyncio.getRunningLoop();
      const out: unknown[] = [];
      for (const attempt of [
        () => loop.runInExecutor(executor, "nope"),
        () => loop.setDefaultExecutor({} as never),
        () => new WorkerExecutor(42 as never),
      ]) {
        try {
          attempt();
        } catch (e) {
          out.push(e);
        }
      }
      return out;
    });
    expect(errors).toHaveLength(3);
    const [unknown, badDefault, badPool] = errors as Error[];
    expect(unknown!.message).toMatch(/no operation "nope"/);
    expect(badDefault!.message).toMatch(/takes an executor/);
    expect(badPool!.message).toMatch(/needs a WorkerPool or WorkerHandle/);
  });
});
