/**
 * asyncioRun and AsyncioRunner: Python's asyncio.run and asyncio.Runner, on
 * a Trio run with an openLoop block.
 */
import { describe, expect, it } from "vitest";
import { ExceptionGroup, RuntimeError, currentRun, sleep as trioSleep, type Operation, type Runner } from "../../src/core/index.js";
import { AsyncioRunner, asyncioRun, trioAsAio } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { autojumpClock, expectNoLeftovers, rejection } from "./helpers.js";

const { CancelledError } = asyncio;

function* trioRunner(): Operation<Runner> {
  yield* trioSleep(0);
  return currentRun();
}

describe("asyncioRun", () => {
  it("runs the main coroutine on a new loop and resolves with its result", async () => {
    const clock = autojumpClock();
    let runner: Runner | undefined;
    function* main(x: number): asyncio.Coroutine<[number, number, boolean]> {
      yield* asyncio.sleep(5);
      runner = yield* trioAsAio(trioRunner)();
      const loop = asyncio.getRunningLoop();
      return [x * 2, loop.time(), loop.getDebug()];
    }
    expect(await asyncioRun(main(21), { clock })).toEqual([42, 5, false]);
    expectNoLeftovers(runner!);
    expect(runner!.name).toBe("asyncioRun()");
  });

  it("rejects with the main coroutine's error itself (not wrapped in a group)", async () => {
    const boom = new RangeError("main failed");
    function* main(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(1);
      throw boom;
    }
    expect(await rejection(asyncioRun(main(), { clock: autojumpClock() }))).toBe(boom);
  });

  it("keeps a group main itself raised, even a group of one (a failed TaskGroup), as Python's asyncio.run does", async () => {
    const boom = new asyncio.ValueError("child failed");
    function* child(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(1);
      throw boom;
    }
    function* main(): asyncio.Coroutine<void> {
      yield* asyncio.TaskGroup.run(function* (tg) {
        tg.createTask(child());
      });
    }
    const error = await rejection(asyncioRun(main(), { clock: autojumpClock() }));
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions).toEqual([boom]);
    const mine = new ExceptionGroup("mine", [boom]);
    function* raisesGroup(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(1);
      throw mine;
    }
    expect(await rejection(asyncioRun(raisesGroup(), { clock: autojumpClock() }))).toBe(mine);
  });

  it("rejects with CancelledError when the main task is cancelled", async () => {
    function* main(): asyncio.Coroutine<void> {
      const me = asyncio.currentTask()!;
      asyncio.getRunningLoop().callLater(1, () => me.cancel("stop"));
      yield* asyncio.sleep(10);
    }
    const error = await rejection(asyncioRun(main(), { clock: autojumpClock() }));
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe("stop");
  });

  it("cancels the remaining tasks when main returns, and waits for their finally blocks", async () => {
    const log: string[] = [];
    function* background(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(100);
      } finally {
        yield* asyncio.sleep(2);
        log.push(`background cleaned up at ${asyncio.getRunningLoop().time()}`);
      }
    }
    function* main(): asyncio.Coroutine<string> {
      asyncio.getRunningLoop().createTask(background());
      yield* asyncio.sleep(1);
      return "main done";
    }
    expect(await asyncioRun(main(), { clock: autojumpClock() })).toBe("main done");
    expect(log).toEqual(["background cleaned up at 3"]);
  });

  it("an error escaping a callback rejects the run with that error and cancels main", async () => {
    const boom = new Error("callback failed");
    const log: string[] = [];
    function* main(): asyncio.Coroutine<void> {
      asyncio.getRunningLoop().callLater(1, () => {
        throw boom;
      });
      try {
        yield* asyncio.sleep(10);
      } catch (error) {
        log.push(`main got ${(error as Error).name}`);
        throw error;
      }
    }
    expect(await rejection(asyncioRun(main(), { clock: autojumpClock() }))).toBe(boom);
    expect(log).toEqual(["main got CancelledError"]);
  });

  it("a task exception never retrieved rejects the run even when main succeeded", async () => {
    const forgotten = new Error("forgotten");
    function* fails(): asyncio.Coroutine<void> {
      throw forgotten;
    }
    function* main(): asyncio.Coroutine<string> {
      asyncio.getRunningLoop().createTask(fails());
      yield* asyncio.sleep(1);
      return "main ok";
    }
    expect(await rejection(asyncioRun(main(), { clock: autojumpClock() }))).toBe(forgotten);
  });

  it("several unhandled errors come out together in an ExceptionGroup", async () => {
    const a = new Error("a");
    const b = new Error("b");
    function* main(): asyncio.Coroutine<void> {
      const loop = asyncio.getRunningLoop();
      loop.callSoon(() => {
        throw a;
      });
      loop.callSoon(() => {
        throw b;
      });
      yield* asyncio.sleep(1);
    }
    const error = await rejection(asyncioRun(main(), { clock: autojumpClock() }));
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions).toEqual([a, b]);
  });

  it("passes debug to the loop", async () => {
    function* main(): asyncio.Coroutine<boolean> {
      yield* asyncio.sleep(0);
      return asyncio.getRunningLoop().getDebug();
    }
    expect(await asyncioRun(main(), { debug: true, clock: autojumpClock() })).toBe(true);
  });

  it("runs on the host clock when no clock is given", async () => {
    function* main(): asyncio.Coroutine<string> {
      yield* asyncio.sleep(0.001);
      return "real time";
    }
    expect(await asyncioRun(main())).toBe("real time");
  });

  it("several runs at once are independent", async () => {
    function* main(d: number): asyncio.Coroutine<number> {
      yield* asyncio.sleep(d);
      return asyncio.getRunningLoop().id;
    }
    const ids = await Promise.all([asyncioRun(main(2), { clock: autojumpClock() }), asyncioRun(main(1), { clock: autojumpClock() })]);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it("rejects what is not a coroutine, naming the fix", async () => {
    function* main(): asyncio.Coroutine<void> {}
    expect(String(await rejection(asyncioRun(main as never)))).toMatch(/You passed a function: call it, e.g. asyncioRun\(main\(\)\)/);
    expect(String(await rejection(asyncioRun(Promise.resolve(1) as never)))).toMatch(/You passed a Promise/);
    expect(String(await rejection(asyncioRun(main(), null as never)))).toMatch(/options must be an object/);
  });

  it("refuses to start from a running loop", async () => {
    let inner: unknown;
    function* main(): asyncio.Coroutine<void> {
      function* other(): asyncio.Coroutine<void> {}
      const loop = asyncio.getRunningLoop();
      loop.callSoon(() => {
        inner = asyncioRun(other()).catch((error: unknown) => error);
      });
      yield* asyncio.sleep(1);
    }
    await asyncioRun(main(), { clock: autojumpClock() });
    const error = await inner;
    expect(error).toBeInstanceOf(RuntimeError);
    expect(String(error)).toMatch(/asyncioRun\(\) cannot be called from a running event loop/);
  });
});

