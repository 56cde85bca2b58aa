/**
 * timeout()/timeoutAt() and waitFor() rules taken from CPython's
 * Lib/test/test_asyncio/test_timeouts.py, test_waitfor.py and
 * test_asyncio_waitfor.py (semantics only; the code and words are ours).
 * Each test names the CPython test it follows. Rules already covered by
 * test/asyncio/timeouts.test.ts and gather-wait.test.ts are not repeated.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, TaskGroup, TimeoutError, type Future, createTask, getRunningLoop, sleep, timeout, timeoutAt, wait, waitFor, type Coroutine } from "../../src/asyncio/index.js";
import { ExceptionGroup, RuntimeError } from "../../src/core/index.js";
import { raises, runAio } from "../asyncio/helpers.js";

/** A Task or Future as a coroutine, for raises(). */
function* awaited<T>(f: Future<T>): Coroutine<T> {
  return yield* f;
}

class MyError extends Error {}

/** Runs for `total` seconds of loop time, ignoring every cancellation (CPython's SlowTask). */
function* stubborn(total: number, state: { exited: boolean }): Coroutine<void> {
  const loop = getRunningLoop();
  const end = loop.time() + total;
  while (loop.time() < end) {
    try {
      yield* sleep(end - loop.time());
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
    }
  }
  state.exited = true;
}

describe("timeout(), after CPython's test_timeouts", () => {
  // test_timeout_exception_cause
  it("the TimeoutError's cause is the CancelledError the block saw", async () => {
    const e = await runAio(function* () {
      return yield* raises(() =>
        timeout(0).run(function* () {
          yield* sleep(1);
        }),
      );
    });
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as Error).cause).toBeInstanceOf(CancelledError);
  });

  // test_timeout_zero and test_timeout_in_the_past_sleep_zero
  it("a zero or negative delay: when() is the entry time plus the delay, and the block expires", async () => {
    const r = await runAio(function* (loop) {
      const out: { when: number | null; t0: number; expired: boolean; e: unknown }[] = [];
      for (const d of [0, -11]) {
        const t0 = loop.time();
        const cm = timeout(d);
        const e = yield* raises(() =>
          cm.run(function* () {
            yield* sleep(0);
          }),
        );
        out.push({ when: cm.when(), t0, expired: cm.expired(), e });
      }
      return out;
    });
    expect(r[0]!.when).toBe(r[0]!.t0);
    expect(r[1]!.when).toBe(r[1]!.t0 - 11);
    for (const x of r) {
      expect(x.expired).toBe(true);
      expect(x.e).toBeInstanceOf(TimeoutError);
    }
  });

  // test_timeout_at_basic
  it("timeoutAt's deadline is when() after expiry, and the block stops at that loop time", async () => {
    const r = await runAio(function* (loop) {
      const deadline = loop.time() + 0.01;
      const cm = timeoutAt(deadline);
      const e = yield* raises(() =>
        cm.run(function* () {
          yield* sleep(10);
        }),
      );
      return { e, when: cm.when(), deadline, now: loop.time(), expired: cm.expired() };
    });
    expect(r.e).toBeInstanceOf(TimeoutError);
    expect(r.when).toBe(r.deadline);
    expect(r.now).toBeCloseTo(r.deadline, 9);
    expect(r.expired).toBe(true);
  });

  // test_reschedule
  it("another task may reschedule a running timeout, or remove its deadline", async () => {
    const r = await runAio(function* (loop) {
      const d1 = loop.time() + 10;
      const d2 = d1 + 20;
      const entered = loop.createFuture<ReturnType<typeof timeoutAt>>();
      const task = createTask(
        timeoutAt(d1).run(function* (cm) {
          entered.setResult(cm);
          yield* sleep(50);
        }),
      );
      const cm = yield* entered;
      const whens: (number | null)[] = [cm.when()];
      cm.reschedule(d2);
      whens.push(cm.when());
      cm.reschedule(null);
      whens.push(cm.when());
      task.cancel();
      const e = yield* raises(() => awaited(task));
      return { whens, d1, d2, e, expired: cm.expired() };
    });
    expect(r.whens).toEqual([r.d1, r.d2, null]);
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.expired).toBe(false);
  });

  // test_repr_expired / test_repr_finished / test_repr_active / test_repr_disabled
  it("toString names the state: active with its deadline, expired, finished", async () => {
    const r = await runAio(function* () {
      const seen: string[] = [];
      const a = timeout(10);
      yield* a.run(function* (cm) {
        seen.push(String(cm));
        yield* sleep(0);
      });
      seen.push(String(a));
      const b = timeout(0.01);
      yield* raises(() =>
        b.run(function* () {
          yield* sleep(10);
        }),
      );
      seen.push(String(b));
      yield* timeout(null).run(function* (cm) {
        seen.push(String(cm));
      });
      return seen;
    });
    expect(r[0]).toMatch(/^<Timeout \[active\] when=\d+(\.\d*)?>$/);
    expect(r.slice(1)).toEqual(["<Timeout [finished]>", "<Timeout [expired]>", "<Timeout [active] when=None>"]);
  });
});

