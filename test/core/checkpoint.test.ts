import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  cancelShieldedCheckpoint,
  checkpoint,
  checkpointIfCancelled,
  currentTime,
  openNursery,
  sleep,
  sleepForever,
  sleepUntil,
  type Operation,
} from "../../src/core/index.js";
import { assertCheckpoints, assertNoCheckpoints, MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { rejection, runKeep, runMock, TestEvent } from "./helpers.js";
import { leftovers } from "../../src/core/runner.js";

function* cancelledScope<T>(body: () => Operation<T>): Operation<T | undefined> {
  return yield* new CancelScope().run(function* (s) {
    s.cancel();
    return yield* body();
  });
}

describe("checkpoints", () => {
  it("checkpoint() lets other tasks run", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          log.push("child");
        });
        log.push("body 1");
        yield* checkpoint();
        log.push("body 2");
      });
    });
    expect(log).toEqual(["body 1", "child", "body 2"]);
  });

  it("checkpoint() raises Cancelled in a cancelled scope", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* cancelledScope(function* () {
        try {
          yield* checkpoint();
        } catch (e) {
          log.push(e instanceof Cancelled ? "cancelled" : "other");
        }
      });
    });
    expect(log).toEqual(["cancelled"]);
  });

  it("sleep(0) is a checkpoint: it yields and it raises when cancelled", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* assertCheckpoints(sleep(0));
      yield* cancelledScope(function* () {
        try {
          yield* sleep(0);
        } catch (e) {
          log.push(e instanceof Cancelled ? "cancelled" : "other");
        }
      });
    });
    expect(log).toEqual(["cancelled"]);
  });

  it("checkpointIfCancelled does not yield when not cancelled (but is a cancel point, as in Trio)", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* assertNoCheckpoints(checkpointIfCancelled());
      }),
    );
    expect((err as Error).message).toMatch(/yielded to the scheduler 0 time\(s\) and passed 1 cancel point\(s\)/);
  });

  it("checkpointIfCancelled raises when cancelled", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* cancelledScope(function* () {
        try {
          yield* checkpointIfCancelled();
        } catch (e) {
          log.push(e instanceof Cancelled ? "cancelled" : "other");
        }
      });
    });
    expect(log).toEqual(["cancelled"]);
  });

  it("cancelShieldedCheckpoint yields but never raises", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          log.push("other task ran");
        });
        yield* cancelledScope(function* () {
          yield* cancelShieldedCheckpoint();
          log.push("not raised");
        });
      });
    });
    expect(log).toEqual(["other task ran", "not raised"]);
  });

  it("the same task can nest checkpoints in expressions without confusion", async () => {
    const log: number[] = [];
    await runMock(function* () {
      for (let i = 0; i < 3; i++) {
        yield* checkpoint();
        yield* checkpoint();
        log.push(i);
      }
    });
    expect(log).toEqual([0, 1, 2]);
  });

  it("two tasks alternating checkpoints interleave fairly", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (const name of ["a", "b"]) {
          n.startSoon(function* () {
            for (let i = 0; i < 4; i++) {
              log.push(`${name}${i}`);
              yield* checkpoint();
            }
          });
        }
      });
    });
    expect(log).toEqual(["a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3"]);
  });

  it("three tasks round-robin", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (const name of ["x", "y", "z"]) {
          n.startSoon(function* () {
            for (let i = 0; i < 3; i++) {
              log.push(name);
              yield* sleep(0);
            }
          });
        }
      });
    });
    expect(log.join("")).toBe("xyzxyzxyz");
  });

  it("checkpoint outside a run raises a RuntimeError when driven", () => {
    expect(() => checkpoint().next()).toThrow(/inside a task of run/);
  });
});

