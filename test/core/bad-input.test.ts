import { describe, expect, it } from "vitest";
import {
  CancelScope,
  ExceptionGroup,
  RuntimeError,
  TrioInternalError,
  addInstrument,
  cancelShieldedCheckpoint,
  checkpoint,
  checkpointIfCancelled,
  currentCancelScope,
  currentEffectiveDeadline,
  currentRun,
  currentSignal,
  currentStatistics,
  currentTask,
  currentTime,
  failAfter,
  failAt,
  moveOnAfter,
  moveOnAt,
  openNursery,
  reschedule,
  run,
  runWith,
  sleep,
  sleepForever,
  sleepUntil,
  spawnSystemTask,
  waitTaskRescheduled,
  type Operation,
  type TaskStatus,
} from "../../src/core/index.js";
import { FLAVOUR } from "../../src/core/traps.js";
import { waitPromise, abortable } from "../../src/bridge/promise.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { rejection, runMock } from "./helpers.js";

// Deliberately wrong inputs, typed loosely so the compiler lets them through.
const asyncFn = async function fetchThing(): Promise<number> {
  return 1;
};
const plainFn = function notAGenerator(): number {
  return 5;
};
const promiseFn = function returnsPromise(): Promise<number> {
  return Promise.resolve(1);
};
type Loose = (...args: any[]) => Operation<any>;
const loose = (f: unknown) => f as Loose;

async function firstLeaf(p: Promise<unknown>): Promise<Error> {
  const err = await rejection(p);
  return (err instanceof ExceptionGroup ? err.leaves()[0] : err) as Error;
}

describe("bad task functions", () => {
  it("run(async function) names the fix", async () => {
    const err = (await rejection(run(loose(asyncFn)))) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/async function \(fetchThing\)/);
    expect(err.message).toMatch(/function\*/);
    expect(err.message).toMatch(/waitPromise/);
  });

  it("run(plain function) says it returned no generator", async () => {
    const err = (await rejection(run(loose(plainFn)))) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/notAGenerator returned number 5, not a generator/);
  });

  it("run(function returning a Promise) says so", async () => {
    const err = (await rejection(run(loose(promiseFn)))) as Error;
    expect(err.message).toMatch(/returned a Promise/);
    expect(err.message).toMatch(/waitPromise/);
  });

  it("run(non-function) raises a TypeError", async () => {
    for (const bad of [42, null, undefined, "main", {}]) {
      const err = (await rejection(run(loose(bad)))) as Error;
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/needs a generator function/);
    }
  });

  it("runWith without an options object, or with a bad clock", async () => {
    await expect(runWith(null as never, function* () {})).rejects.toThrow(/options object/);
    await expect(runWith({ clock: {} as never }, function* () {})).rejects.toThrow(/MockClock/);
  });

  it("startSoon(async function) raises at the call", async () => {
    let thrown: unknown;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        try {
          n.startSoon(loose(asyncFn));
        } catch (e) {
          thrown = e;
        }
      });
    });
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(/startSoon\(\) got an async function/);
  });

  it("startSoon(plain function) and startSoon(non-function) raise at the call", async () => {
    const errors: unknown[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (const bad of [plainFn, 7, undefined]) {
          try {
            n.startSoon(loose(bad));
          } catch (e) {
            errors.push(e);
          }
        }
        expect(n.childTasks.size).toBe(0);
      });
    });
    expect(errors).toHaveLength(3);
    for (const e of errors) expect(e).toBeInstanceOf(TypeError);
  });

  it("start(async function) raises a TypeError naming the fix", async () => {
    const err = await firstLeaf(
      runMock(function* () {
        yield* openNursery(function* (n) {
          yield* n.start(loose(asyncFn));
        });
      }),
    );
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/nursery\.start\(\) got an async function/);
  });

  it("start(plain function) raises a TypeError from start()", async () => {
    let caught: unknown;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        try {
          yield* n.start(loose(plainFn));
        } catch (e) {
          caught = e;
        }
      });
    });
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as Error).message).toMatch(/not a generator/);
  });

  it("openNursery(async function) raises a TypeError naming the fix", async () => {
    const err = (await rejection(
      runMock(function* () {
        yield* openNursery(loose(asyncFn));
      }),
    )) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/openNursery\(\) got an async function/);
  });

  it("openNursery(plain function) raises a TypeError that says it is not a generator", async () => {
    const err = await firstLeaf(
      runMock(function* () {
        yield* openNursery(loose(plainFn));
      }),
    );
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/openNursery\(\): notAGenerator returned number 5, not a generator/);
  });

  it("openNursery(non-function) raises a TypeError", async () => {
    const err = await firstLeaf(
      runMock(function* () {
        yield* openNursery(loose("body"));
      }),
    );
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/openNursery\(\) needs a generator function/);
  });

  it("CancelScope.run with an async, plain or non-function body", async () => {
    for (const [bad, pattern] of [
      [asyncFn, /CancelScope\.run\(body\) got an async function/],
      [plainFn, /CancelScope\.run\(body\): notAGenerator returned number 5/],
      [null, /CancelScope\.run\(body\) needs a generator function/],
    ] as const) {
      const scope = new CancelScope();
      const err = (await rejection(
        runMock(function* () {
          yield* scope.run(loose(bad));
        }),
      )) as Error;
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(pattern);
    }
  });

  it("moveOnAfter with an async body names the fix", async () => {
    const err = (await rejection(
      runMock(function* () {
        yield* moveOnAfter(1, loose(asyncFn));
      }),
    )) as Error;
    expect(err.message).toMatch(/async function/);
  });

  it("spawnSystemTask(async function) raises", async () => {
    const err = (await rejection(
      runMock(function* () {
        spawnSystemTask(loose(asyncFn));
      }),
    )) as Error;
    expect(err.message).toMatch(/spawnSystemTask\(\) got an async function/);
  });
});

