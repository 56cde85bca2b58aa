/**
 * Conformance with the rules Trio's own core tests check
 * (trio/_core/_tests/test_run.py), for behaviours our older suites in
 * test/core did not pin down. Each test names the Trio test it follows;
 * the code and wording are ours.
 */
import { describe, expect, it } from "vitest";
import {
  Abort,
  Cancelled,
  CancelScope,
  ExceptionGroup,
  RuntimeError,
  TrioInternalError,
  checkpoint,
  checkpointIfCancelled,
  currentEffectiveDeadline,
  currentRun,
  currentStatistics,
  currentTask,
  currentTime,
  errorOutcome,
  openNursery,
  reschedule,
  sleep,
  sleepForever,
  spawnSystemTask,
  valueOutcome,
  waitTaskRescheduled,
  type Operation,
  type Task,
  type TaskStatus,
} from "../../src/core/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { rejection, runMock, within } from "../core/helpers.js";
import { leftovers } from "../../src/core/runner.js";

function* parkForever(): Operation<unknown> {
  return yield* waitTaskRescheduled(() => Abort.SUCCEEDED);
}

describe("Trio test_run: rescheduling and aborts", () => {
  // test_reschedule
  it("a task woken with an error outcome raises that error where it waits, and one woken with a value returns it", async () => {
    const seen: unknown[] = [];
    await runMock(function* () {
      let first: Task | null = null;
      let second: Task | null = null;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          first = currentTask();
          seen.push(yield* parkForever());
          reschedule(second!, errorOutcome(new Error("error message")));
        });
        yield* checkpoint();
        n.startSoon(function* () {
          second = currentTask();
          reschedule(first!, valueOutcome(0));
          try {
            yield* parkForever();
          } catch (error) {
            seen.push((error as Error).message);
          }
        });
      });
    });
    expect(seen).toEqual([0, "error message"]);
  });

  // test_failed_abort
  it("a wait whose abort function fails stays blocked through cancellation until woken by hand; the next cancel point then raises", async () => {
    const record: string[] = [];
    await runMock(function* () {
      let stubborn: Task | null = null;
      let scope: CancelScope | null = null;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          stubborn = currentTask();
          yield* new CancelScope().run(function* (s) {
            scope = s;
            record.push("sleep");
            const x = yield* waitTaskRescheduled(() => Abort.FAILED);
            expect(x).toBe(1);
            record.push("woke");
            try {
              yield* checkpointIfCancelled();
            } catch (error) {
              if (!(error instanceof Cancelled)) throw error;
              record.push("cancelled");
            }
          });
        });
        yield* waitAllTasksBlocked();
        expect(record).toEqual(["sleep"]);
        scope!.cancel();
        yield* waitAllTasksBlocked();
        expect(record).toEqual(["sleep"]);
        reschedule(stubborn!, valueOutcome(1));
      });
    });
    expect(record).toEqual(["sleep", "woke", "cancelled"]);
  });

  // test_broken_abort. Deliberate difference: Trio crashes the whole run
  // with TrioInternalError; we raise a TypeError at the broken wait only,
  // so the task's scopes and nurseries unwind as for any error.
  it("an abort function that answers something other than SUCCEEDED or FAILED makes the wait raise a TypeError, not the run crash", async () => {
    const error = await rejection(
      runMock(function* () {
        yield* new CancelScope().run(function* (s) {
          s.cancel();
          yield* waitTaskRescheduled(() => null as unknown as Abort);
        });
      }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(TrioInternalError);
  });

  // test_slow_abort_basic
  it("an abort that fails and later wakes the task with the Cancelled it was handed delivers that Cancelled", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (s) {
        s.cancel();
        const task = currentTask();
        let raised: unknown = null;
        try {
          yield* waitTaskRescheduled((raiseCancel) => {
            const cancelled = raiseCancel();
            queueMicrotask(() => reschedule(task, errorOutcome(cancelled)));
            return Abort.FAILED;
          });
        } catch (error) {
          raised = error;
        }
        expect(raised).toBeInstanceOf(Cancelled);
        throw raised;
      });
    });
  });

  // test_slow_abort_edge_cases
  it("a pending slow abort is asked only once, however many scopes are cancelled, and is delivered even if a shield goes up meanwhile", async () => {
    const record: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (outer1) {
        yield* new CancelScope().run(function* (outer2) {
          yield* openNursery(function* (n) {
            n.startSoon(function* () {
              const task = currentTask();
              record.push("sleeping");
              try {
                yield* waitTaskRescheduled((raiseCancel) => {
                  record.push("abort-called");
                  const cancelled = raiseCancel();
                  queueMicrotask(() => reschedule(task, errorOutcome(cancelled)));
                  return Abort.FAILED;
                });
              } catch (error) {
                if (!(error instanceof Cancelled)) throw error;
                record.push("cancelled");
              }
              // Shielded by now (below), so blocking again is fine.
              yield* checkpoint();
              record.push("done");
            });
            yield* waitAllTasksBlocked();
            expect(record).toEqual(["sleeping"]);
            outer1.cancel();
            expect(record).toEqual(["sleeping", "abort-called"]);
            outer2.cancel();
            expect(record).toEqual(["sleeping", "abort-called"]);
            n.cancelScope.shield = true;
          });
          expect(record).toEqual(["sleeping", "abort-called", "cancelled", "done"]);
        });
      });
    });
  });
});

