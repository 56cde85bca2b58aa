/**
 * Loop callbacks, coroutines and timers under an openLoop block, after
 * Python trio-asyncio's tests/aiotest suite (test_callback.py,
 * test_coroutine.py, test_timer.py; semantics only, the code and words are
 * ours). Each test names the upstream test it follows. `await
 * loop.stop().wait()` / `loop.wait_stopped()` is `yield* loop.runForever()`
 * after a callback calls `loop.stop()`; `loop.run_aio_coroutine(f)` is
 * `waitFuture(f)`.
 *
 * Skipped upstream tests:
 * - test_callback.py test_soon_stop_soon, test_timer.py's sync_loop forms:
 *   a loop driven by a blocking run_forever() from sync code; ours runs for
 *   the whole block (docs/asyncio.md, difference 7). test_later_stop_later
 *   is kept in its async form.
 * - test_callback.py test_close's add_signal_handler and
 *   run_until_complete rows: no signals; no sync loop driving.
 * - test_add_reader.py, test_network.py: file descriptors and sockets.
 * - test_thread.py: threads (call_soon_threadsafe from a thread,
 *   run_in_executor with a thread pool); ours are workers (test/workers).
 * - interop/test_delta.py: DeltaTime, a helper type with no counterpart.
 * - tests/python/*: copies of CPython's suite, ported in
 *   test/conformance/cpython-*.
 * - test_aio_subprocess.py: subprocesses.
 * - test_coroutine.py test_hello_world_depr, test_waiter_depr,
 *   run_hello_world: deprecated spellings of the tests kept here.
 */
import { describe, expect, it } from "vitest";
import { RuntimeError } from "../../src/core/index.js";
import { aioAsTrio, waitFuture } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { inLoop } from "../bridge/helpers.js";

function* helloWorld(result: string[], delay: number): asyncio.Coroutine<string> {
  result.push("Hello");
  yield* asyncio.sleep(delay);
  result.push("World");
  return ".";
}

describe("callbacks, after trio-asyncio's aiotest test_callback", () => {
  // test_call_soon
  it("a callSoon callback that calls stop() ends runForever()", async () => {
    const result = await inLoop(function* (loop) {
      const out: string[] = [];
      loop.callSoon((l: asyncio.EventLoop) => {
        out.push("Hello World");
        l.stop();
      }, loop);
      yield* loop.runForever();
      return out;
    });
    expect(result).toEqual(["Hello World"]);
  });

  // test_call_soon_control (bpo-22875)
  it("a callback scheduled by a callback runs after it returns, not inside it", async () => {
    const result = await inLoop(function* (loop) {
      const out: string[] = [];
      const appendResult = (l: asyncio.EventLoop, r: string[], value: string) => {
        r.push(value);
        l.stop();
      };
      loop.callSoon(
        (r: string[], l: asyncio.EventLoop) => {
          l.callSoon(appendResult, l, r, "yes");
          r.push(JSON.stringify(r));
        },
        out,
        loop,
      );
      yield* loop.runForever();
      return out;
    });
    expect(result).toEqual(["[]", "yes"]);
  });

  // test_close (bpo-22922): a closed loop refuses new work
  it("after its block, the loop refuses callSoon, callSoonThreadsafe, callLater, callAt, createTask and runInExecutor", async () => {
    const loop = await inLoop(function* (l) {
      return l;
    });
    expect(loop.isClosed()).toBe(true);
    const func = () => false;
    let submitted = 0;
    const executor = {
      submit(l: asyncio.EventLoop): asyncio.Future<unknown> {
        submitted++;
        return l.createFuture();
      },
    };
    function* test(): asyncio.Coroutine<void> {}
    const coro = test();
    const attempts: [string, () => unknown][] = [
      ["callSoon", () => loop.callSoon(func)],
      ["callSoonThreadsafe", () => loop.callSoonThreadsafe(func)],
      ["callLater", () => loop.callLater(1.0, func)],
      ["callAt", () => loop.callAt(loop.time(), func)],
      ["createTask", () => loop.createTask(coro)],
      ["runInExecutor", () => loop.runInExecutor(executor, "work")],
      ["runInExecutor", () => loop.runInExecutor(null, "work")],
    ];
    const errors: Record<string, string> = {};
    for (const [name, attempt] of attempts) {
      let err: unknown = null;
      try {
        attempt();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(RuntimeError);
      errors[name] = (err as Error).message;
      // callSoonThreadsafe and callLater share callSoon's and callAt's check, and its message.
      expect((err as Error).message, name).toContain("() on a closed event loop");
    }
    expect(submitted).toBe(0);
    expect(errors.runInExecutor).toMatch(/^runInExecutor\(\) on a closed event loop/);
    // The refused coroutine was closed, so it can never run later.
    expect(coro.next()).toEqual({ done: true, value: undefined });
  });
});

describe("coroutines, after trio-asyncio's aiotest test_coroutine", () => {
  // test_hello_world: run_aio_coroutine(ensure_future(coro))
  it("Trio code waits for a coroutine wrapped with ensureFuture", async () => {
    const result: string[] = [];
    const r = await inLoop(function* (loop) {
      return yield* waitFuture(asyncio.ensureFuture(helloWorld(result, 0.001), { loop }));
    });
    expect(r).toBe(".");
    expect(result).toEqual(["Hello", "World"]);
  });

  // test_waiter
  it("a coroutine awaits a Future set by a callback, then another coroutine", async () => {
    const result: string[] = [];
    function* waiter(): asyncio.Coroutine<void> {
      const loop = asyncio.getRunningLoop();
      const fut = loop.createFuture<string>();
      loop.callSoon((v: string) => fut.setResult(v), "Future");
      result.push(yield* fut);
      result.push(yield* helloWorld(result, 0.001));
    }
    await inLoop(() => aioAsTrio(waiter)());
    expect(result).toEqual(["Future", "Hello", "World", "."]);
  });
});

describe("timers, after trio-asyncio's aiotest test_timer", () => {
  // test_display_date
  it("a callLater chain runs a fixed number of times, then stops the loop", async () => {
    const r = await inLoop(function* (loop) {
      const delay = 0.05;
      const count = 3;
      const times: number[] = [];
      const displayDate = (endTime: number[], l: asyncio.EventLoop) => {
        if (endTime.length === 0) endTime.push(l.time() + delay * count);
        times.push(l.time());
        if (l.time() + delay < endTime[0]!) l.callLater(delay, displayDate, endTime, l);
        else l.stop();
      };
      loop.callSoon(displayDate, [] as number[], loop);
      yield* loop.runForever();
      return times;
    });
    expect(r).toHaveLength(3);
    expect(r[2]! - r[0]!).toBeCloseTo(0.1);
  });

  // test_later_stop_later
  it("stop() by a timer ends one runForever(); a later timer still runs for the next", async () => {
    const r = await inLoop(function* (loop) {
      const result: string[] = [];
      loop.callLater(0.001, () => result.push("Hello"));
      loop.callLater(0.025, () => loop.stop());
      loop.callLater(0.05, () => {
        result.push("World");
        loop.stop();
      });
      yield* loop.runForever();
      const first = [...result];
      yield* loop.runForever();
      return { first, then: result, at: loop.time() };
    });
    expect(r.first).toEqual(["Hello"]);
    expect(r.then).toEqual(["Hello", "World"]);
    expect(r.at).toBeCloseTo(0.05);
  });
});
