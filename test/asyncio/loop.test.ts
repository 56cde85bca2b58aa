/**
 * The event loop's callback machinery, in the spirit of CPython's
 * test_base_events.py: callSoon/callLater ordering, Handle.cancel,
 * TimerHandle.when, iterations, and the exception handler.
 */
import { describe, expect, it } from "vitest";
import { ExceptionGroup, RuntimeError } from "../../src/core/index.js";
import {
  CancelledError,
  EventLoop,
  Future,
  Task,
  TimerHandle,
  createTask,
  currentTask,
  getRunningLoop,
  sleep,
  wrapPromise,
  type ExceptionContext,
} from "../../src/asyncio/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { rejection, runAio, runAioKeep, spin } from "./helpers.js";
import { leftovers } from "../../src/core/runner.js";

describe("callSoon", () => {
  it("runs callbacks in FIFO order with their arguments", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const add = (a: string, b: string) => log.push(a + b);
      loop.callSoon(add, "a", "1");
      loop.callSoon(add, "b", "2");
      loop.callSoon(add, "c", "3");
      yield* spin();
    });
    expect(log).toEqual(["a1", "b2", "c3"]);
  });

  it("does not call the callback synchronously", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      loop.callSoon(() => log.push("cb"));
      log.push("after callSoon");
      yield* spin();
    });
    expect(log).toEqual(["after callSoon", "cb"]);
  });

  it("runs callbacks scheduled by a callback in the next iteration, after those already ready", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      loop.callSoon(() => {
        log.push("a");
        loop.callSoon(() => log.push("a-child"));
      });
      loop.callSoon(() => log.push("b"));
      yield* spin(2);
    });
    expect(log).toEqual(["a", "b", "a-child"]);
  });

  it("runs one iteration per batch: statistics count iterations and callbacks", async () => {
    await runAio(function* (loop) {
      const before = { ...loop.statistics };
      const f = loop.createFuture<void>();
      loop.callSoon(() => loop.callSoon(() => loop.callSoon(() => f.setResult())));
      yield* f;
      expect(loop.statistics.callbacksRun - before.callbacksRun).toBeGreaterThanOrEqual(3);
      expect(loop.statistics.iterations - before.iterations).toBeGreaterThanOrEqual(3);
    });
  });

  it("rejects a non-function callback with a clear TypeError", async () => {
    await runAio(function* (loop) {
      expect(() => loop.callSoon(42 as unknown as () => void)).toThrow(/callSoon\(\) needs a function/);
      expect(() => loop.callLater(1, null as unknown as () => void)).toThrow(TypeError);
    });
  });

  it("callSoonThreadsafe behaves as callSoon", async () => {
    const log: number[] = [];
    await runAio(function* (loop) {
      loop.callSoon(() => log.push(1));
      loop.callSoonThreadsafe(() => log.push(2));
      loop.callSoon(() => log.push(3));
      yield* spin();
    });
    expect(log).toEqual([1, 2, 3]);
  });
});

describe("Handle", () => {
  it("cancel() keeps the callback from running and marks the handle", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const h1 = loop.callSoon(() => log.push("h1"));
      const h2 = loop.callSoon(() => log.push("h2"));
      expect(h1.cancelled()).toBe(false);
      h1.cancel();
      h1.cancel(); // idempotent
      expect(h1.cancelled()).toBe(true);
      expect(h2.cancelled()).toBe(false);
      yield* spin();
    });
    expect(log).toEqual(["h2"]);
  });

  it("cancel() from an earlier callback of the same iteration still prevents the run", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      // eslint-disable-next-line prefer-const
      let later: ReturnType<EventLoop["callSoon"]>;
      loop.callSoon(() => {
        log.push("first");
        later.cancel();
      });
      later = loop.callSoon(() => log.push("second"));
      yield* spin();
    });
    expect(log).toEqual(["first"]);
  });

  it("cancel() after the callback ran is harmless", async () => {
    await runAio(function* (loop) {
      let ran = 0;
      const h = loop.callSoon(() => ran++);
      yield* spin();
      h.cancel();
      expect(ran).toBe(1);
      expect(h.cancelled()).toBe(true);
    });
  });
});

