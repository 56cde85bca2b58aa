/**
 * Conformance with Trio's timeout and mock-clock tests
 * (trio/_tests/test_timeouts.py, trio/_core/_tests/test_mock_clock.py),
 * for behaviours test/core did not pin down. Every test runs on a
 * MockClock, so none depends on the machine's speed.
 */
import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  TooSlowError,
  checkpoint,
  currentTime,
  failAfter,
  failAt,
  moveOnAfter,
  moveOnAt,
  openNursery,
  runWith,
  sleep,
  sleepUntil,
  type Operation,
} from "../../src/core/index.js";
import { MockClock, assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock, within } from "../core/helpers.js";

async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("Trio test_timeouts", () => {
  // test_sleep
  it("sleep and sleepUntil take exactly the virtual time asked; sleep(0) is a checkpoint", async () => {
    await runMock(function* () {
      let t0 = currentTime();
      yield* sleepUntil(t0 + 1);
      expect(currentTime() - t0).toBe(1);
      t0 = currentTime();
      yield* sleep(1);
      expect(currentTime() - t0).toBe(1);
      yield* assertCheckpoints(sleep(0));
    });
  });

  // test_sleep (last part: the trivial moveOnAt)
  it("moveOnAt(now) makes even sleep(0) raise Cancelled inside, and the scope absorbs it", async () => {
    await runMock(function* () {
      let raised = false;
      const result = yield* moveOnAt(currentTime(), function* () {
        try {
          yield* sleep(0);
        } catch (e) {
          raised = e instanceof Cancelled;
          throw e;
        }
        return "finished";
      });
      expect(raised).toBe(true);
      expect(result).toBeUndefined();
    });
  });

  // test_move_on_after, test_fail
  it("moveOnAfter, failAt and failAfter end a long sleep exactly at their deadline; a far deadline lets sleep(0) through", async () => {
    await runMock(function* () {
      let t0 = currentTime();
      yield* moveOnAfter(1, () => sleep(100));
      expect(currentTime() - t0).toBe(1);
      for (const make of [(b: () => Operation<void>) => failAt(currentTime() + 1, b), (b: () => Operation<void>) => failAfter(1, b)]) {
        t0 = currentTime();
        let error: unknown = null;
        try {
          yield* make(() => sleep(100));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TooSlowError);
        expect(currentTime() - t0).toBe(1);
      }
      yield* failAt(currentTime() + 100, () => sleep(0));
      yield* failAfter(100, () => sleep(0));
    });
  });

  // test_timeouts_raise_value_error. JavaScript has no ValueError: a
  // negative delay is a RangeError and NaN a TypeError (docs/semantics.md,
  // "Time"). Negative absolute deadlines are fine, as in Trio.
  it("a negative delay or NaN anywhere is refused before anything runs; a negative absolute deadline is fine", async () => {
    await runMock(function* () {
      const body = function* (): Operation<void> {
        throw new Error("the body must not run");
      };
      const cases: [string, () => Operation<unknown>, typeof RangeError | typeof TypeError][] = [
        ["sleep(-1)", () => sleep(-1), RangeError],
        ["sleep(NaN)", () => sleep(NaN), TypeError],
        ["sleepUntil(NaN)", () => sleepUntil(NaN), TypeError],
        ["failAfter(-1)", () => failAfter(-1, body), RangeError],
        ["failAfter(NaN)", () => failAfter(NaN, body), TypeError],
        ["failAt(NaN)", () => failAt(NaN, body), TypeError],
        ["moveOnAfter(-1)", () => moveOnAfter(-1, body), RangeError],
        ["moveOnAfter(NaN)", () => moveOnAfter(NaN, body), TypeError],
        ["moveOnAt(NaN)", () => moveOnAt(NaN, body), TypeError],
      ];
      for (const [name, make, kind] of cases) {
        let error: unknown = null;
        try {
          yield* make();
        } catch (e) {
          error = e;
        }
        expect(error, name).toBeInstanceOf(kind);
      }
      expect(yield* moveOnAt(-5, function* () {
        yield* checkpoint();
        return "reached";
      })).toBeUndefined();
    });
  });

  // test_timeout_deadline_on_entry
  it("the delay of moveOnAfter and failAfter counts from when the body starts, not from when the call was made", async () => {
    const clock = new MockClock();
    await runMock(function* () {
      const op = moveOnAfter(5, function* (cs) {
        return [cs.deadline - currentTime(), cs.relativeDeadline];
      });
      clock.jump(3);
      expect(yield* op).toEqual([5, 5]);
      const op2 = failAfter(5, function* (cs) {
        return [cs.deadline - currentTime(), cs.relativeDeadline];
      });
      clock.jump(3);
      expect(yield* op2).toEqual([5, 5]);
    }, clock);
  });

  // test_cancel_scope_validation
  it("scope deadlines: both kinds at once, NaN and negative relative deadlines are refused; an unentered relative deadline can be set and read", async () => {
    expect(() => new CancelScope({ deadline: 7, relativeDeadline: 3 })).toThrow(TypeError);
    expect(() => new CancelScope({ deadline: NaN })).toThrow(TypeError);
    expect(() => new CancelScope({ relativeDeadline: NaN })).toThrow(TypeError);
    expect(() => new CancelScope({ relativeDeadline: -3 })).toThrow(RangeError);
    const scope = new CancelScope();
    expect(() => {
      scope.deadline = NaN;
    }).toThrow(TypeError);
    expect(() => {
      scope.relativeDeadline = NaN;
    }).toThrow(TypeError);
    expect(() => {
      scope.relativeDeadline = -3;
    }).toThrow(RangeError);
    scope.relativeDeadline = 5;
    expect(scope.relativeDeadline).toBe(5);
  });
});

