/**
 * Task, gather, wait, asCompleted and shield rules taken from CPython's
 * Lib/test/test_asyncio/test_tasks.py (semantics only; the code and words
 * are ours). Each test names the CPython test it follows. Rules already
 * covered by test/asyncio (tasks, gather-wait, cpython-semantics) are not
 * repeated here.
 */
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  FIRST_COMPLETED,
  Future,
  allTasks,
  asCompleted,
  createTask,
  currentTask,
  gather,
  shield,
  sleep,
  timeout,
  TimeoutError,
  wait,
  type Coroutine,
  type ExceptionContext,
} from "../../src/asyncio/index.js";
import { awaited, raises, runAio, sleepValue, spin } from "../asyncio/helpers.js";

describe("Task cancellation, after CPython's test_tasks", () => {
  // test_yield_future_passes_cancel
  it("a cancel reaches the innermost wait; an outer coroutine that swallows it lets the task finish normally", async () => {
    const r = await runAio(function* (loop) {
      let proof = 0;
      const waiter = loop.createFuture<void>();
      function* inner(): Coroutine<void> {
        try {
          yield* waiter;
        } catch (e) {
          proof += 1;
          throw e;
        }
      }
      const t = createTask(
        (function* () {
          try {
            yield* inner();
          } catch {
            proof += 100;
          }
        })(),
      );
      yield* spin();
      expect(t.cancel()).toBe(true);
      yield* t;
      return { proof, waiterCancelled: waiter.cancelled(), taskCancelled: t.cancelled() };
    });
    expect(r).toEqual({ proof: 101, waiterCancelled: true, taskCancelled: false });
  });

  // test_yield_wait_does_not_shield_cancel
  it("wait() does not shield: the waiting task is cancelled, the awaited task goes on", async () => {
    const r = await runAio(function* (loop) {
      let proof = 0;
      const waiter = loop.createFuture<void>();
      const inner = createTask(
        (function* () {
          yield* waiter;
          proof += 1;
        })(),
      );
      const outer = createTask(
        (function* () {
          yield* wait([inner]);
          proof += 100;
        })(),
      );
      yield* spin();
      outer.cancel();
      const e = yield* raises(() => awaited(outer));
      waiter.setResult();
      yield* inner;
      return { e, proof };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.proof).toBe(1);
  });

  // test_cancel_inner_future and test_cancel_both_task_and_inner_future
  it("cancelling the Future a task awaits cancels the task; cancelling both at once too", async () => {
    for (const both of [false, true]) {
      const r = await runAio(function* (loop) {
        const f = loop.createFuture<number>();
        const t = createTask(
          (function* () {
            yield* f;
            return 12;
          })(),
        );
        yield* spin();
        f.cancel();
        if (both) t.cancel();
        const e = yield* raises(() => awaited(t));
        return { e, f: f.cancelled(), t: t.cancelled() };
      });
      expect(r.e).toBeInstanceOf(CancelledError);
      expect(r.f && r.t).toBe(true);
    }
  });

  // test_cancel_awaited_task
  it("a task that cancelled itself and then awaits a new task cancels that task too", async () => {
    const r = await runAio(function* () {
      let nested: ReturnType<typeof createTask<void>> | null = null;
      const t = createTask(
        (function* () {
          nested = createTask(sleep(10));
          currentTask()!.cancel();
          yield* nested;
        })(),
      );
      const e = yield* raises(() => awaited(t));
      return { e, nestedCancelled: nested!.cancelled() };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.nestedCancelled).toBe(true);
  });

  // test_cancel_with_message_then_future_result
  it("the cancel message travels through result() of the cancelled task into the caller's CancelledError", async () => {
    for (const kind of ["result", "exception"] as const) {
      const e = await runAio(function* () {
        const outer = createTask(
          (function* () {
            const inner = createTask(sleep(10));
            yield* sleep(0);
            inner.cancel("my message");
            yield* wait([inner]);
            if (kind === "result") inner.result();
            else inner.exception();
          })(),
        );
        return yield* raises(() => awaited(outer));
      });
      expect(e).toBeInstanceOf(CancelledError);
      expect((e as CancelledError).message).toBe("my message");
    }
  });

  // test_cancelling
  it("cancel() on a task already asked to cancel still returns true and counts the request", async () => {
    const r = await runAio(function* () {
      const t = createTask(sleep(10));
      yield* spin();
      const first = t.cancel();
      const second = t.cancel();
      const counted = t.cancelling();
      const e = yield* raises(() => awaited(t));
      return { first, second, counted, e };
    });
    expect(r).toMatchObject({ first: true, second: true, counted: 2 });
    expect(r.e).toBeInstanceOf(CancelledError);
  });

  // test_uncancel_basic
  it("a task that uncancels its first cancellation goes on, and a second cancel ends it", async () => {
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
      t.cancel();
      yield* sleep(0.01);
      const level = t.cancelling();
      const again = t.cancel();
      const e = yield* raises(() => awaited(t));
      return { level, again, e };
    });
    expect(r.level).toBe(0);
    expect(r.again).toBe(true);
    expect(r.e).toBeInstanceOf(CancelledError);
  });

  // test_uncancel_structured_blocks
  it("a hand-made timeout (callLater + cancel, then uncancel in finally) turns the cancel into its own error and leaves the task clean", async () => {
    const r = await runAio(function* (loop) {
      class Expired extends Error {}
      function* withDeadline(work: number, limit: number): Coroutine<{ timedOut: boolean; finished: boolean }> {
        const task = currentTask()!;
        let timedOut = false;
        let finished = false;
        const h = loop.callLater(limit, () => {
          timedOut = true;
          task.cancel();
        });
        try {
          try {
            yield* sleep(work);
            finished = true;
          } catch (e) {
            h.cancel();
            if (timedOut && task.uncancel() === 0 && e instanceof CancelledError) throw new Expired();
            throw e;
          }
          h.cancel();
        } catch (e) {
          if (!(e instanceof Expired)) throw e;
        }
        expect(task.cancelling()).toBe(0);
        yield* sleep(0);
        return { timedOut, finished };
      }
      return [yield* withDeadline(10, 1), yield* withDeadline(1, 10)];
    });
    expect(r).toEqual([
      { timedOut: true, finished: false },
      { timedOut: false, finished: true },
    ]);
  });
});

