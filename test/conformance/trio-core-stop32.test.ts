/**
 * A second pass over Trio's core tests (trio/_core/_tests/test_run.py,
 * test_instrumentation.py, trio/_tests/test_timeouts.py) for rules the
 * other trio-* files do not pin yet: deadlines moved while a task waits,
 * a scope or nursery ended from an unrelated task (refused), reasons
 * through a start() in a cancelled nursery, shields on timeouts, relative
 * deadlines after entry, instruments swapped mid-step. Ours are generator
 * tasks; the rules are Trio's, the tests our own.
 */
import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  ExceptionGroup,
  RuntimeError,
  TooSlowError,
  addInstrument,
  checkpoint,
  currentTime,
  failAfter,
  failAt,
  moveOnAfter,
  moveOnAt,
  openNursery,
  removeInstrument,
  runWith,
  sleep,
  sleepForever,
  type Instrument,
  type Nursery,
  type Operation,
  type Task,
  type TaskStatus,
} from "../../src/core/index.js";
import { waitPromise } from "../../src/bridge/index.js";
import { leftovers } from "../../src/core/runner.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { autojumpClock, leaves, rejection, runKeep, runMock } from "../core/helpers.js";

/** Drives `op` as `yield*` would, so a test can hold the operation and end it from elsewhere. */
function* forward<T>(op: Operation<T>): Operation<T> {
  let step = op.next();
  while (!step.done) {
    let input: unknown;
    try {
      input = yield step.value;
    } catch (error) {
      step = op.throw(error);
      continue;
    }
    step = op.next(input);
  }
  return step.value;
}

describe("Trio test_run: deadlines and shields changed while a task waits", () => {
  // test_basic_timeout ("changing deadline"), with the task blocked when the
  // deadline moves: later, then to Infinity, then earlier.
  it("a sleeper wakes at the deadline in force when it passes, however often another task moved it", async () => {
    const log: unknown[] = [];
    await runMock(function* () {
      const scope = new CancelScope({ deadline: 1 });
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            try {
              yield* sleepForever();
            } finally {
              log.push(`woke at ${currentTime()}`);
            }
          });
          log.push(`caught ${String(scope.cancelledCaught)}`);
        });
        yield* sleep(0.5);
        scope.deadline = 5; // later: the old deadline must not fire
        yield* sleep(1);
        scope.deadline = Infinity; // none: nothing fires at 5
        yield* sleep(10);
        log.push(`still asleep at ${currentTime()}`);
        scope.deadline = currentTime() + 2; // earlier than never
      });
    });
    expect(log).toEqual(["still asleep at 11.5", "woke at 13.5", "caught true"]);
  });

  // test_cancel_shielding: a shield lowered and raised again while the outer
  // scope is cancelled; the task is blocked each time the shield changes.
  it("a shield lowered and raised again in one step still wakes the waiting task with the outer Cancelled, which the outer scope catches", async () => {
    const log: unknown[] = [];
    await runMock(function* () {
      const outer = new CancelScope();
      const inner = new CancelScope({ shield: true });
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* outer.run(function* () {
            yield* inner.run(function* () {
              try {
                yield* sleep(100);
                log.push(`slept to ${currentTime()}`);
                yield* checkpoint();
              } catch (error) {
                log.push(`cancelled at ${currentTime()}: ${(error as Cancelled).reason}`);
                throw error;
              }
            });
          });
          log.push(`inner caught ${String(inner.cancelledCaught)}, outer caught ${String(outer.cancelledCaught)}`);
        });
        yield* waitAllTasksBlocked();
        outer.cancel("outer");
        yield* sleep(1);
        inner.shield = false;
        inner.shield = true; // same step: the sleeper was woken by the drop
        yield* sleep(1);
      });
    });
    // Trio: lowering the shield aborts the sleep at once, and raising it
    // again before the task runs does not undo that wake-up; the Cancelled
    // the task then meets is stopped by nothing until the outer scope.
    expect(log).toEqual(["cancelled at 1: outer", "inner caught false, outer caught true"]);
  });
});

