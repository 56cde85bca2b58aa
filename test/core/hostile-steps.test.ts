/**
 * Hostile values at a task step: whatever a task yields, throws or names
 * itself, the run settles with a clear error, and no global state (the
 * current task, the list of live runs) outlives the step.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CancelScope,
  ExceptionGroup,
  TrioInternalError,
  checkpoint,
  currentRun,
  currentTask,
  moveOnAfter,
  openNursery,
  run,
  runWith,
  sleep,
  sleepForever,
  SystemClock,
  type Nursery,
  type Operation,
  type Runner,
  type Task,
} from "../../src/core/index.js";
import { waitPromise } from "../../src/bridge/promise.js";
import { describe as describeValue, describeError } from "../../src/core/errors.js";
import { liveRuns, observer } from "../../src/inspect/hooks.js";
import { subscribe } from "../../src/inspect/subscribe.js";
import { cancel as inspectorCancel } from "../../src/inspect/control.js";
import { MockClock } from "../../src/testing/index.js";
import { Semaphore, asyncio } from "../../src/index.js";
import { TrioRuntime } from "../../src/components/index.js";
import { autojumpClock, within } from "./helpers.js";
import { leftovers } from "../../src/core/runner.js";

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How `p` settles; fails the test if it has not within `ms` of real time. */
function settled(p: Promise<unknown>, ms = 2000): Promise<Settled> {
  const outcome = p.then(
    (value): Settled => ({ ok: true, value }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
  return within(outcome, ms);
}

/** The run's error; fails if it resolved. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  const s = await settled(p);
  if (s.ok) throw new Error(`expected the run to fail, it returned ${describeValue(s.value)}`);
  return s.error;
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function noCurrentTask(): boolean {
  try {
    currentTask();
    return false;
  } catch {
    return true;
  }
}

/** Runs `main` keeping its runner, for the checks after it. */
function runKeeping(main: () => Operation<unknown>): { promise: Promise<unknown>; runner: () => Runner } {
  let runner: Runner | null = null;
  const promise = runWith({ clock: autojumpClock() }, function* () {
    runner = currentRun();
    return yield* main();
  });
  return { promise, runner: () => runner! };
}

function expectClean(runner: Runner): void {
  expect(noCurrentTask()).toBe(true);
  expect(liveRuns.has(runner)).toBe(false);
  expect(runner.isRunning).toBe(false);
  expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
}

let errorSpy: ReturnType<typeof vi.spyOn> | null = null;
afterEach(() => {
  errorSpy?.mockRestore();
  errorSpy = null;
  observer.current = null;
});

describe("a task that yields a hostile value", () => {
  it("a revoked Proxy: the yield raises a TypeError in the task", async () => {
    const proxy = revokedProxy();
    const { promise, runner } = runKeeping(function* () {
      yield proxy as never;
    });
    const error = await failure(promise);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/yielded .*revoked Proxy.*yield\*/);
    expectClean(runner());
  });

  it("an object whose then getter throws: the task can catch the error and go on", async () => {
    const thenable = {
      get then(): never {
        throw new Error("then getter");
      },
    };
    const { promise, runner } = runKeeping(function* () {
      try {
        yield thenable as never;
      } catch (error) {
        yield* checkpoint();
        return (error as Error).message;
      }
      return "not reached";
    });
    const s = await settled(promise);
    expect(s.ok).toBe(true);
    expect((s as { value: string }).value).toMatch(/yielded an object, which the scheduler does not understand/);
    expectClean(runner());
  });

  it("an object whose next, constructor and toString all throw", async () => {
    const nasty = new Proxy(
      {},
      {
        get() {
          throw new Error("no reading");
        },
        getPrototypeOf() {
          throw new Error("no prototype");
        },
      },
    );
    const { promise, runner } = runKeeping(function* () {
      yield nasty as never;
    });
    const error = await failure(promise);
    expect(error).toBeInstanceOf(TypeError);
    expectClean(runner());
  });
});

/** An operation written by hand (no generator), each step answering `next()`. */
function handWritten(next: () => unknown): Operation<never> {
  return {
    next,
    throw(error: unknown): never {
      throw error;
    },
    return: (value: unknown) => ({ value, done: true }),
    [Symbol.iterator]() {
      return this;
    },
  } as unknown as Operation<never>;
}

describe("a task whose hand-written iterator gives a hostile step result", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["undefined", () => undefined, /Task bad's iterator returned undefined from a step, not an iterator result/],
    ["a result whose done getter throws", () => ({ value: 1, get done(): never { throw new Error("done getter"); } }), /^done getter$/],
    ["a result whose value getter throws", () => ({ done: false, get value(): never { throw new Error("value getter"); } }), /^value getter$/],
    ["a revoked Proxy", () => revokedProxy(), /revoked/],
  ];
  for (const [what, result, message] of cases) {
    it(`${what}: the task fails with its own error, and its sibling unwinds (the run is not abandoned)`, async () => {
      const log: string[] = [];
      const { promise, runner } = runKeeping(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* sibling() {
            try {
              yield* sleepForever();
            } finally {
              log.push("sibling unwound");
            }
          });
          n.startSoonNamed("bad", () => handWritten(result));
        });
      });
      const error = await failure(promise);
      expect(error).not.toBeInstanceOf(TrioInternalError);
      expect(error).toBeInstanceOf(ExceptionGroup);
      const leaves = (error as ExceptionGroup).exceptions;
      expect(leaves).toHaveLength(1);
      expect((leaves[0] as Error).message).toMatch(message);
      expect(log).toEqual(["sibling unwound"]);
      expectClean(runner());
    });
  }
});