describe("gather, wait, asCompleted and shield, after CPython's test_tasks", () => {
  // test_cancel_gather_1 (Python issue 26923)
  it("gather.cancel() from a callback after its only child finished returns false and the result stands", async () => {
    const r = await runAio(function* (loop) {
      const fut = loop.createFuture<number>();
      const g = gather(
        (function* () {
          return yield* fut;
        })(),
      );
      yield* spin();
      let cancelResult: boolean | null = null;
      fut.addDoneCallback(() => {
        cancelResult = g.cancel();
      });
      fut.setResult(42);
      const v = yield* g;
      return { cancelResult, cancelled: g.cancelled(), v };
    });
    expect(r).toEqual({ cancelResult: false, cancelled: false, v: [42] });
  });

  // test_shield_gather
  it("shield(gather(...)): cancelling the shield leaves the gather and its children running", async () => {
    const r = await runAio(function* (loop) {
      const c1 = loop.createFuture<number>();
      const c2 = loop.createFuture<number>();
      const parent = gather(c1, c2);
      const outer = shield(parent);
      yield* spin();
      outer.cancel();
      yield* spin();
      const states = [outer.cancelled(), parent.cancelled(), c1.cancelled(), c2.cancelled()];
      c1.setResult(1);
      c2.setResult(2);
      return { states, v: yield* parent };
    });
    expect(r.states).toEqual([true, false, false, false]);
    expect(r.v).toEqual([1, 2]);
  });

  // test_as_completed_reverse_wait
  it("asCompleted hands out completions in order, whichever of its coroutines is awaited first", async () => {
    const r = await runAio(function* () {
      const steps = [...asCompleted([createTask(sleepValue(0.05, "a")), createTask(sleepValue(0.1, "b"))])];
      expect(steps).toHaveLength(2);
      const second = yield* steps[1]!;
      const first = yield* steps[0]!;
      return [second, first];
    });
    expect(r).toEqual(["a", "b"]);
  });

  // test_as_completed_concurrent
  it("two coroutines of one asCompleted, awaited at once by wait(), get both results", async () => {
    const r = await runAio(function* () {
      const steps = [...asCompleted([createTask(sleepValue(0.05, "a")), createTask(sleepValue(0.05, "b"))])];
      const waiters = steps.map((s) => createTask(s));
      const [done, pending] = yield* wait(waiters);
      return { results: new Set([...done].map((t) => t.result())), pending: pending.size };
    });
    expect(r.results).toEqual(new Set(["a", "b"]));
    expect(r.pending).toBe(0);
  });

  // test_wait_concurrent_complete
  it("wait() with a timeout equal to a task's finish time counts that task as done", async () => {
    const r = await runAio(function* () {
      const a = createTask(sleep(0.1));
      const b = createTask(sleep(0.15));
      yield* spin();
      const [done, pending] = yield* wait([b, a], { timeout: 0.1 });
      return { aDone: done.has(a), bPending: pending.has(b) };
    });
    expect(r).toEqual({ aDone: true, bPending: true });
  });

  // test_wait_first_completed
  it("FIRST_COMPLETED returns at the first completion and leaves the others pending and running", async () => {
    const r = await runAio(function* () {
      const a = createTask(sleep(10));
      const b = createTask(sleep(0.1));
      const [done, pending] = yield* wait([b, a], { returnWhen: FIRST_COMPLETED });
      const snapshot = { done: done.has(b) && done.size === 1, pending: pending.has(a) && pending.size === 1, aCancelled: a.cancelled() };
      a.cancel();
      return snapshot;
    });
    expect(r).toEqual({ done: true, pending: true, aCancelled: false });
  });

  // test_cancel_gather_2
  it("a task looping over gather(..., returnExceptions) can still be cancelled", async () => {
    const e = await runAio(function* () {
      const looper = createTask(
        (function* () {
          for (let t = 0; t <= 1; t += 0.05) yield* gather(sleep(0.05), { returnExceptions: true });
        })(),
      );
      yield* sleep(0.2);
      looper.cancel();
      return yield* raises(() => awaited(looper));
    });
    expect(e).toBeInstanceOf(CancelledError);
  });

  // test_gather: a Future handed in twice
  it("gather of one Future given twice reports its result at both positions", async () => {
    const v = await runAio(function* (loop) {
      const f = loop.createFuture<string>();
      loop.callSoon(() => f.setResult("x"));
      return yield* gather(f, f);
    });
    expect(v).toEqual(["x", "x"]);
  });
});