describe("foreign values yielded by a task", () => {
  function* yieldsValue(value: unknown): Operation<unknown> {
    try {
      yield value as never;
    } catch (e) {
      return e;
    }
    return "no error";
  }

  it("a Promise: names waitPromise and abortable", async () => {
    const e = (await runMock(() => yieldsValue(Promise.resolve(1)))) as Error;
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/yielded a Promise/);
    expect(e.message).toMatch(/yield\* waitPromise\(promise\)/);
  });

  it("a generator object: says to use yield*", async () => {
    const e = (await runMock(() => yieldsValue(sleep(1)))) as Error;
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/yield\* operation\(\)/);
  });

  it("a random value: says to use yield*", async () => {
    for (const v of [42, "x", null, undefined, { a: 1 }]) {
      const e = (await runMock(() => yieldsValue(v))) as Error;
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(/never yield a value yourself/);
    }
  });

  it("an asyncio Future: names aioAsTrio", async () => {
    const fake = { [FLAVOUR]: "asyncio" };
    const e = (await runMock(() => yieldsValue(fake))) as Error;
    expect(e.message).toMatch(/aioAsTrio/);
  });

  it("an uncaught foreign yield fails the run with that TypeError", async () => {
    const err = (await rejection(
      runMock(function* () {
        yield Promise.resolve() as never;
      }),
    )) as Error;
    expect(err).toBeInstanceOf(TypeError);
  });

  it("the task can go on after catching the error", async () => {
    const v = await runMock(function* () {
      yield* yieldsValue(1);
      yield* sleep(1);
      return currentTime();
    });
    expect(v).toBe(1);
  });
});

describe("primitives used outside a run", () => {
  const outside: [string, () => unknown][] = [
    ["currentTime()", () => currentTime()],
    ["currentTask()", () => currentTask()],
    ["currentRun()", () => currentRun()],
    ["currentStatistics()", () => currentStatistics()],
    ["currentCancelScope()", () => currentCancelScope()],
    ["currentEffectiveDeadline()", () => currentEffectiveDeadline()],
    ["currentSignal()", () => currentSignal()],
    ["spawnSystemTask()", () => spawnSystemTask(function* () {})],
    ["addInstrument()", () => addInstrument({})],
    ["checkpoint()", () => checkpoint().next()],
    ["checkpointIfCancelled()", () => checkpointIfCancelled().next()],
    ["cancelShieldedCheckpoint()", () => cancelShieldedCheckpoint().next()],
    ["sleep()", () => sleep(1).next()],
    ["sleepUntil()", () => sleepUntil(1).next()],
    ["sleepForever()", () => sleepForever().next()],
    ["openNursery()", () => openNursery(function* () {}).next()],
    ["CancelScope.run()", () => new CancelScope().run(function* () {}).next()],
    ["waitTaskRescheduled()", () => waitTaskRescheduled(() => 1).next()],
    ["waitAllTasksBlocked()", () => waitAllTasksBlocked().next()],
    ["waitPromise()", () => waitPromise(Promise.resolve()).next()],
    ["abortable()", () => abortable(() => Promise.resolve()).next()],
  ];
  for (const [name, call] of outside) {
    it(`${name} raises a RuntimeError naming itself and the fix`, () => {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as Error).message).toContain(name);
      expect((err as Error).message).toMatch(/inside a task of run\(\)/);
      expect((err as Error).message).toMatch(/yield\*/);
    });
  }

  it("cancel() is allowed outside a run", () => {
    expect(() => new CancelScope().cancel()).not.toThrow();
  });
});