describe("a nursery body whose hand-written iterator gives a hostile step result", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["undefined", () => undefined, /openNursery\(body\): the body's iterator returned undefined from a step/],
    ["a result whose done getter throws", () => ({ value: 1, get done(): never { throw new Error("done getter"); } }), /^done getter$/],
    ["a revoked Proxy", () => revokedProxy(), /revoked/],
  ];
  for (const [what, result, message] of cases) {
    it(`${what}: the nursery still waits for the child it started, then raises the body's error`, async () => {
      const log: string[] = [];
      const body = (n: Nursery) =>
        handWritten(() => {
          n.startSoon(function* child() {
            try {
              yield* sleepForever();
            } finally {
              log.push("child unwound");
            }
          });
          return result();
        });
      const { promise, runner } = runKeeping(function* () {
        try {
          yield* openNursery(body);
        } catch (error) {
          log.push("nursery raised");
          throw error;
        }
      });
      const error = await failure(promise);
      expect(log).toEqual(["child unwound", "nursery raised"]);
      expect(error).toBeInstanceOf(ExceptionGroup);
      expect(((error as ExceptionGroup).exceptions[0] as Error).message).toMatch(message);
      expectClean(runner());
    });
  }
});

describe("a task that throws a hostile value", () => {
  it("a child error whose message getter throws: the nursery still cancels its siblings and raises", async () => {
    const bad = new Error("x");
    Object.defineProperty(bad, "message", {
      get() {
        throw new Error("message getter");
      },
    });
    let siblingCancelled = false;
    const { promise, runner } = runKeeping(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* sibling() {
          try {
            yield* sleepForever();
          } finally {
            siblingCancelled = true;
          }
        });
        n.startSoon(function* failing() {
          yield* checkpoint();
          throw bad;
        });
      });
    });
    const error = await failure(promise);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions).toEqual([bad]);
    expect(siblingCancelled).toBe(true);
    expectClean(runner());
  });

  it("a child error whose name getter throws, from a task whose name getter throws", async () => {
    const bad = new Error("x");
    Object.defineProperty(bad, "name", {
      get() {
        throw new Error("name getter");
      },
    });
    function* failing(): Operation<void> {
      throw bad;
    }
    Object.defineProperty(failing, "name", {
      get() {
        throw new Error("function name getter");
      },
    });
    let seen: Task | null = null;
    const { promise, runner } = runKeeping(function* () {
      yield* openNursery(function* (n) {
        seen = n.startSoon(failing);
      });
    });
    const error = await failure(promise);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions).toEqual([bad]);
    expect(String(seen)).toMatch(/<Task #\d+ .* done>/);
    expectClean(runner());
  });

  it("with the inspector subscribed, a thrown value that String() cannot convert", async () => {
    const frames: (() => void)[] = [];
    const stop = subscribe(() => {}, { scheduleFrame: (f) => void frames.push(f) });
    try {
      const odd = Object.create(null) as object;
      const { promise, runner } = runKeeping(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            throw odd;
          });
        });
      });
      const error = await failure(promise);
      expect((error as ExceptionGroup).exceptions).toEqual([odd]);
      for (const f of frames.splice(0)) f();
      expectClean(runner());
    } finally {
      stop();
    }
  });

  it("a failed run leaves no current task: another run may start tasks from a host callback", async () => {
    const proxy = revokedProxy();
    await failure(
      run(function* () {
        yield proxy as never;
      }),
    );
    expect(noCurrentTask()).toBe(true);
    // Another run's nursery accepts a task started from a host callback
    // (a task left current would make it refuse: "a nursery of another run").
    const started = await settled(
      run(function* () {
        return yield* openNursery(function* (n) {
          const fromCallback = new Promise<Task>((resolve, reject) =>
            setTimeout(() => {
              try {
                resolve(n.startSoon(function* () {
                  yield* checkpoint();
                }));
              } catch (error) {
                reject(error as Error);
              }
            }, 1),
          );
          yield* waitPromise(fromCallback);
          return "started";
        });
      }),
    );
    expect(started).toEqual({ ok: true, value: "started" });
  });
});