describe("callLater / callAt", () => {
  it("runs timers in order of their deadlines, ties in scheduling order", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      loop.callLater(3, () => log.push("c3"));
      loop.callLater(1, () => log.push("a1"));
      loop.callLater(2, () => log.push("b2"));
      loop.callLater(1, () => log.push("a1-second"));
      yield* sleep(5);
    });
    expect(log).toEqual(["a1", "a1-second", "b2", "c3"]);
  });

  it("TimerHandle.when() is loop.time() + delay, and the callback runs at that time", async () => {
    await runAio(function* (loop) {
      const t0 = loop.time();
      let ranAt = -1;
      const h = loop.callLater(2.5, () => {
        ranAt = loop.time();
      });
      expect(h).toBeInstanceOf(TimerHandle);
      expect(h.when()).toBe(t0 + 2.5);
      yield* sleep(10);
      expect(ranAt).toBe(t0 + 2.5);
    });
  });

  it("callAt takes an absolute loop time", async () => {
    await runAio(function* (loop) {
      const when = loop.time() + 7;
      const f = loop.createFuture<number>();
      const h = loop.callAt(when, () => f.setResult(loop.time()));
      expect(h.when()).toBe(when);
      expect(yield* f).toBe(when);
    });
  });

  it("a cancelled timer never runs and leaves the timer queue at once", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const before = loop.pending.timers;
      const h = loop.callLater(1, () => log.push("cancelled one"));
      loop.callLater(2, () => log.push("kept"));
      expect(loop.pending.timers).toBe(before + 2);
      h.cancel();
      expect(h.cancelled()).toBe(true);
      expect(loop.pending.timers).toBe(before + 1);
      yield* sleep(3);
    });
    expect(log).toEqual(["kept"]);
  });

  it("a due timer cancelled by an earlier callback of the same iteration does not run", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      // eslint-disable-next-line prefer-const
      let second: TimerHandle;
      loop.callLater(1, () => {
        log.push("first");
        second.cancel();
      });
      second = loop.callLater(1, () => log.push("second"));
      yield* sleep(2);
    });
    expect(log).toEqual(["first"]);
  });

  it("a due timer runs after the callbacks that were already ready", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      loop.callLater(0, () => log.push("later(0)"));
      loop.callSoon(() => log.push("soon"));
      yield* spin(2);
    });
    expect(log).toEqual(["soon", "later(0)"]);
  });

  it("a negative delay is due at once", async () => {
    await runAio(function* (loop) {
      const t0 = loop.time();
      const f = loop.createFuture<number>();
      loop.callLater(-5, () => f.setResult(loop.time()));
      expect(yield* f).toBe(t0);
    });
  });

  it("rejects NaN and non-numbers", async () => {
    await runAio(function* (loop) {
      expect(() => loop.callLater(NaN, () => {})).toThrow(/callLater\(delay, callback\) needs a number of seconds, got NaN/);
      expect(() => loop.callAt("1" as unknown as number, () => {})).toThrow(TypeError);
    });
  });

  it("loop.time() follows the run's clock", async () => {
    await runAio(function* (loop) {
      const t0 = loop.time();
      yield* sleep(100);
      expect(loop.time() - t0).toBe(100);
    });
  });
});

describe("loop state and running loop", () => {
  it("getRunningLoop() is the loop inside tasks and callbacks, and raises outside", async () => {
    let seenInCallback: EventLoop | null = null;
    let theLoop: EventLoop | null = null;
    await runAio(function* (loop) {
      theLoop = loop;
      expect(getRunningLoop()).toBe(loop);
      loop.callSoon(() => {
        seenInCallback = getRunningLoop();
      });
      yield* spin();
    });
    expect(seenInCallback).toBe(theLoop);
    expect(() => getRunningLoop()).toThrow(RuntimeError);
    expect(() => getRunningLoop()).toThrow(/openLoop/);
  });

  it("currentTask() is null inside a plain callback", async () => {
    let inCallback: Task<unknown> | null | undefined;
    await runAio(function* (loop) {
      expect(currentTask()).not.toBeNull();
      loop.callSoon(() => {
        inCallback = currentTask();
      });
      yield* spin();
    });
    expect(inCallback).toBeNull();
  });

  it("is running inside its block and closed after it; closed loops refuse work", async () => {
    let saved: EventLoop | null = null;
    await runAio(function* (loop) {
      saved = loop;
      expect(loop.isRunning()).toBe(true);
      expect(loop.isClosed()).toBe(false);
      expect(() => loop.close()).toThrow(/Cannot close a running event loop/);
    });
    const loop = saved! as EventLoop;
    expect(loop.isClosed()).toBe(true);
    expect(loop.isRunning()).toBe(false);
    expect(() => loop.callSoon(() => {})).toThrow(/closed event loop/);
    expect(() => loop.createFuture()).toThrow(RuntimeError);
  });

  it("leaves nothing behind once the block ends", async () => {
    const { runner } = await runAioKeep(function* (loop) {
      loop.callLater(1000, () => {});
      createTask(sleep(50));
      yield* sleep(1);
    });
    expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });

  it("setTaskFactory() decides what createTask() makes", async () => {
    await runAio(function* (loop) {
      const made: string[] = [];
      loop.setTaskFactory((l, coro, options) => {
        made.push(options.name ?? "?");
        return new Task(coro, { loop: l, name: `factory-${options.name ?? "anon"}` });
      });
      const t = loop.createTask(sleep(0, 5), { name: "x" });
      expect(t.getName()).toBe("factory-x");
      expect(yield* t).toBe(5);
      expect(made).toEqual(["x"]);
      expect(loop.getTaskFactory()).not.toBeNull();
      loop.setTaskFactory(null);
      expect(loop.createTask(sleep(0)).getName()).toMatch(/^Task-\d+$/);
      expect(() => loop.setTaskFactory(5 as unknown as null)).toThrow(TypeError);
    });
  });
});

