/**
 * timeout()/timeoutAt(), in the spirit of CPython's test_timeouts.py: the
 * deadline cancels the block's Task, the exit turns that cancellation (and
 * only that one) into TimeoutError, by counting with cancel()/uncancel().
 */
import { describe, expect, it } from "vitest";
import { RuntimeError } from "../../src/core/index.js";
import {
  CancelledError,
  Timeout,
  TimeoutError,
  createTask,
  currentTask,
  sleep,
  timeout,
  timeoutAt,
} from "../../src/asyncio/index.js";
import { MockClock } from "../../src/testing/index.js";
import { raises, runAio, spin } from "./helpers.js";

describe("timeout basics", () => {
  it("raises TimeoutError at the deadline and reports expired()", async () => {
    await runAio(function* (loop) {
      const cm = timeout(1);
      const err = yield* raises(() => cm.run(() => sleep(10)));
      expect(err).toBeInstanceOf(TimeoutError);
      expect(cm.expired()).toBe(true);
      expect(loop.time()).toBe(1);
    });
  });

  it("timeoutAt takes an absolute loop time and when() returns it", async () => {
    await runAio(function* (loop) {
      const deadline = loop.time() + 3;
      const cm = timeoutAt(deadline);
      expect(cm).toBeInstanceOf(Timeout);
      const err = yield* raises(() => cm.run(() => sleep(10)));
      expect(err).toBeInstanceOf(TimeoutError);
      expect(cm.when()).toBe(deadline);
      expect(loop.time()).toBe(deadline);
    });
  });

  it("the block sees CancelledError at its wait, then the exit turns it into TimeoutError", async () => {
    await runAio(function* () {
      let inside: unknown = null;
      const err = yield* raises(() =>
        timeout(1).run(function* () {
          try {
            yield* sleep(10);
          } catch (e) {
            inside = e;
            throw e;
          }
        }),
      );
      expect(inside).toBeInstanceOf(CancelledError);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).cause).toBe(inside);
    });
  });

  it("returns the block's value when it finishes in time; not expired, when() unchanged", async () => {
    await runAio(function* (loop) {
      const cm = timeout(10);
      const v = yield* cm.run(function* (self) {
        expect(self).toBe(cm);
        yield* sleep(1);
        return "on time";
      });
      expect(v).toBe("on time");
      expect(cm.expired()).toBe(false);
      expect(cm.when()).toBeGreaterThan(loop.time());
      expect(loop.pending.timers).toBe(0);
    });
  });

  it("null disables the deadline (timeout and timeoutAt)", async () => {
    await runAio(function* (loop) {
      for (const cm of [timeout(null), timeoutAt(null)]) {
        yield* cm.run(() => sleep(1000));
        expect(cm.expired()).toBe(false);
        expect(cm.when()).toBeNull();
      }
      expect(loop.time()).toBe(2000);
    });
  });

  it("a zero or past deadline expires at the first wait, even sleep(0)", async () => {
    await runAio(function* (loop) {
      const t0 = loop.time();
      for (const [delay, body] of [
        [0, () => sleep(10)],
        [0, () => sleep(0)],
        [-11, () => sleep(0)],
      ] as const) {
        const cm = timeout(delay);
        const err = yield* raises(() => cm.run(body));
        expect(err).toBeInstanceOf(TimeoutError);
        expect(cm.expired()).toBe(true);
        expect(cm.when()!).toBeLessThanOrEqual(loop.time());
      }
      expect(loop.time()).toBe(t0);
    });
  });

  it("another error from the block passes through and the timeout is not expired", async () => {
    await runAio(function* () {
      const cm = timeout(1);
      const err = yield* raises(() =>
        cm.run(function* () {
          throw new RangeError("key");
        }),
      );
      expect(err).toBeInstanceOf(RangeError);
      expect(cm.expired()).toBe(false);
    });
  });

  it("an error raised while handling the timeout's cancellation wins over TimeoutError", async () => {
    await runAio(function* () {
      const err = yield* raises(() =>
        timeout(1).run(function* () {
          try {
            yield* sleep(10);
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw new EvalError("crash in finally");
          }
        }),
      );
      expect(err).toBeInstanceOf(EvalError);
      expect(currentTask()!.cancelling()).toBe(0);
    });
  });

  it("a block that swallows the cancellation returns normally; the timeout is expired and the count restored", async () => {
    await runAio(function* (loop) {
      const cm = timeout(1);
      const v = yield* cm.run(function* () {
        try {
          yield* sleep(10);
        } catch {
          return "swallowed";
        }
        return "finished";
      });
      expect(v).toBe("swallowed");
      expect(cm.expired()).toBe(true);
      expect(currentTask()!.cancelling()).toBe(0);
      expect(loop.time()).toBe(1);
    });
  });

  it("a foreign cancel before the deadline stays a CancelledError", async () => {
    await runAio(function* () {
      const cm = timeout(10);
      const err = yield* raises(() =>
        cm.run(function* () {
          currentTask()!.cancel();
          yield* sleep(10);
        }),
      );
      expect(err).toBeInstanceOf(CancelledError);
      expect(cm.expired()).toBe(false);
      expect(currentTask()!.uncancel()).toBe(0);
    });
  });

  it("the task running the timeout is not left cancelled", async () => {
    await runAio(function* () {
      const t = createTask(
        (function* () {
          const err = yield* raises(() => timeout(0.5).run(() => sleep(10)));
          expect(err).toBeInstanceOf(TimeoutError);
          expect(currentTask()!.cancelling()).toBe(0);
          yield* sleep(1);
          return "after";
        })(),
      );
      expect(yield* t).toBe("after");
      expect(t.cancelled()).toBe(false);
    });
  });

  it("validates its arguments", async () => {
    await runAio(function* () {
      expect(() => timeout(NaN)).toThrow(/NaN/);
      expect(() => timeoutAt("soon" as unknown as number)).toThrow(TypeError);
      const e = yield* raises(() => timeout(1).run(5 as unknown as () => never));
      expect(e).toBeInstanceOf(TypeError);
      expect(() => new Timeout(null).reschedule(NaN)).toThrow(TypeError);
    });
  });
});

