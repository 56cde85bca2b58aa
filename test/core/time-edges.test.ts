/**
 * Time at its edges: delays beyond what a host timer can hold (2^31-1 ms,
 * about 24.86 days), infinite waits, bad MockClock settings, and deadlines
 * read before a scope is entered.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CancelScope,
  RuntimeError,
  checkpoint,
  currentRun,
  currentTime,
  openNursery,
  runWith,
  sleep,
  type Clock,
  type Runner,
} from "../../src/core/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";
import { leftovers } from "../../src/core/runner.js";

const DAY_MS = 86_400_000;
/** The longest delay a host timer holds; longer ones are clamped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Fakes only the host timers and the monotonic clock; microtasks and setImmediate stay real. */
function fakeHostTime(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
}

/** Lets the run's microtasks and macrotasks settle without moving fake time. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("idle check beyond the host timer's range", () => {
  it("waitAllTasksBlocked(30 days) waits 30 days, not the clamped 24.86", async () => {
    fakeHostTime();
    let wokeAt = -1;
    const done = runWith({}, function* () {
      yield* waitAllTasksBlocked(30 * 86_400);
      wokeAt = performance.now();
    });
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1000);
    expect(wokeAt).toBe(-1);
    await vi.advanceTimersByTimeAsync(30 * DAY_MS - MAX_TIMER_MS);
    await done;
    expect(wokeAt).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(wokeAt).toBeLessThan(30 * DAY_MS + 1000);
  });

  it("a 30-day autojump threshold jumps after 30 days of idleness, not 24.86", async () => {
    fakeHostTime();
    const clock = new MockClock({ autojumpThreshold: 30 * 86_400 });
    let slept = false;
    const done = runWith({ clock }, function* () {
      yield* sleep(5);
      slept = true;
    });
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1000);
    expect(slept).toBe(false);
    expect(clock.currentTime()).toBe(0);
    await vi.advanceTimersByTimeAsync(30 * DAY_MS - MAX_TIMER_MS);
    await done;
    expect(slept).toBe(true);
    expect(clock.currentTime()).toBe(5);
  });

  it("waitAllTasksBlocked(Infinity) holds no host timer, and cancelling it leaves nothing behind", async () => {
    fakeHostTime();
    let scope: CancelScope | null = null;
    let runner: Runner | null = null;
    const done = runWith({}, function* () {
      runner = currentRun();
      yield* new CancelScope().run(function* (s) {
        scope = s;
        yield* waitAllTasksBlocked(Infinity);
      });
    });
    await settle();
    expect(scope).not.toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    expect(leftovers(runner!).idleTimer).toBe(false);
    await vi.advanceTimersByTimeAsync(100 * DAY_MS);
    expect(scope!.cancelledCaught).toBe(false);
    scope!.cancel();
    await done;
    expect(scope!.cancelledCaught).toBe(true);
    expect(leftovers(runner!)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });

  it("an infinite waiter does not hide a finite one behind it", async () => {
    fakeHostTime();
    const woke: string[] = [];
    let runner: Runner | null = null;
    const done = runWith({}, function* () {
      runner = currentRun();
      const scope = new CancelScope();
      yield* scope.run(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* waitAllTasksBlocked(Infinity);
            woke.push("never");
          });
          n.startSoon(function* () {
            yield* waitAllTasksBlocked(2);
            woke.push("2s");
            scope.cancel();
          });
        });
      });
    });
    await settle();
    await vi.advanceTimersByTimeAsync(2000);
    await done;
    expect(woke).toEqual(["2s"]);
    expect(leftovers(runner!).idleTimer).toBe(false);
  });
});

describe("host deadline timer beyond its range", () => {
  it("a 30-day sleep on the system clock re-arms when the clamped timer fires early", async () => {
    fakeHostTime();
    let wokeAt = -1;
    const done = runWith({}, function* () {
      yield* sleep(30 * 86_400);
      wokeAt = performance.now();
    });
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1000);
    expect(wokeAt).toBe(-1);
    // Re-armed once for the rest, not spinning.
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(30 * DAY_MS - MAX_TIMER_MS);
    await done;
    expect(wokeAt).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(wokeAt).toBeLessThan(30 * DAY_MS + 1000);
  });
});

describe("MockClock refuses settings that would stop or scramble time", () => {
  it("jump() takes a finite number of seconds >= 0", () => {
    const clock = new MockClock();
    expect(() => clock.jump(Infinity)).toThrow(RangeError);
    expect(() => clock.jump(Infinity)).toThrow(/finite/);
    expect(() => clock.jump(NaN)).toThrow(RangeError);
    expect(() => clock.jump(-1)).toThrow(/cannot go backwards/);
    expect(() => clock.jump("1" as unknown as number)).toThrow(TypeError);
    expect(clock.currentTime()).toBe(0);
    clock.jump(0);
    clock.jump(2.5);
    expect(clock.currentTime()).toBe(2.5);
  });

  it("after a refused jump(Infinity), sleeps still work", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    const t = await runWith({ clock }, function* () {
      expect(() => clock.jump(Infinity)).toThrow(RangeError);
      yield* sleep(3);
      return currentTime();
    });
    expect(t).toBe(3);
  });

  it("rate and autojumpThreshold refuse NaN, negatives and (for rate) Infinity", () => {
    const clock = new MockClock();
    for (const bad of [NaN, -1, -Infinity, Infinity]) {
      expect(() => (clock.rate = bad)).toThrow(RangeError);
    }
    for (const bad of [NaN, -1, -Infinity]) {
      expect(() => (clock.autojumpThreshold = bad)).toThrow(RangeError);
    }
    clock.autojumpThreshold = Infinity;
    expect(clock.autojumpThreshold).toBe(Infinity);
    expect(clock.rate).toBe(0);
    expect(() => new MockClock(null as never)).toThrow(/takes an options object/);
  });
});

/** A clock whose time moves only when the test says, without telling the run. */
class SilentClock implements Clock {
  now = 0;
  startClock(): void {}
  currentTime(): number {
    return this.now;
  }
  deadlineToSleepTime(deadline: number): number {
    return Math.max(0, deadline - this.now);
  }
}

