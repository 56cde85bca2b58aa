/**
 * Cancellation counting (cancel/uncancel/cancelling) at the edges, after
 * CPython's Lib/test/test_asyncio/test_tasks.py, test_timeouts.py and the
 * shield tests there (semantics only; the code and words are ours). Each
 * test names the CPython test it follows; the rules the other cpython-*
 * files and test/asyncio cover already are not repeated.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, TimeoutError, currentTask, gather, shield, sleep, timeout, type Coroutine } from "../../src/asyncio/index.js";
import { raises, runAio, spin } from "../asyncio/helpers.js";

describe("cancel() and uncancel() on a Task, after CPython's test_tasks", () => {
  // test_uncancel_resets_must_cancel
  it("a cancel that is still to be thrown in (the awaited Future just finished) is withdrawn by uncancel(): the task returns its value", async () => {
    const seen = await runAio(function* (loop) {
      const fut = loop.createFuture<void>();
      const task = loop.createTask(
        (function* (): Coroutine<number> {
          yield* fut;
          return 42;
        })(),
      );
      yield* sleep(0); // the task now waits on fut
      fut.setResult(); // its wakeup is scheduled
      expect(task.cancel()).toBe(true); // fut is done: the cancel waits for the next step
      const counts = [task.cancelling()];
      counts.push(task.uncancel());
      return { counts, result: yield* task, cancelled: task.cancelled() };
    });
    expect(seen).toEqual({ counts: [1, 0], result: 42, cancelled: false });
  });

  // test_cancel_at_end
  it("a task that cancels itself in its last step ends cancelled, though its coroutine returned", async () => {
    const seen = await runAio(function* (loop) {
      const task = loop.createTask(
        (function* (): Coroutine<number> {
          yield* sleep(0);
          expect(currentTask()!.cancel()).toBe(true);
          return 12;
        })(),
      );
      const error = yield* raises(() => task[Symbol.iterator]() as Coroutine<number>);
      return { cancelled: task.cancelled(), isCancelledError: error instanceof CancelledError };
    });
    expect(seen).toEqual({ cancelled: true, isCancelledError: true });
  });

  // test_cancel_task_catching
  it("a task that catches its cancellation and returns ends with that value; cancelling() still counts the request", async () => {
    const seen = await runAio(function* (loop) {
      const task = loop.createTask(
        (function* (): Coroutine<number> {
          try {
            yield* sleep(10);
          } catch (error) {
            if (error instanceof CancelledError) return 42;
            throw error;
          }
          return 0;
        })(),
      );
      yield* sleep(0);
      task.cancel();
      const result = yield* task;
      return { result, cancelled: task.cancelled(), cancelling: task.cancelling() };
    });
    expect(seen).toEqual({ result: 42, cancelled: false, cancelling: 1 });
  });

  // test_cancel_task_ignoring
  it("a task that ignores its cancellation goes on waiting; it ends normally when its next wait does", async () => {
    const seen = await runAio(function* (loop) {
      const ready = loop.createFuture<number>();
      const task = loop.createTask(
        (function* (): Coroutine<number> {
          try {
            yield* sleep(10);
          } catch (error) {
            if (!(error instanceof CancelledError)) throw error;
          }
          return yield* ready;
        })(),
      );
      yield* sleep(0);
      task.cancel();
      yield* spin(2);
      const pendingAfterCancel = !task.done();
      ready.setResult(7);
      return { pendingAfterCancel, result: yield* task, cancelled: task.cancelled() };
    });
    expect(seen).toEqual({ pendingAfterCancel: true, result: 7, cancelled: false });
  });
});

describe("timeout() after the task swallowed a cancellation, after CPython's test_timeouts", () => {
  // test_timeout_after_cancellation
  it("a timeout in the finally of a swallowed cancellation still raises TimeoutError (the count starts at 1 there)", async () => {
    const seen = await runAio(function* () {
      const me = currentTask()!;
      let error: unknown;
      try {
        me.cancel();
        yield* sleep(1);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      } finally {
        error = yield* raises(() =>
          timeout(0).run(function* () {
            yield* sleep(1);
          }),
        );
      }
      return { timeoutError: error instanceof TimeoutError, cancelling: me.cancelling() };
    });
    expect(seen).toEqual({ timeoutError: true, cancelling: 1 });
  });

  // test_cancel_in_timeout_after_cancellation
  it("a cancel inside that timeout, before its deadline, stays a CancelledError", async () => {
    const seen = await runAio(function* () {
      const me = currentTask()!;
      let error: unknown;
      try {
        me.cancel();
        yield* sleep(1);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      } finally {
        const cm = timeout(1);
        error = yield* raises(() =>
          cm.run(function* () {
            me.cancel();
            yield* sleep(2);
          }),
        );
        expect(cm.expired()).toBe(false);
      }
      return { cancelledError: error instanceof CancelledError && !(error instanceof TimeoutError), cancelling: me.cancelling() };
    });
    expect(seen).toEqual({ cancelledError: true, cancelling: 2 });
  });
});

describe("shield(), after CPython's test_tasks", () => {
  // test_shield_result, test_shield_exception
  it("shield of a finished Future or Task is that very object; awaiting it gives its result or error", async () => {
    const seen = await runAio(function* (loop) {
      const ok = loop.createFuture<number>();
      ok.setResult(1);
      const failed = loop.createTask(
        (function* (): Coroutine<never> {
          throw new Error("inner failed");
        })(),
      );
      yield* sleep(0);
      const error = yield* raises(() => shield(failed)[Symbol.iterator]() as Coroutine<never>);
      return { same: shield(ok) === ok && shield(failed) === failed, result: yield* shield(ok), error: (error as Error).message };
    });
    expect(seen).toEqual({ same: true, result: 1, error: "inner failed" });
  });

  // test_shield_effect
  it("cancelling the task that awaits a shield cancels only that task; the inner work finishes", async () => {
    const seen = await runAio(function* (loop) {
      const proof = { inner: 0, outer: 0 };
      const inner = loop.createTask(
        (function* (): Coroutine<void> {
          yield* sleep(0.1);
          proof.inner += 1;
        })(),
      );
      const outer = loop.createTask(
        (function* (): Coroutine<void> {
          yield* shield(inner);
          proof.outer += 1;
        })(),
      );
      yield* sleep(0);
      outer.cancel();
      const error = yield* raises(() => outer[Symbol.iterator]() as Coroutine<void>);
      yield* inner;
      return { ...proof, outerCancelled: error instanceof CancelledError, innerCancelled: inner.cancelled() };
    });
    expect(seen).toEqual({ inner: 1, outer: 0, outerCancelled: true, innerCancelled: false });
  });

  // test_gather_shield
  it("cancelling gather(shield(a), shield(b)) cancels the shields, not a and b, which finish with their results", async () => {
    const seen = await runAio(function* (loop) {
      const a = loop.createFuture<string>();
      const b = loop.createFuture<string>();
      const sa = shield(a);
      const sb = shield(b);
      const g = gather(sa, sb);
      yield* sleep(0);
      g.cancel();
      const error = yield* raises(() => g[Symbol.iterator]() as Coroutine<unknown>);
      a.setResult("a");
      b.setResult("b");
      yield* sleep(0);
      return { gather: error instanceof CancelledError, shields: [sa.cancelled(), sb.cancelled()], inner: [a.result(), b.result()] };
    });
    expect(seen).toEqual({ gather: true, shields: [true, true], inner: ["a", "b"] });
  });
});
