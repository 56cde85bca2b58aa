/**
 * aioAsTrio and waitFuture: asyncio code called from Trio code. Results and
 * errors pass through; a Trio cancellation cancels the asyncio Task once and
 * waits for it to really end; CancelledError raised by asyncio code on its
 * own stays a CancelledError.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, currentTime, moveOnAfter, sleep as trioSleep, type Operation } from "../../src/core/index.js";
import { aioAsTrio, openLoop, waitFuture } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { autojumpClock, expectNoLeftovers, only, runAio, runLoop } from "./helpers.js";

const { CancelledError } = asyncio;

describe("aioAsTrio: results and errors", () => {
  it("returns the coroutine's result to the Trio caller", async () => {
    function* double(x: number): asyncio.Coroutine<number> {
      yield* asyncio.sleep(1);
      return x * 2;
    }
    const kept = await runLoop(function* () {
      const a = yield* aioAsTrio(double)(21);
      return [a, currentTime()];
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toEqual([42, 1]);
    expectNoLeftovers(kept.runner);
  });

  it("raises the coroutine's error, the same object, in the Trio caller", async () => {
    const boom = new TypeError("boom");
    function* fails(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0.5);
      throw boom;
    }
    let caught: unknown;
    const kept = await runLoop(function* () {
      try {
        yield* aioAsTrio(fails)();
      } catch (error) {
        caught = error;
      }
      return "survived";
    });
    expect(caught).toBe(boom);
    expect(kept.value).toBe("survived");
  });

  it("an uncaught asyncio error fails the openLoop block (as a nursery error)", async () => {
    const boom = new RangeError("nope");
    function* fails(): asyncio.Coroutine<void> {
      throw boom;
    }
    const kept = await runLoop(() => aioAsTrio(fails)());
    expect(kept.ok).toBe(false);
    expect(only(kept.value)).toBe(boom);
  });

  it("the retrieved error is not reported again as never-retrieved", async () => {
    const boom = new Error("once");
    function* fails(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
      throw boom;
    }
    const kept = await runLoop(function* () {
      try {
        yield* aioAsTrio(fails)();
      } catch {
        // handled
      }
      yield* trioSleep(1);
      return "ok";
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("ok");
  });

  it("names the adapter and the asyncio task after the coroutine function", async () => {
    function* fetchUser(): asyncio.Coroutine<string> {
      yield* asyncio.sleep(0);
      return asyncio.currentTask()!.getName();
    }
    expect(aioAsTrio(fetchUser).name).toBe("aioAsTrio(fetchUser)");
    expect(await runAio(fetchUser)).toBe("fetchUser");
  });

  it("passes the arguments through", async () => {
    function* join(a: string, b: number, c: boolean): asyncio.Coroutine<string> {
      yield* asyncio.sleep(0);
      return `${a}-${b}-${c}`;
    }
    const kept = await runLoop(() => aioAsTrio(join)("x", 2, true));
    expect(kept.value).toBe("x-2-true");
  });

  it("rejects a non-function with a TypeError naming what it needs", () => {
    expect(() => aioAsTrio(42 as never)).toThrow(/aioAsTrio\(fn\) needs an asyncio coroutine function/);
  });

  it("outside openLoop raises a RuntimeError naming openLoop", async () => {
    function* noop(): asyncio.Coroutine<void> {}
    const { runKeep } = await import("./helpers.js");
    const kept = await runKeep(() => aioAsTrio(noop)());
    expect(kept.ok).toBe(false);
    expect(String(kept.value)).toMatch(/openLoop/);
  });
});

describe("aioAsTrio: cancellation from the Trio side", () => {
  it("cancels the asyncio task; a task ending in CancelledError becomes Cancelled, caught by the Trio scope", async () => {
    const log: string[] = [];
    function* waiter(): asyncio.Coroutine<string> {
      try {
        yield* asyncio.sleep(10);
        return "slept";
      } catch (error) {
        log.push(error instanceof CancelledError ? "CancelledError" : "other");
        throw error;
      }
    }
    let scope: CancelScope | undefined;
    const kept = await runLoop(function* () {
      const r = yield* moveOnAfter(1, function* (s) {
        scope = s;
        return yield* aioAsTrio(waiter)();
      });
      return [r, currentTime()];
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toEqual([undefined, 1]);
    expect(scope!.cancelledCaught).toBe(true);
    expect(log).toEqual(["CancelledError"]);
    expectNoLeftovers(kept.runner);
  });

  it("the Trio side sees a Cancelled (not a CancelledError) inside the scope", async () => {
    function* waiter(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(10);
    }
    let seen: unknown;
    await runLoop(function* () {
      yield* moveOnAfter(1, function* () {
        try {
          yield* aioAsTrio(waiter)();
        } catch (error) {
          seen = error;
          throw error;
        }
      });
    });
    expect(seen).toBeInstanceOf(Cancelled);
    expect(seen).not.toBeInstanceOf(CancelledError);
  });

  it("cancels the asyncio task exactly once, even when more scopes are cancelled while it unwinds", async () => {
    const log: string[] = [];
    let task: asyncio.Task<unknown> | null = null;
    function* stubborn(): asyncio.Coroutine<string> {
      task = asyncio.currentTask();
      try {
        yield* asyncio.sleep(100);
        return "slept";
      } finally {
        log.push(`finally at ${asyncio.getRunningLoop().time()}`);
        yield* asyncio.sleep(5); // interrupted if the task were cancelled twice
        log.push(`finally done at ${asyncio.getRunningLoop().time()}`);
      }
    }
    const kept = await runLoop(function* () {
      const outer = yield* moveOnAfter(2, function* () {
        const inner = yield* moveOnAfter(1, function* () {
          return yield* aioAsTrio(stubborn)();
        });
        return ["inner", inner];
      });
      return [outer, currentTime()];
    });
    expect(kept.ok).toBe(true);
    expect(log).toEqual(["finally at 1", "finally done at 6"]);
    expect(task!.cancelling()).toBe(1);
    expect(task!.cancelled()).toBe(true);
    // Both deadlines passed while the task unwound; the outer scope catches the Cancelled.
    expect(kept.value).toEqual([undefined, 6]);
    expectNoLeftovers(kept.runner);
  });

  it("an asyncio finally that waits runs to its end when the Trio side is cancelled", async () => {
    const log: string[] = [];
    function* withCleanup(): asyncio.Coroutine<void> {
      try {
        log.push("start");
        yield* asyncio.sleep(10);
      } finally {
        log.push("cleanup begins");
        yield* asyncio.sleep(1);
        log.push("cleanup middle");
        yield* asyncio.sleep(2);
        log.push("cleanup ends");
      }
    }
    const kept = await runLoop(function* () {
      yield* moveOnAfter(0.5, () => aioAsTrio(withCleanup)());
      log.push(`trio resumes at ${currentTime()}`);
    });
    expect(kept.ok).toBe(true);
    expect(log).toEqual(["start", "cleanup begins", "cleanup middle", "cleanup ends", "trio resumes at 3.5"]);
    expectNoLeftovers(kept.runner);
  });

  it("a task that catches CancelledError and returns a value gives the Trio side that value", async () => {
    function* swallow(): asyncio.Coroutine<string> {
      try {
        yield* asyncio.sleep(10);
        return "slept";
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        yield* asyncio.sleep(1);
        return "gave up politely";
      }
    }
    let scope: CancelScope | undefined;
    const kept = await runLoop(function* () {
      const r = yield* moveOnAfter(1, function* (s) {
        scope = s;
        return yield* aioAsTrio(swallow)();
      });
      return [r, currentTime()];
    });
    expect(kept.value).toEqual(["gave up politely", 2]);
    expect(scope!.cancelledCaught).toBe(false);
  });

  it("a task that turns the cancellation into another error raises that error in Trio", async () => {
    const converted = new Error("converted");
    function* convert(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } catch {
        throw converted;
      }
    }
    let seen: unknown;
    await runLoop(function* () {
      try {
        yield* moveOnAfter(1, () => aioAsTrio(convert)());
      } catch (error) {
        seen = error;
      }
    });
    expect(seen).toBe(converted);
  });

  it("started in an already-cancelled scope: the coroutine never runs its body", async () => {
    const log: string[] = [];
    function* never(): asyncio.Coroutine<void> {
      log.push("ran");
      yield* asyncio.sleep(1);
    }
    const kept = await runLoop(function* () {
      const scope = new CancelScope();
      scope.cancel();
      yield* scope.run(() => aioAsTrio(never)());
      return scope.cancelledCaught;
    });
    expect(kept.value).toBe(true);
    expect(log).toEqual([]);
  });

  it("cancels at the asyncio task's own checkpoints: a CPU-bound step is not interrupted", async () => {
    const log: string[] = [];
    function* steps(): asyncio.Coroutine<void> {
      for (let i = 0; i < 3; i++) {
        log.push(`step ${i}`);
        yield* asyncio.sleep(1);
      }
    }
    await runLoop(function* () {
      yield* moveOnAfter(1.5, () => aioAsTrio(steps)());
    });
    expect(log).toEqual(["step 0", "step 1"]);
  });
});

describe("aioAsTrio: CancelledError raised by asyncio code itself", () => {
  it("an inner future cancelled by the coroutine propagates as CancelledError, not Cancelled", async () => {
    function* cancelsInner(): asyncio.Coroutine<void> {
      const loop = asyncio.getRunningLoop();
      const inner = loop.createFuture<number>();
      loop.callLater(1, () => inner.cancel("inner gone"));
      yield* inner;
    }
    let seen: unknown;
    const kept = await runLoop(function* () {
      try {
        yield* aioAsTrio(cancelsInner)();
      } catch (error) {
        seen = error;
      }
      return currentTime();
    });
    expect(seen).toBeInstanceOf(CancelledError);
    expect(seen).not.toBeInstanceOf(Cancelled);
    expect((seen as Error).message).toBe("inner gone");
    expect(kept.value).toBe(1);
  });

  it("new CancelledError() thrown by the coroutine propagates unchanged", async () => {
    function* raises(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0.25);
      throw new CancelledError("by hand");
    }
    let seen: unknown;
    await runLoop(function* () {
      try {
        yield* aioAsTrio(raises)();
      } catch (error) {
        seen = error;
      }
    });
    expect(seen).toBeInstanceOf(CancelledError);
    expect((seen as Error).message).toBe("by hand");
  });

  it("an uncaught CancelledError from asyncio code is not swallowed by a Trio scope", async () => {
    function* raises(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
      throw new CancelledError("by hand");
    }
    const kept = await runLoop(function* () {
      // The scope is not cancelled: the CancelledError is an ordinary error to it.
      yield* moveOnAfter(5, () => aioAsTrio(raises)());
    });
    expect(kept.ok).toBe(false);
    expect(only(kept.value)).toBeInstanceOf(CancelledError);
  });
});

describe("waitFuture", () => {
  it("waits for a Future completed by a loop callback", async () => {
    const kept = await runLoop(function* (loop) {
      const f = loop.createFuture<string>();
      loop.callLater(2, () => f.setResult("done"));
      const v = yield* waitFuture(f);
      return [v, currentTime()];
    });
    expect(kept.value).toEqual(["done", 2]);
  });

  it("raises the Future's exception", async () => {
    const boom = new Error("f failed");
    let seen: unknown;
    await runLoop(function* (loop) {
      const f = loop.createFuture<string>();
      loop.callSoon(() => f.setException(boom));
      try {
        yield* waitFuture(f);
      } catch (error) {
        seen = error;
      }
    });
    expect(seen).toBe(boom);
  });

  it("a Trio cancellation cancels the Future and raises Cancelled", async () => {
    let future: asyncio.Future<string> | undefined;
    const kept = await runLoop(function* (loop) {
      const f = (future = loop.createFuture<string>());
      const r = yield* moveOnAfter(1, () => waitFuture(f));
      return r;
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBeUndefined();
    expect(future!.cancelled()).toBe(true);
  });

  it("a Future that is already done is still a checkpoint (cancellation is seen)", async () => {
    const kept = await runLoop(function* (loop) {
      const f = loop.createFuture<string>();
      f.setResult("ready");
      const first = yield* waitFuture(f);
      const scope = new CancelScope();
      scope.cancel();
      const second = yield* scope.run(() => waitFuture(f));
      return [first, second, scope.cancelledCaught];
    });
    expect(kept.value).toEqual(["ready", undefined, true]);
  });

  it("a Future cancelled by asyncio code raises CancelledError in Trio", async () => {
    let seen: unknown;
    await runLoop(function* (loop) {
      const f = loop.createFuture<string>();
      loop.callSoon(() => f.cancel("nope"));
      try {
        yield* waitFuture(f);
      } catch (error) {
        seen = error;
      }
    });
    expect(seen).toBeInstanceOf(CancelledError);
  });

  it("works with clock-driven timers under a mock clock", async () => {
    const clock = autojumpClock();
    const kept = await runLoop(function* (loop): Operation<number[]> {
      const times: number[] = [];
      for (const d of [3, 1, 2]) {
        const f = loop.createFuture<number>();
        loop.callLater(d, () => f.setResult(loop.time()));
        times.push(yield* waitFuture(f));
      }
      return times;
    }, clock);
    expect(kept.value).toEqual([3, 4, 6]);
  });

  it("rejects what is not a Future, naming waitPromise for Promises", async () => {
    const kept = await runLoop(function* () {
      yield* waitFuture(Promise.resolve(1) as never);
    });
    expect(String(only(kept.value))).toMatch(/waitFuture\(future\) needs an asyncio Future or Task.*waitPromise/);
  });

  it("outside a Trio task raises a clear error", () => {
    expect(() => waitFuture(null as never)).toThrow(/waitFuture\(\) must be used inside a task/);
  });
});

describe("aioAsTrio inside nested structure", () => {
  it("works from several Trio tasks at once, each waiting on its own asyncio task", async () => {
    function* work(d: number): asyncio.Coroutine<number> {
      yield* asyncio.sleep(d);
      return d;
    }
    const { openNursery } = await import("../../src/core/index.js");
    const kept = await runLoop(function* () {
      const results: number[] = [];
      yield* openNursery(function* (n) {
        for (const d of [3, 1, 2]) {
          n.startSoon(function* () {
            results.push(yield* aioAsTrio(work)(d));
          });
        }
      });
      return [results, currentTime()];
    });
    expect(kept.value).toEqual([[1, 2, 3], 3]);
    expectNoLeftovers(kept.runner);
  });

  it("a Trio caller in an openLoop block uses that block's loop", async () => {
    const loops: number[] = [];
    function* which(): asyncio.Coroutine<number> {
      yield* asyncio.sleep(0);
      return asyncio.getRunningLoop().id;
    }
    await runLoop(function* (outer) {
      loops.push(outer.id, yield* aioAsTrio(which)());
      yield* openLoop(function* (inner) {
        loops.push(inner.id, yield* aioAsTrio(which)());
      });
      loops.push(yield* aioAsTrio(which)());
    });
    expect(loops[0]).toBe(loops[1]);
    expect(loops[2]).toBe(loops[3]);
    expect(loops[0]).not.toBe(loops[2]);
    expect(loops[4]).toBe(loops[0]);
  });
});