describe("Trio test_run: test_cancel_scope_misnesting, a scope left from an unrelated task", () => {
  for (const how of ["return", "throw"] as const) {
    it(`${how}() on another task's CancelScope.run is refused with RuntimeError, and the scope stays the owner's: cancel() still reaches it`, async () => {
      const log: unknown[] = [];
      let refusal: unknown = null;
      const outcome = await runKeep(function* () {
        const scope = new CancelScope();
        let frame: Operation<unknown> | null = null;
        yield* openNursery(function* (n) {
          n.startSoonNamed("owner", function* () {
            frame = scope.run(function* () {
              yield* sleepForever();
            });
            try {
              yield* forward(frame);
            } catch (error) {
              log.push(`owner woke with ${error instanceof Cancelled ? "Cancelled" : String(error)}`);
              throw error;
            }
          });
          yield* waitAllTasksBlocked();
          try {
            if (how === "return") frame!.return(undefined);
            else frame!.throw(new Error("thrown in from main"));
          } catch (error) {
            refusal = error;
          }
          log.push(`active after the attempt: ${String(scope.active)}`);
          scope.cancel();
          yield* waitAllTasksBlocked();
          // Without the refusal the owner would sleep on, out of the scope's reach.
          n.cancelScope.cancel();
        });
      });
      expect(refusal).toBeInstanceOf(RuntimeError);
      expect(String(refusal)).toMatch(/CancelScope\.run\(\) entered by task owner was left from task main; only the task that entered it can leave it/);
      expect(log).toEqual(["active after the attempt: true", "owner woke with Cancelled"]);
      // The owner then ended inside a scope whose frame is gone: the misuse
      // rule of docs/semantics.md (RuntimeError, the scope closed).
      expect(outcome.ok).toBe(false);
      expect(leaves(outcome.value).map((e) => (e as Error).name)).toEqual(["RuntimeError"]);
      expect(leftovers(outcome.runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
    });
  }
});

describe("Trio test_run: test_cancel_scope_misnesting, a scope left from outside any task", () => {
  it("return() on a task's CancelScope.run from a host callback is refused, and the scope's deadline still reaches the task", async () => {
    const log: unknown[] = [];
    let refusal: unknown = null;
    const outcome = await runKeep(function* () {
      const scope = new CancelScope();
      const frame = scope.run(function* () {
        yield* sleepForever();
      });
      const host = new Promise<void>((resolve) => {
        setTimeout(() => {
          try {
            frame.return(undefined);
          } catch (error) {
            refusal = error;
          }
          scope.deadline = -Infinity; // from the host too: wakes the task
          resolve();
        }, 0);
      });
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* waitPromise(host);
          yield* sleep(1);
          n.cancelScope.cancel(); // so that a failing run ends rather than hangs
        });
        try {
          yield* forward(frame);
        } catch (error) {
          log.push(`woke with ${String(error)}`);
          throw error;
        }
      });
    });
    expect(refusal).toBeInstanceOf(RuntimeError);
    expect(String(refusal)).toMatch(/CancelScope\.run\(\) entered by task main was left from outside any task/);
    expect(log).toEqual(["woke with Cancelled: deadline exceeded"]);
    // The frame ended with the refusal, so the task left the scope by the
    // nursery's exit, which closed it as its own exit would have: the
    // scope's Cancelled stopped there (docs/semantics.md, Misuse).
    expect(outcome.ok).toBe(true);
    expect(leftovers(outcome.runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });
});

