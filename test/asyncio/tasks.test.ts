/**
 * asyncio Task conformance, in the spirit of CPython's test_tasks.py:
 * stepping, cancellation delivered at the exact yield*, cancelling() and
 * uncancel() counts, names, eager start, and misuse errors.
 */
import { describe, expect, it } from "vitest";
import { ExceptionGroup, RuntimeError, moveOnAfter, runWith, sleep as trioSleep } from "../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import {
  CancelledError,
  Task,
  allTasks,
  createTask,
  currentTask,
  sleep,
  type Coroutine,
  type EventLoop,
} from "../../src/asyncio/index.js";
import { MockClock } from "../../src/testing/index.js";
import { raises, rejection, runAio, spin } from "./helpers.js";

function* returnsAfter<T>(delay: number, value: T): Coroutine<T> {
  yield* sleep(delay);
  return value;
}

describe("running a coroutine", () => {
  it("drives the coroutine to its return value", async () => {
    const v = await runAio(function* (loop) {
      const t = createTask(returnsAfter(2, "done"));
      expect(t).toBeInstanceOf(Task);
      expect(t.done()).toBe(false);
      const r = yield* t;
      expect(t.done()).toBe(true);
      expect(t.result()).toBe("done");
      return [r, loop.time()];
    });
    expect(v).toEqual(["done", 2]);
  });

  it("starts at the next loop iteration, not inside createTask", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const t = createTask(
        (function* () {
          log.push("task body");
        })(),
      );
      log.push("after createTask");
      yield* t;
    });
    expect(log).toEqual(["after createTask", "task body"]);
  });

  it("an eager task runs its first step inside createTask, as the current task", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const creator = currentTask();
      let inside: Task<unknown> | null = null;
      const t = loop.createTask(
        (function* () {
          inside = currentTask();
          log.push("eager step");
          yield* sleep(1);
          log.push("second step");
          return 5;
        })(),
        { eagerStart: true },
      );
      log.push("after createTask");
      expect(inside).toBe(t);
      expect(currentTask()).toBe(creator);
      expect(yield* t).toBe(5);
    });
    expect(log).toEqual(["eager step", "after createTask", "second step"]);
  });

  it("an eager task that never waits is done when createTask returns", async () => {
    await runAio(function* () {
      const t = createTask(
        (function* () {
          return "sync";
        })(),
        { eagerStart: true },
      );
      expect(t.done()).toBe(true);
      expect(t.result()).toBe("sync");
    });
  });

  it("sleep(0) yields for exactly one iteration, so tasks interleave", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const worker = function* (name: string): Coroutine<void> {
        for (let i = 1; i <= 3; i++) {
          log.push(`${name}${i}`);
          yield* sleep(0);
        }
      };
      const a = createTask(worker("a"));
      const b = createTask(worker("b"));
      yield* a;
      yield* b;
    });
    expect(log).toEqual(["a1", "b1", "a2", "b2", "a3", "b3"]);
  });

  it("sleep(delay, result) returns result after delay", async () => {
    const v = await runAio(function* (loop) {
      const r = yield* sleep(4, "payload");
      return [r, loop.time()];
    });
    expect(v).toEqual(["payload", 4]);
  });

  it("an exception raised by the coroutine finishes the task with it", async () => {
    await runAio(function* () {
      const boom = new Error("boom");
      const t = createTask(
        (function* () {
          yield* sleep(1);
          throw boom;
        })(),
      );
      const err = yield* raises(() => t[Symbol.iterator]());
      expect(err).toBe(boom);
      expect(t.exception()).toBe(boom);
      expect(t.cancelled()).toBe(false);
    });
  });

  it("a coroutine that throws undefined or null ends its task with a TypeError instead of hanging", async () => {
    await runAio(function* () {
      for (const thrown of [undefined, null]) {
        const t = createTask(
          (function* () {
            yield* sleep(0);
            throw thrown;
          })(),
          { name: "thrower" },
        );
        const err = yield* raises(() => t[Symbol.iterator]());
        expect(t.done()).toBe(true);
        expect(err).toBeInstanceOf(TypeError);
        expect((err as Error).message).toBe(`Task thrower: its coroutine threw ${String(thrown)}; throw an Error object instead.`);
      }
    });
  });

  it("several tasks may await the same task and all get its result", async () => {
    const v = await runAio(function* () {
      const shared = createTask(returnsAfter(3, "shared"));
      const waiter = function* (): Coroutine<string> {
        return yield* shared;
      };
      const w1 = createTask(waiter());
      const w2 = createTask(waiter());
      return [yield* w1, yield* w2];
    });
    expect(v).toEqual(["shared", "shared"]);
  });

  it("currentTask() is the task being stepped; allTasks() lists the unfinished ones", async () => {
    await runAio(function* () {
      let seen: Task<unknown> | null = null;
      const t = createTask(
        (function* () {
          seen = currentTask();
          yield* sleep(5);
        })(),
      );
      const quick = createTask(sleep(0));
      yield* sleep(1);
      expect(seen).toBe(t);
      const tasks = allTasks();
      expect(tasks.has(t)).toBe(true);
      expect(tasks.has(currentTask()!)).toBe(true);
      expect(tasks.has(quick)).toBe(false);
      yield* t;
      expect(allTasks().has(t)).toBe(false);
    });
  });

  it("a Task can be awaited from plain async code", async () => {
    let task: Task<number> | null = null;
    await runAio(function* () {
      task = createTask(returnsAfter(1, 11));
      yield* task;
    });
    expect(await task!).toBe(11);
  });
});

