/**
 * asyncio.run and asyncio.Runner rules taken from CPython's
 * Lib/test/test_asyncio/test_runners.py (semantics only; the code and words
 * are ours). Each test names the CPython test it follows. Ours are
 * `asyncioRun` and `AsyncioRunner` (src/bridge/asyncio-run.ts); rules
 * already covered by test/bridge/asyncio-run.test.ts are not repeated.
 *
 * Not ported: the KeyboardInterrupt and signal tests (a browser has no
 * SIGINT), the loop_factory test (a loop comes only from openLoop), the
 * async generator test (asyncio code has no async generators here; see
 * src/bridge/iterators.ts), and test_run_keeps_context (our ContextVar has
 * no set(): a value holds only inside ContextVar.run, so nothing a run()
 * sets can outlive it; docs/asyncio.md, "Context").
 */
import { describe, expect, it } from "vitest";
import { RuntimeError, runWith } from "../../src/core/index.js";
import { AsyncioRunner, asyncioRun, openLoop } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { EventLoop, ExceptionContext } from "../../src/asyncio/event-loop.js";
import { MockClock } from "../../src/testing/index.js";
import { rejection } from "../bridge/helpers.js";

const clock = (): MockClock => new MockClock({ autojumpThreshold: 0 });

class SpamError extends Error {
  override name = "SpamError";
}

