/**
 * A fourth batch after Trio's core suite (trio/_core/_tests/test_run.py and
 * test_cancel.py): corners of rules those tests check that the earlier
 * batches (trio-run*.test.ts, trio-cancel.test.ts) and test/core leave
 * open. Each test names the Trio test whose rule it follows; the code and
 * wording are ours.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, RuntimeError, checkpoint, currentEffectiveDeadline, currentTask, currentTime, moveOnAt, openNursery, sleep, type Task, type TaskStatus } from "../../src/core/index.js";
import { runKeep, runMock } from "../core/helpers.js";

describe("start() and started()", () => {
  // test_current_effective_deadline and test_task_tree_introspection: a
  // child runs under start()'s caller until started(), then under its target.
  it("a child's effective deadline is its caller's before started() and its target nursery's after", async () => {
    const seen: number[] = [];
    await runMock(function* () {
      yield* moveOnAt(100, function* () {
        yield* openNursery(function* (target) {
          target.cancelScope.deadline = 50;
          yield* moveOnAt(7, function* () {
            yield* target.start(function* (status: TaskStatus<void>) {
              seen.push(currentEffectiveDeadline());
              status.started();
              seen.push(currentEffectiveDeadline());
            });
          });
          target.cancelScope.deadline = Infinity;
        });
      });
    });
    expect(seen).toEqual([7, 50]);
  });

  // test_nursery_start ("calling started twice", "if the call to start() is
  // cancelled, then the call to started() does nothing"): the second call
  // is refused all the same, and start() returns the first value.
  it("started() twice in a cancelled start(): the second raises RuntimeError, start() returns the first value", async () => {
    const log: string[] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        yield* new CancelScope().run(function* (cs) {
          cs.cancel();
          const value = yield* n.start(function* (status: TaskStatus<string>) {
            status.started("first");
            try {
              status.started("second");
            } catch (error) {
              log.push(`second call: ${(error as Error).name}`);
              expect(error).toBeInstanceOf(RuntimeError);
            }
          });
          log.push(`start returned ${String(value)}`);
        });
      });
      return "ok";
    });
    expect(log).toEqual(["second call: RuntimeError", "start returned first"]);
    expect(kept).toMatchObject({ ok: true, value: "ok" });
  });

  // test_task_tree_introspection: started() moves the task that start()
  // runs, whoever holds its status and calls it.
  it("started() called by a sibling holding the status moves the started child, not the sibling", async () => {
    const log: string[] = [];
    let child: Task | null = null;
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        let status: TaskStatus<string> | null = null;
        n.startSoon(function* () {
          yield* sleep(1);
          status!.started("from the sibling");
          log.push(`child moved: ${String(child!.parentNursery === n)}`);
        });
        const value = yield* n.start(function* (s: TaskStatus<string>) {
          status = s;
          child = currentTask();
          log.push(`child before: ${String(currentTask().parentNursery === n)}`);
          yield* sleep(2);
          log.push("child goes on in the target");
        });
        log.push(`start returned ${String(value)}`);
      });
      return "ok";
    });
    expect(log).toEqual(["child before: false", "child moved: true", "start returned from the sibling", "child goes on in the target"]);
    expect(kept).toMatchObject({ ok: true, value: "ok" });
  });
});

describe("cancel scopes", () => {
  // test_cancel_unbound ("never become un-cancelled"), for an entered scope:
  // a deadline moved into the past cancels at once, and moving it later again
  // does not undo that.
  it("an entered scope whose deadline was moved into the past stays cancelled when it is moved later again", async () => {
    const log: unknown[] = [];
    await runMock(function* () {
      const scope = new CancelScope();
      yield* scope.run(function* (s) {
        s.deadline = currentTime() - 1;
        log.push(s.cancelCalled);
        s.deadline = currentTime() + 100;
        log.push(s.cancelCalled);
        try {
          yield* checkpoint();
        } catch (error) {
          log.push((error as Cancelled).reason);
          throw error;
        }
      });
      log.push(scope.cancelledCaught);
    });
    expect(log).toEqual([true, true, "deadline exceeded", true]);
  });

  // test_cancel_shielding ("shield doesn't protect us from inner itself") and
  // test_cancel_scope_nesting: both cancelled, a shield between them: the
  // inner scope's Cancelled stops at it, the outer one is raised once out.
  it("a cancelled shielded scope inside a cancelled scope catches its own Cancelled, then the outer one raises outside it", async () => {
    const log: unknown[] = [];
    await runMock(function* () {
      const outer = new CancelScope();
      yield* outer.run(function* () {
        outer.cancel("outer");
        const inner = new CancelScope({ shield: true });
        yield* inner.run(function* () {
          inner.cancel("inner");
          try {
            yield* checkpoint();
          } catch (error) {
            log.push((error as Cancelled).reason);
            throw error;
          }
        });
        log.push(`inner caught: ${String(inner.cancelledCaught)}`);
        try {
          yield* checkpoint();
        } catch (error) {
          log.push((error as Cancelled).reason);
          throw error;
        }
      });
      log.push(`outer caught: ${String(outer.cancelledCaught)}`);
    });
    expect(log).toEqual(["inner", "inner caught: true", "outer", "outer caught: true"]);
  });
});
