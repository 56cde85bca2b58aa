// @vitest-environment happy-dom
/**
 * A user's component test runs under happy-dom (a DOM in Node, with its
 * own window timers), with or without fake timers: run(), a MockClock's
 * autojump, waitAllTasksBlocked() and a batch that outlasts its time slice
 * all work there as in plain Node.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkpoint, currentTime, run, runWith, sleep } from "../../src/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";

const realSetTimeout = setTimeout;
function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | "hung"> {
  return Promise.race([p, new Promise<"hung">((resolve) => realSetTimeout(() => resolve("hung"), ms))]);
}

function* sleepAnHour() {
  yield* sleep(3600);
  yield* waitAllTasksBlocked();
  return currentTime();
}

afterEach(() => {
  vi.useRealTimers();
});

describe("under happy-dom", () => {
  it("a real sleep, an autojumping MockClock and a long batch", async () => {
    expect(typeof window).toBe("object");
    expect(await settledWithin(run(() => sleep(0.02)), 2000)).toBeUndefined();
    expect(await settledWithin(runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, sleepAnHour), 2000)).toBe(3600);
    const long = run(function* () {
      const end = Date.now() + 30;
      let steps = 0;
      while (Date.now() < end) {
        yield* checkpoint();
        steps++;
      }
      return steps;
    });
    expect(await settledWithin(long, 2000)).toBeGreaterThan(0);
  });

  it("with vi.useFakeTimers(), an autojumping MockClock still runs by itself", async () => {
    vi.useFakeTimers();
    expect(await settledWithin(runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, sleepAnHour), 2000)).toBe(3600);
  });
});