describe("timeout() state and groups, after CPython 3.13's test_timeouts", () => {
  // test_timeout_expiring and test_timeout_expired
  it("reschedule() while the deadline's cancellation is in flight, or after expiry, is a RuntimeError naming the state", async () => {
    const r = await runAio(function* () {
      const errors: unknown[] = [];
      const cm = timeout(0.01);
      yield* raises(() =>
        cm.run(function* (c) {
          const e = yield* raises(() => sleep(1));
          expect(e).toBeInstanceOf(CancelledError);
          try {
            c.reschedule(0.02);
          } catch (err) {
            errors.push(err);
          }
          throw e;
        }),
      );
      try {
        cm.reschedule(0.02);
      } catch (err) {
        errors.push(err);
      }
      return errors.map((e) => [e instanceof RuntimeError, (e as Error).message]);
    });
    expect(r[0]![0]).toBe(true);
    expect(r[0]![1]).toMatch(/expiring/);
    expect(r[1]![0]).toBe(true);
    expect(r[1]![1]).toMatch(/expired/);
  });

  // test_timeout_taskgroup (the exception chaining part has no JavaScript counterpart: errors carry no implicit context)
  it("a TaskGroup inside an expiring timeout whose child fails in cleanup: the group's error comes out, not TimeoutError", async () => {
    const e = await runAio(function* () {
      return yield* raises(() =>
        timeout(0.01).run(function* () {
          yield* TaskGroup.run(function* (tg) {
            tg.createTask(
              (function* () {
                try {
                  yield* sleep(2);
                } finally {
                  // eslint-disable-next-line no-unsafe-finally
                  throw new MyError("cleanup");
                }
              })(),
            );
            try {
              throw new RangeError("body");
            } finally {
              yield* sleep(1);
            }
          });
        }),
      );
    });
    expect(e).toBeInstanceOf(ExceptionGroup);
    expect((e as ExceptionGroup).exceptions).toHaveLength(1);
    expect((e as ExceptionGroup).exceptions[0]).toBeInstanceOf(MyError);
  });
});