describe("across loops and repeated shields, after CPython's test_tasks", () => {
  // GatherTestsBase.test_constructor_heterogenous_futures
  it("gather of Futures tied to two different loops is a ValueError", async () => {
    const { runWith } = await import("../../src/core/index.js");
    const { aioAsTrio, openLoop } = await import("../../src/bridge/index.js");
    const { ValueError } = await import("../../src/asyncio/index.js");
    const e = await runWith({}, function* () {
      return yield* openLoop(function* (loop1) {
        const f1 = loop1.createFuture<number>();
        return yield* openLoop(function* () {
          return yield* aioAsTrio(function* () {
            const f2 = new Future<number>();
            try {
              gather(f1, f2);
            } catch (err) {
              return err;
            }
            return null;
          })();
        });
      });
    });
    expect(e).toBeInstanceOf(ValueError);
  });

  // test_shield_duplicate_log_once
  it("two cancelled shields of one task that then fails: its error is reported once", async () => {
    const seen = await runAio(function* (loop) {
      const out: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, c) => out.push(c));
      const gate = loop.createFuture<void>();
      const inner = createTask(
        (function* () {
          yield* gate;
          throw new Error("foo");
        })(),
      );
      for (let i = 0; i < 2; i++) {
        const outer = shield(inner);
        yield* spin();
        outer.cancel();
        yield* spin();
      }
      gate.setResult();
      yield* spin(3);
      return out;
    });
    expect(seen).toHaveLength(1);
    expect((seen[0]!.exception as Error).message).toBe("foo");
  });
});