describe("bad durations and deadlines", () => {
  it("sleep rejects NaN, negative and non-numbers at the call", () => {
    expect(() => sleep(NaN)).toThrow(TypeError);
    expect(() => sleep(NaN)).toThrow(/NaN/);
    expect(() => sleep(-1)).toThrow(RangeError);
    expect(() => sleep("1" as unknown as number)).toThrow(TypeError);
  });

  it("sleepUntil rejects NaN", async () => {
    const err = await rejection(runMock(() => sleepUntil(NaN)));
    expect(err).toBeInstanceOf(TypeError);
  });

  it("moveOnAfter / failAfter reject NaN and negative durations", () => {
    const body = function* () {};
    expect(() => moveOnAfter(NaN, body)).toThrow(TypeError);
    expect(() => moveOnAfter(-1, body)).toThrow(RangeError);
    expect(() => failAfter(NaN, body)).toThrow(TypeError);
    expect(() => failAfter(-0.5, body)).toThrow(/non-negative/);
  });

  it("moveOnAt / failAt reject NaN deadlines", () => {
    const body = function* () {};
    expect(() => moveOnAt(NaN, body)).toThrow(TypeError);
    expect(() => failAt(NaN, body)).toThrow(TypeError);
  });

  it("moveOnAt(-Infinity) is a valid, already expired deadline", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* moveOnAt(-Infinity, function* () {
        yield* checkpoint();
        log.push("not reached");
      });
    });
    expect(log).toEqual([]);
  });

  it("CancelScope rejects bad options and deadlines", () => {
    expect(() => new CancelScope(null as never)).toThrow(TypeError);
    expect(() => new CancelScope({ deadline: NaN })).toThrow(TypeError);
    expect(() => new CancelScope({ relativeDeadline: -1 })).toThrow(RangeError);
    expect(() => new CancelScope({ relativeDeadline: NaN })).toThrow(TypeError);
    const s = new CancelScope();
    expect(() => {
      s.deadline = NaN;
    }).toThrow(TypeError);
    expect(() => {
      s.relativeDeadline = -2;
    }).toThrow(RangeError);
  });

  it("MockClock rejects bad rates, thresholds and jumps", () => {
    expect(() => new MockClock({ rate: -1 })).toThrow(RangeError);
    expect(() => new MockClock({ rate: NaN })).toThrow(RangeError);
    expect(() => new MockClock({ autojumpThreshold: -1 })).toThrow(RangeError);
    const c = new MockClock();
    expect(() => c.jump(-1)).toThrow(RangeError);
    expect(() => c.jump(NaN)).toThrow(RangeError);
  });
});

describe("misused low-level primitives", () => {
  it("started() twice raises a RuntimeError", async () => {
    let err: unknown;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        yield* n.start(function* (status: TaskStatus) {
          status.started();
          try {
            status.started();
          } catch (e) {
            err = e;
          }
        });
      });
    });
    expect(err).toBeInstanceOf(RuntimeError);
  });

  it("waitTaskRescheduled needs an abort function", async () => {
    const err = await rejection(runMock(() => waitTaskRescheduled(null as never)));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/Abort\.SUCCEEDED/);
  });

  it("reschedule needs an outcome, and a blocked task", async () => {
    const err = await rejection(
      runMock(function* () {
        reschedule(currentTask(), 5 as never);
      }),
    );
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/valueOutcome/);
    const err2 = await rejection(
      runMock(function* () {
        reschedule(currentTask());
      }),
    );
    expect(err2).toBeInstanceOf(TrioInternalError);
    expect((err2 as Error).message).toMatch(/not blocked/);
  });
});
