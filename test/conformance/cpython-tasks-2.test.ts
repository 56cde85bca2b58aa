/**
 * More Task, wait, asCompleted and gather rules from CPython's
 * Lib/test/test_asyncio/test_tasks.py (semantics only; the code and words
 * are ours), beyond cpython-tasks.test.ts and test/asyncio. Each test names
 * the CPython test it follows.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  asCompleted,
  CancelledError,
  createTask,
  currentTask,
  FIRST_COMPLETED,
  gather,
  sleep,
  Task,
  wait,
  type Coroutine,
  type Future,
} from "../../src/asyncio/index.js";
import { checkpoint, runWith } from "../../src/core/index.js";
import { openLoop } from "../../src/bridge/index.js";
import { MockClock } from "../../src/testing/index.js";
import { raises, runAio, spin } from "../asyncio/helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function* awaited<T>(f: Future<T>): Coroutine<T> {
  return yield* f;
}

function* sleepLong(): Coroutine<void> {
  yield* sleep(10);
}

describe("cancel messages, after CPython's test_tasks", () => {
  // test_cancel_with_message_then_future_result / _then_future_exception
  it("the message given to cancel() reaches result() and exception() of the task; none gives an empty message, a number its string", async () => {
    const cases: [unknown[], string][] = [
      [[], ""],
      [[undefined], ""],
      [["my message"], "my message"],
      // CPython keeps 5 as the error's args; an Error's message here is a string (see docs/asyncio.md, CancelledError is an Error)
      [[5], "5"],
    ];
    for (const [args, expected] of cases) {
      for (const read of ["result", "exception"] as const) {
        const e = await runAio(function* () {
          const t = createTask(sleepLong());
          yield* sleep(0);
          (t.cancel as (...a: unknown[]) => boolean)(...args);
          yield* wait([t]);
          return yield* raises(function* () {
            t[read]();
          });
        });
        expect(e).toBeInstanceOf(CancelledError);
        expect((e as Error).message).toBe(expected);
      }
    }
  });

  // test_cancel_with_message_before_starting_task
  it("cancel(msg) before the task's first step: the task never runs, and exception() raises CancelledError(msg)", async () => {
    const r = await runAio(function* () {
      let ran = false;
      const t = createTask(
        (function* () {
          ran = true;
          yield* sleep(10);
        })(),
      );
      t.cancel("my message");
      yield* wait([t]);
      const e = yield* raises(function* () {
        t.exception();
      });
      return { ran, e };
    });
    expect(r.ran).toBe(false);
    expect(r.e).toBeInstanceOf(CancelledError);
    expect((r.e as Error).message).toBe("my message");
  });

  // test_cancellation_exception_context: the CancelledError caught from an awaited task carries the message, and can be a cause
  it("cancelling an awaited task from a callback with a message: the awaiting task catches CancelledError(msg) and may raise its own error from it", async () => {
    const r = await runAio(function* (loop) {
      const fut = loop.createFuture<void>();
      const inner = createTask(
        (function* () {
          fut.setResult();
          yield* sleep(10);
        })(),
      );
      const outer = createTask(
        (function* () {
          yield* fut;
          loop.callSoon(() => inner.cancel("msg"));
          try {
            yield* inner;
          } catch (ex) {
            throw new RangeError("cancelled", { cause: ex });
          }
        })(),
      );
      return yield* raises(() => awaited(outer));
    });
    expect(r).toBeInstanceOf(RangeError);
    const cause = (r as Error).cause;
    expect(cause).toBeInstanceOf(CancelledError);
    expect((cause as Error).message).toBe("msg");
  });
});

describe("Task life, after CPython's test_tasks", () => {
  // test_task_basics
  it("a task's coroutine awaiting nested coroutines returns their combined value", async () => {
    const r = await runAio(function* () {
      function* inner1(): Coroutine<number> {
        return 42;
      }
      function* inner2(): Coroutine<number> {
        yield* sleep(0);
        return 1000;
      }
      function* outer(): Coroutine<number> {
        const a = yield* inner1();
        const b = yield* inner2();
        return a + b;
      }
      return yield* createTask(outer());
    });
    expect(r).toBe(1042);
  });

  // test_uncancel_basic
  it("cancel, uncancel inside, cancel again: cancelling() goes 1, 0, 1; the task ends cancelled; uncancel() after the end changes nothing", async () => {
    const r = await runAio(function* () {
      const t = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch {
            currentTask()!.uncancel();
            yield* sleep(10);
          }
        })(),
      );
      yield* sleep(0.01);
      const log: unknown[] = [];
      log.push(t.cancel(), t.cancelling(), t.cancelled());
      // CPython's repr says "cancelling" while the request is pending, and no longer once uncancel() withdrew it
      const cancellingRepr = String(t);
      yield* sleep(0.01);
      log.push(t.cancelling(), t.cancelled());
      const afterRepr = String(t);
      log.push(t.cancel(), t.cancelling());
      const e = yield* raises(() => awaited(t));
      log.push(e instanceof CancelledError, t.cancelled(), t.done());
      t.uncancel();
      log.push(t.cancelled(), t.done());
      return { log, cancellingRepr, afterRepr, endRepr: String(t) };
    });
    expect(r.log).toEqual([true, 1, false, 0, false, true, 1, true, true, true, true, true]);
    expect(r.cancellingRepr).toMatch(/ cancelling>$/);
    expect(r.afterRepr).toMatch(/ pending>$/);
    expect(r.endRepr).toMatch(/ cancelled>$/);
  });

  // test_cancel_yield
  it("a task cancelled at its sleep(0) ends cancelled; a second cancel() returns false", async () => {
    const r = await runAio(function* () {
      const t = createTask(
        (function* () {
          yield* sleep(0);
          yield* sleep(0);
          return 12;
        })(),
      );
      yield* spin();
      const first = t.cancel();
      const e = yield* raises(() => awaited(t));
      return { first, e, cancelled: t.cancelled(), again: t.cancel() };
    });
    expect(r.first).toBe(true);
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.cancelled).toBe(true);
    expect(r.again).toBe(false);
  });

  // test_task_cancel_sleeping_task
  it("a task awaiting a sleeper that a timer cancels gets CancelledError at the timer's time, not the sleep's", async () => {
    const r = await runAio(function* (loop) {
      const t0 = loop.time();
      const sleeper = createTask(sleep(5000));
      loop.callLater(0.1, () => sleeper.cancel());
      let outcome: string;
      try {
        yield* sleeper;
        outcome = "slept in";
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        outcome = "cancelled";
      }
      return { outcome, elapsed: loop.time() - t0 };
    });
    expect(r.outcome).toBe("cancelled");
    expect(r.elapsed).toBeCloseTo(0.1, 9);
  });

  // test_task_cancel_waiter_future
  it("while a task waits on a Future, waitingOn is that Future; cancelling the task cancels it and clears waitingOn", async () => {
    const r = await runAio(function* (loop) {
      const fut = loop.createFuture<void>();
      const t = createTask(awaited(fut));
      yield* spin();
      const waiting = t.waitingOn === fut;
      t.cancel();
      yield* spin();
      const e = yield* raises(() => awaited(t));
      return { waiting, e, after: t.waitingOn, futCancelled: fut.cancelled() };
    });
    expect(r.waiting).toBe(true);
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.after).toBeNull();
    expect(r.futCancelled).toBe(true);
  });

  // test_current_task_with_interleaving_tasks
  it("currentTask() is the right task on each side of two tasks that wake each other", async () => {
    const r = await runAio(function* (loop) {
      const fut1 = loop.createFuture<boolean>();
      const fut2 = loop.createFuture<boolean>();
      const seen: boolean[] = [];
      const tasks: { task1: Task<void> | null; task2: Task<void> | null } = { task1: null, task2: null };
      tasks.task1 = createTask(
        (function* () {
          seen.push(currentTask() === tasks.task1);
          yield* fut1;
          seen.push(currentTask() === tasks.task1);
          fut2.setResult(true);
        })(),
      );
      tasks.task2 = createTask(
        (function* () {
          seen.push(currentTask() === tasks.task2);
          fut1.setResult(true);
          yield* fut2;
          seen.push(currentTask() === tasks.task2);
        })(),
      );
      const me = currentTask();
      yield* wait([tasks.task1, tasks.task2]);
      return { seen, stillMe: currentTask() === me };
    });
    expect(r.seen).toEqual([true, true, true, true]);
    expect(r.stillMe).toBe(true);
  });

  // test_task_repr_name_not_str / test_bare_create_named_task
  it("a task named with a number reports its string; createTask(coro, { name }) gives that name", async () => {
    const r = await runAio(function* () {
      const a = createTask((function* () {})(), { name: 987 as unknown as string });
      const b = createTask((function* () {})(), { name: "named" });
      yield* a;
      yield* b;
      return [a.getName(), b.getName(), String(b)];
    });
    expect(r[0]).toBe("987");
    expect(r[1]).toBe("named");
    expect(r[2]).toContain("named");
  });

  // test_get_coro
  it("getCoro() is the coroutine given, before and after the task is done", async () => {
    const r = await runAio(function* () {
      const coro = (function* (): Coroutine<number> {
        yield* sleep(0);
        return 1;
      })();
      const t = createTask(coro);
      const before = t.getCoro() === coro;
      yield* t;
      return { before, after: t.getCoro() === coro };
    });
    expect(r).toEqual({ before: true, after: true });
  });

  // test_task_source_traceback
  it("in debug mode a task records where it was created; not otherwise", async () => {
    const r = await runAio(function* (loop) {
      const plain = createTask((function* () {})());
      loop.setDebug(true);
      const debug = createTask((function* () {})());
      loop.setDebug(false);
      yield* plain;
      yield* debug;
      return { plain: plain.sourceTraceback, debug: debug.sourceTraceback };
    });
    expect(r.plain).toBeUndefined();
    expect(r.debug).toMatch(/cpython-tasks-2/);
  });

  // test_log_destroyed_pending_task (ours: at the block's exit, in debug mode; docs/asyncio.md difference 11)
  it("in debug mode a task still pending when the block ends is reported as 'Task was destroyed but it is pending', with its creation stack", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      return yield* openLoop(
        function* (loop) {
          // Created from Trio code, so it is still pending, never stepped, when the block ends
          loop.createTask(
            (function* () {
              yield* loop.createFuture<void>();
            })(),
            { name: "kill_me" },
          );
          yield* checkpoint();
        },
        { debug: true },
      );
    });
    const lines = warn.mock.calls.filter((c) => /Task was destroyed but it is pending/.test(String(c[0])));
    expect(lines).toHaveLength(1);
    expect(String(lines[0]![0])).toContain("kill_me");
    expect(String(lines[0]![1])).toMatch(/cpython-tasks-2/);
  });
});

describe("wait and asCompleted, after CPython's test_tasks", () => {
  // test_wait_really_done: FIRST_COMPLETED also reports the tasks that finished before the waiter woke
  it("wait(FIRST_COMPLETED) counts as done every task done when it wakes, not only the first", async () => {
    const r = await runAio(function* () {
      const a = createTask(
        (function* () {
          yield* sleep(0);
        })(),
      );
      const b = createTask(
        (function* () {
          yield* sleep(0);
          yield* sleep(0);
        })(),
      );
      const [done, pending] = yield* createTask(wait([b, a], { returnWhen: FIRST_COMPLETED }));
      return { both: done.has(a) && done.has(b), pending: pending.size, results: [a.result(), b.result()] };
    });
    expect(r).toEqual({ both: true, pending: 0, results: [undefined, undefined] });
  });

  // test_as_completed_with_unused_timeout
  it("asCompleted with a timeout longer than the work: no TimeoutError, and its timer is gone afterwards", async () => {
    const r = await runAio(function* (loop) {
      const out: string[] = [];
      for (const next of asCompleted([sleep(0.01, "a")], { timeout: 1 })) out.push(yield* next);
      return { out, timers: loop.pending.timers, at: loop.time() };
    });
    expect(r.out).toEqual(["a"]);
    expect(r.timers).toBe(0);
  });

  // test_wait_with_exception: ALL_COMPLETED returns both, the error stays in its task
  it("wait() with one failing task returns both as done without raising; the error is read from the task", async () => {
    const r = await runAio(function* () {
      const ok = createTask(sleep(0.1, "ok"));
      const bad = createTask(
        (function* (): Coroutine<never> {
          yield* sleep(0.15);
          throw new RangeError("bad");
        })(),
      );
      const [done, pending] = yield* wait([ok, bad]);
      return { done: done.size, pending: pending.size, e: bad.exception() };
    });
    expect(r.done).toBe(2);
    expect(r.pending).toBe(0);
    expect(r.e).toBeInstanceOf(RangeError);
  });
});

describe("gather, after CPython's GatherTests in test_tasks", () => {
  // test_one_exception: the first error is gather's; the other children go on and their later errors are not reported
  it("the first child error finishes gather with it; the others still finish, their errors retrieved", async () => {
    const r = await runAio(function* (loop) {
      const fs = [0, 1, 2, 3, 4].map(() => loop.createFuture<number>());
      const g = gather(...fs);
      const e1 = new RangeError("first");
      fs[0]!.setResult(0);
      fs[1]!.setException(e1);
      yield* spin();
      const gDone = g.done();
      fs[2]!.setResult(2);
      fs[3]!.setException(new TypeError("later"));
      fs[4]!.setResult(4);
      yield* spin();
      return { gDone, gErr: g.exception(), e1 };
    });
    expect(r.gDone).toBe(true);
    expect(r.gErr).toBe(r.e1);
  });

  // test_return_exceptions
  it("with returnExceptions, results and errors come back in argument order", async () => {
    const r = await runAio(function* (loop) {
      const fs = [0, 1, 2, 3].map(() => loop.createFuture<number>());
      const g = gather(...fs, { returnExceptions: true });
      const e1 = new RangeError("1");
      const e3 = new TypeError("3");
      fs[3]!.setException(e3);
      fs[0]!.setResult(0);
      fs[1]!.setException(e1);
      fs[2]!.setResult(2);
      const out = yield* g;
      return { out, e1, e3 };
    });
    expect(r.out).toEqual([0, r.e1, 2, r.e3]);
  });

  // test_result_exception_one_cancellation: a cancelled child shows as a CancelledError among the results
  it("with returnExceptions, a cancelled child gives a CancelledError at its position", async () => {
    const r = await runAio(function* (loop) {
      const fs = [0, 1, 2].map(() => loop.createFuture<number>());
      const g = gather(...fs, { returnExceptions: true });
      fs[0]!.setResult(0);
      fs[1]!.cancel("gone");
      fs[2]!.setResult(2);
      return yield* g;
    });
    expect(r[0]).toBe(0);
    expect(r[1]).toBeInstanceOf(CancelledError);
    expect((r[1] as Error).message).toBe("gone");
    expect(r[2]).toBe(2);
  });

  // test_one_cancellation: without returnExceptions a cancelled child fails gather with CancelledError
  it("without returnExceptions, a cancelled child ends gather with CancelledError while the others go on", async () => {
    const r = await runAio(function* (loop) {
      const fs = [0, 1, 2].map(() => loop.createFuture<number>());
      const g = gather(...fs);
      fs[0]!.setResult(0);
      fs[1]!.cancel();
      yield* spin();
      const e = yield* raises(() => awaited(g));
      return { e, othersPending: !fs[2]!.done(), gCancelled: g.cancelled() };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.othersPending).toBe(true);
    expect(r.gCancelled).toBe(false);
  });
});
