/**
 * A third batch of conformance tests after Trio's core suite: the tests of
 * trio/_core/_tests/test_run.py, test_cancelled.py and test_guest_mode.py
 * that trio-run.test.ts, trio-run-2.test.ts and trio-cancel.test.ts do not
 * port. Each test names the Trio test it follows; the code and wording are
 * ours. Guest mode is Trio hosted on another event loop, which is what every
 * run here is (the host is the browser's or Node's loop), so its rules about
 * the host waking the run apply to us directly, on the real SystemClock.
 *
 * Not ported, beyond what trio-run-2.test.ts lists: test_local.py (we have
 * no RunVar), guest-mode signal handling, wakeup fds, sniffio and the
 * abandoned-run warning (a run here is never abandoned by its host). Of
 * test_cancel_scope_misnesting, only what a task can do to its own scopes
 * by stepping an operation by hand: a scope is left through its generator
 * (`return()` on it exits the scope, as a `finally` would), so "exit from
 * an unrelated task" has no faithful counterpart.
 */
import { describe, expect, it } from "vitest";
import {
  Abort,
  Cancelled,
  CancelScope,
  ExceptionGroup,
  RunFinishedError,
  RuntimeError,
  SystemClock,
  TrioInternalError,
  checkpoint,
  currentRun,
  currentTask,
  currentTime,
  errorOutcome,
  valueOutcome,
  openNursery,
  reschedule,
  run,
  runWith,
  sleep,
  sleepForever,
  spawnSystemTask,
  waitTaskRescheduled,
  type Operation,
  type Task,
  type TaskStatus,
} from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { liveRuns } from "../../src/inspect/hooks.js";
import { Event } from "../../src/sync/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { cancelledBy, rejection, runKeep, runMock } from "../core/helpers.js";

function leaves(error: unknown): unknown[] {
  expect(error).toBeInstanceOf(ExceptionGroup);
  return [...(error as ExceptionGroup).exceptions];
}

/** Calls `fn` from a host macrotask after `ms` milliseconds, outside any task. */
function inHost(fn: () => void, ms = 0): void {
  setTimeout(fn, ms);
}

describe("Trio test_cancelled: reasons from a nursery body", () => {
  // test_cancel_reason_nursery3
  it("a start() whose child raises before started() fails the body, and a sleeping sibling hears that the body raised", async () => {
    const boom = new RangeError("not ready");
    let heard: Cancelled | null = null;
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* sibling() {
            heard = yield* cancelledBy(sleepForever());
          });
          yield* waitAllTasksBlocked();
          yield* n.start(function* failing(_status: TaskStatus<void>) {
            throw boom;
          });
        });
      }),
    );
    expect(leaves(error)).toEqual([boom]);
    expect(heard).toBeInstanceOf(Cancelled);
    expect(heard!.reason).toBe("the nursery body raised RangeError: not ready");
  });

  // test_nested_child_source
  it("a child blocked when the body raises hears the body's error as the reason, and only the body's error comes out", async () => {
    const boom = new TypeError("body failed");
    let heard: Cancelled | null = null;
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          const running = new Event();
          n.startSoon(function* child() {
            running.set();
            heard = yield* cancelledBy(sleepForever());
          });
          yield* running.wait();
          throw boom;
        });
      }),
    );
    expect(leaves(error)).toEqual([boom]);
    expect(heard!.reason).toBe("the nursery body raised TypeError: body failed");
  });
});

