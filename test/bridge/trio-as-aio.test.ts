/**
 * trioAsAio: Trio code called from asyncio code. The Trio task's outcome
 * completes an asyncio Future; cancelling that Future cancels the Trio task,
 * and the Future only turns cancelled once the Trio task has really ended.
 */
import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  currentTime,
  openNursery,
  sleep as trioSleep,
  sleepForever,
  type Operation,
} from "../../src/core/index.js";
import { aioAsTrio, trioAsAio, TrioFuture, waitFuture } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { expectNoLeftovers, only, runAio, runLoop } from "./helpers.js";

const { CancelledError } = asyncio;

function* trioAdd(a: number, b: number): Operation<number> {
  yield* trioSleep(1);
  return a + b;
}

describe("trioAsAio: results and errors", () => {
  it("gives the asyncio awaiter the Trio operation's result", async () => {
    function* main(): asyncio.Coroutine<[number, number]> {
      const v = yield* trioAsAio(trioAdd)(2, 3);
      return [v, asyncio.getRunningLoop().time()];
    }
    expect(await runAio(main)).toEqual([5, 1]);
  });

  it("returns a TrioFuture on the running loop, named after the function", async () => {
    function* main(): asyncio.Coroutine<boolean> {
      const f = trioAsAio(trioAdd)(1, 1);
      const ok = f instanceof TrioFuture && f instanceof asyncio.Future && f.getLoop() === asyncio.getRunningLoop() && !f.done();
      yield* f;
      return ok;
    }
    expect(trioAsAio(trioAdd).name).toBe("trioAsAio(trioAdd)");
    expect(await runAio(main)).toBe(true);
  });

  it("raises the Trio operation's error, the same object, in the asyncio awaiter", async () => {
    const boom = new SyntaxError("trio side failed");
    function* failing(): Operation<number> {
      yield* trioSleep(0.5);
      throw boom;
    }
    function* main(): asyncio.Coroutine<unknown> {
      try {
        yield* trioAsAio(failing)();
        return "no error";
      } catch (error) {
        return error;
      }
    }
    expect(await runAio(main)).toBe(boom);
  });

  it("runs Trio operations concurrently with the asyncio task that started them", async () => {
    const log: string[] = [];
    function* tick(name: string, d: number): Operation<string> {
      yield* trioSleep(d);
      log.push(`${name}@${currentTime()}`);
      return name;
    }
    function* main(): asyncio.Coroutine<string[]> {
      const a = trioAsAio(tick)("a", 2);
      const b = trioAsAio(tick)("b", 1);
      yield* asyncio.sleep(1.5);
      log.push("aio@1.5");
      return [yield* a, yield* b];
    }
    expect(await runAio(main)).toEqual(["a", "b"]);
    expect(log).toEqual(["b@1", "aio@1.5", "a@2"]);
  });

  it("can be awaited from Trio code too, with waitFuture", async () => {
    const kept = await runLoop(function* () {
      const f = trioAsAio(trioAdd)(20, 22);
      return yield* waitFuture(f);
    });
    expect(kept.value).toBe(42);
  });

  it("asyncio → Trio → asyncio → Trio nesting works", async () => {
    function* innermost(): Operation<string> {
      yield* trioSleep(1);
      return "deep";
    }
    function* aioMiddle(): asyncio.Coroutine<string> {
      return `aio(${yield* trioAsAio(innermost)()})`;
    }
    function* trioMiddle(): Operation<string> {
      return `trio(${yield* aioAsTrio(aioMiddle)()})`;
    }
    function* main(): asyncio.Coroutine<string> {
      return yield* trioAsAio(trioMiddle)();
    }
    expect(await runAio(main)).toBe("trio(aio(deep))");
  });

  it("rejects a non-function and needs a loop", async () => {
    expect(() => trioAsAio("x" as never)).toThrow(/trioAsAio\(fn\) needs a Trio operation function/);
    expect(() => trioAsAio(trioAdd)(1, 2)).toThrow(/No asyncio loop here/);
  });
});