describe("Trio test_run: time and deadlines", () => {
  // test_current_time_with_mock_clock
  it("currentTime() follows the MockClock's jumps exactly", async () => {
    const clock = new MockClock();
    await runMock(function* () {
      const start = clock.currentTime();
      expect(currentTime()).toBe(start);
      clock.jump(3.15);
      expect(currentTime()).toBe(start + 3.15);
    }, clock);
  });

  // test_yield_briefly_checks_for_timeout
  it("a deadline passed by a clock jump is seen at the very next checkpoint", async () => {
    const clock = new MockClock();
    await runMock(function* () {
      let raised = false;
      yield* new CancelScope({ deadline: currentTime() + 5 }).run(function* () {
        yield* checkpoint();
        clock.jump(10);
        try {
          yield* checkpoint();
        } catch (error) {
          if (!(error instanceof Cancelled)) throw error;
          raised = true;
          throw error;
        }
      });
      expect(raised).toBe(true);
    }, clock);
  });

  // test_basic_timeout
  it("a deadline set inside a scope that was left before it passed never cancels the scope", async () => {
    const clock = new MockClock();
    await runMock(function* () {
      const start = currentTime();
      const scope = new CancelScope();
      yield* scope.run(function* (s) {
        expect(s.deadline).toBe(Infinity);
        s.deadline = start + 1;
        expect(s.deadline).toBe(start + 1);
      });
      expect(scope.cancelCalled).toBe(false);
      clock.jump(2);
      yield* checkpoint();
      yield* checkpoint();
      expect(scope.cancelCalled).toBe(false);
      expect(scope.cancelledCaught).toBe(false);
    }, clock);
  });

  // test_basic_timeout (second part)
  it("a deadline passed while blocked cancels the scope, which absorbs the Cancelled and reports both flags", async () => {
    const clock = new MockClock();
    await runMock(function* () {
      const scope = new CancelScope({ deadline: currentTime() + 1 });
      yield* scope.run(function* () {
        clock.jump(2);
        yield* sleepForever();
      });
      expect(scope.cancelCalled).toBe(true);
      expect(scope.cancelledCaught).toBe(true);
    }, clock);
  });

  // test_current_effective_deadline
  it("the effective deadline follows moved deadlines and shields, and a shield inside a cancelled scope restores its own deadline", async () => {
    await runMock(function* () {
      expect(currentEffectiveDeadline()).toBe(Infinity);
      yield* new CancelScope({ deadline: 5 }).run(function* (scope1) {
        yield* new CancelScope({ deadline: 10 }).run(function* (scope2) {
          expect(currentEffectiveDeadline()).toBe(5);
          scope2.deadline = 3;
          expect(currentEffectiveDeadline()).toBe(3);
          scope2.deadline = 10;
          expect(currentEffectiveDeadline()).toBe(5);
          scope2.shield = true;
          expect(currentEffectiveDeadline()).toBe(10);
          scope2.shield = false;
          expect(currentEffectiveDeadline()).toBe(5);
          scope1.cancel();
          expect(currentEffectiveDeadline()).toBe(-Infinity);
          scope2.shield = true;
          expect(currentEffectiveDeadline()).toBe(10);
        });
        expect(currentEffectiveDeadline()).toBe(-Infinity);
      });
      expect(currentEffectiveDeadline()).toBe(Infinity);
    });
  });

  // test_cancel_scope_deadline_duplicates
  it("moving a deadline back and forth thousands of times keeps one heap entry per scope", async () => {
    await runMock(function* () {
      const runner = currentRun();
      const now = currentTime();
      yield* new CancelScope().run(function* (scope) {
        for (let i = 0; i < 2000; i++) {
          scope.deadline = now + 9998;
          scope.deadline = now + 9999;
        }
        expect(leftovers(runner).deadlines).toBe(1);
        yield* sleep(0.01);
      });
      expect(leftovers(runner).deadlines).toBe(0);
    });
  });
});