describe("nesting", () => {
  it("with the same deadline only the outermost raises TimeoutError", async () => {
    await runAio(function* (loop) {
      const deadline = loop.time() + 1;
      const cm1 = timeoutAt(deadline);
      const cm2 = timeoutAt(deadline);
      let innerSaw: unknown = null;
      const err = yield* raises(() =>
        cm1.run(function* () {
          try {
            yield* cm2.run(() => sleep(10));
          } catch (e) {
            innerSaw = e;
            throw e;
          }
        }),
      );
      expect(innerSaw).toBeInstanceOf(CancelledError);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(cm1.expired()).toBe(true);
      expect(cm2.expired()).toBe(true);
    });
  });

  it("an inner shorter timeout raises inside; the outer one still interrupts later", async () => {
    await runAio(function* (loop) {
      const log: string[] = [];
      const err = yield* raises(() =>
        timeout(5).run(function* () {
          const inner = yield* raises(() => timeout(1).run(() => sleep(10)));
          log.push(`inner ${(inner as Error).name} at ${loop.time()}`);
          yield* sleep(10);
        }),
      );
      log.push(`outer ${(err as Error).name} at ${loop.time()}`);
      expect(log).toEqual(["inner TimeoutError at 1", "outer TimeoutError at 5"]);
    });
  });

  it("both deadlines passing in one loop iteration: the inner lets CancelledError through, the outer raises TimeoutError", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    await runAio(function* (loop) {
      const t0 = loop.time();
      let innerResult: unknown = null;
      const err = yield* raises(() =>
        timeout(1).run(function* () {
          try {
            yield* timeout(0.1).run(function* () {
              clock.jump(2); // the loop is "busy" past both deadlines
              yield* sleep(10);
            });
          } catch (e) {
            innerResult = e;
            throw e;
          }
        }),
      );
      expect(innerResult).toBeInstanceOf(CancelledError);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(loop.time()).toBe(t0 + 2);
      expect(currentTask()!.cancelling()).toBe(0);
    }, clock);
  });

  it("a timeout inside the finally of an expired one works, and the outer still raises TimeoutError", async () => {
    await runAio(function* () {
      let innerErr: unknown = null;
      const err = yield* raises(() =>
        timeout(1).run(function* () {
          try {
            yield* sleep(10);
          } finally {
            innerErr = yield* raises(() => timeout(1).run(() => sleep(10)));
          }
        }),
      );
      expect(innerErr).toBeInstanceOf(TimeoutError);
      expect(err).toBeInstanceOf(TimeoutError);
    });
  });

  it("a timeout after a caught cancellation still works (entered with cancelling() = 1)", async () => {
    await runAio(function* () {
      const me = currentTask()!;
      try {
        me.cancel();
        yield* sleep(1);
      } catch (e) {
        expect(e).toBeInstanceOf(CancelledError);
      }
      expect(me.cancelling()).toBe(1);
      const err = yield* raises(() => timeout(0).run(() => sleep(1)));
      expect(err).toBeInstanceOf(TimeoutError);
      expect(me.cancelling()).toBe(1);
      me.uncancel();
    });
  });

  it("a new cancel inside a timeout after a caught cancellation stays CancelledError", async () => {
    await runAio(function* () {
      const me = currentTask()!;
      try {
        me.cancel();
        yield* sleep(1);
      } catch {
        // handled
      }
      const err = yield* raises(() =>
        timeout(1).run(function* () {
          me.cancel();
          yield* sleep(2);
        }),
      );
      expect(err).toBeInstanceOf(CancelledError);
      expect(me.cancelling()).toBe(2);
      me.uncancel();
      me.uncancel();
    });
  });

  it("an outer cancel arriving together with the deadline wins: CancelledError, not TimeoutError", async () => {
    await runAio(function* (loop) {
      const t = createTask(timeout(1).run(() => sleep(10)));
      // At t=1 both the timeout and this callback cancel the task.
      loop.callLater(1, () => t.cancel("outer"));
      const err = yield* raises(() => t[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect(t.cancelled()).toBe(true);
    });
  });
});

describe("reschedule and state", () => {
  it("reschedule() moves the deadline; null removes it; a foreign cancel then is CancelledError", async () => {
    await runAio(function* (loop) {
      const deadline1 = loop.time() + 10;
      const deadline2 = deadline1 + 20;
      const ready = loop.createFuture<Timeout>();
      const t = createTask(
        timeoutAt(deadline1).run(function* (cm) {
          ready.setResult(cm);
          yield* sleep(50);
        }),
      );
      const cm = yield* ready;
      expect(cm.when()).toBe(deadline1);
      cm.reschedule(deadline2);
      expect(cm.when()).toBe(deadline2);
      cm.reschedule(null);
      expect(cm.when()).toBeNull();
      yield* sleep(40);
      expect(t.done()).toBe(false);
      t.cancel();
      const err = yield* raises(() => t[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect(cm.expired()).toBe(false);
    });
  });

  it("reschedule() later lets slow work finish; earlier (or in the past) expires sooner", async () => {
    await runAio(function* (loop) {
      const v = yield* timeout(1).run(function* (cm) {
        cm.reschedule(loop.time() + 5);
        yield* sleep(3);
        return "extended";
      });
      expect(v).toBe("extended");
      const t0 = loop.time();
      const err = yield* raises(() =>
        timeout(100).run(function* (cm) {
          cm.reschedule(loop.time() - 1);
          yield* sleep(10);
        }),
      );
      expect(err).toBeInstanceOf(TimeoutError);
      expect(loop.time()).toBe(t0);
    });
  });

  it("a disabled timeout can be given a deadline later", async () => {
    await runAio(function* (loop) {
      const err = yield* raises(() =>
        timeout(null).run(function* (cm) {
          cm.reschedule(loop.time() + 2);
          yield* sleep(10);
        }),
      );
      expect(err).toBeInstanceOf(TimeoutError);
      expect(loop.time()).toBe(2);
    });
  });

  it("refuses reschedule() before entering and after exiting, and a second run()", async () => {
    await runAio(function* () {
      const cm = timeout(1);
      expect(() => cm.reschedule(2)).toThrow(/has not been entered/);
      yield* cm.run(() => sleep(0));
      expect(() => cm.reschedule(2)).toThrow(/finished/);
      const again = yield* raises(() => cm.run(() => sleep(0)));
      expect(again).toBeInstanceOf(RuntimeError);
      expect((again as Error).message).toMatch(/has already been entered/);
      const nested = timeout(1);
      const inner = yield* raises(() => nested.run(() => nested.run(() => sleep(0))));
      expect((inner as Error).message).toMatch(/has already been entered/);
      const expired = timeout(0);
      yield* raises(() => expired.run(() => sleep(1)));
      expect(() => expired.reschedule(5)).toThrow(/expired/);
    });
  });

  it("must run inside a task", async () => {
    await runAio(function* (loop) {
      const cm = timeout(1);
      let err: unknown = null;
      loop.callSoon(() => {
        try {
          cm.run(() => sleep(0)).next();
        } catch (e) {
          err = e;
        }
      });
      yield* spin();
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as Error).message).toMatch(/inside a task/);
      expect(() => cm.reschedule(2)).toThrow(/has not been entered/);
    });
  });

  it("toString shows the state", async () => {
    await runAio(function* () {
      const cm = timeout(10);
      expect(String(cm)).toBe("<Timeout [created]>");
      yield* cm.run(function* () {
        expect(String(cm)).toMatch(/^<Timeout \[active\] when=\d+(\.\d+)?>$/);
        yield* sleep(0);
      });
      expect(String(cm)).toBe("<Timeout [finished]>");
      const exp = timeout(0.01);
      yield* raises(() => exp.run(() => sleep(10)));
      expect(String(exp)).toBe("<Timeout [expired]>");
      yield* timeout(null).run(function* (c) {
        expect(String(c)).toBe("<Timeout [active] when=None>");
      });
    });
  });
});
