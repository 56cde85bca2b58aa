/**
 * Conformance with Trio's trio/_core/_tests/test_mock_clock.py. Each test
 * names the Trio test it follows; the code and wording are ours.
 *
 * Differences on purpose: a bad jump or rate is a RangeError (Trio:
 * ValueError), and a deadline that is never reached at rate 0 has an
 * infinite sleep time (Trio: a very large number). The real clock Trio's
 * test replaces is `performance.now()` here.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentTime, openNursery, runWith, sleep } from "../../src/core/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Trio test_mock_clock", () => {
  // test_mock_clock
  it("jumps, rates and deadlineToSleepTime follow the real clock exactly", () => {
    let realNow = 123;
    vi.spyOn(performance, "now").mockImplementation(() => realNow * 1000);
    const c = new MockClock();
    expect(String(c)).toMatch(/^<MockClock time=0\.0000 rate=0>$/);
    expect(c.rate).toBe(0);
    expect(c.currentTime()).toBe(0);
    c.jump(1.2);
    expect(c.currentTime()).toBe(1.2);
    expect(() => c.jump(-1)).toThrow(RangeError);
    expect(() => c.jump(-1)).toThrow(/cannot go backwards/);
    expect(c.currentTime()).toBe(1.2);
    expect(c.deadlineToSleepTime(1.1)).toBe(0);
    expect(c.deadlineToSleepTime(1.2)).toBe(0);
    expect(c.deadlineToSleepTime(1.3)).toBe(Infinity);

    expect(() => (c.rate = -1)).toThrow(RangeError);
    expect(c.rate).toBe(0);

    c.rate = 2;
    expect(c.currentTime()).toBe(1.2);
    realNow += 1;
    expect(c.currentTime()).toBe(3.2);
    expect(c.deadlineToSleepTime(3.1)).toBe(0);
    expect(c.deadlineToSleepTime(3.2)).toBe(0);
    expect(c.deadlineToSleepTime(4.2)).toBe(0.5);

    c.rate = 0.5;
    expect(c.currentTime()).toBe(3.2);
    expect(c.deadlineToSleepTime(3.1)).toBe(0);
    expect(c.deadlineToSleepTime(3.2)).toBe(0);
    expect(c.deadlineToSleepTime(4.2)).toBe(2);

    c.jump(0.8);
    expect(c.currentTime()).toBe(4);
    realNow += 1;
    expect(c.currentTime()).toBe(4.5);

    const c2 = new MockClock({ rate: 3 });
    expect(c2.rate).toBe(3);
    expect(c2.currentTime()).toBeLessThan(10);
  });

  // test_mock_clock_autojump
  it("autojump at 0 sleeps virtual time exactly and fast; a pending waitAllTasksBlocked holds the jump; a lowered threshold applies at once", async () => {
    const clock = new MockClock();
    expect(clock.autojumpThreshold).toBe(Infinity);
    await runWith({ clock }, function* () {
      clock.autojumpThreshold = 0;
      expect(clock.autojumpThreshold).toBe(0);
      const realStart = performance.now();
      let virtualStart = currentTime();
      for (let i = 0; i < 10; i++) {
        yield* sleep(10 * i);
        expect(currentTime()).toBe(virtualStart + 10 * i);
        virtualStart = currentTime();
      }
      expect(performance.now() - realStart).toBeLessThan(1000);

      clock.autojumpThreshold = 0.02;
      const t = currentTime();
      // These wake before the threshold would jump the clock.
      yield* waitAllTasksBlocked();
      expect(currentTime()).toBe(t);
      yield* waitAllTasksBlocked(0.01);
      expect(currentTime()).toBe(t);

      // The idle check armed for a long threshold must give way to a lower one set later.
      clock.autojumpThreshold = 10000;
      yield* waitAllTasksBlocked();
      clock.autojumpThreshold = 0;
      const before = performance.now();
      yield* sleep(100000);
      expect(performance.now() - before).toBeLessThan(1000);
    });
  });

  // test_mock_clock_autojump_interference
  it("the threshold of a clock the run does not use changes nothing", async () => {
    const clock = new MockClock({ autojumpThreshold: 0.02 });
    await runWith({ clock }, function* () {
      const other = new MockClock();
      other.autojumpThreshold = 0.01;
      // A pending waiter holds the jump back whatever the threshold, so this returns.
      yield* waitAllTasksBlocked(0.015);
      // The sleep ends by a jump after 0.02 s of real idleness (0.01 would take half as long).
      const t = currentTime();
      const before = performance.now();
      yield* sleep(100000);
      expect(currentTime()).toBe(t + 100000);
      expect(performance.now() - before).toBeGreaterThanOrEqual(15);
    });
  });

  // test_mock_clock_autojump_preset
  it("a threshold set before the run starts is the one the run uses", async () => {
    const clock = new MockClock({ autojumpThreshold: 0.1 });
    clock.autojumpThreshold = 0.01;
    const realStart = performance.now();
    await runWith({ clock }, () => sleep(10000));
    expect(performance.now() - realStart).toBeLessThan(1000);
    expect(clock.currentTime()).toBe(10000);
  });

  // test_mock_clock_autojump_0_and_wait_all_tasks_blocked_0
  it("autojump at 0 with waitAllTasksBlocked(0): the waiter wakes first, then the clock jumps", async () => {
    const record: string[] = [];
    await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(100);
          record.push("yawn");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked();
          record.push("waiter woke");
          yield* sleep(1000);
          record.push("waiter done");
        });
      });
    });
    expect(record).toEqual(["waiter woke", "yawn", "waiter done"]);
  });

  // test_mock_clock_autojump_0_and_wait_all_tasks_blocked_nonzero (a shorter cushion: the rule, not the length)
  it("autojump at 0 with a waiter of nonzero cushion: no jump while it waits, so it finishes before the sleeper", async () => {
    const record: string[] = [];
    const realStart = performance.now();
    await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(100);
          record.push("yawn");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked(0.2);
          record.push("waiter done");
        });
      });
    });
    expect(record).toEqual(["waiter done", "yawn"]);
    expect(performance.now() - realStart).toBeGreaterThanOrEqual(190);
  });
});