describe("Trio test_guest_mode: a run hosted on the host's loop", () => {
  // test_guest_is_initialized_when_start_returns (first half)
  it("run() returns before the main task has run any code; main then runs and the run settles", async () => {
    const record: string[] = [];
    const p = run(function* () {
      record.push("main ran");
      yield* checkpoint();
      return "ok";
    });
    expect(record).toEqual([]);
    expect(await p).toBe("ok");
    expect(record).toEqual(["main ran"]);
  });

  // test_guest_is_initialized_when_start_returns (second half: a clock that fails to start)
  it("a clock whose startClock throws makes the run reject with a TrioInternalError before main runs, and leaves nothing behind", async () => {
    const broken = new Error("whoops");
    class BadClock extends MockClock {
      override startClock(): void {
        throw broken;
      }
    }
    const clock = new BadClock({ autojumpThreshold: 0 });
    const before = liveRuns.size;
    let ran = false;
    const error = await rejection(
      runWith({ clock }, function* () {
        ran = true;
      }),
    );
    expect(ran).toBe(false);
    // As in Trio, an error while the run starts is an internal error of the run (docs/semantics.md, "The scheduler").
    expect(error).toBeInstanceOf(TrioInternalError);
    expect((error as Error).cause).toBe(broken);
    // The run never began: the inspector must not list it, and the clock must not keep it.
    expect(liveRuns.size).toBe(before);
    expect(await run(function* () {
      return "later runs are unaffected";
    })).toBe("later runs are unaffected");
  });

  // test_guest_is_initialized_when_start_returns (a clock without startClock is refused as misuse)
  it("a clock without startClock is refused with a TypeError naming what a Clock needs", async () => {
    const before = liveRuns.size;
    const clock = { currentTime: () => 0, deadlineToSleepTime: () => 0 };
    const error = await rejection(runWith({ clock: clock as unknown as SystemClock }, function* () {}));
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toContain("startClock");
    expect(liveRuns.size).toBe(before);
  });

  // test_host_can_directly_wake_trio_task
  it("a host callback can set an Event that a task waits on, and the task wakes", async () => {
    const result = await run(function* () {
      const ev = new Event();
      inHost(() => ev.set());
      yield* ev.wait();
      return "ok";
    });
    expect(result).toBe("ok");
  });

  // test_host_altering_deadlines_wakes_trio_up
  it("a host callback that moves a scope's deadline into the past wakes the task sleeping in it", async () => {
    const t0 = performance.now();
    await run(function* () {
      const first = yield* new CancelScope().run(function* (cs) {
        inHost(() => {
          cs.deadline = -Infinity;
        });
        yield* sleepForever();
      });
      expect(first).toBeUndefined();
      let scope: CancelScope | null = null;
      yield* new CancelScope().run(function* (cs) {
        scope = cs;
        // A change that does not bring the next deadline closer, then one that does.
        const now = currentTime();
        inHost(() => {
          cs.deadline = now + 1e6;
        });
        inHost(() => {
          cs.deadline = -Infinity;
        }, 5);
        yield* sleep(999);
      });
      expect(scope!.cancelledCaught).toBe(true);
    });
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  // test_host_wakeup_doesnt_trigger_wait_all_tasks_blocked
  it("a host wake-up that makes no task runnable does not count as everything blocked for a long cushion", async () => {
    const record: string[] = [];
    await run(function* () {
      yield* openNursery(function* (n) {
        const watch = new CancelScope();
        n.startSoon(function* sitter() {
          yield* watch.run(function* () {
            yield* waitAllTasksBlocked(9999);
            record.push("waiter returned");
          });
          record.push(watch.cancelledCaught ? "waiter cancelled" : "waiter not cancelled");
        });
        yield* waitAllTasksBlocked();
        n.startSoon(function* woken() {
          yield* new CancelScope().run(function* (cs) {
            // The host pushes the deadline further out (the run wakes, finds
            // nothing to do), then cancels the scope a little later.
            inHost(() => {
              cs.deadline = 1e9;
            }, 1);
            inHost(() => cs.cancel(), 30);
            yield* sleepForever();
          });
          record.push("woken");
          watch.cancel();
        });
      });
    });
    expect(record).toEqual(["woken", "waiter cancelled"]);
  });
});

describe("Trio test_guest_mode: the host changes what the run waits for", () => {
  // test_guest_mode_autojump_clock_threshold_changing
  it("a host callback that lowers the MockClock's autojump threshold wakes an idle run, which jumps to its sleeper's deadline", async () => {
    const clock = new MockClock();
    const t0 = performance.now();
    inHost(() => {
      clock.autojumpThreshold = 0;
    }, 5);
    const at = await runWith({ clock }, function* () {
      yield* sleep(120);
      return currentTime();
    });
    expect(at).toBe(120);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  // test_host_altering_deadlines_wakes_trio_up (a deadline brought closer, still in the future)
  it("a host callback that brings a deadline closer re-arms the run's timer: the sleeper wakes then, not before and not at its own end", async () => {
    const t0 = performance.now();
    await run(function* () {
      const scope = new CancelScope();
      yield* scope.run(function* (cs) {
        const now = currentTime();
        inHost(() => {
          cs.deadline = now + 0.06;
        }, 5);
        yield* sleep(999);
      });
      expect(scope.cancelledCaught).toBe(true);
    });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(59);
    expect(took).toBeLessThan(5000);
  });

  // test_host_altering_deadlines_wakes_trio_up (through relativeDeadline)
  it("a host callback that sets relativeDeadline of an entered scope counts from that moment", async () => {
    const t0 = performance.now();
    let setAt = 0;
    await run(function* () {
      yield* new CancelScope().run(function* (cs) {
        inHost(() => {
          setAt = performance.now();
          cs.relativeDeadline = 0.04;
        }, 10);
        yield* sleepForever();
      });
    });
    expect(setAt).toBeGreaterThan(t0);
    expect(performance.now() - setAt).toBeGreaterThanOrEqual(39);
  });

  // test_cancel_shield_abort, with the shield lowered from the host
  it("a host callback that lowers a shield under a cancelled outer scope wakes the task sleeping inside it", async () => {
    const record: string[] = [];
    await run(function* () {
      yield* new CancelScope().run(function* (outer) {
        outer.cancel();
        yield* new CancelScope({ shield: true }).run(function* (inner) {
          inHost(() => {
            inner.shield = false;
          }, 5);
          try {
            yield* sleepForever();
          } catch (error) {
            record.push(error instanceof Cancelled ? "cancelled" : "other");
            throw error;
          }
        });
      });
      expect(record).toEqual(["cancelled"]);
    });
  });

  // test_host_can_directly_wake_trio_task, with the low-level pair
  it("a host callback can wake a task with reschedule(), with a value or with an error", async () => {
    const injected = new RangeError("from the host");
    const result = await run(function* () {
      const me = currentTask();
      inHost(() => reschedule(me, valueOutcome(42)));
      const value = yield* waitTaskRescheduled(() => Abort.SUCCEEDED);
      inHost(() => reschedule(me, errorOutcome(injected)));
      try {
        yield* waitTaskRescheduled(() => Abort.SUCCEEDED);
      } catch (error) {
        return [value, error];
      }
      return [value, null];
    });
    expect(result).toEqual([42, injected]);
  });
});

describe("Trio test_run: the host after the run", () => {
  // test_TrioToken_run_sync_soon_after_main_crash: between the main task's
  // end and the run's, the host still reaches the run's system tasks.
  it("after main has raised, a host callback still wakes a system task cleaning up, and the run then rejects with main's error", async () => {
    const boom = new RangeError("main failed");
    const record: string[] = [];
    const ev = new Event();
    const error = await rejection(
      run(function* () {
        spawnSystemTask(function* cleanup() {
          try {
            yield* sleepForever();
          } finally {
            yield* new CancelScope({ shield: true }).run(function* () {
              inHost(() => ev.set(), 5);
              yield* ev.wait();
              record.push("cleanup woken by the host");
            });
          }
        });
        yield* checkpoint();
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(record).toEqual(["cleanup woken by the host"]);
  });

  // test_TrioToken_run_sync_soon_too_late: ours has no token; the host's way
  // in is reschedule(), and a late call says the run is over.
  it("a host callback that reschedules a task after its run has settled gets RunFinishedError", async () => {
    let main: Task | null = null;
    await run(function* () {
      main = currentTask();
      yield* checkpoint();
    });
    expect(() => reschedule(main!, valueOutcome(1))).toThrow(RunFinishedError);
  });
});

describe("Trio test_run: scopes a task leaves entered", () => {
  // Ours cannot leave a scope out of order with yield*, but an operation
  // stepped by hand (next()) and dropped inside CancelScope.run or
  // openNursery leaves its scope entered when the task ends.

  // test_cancel_scope_misnesting (a task ends inside a scope it entered)
  it("a task that ends inside a hand-stepped CancelScope.run fails with RuntimeError, and the scope is closed: no deadline stays on the heap", async () => {
    const scope = new CancelScope({ relativeDeadline: 5 });
    const { runner, ok, value } = await runKeep(function* () {
      scope.run(function* () {
        yield* checkpoint();
      }).next();
      expect(scope.active).toBe(true);
      return "returned";
    });
    expect(ok).toBe(false);
    expect(value).toBeInstanceOf(RuntimeError);
    expect(String(value)).toMatch(/stepped by hand/);
    expect(scope.active).toBe(false);
    expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });

  // test_cancel_scope_misnesting (the tasks inside the abandoned part are cancelled)
  it("the children of a nursery a task dropped by hand are cancelled when the task ends, and its nursery raises the RuntimeError", async () => {
    const record: string[] = [];
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (outer) {
          outer.startSoon(function* dropper() {
            openNursery(function* (n) {
              n.startSoon(function* grandchild() {
                try {
                  yield* sleep(5);
                  record.push("woke");
                } finally {
                  record.push(`unwound at ${currentTime()}`);
                }
              });
              yield* checkpoint();
            }).next();
          });
        });
      }),
    );
    const [only] = leaves(error);
    expect(only).toBeInstanceOf(RuntimeError);
    expect(String(only)).toContain("dropper");
    expect(record).toEqual(["unwound at 0"]);
  });

  // test_cancel_scope_misnesting (Trio chains the task's own error; we keep it)
  it("a task that raises its own error while inside a dropped scope keeps that error, and the scope is closed all the same", async () => {
    const own = new RangeError("own error");
    const scope = new CancelScope({ relativeDeadline: 5 });
    const { runner, ok, value } = await runKeep(function* () {
      scope.run(function* () {
        yield* checkpoint();
      }).next();
      throw own;
    });
    expect(ok).toBe(false);
    expect(value).toBe(own);
    expect(scope.active).toBe(false);
    expect(leftovers(runner).deadlines).toBe(0);
  });
});

describe("Trio test_run: a checkpoint's cancel point follows its schedule point", () => {
  // test_yield_briefly_checks_for_timeout, generalised: Trio's checkpoint
  // lets the others run first and then looks at its cancel status, so a
  // cancellation that arrives while the task waits in the run queue is
  // raised by that same checkpoint.

  it("a scope cancelled by another task while the task waits at checkpoint() makes that checkpoint raise", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* first() {
          yield* scope.run(function* () {
            for (const op of [checkpoint, () => sleep(0)]) {
              try {
                yield* op();
                record.push("passed");
              } catch (error) {
                record.push(error instanceof Cancelled ? "Cancelled" : "other");
                throw error;
              }
            }
          });
        });
        n.startSoon(function* second() {
          // Runs while first is queued at its checkpoint.
          scope.cancel();
        });
      });
      expect(scope.cancelledCaught).toBe(true);
    });
    expect(record).toEqual(["Cancelled"]);
  });

  it("a deadline passed while the task waits at checkpoint() (another task jumps the clock) makes that checkpoint raise", async () => {
    const clock = new MockClock();
    const record: string[] = [];
    await runWith({ clock }, function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* first() {
          yield* new CancelScope({ deadline: 5 }).run(function* () {
            try {
              yield* checkpoint();
              record.push("passed");
            } catch (error) {
              record.push(error instanceof Cancelled ? error.reason ?? "no reason" : "other");
              throw error;
            }
          });
        });
        n.startSoon(function* second() {
          clock.jump(10);
        });
      });
    });
    expect(record).toEqual(["deadline exceeded"]);
  });

  // Trio's sleep is a wait inside a cancel scope of its own: when it wakes
  // it returns only if no enclosing cancellation is visible at that moment.
  it("a sleep that woke while another task cancelled its scope raises Cancelled instead of returning", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* canceller() {
          // Due at the same moment as the sleeper, and queued (so run) first.
          yield* sleep(1);
          scope.cancel();
        });
        n.startSoon(function* sleeper() {
          yield* scope.run(function* () {
            yield* sleep(1);
            record.push("returned from sleep");
          });
        });
      });
      expect(scope.cancelledCaught).toBe(true);
    });
    expect(record).toEqual([]);
  });

  it("a sleep ending exactly at an enclosing deadline set after it began is cut by that deadline", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* sleeper() {
          yield* scope.run(function* () {
            yield* sleep(5);
            record.push("returned from sleep");
          });
        });
        yield* waitAllTasksBlocked();
        scope.deadline = currentTime() + 5;
      });
      expect(scope.cancelledCaught).toBe(true);
    });
    expect(record).toEqual([]);
  });

  it("a checkpoint under a shield raised meanwhile still returns: only what is visible at resumption counts", async () => {
    const record: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (outer) {
        yield* openNursery(function* (n) {
          n.startSoon(function* first() {
            yield* new CancelScope().run(function* (inner) {
              n.startSoon(function* second() {
                outer.cancel();
                inner.shield = true;
              });
              yield* checkpoint();
              record.push("passed");
            });
          });
        });
      });
    });
    expect(record).toEqual(["passed"]);
  });

  it("a checkpoint reached in a cancelled scope returns if a shield went up before the task resumed", async () => {
    const record: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (outer) {
        yield* openNursery(function* (n) {
          n.startSoon(function* first() {
            yield* new CancelScope().run(function* (inner) {
              outer.cancel();
              n.startSoon(function* second() {
                inner.shield = true;
              });
              // Cancelled as it yields; shielded by the time it resumes.
              yield* checkpoint();
              record.push("passed");
            });
          });
        });
      });
    });
    expect(record).toEqual(["passed"]);
  });
});