describe("waitFor(), after CPython's test_waitfor", () => {
  // test_asyncio_wait_for_timeout (test_asyncio_waitfor.py)
  it("on timeout waits for inner work that ignores cancellations to really end", async () => {
    const state = { exited: false };
    const r = await runAio(function* (loop) {
      const t0 = loop.time();
      // The work ignores the cancel and finishes, so its (undefined) result is returned.
      const v = yield* waitFor(stubborn(0.2, state), 0.1);
      return { v, elapsed: loop.time() - t0 };
    });
    expect(state.exited).toBe(true);
    expect(r.v).toBeUndefined();
    expect(r.elapsed).toBeCloseTo(0.2, 9);
  });

  // test_asyncio_wait_for_cancelled (test_asyncio_waitfor.py)
  it("cancelling the waitFor task still waits for stubborn inner work to end", async () => {
    const state = { exited: false };
    await runAio(function* () {
      const w = createTask(waitFor(stubborn(0.2, state), 0.4));
      yield* sleep(0);
      w.cancel();
      yield* wait([w]);
      return w.done();
    });
    expect(state.exited).toBe(true);
  });

  // test_wait_for_race_condition
  it("a Future completed by a timer before the deadline gives its result", async () => {
    const v = await runAio(function* (loop) {
      const f = loop.createFuture<string>();
      loop.callLater(0.1, () => f.setResult("ok"));
      return yield* waitFor(f, 0.2);
    });
    expect(v).toBe("ok");
  });

  // test_wait_for_waits_for_task_cancellation and its _w_timeout_0 variant
  it("on timeout (positive or zero) waits for the task's slow cancellation cleanup, then raises TimeoutError", async () => {
    for (const [pause, limit] of [
      [0, 0.0001],
      [0.0001, 0],
    ] as const) {
      const r = await runAio(function* () {
        let done = false;
        const inner = createTask(
          (function* () {
            try {
              yield* sleep(10);
            } catch (e) {
              if (e instanceof CancelledError) yield* sleep(0.0001);
              throw e;
            } finally {
              done = true;
            }
          })(),
        );
        if (pause > 0) yield* sleep(pause);
        const e = yield* raises(() => waitFor(inner, limit));
        return { e, done, cancelled: inner.cancelled() };
      });
      expect(r.e).toBeInstanceOf(TimeoutError);
      expect((r.e as Error).cause).toBeInstanceOf(CancelledError);
      expect(r.done).toBe(true);
      expect(r.cancelled).toBe(true);
    }
  });

  // test_wait_for_reraises_exception_during_cancellation
  it("a task whose finally raises when cancelled by the timeout: that error, not TimeoutError", async () => {
    const e = await runAio(function* () {
      const inner = createTask(
        (function* () {
          try {
            yield* sleep(0.2);
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw new MyError("cleanup");
          }
        })(),
      );
      return yield* raises(() => waitFor(inner, 0.0001));
    });
    expect(e).toBeInstanceOf(MyError);
  });

  // test_wait_for_self_cancellation
  it("the waitFor task can be cancelled even while the inner task holds off cancellations", async () => {
    const r = await runAio(function* () {
      const inner = createTask(
        (function* () {
          try {
            yield* sleep(0.3);
          } catch {
            try {
              yield* sleep(0.3);
            } catch {
              yield* sleep(0.3);
            }
          }
          return 42;
        })(),
      );
      const w = createTask(waitFor(inner, 0.1));
      w.cancel();
      const e = yield* raises(() => awaited(w));
      return { e, v: yield* inner };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.v).toBe(42);
  });

  // test_wait_for_self_cancellation with an eager waitFor task (CPython does not run test_waitfor eagerly; this
  // follows its Task.cancel: a task waiting on another task forwards the cancel to it and does not
  // cancel itself, so when the inner task swallows both cancels, waitFor gets its result)
  it("with eager tasks, a waitFor task cancelled at once forwards the cancel to the running inner task, which swallows it (and the deadline's): the result comes back", async () => {
    const r = await runAio(function* (loop) {
      const t0 = loop.time();
      const inner = loop.createTask(
        (function* () {
          try {
            yield* sleep(0.3);
          } catch {
            try {
              yield* sleep(0.3);
            } catch {
              yield* sleep(0.3);
            }
          }
          return 42;
        })(),
        { eagerStart: true },
      );
      const w = loop.createTask(waitFor(inner, 0.1), { eagerStart: true });
      w.cancel();
      const v = yield* awaited(w);
      return { v, elapsed: loop.time() - t0, cancelled: w.cancelled(), cancelling: w.cancelling() };
    });
    expect(r.v).toBe(42);
    expect(r.elapsed).toBeCloseTo(0.4, 9);
    expect(r.cancelled).toBe(false);
    expect(r.cancelling).toBe(1);
  });

  // test_cancel_blocking_wait_for / test_cancel_wait_for (Python issue 23219)
  it("cancelling a waitFor task cancels the task it waits on, with or without a timeout", async () => {
    for (const limit of [null, 60]) {
      const cancelled = await runAio(function* (loop) {
        const task = createTask(
          (function* () {
            yield* loop.createFuture<void>();
          })(),
        );
        const w = createTask(waitFor(task, limit));
        loop.callSoon(() => w.cancel());
        expect(yield* raises(() => awaited(w))).toBeInstanceOf(CancelledError);
        return task.cancelled();
      });
      expect(cancelled).toBe(true);
    }
  });

  // test_wait_for_issue86296
  it("a waitFor that finished at once leaves the task cancellable at its next wait", async () => {
    const r = await runAio(function* () {
      let reachedEnd = false;
      const task = createTask(
        (function* () {
          yield* waitFor(
            (function* () {
              return;
            })(),
            100,
          );
          yield* sleep(1);
          reachedEnd = true;
        })(),
      );
      yield* sleep(0);
      expect(task.done()).toBe(false);
      task.cancel();
      return { e: yield* raises(() => awaited(task)), reachedEnd };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.reachedEnd).toBe(false);
  });

  // test_wait_for_timeout_less_then_0_or_0 (a running task, both 0 and -1)
  it("a started task given timeout 0 or -1 is cancelled, its finally runs, and TimeoutError is raised at once", async () => {
    for (const limit of [0, -1]) {
      const r = await runAio(function* (loop) {
        let running: boolean | null = null;
        const started = loop.createFuture<void>();
        const task = createTask(
          (function* () {
            running = true;
            started.setResult();
            try {
              yield* sleep(10);
            } finally {
              running = false;
            }
            return "done";
          })(),
        );
        yield* started;
        const t0 = loop.time();
        const e = yield* raises(() => waitFor(task, limit));
        return { e, running, cancelled: task.cancelled(), elapsed: loop.time() - t0 };
      });
      expect(r.e).toBeInstanceOf(TimeoutError);
      expect(r.running).toBe(false);
      expect(r.cancelled).toBe(true);
      expect(r.elapsed).toBe(0);
    }
  });
});
