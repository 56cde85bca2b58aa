/**
 * Faults injected into the core: errors thrown from finally blocks while a
 * task is being cancelled, from abort functions, and from instruments.
 *
 * The rule checked everywhere: no fault wedges the scheduler (the run ends,
 * and a fresh program runs afterwards), no error is swallowed (every one is
 * a leaf of what the run raises, or, for instruments, is logged once), and
 * a Cancelled never hides a real error (a scope absorbs only Cancelled).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  Abort,
  CancelScope,
  Cancelled,
  ExceptionGroup,
  TooSlowError,
  addInstrument,
  checkpoint,
  currentTask,
  currentTime,
  failAfter,
  moveOnAfter,
  openNursery,
  reschedule,
  errorOutcome,
  sleep,
  sleepForever,
  waitTaskRescheduled,
  type Instrument,
  type Operation,
  type Task,
} from "../../src/index.js";
import { expectClean, expectUsable, leafMessages, leaves, runKeep } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function* throwingFinally(label: string): Operation<void> {
  try {
    yield* sleepForever();
  } finally {
    // eslint-disable-next-line no-unsafe-finally -- the fault under test
    throw new Error(label);
  }
}

describe("errors thrown from finally blocks during cancellation", () => {
  it("a deadline cancels three children whose finally blocks throw: all three come out, the scope absorbs nothing", async () => {
    let scope: CancelScope | null = null;
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* (s) {
        scope = s;
        yield* openNursery(function* (n) {
          for (let i = 0; i < 3; i++) n.startSoon(throwingFinally, `fin${i}`);
        });
      });
      return "not reached";
    });
    expect(kept.ok).toBe(false);
    expect(kept.value).toBeInstanceOf(ExceptionGroup);
    expect(leafMessages(kept.value)).toEqual(["fin0", "fin1", "fin2"]);
    expect(leaves(kept.value).some((e) => e instanceof Cancelled)).toBe(false);
    expect(scope!.cancelledCaught).toBe(false);
    expectClean(kept.runner);
    await expectUsable();
  });

  it("a failing child cancels siblings whose finally blocks throw: the first error and both cleanup errors come out", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(throwingFinally, "fin1");
        n.startSoon(throwingFinally, "fin2");
        n.startSoon(function* () {
          yield* sleep(1);
          throw new Error("boom");
        });
      });
    });
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["boom", "fin1", "fin2"]);
    expectClean(kept.runner);
    await expectUsable();
  });

  it("cleanup that waits under a shield and then throws: the wait completes, then the error comes out", async () => {
    let cleanedAt = -1;
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        try {
          yield* sleepForever();
        } finally {
          yield* new CancelScope({ shield: true }).run(function* () {
            yield* sleep(5);
            cleanedAt = currentTime();
          });
          // eslint-disable-next-line no-unsafe-finally -- the fault under test
          throw new Error("after shielded cleanup");
        }
      });
    });
    expect(cleanedAt).toBe(6);
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["after shielded cleanup"]);
    expectClean(kept.runner);
  });

  it("failAfter whose body's finally throws raises that error, not TooSlowError", async () => {
    const kept = await runKeep(function* () {
      yield* failAfter(1, function* () {
        yield* throwingFinally("cleanup failed");
      });
    });
    expect(kept.ok).toBe(false);
    expect(kept.value).not.toBeInstanceOf(TooSlowError);
    expect(leafMessages(kept.value)).toEqual(["cleanup failed"]);
    expectClean(kept.runner);
  });

  it("nested nurseries: every cleanup error at every level is a leaf, non-Error values too", async () => {
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        yield* openNursery(function* (outer) {
          outer.startSoon(throwingFinally, "outer-a");
          outer.startSoon(function* () {
            yield* openNursery(function* (inner) {
              inner.startSoon(throwingFinally, "inner-a");
              inner.startSoon(throwingFinally, "inner-b");
              inner.startSoon(function* () {
                try {
                  yield* sleepForever();
                } finally {
                  // eslint-disable-next-line no-unsafe-finally -- the fault under test
                  throw "a string";
                }
              });
            });
          });
        });
      });
    });
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["a string", "inner-a", "inner-b", "outer-a"]);
    expectClean(kept.runner);
    await expectUsable();
  });

  it("a task cancelled by Task.cancel() whose finally throws: its nursery gets the error", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(throwingFinally, "cancelled task cleanup");
        n.startSoon(function* () {
          yield* sleep(1);
          t.cancel("stop");
        });
      });
    });
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["cancelled task cleanup"]);
    expectClean(kept.runner);
  });
});

describe("errors thrown from abort functions", () => {
  it("an abort function that throws: the task gets its error, its siblings are still cancelled", async () => {
    let siblingCancelled = false;
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* waitTaskRescheduled(() => {
              throw new Error("abort boom");
            });
          });
          n.startSoon(function* () {
            try {
              yield* sleepForever();
            } catch (error) {
              siblingCancelled = error instanceof Cancelled;
              throw error;
            }
          });
        });
      });
    });
    expect(siblingCancelled).toBe(true);
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["abort boom"]);
    expectClean(kept.runner);
    await expectUsable();
  });

  it("many tasks whose abort functions throw at once: every error is kept", async () => {
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        yield* openNursery(function* (n) {
          for (let i = 0; i < 50; i++) {
            n.startSoon(function* () {
              yield* waitTaskRescheduled(() => {
                throw new Error(`abort ${String(i).padStart(2, "0")}`);
              });
            });
          }
        });
      });
    });
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(Array.from({ length: 50 }, (_, i) => `abort ${String(i).padStart(2, "0")}`));
    expectClean(kept.runner);
  });

  it("an abort function that answers FAILED: the task is woken later with an error, which comes out", async () => {
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        yield* openNursery(function* (n) {
          let waiter: Task | null = null;
          n.startSoon(function* () {
            waiter = currentTask();
            yield* waitTaskRescheduled(() => Abort.FAILED);
          });
          n.startSoon(function* () {
            yield* new CancelScope({ shield: true }).run(function* () {
              yield* sleep(2);
            });
            reschedule(waiter!, errorOutcome(new Error("completed late with an error")));
          });
        });
      });
    });
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["completed late with an error"]);
    expectClean(kept.runner);
  });

  // Found by this test: such an answer used to be taken as FAILED, parking
  // the task forever and wedging the run.
  it("an abort function that returns something else: a clear error, not a wedged run", async () => {
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        yield* waitTaskRescheduled((() => undefined) as unknown as () => Abort);
      });
    });
    expect(kept.ok).toBe(false);
    expect(kept.value).toBeInstanceOf(TypeError);
    expect(String(kept.value)).toMatch(/must return Abort\.SUCCEEDED or Abort\.FAILED/);
    expectClean(kept.runner);
    await expectUsable();
  });
});

describe("instruments that throw", () => {
  const hooks = [
    "beforeRun",
    "taskSpawned",
    "taskScheduled",
    "beforeTaskStep",
    "afterTaskStep",
    "taskExited",
    "beforeIoWait",
    "afterIoWait",
    "afterRun",
  ] as const;

  for (const hook of hooks) {
    it(`an instrument whose ${hook} throws is removed once; the run and the other instruments carry on`, async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      let calls = 0;
      const broken: Instrument = {
        [hook]() {
          calls++;
          throw new Error(`${hook} broke`);
        },
      };
      const seen: string[] = [];
      const healthy: Instrument = {};
      for (const h of hooks) (healthy as Record<string, () => void>)[h] = () => seen.push(h);
      const kept = await runKeep(
        function* () {
          let sum = 0;
          yield* openNursery(function* (n) {
            for (let i = 1; i <= 3; i++) {
              n.startSoon(function* () {
                yield* sleep(i);
                sum += i;
              });
            }
          });
          return sum;
        },
        { instruments: [broken, healthy] },
      );
      expect(kept.ok).toBe(true);
      expect(kept.value).toBe(6);
      expect(calls).toBe(1);
      const reports = logged.mock.calls.filter((c) => String(c[0]).includes(`instrument hook ${hook} raised`));
      expect(reports.length).toBe(1);
      expect((reports[0]![1] as Error).message).toBe(`${hook} broke`);
      // The healthy instrument heard every kind of event.
      for (const h of hooks) expect(seen).toContain(h);
      expectClean(kept.runner);
    });
  }

  it("an instrument added mid-run that throws is removed; an instrument that removes itself is fine", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    let brokenCalls = 0;
    const kept = await runKeep(function* () {
      addInstrument({
        beforeTaskStep() {
          brokenCalls++;
          throw new Error("mid-run");
        },
      });
      for (let i = 0; i < 10; i++) yield* checkpoint();
      return "done";
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("done");
    expect(brokenCalls).toBe(1);
    expect(logged).toHaveBeenCalledTimes(1);
    expectClean(kept.runner);
  });
});