describe("eager tasks, after CPython's test_eager_task_factory", () => {
  const eager = { eagerStart: true } as const;

  // test_await_future_during_eager_step
  it("an eager task that completes a Future in its first step is done when createTask returns", async () => {
    const v = await runAio(function* (loop) {
      const fut = loop.createFuture<string>();
      const t = loop.createTask(
        (function* () {
          fut.setResult("my message");
        })(),
        eager,
      );
      expect(t.done()).toBe(true);
      return yield* fut;
    });
    expect(v).toBe("my message");
  });

  // test_block_after_eager_step
  it("an eager task that blocks is pending after createTask and finishes later", async () => {
    const v = await runAio(function* (loop) {
      const t = loop.createTask(sleepValue(0.1, "finished after blocking"), eager);
      expect(t.done()).toBe(false);
      return yield* awaited(t);
    });
    expect(v).toBe("finished after blocking");
  });

  // test_cancellation_after_eager_completion
  it("cancel() of an eager task that already finished returns false; its result stands", async () => {
    const r = await runAio(function* (loop) {
      const t = loop.createTask(
        (function* () {
          return "finished without blocking";
        })(),
        eager,
      );
      const c = t.cancel();
      return { c, v: yield* awaited(t), cancelled: t.cancelled() };
    });
    expect(r).toEqual({ c: false, v: "finished without blocking", cancelled: false });
  });

  // test_cancellation_after_eager_step_blocks
  it("cancel(msg) of an eager task blocked after its first step: cancelling() > 0 and the message arrives", async () => {
    const e = await runAio(function* (loop) {
      const t = loop.createTask(sleepValue(0.1, "x"), eager);
      t.cancel("cancellation message");
      expect(t.cancelling()).toBeGreaterThan(0);
      return yield* raises(() => awaited(t));
    });
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as CancelledError).message).toBe("cancellation message");
  });

  // test_current_task
  it("inside the eager step currentTask() is the new task, before and after it blocks; the creator is current again after", async () => {
    const r = await runAio(function* (loop) {
      const creator = currentTask();
      let first: unknown = null;
      let second: unknown = null;
      const t = loop.createTask(
        (function* () {
          first = currentTask();
          yield* sleep(0.1);
          second = currentTask();
        })(),
        eager,
      );
      const back = currentTask() === creator;
      const sawItself = first === t;
      yield* awaited(t);
      return { back, sawItself, same: second === t };
    });
    expect(r).toEqual({ back: true, sawItself: true, same: true });
  });

  // test_all_tasks_with_eager_completion and test_all_tasks_with_blocking
  it("allTasks() lists an eager task during its step, and drops it once done", async () => {
    const r = await runAio(function* (loop) {
      let during: Set<unknown> | null = null;
      const t1 = loop.createTask(
        (function* () {
          during = allTasks();
        })(),
        eager,
      );
      const r1 = { inDuring: during!.has(t1), inAfter: allTasks().has(t1) };
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      const t2 = loop.createTask(
        (function* () {
          during = allTasks();
          yield* fut1;
          fut2.setResult();
        })(),
        eager,
      );
      const r2 = { inDuring: during!.has(t2), inAfter: allTasks().has(t2) };
      fut1.setResult();
      yield* fut2;
      yield* spin();
      return { r1, r2, finally: allTasks().has(t2) };
    });
    expect(r).toEqual({ r1: { inDuring: true, inAfter: false }, r2: { inDuring: true, inAfter: true }, finally: false });
  });
});

describe("current task outside a task", () => {
  // test_current_task_no_running_loop: CPython raises RuntimeError without a running loop
  it("currentTask() outside any loop returns null (a documented difference: CPython raises RuntimeError)", () => {
    expect(currentTask()).toBeNull();
  });
});

describe("Futures created as plain objects", () => {
  it("a Future made with new Future() inside a task belongs to the running loop", async () => {
    const same = await runAio(function* (loop) {
      return new Future<void>().getLoop() === loop;
    });
    expect(same).toBe(true);
  });
});

