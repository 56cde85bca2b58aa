/**
 * A user's test that turns on vitest's fake timers (vi.useFakeTimers(),
 * which fakes setTimeout, setImmediate and performance) and runs our
 * `run()`. The rule: scheduling "as soon as possible" is not time, so it
 * never waits on the fakes: a MockClock with autojumpThreshold 0 and
 * waitAllTasksBlocked() work as without them, and turning the fakes off
 * leaves the runtime working. What is measured in seconds (a SystemClock's
 * sleeps, a positive cushion or threshold) follows the host's timers, fake
 * or not: the test advances them.
 *
 * The bug: the scheduler picks the host's macrotask once, on first use, and
 * under fake timers it picked the fake setImmediate, and kept it after
 * vi.useRealTimers(), so every later long batch hung.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkpoint, currentTime, openNursery, run, runWith, sleep } from "../../src/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";

// Real timers, taken before any test fakes them: a hang fails the test at once, not at its timeout.
const realSetTimeout = setTimeout;
function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | "hung"> {
  return Promise.race([p, new Promise<"hung">((resolve) => realSetTimeout(() => resolve("hung"), ms))]);
}

/** A run whose one batch outlasts its 5 ms time slice: it goes on in a host macrotask. */
function longBatch(): Promise<number> {
  return run(function* () {
    const end = Date.now() + 30;
    let steps = 0;
    while (Date.now() < end) {
      yield* checkpoint();
      steps++;
    }
    return steps;
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("vi.useFakeTimers() around run()", () => {
  it("a MockClock's autojump at threshold 0 and waitAllTasksBlocked() do not wait on the faked setImmediate", async () => {
    vi.useFakeTimers();
    const record: string[] = [];
    const result = await settledWithin(
      runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(100);
            record.push(`slept until ${currentTime()}`);
          });
          yield* waitAllTasksBlocked();
          record.push(`settled at ${currentTime()}`);
        });
        return currentTime();
      }),
      2000,
    );
    expect(result).toBe(100);
    expect(record).toEqual(["settled at 0", "slept until 100"]);
  });

  it("a batch that outlasts its time slice goes on under faked setImmediate, and after vi.useRealTimers()", async () => {
    vi.useFakeTimers({ toFake: ["setImmediate"] });
    expect(await settledWithin(longBatch(), 2000)).toBeGreaterThan(0);
    vi.useRealTimers();
    expect(await settledWithin(longBatch(), 2000)).toBeGreaterThan(0);
  });

  it("a SystemClock sleep follows the fake timers: it ends when the test advances them", async () => {
    vi.useFakeTimers();
    let woke = false;
    const done = run(function* () {
      yield* sleep(60);
      woke = true;
      return currentTime();
    });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await done).toBeGreaterThanOrEqual(60);
  });

  it("a positive autojump threshold is real time, so under fake timers it waits until they are advanced", async () => {
    vi.useFakeTimers();
    const clock = new MockClock({ autojumpThreshold: 0.5 });
    const done = runWith({ clock }, function* () {
      yield* sleep(10);
      return currentTime();
    });
    await vi.advanceTimersByTimeAsync(400);
    expect(clock.currentTime()).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(await done).toBe(10);
  });
});
