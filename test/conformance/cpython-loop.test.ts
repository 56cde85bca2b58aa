/**
 * Event loop scheduling rules taken from CPython's
 * Lib/test/test_asyncio/test_base_events.py (the call_soon / call_later /
 * call_at / time parts only; semantics only, the code and words are ours).
 * Each test names the CPython test it follows. Rules already covered by
 * test/asyncio/loop.test.ts are not repeated here.
 */
import { describe, expect, it } from "vitest";
import { RuntimeError } from "../../src/core/index.js";
import { Task, ensureFuture, type Coroutine } from "../../src/asyncio/index.js";
import type { EventLoop } from "../../src/asyncio/event-loop.js";
import { runAio, spin } from "../asyncio/helpers.js";

describe("loop scheduling, after CPython's test_base_events", () => {
  // test_call_later_negative_delays
  it("negative delays still order by deadline: -2 runs before -1", async () => {
    const calls = await runAio(function* (loop) {
      const out: number[] = [];
      loop.callLater(-1, () => out.push(1));
      loop.callLater(-2, () => out.push(2));
      yield* spin(3);
      return out;
    });
    expect(calls).toEqual([2, 1]);
  });

  // test_call_later / test_time_and_call_at
  it("a callLater callback runs no earlier than its deadline and passes its arguments", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<[number, string]>();
      const h = loop.callLater(0.1, (n: number, s: string) => f.setResult([n, s]), 7, "x");
      const args = yield* f;
      return { args, late: loop.time() >= h.when(), when: h.when() };
    });
    expect(r.args).toEqual([7, "x"]);
    expect(r.late).toBe(true);
  });

  // test__run_once: timers of equal deadline and ready callbacks
  it("callAt with the same time as a callLater runs after it, in scheduling order", async () => {
    const calls = await runAio(function* (loop) {
      const out: string[] = [];
      const t = loop.time() + 1;
      loop.callLater(1, () => out.push("later"));
      loop.callAt(t, () => out.push("at"));
      loop.callAt(t - 0.5, () => out.push("earlier"));
      const f = loop.createFuture<void>();
      loop.callAt(t + 0.001, () => f.setResult());
      yield* f;
      return out;
    });
    expect(calls).toEqual(["earlier", "later", "at"]);
  });

  // test_set_task_factory / test_set_task_factory_invalid
  it("a task factory receives the loop and the coroutine; getTaskFactory returns it; null restores plain Tasks", async () => {
    const r = await runAio(function* (loop) {
      const made: unknown[] = [];
      class MyTask<T> extends Task<T> {}
      const factory = (l: EventLoop, coro: Coroutine<unknown>) => {
        made.push(l === loop);
        return new MyTask(coro, { loop: l });
      };
      loop.setTaskFactory(factory);
      const same = loop.getTaskFactory() === factory;
      const t1 = loop.createTask((function* () {})());
      loop.setTaskFactory(null);
      const t2 = loop.createTask((function* () {})());
      yield* t1;
      yield* t2;
      let refused: unknown = null;
      try {
        loop.setTaskFactory(1 as never);
      } catch (e) {
        refused = e;
      }
      return { made, same, mine: t1 instanceof MyTask, plain: !(t2 instanceof MyTask), refused, after: loop.getTaskFactory() };
    });
    expect(r).toMatchObject({ made: [true], same: true, mine: true, plain: true, after: null });
    expect(r.refused).toBeInstanceOf(TypeError);
  });

  // test_create_task_error_closes_coro (3.13): a refused coroutine is closed, so it never runs half-way
  it("createTask on a closed loop raises RuntimeError and closes the coroutine", async () => {
    const loop = await runAio(function* (l) {
      return l;
    });
    const log: string[] = [];
    const coro = (function* (): Coroutine<void> {
      log.push("ran");
    })();
    expect(() => loop.createTask(coro)).toThrow(RuntimeError);
    expect(coro.next().done).toBe(true);
    // ensureFuture(coro, { loop }) goes the same way (CPython's test uses ensure_future)
    const coro2 = (function* (): Coroutine<void> {
      log.push("ran too");
    })();
    expect(() => ensureFuture(coro2, { loop })).toThrow(RuntimeError);
    expect(coro2.next().done).toBe(true);
    expect(log).toEqual([]);
  });

  // test_close: closing twice is harmless; a closed loop refuses callbacks
  it("close() on a closed loop does nothing; callSoon and callLater on it raise RuntimeError", async () => {
    const loop = await runAio(function* (l) {
      return l;
    });
    expect(loop.isClosed()).toBe(true);
    expect(() => loop.close()).not.toThrow();
    expect(() => loop.callSoon(() => {})).toThrow(RuntimeError);
    expect(() => loop.callLater(1, () => {})).toThrow(RuntimeError);
  });

  // test_run_forever / stop: stop() from a callback ends runForever
  it("runForever (a Trio operation here) returns once a callback calls stop()", async () => {
    const { runWith } = await import("../../src/core/index.js");
    const { openLoop } = await import("../../src/bridge/index.js");
    const { MockClock } = await import("../../src/testing/index.js");
    const order = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      return yield* openLoop(function* (loop) {
        const out: string[] = [];
        loop.callSoon(() => out.push("a"));
        loop.callLater(1, () => {
          out.push("stop");
          loop.stop();
        });
        yield* loop.runForever();
        out.push("returned");
        return out;
      });
    });
    expect(order).toEqual(["a", "stop", "returned"]);
  });
});

describe("asyncio.run, after CPython's test_runners", () => {
  // test_asyncio_run_cancels_hanging_tasks
  it("a task left pending when main returns is cancelled and done; run gives main's value", async () => {
    const { asyncioRun } = await import("../../src/bridge/index.js");
    const { MockClock } = await import("../../src/testing/index.js");
    const { createTask: spawn, sleep } = await import("../../src/asyncio/index.js");
    let leftover: Task<void> | null = null;
    const v = await asyncioRun(
      (function* () {
        leftover = spawn(sleep(0.1));
        return 123;
      })(),
      { clock: new MockClock({ autojumpThreshold: 0 }) },
    );
    expect(v).toBe(123);
    expect(leftover!.done()).toBe(true);
    expect(leftover!.cancelled()).toBe(true);
  });

  // test_asyncio_run_reports_hanging_tasks_errors
  it("a leftover task that fails while being cancelled at shutdown goes to the loop's exception handler, naming the task", async () => {
    const { asyncioRun } = await import("../../src/bridge/index.js");
    const { MockClock } = await import("../../src/testing/index.js");
    const { createTask: spawn, sleep, getRunningLoop } = await import("../../src/asyncio/index.js");
    const seen: { exception?: unknown; task?: unknown }[] = [];
    let leftover: Task<void> | null = null;
    const v = await asyncioRun(
      (function* () {
        getRunningLoop().setExceptionHandler((_l, c) => seen.push(c as { exception?: unknown; task?: unknown }));
        leftover = spawn(
          (function* () {
            try {
              yield* sleep(0.1);
            } catch {
              throw new RangeError("during shutdown");
            }
          })(),
        );
        return 123;
      })(),
      { clock: new MockClock({ autojumpThreshold: 0 }) },
    );
    expect(v).toBe(123);
    expect(leftover!.done()).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.exception).toBeInstanceOf(RangeError);
    expect(seen[0]!.task).toBe(leftover);
    // CPython's message here is "unhandled exception during asyncio.run() shutdown"; ours is the
    // loop-close report of docs/asyncio.md difference 6.
    expect((seen[0] as { message?: string }).message).toMatch(/never retrieved/);
  });
});
