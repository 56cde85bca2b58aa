import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  RuntimeError,
  TooSlowError,
  checkpoint,
  currentEffectiveDeadline,
  currentTime,
  failAfter,
  failAt,
  moveOnAfter,
  moveOnAt,
  openNursery,
  sleep,
  sleepForever,
} from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { rejection, runMock } from "./helpers.js";

describe("deadlines on scopes", () => {
  it("an absolute deadline cancels the scope when reached", async () => {
    const scope = new CancelScope({ deadline: 5 });
    await runMock(function* () {
      yield* scope.run(sleepForever);
      expect(currentTime()).toBe(5);
    });
    expect(scope.cancelledCaught).toBe(true);
    expect(scope.cancelReason).toBe("deadline exceeded");
  });

  it("a relative deadline counts from entry", async () => {
    const scope = new CancelScope({ relativeDeadline: 3 });
    expect(scope.relativeDeadline).toBe(3);
    expect(() => scope.deadline).toThrow(RuntimeError);
    await runMock(function* () {
      yield* sleep(10);
      yield* scope.run(function* (s) {
        expect(s.deadline).toBe(13);
        yield* sleepForever();
      });
      expect(currentTime()).toBe(13);
    });
    expect(scope.cancelledCaught).toBe(true);
  });

  it("a deadline that is not reached does nothing", async () => {
    const scope = new CancelScope({ deadline: 100 });
    await runMock(function* () {
      yield* scope.run(function* () {
        yield* sleep(1);
      });
      expect(currentTime()).toBe(1);
    });
    expect(scope.cancelCalled).toBe(false);
  });

  it("moving the deadline earlier while blocked cancels sooner", async () => {
    const scope = new CancelScope({ deadline: 100 });
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(sleepForever);
        });
        yield* sleep(1);
        scope.deadline = 4;
      });
      expect(currentTime()).toBe(4);
    });
    expect(scope.cancelledCaught).toBe(true);
  });

  it("moving the deadline later while blocked cancels later", async () => {
    const scope = new CancelScope({ deadline: 2 });
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(sleepForever);
        });
        yield* sleep(1);
        scope.deadline = 50;
      });
      expect(currentTime()).toBe(50);
    });
    expect(scope.cancelledCaught).toBe(true);
  });

  it("removing the deadline (Infinity) while blocked means no timeout", async () => {
    const scope = new CancelScope({ deadline: 2 });
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(sleepForever);
        });
        yield* sleep(1);
        scope.deadline = Infinity;
        yield* sleep(100);
        expect(scope.cancelCalled).toBe(false);
        scope.cancel();
      });
    });
    expect(scope.cancelledCaught).toBe(true);
  });

  it("moving a deadline from outside the run, while it is idle, re-arms the timer", async () => {
    const clock = new MockClock({ autojumpThreshold: Infinity });
    const scope = new CancelScope({ deadline: 1000 });
    setTimeout(() => {
      scope.deadline = 0;
    }, 5);
    await runMock(function* () {
      yield* scope.run(sleepForever);
    }, clock);
    expect(scope.cancelledCaught).toBe(true);
  });

  it("entering a scope whose deadline has already passed cancels at the first checkpoint", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* sleep(10);
      yield* moveOnAt(5, function* () {
        yield* checkpoint();
        log.push("not reached");
      });
      yield* moveOnAfter(0, function* () {
        yield* checkpoint();
        log.push("not reached either");
      });
    });
    expect(log).toEqual([]);
  });

  it("setting a deadline in the past while running cancels at the next checkpoint", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* sleep(10);
      yield* new CancelScope().run(function* (s) {
        s.deadline = currentTime() - 1;
        yield* checkpoint();
        log.push("not reached");
      });
    });
    expect(log).toEqual([]);
  });

  it("the relativeDeadline cannot be combined with deadline before entry; after entry it moves the deadline (Trio)", async () => {
    expect(() => new CancelScope({ deadline: 1, relativeDeadline: 1 })).toThrow(TypeError);
    const s = new CancelScope({ deadline: 1 });
    expect(() => {
      s.relativeDeadline = 2;
    }).toThrow(RuntimeError);
    const r = new CancelScope({ relativeDeadline: 1 });
    expect(() => {
      r.deadline = 5;
    }).toThrow(RuntimeError);
    await runMock(function* () {
      yield* r.run(function* (scope) {
        scope.relativeDeadline = 2;
        expect(scope.deadline).toBe(currentTime() + 2);
      });
    });
  });
});