describe("asyncioRun, after CPython's RunTests", () => {
  // test_asyncio_run_return, test_asyncio_run_raises
  it("resolves with main's result after a sleep; rejects with main's own error", async () => {
    function* ok(): asyncio.Coroutine<number> {
      yield* asyncio.sleep(0);
      return 42;
    }
    function* bad(): asyncio.Coroutine<never> {
      yield* asyncio.sleep(0);
      throw new SpamError("spam");
    }
    expect(await asyncioRun(ok())).toBe(42);
    const e = await rejection(asyncioRun(bad()));
    expect(e).toBeInstanceOf(SpamError);
    expect((e as Error).message).toBe("spam");
  });

  // test_asyncio_run_only_coro
  it("a number or a plain function is refused (ours: TypeError; CPython: ValueError 'a coroutine was expected')", async () => {
    for (const value of [1, () => null]) {
      const e = await rejection(asyncioRun(value as never));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/needs an asyncio coroutine/);
    }
  });

  // test_asyncio_run_debug
  it("the loop's debug flag is off by default and follows { debug }", async () => {
    function* debugOf(): asyncio.Coroutine<boolean> {
      return asyncio.getRunningLoop().getDebug();
    }
    expect(await asyncioRun(debugOf())).toBe(false);
    expect(await asyncioRun(debugOf(), { debug: true })).toBe(true);
    expect(await asyncioRun(debugOf(), { debug: false })).toBe(false);
  });

  // test_asyncio_run_debug, with a value that is not a flag: CPython would take any truthy value;
  // ours refuses it (silently reading "yes" or 1 as false turned nothing on).
  it("a debug option that is not true or false is refused, naming the value, by asyncioRun, AsyncioRunner and openLoop", async () => {
    function* main(): asyncio.Coroutine<void> {}
    for (const debug of ["yes", 1]) {
      const e = await rejection(asyncioRun(main(), { debug } as never));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/asyncioRun\(\): debug must be true or false \(or left out\), got/);
      expect(() => new AsyncioRunner({ debug } as never)).toThrow(/new AsyncioRunner\(\): debug must be true or false/);
    }
    const inBlock = await rejection(runWith({}, () => openLoop(function* () {}, { debug: "yes" } as never)));
    expect(String(inBlock)).toMatch(/openLoop\(body, options\): debug must be true or false \(or left out\), got "yes"/);
    const nullOptions = await rejection(runWith({}, () => openLoop(function* () {}, null as never)));
    expect(String(nullOptions)).toMatch(/openLoop\(body, options\): options must be an object such as \{ debug: true \}, got null/);
  });

  // test_asyncio_run_from_running_loop
  it("called from inside a running loop: RuntimeError, and the outer main is not hurt", async () => {
    function* inner(): asyncio.Coroutine<void> {}
    function* main(): asyncio.Coroutine<unknown> {
      // asyncioRun returns a Promise: the refusal is its rejection.
      const p = asyncioRun(inner());
      return yield* asyncio.wrapPromise(p.then(() => "resolved", (e: unknown) => e));
    }
    const e = await asyncioRun(main(), { clock: clock() });
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as Error).message).toMatch(/cannot be called from a running event loop/);
  });

  // test_asyncio_run_cancels_hanging_tasks
  it("a task main left sleeping is done (cancelled) once the run resolves", async () => {
    let leftover: asyncio.Task<void> | null = null;
    function* main(): asyncio.Coroutine<number> {
      leftover = asyncio.createTask(asyncio.sleep(0.1));
      return 123;
    }
    expect(await asyncioRun(main(), { clock: clock() })).toBe(123);
    expect(leftover!.done()).toBe(true);
    expect(leftover!.cancelled()).toBe(true);
  });

  // test_asyncio_run_reports_hanging_tasks_errors
  it("a leftover task that raises while being cancelled goes to the loop's exception handler with that task and error; main's result stands", async () => {
    let leftover: asyncio.Task<void> | null = null;
    const contexts: ExceptionContext[] = [];
    function* hang(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(0.1);
      } catch {
        throw new RangeError("in cleanup");
      }
    }
    function* main(): asyncio.Coroutine<number> {
      asyncio.getRunningLoop().setExceptionHandler((_loop, context) => contexts.push(context));
      leftover = asyncio.createTask(hang());
      return 123;
    }
    expect(await asyncioRun(main(), { clock: clock() })).toBe(123);
    expect(leftover!.done()).toBe(true);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.task).toBe(leftover);
    expect(contexts[0]!.exception).toBeInstanceOf(RangeError);
    // CPython's shutdown retrieves it and says "unhandled exception during
    // asyncio.run() shutdown"; ours reports it with every other unretrieved
    // Task exception when the loop closes (docs/asyncio.md, "Never-retrieved
    // exceptions are reported at loop close").
    expect(contexts[0]!.message).toBe("Task exception was never retrieved");
  });

  // test_asyncio_run_reports_hanging_tasks_errors, without a handler of its own
  it("with the default handler, that error rejects the run (ours surfaces errors instead of logging them: docs/asyncio.md, 'The default exception handler')", async () => {
    function* hang(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(0.1);
      } catch {
        throw new RangeError("in cleanup");
      }
    }
    function* main(): asyncio.Coroutine<number> {
      asyncio.createTask(hang());
      return 123;
    }
    const e = await rejection(asyncioRun(main(), { clock: clock() }));
    expect(e).toBeInstanceOf(RangeError);
  });
});