describe("trioAsAio: cancelling the Future", () => {
  it("cancels the Trio task; the Future turns cancelled only after its finally (with a shielded wait) ran", async () => {
    const log: string[] = [];
    function* trioWork(): Operation<string> {
      try {
        yield* trioSleep(10);
        return "slept";
      } catch (error) {
        log.push(error instanceof Cancelled ? "trio got Cancelled" : "other");
        throw error;
      } finally {
        yield* new CancelScope({ shield: true }).run(function* () {
          yield* trioSleep(2);
        });
        log.push(`trio finally done at ${currentTime()}`);
      }
    }
    function* main(): asyncio.Coroutine<string> {
      const loop = asyncio.getRunningLoop();
      const f = trioAsAio(trioWork)();
      loop.callLater(1, () => {
        log.push(`cancel() returned ${f.cancel("stop it")}, done=${f.done()}`);
      });
      try {
        yield* f;
        return "not cancelled";
      } catch (error) {
        log.push(`aio got ${(error as Error).name} "${(error as Error).message}" at ${loop.time()}`);
        return `cancelled=${f.cancelled()}`;
      }
    }
    expect(await runAio(main)).toBe("cancelled=true");
    expect(log).toEqual([
      "cancel() returned true, done=false",
      "trio got Cancelled",
      "trio finally done at 3",
      'aio got CancelledError "stop it" at 3',
    ]);
  });

  it("cancelling the asyncio Task that awaits the Future cancels the Trio task", async () => {
    const log: string[] = [];
    function* trioWork(): Operation<void> {
      try {
        yield* sleepForever();
      } finally {
        log.push(`trio unwound at ${currentTime()}`);
      }
    }
    function* waiter(): asyncio.Coroutine<void> {
      try {
        yield* trioAsAio(trioWork)();
      } catch (error) {
        log.push(`waiter got ${(error as Error).name}`);
        throw error;
      }
    }
    function* main(): asyncio.Coroutine<boolean> {
      const task = asyncio.getRunningLoop().createTask(waiter());
      yield* asyncio.sleep(2);
      task.cancel();
      try {
        yield* task;
      } catch (error) {
        return error instanceof CancelledError && task.cancelled();
      }
      return false;
    }
    expect(await runAio(main)).toBe(true);
    expect(log).toEqual(["trio unwound at 2", "waiter got CancelledError"]);
  });

  it("a Trio task that finishes normally despite the cancel gives the Future its result", async () => {
    function* stubborn(): Operation<string> {
      yield* new CancelScope({ shield: true }).run(function* () {
        yield* trioSleep(3);
      });
      return "finished anyway";
    }
    function* main(): asyncio.Coroutine<[string, boolean, number]> {
      const f = trioAsAio(stubborn)();
      yield* asyncio.sleep(1);
      const accepted = f.cancel();
      const v = yield* f;
      return [v, accepted && !f.cancelled(), asyncio.getRunningLoop().time()];
    }
    expect(await runAio(main)).toEqual(["finished anyway", true, 3]);
  });

  it("a Trio task that fails while being cancelled gives the Future that error", async () => {
    const cleanupFailed = new Error("cleanup failed");
    function* failsInCleanup(): Operation<void> {
      try {
        yield* sleepForever();
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw cleanupFailed;
      }
    }
    function* main(): asyncio.Coroutine<unknown> {
      const f = trioAsAio(failsInCleanup)();
      yield* asyncio.sleep(1);
      f.cancel();
      try {
        yield* f;
      } catch (error) {
        return error;
      }
      return null;
    }
    expect(await runAio(main)).toBe(cleanupFailed);
  });

  it("cancel() is idempotent and returns false once the Future is done", async () => {
    let cancels = 0;
    function* trioWork(): Operation<void> {
      try {
        yield* sleepForever();
      } catch (error) {
        if (error instanceof Cancelled) cancels++;
        throw error;
      }
    }
    function* main(): asyncio.Coroutine<boolean[]> {
      const f = trioAsAio(trioWork)();
      yield* asyncio.sleep(1);
      const answers = [f.cancel("first"), f.cancel("second")];
      try {
        yield* f;
      } catch (error) {
        answers.push((error as Error).message === "first");
      }
      answers.push(f.cancel());
      return answers;
    }
    expect(await runAio(main)).toEqual([true, true, true, false]);
    expect(cancels).toBe(1);
  });

  it("a Future cancelled before its Trio task first ran is cancelled at the operation's first checkpoint", async () => {
    const log: string[] = [];
    function* trioWork(): Operation<void> {
      log.push("body started");
      yield* trioSleep(1);
      log.push("body slept");
    }
    function* main(): asyncio.Coroutine<[boolean, number]> {
      const f = trioAsAio(trioWork)();
      f.cancel();
      try {
        yield* f;
      } catch (error) {
        return [error instanceof CancelledError, asyncio.getRunningLoop().time()];
      }
      return [false, -1];
    }
    expect(await runAio(main)).toEqual([true, 0]);
    expect(log).toEqual(["body started"]);
  });

  it("a CancelledError raised under the Trio task (from asyncio code it called) cancels the Future", async () => {
    function* aioRaises(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
      throw new CancelledError("inner");
    }
    function* trioCalls(): Operation<void> {
      yield* aioAsTrio(aioRaises)();
    }
    function* main(): asyncio.Coroutine<[string, boolean]> {
      const f = trioAsAio(trioCalls)();
      try {
        yield* f;
      } catch (error) {
        return [(error as Error).message, f.cancelled()];
      }
      return ["no error", false];
    }
    expect(await runAio(main)).toEqual(["inner", true]);
  });

  it("the Trio task sees the ContextVar values of the asyncio task that started it", async () => {
    const { ContextVar } = await import("../../src/core/index.js");
    const user = new ContextVar<string>("user");
    function* trioReads(): Operation<string | undefined> {
      yield* trioSleep(0);
      return user.get();
    }
    function* aioMiddle(): asyncio.Coroutine<string | undefined> {
      return yield* trioAsAio(trioReads)();
    }
    const kept = await runLoop(() => user.run("ada", () => aioAsTrio(aioMiddle)()));
    expect(kept.value).toBe("ada");
  });

  it("an error of a Trio task nobody awaits fails the openLoop block when the loop closes", async () => {
    const boom = new Error("fire and forget");
    function* failing(): Operation<void> {
      yield* trioSleep(1);
      throw boom;
    }
    function* main(): asyncio.Coroutine<void> {
      trioAsAio(failing)();
      yield* asyncio.sleep(2);
    }
    const kept = await runLoop(() => aioAsTrio(main)());
    expect(kept.ok).toBe(false);
    expect(only(kept.value)).toBe(boom);
    expectNoLeftovers(kept.runner);
  });
});