describe("Trio test_run: cancel scopes", () => {
  // test_cancel_shielding
  it("a shield blocks an outer cancellation but not one of a scope inside it, nor of the shielded scope itself, which absorbs its own", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (outer) {
        const inner = new CancelScope();
        yield* inner.run(function* () {
          yield* checkpoint();
          outer.cancel();
          yield* expectCancelled(checkpoint());
          expect(inner.shield).toBe(false);
          inner.shield = true;
          yield* checkpoint();
          const innermost = yield* new CancelScope().run(function* (s) {
            s.cancel();
            yield* checkpoint();
            return "unreached";
          });
          expect(innermost).toBeUndefined();
          yield* checkpoint();
          inner.shield = false;
          yield* expectCancelled(checkpoint());
          inner.shield = true;
          yield* checkpoint();
          inner.cancel();
          yield* checkpoint();
        });
        expect(inner.cancelledCaught).toBe(true);
      });
    });
  });

  // test_unshield_while_cancel_propagating
  it("raising a shield while an outer Cancelled is already propagating does not make the shielded scope catch it", async () => {
    await runMock(function* () {
      const outer = new CancelScope();
      const inner = new CancelScope();
      yield* outer.run(function* () {
        yield* inner.run(function* () {
          outer.cancel();
          try {
            yield* checkpoint();
          } finally {
            inner.shield = true;
          }
        });
      });
      expect(outer.cancelledCaught).toBe(true);
      expect(inner.cancelledCaught).toBe(false);
    });
  });

  // test_cancel_unbound (last part)
  it("an unentered scope reports cancelCalled once its deadline is moved into the past, and never becomes uncancelled", async () => {
    await runMock(function* () {
      const scope = new CancelScope({ deadline: currentTime() + 1 });
      expect(scope.cancelCalled).toBe(false);
      scope.deadline -= 1;
      expect(scope.cancelCalled).toBe(true);
      scope.deadline += 1;
      expect(scope.cancelCalled).toBe(true);
    });
  });

  // test_cancel_unbound ("can't enter from multiple tasks")
  it("a scope active in one task cannot be entered by another", async () => {
    await runMock(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* sleepForever();
          });
        });
        yield* waitAllTasksBlocked();
        let error: unknown = null;
        try {
          yield* scope.run(function* () {});
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RuntimeError);
        n.cancelScope.cancel();
      });
    });
  });

  // test_cancel_scope_no_cancellederror
  it("a cancelled scope that a group without any Cancelled leaves passes it on untouched and does not set cancelledCaught", async () => {
    const scope = new CancelScope();
    const group = new ExceptionGroup("test", [new Error("a"), new Error("b")]);
    const error = await rejection(
      runMock(function* () {
        yield* scope.run(function* (s) {
          s.cancel();
          throw group;
        });
      }),
    );
    expect(error).toBe(group);
    expect(scope.cancelledCaught).toBe(false);
  });

  // test_very_deep_cancel_scope_nesting
  it("cancelling the outermost of a thousand nested scopes reaches the innermost", async () => {
    await runMock(function* () {
      let reached = false;
      function* nest(depth: number): Operation<void> {
        if (depth === 0) {
          yield* expectCancelled(checkpoint());
          reached = true;
          return;
        }
        yield* new CancelScope().run(function* () {
          yield* nest(depth - 1);
        });
      }
      yield* new CancelScope().run(function* (outermost) {
        outermost.cancel();
        yield* nest(1000);
      });
      expect(reached).toBe(true);
    });
  });
});

