/**
 * Hostile values where the layer reads what a coroutine or Future ended with.
 *
 * Values no `instanceof` can test (a revoked Proxy, a Proxy whose
 * getPrototypeOf trap throws) thrown where the asyncio layer asks whether
 * an error is a CancelledError: a Task's step that was cancelled while
 * its Future failed, a timeout's exit, a TaskGroup's exit, waitFor's
 * zero timeout. Each must settle, with the very value the program threw
 * reaching its awaiter, as CPython raises whatever was raised. And a
 * gather() whose child (a Future subclass or Proxy) throws from its own
 * methods when it finishes ends with that error rather than never, and
 * a TaskGroup does not wait for a task it could not listen to. A task
 * whose cancel() throws keeps neither a TaskGroup nor the loop's shutdown
 * from cancelling the others (before, the run could hang).
 */
import { describe, expect, it } from "vitest";
import * as asyncio from "../../src/asyncio/index.js";
import { ExceptionGroup } from "../../src/core/index.js";
import { revoked } from "../bad-input/hostile.js";
import { within } from "../core/helpers.js";
import { expectNoLeftovers } from "../bridge/helpers.js";
import { runAioKeep } from "./helpers.js";

/** A Proxy whose getPrototypeOf trap throws (instanceof throws its error). */
function protoTrapThrows(): object {
  return new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error("hostile getPrototypeOf");
      },
    },
  );
}

const VALUES: [string, () => object][] = [
  ["a revoked Proxy", () => revoked()],
  ["a Proxy whose getPrototypeOf trap throws", protoTrapThrows],
];

describe.each(VALUES)("%s thrown where the layer tests for CancelledError", (_label, make) => {
  it("instanceof CancelledError answers false instead of throwing", () => {
    expect(make() instanceof asyncio.CancelledError).toBe(false);
  });

  it("a Task cancelled while the Future it awaits has just failed with it ends cancelled (not wedged)", async () => {
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        const f = loop.createFuture<void>();
        const t = loop.createTask(
          (function* (): asyncio.Coroutine<string> {
            try {
              yield* f;
            } catch (error) {
              return error instanceof asyncio.CancelledError ? "CancelledError" : "other";
            }
            return "no error";
          })(),
        );
        yield* asyncio.sleep(0);
        f.setException(make()); // the Task's wakeup is scheduled ...
        t.cancel(); // ... and the cancel arrives before it runs: CancelledError wins, as in CPython
        return yield* t;
      }),
    );
    expect(value).toBe("CancelledError");
    expectNoLeftovers(runner);
  });

  it("a timeout whose block throws it on expiry raises it as it is", async () => {
    const thrown = make();
    const { runner, value } = await within(
      runAioKeep(function* () {
        try {
          yield* asyncio.timeout(1).run(function* () {
            try {
              yield* asyncio.sleep(5);
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the point of the test
              throw thrown;
            }
          });
        } catch (error) {
          // Compared here: a revoked Proxy cannot be a run's result (the Promise reads its then).
          return error === thrown ? "the value thrown" : error;
        }
        return "no error";
      }),
    );
    expect(value).toBe("the value thrown");
    expectNoLeftovers(runner);
  });

  it("waitFor(aw, 0) whose work throws it on cancel raises it as it is", async () => {
    const thrown = make();
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        const t = loop.createTask(
          (function* (): asyncio.Coroutine<void> {
            try {
              yield* asyncio.sleep(5);
            } catch {
              throw thrown;
            }
          })(),
        );
        yield* asyncio.sleep(0);
        try {
          yield* asyncio.waitFor(t, 0);
        } catch (error) {
          // Compared here: a revoked Proxy cannot be a run's result (the Promise reads its then).
          return error === thrown ? "the value thrown" : error;
        }
        return "no error";
      }),
    );
    expect(value).toBe("the value thrown");
    expectNoLeftovers(runner);
  });

  it("a TaskGroup whose body throws it cancels the children and raises a group holding it", async () => {
    const thrown = make();
    let childCancelled = false;
    const { runner, value } = await within(
      runAioKeep(function* () {
        try {
          yield* new asyncio.TaskGroup().run(function* (tg) {
            tg.createTask(
              (function* (): asyncio.Coroutine<void> {
                try {
                  yield* asyncio.sleep(5);
                } catch (error) {
                  childCancelled = error instanceof asyncio.CancelledError;
                  throw error;
                }
              })(),
            );
            yield* asyncio.sleep(0);
            throw thrown;
          });
        } catch (error) {
          // Compared here: a revoked Proxy cannot be a run's result (the Promise reads its then).
          return error === thrown ? "the value thrown" : error;
        }
        return "no error";
      }),
    );
    expect(value).toBeInstanceOf(ExceptionGroup);
    expect((value as ExceptionGroup).exceptions).toHaveLength(1);
    expect((value as ExceptionGroup).exceptions[0]).toBe(thrown);
    expect(childCancelled).toBe(true);
    expectNoLeftovers(runner);
  });
});