describe("deadlines read before, during and after a scope", () => {
  it("an unentered scope whose deadline has passed reports cancelCalled (Trio)", async () => {
    await runMock(function* () {
      yield* sleep(10);
      const past = new CancelScope({ deadline: 5 });
      expect(past.cancelCalled).toBe(true);
      expect(past.cancelReason).toBe("deadline exceeded");
      const future = new CancelScope({ deadline: 50 });
      expect(future.cancelCalled).toBe(false);
      const result = yield* past.run(function* () {
        yield* checkpoint();
        return "not reached";
      });
      expect(result).toBeUndefined();
      expect(past.cancelledCaught).toBe(true);
    });
    // Outside a run there is no clock to compare with, except for -Infinity.
    expect(new CancelScope({ deadline: -Infinity }).cancelCalled).toBe(true);
    expect(new CancelScope({ deadline: 5 }).cancelCalled).toBe(false);
  });

  it("an active scope whose deadline has passed reports cancelCalled before the timer fires", async () => {
    const clock = new SilentClock();
    let seen: boolean | null = null;
    const scope = new CancelScope({ deadline: 1 });
    await runWith({ clock }, function* () {
      yield* scope.run(function* (s) {
        expect(s.cancelCalled).toBe(false);
        clock.now = 2;
        seen = s.cancelCalled;
        yield* checkpoint();
      });
    });
    expect(seen).toBe(true);
    expect(scope.cancelledCaught).toBe(true);
  });

  it("relativeDeadline of an unentered absolute scope raises on read as on write (Trio)", () => {
    const absolute = new CancelScope({ deadline: 5 });
    expect(() => absolute.relativeDeadline).toThrow(RuntimeError);
    expect(() => absolute.relativeDeadline).toThrow(/absolute deadline/);
    expect(() => {
      absolute.relativeDeadline = 7;
    }).toThrow(RuntimeError);
    expect(new CancelScope().relativeDeadline).toBe(Infinity);
    expect(new CancelScope({ relativeDeadline: 3 }).relativeDeadline).toBe(3);
  });

  it("relativeDeadline of an entered scope counts from now, and setting it moves the deadline (Trio)", async () => {
    const scope = new CancelScope({ relativeDeadline: 10 });
    await runMock(function* () {
      yield* sleep(1);
      yield* scope.run(function* (s) {
        expect(s.deadline).toBe(11);
        yield* sleep(4);
        expect(s.relativeDeadline).toBe(6);
        s.relativeDeadline = 2;
        expect(s.deadline).toBe(7);
        yield* sleep(100);
      });
      expect(currentTime()).toBe(7);
    });
    expect(scope.cancelledCaught).toBe(true);
    // Exited: still deadline minus the run's time.
    expect(scope.relativeDeadline).toBe(0);
    const unbounded = new CancelScope();
    await runMock(function* () {
      yield* unbounded.run(function* (s) {
        expect(s.relativeDeadline).toBe(Infinity);
        expect(() => {
          s.relativeDeadline = -1;
        }).toThrow(RangeError);
      });
    });
  });
});
