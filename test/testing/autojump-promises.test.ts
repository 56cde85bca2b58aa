/**
 * Autojump next to Promises (not Trio sleeps). As in Trio, where a task
 * waiting for I/O is blocked, a task waiting on a Promise counts as
 * blocked: the clock may jump while the Promise is pending. But what has
 * already settled is delivered first: the idle check runs on a macrotask,
 * after every microtask, so no jump overtakes a Promise chain in flight.
 */
import { describe, expect, it } from "vitest";
import { currentTime, openNursery, runWith, sleep, waitPromise } from "../../src/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";

/** A Promise that settles after `n` hops of microtasks. */
function afterMicrotasks(n: number): Promise<string> {
  let p = Promise.resolve(0);
  for (let i = 0; i < n; i++) p = p.then((v) => v + 1);
  return p.then((v) => `${v} hops`);
}

describe("autojump and Promises", () => {
  it("a Promise in flight in microtasks is delivered before the jump; one waiting on a real timer is not waited for", async () => {
    const log: string[] = [];
    await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(5);
          log.push(`sleeper at ${currentTime()}`);
        });
        n.startSoon(function* () {
          const v = yield* waitPromise(new Promise<string>((resolve) => setTimeout(() => resolve("timer"), 30)));
          log.push(`${v} at ${currentTime()}`);
        });
        n.startSoon(function* () {
          const v = yield* waitPromise(afterMicrotasks(200));
          log.push(`${v} at ${currentTime()}`);
        });
        yield* waitAllTasksBlocked();
        log.push(`settled at ${currentTime()}`);
      });
    });
    expect(log).toEqual(["200 hops at 0", "settled at 0", "sleeper at 5", "timer at 5"]);
  });
});