describe("sleeping", () => {
  it("sleepForever only ends by cancellation", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* sleepForever();
          } catch (e) {
            log.push(`cancelled at ${currentTime()}`);
            throw e;
          }
        });
        yield* sleep(1000);
        n.cancelScope.cancel();
      });
    });
    expect(log).toEqual(["cancelled at 1000"]);
  });

  it("sleepers wake in deadline order, ties first-in first-out", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const plan: [string, number][] = [["e", 5], ["a", 1], ["c", 3], ["b1", 2], ["b2", 2], ["d", 4]];
        for (const [name, t] of plan) {
          n.startSoon(function* () {
            yield* sleep(t);
            log.push(`${name}@${currentTime()}`);
          });
        }
      });
    });
    expect(log).toEqual(["a@1", "b1@2", "b2@2", "c@3", "d@4", "e@5"]);
  });

  it("fractional sleeps add up exactly on the mock clock", async () => {
    await runMock(function* () {
      yield* sleep(0.25);
      yield* sleep(0.5);
      expect(currentTime()).toBe(0.75);
    });
  });

  it("sleepUntil wakes at an absolute time, and a past time is just a checkpoint", async () => {
    await runMock(function* () {
      yield* sleepUntil(7);
      expect(currentTime()).toBe(7);
      yield* sleepUntil(3);
      expect(currentTime()).toBe(7);
    });
  });

  it("a cancelled sleep is removed from the deadline heap", async () => {
    const { runner } = await runKeep(function* () {
        yield* new CancelScope().run(function* (s) {
          yield* openNursery(function* (n) {
            n.startSoon(sleep, 1000);
            yield* sleep(1);
            s.cancel();
          });
        });
        expect(currentTime()).toBe(1);
    });
    expect(leftovers(runner).deadlines).toBe(0);
  });

  it("a sleep on a clock that only moves by jump() wakes when jumped", async () => {
    const clock = new MockClock();
    setTimeout(() => clock.jump(10), 5);
    const t = await runMock(function* () {
      yield* sleep(10);
      return currentTime();
    }, clock);
    expect(t).toBe(10);
  });

  it("a running MockClock (rate) advances sleeps in virtual time", async () => {
    const clock = new MockClock({ rate: 1000 });
    const t = await runMock(function* () {
      yield* sleep(5);
      return currentTime();
    }, clock);
    expect(t).toBeGreaterThanOrEqual(5);
  });

  it("speeding up a running MockClock while a task sleeps re-arms the host timer", async () => {
    const clock = new MockClock({ rate: 1 });
    setTimeout(() => {
      clock.rate = 1e6;
    }, 5);
    const t = await runMock(function* () {
      // 100 real seconds at rate 1: only the speed-up can end this in time.
      yield* sleep(100);
      return currentTime();
    }, clock);
    expect(t).toBeGreaterThanOrEqual(100);
  });

  it("jumping a running MockClock close to a deadline re-arms the host timer", async () => {
    const clock = new MockClock({ rate: 1 });
    setTimeout(() => clock.jump(99.99), 5);
    const t = await runMock(function* () {
      yield* sleep(100);
      return currentTime();
    }, clock);
    expect(t).toBeGreaterThanOrEqual(100);
  });

  it("sleep(Infinity) blocks until cancelled", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (s) {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(3);
            s.cancel();
          });
          yield* sleep(Infinity);
        });
      });
      expect(currentTime()).toBe(3);
    });
  });
});

describe("waitAllTasksBlocked", () => {
  it("returns once every other task is blocked", async () => {
    const log: string[] = [];
    await runMock(function* () {
      const ev = new TestEvent();
      yield* openNursery(function* (n) {
        for (let k = 0; k < 3; k++) {
          n.startSoon(function* () {
            for (let i = 0; i < 10; i++) yield* checkpoint();
            log.push(`worker ${k} waiting`);
            yield* ev.wait();
          });
        }
        yield* waitAllTasksBlocked();
        log.push("all blocked");
        ev.set();
      });
    });
    expect(log).toEqual(["worker 0 waiting", "worker 1 waiting", "worker 2 waiting", "all blocked"]);
  });

  it("runs before the autojump clock moves time", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(5);
          log.push(`sleeper at ${currentTime()}`);
        });
        yield* waitAllTasksBlocked();
        log.push(`idle at ${currentTime()}`);
      });
    });
    expect(log).toEqual(["idle at 0", "sleeper at 5"]);
  });

  it("several waiters wake smallest cushion first; tied waiters wake together, oldest first", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* waitAllTasksBlocked(0.002);
          log.push("cushion 0.002");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked(0);
          log.push("cushion 0 (a)");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked(0);
          log.push("cushion 0 (b)");
        });
      });
    });
    expect(log).toEqual(["cushion 0 (a)", "cushion 0 (b)", "cushion 0.002"]);
  });

  it("is cancellable", async () => {
    const { runner } = await runKeep(function* () {
        yield* new CancelScope().run(function* (s) {
          s.cancel();
          yield* waitAllTasksBlocked();
        });
    });
    expect(leftovers(runner).idleWaiters).toBe(0);
  });

  it("rejects a negative cushion", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* waitAllTasksBlocked(-1);
      }),
    );
    expect(err).toBeInstanceOf(RangeError);
  });
});

describe("checkpoint assertions", () => {
  it("assertCheckpoints fails for an operation that never yields", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* assertCheckpoints(checkpointIfCancelled());
      }),
    );
    expect((err as Error).message).toMatch(/without a checkpoint: it passed 1 cancel point\(s\) and yielded to the scheduler 0 time\(s\)/);
  });

  it("assertNoCheckpoints fails for an operation that yields", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* assertNoCheckpoints(checkpoint());
      }),
    );
    expect((err as Error).message).toMatch(/yielded to the scheduler 1 time/);
  });

  it("assertCheckpoints passes errors thrown into the operation through", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* cancelledScope(function* () {
        try {
          yield* assertCheckpoints(sleep(5));
        } catch (e) {
          log.push(e instanceof Cancelled ? "cancelled" : "other");
        }
      });
    });
    expect(log).toEqual(["cancelled"]);
  });

  it("assertCheckpoints returns the operation's value", async () => {
    const v = await runMock(function* () {
      return yield* assertCheckpoints(
        (function* () {
          yield* checkpoint();
          return 3;
        })(),
      );
    });
    expect(v).toBe(3);
  });
});