describe("edge values, after CPython's test_tasks and test_base_events", () => {
  // test_sleep (delay <= 0 is one yield to the loop)
  it("sleep with a negative delay returns its result after one loop iteration, at the same loop time", async () => {
    const r = await runAio(function* (loop) {
      const order: string[] = [];
      const t0 = loop.time();
      loop.callSoon(() => order.push("callback"));
      const v = yield* sleep(-5, "neg");
      order.push("after sleep");
      return { v, order, elapsed: loop.time() - t0 };
    });
    expect(r).toEqual({ v: "neg", order: ["callback", "after sleep"], elapsed: 0 });
  });

  // call_later(inf) / timeout(inf): accepted, never due
  it("an infinite delay is accepted by callLater, sleep and timeout: nothing fires, cancel works, the block closes", async () => {
    const r = await runAio(function* (loop) {
      let fired = false;
      loop.callLater(Infinity, () => {
        fired = true;
      });
      const sleeper = createTask(sleep(Infinity));
      const v = yield* timeout(Infinity).run(function* () {
        yield* sleep(1);
        return "in time";
      });
      sleeper.cancel();
      const e = yield* raises(() => awaited(sleeper));
      return { fired, v, e };
    });
    expect(r.fired).toBe(false);
    expect(r.v).toBe("in time");
    expect(r.e).toBeInstanceOf(CancelledError);
  });

  // test_as_completed_with_timeout: futures already done come out before a zero timeout
  it("asCompleted with timeout 0 still hands out Futures that were already done", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<string>();
      f.setResult("ready");
      const g = loop.createFuture<string>();
      const out: unknown[] = [];
      for (const next of asCompleted([f, g], { timeout: 0 })) {
        try {
          out.push(yield* next);
        } catch (e) {
          out.push(e instanceof TimeoutError ? "timeout" : e);
        }
      }
      return out;
    });
    expect(r).toEqual(["ready", "timeout"]);
  });

  // test_wait_with_timeout (timeout 0): done futures are reported done
  it("wait with timeout 0 reports the Futures already done as done and the rest pending", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<void>();
      f.setResult();
      const g = loop.createFuture<void>();
      const [done, pending] = yield* wait([f, g], { timeout: 0 });
      return { done: done.has(f) && done.size === 1, pending: pending.has(g) && pending.size === 1 };
    });
    expect(r).toEqual({ done: true, pending: true });
  });

  // Task.uncancel: the count never goes below zero
  it("uncancel() on a task with no pending request stays at 0", async () => {
    const r = await runAio(function* () {
      const t = currentTask()!;
      return [t.uncancel(), t.uncancel(), t.cancelling()];
    });
    expect(r).toEqual([0, 0, 0]);
  });

  // eager step that cancels its own task (test_tasks' self-cancel rule, in an eager first step)
  it("an eager task that cancels itself in its first step gets CancelledError at its first wait", async () => {
    const r = await runAio(function* (loop) {
      const log: string[] = [];
      const t = loop.createTask(
        (function* () {
          currentTask()!.cancel();
          log.push("still running");
          try {
            yield* sleep(1);
            log.push("slept");
          } catch (e) {
            log.push(e instanceof CancelledError ? "cancelled" : "other");
            throw e;
          }
        })(),
        { eagerStart: true },
      );
      const e = yield* raises(() => awaited(t));
      return { log, e, cancelled: t.cancelled() };
    });
    expect(r.log).toEqual(["still running", "cancelled"]);
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.cancelled).toBe(true);
  });
});

describe("cancel messages through gather and shield, after CPython's test_tasks", () => {
  // test_cancel_gather_* with a message: _GatheringFuture.cancel(msg) passes it to every child
  it("gather.cancel(msg): each child is cancelled with msg and awaiting the gather raises CancelledError(msg); the first child's own error went to the gather", async () => {
    const r = await runAio(function* () {
      const children = [createTask(sleep(10)), createTask(sleep(10))];
      const g = gather(...children);
      yield* spin();
      g.cancel("stop now");
      const e = yield* raises(() => awaited(g));
      const childMessages: string[] = [];
      for (const c of children) childMessages.push(((yield* raises(() => awaited(c))) as Error).message);
      return { e, childMessages };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect((r.e as Error).message).toBe("stop now");
    // As CPython: the first child's own error went to the gather, so awaiting
    // that child makes a new one, with no message (the Task ended by
    // Future.cancel() with none); the second child's error is still unused.
    expect(r.childMessages).toEqual(["", "stop now"]);
  });

  // test_shield_cancel_inner with a message: the outer Future is cancelled too
  it("an inner task cancelled with a message cancels its shield; awaiting the shield raises CancelledError", async () => {
    const r = await runAio(function* () {
      const inner = createTask(sleep(10));
      const outer = shield(inner);
      yield* spin();
      inner.cancel("inner stop");
      const e = yield* raises(() => awaited(outer));
      return { e, cancelled: outer.cancelled() };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.cancelled).toBe(true);
  });
});