describe("Trio test_run: test_cancel_scope_misnesting, a nursery left from an unrelated task", () => {
  for (const how of ["return", "throw"] as const) {
    for (const withChild of [false, true]) {
      it(`${how}() on another task's openNursery block ${withChild ? "with a child" : "without children"} is refused before the body hears of it; the nursery stays the owner's`, async () => {
        const log: unknown[] = [];
        let refusal: unknown = null;
        const outcome = await runKeep(function* () {
          let block: Operation<unknown> | null = null;
          let inner: Nursery | null = null;
          yield* openNursery(function* (n) {
            n.startSoonNamed("owner", function* () {
              block = openNursery(function* (m) {
                inner = m;
                if (withChild) {
                  m.startSoon(function* () {
                    try {
                      yield* sleepForever();
                    } finally {
                      log.push("child cancelled");
                    }
                  });
                }
                try {
                  yield* sleepForever();
                } finally {
                  log.push("body cancelled");
                }
              });
              yield* forward(block);
              log.push("owner left the nursery");
            });
            yield* waitAllTasksBlocked();
            try {
              if (how === "return") block!.return(undefined);
              else block!.throw(new Error("thrown in from main"));
            } catch (error) {
              refusal = error;
            }
            log.push("refused");
            // Without the refusal the owner would no longer be in the
            // nursery, and cancelling it would not reach the owner.
            inner!.cancelScope.cancel();
            yield* waitAllTasksBlocked();
            n.cancelScope.cancel(); // so that a failing run ends rather than hangs
          });
        });
        expect(refusal).toBeInstanceOf(RuntimeError);
        expect(String(refusal)).toMatch(/openNursery\(\) block entered by task owner was left from task main; only the task that entered it can leave it/);
        expect(log).toEqual(withChild ? ["refused", "body cancelled", "child cancelled", "owner left the nursery"] : ["refused", "body cancelled", "owner left the nursery"]);
        expect(outcome).toMatchObject({ ok: true });
        expect(leftovers(outcome.runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
      });
    }
  }
});

describe("Trio test_cancelled: reasons through a start() in a cancelled nursery", () => {
  // test_cancel_reason_nursery (current Trio): the body hears the failure at
  // its next checkpoint, catches it, and start()s another child anyway.
  it("a body that caught the failure's Cancelled and then start()s a child: the child stays under start(), hears the same reason, and its error joins the group", async () => {
    const reasons: unknown[] = [];
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          yield* n.start(function* failingTask(status: TaskStatus<void>) {
            status.started();
            throw new RangeError("fail");
          });
          try {
            yield* waitAllTasksBlocked();
          } catch (e) {
            reasons.push((e as Cancelled).reason);
          }
          yield* n.start(function* cancelledTask(status: TaskStatus<void>) {
            status.started();
            try {
              yield* sleepForever();
            } catch (e) {
              reasons.push((e as Cancelled).reason);
            }
            throw new TypeError("after");
          });
        });
      }),
    );
    expect(reasons).toEqual(["failingTask raised RangeError: fail", "failingTask raised RangeError: fail"]);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions.map((e) => (e as Error).name).sort()).toEqual(["RangeError", "TypeError"]);
  });
});

