/**
 * waitFor() rules from CPython's Lib/test/test_asyncio/test_waitfor.py that
 * cpython-timeouts.test.ts does not port (semantics only; the code and
 * words are ours). Each test names the CPython test it follows. Every run
 * is on an autojumping MockClock, so "sleep 10" costs nothing and loop
 * times are exact.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, TimeoutError, createTask, sleep, waitFor, type Coroutine } from "../../src/asyncio/index.js";
import { raises, runAio } from "../asyncio/helpers.js";

class FooError extends Error {}

describe("waitFor(), after CPython's test_waitfor (the rest)", () => {
  // test_wait_for_timeout_less_then_0_or_0_future_done
  it("a Future already done is returned at once with a timeout of 0 or less, without waiting", async () => {
    const r = await runAio(function* (loop) {
      const out: unknown[] = [];
      for (const limit of [0, -1]) {
        const fut = loop.createFuture<string>();
        fut.setResult("done");
        const t0 = loop.time();
        out.push(yield* waitFor(fut, limit), fut.done(), loop.time() - t0);
      }
      return out;
    });
    expect(r).toEqual(["done", true, 0, "done", true, 0]);
  });

  // test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started
  it("a coroutine given a timeout of 0 or less never starts: TimeoutError at once", async () => {
    const r = await runAio(function* (loop) {
      const out: unknown[] = [];
      for (const limit of [0, -1]) {
        let started = false;
        const foo = function* (): Coroutine<void> {
          started = true;
        };
        const t0 = loop.time();
        const e = yield* raises(() => waitFor(foo(), limit));
        out.push(e instanceof TimeoutError, started, loop.time() - t0);
      }
      return out;
    });
    expect(r).toEqual([true, false, 0, true, false, 0]);
  });

  // test_wait_for
  it("on timeout the task is cancelled, its finally has run, and the wait took the timeout", async () => {
    const r = await runAio(function* (loop) {
      let running: boolean | null = null;
      const task = createTask(
        (function* () {
          running = true;
          try {
            yield* sleep(10);
          } finally {
            running = false;
          }
          return "done";
        })(),
      );
      const t0 = loop.time();
      const e = yield* raises(() => waitFor(task, 0.1));
      return { e, elapsed: loop.time() - t0, done: task.done(), cancelled: task.cancelled(), running };
    });
    expect(r.e).toBeInstanceOf(TimeoutError);
    expect(r.elapsed).toBeCloseTo(0.1, 9);
    expect([r.done, r.cancelled, r.running]).toEqual([true, true, false]);
  });

  // test_wait_for_blocking
  it("a timeout of null waits without limit and returns the result", async () => {
    const v = await runAio(function* () {
      return yield* waitFor(
        (function* () {
          yield* sleep(1000);
          return "done";
        })(),
        null,
      );
    });
    expect(v).toBe("done");
  });

  // test_wait_for_cancellation_race_condition and test_wait_for_cancel_suppressed
  it("inner work that catches the timeout's cancellation and returns: its value, not TimeoutError", async () => {
    const r = await runAio(function* (loop) {
      const t0 = loop.time();
      let caught: unknown;
      const v = yield* waitFor(
        (function* () {
          try {
            yield* sleep(10);
          } catch (e) {
            caught = e;
            return 42;
          }
          return 0;
        })(),
        0.1,
      );
      return { v, caught, elapsed: loop.time() - t0 };
    });
    expect(r.v).toBe(42);
    expect(r.caught).toBeInstanceOf(CancelledError);
    expect(r.elapsed).toBeCloseTo(0.1, 9);
  });

  // test_wait_for (the error path): an error of the inner work before the deadline passes through as is
  it("an error raised by the inner work before the deadline comes out unchanged, and the deadline is gone", async () => {
    const r = await runAio(function* (loop) {
      const e = yield* raises(() =>
        waitFor(
          (function* (): Coroutine<never> {
            yield* sleep(0.05);
            throw new FooError("inner");
          })(),
          0.1,
        ),
      );
      // Nothing of the expired deadline reaches this task later.
      yield* sleep(1);
      return { e, t: loop.time() };
    });
    expect(r.e).toBeInstanceOf(FooError);
    expect(r.t).toBeCloseTo(1.05, 9);
  });

  // test_wait_for (with a Future): a Future not done by the deadline is cancelled
  it("a plain Future not done by the deadline is cancelled, and TimeoutError's cause is the CancelledError", async () => {
    const r = await runAio(function* (loop) {
      const fut = loop.createFuture<string>();
      const e = yield* raises(() => waitFor(fut, 0.1));
      return { e, cancelled: fut.cancelled() };
    });
    expect(r.e).toBeInstanceOf(TimeoutError);
    expect((r.e as Error).cause).toBeInstanceOf(CancelledError);
    expect(r.cancelled).toBe(true);
  });
});