describe("Trio test_run: errors thrown into a task", () => {
  // test_exc_info_after_throw_suppressed, test_exc_info_after_throw_to_inner_suppressed
  it("an error a task is woken with inside a catch block, and swallowed there, leaves the error being handled intact", async () => {
    const outer = new RangeError("outer");
    let child: Task | null = null;
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            child = currentTask();
            try {
              throw outer;
            } catch (e) {
              try {
                yield* waitTaskRescheduled(() => Abort.SUCCEEDED);
              } catch (injected) {
                expect(injected).toBeInstanceOf(SyntaxError);
              }
              throw e;
            }
          });
          yield* waitAllTasksBlocked();
          reschedule(child!, errorOutcome(new SyntaxError("injected")));
        });
      }),
    );
    expect(leaves(error)).toEqual([outer]);
    expect(outer.cause).toBeUndefined();
  });

  // test_exception_chaining_after_throw, test_exception_chaining_after_throw_to_inner
  it("an error a task is woken with propagates out as that very object; the runtime adds no cause to it", async () => {
    const injected = new SyntaxError("Unique Text");
    let child: Task | null = null;
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            child = currentTask();
            try {
              throw new RangeError("being handled");
            } catch {
              yield* waitTaskRescheduled(() => Abort.SUCCEEDED);
            }
          });
          yield* waitAllTasksBlocked();
          reschedule(child!, errorOutcome(injected));
        });
      }),
    );
    expect(leaves(error)).toEqual([injected]);
    expect(injected.cause).toBeUndefined();
  });

  // test_nursery_exception_chaining_doesnt_make_context_loops
  it("the group a nursery raises has no cause, and its members keep theirs", async () => {
    const fromChild = new RangeError("child");
    const fromBody = new TypeError("body");
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            throw fromChild;
          });
          throw fromBody;
        });
      }),
    );
    expect(new Set(leaves(error))).toEqual(new Set([fromChild, fromBody]));
    expect((error as ExceptionGroup).cause).toBeUndefined();
    expect(fromChild.cause).toBeUndefined();
    expect(fromBody.cause).toBeUndefined();
  });
});