describe("exception handler", () => {
  it("by default, an error escaping a callback fails the openLoop block with an ExceptionGroup", async () => {
    const boom = new Error("boom");
    const err = await rejection(
      runAio(function* (loop) {
        loop.callSoon(() => {
          throw boom;
        });
        yield* sleep(1);
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).leaves()).toContain(boom);
  });

  it("the loop keeps running the other callbacks of the iteration after one fails", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler(() => {});
      loop.callSoon(() => {
        throw new Error("x");
      });
      loop.callSoon(() => log.push("second"));
      yield* spin();
    });
    expect(log).toEqual(["second"]);
  });

  it("a custom handler receives the loop and a context with message, exception and handle", async () => {
    const seen: { loop: EventLoop; context: ExceptionContext }[] = [];
    const boom = new TypeError("bad");
    await runAio(function* (loop) {
      loop.setExceptionHandler((l, context) => seen.push({ loop: l, context }));
      expect(loop.getExceptionHandler()).not.toBeNull();
      const h = loop.callSoon(function failingCallback() {
        throw boom;
      });
      yield* spin();
      expect(seen).toHaveLength(1);
      expect(seen[0]!.loop).toBe(loop);
      expect(seen[0]!.context.exception).toBe(boom);
      expect(seen[0]!.context.handle).toBe(h);
      expect(seen[0]!.context.message).toMatch(/Exception in callback/);
    });
  });

  it("an error in a Future's done callback reaches the handler", async () => {
    const seen: unknown[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c.exception));
      const f = loop.createFuture<number>();
      f.addDoneCallback(() => {
        throw new RangeError("in done callback");
      });
      f.setResult(1);
      yield* spin();
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(RangeError);
  });

  it("a handler that itself raises fails the block, with the original context attached", async () => {
    const err = await rejection(
      runAio(function* (loop) {
        loop.setExceptionHandler(() => {
          throw new Error("handler broke");
        });
        loop.callSoon(() => {
          throw new Error("original");
        });
        yield* sleep(1);
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    const leaf = (err as ExceptionGroup).leaves()[0] as Error & { context?: ExceptionContext };
    expect(leaf.message).toMatch(/exception handler raised/);
    expect((leaf.cause as Error).message).toBe("handler broke");
    expect((leaf.context!.exception as Error).message).toBe("original");
  });

  it("setExceptionHandler(null) restores the default, and bad handlers are refused", async () => {
    const err = await rejection(
      runAio(function* (loop) {
        loop.setExceptionHandler(() => {});
        loop.setExceptionHandler(null);
        expect(loop.getExceptionHandler()).toBeNull();
        expect(() => loop.setExceptionHandler("x" as unknown as null)).toThrow(TypeError);
        loop.callSoon(() => {
          throw new Error("default again");
        });
        yield* sleep(1);
      }),
    );
    expect((err as ExceptionGroup).leaves().map((e) => (e as Error).message)).toContain("default again");
  });

  it("a Task exception nobody retrieved is reported when the loop closes", async () => {
    const seen: ExceptionContext[] = [];
    const boom = new Error("never retrieved");
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const t = createTask(
        (function* () {
          yield* sleep(0);
          throw boom;
        })(),
      );
      yield* sleep(1);
      expect(t.done()).toBe(true);
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.exception).toBe(boom);
    expect(seen[0]!.message).toMatch(/never retrieved/);
  });

  it("a Task exception that was retrieved is not reported", async () => {
    const seen: ExceptionContext[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const t = createTask(
        (function* () {
          yield* sleep(0);
          throw new Error("seen");
        })(),
      );
      yield* sleep(1);
      expect((t.exception() as Error).message).toBe("seen");
    });
    expect(seen).toEqual([]);
  });

  it("a cancelled task is never reported as an error", async () => {
    const seen: ExceptionContext[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const t = createTask(sleep(100));
      yield* sleep(0);
      t.cancel();
      yield* sleep(0);
      expect(t.cancelled()).toBe(true);
    });
    expect(seen).toEqual([]);
  });
});