describe("names and misuse", () => {
  it("has a default Task-N name, a given name, and setName()", async () => {
    await runAio(function* (loop) {
      const a = createTask(sleep(0));
      const b = loop.createTask(sleep(0), { name: "fetcher" });
      expect(a.getName()).toMatch(/^Task-\d+$/);
      expect(b.getName()).toBe("fetcher");
      b.setName("renamed");
      expect(b.getName()).toBe("renamed");
      expect(String(b)).toBe("<Task renamed pending>");
      yield* a;
      yield* b;
      expect(String(b)).toBe("<Task renamed finished>");
    });
  });

  it("getCoro() returns the coroutine", async () => {
    await runAio(function* () {
      const coro = sleep(0);
      const t = createTask(coro);
      expect(t.getCoro()).toBe(coro);
      yield* t;
    });
  });

  it("refuses setResult and setException", async () => {
    await runAio(function* () {
      const t = createTask(sleep(0));
      expect(() => t.setResult(undefined)).toThrow(RuntimeError);
      expect(() => t.setException(new Error())).toThrow(/Task does not support setException/);
      yield* t;
    });
  });

  it("refuses a function or a Promise instead of a coroutine, with a hint", async () => {
    await runAio(function* () {
      expect(() => createTask(returnsAfter as unknown as Coroutine<void>)).toThrow(/call it to get the coroutine/);
      expect(() => createTask(Promise.resolve(1) as unknown as Coroutine<number>)).toThrow(/You passed a Promise/);
    });
  });

  it("createTask outside a running loop raises RuntimeError", () => {
    expect(() => createTask(sleep(0))).toThrow(RuntimeError);
  });

  it("a task awaiting itself gets RuntimeError at that yield*", async () => {
    await runAio(function* () {
      const t: Task<unknown> = createTask(
        (function* (): Coroutine<unknown> {
          yield* sleep(0);
          return yield* raises(() => currentTask()![Symbol.iterator]());
        })(),
      );
      const err = yield* t;
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as Error).message).toMatch(/cannot await itself/);
    });
  });

  it("yielding something other than a Future throws TypeError into the coroutine", async () => {
    await runAio(function* () {
      const t = createTask(
        (function* (): Coroutine<string[]> {
          const messages: string[] = [];
          for (const bad of [Promise.resolve(1), 42, (function* () {})()]) {
            try {
              yield bad as never;
            } catch (e) {
              messages.push(e instanceof TypeError ? e.message : "other");
            }
          }
          return messages;
        })(),
      );
      const messages = yield* t;
      expect(messages[0]).toMatch(/yielded a Promise/);
      expect(messages[1]).toMatch(/yielded number 42, which a Task cannot wait on/);
      expect(messages[2]).toMatch(/yield\* coro\(\)/);
    });
  });

  it("a Trio operation used from asyncio code fails with a message naming trioAsAio", async () => {
    await runAio(function* () {
      const err = yield* raises(() => trioSleep(1) as unknown as Coroutine<void>);
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as Error).message).toMatch(/trioAsAio/);
    });
  });

  it("awaiting a Future of another loop raises RuntimeError", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    const err = await runWith({ clock }, function* () {
      return yield* openLoop(function* (outer: EventLoop) {
        return yield* openLoop(function* () {
          return yield* aioAsTrio(function* () {
            const foreign = outer.createFuture<number>();
            const e = yield* raises(() => foreign[Symbol.iterator]());
            foreign.cancel();
            return e;
          })();
        });
      });
    });
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/different loop/);
  });
});