describe("trioAsAio: Trio structure", () => {
  it("the Trio task runs in the openLoop block's nursery, so it can use nurseries of its own", async () => {
    function* fanOut(): Operation<number[]> {
      const out: number[] = [];
      yield* openNursery(function* (n) {
        for (const d of [2, 1]) {
          n.startSoon(function* () {
            yield* trioSleep(d);
            out.push(d);
          });
        }
      });
      return out;
    }
    function* main(): asyncio.Coroutine<number[]> {
      return yield* trioAsAio(fanOut)();
    }
    expect(await runAio(main)).toEqual([1, 2]);
  });
});

// JS code may throw any value: an error must reach the awaiter whatever was
// thrown, never turn into a result or leave the Future pending.
describe("falsy thrown values are never lost: trioAsAio", () => {
  it.each([undefined, null])("Trio code that throws %s fails the Future with a TypeError saying so", async (thrown) => {
    const seen = await runAio(function* () {
      const future = trioAsAio(function* () {
        yield* trioSleep(1);
        throw thrown;
      })();
      try {
        yield* future;
      } catch (error) {
        return { error, exception: future.exception() };
      }
      return "returned";
    });
    expect(seen).toEqual({ error: expect.any(TypeError), exception: expect.any(TypeError) });
    expect(((seen as { error: Error }).error).message).toMatch(new RegExp(`^The Trio task of <TrioFuture #\\d+ pending> threw ${String(thrown)}; throw an Error object instead\\.$`));
  });

  it.each([0, "", false])("Trio code that throws %j fails the Future with that very value", async (thrown) => {
    const seen = await runAio(function* () {
      const future = trioAsAio(function* () {
        yield* trioSleep(1);
        throw thrown;
      })();
      try {
        yield* future;
      } catch (error) {
        return { error, failed: future.done() && !future.cancelled() };
      }
      return "returned";
    });
    expect(seen).toEqual({ error: thrown, failed: true });
  });
});