describe("shutdown at the end of the block", () => {
  it("cancels pending tasks and lets their finally blocks wait", async () => {
    const log: string[] = [];
    await runAio(function* () {
      createTask(
        (function* () {
          try {
            yield* sleep(1000);
          } catch (e) {
            log.push(e instanceof CancelledError ? "cancelled" : "other");
            throw e;
          } finally {
            yield* sleep(5);
            log.push("cleanup done");
          }
        })(),
      );
      yield* sleep(1);
    });
    expect(log).toEqual(["cancelled", "cleanup done"]);
  });

  it("runs callbacks that were already queued before closing", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const f = new Future<void>();
      f.addDoneCallback(() => log.push("done callback"));
      f.setResult();
      void loop;
    });
    expect(log).toEqual(["done callback"]);
  });
});

describe("the loop classes' kept instances (issue 17: hidden classes that survive a full GC)", () => {
  it("are invisible to tools: a run's snapshot lists its own loop only, with its own tasks and counters", async () => {
    await runAio(function* (loop) {
      const snapshot = inspect();
      expect(snapshot.loops.map((l) => l.id)).toEqual([loop.id]);
      expect(snapshot.futures.every((f) => f.loopId === loop.id)).toBe(true);
      expect(loop.statistics.tasksCreated).toBe(1); // the test's own main Task, not the kept one
    });
  });
});

describe("sleep's coroutine, driven by hand as a generator would be", () => {
  it("arms its timer at the first step, takes it off on return() or throw(), and is done after", async () => {
    await runAio(function* (loop) {
      const a = sleep(5, "a");
      expect(loop.pending.timers).toBe(0); // nothing happens before the first step
      const first = a.next();
      expect(first.done).toBe(false);
      expect(loop.pending.timers).toBe(1);
      expect(a.return("stopped")).toEqual({ value: "stopped", done: true });
      expect(loop.pending.timers).toBe(0);
      expect(a.next()).toEqual({ value: undefined, done: true });

      const b = sleep(5);
      b.next();
      expect(loop.pending.timers).toBe(1);
      const boom = new Error("boom");
      expect(() => b.throw(boom)).toThrow(boom);
      expect(loop.pending.timers).toBe(0);
      expect(b.next().done).toBe(true);

      // Awaited normally it returns its result, and sleep(0) takes one turn.
      expect(yield* sleep(1, "slept")).toBe("slept");
      expect(yield* sleep(0, "turn")).toBe("turn");
      expect(loop.pending.timers).toBe(0);
    });
  });
});

describe("creation times", () => {
  it("a Future made by a timer's callback is stamped with the time the loop read for its timers, though the host task's turn goes on", async () => {
    const clock = new MockClock();
    let fromTimer = -1;
    await runAio(function* (loop) {
      const done = loop.createFuture<void>();
      loop.callLater(0.5, () => {
        fromTimer = loop.createFuture().createdAt;
        done.setResult();
      });
      loop.callSoon(() => {
        loop.createFuture(); // a stamp taken in this turn, at the time before the jump
        clock.jump(1);
        loop.callSoon(() => {}); // the loop goes on to its next iteration in the same turn, where the timer is due
      });
      yield* done;
    }, clock);
    expect(fromTimer).toBe(1);
  });
});

// JS code may throw any value: a callback's or a Promise's falsy error must
// reach someone, never be taken for "no exception".
describe("falsy thrown values are never lost: loop callbacks and wrapPromise", () => {
  it.each([undefined, null])("a callback that throws %s reaches the exception handler as a TypeError", async (thrown) => {
    const seen: unknown[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c.exception));
      loop.callSoon(() => {
        throw thrown;
      });
      yield* sleep(1);
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(TypeError);
    expect((seen[0] as Error).message).toBe(`A callback scheduled on the loop threw ${String(thrown)}; throw an Error object instead.`);
  });

  it.each([0, "", false])("a callback that throws %j reaches the exception handler as it was thrown", async (thrown) => {
    const seen: unknown[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push("exception" in c ? c.exception : "no exception"));
      loop.callSoon(() => {
        throw thrown;
      });
      yield* sleep(1);
    });
    expect(seen).toEqual([thrown]);
  });

  it.each([undefined, null])("wrapPromise of a Promise rejected with %s raises an Error", async (reason) => {
    const error = await runAio(function* () {
      try {
        yield* wrapPromise(Promise.reject(reason));
      } catch (e) {
        return e;
      }
      return "returned";
    });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("Promise rejected without a reason");
  });
});
