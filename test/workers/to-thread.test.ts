/** The default pool: Trio's toThread.runSync and asyncio.toThread run on the innermost openWorkerPool block's pool. */
import { describe, expect, it } from "vitest";
import { aioAsTrio, asyncio, Cancelled, moveOnAfter, openLoop, openNursery, run, RuntimeError, sleep } from "../../src/index.js";
import { openWorkerPool, toThread } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { tracker } from "./helpers.js";

describe("toThread.runSync", () => {
  it("runs on the innermost pool, in the body and in tasks started there", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* (outer) {
        expect(yield* toThread.runSync<number>("add", 1, 2)).toBe(3);
        yield* openWorkerPool<BasicOps>(() => t.make(), function* (inner) {
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              expect(yield* toThread.runSync<number>("sleepThenAdd", 0.1, 1, 1)).toBe(2);
            });
            yield* sleep(0.05);
            expect(inner.limiter.borrowedTokens).toBe(1);
            expect(outer.limiter.borrowedTokens).toBe(0);
          });
        }, { size: 1 });
      }, { size: 1 });
    });
    expect(t.alive).toBe(0);
  });

  it("follows the cancellation rule", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* () {
        yield* moveOnAfter(0.1, function* () {
          try {
            yield* toThread.runSync("spin", "ts");
          } catch (e) {
            t.events.push(`caller:${e instanceof Cancelled ? "Cancelled" : String(e)}`);
            throw e;
          }
        });
      }, { size: 1, graceSeconds: 0.1 });
    });
    expect(t.events.slice(0, 3)).toEqual(["log:ts:spinning", "exit:1", "caller:Cancelled"]);
  });

  it("outside a pool block: RuntimeError naming openWorkerPool", async () => {
    let error: unknown;
    await run(function* () {
      try {
        yield* toThread.runSync("add", 1, 2);
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/innermost openWorkerPool block, and there is none here/);
  });
});

describe("asyncio.toThread on the default pool", () => {
  it("uses the innermost pool block when the loop has no default executor", async () => {
    const t = await tracker("basic.worker");
    const result = await run(function* () {
      return yield* openWorkerPool<BasicOps, number>(() => t.make(), function* () {
        return yield* openLoop(function* () {
          return yield* aioAsTrio(function* () {
            return yield* asyncio.toThread<number>("add", 20, 22);
          })();
        });
      }, { size: 1 });
    });
    expect(result).toBe(42);
  });
});