describe("Trio test_run: odds and ends (3)", () => {
  // test_current_time
  it("on the host clock, currentTime() moves forward between two reads a millisecond apart", async () => {
    await run(function* () {
      const t1 = currentTime();
      const until = performance.now() + 1;
      while (performance.now() < until);
      expect(currentTime()).toBeGreaterThan(t1);
    });
  });

  // test_nursery_start ("errors in calling convention get raised immediately from start")
  it("start() raises a calling-convention error itself: an async function, a function returning no generator, or arguments that fail to bind", async () => {
    const errors: unknown[] = [];
    // Called as fn(status): the second parameter is missing, and destructuring it throws.
    function* needsObject(_status: TaskStatus<void>, { key }: { key: string }): Operation<void> {
      void key;
    }
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (const bad of [
          (async () => {}) as unknown as (s: TaskStatus<void>) => Operation<void>,
          (() => 5) as unknown as (s: TaskStatus<void>) => Operation<void>,
          needsObject as unknown as (s: TaskStatus<void>) => Operation<void>,
        ]) {
          try {
            yield* n.start(bad);
          } catch (error) {
            errors.push(error);
          }
        }
        // The nursery is unharmed: it runs the next start normally.
        expect(yield* n.start(function* (s: TaskStatus<string>) {
          s.started("fine");
        })).toBe("fine");
      });
    });
    expect(errors).toHaveLength(3);
    for (const e of errors) expect(e).toBeInstanceOf(TypeError);
  });

  // test_trio_context_detection (the abort-function part)
  it("an abort function called for a wait in an already-cancelled scope runs with the waiting task current", async () => {
    await runMock(function* () {
      const me = currentTask();
      let seen: Task | null = null;
      yield* new CancelScope({ deadline: -Infinity }).run(function* () {
        yield* waitTaskRescheduled(() => {
          seen = currentTask();
          return Abort.SUCCEEDED;
        });
      });
      expect(seen).toBe(me);
    });
  });

  // test_cancel_unbound ("shield before entry", "can't reuse")
  it("a shield set before entry protects from the start; a scope cancelled after it was left catches nothing and cannot be entered again", async () => {
    await runMock(function* () {
      const scope = new CancelScope();
      scope.shield = true;
      yield* new CancelScope().run(function* (outer) {
        yield* scope.run(function* () {
          outer.cancel();
          yield* checkpoint();
          scope.shield = false;
          yield* cancelledBy(checkpoint());
        });
        yield* cancelledBy(checkpoint());
      });
      const left = new CancelScope();
      yield* left.run(function* () {
        yield* checkpoint();
      });
      left.cancel();
      yield* checkpoint();
      expect(left.cancelCalled).toBe(true);
      expect(left.cancelledCaught).toBe(false);
      expect(() => left.run(function* () {}).next()).toThrow(/once/);
      expect(currentRun().isRunning).toBe(true);
    });
  });
});
