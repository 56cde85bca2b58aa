/**
 * An abort function that wakes its own task. Answering Abort.SUCCEEDED
 * wakes the task (with Cancelled), so one that has already woken it
 * (reschedule, or a wake through some primitive) and then answers
 * SUCCEEDED wakes one wait twice. Trio asserts in reschedule and the run
 * crashes; ours raises a TrioInternalError at that wait, in place of the
 * first wake, as for the other broken answers (docs/semantics.md). Waking
 * the task and answering FAILED is fine: the wake stands.
 */
import { describe, expect, it } from "vitest";
import {
  Abort,
  Cancelled,
  CancelScope,
  TrioInternalError,
  checkpoint,
  errorOutcome,
  openNursery,
  reschedule,
  valueOutcome,
  waitTaskRescheduled,
  type Operation,
  type Task,
} from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { runKeep } from "./helpers.js";

const CLEAN = { tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 };

/** Waits with `abortFn` in a scope cancelled from the start; returns what the wait returned or raised. */
function* waitCancelled(abortFn: (task: Task) => Abort): Operation<{ ok: boolean; value: unknown }> {
  let seen: { ok: boolean; value: unknown } = { ok: true, value: "never woken" };
  yield* new CancelScope({ deadline: -Infinity }).run(function* () {
    try {
      seen = { ok: true, value: yield* waitTaskRescheduled((_raise, task) => abortFn(task as Task)) };
    } catch (error) {
      seen = { ok: false, value: error };
    }
  });
  return seen;
}

describe("an abort function that wakes its own task", () => {
  it("and answers SUCCEEDED: the wait raises TrioInternalError that names the fix, not the value it was woken with", async () => {
    const kept = await runKeep(function* () {
      return yield* waitCancelled((task) => {
        reschedule(task, valueOutcome("woken by the abort function"));
        return Abort.SUCCEEDED;
      });
    });
    expect(kept.ok).toBe(true);
    const seen = kept.value as { ok: boolean; value: unknown };
    expect(seen.ok).toBe(false);
    expect(seen.value).toBeInstanceOf(TrioInternalError);
    expect(String(seen.value)).toMatch(/woke it and then answered Abort\.SUCCEEDED/);
    expect(String(seen.value)).toMatch(/answer Abort\.FAILED/);
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("and answers SUCCEEDED, cancelled by a sibling: the error comes out of the run", async () => {
    const kept = await runKeep(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* waitTaskRescheduled((_raise, task) => {
              reschedule(task as Task, errorOutcome(new Error("a wake of its own")));
              return Abort.SUCCEEDED;
            });
          });
        });
        yield* checkpoint();
        scope.cancel();
      });
    });
    expect(kept.ok).toBe(false);
    const leaves = (kept.value as { exceptions: unknown[] }).exceptions;
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toBeInstanceOf(TrioInternalError);
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("and answers FAILED: the wake stands (the task gets its value, and Cancelled at its next checkpoint)", async () => {
    const kept = await runKeep(function* () {
      let next: unknown = "no checkpoint";
      const seen = yield* new CancelScope({ deadline: -Infinity }).run(function* () {
        const value = yield* waitTaskRescheduled((_raise, task) => {
          reschedule(task as Task, valueOutcome("value"));
          return Abort.FAILED;
        });
        try {
          yield* checkpoint();
        } catch (error) {
          next = error;
        }
        return value;
      });
      return { seen, next };
    });
    expect(kept.ok).toBe(true);
    const { seen, next } = kept.value as { seen: unknown; next: unknown };
    expect(seen).toBe("value");
    expect(next).toBeInstanceOf(Cancelled);
  });

  it("and answers SUCCEEDED without waking it (the normal case): the wait raises Cancelled", async () => {
    const kept = await runKeep(function* () {
      return yield* waitCancelled(() => Abort.SUCCEEDED);
    });
    const seen = kept.value as { ok: boolean; value: unknown };
    expect(seen.ok).toBe(false);
    expect(seen.value).toBeInstanceOf(Cancelled);
  });

  it("and then throws: its error is raised at the wait, not dropped", async () => {
    const boom = new RangeError("abort boom");
    const kept = await runKeep(function* () {
      return yield* waitCancelled((task) => {
        reschedule(task, valueOutcome("value"));
        throw boom;
      });
    });
    const seen = kept.value as { ok: boolean; value: unknown };
    expect(seen).toEqual({ ok: false, value: boom });
  });

  it("and then answers something else: the TypeError is raised at the wait, not dropped", async () => {
    const kept = await runKeep(function* () {
      return yield* waitCancelled((task) => {
        reschedule(task, valueOutcome("value"));
        return "yes" as unknown as Abort;
      });
    });
    const seen = kept.value as { ok: boolean; value: unknown };
    expect(seen.ok).toBe(false);
    expect(seen.value).toBeInstanceOf(TypeError);
    expect(String(seen.value)).toMatch(/must return Abort\.SUCCEEDED or Abort\.FAILED/);
  });
});