describe("the last-resort guard of a batch", () => {
  it("an internal error escaping a step crashes the run with a TrioInternalError, and clears the step's state", async () => {
    errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    const boom = new Error("observer broke");
    // A broken observer throws outside the task's own code, where only the
    // runner can catch it.
    observer.current = {
      taskExited() {
        throw boom;
      },
    };
    const { promise, runner } = runKeeping(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* child() {
          yield* sleep(1);
        });
        n.startSoon(function* quick() {});
      });
    });
    const error = await failure(promise);
    observer.current = null;
    expect(error).toBeInstanceOf(TrioInternalError);
    expect((error as Error).message).toMatch(/observer broke/);
    expect((error as Error).cause).toBe(boom);
    expect(noCurrentTask()).toBe(true);
    expect(liveRuns.has(runner())).toBe(false);
    expect(runner().isRunning).toBe(false);
    expect(leftovers(runner())).toMatchObject({ deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
    // The page is not poisoned: the next run works.
    expect(await run(function* () {
      yield* checkpoint();
      return 7;
    })).toBe(7);
  });

  it("a clock that breaks while the scheduler reads it crashes the run instead of wedging it", async () => {
    let broken = false;
    class BreakingClock extends SystemClock {
      override currentTime(): number {
        if (broken) throw new Error("clock broke");
        return super.currentTime();
      }
    }
    let runner: Runner | null = null;
    const error = await failure(
      runWith({ clock: new BreakingClock() }, function* () {
        runner = currentRun();
        yield* openNursery(function* (n) {
          n.startSoon(sleep, 0.005);
          yield* checkpoint();
          // From now on only the scheduler reads the clock: when the sleep is due.
          broken = true;
        });
      }),
    );
    expect(error).toBeInstanceOf(TrioInternalError);
    expect((error as Error).message).toMatch(/clock broke/);
    expect(noCurrentTask()).toBe(true);
    expect(liveRuns.has(runner!)).toBe(false);
    expect(leftovers(runner!)).toMatchObject({ deadlines: 0, hostTimer: false, idleTimer: false });
  });

  it("a clock whose autojump throws (called from the idle check, outside a batch) crashes the run instead of escaping to the host", async () => {
    class BreakingJumpClock extends MockClock {
      override autojump(): void {
        throw new Error("jump broke");
      }
    }
    let runner: Runner | null = null;
    const error = await failure(
      runWith({ clock: new BreakingJumpClock({ autojumpThreshold: 0 }) }, function* () {
        runner = currentRun();
        yield* sleep(10);
      }),
    );
    expect(error).toBeInstanceOf(TrioInternalError);
    expect((error as Error).message).toMatch(/jump broke/);
    expect(noCurrentTask()).toBe(true);
    expect(liveRuns.has(runner!)).toBe(false);
    expect(leftovers(runner!)).toMatchObject({ deadlines: 0, hostTimer: false, idleTimer: false });
  });
});

describe("hostile options and tool arguments", () => {
  it("runWith refuses a name that is not a string, before the run starts", async () => {
    const before = liveRuns.size;
    const error = await failure(runWith({ name: Symbol("run") as unknown as string }, function* () {}));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/options\.name must be a string .*got symbol Symbol\(run\)/);
    expect(liveRuns.size).toBe(before);
  });

  it("inspector.cancel describes an id it cannot use, whatever it is", () => {
    expect(() => inspectorCancel("task", Object.create(null) as number)).toThrow(/needs an integer id, got an object with no prototype/);
    expect(() => inspectorCancel("task", Symbol("id") as unknown as number)).toThrow(/got symbol Symbol\(id\)/);
  });
});

