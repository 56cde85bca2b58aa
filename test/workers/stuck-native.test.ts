/**
 * A Node worker stuck in a synchronous native call (here spawnSync of a
 * child that waits): Node's terminate() cannot stop such a thread before
 * the call returns, and says "exit" only then. Cancellation must still not
 * hang: the caller's Cancelled comes at most the grace period plus one
 * second after the cancel (the thread, asked to terminate, runs no more
 * JavaScript). Closing the block does not wait for the thread either, and
 * the thread still ends when its native call returns.
 */
import { describe, expect, it } from "vitest";
import { aioAsTrio, asyncio, BrokenResourceError, CancelScope, openLoop, openNursery, run, sleep } from "../../src/index.js";
import { openWorker, openWorkerPool, WorkerExecutor } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { caught, tracker, type WorkerTracker } from "./helpers.js";

/** Long enough that waiting for the thread's exit would show; short enough to wait for in the test. */
const BLOCK_MS = 4000;

function* untilLogged(t: WorkerTracker, line: string) {
  while (!t.logs.includes(line)) yield* sleep(0.005);
}

/** Waits (outside any run) until every worker the tracker made has really exited. */
async function allExited(t: WorkerTracker): Promise<void> {
  const end = Date.now() + BLOCK_MS + 5000;
  while (t.alive > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(t.alive).toBe(0);
}

describe("a worker blocked in a native call", () => {
  it("a cancelled call raises Cancelled about grace + 1 s after the cancel, not when the native call returns", async () => {
    const t = await tracker("basic.worker");
    let cancelAt = 0;
    let endAt = 0;
    let exitedBeforeCaller = true;
    await run(function* () {
      yield* openWorker<BasicOps>(
        t.make(),
        function* (worker) {
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* untilLogged(t, "native:blocking");
              cancelAt = performance.now();
              scope.cancel();
            });
            yield* scope.run(() => worker.call("blockNative", [BLOCK_MS]));
            endAt = performance.now();
            exitedBeforeCaller = t.exited.size > 0;
          });
          expect(scope.cancelledCaught).toBe(true);
          expect(worker.alive).toBe(false);
          const error = yield* caught(worker.call("add", [1, 2]));
          expect(error).toBeInstanceOf(BrokenResourceError);
          expect((error as Error).message).toMatch(/did not stop within the grace period of 0.2 s/);
        },
        { graceSeconds: 0.2 },
      );
    });
    const elapsed = endAt - cancelAt;
    expect(elapsed).toBeGreaterThanOrEqual(1150);
    expect(elapsed).toBeLessThan(BLOCK_MS - 1000);
    // The thread was still blocked then: the caller did not wait for its exit.
    expect(exitedBeforeCaller).toBe(false);
    await allExited(t);
  });

  it("a thread in Atomics.wait is interrupted by terminate(): the caller's Cancelled comes after its real exit, well within the extra second", async () => {
    const t = await tracker("basic.worker");
    let cancelAt = 0;
    let endAt = 0;
    let exitedBeforeCaller = false;
    await run(function* () {
      yield* openWorker<BasicOps>(
        t.make(),
        function* (worker) {
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* untilLogged(t, "atomics:waiting");
              cancelAt = performance.now();
              scope.cancel();
            });
            yield* scope.run(() => worker.call("waitAtomics", [60_000]));
            endAt = performance.now();
            exitedBeforeCaller = t.exited.size > 0;
          });
          expect(scope.cancelledCaught).toBe(true);
        },
        { graceSeconds: 0.1 },
      );
    });
    expect(exitedBeforeCaller).toBe(true);
    expect(endAt - cancelAt).toBeLessThan(900);
    await allExited(t);
  });

  it("asyncio.waitFor around asyncio.toThread raises TimeoutError about grace + 1 s after its timeout, not when the native call returns", async () => {
    const t = await tracker("basic.worker");
    let started = 0;
    let ended = 0;
    const error = await run(function* () {
      return yield* openWorkerPool<BasicOps, unknown>(
        () => t.make(),
        function* (pool) {
          return yield* openLoop(function* () {
            return yield* aioAsTrio(function* () {
              asyncio.getRunningLoop().setDefaultExecutor(new WorkerExecutor(pool));
              started = performance.now();
              try {
                yield* asyncio.waitFor(asyncio.toThread("blockNative", BLOCK_MS), 0.2);
              } catch (e) {
                return e;
              } finally {
                ended = performance.now();
              }
            })();
          });
        },
        { size: 1, graceSeconds: 0.1 },
      );
    });
    expect(error).toBeInstanceOf(asyncio.TimeoutError);
    expect(ended - started).toBeLessThan(BLOCK_MS - 1000);
    await allExited(t);
  });

  it("closing a pool whose worker is blocked does not wait for the native call either", async () => {
    const t = await tracker("basic.worker");
    let closeAt = 0;
    let closedAt = 0;
    await run(function* () {
      yield* openWorkerPool<BasicOps>(
        () => t.make(),
        function* (pool) {
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* untilLogged(t, "native:blocking");
              closeAt = performance.now();
              scope.cancel();
            });
            yield* scope.run(() => pool.call("blockNative", [BLOCK_MS]));
          });
        },
        { size: 1, graceSeconds: 0 },
      );
      closedAt = performance.now();
    });
    expect(closedAt - closeAt).toBeLessThan(BLOCK_MS - 1000);
    await allExited(t);
  });
});