/** A Future whose result() throws even though it finished with a value. */
class ResultThrows<T> extends asyncio.Future<T> {
  override result(): T {
    throw new Error("hostile result()");
  }
}

/** A Proxy of a finished-later Future whose `cancelled` method cannot be read. */
function cancelledGetterThrows(loop: asyncio.EventLoop): asyncio.Future<number> {
  const f = loop.createFuture<number>();
  loop.callLater(1, () => f.setResult(1));
  return new Proxy(f, {
    get(target, key) {
      if (key === "cancelled") throw new Error("hostile cancelled getter");
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

describe("gather() of a Future whose methods throw when it finishes", () => {
  it.each([false, true])("a subclass whose result() throws: the gather raises that error (returnExceptions %s), not a wedged run", async (returnExceptions) => {
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        const f = new ResultThrows<number>();
        loop.callLater(1, () => f.setResult(1));
        try {
          return yield* asyncio.gather(f, asyncio.sleep(0.5, 2), { returnExceptions });
        } catch (error) {
          return error;
        }
      }),
    );
    expect(value).toMatchObject({ message: "hostile result()" });
    expectNoLeftovers(runner);
  });

  it("a Proxy whose cancelled getter throws: the gather raises that error", async () => {
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        try {
          return yield* asyncio.gather(cancelledGetterThrows(loop));
        } catch (error) {
          return error;
        }
      }),
    );
    expect(value).toMatchObject({ message: "hostile cancelled getter" });
    expectNoLeftovers(runner);
  });

  it("the same, already done when gather() is called: gather returns a failed Future instead of throwing", async () => {
    const { runner, value } = await within(
      runAioKeep(function* () {
        const f = new ResultThrows<number>();
        f.setResult(1);
        const g = asyncio.gather(f);
        expect(g.done()).toBe(true);
        try {
          return yield* g;
        } catch (error) {
          return error;
        }
      }),
    );
    expect(value).toMatchObject({ message: "hostile result()" });
    expectNoLeftovers(runner);
  });
});

describe("a TaskGroup given a task whose addDoneCallback throws (a task factory's Proxy)", () => {
  it("createTask raises that error, the group does not count the task, and the block ends", async () => {
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        loop.setTaskFactory((l, coro) => {
          const task = new asyncio.Task(coro, { loop: l });
          return new Proxy(task, {
            get(target, key) {
              if (key === "addDoneCallback") throw new Error("hostile addDoneCallback");
              const v: unknown = Reflect.get(target, key, target);
              return typeof v === "function" ? v.bind(target) : v;
            },
          });
        });
        try {
          yield* new asyncio.TaskGroup().run(function* (tg) {
            tg.createTask(asyncio.sleep(0.1));
          });
        } catch (error) {
          return error;
        } finally {
          loop.setTaskFactory(null);
        }
        return "no error";
      }),
    );
    expect(value).toBeInstanceOf(ExceptionGroup);
    expect((value as ExceptionGroup).exceptions).toMatchObject([{ message: "hostile addDoneCallback" }]);
    expectNoLeftovers(runner);
  });
});

