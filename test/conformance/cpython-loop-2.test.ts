/**
 * More event loop rules from CPython's Lib/test/test_asyncio/test_base_events.py
 * and test_events.py (the call_soon / call_later / Handle / TimerHandle /
 * exception handler / debug / task factory parts; semantics only, the code
 * and words are ours), beyond cpython-loop.test.ts and
 * test/asyncio/loop.test.ts. Each test names the CPython test it follows.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ensureFuture, sleep, Task, type Coroutine, type ExceptionContext, type Handle } from "../../src/asyncio/index.js";
import type { EventLoop } from "../../src/asyncio/event-loop.js";
import { runWith, sleep as trioSleep } from "../../src/core/index.js";
import { openLoop } from "../../src/bridge/index.js";
import { MockClock } from "../../src/testing/index.js";
import { runAio, spin } from "../asyncio/helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("loop settings, after CPython's test_base_events", () => {
  // test_set_debug
  it("setDebug(true) / setDebug(false) show in getDebug()", async () => {
    const r = await runAio(function* (loop) {
      const before = loop.getDebug();
      loop.setDebug(true);
      const on = loop.getDebug();
      loop.setDebug(false);
      return [before, on, loop.getDebug()];
    });
    expect(r).toEqual([false, true, false]);
  });

  // test_set_default_executor_error
  it("setDefaultExecutor refuses what is not an executor, naming what it got, and keeps null", async () => {
    const r = await runAio(function* (loop) {
      let e: unknown = null;
      try {
        loop.setDefaultExecutor("executor" as never);
      } catch (err) {
        e = err;
      }
      loop.setDefaultExecutor(null);
      return e;
    });
    expect(r).toBeInstanceOf(TypeError);
    expect((r as Error).message).toMatch(/"executor"/);
  });

  // test_create_named_task_with_default_factory
  it("createTask(coro, { name }) names the task with no factory set", async () => {
    const name = await runAio(function* (loop) {
      const t = loop.createTask((function* () {})(), { name: "test_task" });
      yield* t;
      return t.getName();
    });
    expect(name).toBe("test_task");
  });

  // test_create_named_task_with_custom_factory (3.12/3.13: the loop calls set_name after the factory)
  it("createTask(coro, { name }) names the task though the factory ignores its options", async () => {
    const r = await runAio(function* (loop) {
      loop.setTaskFactory((l, coro) => new Task(coro, { loop: l }));
      const named = loop.createTask((function* () {})(), { name: "test_task" });
      const unnamed = loop.createTask((function* () {})());
      yield* named;
      yield* unnamed;
      return { named: named.getName(), unnamed: unnamed.getName() };
    });
    expect(r.named).toBe("test_task");
    expect(r.unnamed).toMatch(/^Task-\d+$/);
  });

  // test_create_task: ensure_future(coro, loop=loop) goes through the loop's createTask
  it("ensureFuture(coro, { loop }) makes its Task with the loop's task factory", async () => {
    const r = await runAio(function* (loop) {
      class MyTask<T> extends Task<T> {}
      loop.setTaskFactory((l, coro, options) => new MyTask(coro, { loop: l, ...options }));
      const t = ensureFuture((function* () {})(), { loop });
      yield* t;
      return t instanceof MyTask;
    });
    expect(r).toBe(true);
  });
});

describe("one iteration, after CPython's test__run_once_schedule_handle and test_run_once", () => {
  // test__run_once_schedule_handle: a due timer's callback that calls callSoon leaves that callback for the next iteration
  it("a callback scheduled by a due timer runs in the next iteration, after the timers due with it", async () => {
    const r = await runAio(function* (loop) {
      const out: string[] = [];
      const iterations: number[] = [];
      const f = loop.createFuture<void>();
      loop.callLater(1, () => {
        out.push("timer 1");
        iterations.push(loop.statistics.iterations);
        loop.callSoon(() => {
          out.push("soon");
          iterations.push(loop.statistics.iterations);
          f.setResult();
        });
      });
      loop.callLater(1, () => {
        out.push("timer 2");
        iterations.push(loop.statistics.iterations);
      });
      yield* f;
      return { out, iterations };
    });
    expect(r.out).toEqual(["timer 1", "timer 2", "soon"]);
    expect(r.iterations[0]).toBe(r.iterations[1]);
    expect(r.iterations[2]).toBe(r.iterations[0]! + 1);
  });

  // test_run_once: the idiom callSoon(cb); callSoon(stop); runForever()
  it("callSoon(cb), callSoon(stop), then runForever: cb has run exactly once when it returns", async () => {
    const count = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      return yield* openLoop(function* (loop) {
        let n = 0;
        loop.callSoon(() => void n++);
        loop.callSoon(() => loop.stop());
        yield* loop.runForever();
        return n;
      });
    });
    expect(count).toBe(1);
  });

  // test_run_forever_pre_stopped
  it("stop() before runForever makes it return at once; the next runForever waits for a new stop()", async () => {
    const r = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      return yield* openLoop(function* (loop) {
        const out: string[] = [];
        loop.stop();
        const t0 = loop.time();
        yield* loop.runForever();
        out.push(`first at ${loop.time() - t0}`);
        loop.callLater(5, () => loop.stop());
        yield* loop.runForever();
        out.push(`second at ${loop.time() - t0}`);
        return out;
      });
    });
    expect(r).toEqual(["first at 0", "second at 5"]);
  });

  // test_timeout_rounding (test_events): tiny sleeps do not spin the loop
  it("sleeps of 1e-2 down to 1e-10 seconds take a handful of iterations each, not a busy wait", async () => {
    const r = await runAio(function* (loop) {
      const before = loop.statistics.iterations;
      for (const d of [1e-2, 1e-4, 1e-6, 1e-8, 1e-10]) yield* sleep(d);
      return loop.statistics.iterations - before;
    });
    expect(r).toBeLessThanOrEqual(20);
  });
});

describe("Handle and TimerHandle, after CPython's HandleTests and TimerTests (test_events)", () => {
  function noop(): void {}

  // test_handle / test_timer: cancel() marks the handle and drops the callback
  it("a Handle and a TimerHandle start not cancelled; cancel() marks them; their callbacks never run", async () => {
    const r = await runAio(function* (loop) {
      const ran: string[] = [];
      const h = loop.callSoon(() => ran.push("soon"));
      const t = loop.callLater(1, () => ran.push("later"));
      const before = [h.cancelled(), t.cancelled()];
      h.cancel();
      t.cancel();
      yield* sleep(2);
      return { before, after: [h.cancelled(), t.cancelled()], ran };
    });
    expect(r).toEqual({ before: [false, false], after: [true, true], ran: [] });
  });

  // test_when
  it("TimerHandle.when() is the absolute time given to callAt", async () => {
    const r = await runAio(function* (loop) {
      const when = loop.time() + 123;
      const t = loop.callAt(when, noop);
      t.cancel();
      return t.when() === when;
    });
    expect(r).toBe(true);
  });

  // test_handle_repr / test_timer_repr: the callback's name while pending, "cancelled" after
  it("toString names the callback, and says cancelled once cancelled; a TimerHandle also shows when", async () => {
    const r = await runAio(function* (loop) {
      const h = loop.callSoon(noop);
      const at = loop.time() + 123;
      const t = loop.callAt(at, noop);
      const pending = [String(h), String(t)];
      h.cancel();
      t.cancel();
      return { pending, cancelled: [String(h), String(t)], at };
    });
    expect(r.pending[0]).toMatch(/^<Handle .*noop.*>$/);
    expect(r.pending[1]).toContain(`when=${r.at}`);
    expect(r.pending[1]).toMatch(/noop/);
    expect(r.cancelled[0]).toMatch(/cancelled/);
    expect(r.cancelled[0]).not.toMatch(/noop/);
    expect(r.cancelled[1]).toMatch(/cancelled/);
    expect(r.cancelled[1]).toContain(`when=${r.at}`);
  });

  // test_callback_with_exception: the context names the message, the exception and the very Handle
  it("a callback that raises reaches the handler with message 'Exception in callback ...', the error and its own Handle", async () => {
    const r = await runAio(function* (loop) {
      const seen: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const err = new RangeError("cb");
      const h = loop.callSoon(() => {
        throw err;
      });
      yield* spin();
      return { seen, h, err };
    });
    expect(r.seen).toHaveLength(1);
    expect(String(r.seen[0]!.message)).toMatch(/^Exception in callback/);
    expect(r.seen[0]!.exception).toBe(r.err);
    expect(r.seen[0]!.handle).toBe(r.h as Handle);
  });
});

describe("exception handler and debug, after CPython's test_base_events", () => {
  // test_set_exc_handler_custom: the custom handler, then null for the default again
  it("a custom handler gets (loop, context); getExceptionHandler returns it; callExceptionHandler goes through it", async () => {
    const r = await runAio(function* (loop) {
      const calls: [EventLoop, ExceptionContext][] = [];
      const handler = (l: EventLoop, c: ExceptionContext) => void calls.push([l, c]);
      loop.setExceptionHandler(handler);
      const same = loop.getExceptionHandler() === handler;
      const ctx = { message: "custom", exception: new RangeError("x") };
      loop.callExceptionHandler(ctx);
      loop.setExceptionHandler(null);
      return { same, calls, ctx, loop, after: loop.getExceptionHandler() };
    });
    expect(r.same).toBe(true);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]![0]).toBe(r.loop);
    expect(r.calls[0]![1]).toBe(r.ctx);
    expect(r.after).toBeNull();
  });

  // test_default_exc_handler_coro (the context of Future.__del__'s report): a task's unretrieved exception is reported
  // with the task as `future` (CPython's key) and as `task`, and in debug mode with where the task was made
  it("a task exception never retrieved is reported with message, exception, future and task set to the task, and its creation stack in debug mode", async () => {
    for (const debug of [false, true]) {
      const seen: ExceptionContext[] = [];
      let task: unknown = null;
      const err = new RangeError("zero division");
      await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
        yield* openLoop(
          function* (loop) {
            loop.setExceptionHandler((_l, c) => seen.push(c));
            task = loop.createTask(
              (function* (): Coroutine<void> {
                yield* sleep(0.01);
                throw err;
              })(),
            );
            yield* trioSleep(1); // Trio code: let the task fail before the block ends
          },
          { debug },
        );
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.message).toBe("Task exception was never retrieved");
      expect(seen[0]!.exception).toBe(err);
      expect(seen[0]!.future).toBe(task);
      expect(seen[0]!.task).toBe(task);
      if (debug) expect(String(seen[0]!.sourceTraceback)).toMatch(/cpython-loop-2/);
      else expect(seen[0]!.sourceTraceback).toBeUndefined();
    }
  });

  // test_default_exc_handler_callback's logging part: a context without an exception is only logged
  it("the default handler only logs a context that has no exception: the block goes on", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const r = await runAio(function* (loop) {
      loop.callExceptionHandler({ message: "just a note" });
      yield* spin();
      return "went on";
    });
    expect(r).toBe("went on");
    expect(warn).toHaveBeenCalled();
    expect(String(warn.mock.calls[0]![0])).toMatch(/just a note/);
  });

  // test_log_slow_callbacks: in debug mode with slowCallbackDuration 0, every callback and task step is reported
  it("debug mode with slowCallbackDuration 0 warns 'executing <Handle name> took ... seconds', for callbacks and task steps", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await runAio(function* (loop) {
      loop.setDebug(true);
      loop.slowCallbackDuration = 0;
      function stopLoopCb(): void {}
      loop.callSoon(stopLoopCb);
      yield* spin();
      function* stopLoopCoro(): Coroutine<void> {
        yield* sleep(0);
      }
      yield* loop.createTask(stopLoopCoro(), { name: "stopper" });
      loop.setDebug(false);
    });
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines.some((l) => /executing <Handle stopLoopCb> took \d+\.\d+ seconds/.test(l))).toBe(true);
    // CPython: "Executing <Task ... stop_loop_coro() ...> took"; a step of ours is named by its Task, both the first step and a wakeup
    const stepLines = lines.filter((l) => /stopper/.test(l));
    expect(stepLines.length).toBeGreaterThanOrEqual(2);
    for (const l of stepLines) expect(l).toMatch(/^asyncio: executing <Task stopper (pending|finished)> took \d+\.\d+ seconds$/);
    expect(lines.some((l) => /stepTask|taskWakeup/.test(l))).toBe(false);
  });
});