describe("AsyncioRunner, after CPython's RunnerTests", () => {
  // test_non_debug, test_debug
  it("getLoop() gives a loop whose debug flag follows { debug }", async () => {
    for (const debug of [false, true]) {
      const runner = new AsyncioRunner({ debug });
      try {
        expect((await runner.getLoop()).getDebug()).toBe(debug);
      } finally {
        await runner.close();
      }
    }
  });

  // test_run, test_explicit_close
  it("after close() the loop is closed and getLoop() rejects with 'closed'", async () => {
    function* f(): asyncio.Coroutine<string> {
      yield* asyncio.sleep(0);
      return "done";
    }
    const runner = new AsyncioRunner();
    expect(await runner.run(f())).toBe("done");
    const loop = await runner.getLoop();
    await runner.close();
    const e = await rejection(runner.getLoop());
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as Error).message).toMatch(/AsyncioRunner is closed/);
    expect(loop.isClosed()).toBe(true);

    // test_explicit_close: a loop asked for but never used is closed as well.
    const unused = new AsyncioRunner();
    const unusedLoop = await unused.getLoop();
    await unused.close();
    expect(unusedLoop.isClosed()).toBe(true);
    expect(await rejection(unused.getLoop())).toBeInstanceOf(RuntimeError);
  });

  // test_run_non_coro, test_run_future
  it("run() refuses a number and a Future (ours: TypeError; CPython: ValueError)", async () => {
    const runner = new AsyncioRunner();
    try {
      const loop = await runner.getLoop();
      for (const value of [123, loop.createFuture<void>()]) {
        const e = await rejection(runner.run(value as never));
        expect(e).toBeInstanceOf(TypeError);
        expect((e as Error).message).toMatch(/needs an asyncio coroutine/);
      }
    } finally {
      await runner.close();
    }
  });

  // test_double_close
  it("a second close() does nothing and the loop stays closed", async () => {
    const runner = new AsyncioRunner();
    const loop = await runner.getLoop();
    await runner.close();
    expect(loop.isClosed()).toBe(true);
    await runner.close();
    expect(loop.isClosed()).toBe(true);
    expect(runner.closed).toBe(true);
  });

  // test_second_with_block_raises
  it("run() after close() rejects and the coroutine never runs", async () => {
    const ran: number[] = [];
    function* f(n: number): asyncio.Coroutine<void> {
      ran.push(n);
    }
    const runner = new AsyncioRunner();
    await runner.run(f(1));
    await runner.close();
    const e = await rejection(runner.run(f(2)));
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as Error).message).toMatch(/AsyncioRunner is closed/);
    expect(ran).toEqual([1]);
  });

  // test_recursive_run
  it("run() from a coroutine on the runner's own loop: RuntimeError naming run()", async () => {
    const runner = new AsyncioRunner();
    function* g(): asyncio.Coroutine<void> {}
    function* f(): asyncio.Coroutine<unknown> {
      const p = runner.run(g());
      return yield* asyncio.wrapPromise(p.then(() => "resolved", (e: unknown) => e));
    }
    try {
      const e = await runner.run(f());
      expect(e).toBeInstanceOf(RuntimeError);
      expect((e as Error).message).toMatch(/AsyncioRunner\.run\(\) cannot be called from a running event loop/);
    } finally {
      await runner.close();
    }
  });

  // test_interrupt_cancelled_task (the cancel without the interrupt)
  it("a run() whose Task another task cancels rejects with CancelledError, and the runner goes on", async () => {
    const runner = new AsyncioRunner({ clock: clock() });
    function* subtask(task: asyncio.Task<unknown>): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
      task.cancel();
    }
    function* coro(): asyncio.Coroutine<void> {
      asyncio.createTask(subtask(asyncio.currentTask()!));
      yield* asyncio.sleep(10);
    }
    function* ok(): asyncio.Coroutine<string> {
      return "still running";
    }
    try {
      expect(await rejection(runner.run(coro()))).toBeInstanceOf(asyncio.CancelledError);
      expect(await runner.run(ok())).toBe("still running");
    } finally {
      await runner.close();
    }
  });

  // test_interrupt_wait (the cancel without the interrupt): close() during a run cancels the Future it awaits
  it("close() while a run() awaits a Future cancels that Future and the run's Task", async () => {
    const runner = new AsyncioRunner();
    const loop: EventLoop = await runner.getLoop();
    const fut = loop.createFuture<void>();
    let seen: unknown = null;
    let started!: () => void;
    const awaiting = new Promise<void>((resolve) => (started = resolve));
    function* coro(): asyncio.Coroutine<void> {
      try {
        // Resolved now, seen once this step has parked on fut: one setTimeout(0) was not always enough under load.
        started();
        yield* fut;
      } catch (error) {
        seen = error;
        throw error;
      }
    }
    // Its handler attached now: close() may take several host turns after the run's Promise rejects, which left it unhandled meanwhile.
    const outcome = rejection(runner.run(coro()));
    await awaiting;
    await runner.close();
    expect(await outcome).toBeInstanceOf(asyncio.CancelledError);
    expect(seen).toBeInstanceOf(asyncio.CancelledError);
    expect(fut.cancelled()).toBe(true);
  });
});
