/**
 * asyncio.toThread after CPython's Lib/test/test_asyncio/test_threads.py,
 * on the default worker pool (docs/workers.md). Each test names the
 * CPython test it follows; the code and wording are ours.
 *
 * Differences on purpose: the work is a named worker operation, not a
 * function; arguments and results are copies (no shared memory); there
 * are no keyword arguments, and an object argument is an argument, never
 * options. test_to_thread_contextvars has no counterpart: the worker runs
 * in its own thread with its own context, so the page's values do not
 * reach it.
 */
import { describe, expect, it } from "vitest";
import { run } from "../../src/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import { CancelledError, createTask, gather, sleep, toThread, type Coroutine } from "../../src/asyncio/index.js";
import { openWorkerPool, type WorkerPool } from "../../src/workers/index.js";
import type { BasicOps } from "../workers/fixtures/basic.worker.js";
import { tracker, type WorkerTracker } from "../workers/helpers.js";

/** Runs `main` as asyncio code inside an openLoop block inside a pool block of `size` workers. */
function inPool<T>(t: WorkerTracker, size: number, main: (pool: WorkerPool<BasicOps>) => Coroutine<T>): Promise<T> {
  return run(() =>
    openWorkerPool<BasicOps, T>(() => t.make(), (pool) => openLoop(() => aioAsTrio(() => main(pool))()), { size }),
  );
}

describe("CPython test_threads (asyncio.toThread)", () => {
  // test_to_thread and test_to_thread_exception
  it("returns the operation's result, and raises its error rebuilt as the same class", async () => {
    const t = await tracker("basic.worker");
    const r = await inPool(t, 1, function* () {
      const sum = yield* toThread<number>("add", 40, 2);
      let error: unknown;
      try {
        yield* toThread("fail", "test");
      } catch (e) {
        error = e;
      }
      return { sum, error };
    });
    expect(r.sum).toBe(42);
    expect(r.error).toBeInstanceOf(RangeError);
    expect((r.error as Error).message).toBe("test");
    expect(t.alive).toBe(0);
  });

  // test_to_thread_concurrent
  it("ten calls gathered at once all complete, at most one per worker at a time", async () => {
    const t = await tracker("basic.worker");
    const r = await inPool(t, 2, function* (pool) {
      let most = 0;
      const watcher = createTask(
        (function* () {
          for (;;) {
            most = Math.max(most, pool.limiter.borrowedTokens);
            yield* sleep(0.005);
          }
        })(),
      );
      const results = yield* gather(...Array.from({ length: 10 }, (_, i) => toThread<number>("sleepThenAdd", 0.02, i, 1)));
      watcher.cancel();
      return { results, most, started: pool.workersStarted };
    });
    expect(r.results).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(r.most).toBe(2);
    expect(r.started).toBe(2);
  });

  // test_to_thread_args_kwargs: the arguments arrive in order, and an object that looks like options is
  // an argument (there are no keyword arguments to mistake it for)
  it("passes every argument in order, an options-like object included", async () => {
    const t = await tracker("basic.worker");
    const r = await inPool(t, 1, function* () {
      return [yield* toThread<number>("sleepThenAdd", 0, 1, 2), yield* toThread<object>("echo", { transfer: [] })];
    });
    expect(r).toEqual([3, { transfer: [] }]);
  });

  // Cancellation (test_tasks' rule for a Task awaiting executor work): the Task is cancelled only once the
  // worker side has ended, its finally included.
  it("cancelling a Task that awaits toThread cancels the work; the Task ends cancelled after the worker's finally", async () => {
    const t = await tracker("basic.worker");
    const r = await inPool(t, 1, function* () {
      const task = createTask(toThread("waitForCancel", "x"));
      while (!t.logs.includes("x:started")) yield* sleep(0.01);
      task.cancel();
      let error: unknown;
      try {
        yield* task;
      } catch (e) {
        error = e;
      }
      return { error, logs: [...t.logs], cancelled: task.cancelled() };
    });
    expect(r.error).toBeInstanceOf(CancelledError);
    expect(r.cancelled).toBe(true);
    expect(r.logs).toEqual(["x:started", "x:finally"]);
  });

  // CPython's run_in_executor Future is cancelled at once, whatever the thread does. Ours waits for the
  // worker (above), so when the work catches its cancellation and returns, the Future gets that value, and
  // the Task goes on as when it awaits a Task that swallows a cancel (CPython's Task.cancel): no
  // CancelledError, and cancelling() still counts the request.
  it("work that catches its cancellation and returns: the awaiting Task gets the value and is not cancelled", async () => {
    const t = await tracker("basic.worker");
    const r = await inPool(t, 1, function* () {
      const task = createTask(
        (function* () {
          const v = yield* toThread<string>("cancelToValue");
          yield* sleep(0.01); // no CancelledError here either
          return v;
        })(),
      );
      while (!t.logs.includes("cancelToValue:started")) yield* sleep(0.01);
      const accepted = task.cancel();
      const v = yield* task;
      return { accepted, v, cancelled: task.cancelled(), cancelling: task.cancelling() };
    });
    expect(r).toEqual({ accepted: true, v: "caught", cancelled: false, cancelling: 1 });
  });
});
