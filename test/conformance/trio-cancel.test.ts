/**
 * Conformance with Trio's cancellation-reason tests
 * (trio/_core/_tests/test_cancel.py) and the cancel-scope parts of
 * test_run.py not pinned down elsewhere. Our reasons are plain strings
 * (docs/semantics.md, "Reasons"); Trio's are a kind plus a source task.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, ExceptionGroup, checkpoint, currentTime, openNursery, sleepForever, type Task, type TaskStatus } from "../../src/core/index.js";
import { currentTask } from "../../src/core/index.js";
import { Event } from "../../src/sync/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { cancelledBy, rejection, runMock } from "../core/helpers.js";

describe("Trio test_cancel: reasons", () => {
  // test_cancel_reason
  it("an explicit reason, an entry deadline of -Infinity and a deadline set to -Infinity inside each show in the Cancelled", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (cs) {
        cs.cancel("hello");
        const e = yield* cancelledBy(checkpoint());
        expect(e.reason).toBe("hello");
        expect(String(e)).toContain("hello");
      });
      yield* new CancelScope({ deadline: -Infinity }).run(function* () {
        const e = yield* cancelledBy(checkpoint());
        expect(e.reason).toBe("deadline exceeded");
      });
      yield* new CancelScope().run(function* (cs) {
        cs.deadline = -Infinity;
        const e = yield* cancelledBy(checkpoint());
        expect(e.reason).toBe("deadline exceeded");
      });
    });
  });

  // test_cancel_reason_nursery, test_cancel_reason_nursery2
  it("a sibling cancelled because a task failed (at once or later) hears the failing task's name, and its own later error joins the group", async () => {
    for (const later of [false, true]) {
      const reasons: (string | undefined)[] = [];
      const error = await rejection(
        runMock(function* () {
          yield* openNursery(function* (n) {
            const event = new Event();
            const failing: Task = yield* n.start(function* failingTask(status: TaskStatus<Task>) {
              status.started(currentTask());
              if (later) yield* event.wait();
              throw new RangeError("fail");
            });
            yield* n.start(function* (status: TaskStatus<void>) {
              status.started();
              const e = yield* cancelledBy(sleepForever());
              reasons.push(e.reason);
              expect(e.reason).toContain(failing.name);
              throw new TypeError("after");
            });
            event.set();
          });
        }),
      );
      expect(error).toBeInstanceOf(ExceptionGroup);
      const kinds = (error as ExceptionGroup).exceptions.map((e) => (e as Error).constructor.name).sort();
      expect(kinds).toEqual(["RangeError", "TypeError"]);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(/failingTask raised RangeError: fail/);
    }
  });

  // test_cancel_reason_not_overwritten
  it("moving the deadline into the past after cancel() keeps the explicit reason", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (cs) {
        cs.cancel("explicit");
        expect((yield* cancelledBy(checkpoint())).reason).toBe("explicit");
        cs.deadline = -Infinity;
        expect((yield* cancelledBy(checkpoint())).reason).toBe("explicit");
        expect(cs.cancelReason).toBe("explicit");
      });
    });
  });

  // test_cancel_reason_not_overwritten_2. Trio's test is marked broken: it
  // reports "explicit" after a deadline set to -inf inside the scope. Our
  // rule is one reason per scope, the first: the deadline's, kept after a
  // later cancel().
  it("cancel() after a deadline moved into the past keeps the deadline's reason", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (cs) {
        cs.deadline = -Infinity;
        expect((yield* cancelledBy(checkpoint())).reason).toBe("deadline exceeded");
        cs.cancel("explicit");
        expect((yield* cancelledBy(checkpoint())).reason).toBe("deadline exceeded");
      });
    });
  });

  it("a deadline passing after cancel() changes nothing", async () => {
    await runMock(function* () {
      yield* new CancelScope({ deadline: currentTime() + 1 }).run(function* (cs) {
        cs.cancel("first");
        yield* waitAllTasksBlocked();
        expect(cs.cancelReason).toBe("first");
      });
    });
  });
});

describe("Trio test_run: cancellation across nurseries", () => {
  // test_cancel_scope_exceptiongroup_filtering
  it("children cancelled by the nursery and by an outer scope, plus a crash: the nursery raises them all, and the outer scope keeps only the crash", async () => {
    let inner: unknown = null;
    const error = await rejection(
      runMock(function* () {
        yield* new CancelScope().run(function* (outer) {
          try {
            yield* openNursery(function* (n) {
              n.startSoon(sleepForever);
              n.startSoon(sleepForever);
              n.cancelScope.cancel();
              yield* new CancelScope({ shield: true }).run(function* () {
                yield* waitAllTasksBlocked();
              });
              n.startSoon(sleepForever);
              outer.cancel();
              n.startSoon(function* () {
                throw new SyntaxError("key");
              });
            });
          } catch (e) {
            inner = e;
            throw e;
          }
        });
      }),
    );
    // Inside: the Cancelleds that only the outer scope can catch stay in the group.
    // As in Trio: the three sleepers' Cancelleds and the crash, in one flat group.
    expect(inner).toBeInstanceOf(ExceptionGroup);
    const members = (inner as ExceptionGroup).exceptions;
    expect(members.filter((e) => e instanceof Cancelled)).toHaveLength(3);
    expect(members.filter((e) => e instanceof SyntaxError)).toHaveLength(1);
    expect(members).toHaveLength(4);
    // Outside: only the crash is left.
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions).toHaveLength(1);
    expect((error as ExceptionGroup).exceptions[0]).toBeInstanceOf(SyntaxError);
  });

  // test_cancel_shield_abort
  it("lowering a nursery's shield under a cancelled outer scope wakes its sleeping child, before the nursery block ends", async () => {
    const record: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (outer) {
        yield* openNursery(function* (n) {
          outer.cancel();
          n.cancelScope.shield = true;
          n.startSoon(function* () {
            record.push("sleeping");
            try {
              yield* sleepForever();
            } catch (e) {
              record.push("cancelled");
              throw e;
            }
          });
          yield* waitAllTasksBlocked();
          expect(record).toEqual(["sleeping"]);
          n.cancelScope.shield = false;
          yield* new CancelScope({ shield: true }).run(function* () {
            yield* waitAllTasksBlocked();
            expect(record).toEqual(["sleeping", "cancelled"]);
          });
        });
      });
    });
  });

  // test_cancel_unbound ("cancel after entry", from another task)
  it("a scope handed to a child and cancelled from the parent after entry wakes the child, and no other deadline is involved", async () => {
    await runMock(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* sleepForever();
          });
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
      expect(scope.cancelledCaught).toBe(true);
    });
  });
});