describe("moveOn / fail helpers", () => {
  it("moveOnAfter returns the body's value when in time", async () => {
    const v = await runMock(function* () {
      return yield* moveOnAfter(5, function* () {
        yield* sleep(1);
        return "fast";
      });
    });
    expect(v).toBe("fast");
  });

  it("moveOnAfter returns undefined and sets cancelledCaught when too slow", async () => {
    let scope: CancelScope | null = null;
    const v = await runMock(function* () {
      const r = yield* moveOnAfter(2, function* (s) {
        scope = s;
        yield* sleep(10);
        return "slow";
      });
      expect(currentTime()).toBe(2);
      return r;
    });
    expect(v).toBeUndefined();
    expect(scope!.cancelledCaught).toBe(true);
  });

  it("moveOnAt uses an absolute deadline", async () => {
    await runMock(function* () {
      yield* sleep(3);
      yield* moveOnAt(7, sleepForever);
      expect(currentTime()).toBe(7);
    });
  });

  it("failAfter raises TooSlowError when the deadline passes", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* failAfter(1, function* () {
          yield* sleep(2);
        });
      }),
    );
    expect(err).toBeInstanceOf(TooSlowError);
    expect((err as Error).name).toBe("TooSlowError");
  });

  it("failAfter returns the value when in time", async () => {
    const v = await runMock(function* () {
      return yield* failAfter(3, function* () {
        yield* sleep(2);
        return 9;
      });
    });
    expect(v).toBe(9);
  });

  it("failAt raises TooSlowError at an absolute deadline", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* sleep(1);
        yield* failAt(4, sleepForever);
      }),
    );
    expect(err).toBeInstanceOf(TooSlowError);
  });

  it("failAfter inside a cancelled outer scope lets the outer Cancelled through, not TooSlowError", async () => {
    const outer = new CancelScope();
    await runMock(function* () {
      yield* outer.run(function* () {
        yield* failAfter(5, function* () {
          outer.cancel();
          yield* sleep(10);
        });
      });
    });
    expect(outer.cancelledCaught).toBe(true);
  });

  it("failAfter can be caught and the program continues", async () => {
    const log: string[] = [];
    await runMock(function* () {
      try {
        yield* failAfter(1, sleepForever);
      } catch (e) {
        log.push(e instanceof TooSlowError ? "too slow" : "other");
      }
      yield* checkpoint();
      log.push("continues");
    });
    expect(log).toEqual(["too slow", "continues"]);
  });

  it("nested timeouts: the earliest one wins", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* moveOnAfter(10, function* (outer) {
        yield* moveOnAfter(3, function* (inner) {
          yield* sleepForever();
          log.push(String(inner));
        });
        log.push(`inner expired at ${currentTime()}`);
        yield* sleepForever();
        log.push(String(outer));
      });
      log.push(`outer expired at ${currentTime()}`);
    });
    expect(log).toEqual(["inner expired at 3", "outer expired at 10"]);
  });

  it("an outer timeout expiring first is absorbed by the outer scope, not the inner", async () => {
    let innerScope: CancelScope | null = null;
    let outerScope: CancelScope | null = null;
    await runMock(function* () {
      yield* moveOnAfter(2, function* (outer) {
        outerScope = outer;
        yield* moveOnAfter(10, function* (inner) {
          innerScope = inner;
          yield* sleepForever();
        });
      });
    });
    expect(innerScope!.cancelledCaught).toBe(false);
    expect(outerScope!.cancelledCaught).toBe(true);
  });

  it("deadlines of several tasks fire in deadline order", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (const [name, t] of [["c", 3], ["a", 1], ["b", 2]] as const) {
          n.startSoon(function* () {
            yield* moveOnAfter(t, sleepForever);
            log.push(name);
          });
        }
      });
    });
    expect(log).toEqual(["a", "b", "c"]);
  });
});

describe("currentEffectiveDeadline", () => {
  it("is Infinity with no deadline", async () => {
    await runMock(function* () {
      expect(currentEffectiveDeadline()).toBe(Infinity);
    });
  });

  it("is the earliest deadline of the enclosing scopes", async () => {
    await runMock(function* () {
      yield* moveOnAt(10, function* () {
        expect(currentEffectiveDeadline()).toBe(10);
        yield* moveOnAt(20, function* () {
          expect(currentEffectiveDeadline()).toBe(10);
          yield* moveOnAt(5, function* () {
            expect(currentEffectiveDeadline()).toBe(5);
          });
        });
      });
    });
  });

  it("stops at a shield", async () => {
    await runMock(function* () {
      yield* moveOnAt(10, function* () {
        yield* new CancelScope({ shield: true }).run(function* () {
          expect(currentEffectiveDeadline()).toBe(Infinity);
        });
        yield* new CancelScope({ shield: true, deadline: 30 }).run(function* () {
          expect(currentEffectiveDeadline()).toBe(30);
        });
      });
    });
  });

  it("is -Infinity once cancelled", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (s) {
        s.cancel();
        expect(currentEffectiveDeadline()).toBe(-Infinity);
      });
    });
  });

  it("follows a deadline moved inside the scope", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (s) {
        s.deadline = 42;
        expect(currentEffectiveDeadline()).toBe(42);
      });
    });
  });

  it("is seen by child tasks through their nursery", async () => {
    await runMock(function* () {
      yield* moveOnAt(8, function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            expect(currentEffectiveDeadline()).toBe(8);
          });
        });
      });
    });
  });
});

describe("deadlines and Cancelled", () => {
  it("the Cancelled raised by a deadline says so", async () => {
    let err: unknown;
    await runMock(function* () {
      yield* moveOnAfter(1, function* () {
        try {
          yield* sleepForever();
        } catch (e) {
          err = e;
          throw e;
        }
      });
    });
    expect(err).toBeInstanceOf(Cancelled);
    expect((err as Cancelled).reason).toBe("deadline exceeded");
  });

  it("a deadline passing while the scope's code runs is seen at the next checkpoint", async () => {
    const clock = new MockClock();
    const log: string[] = [];
    await runMock(function* () {
      yield* moveOnAfter(5, function* () {
        clock.jump(6);
        yield* checkpoint();
        log.push("not reached");
      });
      log.push("moved on");
    }, clock);
    expect(log).toEqual(["moved on"]);
  });
});