describe("Trio test_mock_clock", () => {
  // test_mock_clock
  it("starts at 0 with rate 0, jumps forward only, and reports how long to sleep until a deadline", () => {
    const c = new MockClock();
    expect(c.rate).toBe(0);
    expect(c.currentTime()).toBe(0);
    c.jump(1.2);
    expect(c.currentTime()).toBe(1.2);
    expect(() => c.jump(-1)).toThrow(RangeError);
    expect(c.currentTime()).toBe(1.2);
    expect(c.deadlineToSleepTime(1.1)).toBe(0);
    expect(c.deadlineToSleepTime(1.2)).toBe(0);
    // Trio answers a huge number here; ours is Infinity (a stopped clock never gets there).
    expect(c.deadlineToSleepTime(1.3)).toBe(Infinity);
    expect(() => {
      c.rate = -1;
    }).toThrow(RangeError);
    expect(c.rate).toBe(0);
  });

  it("with a rate, sleep time is the virtual distance divided by the rate", () => {
    const c = new MockClock({ rate: 2 });
    c.rate = 2;
    const now = c.currentTime();
    expect(c.deadlineToSleepTime(now - 1)).toBe(0);
    // The clock runs, so allow for the microseconds between the two reads.
    expect(c.deadlineToSleepTime(now + 1)).toBeCloseTo(0.5, 2);
    c.rate = 0.5;
    const later = c.currentTime();
    expect(c.deadlineToSleepTime(later + 1)).toBeCloseTo(2, 2);
    c.rate = 0;
    const frozen = c.currentTime();
    c.jump(0.8);
    expect(c.currentTime()).toBe(frozen + 0.8);
  });

  // test_mock_clock_autojump
  it("autojump: ten sleeps adding up to 450 virtual seconds take no real time, each exact", async () => {
    const clock = new MockClock();
    const realStart = performance.now();
    await runWith({ clock }, function* () {
      clock.autojumpThreshold = 0;
      expect(clock.autojumpThreshold).toBe(0);
      let start = currentTime();
      for (let i = 0; i < 10; i++) {
        yield* sleep(10 * i);
        expect(currentTime()).toBe(start + 10 * i);
        start = currentTime();
      }
    });
    expect(performance.now() - realStart).toBeLessThan(1000);
  });

  // test_mock_clock_autojump (second part)
  it("waitAllTasksBlocked with a cushion below the threshold returns before the clock moves", async () => {
    const clock = new MockClock();
    await runWith({ clock }, function* () {
      clock.autojumpThreshold = 0.02;
      const t = currentTime();
      yield* waitAllTasksBlocked();
      expect(currentTime()).toBe(t);
      yield* waitAllTasksBlocked(0.01);
      expect(currentTime()).toBe(t);
    });
  });

  // test_mock_clock_autojump (last part)
  it("lowering the threshold from very long to 0 while the run is idle takes effect at once", async () => {
    const clock = new MockClock();
    await within(
      runWith({ clock }, function* () {
        clock.autojumpThreshold = 10000;
        yield* waitAllTasksBlocked();
        clock.autojumpThreshold = 0;
        yield* sleep(100000);
      }),
    );
  });

  // test_mock_clock_autojump_interference
  it("changing the threshold of a clock that no run uses does not affect the run's clock", async () => {
    const clock = new MockClock({ autojumpThreshold: 0.02 });
    const other = new MockClock();
    await within(
      runWith({ clock }, function* () {
        other.autojumpThreshold = 0.01;
        yield* waitAllTasksBlocked(0.015);
        yield* sleep(100000);
      }),
    );
  });

  // test_mock_clock_autojump_preset
  it("a threshold set before the run starts is picked up", async () => {
    const clock = new MockClock({ autojumpThreshold: 0.1 });
    clock.autojumpThreshold = 0.01;
    await within(runWith({ clock }, () => sleep(10000)));
    expect(clock.currentTime()).toBe(10000);
  });

  // test_mock_clock_autojump_0_and_wait_all_tasks_blocked_0
  it("with autojump at 0, a waitAllTasksBlocked() waiter wakes before time jumps to a sleeper", async () => {
    const record: string[] = [];
    await runMock(function* () {
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

  // test_mock_clock_autojump_0_and_wait_all_tasks_blocked_nonzero
  it("with autojump at 0, a waiter with a real cushion wakes before the clock jumps to a sleeper", async () => {
    const record: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(100);
          record.push("yawn");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked(0.05);
          record.push("waiter done");
        });
      });
    });
    expect(record).toEqual(["waiter done", "yawn"]);
  });

  // The same rule, where it matters: a ticker that always has a deadline
  // pending must not starve a waiter whose cushion is above the threshold.
  it("with autojump at 0 and a ticker that sleeps forever in a loop, waitAllTasksBlocked(cushion) still returns, at unchanged virtual time", async () => {
    await within(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            for (;;) yield* sleep(1);
          });
          yield* sleep(3.5);
          const t = currentTime();
          yield* waitAllTasksBlocked(0.02);
          expect(currentTime()).toBe(t);
          n.cancelScope.cancel();
        });
      }),
    );
  });

  // trio/_tests/test_testing.py, test_wait_all_tasks_blocked, and Trio's
  // documented rule: waiters with exactly the same cushion are all woken.
  it("waiters with the same cushion wake together in one idle period, in the order they came", async () => {
    const record: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (const name of ["a", "b"]) {
          n.startSoon(function* () {
            yield* waitAllTasksBlocked();
            record.push(`${name} woke`);
            yield* checkpoint();
            record.push(`${name} after`);
          });
        }
      });
    });
    expect(record).toEqual(["a woke", "b woke", "a after", "b after"]);
  });

  // test_wait_all_tasks_blocked_with_cushion, on the mock clock: the
  // blinker's sleeps move virtual time only, so waiters of any cushion
  // see the run idle once it has finished.
  it("a busy task delays every waiter; the smallest cushion wakes first and ties wake together", async () => {
    const record: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          record.push("bee start");
          for (let i = 0; i < 10; i++) yield* checkpoint();
          record.push("bee exhausted");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked(0.02);
          record.push("small 1");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked(0.03);
          record.push("big");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked(0.02);
          record.push("small 2");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked();
          record.push("none");
        });
      });
    });
    expect(record).toEqual(["bee start", "bee exhausted", "none", "small 1", "small 2", "big"]);
  });

  it("a negative, NaN or infinite jump is refused; a bad rate or threshold too", async () => {
    const c = new MockClock();
    expect(await thrown(() => c.jump(NaN))).toBeInstanceOf(RangeError);
    expect(await thrown(() => c.jump(Infinity))).toBeInstanceOf(RangeError);
    expect(() => new MockClock({ autojumpThreshold: -1 })).toThrow(RangeError);
    expect(() => new MockClock({ rate: NaN })).toThrow(RangeError);
  });
});