describe("Trio test_run: nurseries", () => {
  // test_nursery_main_block_error_basic, test_child_crash_basic
  it("the very error object raised by the body or a child is the one inside the nursery's group", async () => {
    const fromBody = new Error("whoops");
    const fromChild = new Error("uh oh");
    const e1 = await rejection(
      runMock(function* () {
        yield* openNursery(function* () {
          throw fromBody;
        });
      }),
    );
    expect((e1 as ExceptionGroup).exceptions).toEqual([fromBody]);
    expect((e1 as ExceptionGroup).exceptions[0]).toBe(fromBody);
    const e2 = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            throw fromChild;
          });
        });
      }),
    );
    expect((e2 as ExceptionGroup).exceptions[0]).toBe(fromChild);
  });

  // test_child_crash_wakes_parent
  it("a child's crash wakes a body blocked on a bare wait, and the nursery raises only the crash", async () => {
    const error = await within(
      rejection(
        runMock(function* () {
          yield* openNursery(function* (n) {
            n.startSoon(function* () {
              throw new Error("this is a crash");
            });
            yield* parkForever();
          });
        }),
      ),
    );
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions.map((e) => (e as Error).message)).toEqual(["this is a crash"]);
  });

  // test_asyncio_function_inside_nursery_does_not_explode
  it("yielding a foreign value (a Promise) in a nursery body with a sleeping child gives a TypeError in the group, and the child is cancelled", async () => {
    let childCancelled = false;
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            try {
              yield* sleepForever();
            } catch (e) {
              childCancelled = e instanceof Cancelled;
              throw e;
            }
          });
          yield Promise.resolve(1) as never;
        });
      }),
    );
    expect(error).toBeInstanceOf(ExceptionGroup);
    const leaves = (error as ExceptionGroup).exceptions;
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toBeInstanceOf(TypeError);
    expect(childCancelled).toBe(true);
  });

  // test_trivial_yields
  it("in a cancelled scope, a nursery whose child never reaches a checkpoint exits without raising, and the scope catches nothing", async () => {
    await runMock(function* () {
      const scope = new CancelScope();
      let ran = false;
      yield* scope.run(function* (s) {
        s.cancel();
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            ran = true;
          });
        });
      });
      expect(ran).toBe(true);
      expect(scope.cancelledCaught).toBe(false);
    });
  });

  // test_trivial_yields (last part)
  it("in a cancelled scope, a nursery body's own error still comes out as a group of that error", async () => {
    const error = await rejection(
      runMock(function* () {
        yield* new CancelScope().run(function* (s) {
          s.cancel();
          yield* openNursery(function* () {
            throw new RangeError("key");
          });
        });
      }),
    );
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions).toHaveLength(1);
    expect((error as ExceptionGroup).exceptions[0]).toBeInstanceOf(RangeError);
  });

  // test_nursery_collapse
  it("an inner nursery's group keeps its shape after its Cancelleds are stripped: the outer group holds the error and a group of one", async () => {
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (outer) {
          outer.startSoon(sleepForever);
          outer.startSoon(function* () {
            throw new Error("test error 1");
          });
          yield* openNursery(function* (inner) {
            inner.startSoon(sleepForever);
            inner.startSoon(function* () {
              throw new Error("test error 2");
            });
            outer.cancelScope.cancel();
          });
        });
      }),
    );
    expect(error).toBeInstanceOf(ExceptionGroup);
    const members = (error as ExceptionGroup).exceptions;
    expect(members).toHaveLength(2);
    const nested = members.find((e) => e instanceof ExceptionGroup) as ExceptionGroup;
    const plain = members.find((e) => !(e instanceof ExceptionGroup)) as Error;
    expect(plain.message).toBe("test error 1");
    expect(nested.exceptions.map((e) => (e as Error).message)).toEqual(["test error 2"]);
  });

  // test_nursery_start_keeps_nursery_open
  it("a pending start() keeps the target nursery open until the child has started and finished", async () => {
    await runMock(function* () {
      function* sleepABit(status: TaskStatus<void>): Operation<void> {
        yield* sleep(2);
        status.started();
        yield* sleep(3);
      }
      yield* openNursery(function* (n1) {
        const t0 = currentTime();
        yield* openNursery(function* (n2) {
          n1.startSoon(function* () {
            yield* n2.start(sleepABit);
          });
          yield* sleep(1);
          n1.startSoon(function* () {
            yield* n2.start(sleepABit);
          });
        });
        expect(currentTime() - t0).toBe(6);
      });
    });
  });

  // test_nursery_start_keeps_nursery_open (crash part)
  it("a pending start() whose child crashes before started() keeps the target open until then, and start() raises the error", async () => {
    await runMock(function* () {
      let caught: unknown = null;
      yield* openNursery(function* (n1) {
        const t0 = currentTime();
        yield* openNursery(function* (n2) {
          n1.startSoon(function* () {
            try {
              yield* n2.start(function* (_status: TaskStatus<void>) {
                yield* sleep(7);
                throw new SyntaxError("crash");
              });
            } catch (e) {
              caught = e;
            }
          });
          yield* waitAllTasksBlocked();
        });
        expect(currentTime() - t0).toBe(7);
      });
      expect(caught).toBeInstanceOf(SyntaxError);
    });
  });

  // test_internal_error_old_nursery_multiple_tasks. Deliberate difference:
  // Trio calls this an internal error; here the tasks belong to the start()
  // call, which waits for them and raises their errors as a group.
  it("tasks a start() child spawns into its temporary nursery before started() make start() raise their errors as a group", async () => {
    await runMock(function* () {
      yield* openNursery(function* (n) {
        let caught: unknown = null;
        try {
          yield* n.start(function* (_status: TaskStatus<void>) {
            const temporary = currentTask().parentNursery!;
            expect(temporary).not.toBe(n);
            temporary.startSoon(function* () {
              throw new Error("one");
            });
            temporary.startSoon(function* () {
              throw new Error("two");
            });
          });
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(ExceptionGroup);
        expect(caught).not.toBeInstanceOf(TrioInternalError);
        expect((caught as ExceptionGroup).exceptions.map((e) => (e as Error).message)).toEqual(["one", "two"]);
      });
    });
  });

  // test_trio_run_strict_before_started
  it("a group the child raises itself before started() comes out of start() as that same group", async () => {
    const group = new ExceptionGroup("my group", [new Error("v")]);
    await runMock(function* () {
      yield* openNursery(function* (n) {
        let caught: unknown = null;
        try {
          yield* n.start(function* (_status: TaskStatus<void>) {
            throw group;
          });
        } catch (e) {
          caught = e;
        }
        expect(caught).toBe(group);
      });
    });
  });
});