describe("Trio test_timeouts: relative deadlines and shields", () => {
  // test_timeout_deadline_on_entry (current Trio): once entered, deadline and
  // relativeDeadline are two views of one value, and setting either moves it.
  it("inside moveOnAfter, the deadline counts from entry, and setting deadline or relativeDeadline moves both views", async () => {
    const log: unknown[] = [];
    await runMock(function* () {
      yield* sleep(3);
      const start = currentTime();
      yield* moveOnAfter(5, function* (cs) {
        log.push(cs.deadline - start, cs.relativeDeadline);
        cs.deadline = start + 3;
        log.push(cs.deadline - start, cs.relativeDeadline);
        cs.relativeDeadline = 4;
        log.push(cs.deadline - start, cs.relativeDeadline);
        yield* sleep(1);
        log.push(cs.relativeDeadline);
        yield* sleepForever();
      });
      log.push(currentTime() - start);
    });
    expect(log).toEqual([5, 5, 3, 3, 4, 4, 3, 4]);
  });

  // test_context_shields_from_outer. Trio's timeouts take shield=True; ours
  // take the scope's shield set as the body's first statement, before any
  // checkpoint, which is the same thing (docs/semantics.md, Timeouts).
  for (const [name, timeout] of [
    ["moveOnAfter", moveOnAfter],
    ["failAfter", failAfter],
  ] as const) {
    it(`${name} with its shield up keeps an outer cancellation out until the shield is lowered`, async () => {
      const log: unknown[] = [];
      await runMock(function* () {
        const outer = new CancelScope();
        yield* outer.run(function* () {
          yield* timeout(1, function* (inner) {
            inner.shield = true;
            outer.cancel();
            yield* checkpoint();
            log.push("shielded checkpoint passed");
            inner.shield = false;
            try {
              yield* checkpoint();
            } catch (error) {
              log.push(error instanceof Cancelled ? "cancelled once lowered" : error);
              throw error;
            }
          });
        });
        log.push(`outer caught ${String(outer.cancelledCaught)}`);
      });
      expect(log).toEqual(["shielded checkpoint passed", "cancelled once lowered", "outer caught true"]);
    });
  }

  // test_move_on_after_moves_on_even_if_shielded
  it("a shielded moveOnAfter inside a cancelled scope still ends at its own deadline, and the outer scope then catches", async () => {
    const log: unknown[] = [];
    await runMock(function* () {
      const outer = new CancelScope();
      yield* outer.run(function* () {
        outer.cancel();
        const r = yield* moveOnAfter(1, function* (inner) {
          inner.shield = true;
          yield* sleepForever();
        });
        log.push(`moved on at ${currentTime()} with ${String(r)}`);
        yield* checkpoint();
        log.push("not reached");
      });
      log.push(`outer caught ${String(outer.cancelledCaught)}`);
    });
    expect(log).toEqual(["moved on at 1 with undefined", "outer caught true"]);
  });

  // test_fail_after_fails_even_if_shielded
  it("a shielded failAfter inside a cancelled scope raises TooSlowError at its deadline, which the outer scope lets through", async () => {
    let outer: CancelScope | null = null;
    const error = await rejection(
      runMock(function* () {
        const o = (outer = new CancelScope());
        yield* o.run(function* () {
          o.cancel();
          yield* failAfter(1, function* (inner) {
            inner.shield = true;
            yield* sleepForever();
          });
        });
      }),
    );
    expect(error).toBeInstanceOf(TooSlowError);
    expect(outer!.cancelledCaught).toBe(false);
  });

  // test_fail ("fail_at(now + 100) around sleep(0)"), and the edge: a
  // deadline already past when a body that never checkpoints runs.
  it("failAt and moveOnAt with a past deadline: a body without a checkpoint finishes normally; one with a checkpoint is cut", async () => {
    const log: unknown[] = [];
    await runMock(function* () {
      log.push(yield* failAt(currentTime() - 1, function* () {
        return "no checkpoint";
      }));
      log.push(yield* moveOnAt(currentTime() - 1, function* () {
        return "no checkpoint either";
      }));
      log.push(yield* moveOnAt(currentTime() - 1, function* () {
        yield* sleep(0);
        return "not reached";
      }));
      try {
        yield* failAt(currentTime(), function* () {
          yield* sleep(0);
        });
      } catch (error) {
        log.push(error instanceof TooSlowError ? "TooSlowError" : error);
      }
    });
    expect(log).toEqual(["no checkpoint", "no checkpoint either", undefined, "TooSlowError"]);
  });
});

describe("Trio test_instrumentation: instruments swapped inside a step", () => {
  // test_instruments: r2 removed and r3 added in the middle of a task's step;
  // r1, installed throughout, saw exactly what r2 saw followed by what r3 saw.
  it("one removed and one added in the middle of a step split the record between them at that point", async () => {
    const records = new Map<string, string[]>();
    function recorder(name: string): Instrument {
      const log: string[] = [];
      records.set(name, log);
      const seen = (what: string) => (task: Task) => {
        if (task.name === "watched") log.push(what);
      };
      return { taskScheduled: seen("schedule"), beforeTaskStep: seen("before"), afterTaskStep: seen("after"), beforeRun: () => log.push("beforeRun"), afterRun: () => log.push("afterRun") };
    }
    const r1 = recorder("r1");
    const r2 = recorder("r2");
    const r3 = recorder("r3");
    let secondRemove: unknown = null;
    await runWith({ clock: autojumpClock(), instruments: [r1, r2] }, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("watched", function* () {
          for (let i = 0; i < 4; i++) yield* checkpoint();
          removeInstrument(r2);
          try {
            removeInstrument(r2);
          } catch (error) {
            secondRemove = error;
          }
          addInstrument(r3);
          addInstrument(r3);
          yield* checkpoint();
        });
      });
    });
    const step = ["before", "schedule", "after"];
    expect(records.get("r1")).toEqual(["beforeRun", "schedule", ...step, ...step, ...step, ...step, ...step, "before", "after", "afterRun"]);
    expect(records.get("r1")).toEqual([...records.get("r2")!, ...records.get("r3")!]);
    expect(secondRemove).toBeInstanceOf(Error);
  });
});