describe("AsyncioRunner", () => {
  it("runs several coroutines on one loop, which is closed by close()", async () => {
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    function* loopId(): asyncio.Coroutine<number> {
      yield* asyncio.sleep(1);
      return asyncio.getRunningLoop().id;
    }
    const a = await runner.run(loopId());
    const b = await runner.run(loopId());
    const loop = await runner.getLoop();
    expect(a).toBe(b);
    expect(loop.id).toBe(a);
    expect(loop.isClosed()).toBe(false);
    expect(runner.closed).toBe(false);
    await runner.close();
    expect(loop.isClosed()).toBe(true);
    expect(runner.closed).toBe(true);
    expect(String(runner)).toMatch(/closed/);
  });

  it("tasks left by one run go on in the background and are cancelled by close()", async () => {
    const log: string[] = [];
    function* background(): asyncio.Coroutine<void> {
      try {
        for (;;) {
          yield* asyncio.sleep(1);
          log.push(`tick ${asyncio.getRunningLoop().time()}`);
        }
      } finally {
        yield* asyncio.sleep(0.5);
        log.push("background cleaned up");
      }
    }
    function* first(): asyncio.Coroutine<void> {
      asyncio.getRunningLoop().createTask(background());
      yield* asyncio.sleep(0);
    }
    function* second(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(2.5);
    }
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    await runner.run(first());
    await runner.run(second());
    const ticksBeforeClose = log.length;
    await runner.close();
    expect(ticksBeforeClose).toBeGreaterThanOrEqual(2);
    expect(log.at(-1)).toBe("background cleaned up");
  });

  it("run() rejects with the coroutine's error and the runner stays usable", async () => {
    const boom = new Error("one run failed");
    function* fails(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
      throw boom;
    }
    function* works(): asyncio.Coroutine<string> {
      yield* asyncio.sleep(0);
      return "fine";
    }
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    expect(await rejection(runner.run(fails()))).toBe(boom);
    expect(await runner.run(works())).toBe("fine");
    await runner.close(); // the failed run's exception was retrieved: nothing to report
  });

  it("concurrent run() calls share the loop", async () => {
    function* wait(d: number): asyncio.Coroutine<number> {
      yield* asyncio.sleep(d);
      return asyncio.getRunningLoop().time();
    }
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    expect(await Promise.all([runner.run(wait(2)), runner.run(wait(1))])).toEqual([2, 1]);
    await runner.close();
  });

  it("close() is idempotent; run() and getLoop() after close() reject", async () => {
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    function* noop(): asyncio.Coroutine<void> {}
    await runner.run(noop());
    await Promise.all([runner.close(), runner.close()]);
    await runner.close();
    expect(String(await rejection(runner.run(noop())))).toMatch(/The AsyncioRunner is closed/);
    expect(await rejection(runner.getLoop())).toBeInstanceOf(RuntimeError);
  });

  it("close() before any run() just closes", async () => {
    const runner = new AsyncioRunner();
    await runner.close();
    function* noop(): asyncio.Coroutine<void> {}
    expect(String(await rejection(runner.run(noop())))).toMatch(/closed/);
  });

  it("close() while a run() is pending cancels that run's task", async () => {
    // A Future nobody completes, not a long sleep: the autojump clock would
    // end a sleep if it jumped before close() (seen under load).
    function* forever(): asyncio.Coroutine<void> {
      yield* asyncio.getRunningLoop().createFuture<void>();
    }
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    const pending = runner.run(forever());
    await runner.getLoop();
    await runner.close();
    expect(await rejection(pending)).toBeInstanceOf(CancelledError);
  });

  it("close() right after run(), before the loop started: that run is cancelled too, its coroutine closed unrun (not a closed-loop error)", async () => {
    let ran = false;
    function* main(): asyncio.Coroutine<number> {
      ran = true;
      yield* asyncio.sleep(0);
      return 1;
    }
    const coro = main();
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    const pending = runner.run(coro);
    const closing = runner.close();
    const error = await rejection(pending);
    await closing;
    expect(error).toBeInstanceOf(CancelledError);
    expect(String(error)).toMatch(/AsyncioRunner\.close\(\) was called before this run\(\) started/);
    expect(ran).toBe(false);
    expect(coro.next()).toEqual({ done: true, value: undefined });
  });

  it("an unhandled loop error during a run() rejects that run with the error, not a CancelledError", async () => {
    const boom = new Error("callback failed");
    function* main(): asyncio.Coroutine<void> {
      asyncio.getRunningLoop().callLater(1, () => {
        throw boom;
      });
      yield* asyncio.sleep(10);
    }
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    expect(await rejection(runner.run(main()))).toBe(boom);
    expect(runner.closed).toBe(true);
    await runner.close(); // already reported by run()
    const error = await rejection(runner.getLoop());
    expect(String(error)).toMatch(/closed: its loop failed/);
    expect((error as Error).cause).toBe(boom);
  });

  it("an unhandled loop error between runs is reported by close()", async () => {
    const forgotten = new Error("forgotten");
    function* leavesAFailingTask(): asyncio.Coroutine<void> {
      function* fails(): asyncio.Coroutine<void> {
        yield* asyncio.sleep(1);
        throw forgotten;
      }
      asyncio.getRunningLoop().createTask(fails());
      yield* asyncio.sleep(0);
    }
    function* idle(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(2);
    }
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    await runner.run(leavesAFailingTask());
    await runner.run(idle()); // the task fails meanwhile; nobody looks at it
    expect(await rejection(runner.close())).toBe(forgotten);
  });

  it("passes debug to the loop and checks its input", async () => {
    const runner = new AsyncioRunner({ debug: true, clock: autojumpClock() });
    expect((await runner.getLoop()).getDebug()).toBe(true);
    function* main(): asyncio.Coroutine<void> {}
    expect(String(await rejection(runner.run(main as never)))).toMatch(/You passed a function/);
    await runner.close();
    expect(() => new AsyncioRunner(7 as never)).toThrow(/options must be an object/);
  });

  it("run() refuses to start from a running loop", async () => {
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    let inner: Promise<unknown> | undefined;
    function* main(): asyncio.Coroutine<void> {
      function* other(): asyncio.Coroutine<void> {}
      asyncio.getRunningLoop().callSoon(() => {
        inner = runner.run(other()).catch((error: unknown) => error);
      });
      yield* asyncio.sleep(1);
    }
    await runner.run(main());
    expect(String(await inner!)).toMatch(/AsyncioRunner.run\(\) cannot be called from a running event loop/);
    await runner.close();
  });
});