describe("Trio test_run: system tasks and names", () => {
  // test_spawn_system_task
  it("a system task gets its arguments, runs beside main, and is named after its function", async () => {
    const record: unknown[] = [];
    await runMock(function* () {
      const task = spawnSystemTask(function* systemTask(x: number) {
        record.push(x);
        yield* checkpoint();
      }, 1);
      expect(task.name).toContain("systemTask");
      yield* waitAllTasksBlocked();
      expect(record).toEqual([1]);
    });
  });

  // test_spawn_name
  it("a child is named after its function unless startSoonNamed gives a name", async () => {
    await runMock(function* () {
      yield* openNursery(function* (n) {
        function* func1(): Operation<void> {}
        expect(n.startSoon(func1).name).toContain("func1");
        expect(n.startSoonNamed("func3", func1).name).toContain("func3");
      });
    });
  });
});

describe("Trio test_run: statistics", () => {
  // test_current_statistics (the part that applies: counting living tasks)
  it("tasksSpawned - tasksExited counts the living tasks, the main task and a blocked child included", async () => {
    await runMock(function* () {
      const living = () => {
        const stats = currentStatistics();
        return stats.tasksSpawned - stats.tasksExited;
      };
      yield* waitAllTasksBlocked();
      const before = living();
      expect(before).toBeGreaterThanOrEqual(1);
      yield* openNursery(function* (n) {
        n.startSoon(sleepForever);
        yield* waitAllTasksBlocked();
        expect(living()).toBe(before + 1);
        n.cancelScope.cancel();
      });
      expect(living()).toBe(before);
    });
  });
});

describe("Trio test_run: outside a run", () => {
  // test_out_of_context
  it("currentTask() and currentTime() outside any run raise RuntimeError", () => {
    expect(() => currentTask()).toThrow(RuntimeError);
    expect(() => currentTime()).toThrow(RuntimeError);
  });
});

/** Runs `op` and checks that it raises Cancelled (which it then swallows). */
function* expectCancelled(op: Operation<unknown>): Operation<void> {
  let raised: unknown = null;
  try {
    yield* op;
  } catch (error) {
    raised = error;
  }
  expect(raised).toBeInstanceOf(Cancelled);
}
