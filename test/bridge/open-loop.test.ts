/**
 * openLoop: a loop lives exactly as long as its block. On exit its asyncio
 * tasks and the Trio tasks started from asyncio are cancelled and awaited,
 * queued callbacks run, and the loop closes; unhandled asyncio errors fail
 * the block.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CancelScope,
  ExceptionGroup,
  RuntimeError,
  currentTime,
  moveOnAfter,
  openNursery,
  sleep as trioSleep,
  sleepForever,
  type Operation,
} from "../../src/core/index.js";
import { aioAsTrio, currentLoop, openLoop, trioAsAio } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { expectNoLeftovers, only, runKeep, runLoop } from "./helpers.js";

const { CancelledError } = asyncio;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("openLoop: the block's result and the loop's state", () => {
  it("returns the body's result; the loop runs inside and is closed after", async () => {
    let loopSeen: asyncio.EventLoop | undefined;
    const kept = await runLoop(function* (loop) {
      loopSeen = loop;
      const during = [loop.isRunning(), loop.isClosed(), currentLoop() === loop];
      yield* trioSleep(1);
      return during;
    });
    expect(kept.value).toEqual([true, false, true]);
    expect(loopSeen!.isClosed()).toBe(true);
    expect(loopSeen!.isRunning()).toBe(false);
    expectNoLeftovers(kept.runner);
  });

  it("after exit, scheduling on the loop raises a clear RuntimeError", async () => {
    let loop: asyncio.EventLoop | undefined;
    await runLoop(function* (l) {
      loop = l;
    });
    const l = loop!;
    for (const attempt of [
      () => l.callSoon(() => {}),
      () => l.callLater(1, () => {}),
      () => l.callAt(5, () => {}),
      () => l.createFuture(),
      () => l.createTask((function* (): asyncio.Coroutine<void> {})()),
    ]) {
      expect(attempt).toThrow(RuntimeError);
      expect(attempt).toThrow(/closed event loop: its openLoop\(\.\.\.\) block has ended/);
    }
    expect(() => l.close()).not.toThrow();
  });

  it("close() inside the block is refused: the block closes the loop", async () => {
    const kept = await runLoop(function* (loop) {
      loop.close();
    });
    expect(kept.ok).toBe(false);
    expect(String(only(kept.value))).toMatch(/Cannot close a running event loop/);
  });

  it("rejects bad input and being called from asyncio code", async () => {
    const bad = await runKeep(() => openLoop(42 as never));
    expect(String(bad.value)).toMatch(/openLoop\(body\) needs a generator function/);
    function* aioOpens(): asyncio.Coroutine<void> {
      // A Trio operation driven by hand from asyncio code: openLoop refuses before anything else.
      openLoop(function* () {}).next();
    }
    const kept = await runLoop(() => aioAsTrio(aioOpens)());
    expect(String(only(kept.value))).toMatch(/openLoop\(\) .*(Trio operation|cannot be called from asyncio)/);
  });

  it("outside a task openLoop raises a clear error", () => {
    expect(() => openLoop(function* () {}).next()).toThrow(/openLoop\(\) must be used inside a task/);
  });
});

describe("openLoop: shutdown on exit", () => {
  it("cancels the loop's asyncio tasks and waits for their finally blocks, however long they wait", async () => {
    const log: string[] = [];
    function* background(name: string): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(100);
      } catch (error) {
        log.push(`${name} got ${(error as Error).name}`);
        throw error;
      } finally {
        yield* asyncio.sleep(2);
        log.push(`${name} cleaned up at ${asyncio.getRunningLoop().time()}`);
      }
    }
    let tasks: asyncio.Task<void>[] = [];
    const kept = await runLoop(function* (loop) {
      tasks = [loop.createTask(background("a")), loop.createTask(background("b"))];
      yield* trioSleep(1);
      log.push("body ends");
      return "result";
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("result");
    expect(log).toEqual(["body ends", "a got CancelledError", "b got CancelledError", "a cleaned up at 3", "b cleaned up at 3"]);
    expect(tasks.every((t) => t.cancelled())).toBe(true);
    expect(kept.clock.currentTime()).toBe(3);
    expectNoLeftovers(kept.runner);
  });

  it("a task that swallows the cancellation delays the shutdown until it ends (as asyncio.run does)", async () => {
    let task: asyncio.Task<string> | undefined;
    function* stubborn(): asyncio.Coroutine<string> {
      try {
        yield* asyncio.sleep(10);
        return "slept";
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        yield* asyncio.sleep(3);
        return "finished my work first";
      }
    }
    const kept = await runLoop(function* (loop) {
      task = loop.createTask(stubborn());
      yield* trioSleep(1);
    });
    expect(kept.ok).toBe(true);
    expect(task!.result()).toBe("finished my work first");
    expect(kept.clock.currentTime()).toBe(4);
  });

  it("cancels the Trio tasks started by trioAsAio and waits for them (shielded cleanup included)", async () => {
    const log: string[] = [];
    function* trioBackground(): Operation<void> {
      try {
        yield* sleepForever();
      } finally {
        yield* new CancelScope({ shield: true }).run(() => trioSleep(3));
        log.push(`trio cleaned up at ${currentTime()}`);
      }
    }
    function* starter(): asyncio.Coroutine<void> {
      trioAsAio(trioBackground)(); // nobody awaits it
      yield* asyncio.sleep(0);
    }
    const kept = await runLoop(function* () {
      yield* aioAsTrio(starter)();
      yield* trioSleep(1);
      log.push("body ends");
    });
    expect(kept.ok).toBe(true);
    expect(log).toEqual(["body ends", "trio cleaned up at 4"]);
    expectNoLeftovers(kept.runner);
  });

  it("asyncio tasks are cancelled before the Trio tasks they wait for", async () => {
    const log: string[] = [];
    function* trioPart(): Operation<string> {
      try {
        yield* trioSleep(100);
        return "done";
      } finally {
        log.push("trio part ends");
      }
    }
    function* aioPart(): asyncio.Coroutine<void> {
      try {
        yield* trioAsAio(trioPart)();
      } catch (error) {
        log.push(`aio part got ${(error as Error).name}`);
        throw error;
      }
    }
    const kept = await runLoop(function* (loop) {
      loop.createTask(aioPart());
      yield* trioSleep(1);
    });
    expect(kept.ok).toBe(true);
    // Cancelling the asyncio task cancels the TrioFuture it awaits, which cancels the Trio task first.
    expect(log).toEqual(["trio part ends", "aio part got CancelledError"]);
  });

  it("callbacks queued before exit still run, and so do the callbacks they queue", async () => {
    const log: string[] = [];
    let loopRef: asyncio.EventLoop | undefined;
    // The body exits at once, before the loop's host task had a turn.
    await runLoop(function* (loop) {
      loopRef = loop;
      loop.callSoon(() => {
        log.push("first");
        loop.callSoon(() => log.push("queued by first"));
      });
      loop.callSoon(() => log.push("second"));
    }).then((kept) => {
      expect(kept.ok).toBe(true);
      return kept;
    });
    expect(log).toEqual(["first", "second", "queued by first"]);
    expect(loopRef!.pending.ready).toBe(0);
  });

  it("timers not yet due at exit never run and leave nothing behind", async () => {
    const log: string[] = [];
    const kept = await runLoop(function* (loop) {
      loop.callLater(5, () => log.push("late"));
      loop.callLater(0.5, () => log.push("early"));
      yield* trioSleep(1);
    });
    expect(log).toEqual(["early"]);
    expect(kept.clock.currentTime()).toBe(1);
    expectNoLeftovers(kept.runner);
  });

  it("nothing scheduled runs after the block has returned", async () => {
    const log: string[] = [];
    let closedWhenLastRan: boolean | undefined;
    const kept = await runKeep(function* () {
      let loop: asyncio.EventLoop | undefined;
      yield* openLoop(function* (l) {
        loop = l;
        function* ticker(): asyncio.Coroutine<void> {
          for (;;) {
            closedWhenLastRan = l.isClosed();
            log.push("tick");
            yield* asyncio.sleep(1);
          }
        }
        l.createTask(ticker());
        yield* trioSleep(2.5);
      });
      const ticks = log.length;
      yield* trioSleep(10);
      return [ticks, log.length, loop!.isClosed()];
    });
    expect(kept.value).toEqual([3, 3, true]);
    expect(closedWhenLastRan).toBe(false);
  });

  it("when cancelled from outside, still runs the whole shutdown", async () => {
    const log: string[] = [];
    function* aioCleanup(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(100);
      } finally {
        yield* asyncio.sleep(2);
        log.push(`aio cleanup done at ${asyncio.getRunningLoop().time()}`);
      }
    }
    let scope: CancelScope | undefined;
    const kept = await runKeep(function* () {
      const r = yield* moveOnAfter(1, function* (s) {
        scope = s;
        return yield* openLoop(function* (loop) {
          loop.createTask(aioCleanup());
          loop.callSoon(() => log.push("callback"));
          yield* sleepForever();
        });
      });
      log.push(`after openLoop at ${currentTime()}`);
      return r;
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBeUndefined();
    expect(scope!.cancelledCaught).toBe(true);
    expect(log).toEqual(["callback", "aio cleanup done at 3", "after openLoop at 3"]);
    expectNoLeftovers(kept.runner);
  });

  it("when cancelled from outside, an asyncio task awaiting a trioAsAio Future gets CancelledError (not Trio's Cancelled)", async () => {
    const log: string[] = [];
    function* trioPart(): Operation<void> {
      yield* sleepForever();
    }
    function* aioPart(): asyncio.Coroutine<void> {
      const f = trioAsAio(trioPart)();
      try {
        yield* f;
      } catch (error) {
        log.push(`${(error as Error).name}: ${(error as Error).message}; future cancelled=${f.cancelled()}`);
        throw error;
      }
    }
    const kept = await runKeep(function* () {
      return yield* moveOnAfter(1, () =>
        openLoop(function* (loop) {
          loop.createTask(aioPart());
          yield* sleepForever();
        }),
      );
    });
    expect(kept.ok).toBe(true);
    // (The shutdown may cancel the asyncio task first, so the message may be empty.)
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^CancelledError: .*; future cancelled=true$/);
    expectNoLeftovers(kept.runner);
  });

  it("a task created just before the block returns is cancelled before its first step", async () => {
    const log: string[] = [];
    function* never(): asyncio.Coroutine<void> {
      log.push("ran");
      yield* asyncio.sleep(1);
    }
    let task: asyncio.Task<void> | undefined;
    const kept = await runLoop(function* (loop) {
      task = loop.createTask(never());
    });
    expect(kept.ok).toBe(true);
    expect(task!.cancelled()).toBe(true);
    expect(log).toEqual([]);
  });

  it("when the body raises, the tasks are still cancelled and awaited, and the error comes out", async () => {
    const boom = new Error("body failed");
    const log: string[] = [];
    function* aioCleanup(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(100);
      } finally {
        yield* asyncio.sleep(1);
        log.push("aio cleanup done");
      }
    }
    const kept = await runLoop(function* (loop) {
      loop.createTask(aioCleanup());
      yield* trioSleep(1);
      throw boom;
    });
    expect(kept.ok).toBe(false);
    expect(kept.value).toBeInstanceOf(ExceptionGroup);
    expect(only(kept.value)).toBe(boom);
    expect(log).toEqual(["aio cleanup done"]);
    expectNoLeftovers(kept.runner);
  });
});

describe("openLoop: unhandled asyncio errors", () => {
  it("an error escaping a callback fails the block with an ExceptionGroup containing it, cancelling the body", async () => {
    const boom = new Error("callback failed");
    const log: string[] = [];
    const kept = await runLoop(function* (loop) {
      loop.callLater(1, () => {
        throw boom;
      });
      try {
        yield* sleepForever();
      } finally {
        log.push(`body cancelled at ${currentTime()}`);
      }
    });
    expect(kept.ok).toBe(false);
    expect(kept.value).toBeInstanceOf(ExceptionGroup);
    expect((kept.value as ExceptionGroup).exceptions).toEqual([boom]);
    expect(log).toEqual(["body cancelled at 1"]);
    expectNoLeftovers(kept.runner);
  });

  it("the exception of a fire-and-forget task nobody retrieved fails the block when the loop closes", async () => {
    const boom = new TypeError("forgotten");
    function* failsLater(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(1);
      throw boom;
    }
    const log: string[] = [];
    const kept = await runLoop(function* (loop) {
      loop.createTask(failsLater());
      yield* trioSleep(5);
      log.push(`body finished at ${currentTime()}`);
    });
    expect(kept.ok).toBe(false);
    expect(only(kept.value)).toBe(boom);
    // Reported at close, not when the task failed: someone could still have looked at it.
    expect(log).toEqual(["body finished at 5"]);
  });

  it("a task that answers cancel() with an error: the error is reported when the loop closes", async () => {
    const boom = new Error("raised while being cancelled");
    function* converts(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } catch {
        throw boom;
      }
    }
    const kept = await runLoop(function* (loop) {
      const task = loop.createTask(converts());
      yield* trioSleep(1);
      task.cancel();
      yield* trioSleep(1);
      return task.done();
    });
    expect(kept.ok).toBe(false);
    expect(only(kept.value)).toBe(boom);
  });

  it("a task cancelled by the shutdown that fails in its cleanup: the error fails the block", async () => {
    const boom = new Error("cleanup failed");
    function* failsInCleanup(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        yield* asyncio.sleep(1);
        // eslint-disable-next-line no-unsafe-finally
        throw boom;
      }
    }
    const kept = await runLoop(function* (loop) {
      loop.createTask(failsInCleanup());
      yield* trioSleep(1);
    });
    expect(kept.ok).toBe(false);
    expect(only(kept.value)).toBe(boom);
  });

  it("a task that fails just before the block exits is still reported (even if its done callbacks are still queued)", async () => {
    const boom = new Error("failed at the last moment");
    function* slowThenFails(): asyncio.Coroutine<void> {
      // A step longer than the loop's time budget: the loop yields to Trio
      // right after it, before the task's done callbacks have run.
      const until = performance.now() + 10;
      while (performance.now() < until) {
        // busy
      }
      throw boom;
    }
    const kept = await runLoop(function* (loop) {
      const task = loop.createTask(slowThenFails());
      while (!task.done()) yield* trioSleep(0);
    });
    expect(kept.ok).toBe(false);
    expect(only(kept.value)).toBe(boom);
  });

  it("a task exception that was retrieved (by exception() or by awaiting) is not reported", async () => {
    function* fails(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
      throw new Error("seen");
    }
    const kept = await runLoop(function* (loop) {
      const a = loop.createTask(fails());
      const b = loop.createTask(fails());
      yield* trioSleep(1);
      const seen = [a.exception() instanceof Error];
      function* awaitB(): asyncio.Coroutine<void> {
        try {
          yield* b;
        } catch {
          seen.push(true);
        }
      }
      yield* aioAsTrio(awaitB)();
      return seen;
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toEqual([true, true]);
  });

  it("a custom exception handler receives the context instead of failing the block", async () => {
    const contexts: asyncio.ExceptionContext[] = [];
    const boom = new Error("handled elsewhere");
    const kept = await runLoop(function* (loop) {
      loop.setExceptionHandler((_l, ctx) => {
        contexts.push(ctx);
      });
      loop.callSoon(() => {
        throw boom;
      });
      yield* trioSleep(1);
      return "fine";
    });
    expect(kept.value).toBe("fine");
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.exception).toBe(boom);
    expect(contexts[0]!.message).toMatch(/Exception in callback/);
  });

  it("a custom handler also receives never-retrieved task exceptions at close", async () => {
    const contexts: asyncio.ExceptionContext[] = [];
    function* fails(): asyncio.Coroutine<void> {
      throw new Error("never looked at");
    }
    const kept = await runLoop(function* (loop) {
      loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
      loop.createTask(fails());
      yield* trioSleep(1);
    });
    expect(kept.ok).toBe(true);
    expect(contexts.map((c) => c.message)).toEqual(["Task exception was never retrieved"]);
  });

  it("debug mode warns about tasks still pending when the block ends", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    function* sleeper(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(100);
    }
    await runKeep(() =>
      openLoop(
        function* (loop) {
          loop.createTask(sleeper(), { name: "sleepy" });
          yield* trioSleep(1);
        },
        { debug: true },
      ),
    );
    const messages = warn.mock.calls.map((c) => String(c[0]));
    expect(messages.some((m) => /Task was destroyed but it is pending: <Task sleepy/.test(m))).toBe(true);
  });
});

describe("openLoop: several loops", () => {
  it("two loops at once, in sibling Trio tasks, are independent", async () => {
    const log: string[] = [];
    function* aioWork(name: string, d: number): asyncio.Coroutine<number> {
      yield* asyncio.sleep(d);
      log.push(`${name} on loop ${asyncio.getRunningLoop().id}`);
      return asyncio.getRunningLoop().id;
    }
    const ids: number[][] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        for (const [name, d] of [["A", 2], ["B", 1]] as const) {
          n.startSoon(function* () {
            yield* openLoop(function* (loop) {
              const got = yield* aioAsTrio(aioWork)(name, d);
              ids.push([loop.id, got]);
            });
          });
        }
      });
    });
    expect(kept.ok).toBe(true);
    expect(ids).toHaveLength(2);
    for (const [own, got] of ids) expect(got).toBe(own);
    expect(ids[0]![0]).not.toBe(ids[1]![0]);
    expect(log.map((l) => l[0])).toEqual(["B", "A"]);
    expectNoLeftovers(kept.runner);
  });

  it("a failing loop does not fail its sibling's loop block", async () => {
    const boom = new Error("loop A fails");
    let bFinished = false;
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* openLoop(function* (loop) {
              loop.callLater(1, () => {
                throw boom;
              });
              yield* sleepForever();
            });
          } catch {
            // loop A's failure is handled here
          }
        });
        n.startSoon(function* () {
          yield* openLoop(function* () {
            yield* trioSleep(2);
            bFinished = true;
          });
        });
      });
    });
    expect(kept.ok).toBe(true);
    expect(bFinished).toBe(true);
  });

  it("a nested openLoop has its own loop; its exit cancels only its own tasks", async () => {
    const log: string[] = [];
    function* ticker(name: string): asyncio.Coroutine<void> {
      try {
        for (;;) yield* asyncio.sleep(1);
      } finally {
        log.push(`${name} cancelled at ${asyncio.getRunningLoop().time()}`);
      }
    }
    const kept = await runLoop(function* (outer) {
      outer.createTask(ticker("outer task"));
      yield* openLoop(function* (inner) {
        expect(inner).not.toBe(outer);
        expect(currentLoop()).toBe(inner);
        inner.createTask(ticker("inner task"));
        yield* trioSleep(1.5);
      });
      log.push(`inner block done, outer running=${!outer.isClosed()}`);
      yield* trioSleep(1);
    });
    expect(kept.ok).toBe(true);
    expect(log).toEqual(["inner task cancelled at 1.5", "inner block done, outer running=true", "outer task cancelled at 2.5"]);
    expectNoLeftovers(kept.runner);
  });

  it("an asyncio Future of one loop cannot be awaited by a task of another", async () => {
    let seen: unknown;
    await runLoop(function* (outer) {
      const foreign = outer.createFuture<number>();
      function* awaitsForeign(): asyncio.Coroutine<void> {
        try {
          yield* foreign;
        } catch (error) {
          seen = error;
        }
      }
      yield* openLoop(() => aioAsTrio(awaitsForeign)());
    });
    expect(String(seen)).toMatch(/different loop/);
  });
});

describe("openLoop: runForever and stop", () => {
  it("runForever() waits in Trio code until an asyncio callback calls stop()", async () => {
    const kept = await runLoop(function* (loop) {
      loop.callLater(3, () => loop.stop());
      yield* loop.runForever();
      return currentTime();
    });
    expect(kept.value).toBe(3);
  });

  it("stop() before runForever() makes it return at once", async () => {
    const kept = await runLoop(function* (loop) {
      loop.stop();
      yield* loop.runForever();
      return currentTime();
    });
    expect(kept.value).toBe(0);
  });

  it("runForever() is cancellable", async () => {
    const kept = await runLoop(function* (loop) {
      const r = yield* moveOnAfter(2, function* () {
        yield* loop.runForever();
        return "stopped";
      });
      return [r, currentTime()];
    });
    expect(kept.value).toEqual([undefined, 2]);
  });
});
