/** openWorkerPool: one call per worker at a time, replacement of terminated workers, nothing left. */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, ClosedResourceError, moveOnAfter, openNursery, run, sleep } from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { openWorkerPool, type WorkerPool } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { caught, tracker } from "./helpers.js";

describe("openWorkerPool", () => {
  it("runs at most size calls at once, on size workers, and closes them all", async () => {
    const t = await tracker("basic.worker");
    let maxBorrowed = 0;
    const results: number[] = [];
    await run(function* () {
      yield* openWorkerPool<BasicOps>(
        () => t.make(),
        function* (pool) {
          expect(pool.workerCount).toBe(2);
          yield* openNursery(function* (nursery) {
            for (let i = 0; i < 6; i++) {
              nursery.startSoon(function* () {
                results.push(yield* pool.call("sleepThenAdd", [0.03, i, 100]));
              });
            }
            nursery.startSoon(function* () {
              while (results.length < 6) {
                maxBorrowed = Math.max(maxBorrowed, pool.limiter.borrowedTokens);
                yield* sleep(0.005);
              }
            });
          });
        },
        { size: 2 },
      );
    });
    expect(results.sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(maxBorrowed).toBe(2);
    expect(t.workers).toHaveLength(2);
    expect(t.alive).toBe(0);
  });

  it("replaces a worker terminated after the grace period, and the pool keeps working", async () => {
    const t = await tracker("basic.worker");
    let pool!: WorkerPool<BasicOps>;
    await run(function* () {
      yield* openWorkerPool<BasicOps>(
        () => t.make(),
        function* (p) {
          pool = p;
          let caught: unknown;
          yield* moveOnAfter(0.1, function* () {
            try {
              yield* p.call("spin", ["r"]);
            } catch (e) {
              caught = e;
              throw e;
            }
          });
          expect(caught).toBeInstanceOf(Cancelled);
          // The spinning worker has exited by the time the caller saw Cancelled.
          expect(t.exited.has(t.workers[0]!)).toBe(true);
          expect(p.workersStarted).toBe(2);
          expect(p.workerCount).toBe(1);
          expect(yield* p.call("add", [20, 22])).toBe(42);
          expect(p.limiter.borrowedTokens).toBe(0);
        },
        { size: 1, graceSeconds: 0.1 },
      );
    });
    expect(t.workers).toHaveLength(2);
    expect(t.alive).toBe(0);
    expect(pool.isClosed).toBe(true);
  });

  it("a cancelled call on a pool worker that answers keeps that worker", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(
        () => t.make(),
        function* (pool) {
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              while (!t.logs.includes("k:started")) yield* sleep(0.005);
              scope.cancel();
            });
            yield* scope.run(() => pool.call("waitForCancel", ["k"]));
          });
          expect(t.logs).toContain("k:finally");
          expect(pool.workersStarted).toBe(1);
          expect(yield* pool.call("add", [1, 1])).toBe(2);
        },
        { size: 1 },
      );
    });
    expect(t.alive).toBe(0);
  });

  it("a caller cancelled while the replacement worker starts leaves that worker starting, and the next call uses it", async () => {
    const t = await tracker("basic.worker");
    let outcome: unknown;
    await run(function* () {
      yield* openWorkerPool<BasicOps>(
        () => t.make(),
        function* (pool) {
          yield* moveOnAfter(0.05, () => pool.call("spin", ["r"])); // terminated after the grace period, replaced
          expect(pool.workersStarted).toBe(2);
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* waitAllTasksBlocked(); // the caller waits for the replacement to start
              scope.cancel();
            });
            yield* scope.run(function* () {
              try {
                yield* pool.call("add", [1, 2]);
              } catch (e) {
                outcome = e;
                throw e;
              }
            });
          });
          expect(scope.cancelledCaught).toBe(true);
          expect(t.exited.has(t.workers[1]!)).toBe(false);
          expect(yield* pool.call("add", [20, 22])).toBe(42);
          expect(pool.workersStarted).toBe(2);
          expect(pool.workerCount).toBe(1);
        },
        { size: 1, graceSeconds: 0.05 },
      );
    });
    expect(outcome).toBeInstanceOf(Cancelled);
    expect(t.workers).toHaveLength(2);
    expect(t.alive).toBe(0);
  });

  it("a replacement kept starting after its caller was cancelled is still terminated when the pool closes", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(
        () => t.make(),
        function* (pool) {
          yield* moveOnAfter(0.05, () => pool.call("spin", ["r"]));
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* waitAllTasksBlocked();
              scope.cancel();
            });
            yield* scope.run(() => pool.call("add", [1, 2]));
          });
          expect(pool.workerCount).toBe(1); // still starting: the block ends now
        },
        { size: 1, graceSeconds: 0.05 },
      );
    });
    expect(t.workers).toHaveLength(2);
    expect(t.alive).toBe(0);
  });

  it("a call on a closed pool, and a caller waiting for a token when it closes, get ClosedResourceError", async () => {
    const t = await tracker("basic.worker");
    let pool!: WorkerPool<BasicOps>;
    const errors: unknown[] = [];
    await run(function* () {
      yield* openNursery(function* (outer) {
        yield* openWorkerPool<BasicOps>(
          () => t.make(),
          function* (p) {
            pool = p;
            for (let i = 0; i < 2; i++) {
              outer.startSoon(function* () {
                try {
                  yield* p.call("sleepThenAdd", [5, 0, 0]);
                } catch (e) {
                  errors.push(e);
                }
              });
            }
            yield* sleep(0.05);
            expect(p.limiter.statistics().tasksWaiting).toBe(1);
          },
          { size: 1 },
        );
      });
      const late = yield* caught(pool.call("add", [1, 2]));
      expect(late).toBeInstanceOf(ClosedResourceError);
      expect((late as Error).message).toMatch(/pool is closed.*Make calls inside the block/);
    });
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toBeInstanceOf(ClosedResourceError);
    expect(t.alive).toBe(0);
  });
});