describe("a TaskGroup whose task (from a task factory) throws from cancel()", () => {
  /** A Task whose cancel() always throws: the group cannot cancel it, and it ends on its own. */
  class CancelThrows<T> extends asyncio.Task<T> {
    override cancel(): boolean {
      throw new Error("hostile cancel");
    }
  }

  /** Makes the first task of the loop a CancelThrows, the others plain Tasks; reported errors go to `reported`. */
  function hostileFirst(loop: asyncio.EventLoop, reported: unknown[]): void {
    let first = true;
    loop.setTaskFactory((l, coro, options) => {
      const TaskClass = first ? CancelThrows : asyncio.Task;
      first = false;
      return new TaskClass(coro, { ...options, loop: l });
    });
    loop.setExceptionHandler((_, context) => reported.push(context.exception));
  }

  /** Sleeps `delay`, or records that it was cancelled. */
  function* sleeper(log: string[], name: string, delay: number): asyncio.Coroutine<void> {
    try {
      yield* asyncio.sleep(delay);
      log.push(`${name} done`);
    } catch (error) {
      if (error instanceof asyncio.CancelledError) log.push(`${name} cancelled`);
      throw error;
    }
  }

  it("a failing sibling still cancels every other task and the body; the cancel() error reaches the exception handler", async () => {
    const reported: unknown[] = [];
    const log: string[] = [];
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        hostileFirst(loop, reported);
        let caught: unknown = "no error";
        try {
          yield* asyncio.TaskGroup.run(function* (tg) {
            tg.createTask(sleeper(log, "hostile", 1));
            tg.createTask(sleeper(log, "sibling", 3600));
            tg.createTask(
              (function* () {
                yield* asyncio.sleep(0.5);
                throw new Error("boom");
              })(),
            );
            yield* sleeper(log, "body", 3600);
          });
        } catch (error) {
          caught = error;
        } finally {
          loop.setTaskFactory(null);
        }
        return [caught, loop.time()];
      }),
    );
    const [caught, time] = value as [unknown, number];
    expect(caught).toBeInstanceOf(ExceptionGroup);
    expect((caught as ExceptionGroup).exceptions).toMatchObject([{ message: "boom" }]);
    expect(log.sort()).toEqual(["body cancelled", "hostile done", "sibling cancelled"]);
    expect(time).toBeLessThan(10);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ message: "hostile cancel" });
    expectNoLeftovers(runner);
  });

  it("an outside cancellation of the parent while the block's end waits still cancels every task, and waits for them", async () => {
    const reported: unknown[] = [];
    const log: string[] = [];
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        hostileFirst(loop, reported);
        const parent = new asyncio.Task(
          asyncio.TaskGroup.run(function* (tg) {
            tg.createTask(sleeper(log, "hostile", 1));
            tg.createTask(sleeper(log, "sibling", 3600));
          }),
          { loop },
        );
        yield* asyncio.sleep(0.1);
        loop.setTaskFactory(null);
        parent.cancel();
        const [done] = yield* asyncio.wait([parent]);
        return [done.size, parent.cancelled(), loop.time()];
      }),
    );
    const [doneCount, cancelled, time] = value as [number, boolean, number];
    expect(doneCount).toBe(1);
    expect(cancelled).toBe(true);
    expect(log.sort()).toEqual(["hostile done", "sibling cancelled"]);
    expect(time).toBeLessThan(10);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ message: "hostile cancel" });
    expectNoLeftovers(runner);
  });

  it("the loop's shutdown cancels the other pending tasks and waits for it; the run settles, the cancel() error reaches the handler", async () => {
    const reported: unknown[] = [];
    const log: string[] = [];
    let loopTime = () => 0;
    const { runner } = await within(
      runAioKeep(function* (loop) {
        hostileFirst(loop, reported);
        loopTime = () => loop.time();
        loop.createTask(sleeper(log, "hostile", 5));
        loop.createTask(sleeper(log, "other", 3600));
        loop.setTaskFactory(null);
        yield* asyncio.sleep(0);
      }),
    );
    expect(log.sort()).toEqual(["hostile done", "other cancelled"]);
    expect(loopTime()).toBeLessThan(10);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ message: "hostile cancel" });
    expectNoLeftovers(runner);
  });

  it("a cancelled staggeredRace still cancels every other attempt and waits for them all; the cancel() error reaches the handler", async () => {
    const reported: unknown[] = [];
    const log: string[] = [];
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        hostileFirst(loop, reported);
        const race = new asyncio.Task(asyncio.staggeredRace([() => sleeper(log, "hostile", 5), () => sleeper(log, "second", 3600)], 0.1), { loop });
        yield* asyncio.sleep(1);
        loop.setTaskFactory(null);
        race.cancel();
        yield* asyncio.wait([race]);
        return [race.cancelled(), loop.time()];
      }),
    );
    const [cancelled, time] = value as [boolean, number];
    expect(cancelled).toBe(true);
    expect(log.sort()).toEqual(["hostile done", "second cancelled"]);
    expect(time).toBeGreaterThanOrEqual(5);
    expect(time).toBeLessThan(10);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ message: "hostile cancel" });
    expectNoLeftovers(runner);
  });
});
