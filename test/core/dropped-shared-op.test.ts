/**
 * `checkpoint()`, `sleep(0)` and `sleepForever()` return one iterator shared
 * by every task, whose per-task state is a bit on the task: it tells the
 * iterator that its next step is the resumption after its own yield.
 * Before, the iterator set that bit at its first step, so one stepped by
 * hand (`g.next()`) and dropped left it set: the task's next checkpoint
 * returned at once without letting others run, even after a real wait in
 * between, and its next sleepForever() raised "woken by reschedule" at
 * once. Now the scheduler sets the bit when it receives the yield, which a
 * dropped iterator never reaches (docs/semantics.md, Misuse).
 */
import { describe, expect, it } from "vitest";
import { Cancelled, checkpoint, currentTime, moveOnAfter, openNursery, reschedule, sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { Lock, openMemoryChannel } from "../../src/sync/index.js";
import { TestEvent, leaves, runKeep } from "./helpers.js";

/**
 * Runs `op` with a sibling task queued but not yet run: true if `op`
 * yielded to the scheduler (the sibling ran meanwhile).
 */
function* letsOthersRun(op: () => Operation<unknown>): Operation<boolean> {
  let ran = false;
  let seen = false;
  yield* openNursery(function* (n) {
    n.startSoon(function* () {
      ran = true;
    });
    yield* op();
    seen = ran;
  });
  return seen;
}

describe("a shared operation iterator stepped by hand and dropped", () => {
  it("the control: checkpoint() and sleep(0) let a queued sibling run", async () => {
    const kept = await runKeep(function* () {
      return [yield* letsOthersRun(checkpoint), yield* letsOthersRun(() => sleep(0))];
    });
    expect(kept).toMatchObject({ ok: true, value: [true, true] });
  });

  it("checkpoint(): the task's next checkpoint still lets others run", async () => {
    const kept = await runKeep(function* () {
      checkpoint().next();
      return yield* letsOthersRun(checkpoint);
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });

  it("sleep(0): the task's next sleep(0) still lets others run", async () => {
    const kept = await runKeep(function* () {
      sleep(0).next();
      return yield* letsOthersRun(() => sleep(0));
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });

  it("stepped twice by hand, then dropped: the same", async () => {
    const kept = await runKeep(function* () {
      const g = checkpoint();
      g.next();
      g.next();
      return yield* letsOthersRun(checkpoint);
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });

  it("checkpoint(), then a real wait (a core event) in between: the checkpoint after it still lets others run", async () => {
    const event = new TestEvent();
    const kept = await runKeep(function* () {
      return yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(1);
          event.set();
        });
        checkpoint().next();
        yield* event.wait();
        return yield* letsOthersRun(checkpoint);
      });
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });

  it("checkpoint(), then waiting for a Lock: the checkpoint after it still lets others run", async () => {
    const lock = new Lock();
    const kept = await runKeep(function* () {
      return yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* lock.acquire();
          yield* sleep(1);
          lock.release();
        });
        yield* sleep(0.5);
        checkpoint().next();
        yield* lock.acquire();
        lock.release();
        return yield* letsOthersRun(checkpoint);
      });
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });

  it("checkpoint(): the task's next sleepForever() sleeps until cancelled", async () => {
    const kept = await runKeep(function* () {
      checkpoint().next();
      yield* moveOnAfter(1, function* () {
        yield* sleepForever();
      });
      return currentTime();
    });
    expect(kept).toMatchObject({ ok: true, value: 1 });
  });

  it("sleepForever(): the task's next sleepForever() sleeps until cancelled", async () => {
    const kept = await runKeep(function* () {
      sleepForever().next();
      yield* moveOnAfter(1, function* () {
        yield* sleepForever();
      });
      return currentTime();
    });
    expect(kept).toMatchObject({ ok: true, value: 1 });
  });

  it("sleepForever(): the task's next checkpoint lets others run, and nothing wakes the dropped wait", async () => {
    const kept = await runKeep(function* () {
      sleepForever().next();
      const yielded = yield* letsOthersRun(checkpoint);
      yield* sleep(1);
      return yielded;
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });

  it("a cancelled task: its next checkpoint still raises Cancelled, at the checkpoint", async () => {
    const kept = await runKeep(function* () {
      let raised: unknown = null;
      yield* moveOnAfter(1, function* () {
        checkpoint().next();
        yield* sleep(2);
      });
      yield* moveOnAfter(0, function* () {
        checkpoint().next();
        try {
          yield* checkpoint();
        } catch (error) {
          raised = error;
          throw error;
        }
      });
      return raised instanceof Cancelled;
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });

  it("a hand-written driver that forwards the yields of checkpoint() and finishes it leaves no trace", async () => {
    const kept = await runKeep(function* () {
      const inner = checkpoint();
      let step = inner.next();
      let steps = 0;
      while (step.done !== true) {
        steps++;
        step = inner.next(yield step.value);
      }
      return [steps, yield* letsOthersRun(checkpoint)];
    });
    expect(kept).toMatchObject({ ok: true, value: [1, true] });
  });

  // A driver that forwards the shared iterator's yield to the scheduler and
  // drops it once resumed (never steps it again): the scheduler had marked
  // the task (IN_SHARED_OP), and the mark stayed for the task's next shared
  // operation, whose first step took it for its own resumption.
  function* forwardOnceAndDrop(op: () => Operation<unknown>): Operation<void> {
    const inner = op();
    yield inner.next().value as never;
  }

  it("a hand-written driver that forwards checkpoint()'s yield and drops it: the task's next checkpoint still lets others run", async () => {
    const kept = await runKeep(function* () {
      yield* forwardOnceAndDrop(checkpoint);
      return yield* letsOthersRun(checkpoint);
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });

  it("a hand-written driver that forwards checkpoint()'s yield and drops it: the task's next sleepForever() sleeps until cancelled", async () => {
    const kept = await runKeep(function* () {
      yield* forwardOnceAndDrop(() => sleep(0));
      yield* moveOnAfter(1, function* () {
        yield* sleepForever();
      });
      return currentTime();
    });
    expect(kept).toMatchObject({ ok: true, value: 1 });
  });

  it("a sleepForever() woken by reschedule() by mistake still says so", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        const child = n.startSoon(function* () {
          yield* sleepForever();
        });
        yield* sleep(1);
        reschedule(child);
      });
    });
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value).map((e) => (e as Error).message)).toEqual([expect.stringMatching(/sleepForever\(\) was woken by reschedule\(\)/)]);
  });
});

describe("the other hand-written operation iterators keep their state per operation", () => {
  it("a receive stepped by hand and dropped: the task's next checkpoint and receive work", async () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    const kept = await runKeep(function* () {
      return yield* openNursery(function* (n) {
        rx.receive().next();
        const yielded = yield* letsOthersRun(checkpoint);
        n.startSoon(function* () {
          yield* tx.send(7);
        });
        return [yielded, yield* rx.receive()];
      });
    });
    expect(kept).toMatchObject({ ok: true, value: [true, 7] });
  });

  it("a nursery block stepped by hand into its body and returned from: the task's next checkpoint lets others run", async () => {
    const kept = await runKeep(function* () {
      const block = openNursery(function* () {
        yield* checkpoint();
      });
      block.next();
      block.return(undefined);
      return yield* letsOthersRun(checkpoint);
    });
    expect(kept).toMatchObject({ ok: true, value: true });
  });
});
