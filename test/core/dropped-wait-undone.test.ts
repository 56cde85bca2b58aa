/**
 * A wait stepped by hand (`g.next()`) and dropped is undone as soon as its
 * task leaves it: when the task registers another wait, when its step ends
 * at a checkpoint (or any yield other than PARK), and when it ends. Its
 * abort function is called then, with a raiseCancel whose Cancelled the
 * task never sees. Before, the wait stayed registered (in its primitive's
 * line, on the heap, as a DOM listener) until a wake happened to pass over
 * it, or forever.
 */
import { describe, expect, it } from "vitest";
import {
  Abort,
  Cancelled,
  ExceptionGroup,
  cancelShieldedCheckpoint,
  checkpoint,
  currentRun,
  currentTask,
  openNursery,
  reschedule,
  sleep,
  waitTaskRescheduled,
  type AbortFn,
  type Task,
} from "../../src/core/index.js";
import { leaves, runKeep } from "./helpers.js";

/** An abort function that records each call: the state of its task then, and what raiseCancel made. */
function recordingAbort(answer: Abort = Abort.SUCCEEDED): { abort: AbortFn; calls: { status: string; made: unknown }[] } {
  const calls: { status: string; made: unknown }[] = [];
  const abort: AbortFn = (raiseCancel, task) => {
    calls.push({ status: (task as Task).status, made: raiseCancel() });
    return answer;
  };
  return { abort, calls };
}

describe("a wait stepped by hand and dropped is undone when its task leaves it", () => {
  it("when the task registers another wait: before that wait begins", async () => {
    const { abort, calls } = recordingAbort();
    let atNewWait = -1;
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          waitTaskRescheduled(abort).next();
          yield* waitTaskRescheduled(() => {
            atNewWait = calls.length;
            return Abort.SUCCEEDED;
          });
        });
        yield* sleep(1);
        // The task is parked in its second wait; the first is undone already.
        expect(calls).toHaveLength(1);
        n.cancelScope.cancel();
      });
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(atNewWait).toBe(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.status).toBe("running");
    // What raiseCancel makes is a Cancelled, never raised in the task.
    expect(calls[0]!.made).toBeInstanceOf(Cancelled);
  });

  it("when its step ends at a checkpoint (a lone task, in the scheduler's fast loop)", async () => {
    const { abort, calls } = recordingAbort();
    const kept = await runKeep(function* () {
      waitTaskRescheduled(abort).next();
      yield* checkpoint();
      const afterFirst = calls.length;
      waitTaskRescheduled(abort).next();
      yield* cancelShieldedCheckpoint();
      return [afterFirst, calls.length];
    });
    expect(kept).toMatchObject({ ok: true, value: [1, 2] });
  });

  it("when the task ends", async () => {
    const { abort, calls } = recordingAbort(Abort.FAILED);
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          waitTaskRescheduled(abort).next();
        });
      });
      return calls.length;
    });
    expect(kept).toMatchObject({ ok: true, value: 1 });
  });

  it("a dropped sleep leaves the heap at the task's next checkpoint", async () => {
    const kept = await runKeep(function* () {
      sleep(1000).next();
      const before = currentRun().deadlines.size;
      yield* checkpoint();
      return [before, currentRun().deadlines.size];
    });
    expect(kept).toMatchObject({ ok: true, value: [1, 0] });
  });

  it("an abort function that wakes its own task (answering FAILED) does no harm: the task runs on", async () => {
    let called = 0;
    const kept = await runKeep(function* () {
      const task = currentTask();
      waitTaskRescheduled(() => {
        called++;
        reschedule(task, { ok: true, value: "stale" });
        return Abort.FAILED;
      }).next();
      yield* checkpoint();
      // Nothing was queued for the task by that wake: this sleep runs its length.
      yield* sleep(1);
      return called;
    });
    expect(kept).toMatchObject({ ok: true, value: 1 });
  });
});

describe("an abort function that throws while its dropped wait is undone", () => {
  const boom = (): never => {
    throw new Error("boom");
  };

  it("at the next wait: that wait raises the error, and is not registered", async () => {
    let registered = false;
    const kept = await runKeep(function* () {
      waitTaskRescheduled(boom).next();
      try {
        yield* waitTaskRescheduled(() => {
          registered = true;
          return Abort.SUCCEEDED;
        });
      } catch (error) {
        return (error as Error).message;
      }
      return "not raised";
    });
    expect(kept).toMatchObject({ ok: true, value: "boom" });
    expect(registered).toBe(false);
  });

  it("at a checkpoint: the checkpoint raises it", async () => {
    const kept = await runKeep(function* () {
      waitTaskRescheduled(boom).next();
      try {
        yield* checkpoint();
      } catch (error) {
        return (error as Error).message;
      }
      return "not raised";
    });
    expect(kept).toMatchObject({ ok: true, value: "boom" });
  });

  it("at the task's end: it becomes the task's error, or joins the one the task raised", async () => {
    const alone = await runKeep(function* () {
      waitTaskRescheduled(boom).next();
    });
    expect(alone.ok).toBe(false);
    expect((alone.value as Error).message).toBe("boom");

    const both = await runKeep(function* () {
      waitTaskRescheduled(boom).next();
      throw new Error("own");
    });
    expect(both.ok).toBe(false);
    expect(both.value).toBeInstanceOf(ExceptionGroup);
    expect(leaves(both.value).map((e) => (e as Error).message)).toEqual(["own", "boom"]);
  });
});
