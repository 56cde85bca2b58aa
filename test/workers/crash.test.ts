/** A worker that fails outside any call, or exits on its own: its callers get an error, the pool replaces it. */
import { describe, expect, it } from "vitest";
import { BrokenResourceError, run } from "../../src/index.js";
import { openWorker, openWorkerPool } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { tracker } from "./helpers.js";

describe("a worker that fails outside a call", () => {
  it("an uncaught error in the worker fails the calls in flight with BrokenResourceError carrying it", async () => {
    const t = await tracker("basic.worker");
    let error: unknown;
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (worker) {
        try {
          yield* worker.call("crashSoon", []);
        } catch (e) {
          error = e;
        }
        expect(worker.alive).toBe(false);
      });
    });
    expect(error).toBeInstanceOf(BrokenResourceError);
    expect((error as Error).message).toMatch(/failed outside any call \(Error: boom outside any call\)/);
    expect(((error as Error).cause as Error).message).toBe("boom outside any call");
    expect(t.alive).toBe(0);
  });

  it("a worker that exits on its own fails its calls; the pool replaces it", async () => {
    const t = await tracker("basic.worker");
    let error: unknown;
    await run(function* () {
      yield* openWorkerPool<BasicOps>(
        () => t.make(),
        function* (pool) {
          try {
            yield* pool.call("exitNow", []);
          } catch (e) {
            error = e;
          }
          expect(pool.workerCount).toBe(1);
          expect(yield* pool.call("add", [1, 2])).toBe(3);
          expect(pool.workersStarted).toBe(2);
        },
        { size: 1 },
      );
    });
    expect(error).toBeInstanceOf(BrokenResourceError);
    expect((error as Error).message).toMatch(/exited on its own/);
    expect(t.alive).toBe(0);
  });
});