describe("an options object that cannot be read (a revoked Proxy)", () => {
  // Each gets a TypeError naming the call, not the engine's "Cannot perform 'get' on a proxy".
  const calls: [string, (options: never) => unknown][] = [
    ["new CancelScope(options)", (o) => new CancelScope(o)],
    ["moveOnAfter(seconds, body, options)", (o) => moveOnAfter(1, function* () {}, o)],
    ["new Semaphore(initialValue, options)", (o) => new Semaphore(1, o)],
    ["new MockClock(options)", (o) => new MockClock(o)],
    ["new PriorityQueue(maxsize, options)", (o) => new asyncio.PriorityQueue(0, o)],
    ["new TrioRuntime(options)", (o) => new TrioRuntime(o)],
  ];
  for (const [what, call] of calls) {
    it(what, () => {
      let error: unknown;
      try {
        call(revokedProxy() as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/the options object cannot be read \(.*revoked.*\); pass a plain object\./);
      expect((error as Error).message.startsWith(what.split("(")[0]!)).toBe(true);
    });
  }

  it("waitPromise(promise, options) raises it in the task", async () => {
    const error = await failure(
      runWith({ clock: autojumpClock() }, function* () {
        yield* waitPromise(Promise.resolve(1), revokedProxy() as never);
      }),
    );
    expect((error as Error).message).toMatch(/^waitPromise\(promise, options\): the options object cannot be read/);
  });
});

describe("describe() and describeError() are total", () => {
  const hostile: [string, unknown][] = [
    ["revoked proxy", revokedProxy()],
    ["null prototype", Object.create(null)],
    ["symbol", Symbol("s")],
    ["bigint", 10n],
    [
      "throwing constructor getter",
      {
        get constructor(): never {
          throw new Error("x");
        },
      },
    ],
    [
      "throwing toPrimitive",
      {
        [Symbol.toPrimitive]() {
          throw new Error("x");
        },
      },
    ],
    [
      "function with throwing name",
      Object.defineProperty(function f() {}, "name", {
        get() {
          throw new Error("x");
        },
      }),
    ],
    [
      "error with throwing message and name",
      Object.defineProperties(new Error("m"), {
        message: {
          get() {
            throw new Error("x");
          },
        },
        name: {
          get() {
            throw new Error("x");
          },
        },
      }),
    ],
    ["error with non-string message", Object.assign(new Error(), { message: { toString: () => { throw new Error("x"); } } })],
  ];
  for (const [label, value] of hostile) {
    it(label, () => {
      expect(typeof describeValue(value)).toBe("string");
      expect(typeof describeError(value)).toBe("string");
    });
  }

  it("keeps the useful text of ordinary values", () => {
    expect(describeValue(new TypeError("bad"))).toBe("a TypeError");
    expect(describeError(new TypeError("bad"))).toBe("TypeError: bad");
    expect(describeError(new Error(""))).toBe("Error");
    expect(describeValue(Symbol("s"))).toBe("symbol Symbol(s)");
    expect(describeValue(Object.create(null))).toBe("an object with no prototype");
    expect(describeValue(revokedProxy())).toMatch(/revoked Proxy/);
  });
});

// `undefined` is a value code may throw; a scope that absorbs a Cancelled
// must not mistake a thrown undefined for "nothing left to raise".
describe("a thrown undefined is raised, never taken for an absorbed Cancelled", () => {
  it("out of a CancelScope.run body", async () => {
    const after = vi.fn();
    const outcome = await settled(
      run(function* () {
        yield* new CancelScope().run(function* () {
          yield* checkpoint();
          throw undefined;
        });
        after();
      }),
    );
    expect(outcome).toEqual({ ok: false, error: undefined });
    expect(after).not.toHaveBeenCalled();
  });

  it("out of a cancelled CancelScope.run body that caught its Cancelled", async () => {
    const outcome = await settled(
      run(function* () {
        yield* new CancelScope().run(function* (scope) {
          scope.cancel();
          try {
            yield* checkpoint();
          } catch {
            throw undefined;
          }
        });
        return "went on";
      }),
    );
    expect(outcome).toEqual({ ok: false, error: undefined });
  });

  it("out of a task cancelled by Task.cancel() that caught its Cancelled", async () => {
    const outcome = await settled(
      run(function* () {
        yield* openNursery(function* (n) {
          const victim = n.startSoon(function* () {
            try {
              yield* sleepForever();
            } catch {
              throw undefined;
            }
          });
          yield* checkpoint();
          victim.cancel();
        });
        return "went on";
      }),
    );
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions).toEqual([undefined]);
  });

  it("out of a start() whose child throws undefined before it is ready", async () => {
    const outcome = await settled(
      run(function* () {
        let raised: Settled | undefined;
        yield* openNursery(function* (n) {
          try {
            yield* n.start(function* () {
              yield* checkpoint();
              throw undefined;
            });
            raised = { ok: true, value: "start returned" };
          } catch (error) {
            raised = { ok: false, error };
          }
        });
        return raised;
      }),
    );
    expect(outcome).toEqual({ ok: true, value: { ok: false, error: undefined } });
  });
});
