/**
 * One MockClock under two runs at once (a test that starts two runs, a
 * component remounted while its old run winds down). Trio has one run per
 * thread, so its rule "the clock jumps only when every task is blocked"
 * reads here: every task of every run on that clock. A run's autojump must
 * not carry another run past its earlier deadline, nor move time under a
 * run that is still working or has a waitAllTasksBlocked() waiter due.
 */
import { describe, expect, it } from "vitest";
import { checkpoint, currentRun, currentTime, runWith, sleep, type Operation, type Runner } from "../../src/index.js";
import { leftovers } from "../../src/core/runner.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";

/** Runs `main` on `clock`; checks the run left nothing behind. */
async function runOn<T>(clock: MockClock, main: () => Operation<T>): Promise<T> {
  let runner: Runner | null = null;
  const value = await runWith({ clock }, function* () {
    runner = currentRun();
    return yield* main();
  });
  expect(leftovers(runner!)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  return value;
}

describe("two runs on one MockClock", () => {
  it("each sleeper wakes at its own deadline: the later run's autojump does not carry the earlier past its own", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    const woke = await Promise.all([
      runOn(clock, function* () {
        yield* sleep(100);
        return currentTime();
      }),
      runOn(clock, function* () {
        yield* sleep(1);
        const first = currentTime();
        yield* sleep(2);
        return [first, currentTime()];
      }),
    ]);
    expect(woke).toEqual([100, [1, 3]]);
  });

  it("the clock does not jump while the other run is working (its batches span several host tasks)", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    const [sleeper, worker] = await Promise.all([
      runOn(clock, function* () {
        yield* sleep(100);
        return currentTime();
      }),
      runOn(clock, function* () {
        const seen = new Set<number>();
        // 40 ms of checkpoints: several 5 ms time slices, each ended on a host macrotask.
        const end = performance.now() + 40;
        while (performance.now() < end) {
          seen.add(currentTime());
          yield* checkpoint();
        }
        return [...seen];
      }),
    ]);
    expect(worker).toEqual([0]);
    expect(sleeper).toBe(100);
  });

  it("the clock does not jump while the other run has a waitAllTasksBlocked(cushion) waiter due", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    const [sleeper, waiter] = await Promise.all([
      runOn(clock, function* () {
        yield* sleep(100);
        return currentTime();
      }),
      runOn(clock, function* () {
        yield* waitAllTasksBlocked(0.03);
        return currentTime();
      }),
    ]);
    expect(waiter).toBe(0);
    expect(sleeper).toBe(100);
  });
});