describe("cancellation", () => {
  it("is delivered as CancelledError at the exact yield* where the task waits", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const t = createTask(
        (function* () {
          yield* sleep(1);
          log.push("first wait done");
          try {
            yield* sleep(10);
            log.push("second wait done");
          } catch (e) {
            log.push(e instanceof CancelledError ? "cancelled at second wait" : "other");
            throw e;
          }
          log.push("unreachable");
        })(),
      );
      yield* sleep(5);
      expect(t.cancel()).toBe(true);
      yield* raises(() => t[Symbol.iterator]());
      expect(t.cancelled()).toBe(true);
    });
    expect(log).toEqual(["first wait done", "cancelled at second wait"]);
  });

  it("cancel(msg) carries the message to the coroutine and to the task's CancelledError", async () => {
    await runAio(function* () {
      let seen = "";
      const t = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch (e) {
            seen = (e as Error).message;
            throw e;
          }
        })(),
      );
      yield* sleep(1);
      t.cancel("enough");
      const err = yield* raises(() => t[Symbol.iterator]());
      expect(seen).toBe("enough");
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe("enough");
    });
  });

  it("a task cancelled before its first step never runs its body", async () => {
    await runAio(function* () {
      let ran = false;
      const t = createTask(
        (function* () {
          ran = true;
          yield* sleep(1);
        })(),
      );
      t.cancel("early");
      expect(t.cancelling()).toBe(1);
      const err = yield* raises(() => t[Symbol.iterator]());
      expect(ran).toBe(false);
      expect(t.cancelled()).toBe(true);
      expect((err as Error).message).toBe("early");
    });
  });

  it("cancel() of a done task returns false and changes nothing", async () => {
    await runAio(function* () {
      const t = createTask(returnsAfter(0, 1));
      yield* t;
      expect(t.cancel()).toBe(false);
      expect(t.cancelling()).toBe(0);
      expect(t.result()).toBe(1);
    });
  });

  it("a task that catches CancelledError goes on and finishes normally", async () => {
    await runAio(function* () {
      const t = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch (e) {
            if (!(e instanceof CancelledError)) throw e;
          }
          yield* sleep(1);
          return "survived";
        })(),
      );
      yield* sleep(1);
      t.cancel();
      expect(yield* t).toBe("survived");
      expect(t.cancelled()).toBe(false);
      expect(t.cancelling()).toBe(1);
      expect(t.uncancel()).toBe(0);
    });
  });

  it("counts cancellation requests; uncancel() withdraws them one by one", async () => {
    await runAio(function* () {
      const t = createTask(
        (function* () {
          for (;;) {
            try {
              yield* sleep(10);
              return "finished";
            } catch (e) {
              if (!(e instanceof CancelledError)) throw e;
            }
          }
        })(),
      );
      yield* sleep(1);
      expect(t.cancelling()).toBe(0);
      t.cancel();
      t.cancel();
      expect(t.cancelling()).toBe(2);
      expect(t.uncancel()).toBe(1);
      expect(t.uncancel()).toBe(0);
      expect(t.uncancel()).toBe(0);
      expect(yield* t).toBe("finished");
    });
  });

  it("cancel() then uncancel() before the task runs withdraws the cancellation", async () => {
    await runAio(function* () {
      const t = createTask(returnsAfter(1, "ran normally"));
      t.cancel();
      t.uncancel();
      expect(yield* t).toBe("ran normally");
    });
  });

  it("a cancellation caught and ignored can be followed by another, delivered at the next wait", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const t = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch {
            log.push("first caught");
          }
          try {
            yield* sleep(10);
          } catch (e) {
            log.push("second raised");
            throw e;
          }
        })(),
      );
      yield* sleep(1);
      t.cancel();
      yield* sleep(1);
      expect(t.done()).toBe(false);
      t.cancel();
      yield* raises(() => t[Symbol.iterator]());
      expect(t.cancelling()).toBe(2);
    });
    expect(log).toEqual(["first caught", "second raised"]);
  });

  it("a task that cancels itself gets CancelledError at its next wait", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const t = createTask(
        (function* () {
          currentTask()!.cancel("self");
          log.push("still running");
          try {
            yield* sleep(0);
          } catch (e) {
            log.push(`got ${(e as Error).message}`);
            throw e;
          }
        })(),
      );
      yield* raises(() => t[Symbol.iterator]());
      expect(t.cancelled()).toBe(true);
    });
    expect(log).toEqual(["still running", "got self"]);
  });

  it("a cancel() that arrives during the final step still ends the task cancelled", async () => {
    await runAio(function* () {
      const t = createTask(
        (function* () {
          yield* sleep(1);
          currentTask()!.cancel();
          return "would be the result";
        })(),
      );
      yield* raises(() => t[Symbol.iterator]());
      expect(t.cancelled()).toBe(true);
    });
  });

  it("a cancel() after the awaited future completed but before the task resumed wins", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const t = createTask(
        (function* () {
          return yield* f;
        })(),
      );
      yield* sleep(0);
      f.setResult(1);
      expect(t.cancel()).toBe(true);
      yield* raises(() => t[Symbol.iterator]());
      expect(t.cancelled()).toBe(true);
    });
  });

  it("cancelling a task that awaits another task cancels the inner one too", async () => {
    await runAio(function* () {
      const inner = createTask(returnsAfter(10, "inner"));
      const outer = createTask(
        (function* () {
          return yield* inner;
        })(),
      );
      yield* sleep(1);
      outer.cancel();
      yield* raises(() => outer[Symbol.iterator]());
      expect(inner.cancelled()).toBe(true);
      expect(outer.cancelled()).toBe(true);
    });
  });

  it("if the inner task swallows the cancellation, the outer one gets its result", async () => {
    await runAio(function* () {
      const inner = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch {
            return "inner ignored the cancel";
          }
          return "not cancelled";
        })(),
      );
      const outer = createTask(
        (function* () {
          return yield* inner;
        })(),
      );
      yield* sleep(1);
      outer.cancel();
      expect(yield* outer).toBe("inner ignored the cancel");
      expect(outer.cancelling()).toBe(1);
      expect(inner.cancelling()).toBe(1);
    });
  });

  it("a coroutine raising CancelledError on its own ends its task cancelled", async () => {
    await runAio(function* () {
      const t = createTask(
        (function* () {
          yield* sleep(0);
          throw new CancelledError("by hand");
        })(),
      );
      const err = yield* raises(() => t[Symbol.iterator]());
      expect(t.cancelled()).toBe(true);
      expect((err as Error).message).toBe("by hand");
    });
  });

  it("an error raised during cancellation cleanup replaces the CancelledError", async () => {
    await runAio(function* () {
      const t = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } finally {
            yield* sleep(1);
            // eslint-disable-next-line no-unsafe-finally
            throw new Error("cleanup failed");
          }
        })(),
      );
      yield* sleep(1);
      t.cancel();
      const err = yield* raises(() => t[Symbol.iterator]());
      expect((err as Error).message).toBe("cleanup failed");
      expect(t.cancelled()).toBe(false);
    });
  });

  it("cancelling a sleeping task removes its timer from the loop", async () => {
    await runAio(function* (loop) {
      const t = createTask(sleep(100));
      yield* sleep(0);
      const timers = loop.pending.timers;
      t.cancel();
      yield* raises(() => t[Symbol.iterator]());
      expect(loop.pending.timers).toBe(timers - 1);
    });
  });

  it("cancelling the task that awaits a cancelled task's result: the waiter is cancelled too", async () => {
    await runAio(function* () {
      const victim = createTask(sleep(100));
      const watcher = createTask(
        (function* () {
          yield* victim;
          return "not reached";
        })(),
      );
      yield* sleep(1);
      victim.cancel();
      yield* raises(() => watcher[Symbol.iterator]());
      expect(watcher.cancelled()).toBe(true);
      expect(watcher.cancelling()).toBe(0);
    });
  });

  it("a Trio cancellation of aioAsTrio cancels the asyncio task, whose finally may still wait", async () => {
    const log: string[] = [];
    const clock = new MockClock({ autojumpThreshold: 0 });
    await runWith({ clock }, function* () {
      yield* openLoop(function* () {
        yield* moveOnAfter(5, function* () {
          yield* aioAsTrio(function* () {
            try {
              yield* sleep(100);
            } catch (e) {
              log.push(e instanceof CancelledError ? "asyncio saw CancelledError" : "other");
              throw e;
            } finally {
              yield* sleep(2);
              log.push("finally done");
            }
          })();
        });
        log.push(`after scope at ${clock.currentTime()}`);
      });
    });
    expect(log).toEqual(["asyncio saw CancelledError", "finally done", "after scope at 7"]);
  });

  it("an unretrieved task error left at shutdown fails the block by default", async () => {
    const err = await rejection(
      runAio(function* () {
        createTask(
          (function* () {
            yield* sleep(0);
            throw new Error("lost");
          })(),
        );
        yield* spin(3);
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).leaves().map((e) => (e as Error).message)).toEqual(["lost"]);
  });
});

