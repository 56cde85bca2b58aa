/**
 * An outside, hostile check of what Stop 28 changed: a group's stack
 * listing where a group leaves the library (a run's rejection, the
 * component reporters), frozen `exceptions` and the walks over a group
 * (leaves, split, a cancel scope's exit), assertCheckpoints and
 * assertNoCheckpoints, asyncio Barrier's dropped-wait undo, the
 * per-callback context owner, openLoop's body error on drop and
 * taskPolicy's function check. Hostile values are throwing getters,
 * revoked Proxies, null-prototype objects, and Proxies whose traps throw
 * or answer with themselves. Every run must settle, no error may be lost,
 * and nothing may be left behind.
 */
import { describe, expect, it } from "vitest";
import {
  CancelScope,
  ContextVar,
  ExceptionGroup,
  Cancelled,
  checkpoint,
  moveOnAfter,
  openNursery,
  sleep,
  sleepForever,
  spawnSystemTask,
  type Operation,
  type Token,
} from "../../src/core/index.js";
import * as aio from "../../src/asyncio/index.js";
import type { Coroutine } from "../../src/asyncio/types.js";
import { runAio, runAioKeep } from "../asyncio/helpers.js";
import { leftovers } from "../../src/core/runner.js";
import { reportUncaught, reportWith } from "../../src/components/report.js";
import { assertCheckpoints, assertNoCheckpoints } from "../../src/testing/index.js";
import { taskPolicy } from "../../src/components/index.js";
import { openLoop, trioAsAio } from "../../src/bridge/index.js";
import { runKeep, within } from "../core/helpers.js";
import { ENGINE_WORDS, bad, revoked } from "./hostile.js";

/** Runs `main` on a mock clock, settles within 2 s of real time, and checks that nothing is left. */
async function settle(main: () => Operation<unknown>): Promise<{ ok: boolean; value: unknown }> {
  const { runner, ok, value } = await within(runKeep(main));
  expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  return { ok, value };
}

/** A Proxy of a group whose every trap that reads or writes throws. */
function trapsThrow(): ExceptionGroup {
  const fail = (): never => {
    throw new Error("trap");
  };
  return new Proxy(new ExceptionGroup("g", [new Error("leaf")]), { get: fail, set: fail, defineProperty: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail });
}

/** A Proxy of a group whose `exceptions` (and `errors`) hold the Proxy itself, after `first` errors. */
function holdsItself(...first: unknown[]): ExceptionGroup {
  const proxy: ExceptionGroup = new Proxy(new ExceptionGroup("self", [new Error("leaf")]), {
    get: (target, key) => (key === "exceptions" || key === "errors" ? Object.freeze([...first, new Error("inside"), proxy]) : Reflect.get(target, key, target)),
  });
  return proxy;
}

/** A Proxy of a group that refuses every write (its set trap answers false, which throws in strict code). */
function refusesWrites(): ExceptionGroup {
  return new Proxy(new ExceptionGroup("g", [new Error("leaf")]), { set: () => false, defineProperty: () => false });
}

/** A subclass whose `stack` and `name` cannot be read or written. */
class SpitefulGroup extends ExceptionGroup {
  override get name(): string {
    throw new Error("name getter");
  }
  override get stack(): string {
    throw new Error("stack getter");
  }
  override set stack(_: string) {
    throw new Error("stack setter");
  }
}

/** Hostile groups a task may raise, each made fresh. */
const HOSTILE_GROUPS: [string, () => unknown][] = [
  ["a Proxy of a group whose traps throw", trapsThrow],
  ["a Proxy of a group that holds itself", () => holdsItself()],
  ["a Proxy of a group that refuses writes", refusesWrites],
  ["a group whose leaves are revoked Proxies", () => new ExceptionGroup("g", [revoked(), revoked(true)])],
  ["a frozen group", () => Object.freeze(new ExceptionGroup("frozen", [new Error("a")]))],
  ["a sealed group", () => Object.seal(new ExceptionGroup("sealed", [new Error("a")]))],
  ["a subclass whose stack and name getters/setters throw", () => new SpitefulGroup("spite", [new Error("a")])],
  ["a group holding a null-prototype object", () => new ExceptionGroup("g", [Object.create(null)])],
];

describe("listInStack where a group leaves: a run's rejection and the reporters", () => {
  for (const [name, make] of HOSTILE_GROUPS) {
    it(`${name}: the run rejects with that very object, nothing left`, async () => {
      const group = make();
      const { ok, value } = await settle(function* () {
        yield* checkpoint();
        throw group;
      });
      expect(ok).toBe(false);
      expect(value).toBe(group);
    });

    it(`${name}: reportWith hands the reporter that very object and never throws`, () => {
      const group = make();
      const seen: unknown[] = [];
      expect(() => reportWith((error) => seen.push(error), group, "test")).not.toThrow();
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBe(group);
    });

    it(`${name}: reportUncaught hands the host that very object and never throws`, () => {
      const group = make();
      const host = globalThis as { reportError?: unknown };
      const had = host.reportError;
      const seen: unknown[] = [];
      host.reportError = (error: unknown) => seen.push(error);
      try {
        expect(() => reportUncaught(group)).not.toThrow();
      } finally {
        host.reportError = had;
      }
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBe(group);
    });
  }

  it("a revoked Proxy or a null-prototype object as the rejection: the same value, no throw", async () => {
    for (const value of [revoked(), Object.create(null) as unknown]) {
      const out = await settle(function* () {
        yield* checkpoint();
        throw value;
      });
      expect(out.ok).toBe(false);
      expect(out.value).toBe(value);
    }
  });

  it("a group holding itself: the listing in its stack stays bounded", async () => {
    const group = new ExceptionGroup("outer", [holdsItself(), new Error("sibling")]);
    const { value } = await settle(function* () {
      yield* checkpoint();
      throw group;
    });
    expect(value).toBe(group);
    expect(String(group.stack)).toContain("outer (2 sub-exceptions)");
    expect(String(group.stack).length).toBeLessThan(10_000);
  });
});

/** Leaves of an error tree that may hold itself: each group walked once. */
function leavesOf(error: unknown, seen = new Set<unknown>()): unknown[] {
  if (!(error instanceof ExceptionGroup) || seen.has(error)) return error instanceof ExceptionGroup ? [] : [error];
  seen.add(error);
  return error.exceptions.flatMap((e) => leavesOf(e, seen));
}

describe("a hostile group through a cancel scope's exit (hasCancelled, withoutCancelled)", () => {
  for (const [name, make] of HOSTILE_GROUPS) {
    it(`${name}, raised in a cancelled scope: the run rejects with it, nothing left`, async () => {
      const group = make();
      const { ok, value } = await settle(function* () {
        yield* new CancelScope().run(function* (scope) {
          scope.cancel();
          try {
            yield* checkpoint();
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw group;
          }
        });
      });
      expect(ok).toBe(false);
      expect(value).toBe(group);
    });

    it(`${name}, raised beside a cancelled sibling in a nursery: it reaches the caller, nothing left`, async () => {
      const group = make();
      const { ok, value } = await settle(function* () {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(sleepForever);
          yield* checkpoint();
          throw group;
        });
      });
      expect(ok).toBe(false);
      expect(value).toBeInstanceOf(ExceptionGroup);
      expect((value as ExceptionGroup).exceptions).toHaveLength(1);
      expect((value as ExceptionGroup).exceptions[0]).toBe(group);
    });

    it(`${name}, raised by a system task: the run rejects with it, nothing left`, async () => {
      const group = make();
      const { ok, value } = await settle(function* () {
        spawnSystemTask(function* () {
          yield* checkpoint();
          throw group;
        });
        yield* sleepForever();
      });
      expect(ok).toBe(false);
      expect(value).toBe(group);
    });
  }

  it("a group holding itself and a Cancelled, raised as a cancelled scope exits: the scope takes out the Cancelled, the rest reaches the caller (the group met inside itself goes on whole)", async () => {
    let group: ExceptionGroup | undefined;
    const { ok, value } = await settle(function* () {
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        try {
          yield* checkpoint();
        } catch (cancelled) {
          group = holdsItself(cancelled);
          throw group;
        }
      });
    });
    expect(ok).toBe(false);
    expect(value).toBeInstanceOf(ExceptionGroup);
    expect(value).not.toBe(group);
    const rest = (value as ExceptionGroup).exceptions;
    expect(rest).toHaveLength(2);
    expect((rest[0] as Error).message).toBe("inside");
    expect(rest[1]).toBe(group);
    expect(leavesOf(value).some((e) => e instanceof Error && e.message === "inside")).toBe(true);
  });

  it("two Proxies that hold each other, with a Cancelled beside: the nursery's exit settles, the errors reach the caller", async () => {
    const inner = new Error("inner");
    const pair: { a?: ExceptionGroup } = {};
    const b: ExceptionGroup = new Proxy(new ExceptionGroup("b", [inner]), {
      get: (target, key) => (key === "exceptions" || key === "errors" ? Object.freeze([inner, pair.a]) : Reflect.get(target, key, target)),
    });
    const raised = (pair.a = new Proxy(new ExceptionGroup("a", [inner]), {
      get: (target, key) => (key === "exceptions" || key === "errors" ? Object.freeze([b]) : Reflect.get(target, key, target)),
    }));
    const { ok, value } = await settle(function* () {
      yield* openNursery(function* (nursery) {
        nursery.startSoon(sleepForever);
        yield* checkpoint();
        throw raised;
      });
    });
    expect(ok).toBe(false);
    expect(leavesOf(value)).toEqual([inner]);
  });

  it("leaves() and split() of a group that holds itself end (split: see hostile-groups-stop29.test.ts)", () => {
    const group = holdsItself();
    expect(group.leaves().map((e) => (e as Error).message)).toEqual(["inside"]);
    expect(group.split(TypeError)).toEqual([undefined, group]);
  });
});

describe("assertCheckpoints / assertNoCheckpoints, hostile operations", () => {
  /** An operation-looking object whose `key` getter throws. */
  function throwingGetter(key: "next" | "throw" | "return"): unknown {
    const op = (function* () {
      yield bad("a step");
    })();
    Object.defineProperty(op, key, {
      get() {
        throw new Error(`${key} getter`);
      },
    });
    return op;
  }

  const NOT_OPERATIONS: [string, () => unknown][] = [
    ["a revoked Proxy", () => revoked()],
    ["a revoked Proxy of a function", () => revoked(true)],
    ["a null-prototype object", () => Object.create(null)],
    ["an iterator whose next getter throws", () => throwingGetter("next")],
    ["an iterator whose throw getter throws", () => throwingGetter("throw")],
    ["a Proxy whose get trap throws", () => new Proxy({}, { get: () => { throw new Error("trap"); } })],
  ];
  for (const assertion of [assertCheckpoints, assertNoCheckpoints]) {
    for (const [name, make] of NOT_OPERATIONS) {
      it(`${assertion.name}(${name}): the run rejects with a TypeError naming the fix, nothing left`, async () => {
        const { ok, value } = await settle(() => assertion(bad(make())));
        expect(ok).toBe(false);
        expect(value).toBeInstanceOf(TypeError);
        expect((value as Error).message).toMatch(new RegExp(`^${assertion.name}\\(op\\) needs an operation`));
        expect((value as Error).message).not.toMatch(ENGINE_WORDS);
      });
    }

    it(`${assertion.name} of an operation whose return getter throws, dropped by hand: return() ends it, the operation is left as it is`, () => {
      const op = throwingGetter("return");
      const wrapped = assertion(bad(op));
      expect(wrapped.next().done).toBe(false);
      expect(wrapped.return(undefined as never)).toEqual({ value: undefined, done: true });
    });

    it(`${assertion.name} dropped by hand at a yield: return() runs the operation's finally blocks and raises nothing`, () => {
      const log: string[] = [];
      const wrapped = assertion(
        (function* () {
          try {
            yield bad("a step");
          } finally {
            log.push("finally");
          }
        })(),
      );
      expect(wrapped.next().done).toBe(false);
      expect(wrapped.return(undefined as never).done).toBe(true);
      expect(log).toEqual(["finally"]);
    });

    it(`${assertion.name} of an operation that yields a foreign value: the run rejects, nothing left`, async () => {
      const { ok, value } = await settle(() =>
        assertion(
          (function* () {
            yield bad(42);
          })(),
        ),
      );
      expect(ok).toBe(false);
      expect(value).toBeInstanceOf(Error);
    });

    it(`${assertion.name} of an operation whose step answers a revoked Proxy: the engine's error reaches the caller, nothing left`, async () => {
      const op = { next: () => revoked(), throw: () => revoked(), return: () => ({ done: true, value: undefined }), [Symbol.iterator]() { return this; } };
      const { ok, value } = await settle(() => assertion(bad(op)));
      expect(ok).toBe(false);
      expect(value).toBeInstanceOf(TypeError);
    });
  }

  it("assertCheckpoints(sleepForever()) cancelled inside a moveOnAfter: the scope absorbs it, nothing left", async () => {
    const { ok, value } = await settle(() => moveOnAfter(1, () => assertCheckpoints(sleepForever())));
    expect({ ok, value }).toEqual({ ok: true, value: undefined });
  });

  it("assertNoCheckpoints(sleepForever()) cancelled inside: its assertion error carries the Cancelled as its cause and reaches the caller", async () => {
    const { ok, value } = await settle(() => moveOnAfter(1, () => assertNoCheckpoints(sleepForever())));
    expect(ok).toBe(false);
    expect((value as Error).message).toMatch(/^assertNoCheckpoints: the operation yielded to the scheduler 1 time/);
    expect((value as Error).cause).toBeInstanceOf(Cancelled);
  });

  it("assertNoCheckpoints in a scope cancelled before it starts: a checkpoint-free operation passes, the scope still cancels its next checkpoint", async () => {
    const { ok, value } = await settle(() =>
      new CancelScope().run(function* (scope) {
        scope.cancel();
        const got = yield* assertNoCheckpoints(
          (function* () {
            return 7;
          })(),
        );
        yield* checkpoint();
        return got;
      }),
    );
    expect({ ok, value }).toEqual({ ok: true, value: undefined });
  });
});

describe("asyncio Barrier: a dropped wait's undo under cancellation, abort and reset", () => {
  /** `barrier.parties` tasks wait at `barrier`: their sorted indexes, or the name of the error (a barrier that does not fill right times out). */
  function* passAll(barrier: aio.Barrier): Coroutine<unknown> {
    const waits = Array.from({ length: barrier.parties }, () => aio.createTask(barrier.wait()));
    try {
      return [...(yield* aio.waitFor(aio.gather(...waits), 3))].sort();
    } catch (error) {
      return (error as Error).name;
    }
  }

  /** Runs `main` as an asyncio Task and checks that nothing is left. */
  async function aioSettled<T>(main: () => Coroutine<T>): Promise<T> {
    const { runner, value } = await within(runAioKeep(main));
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
    return value;
  }

  it("a loop callback (not a Task) steps a wait by hand and drops it: the arrival is taken back when the loop's slice ends", async () => {
    const shown = await aioSettled(function* () {
      const barrier = new aio.Barrier(2);
      aio.getRunningLoop().callSoon(() => {
        barrier.wait().next();
      });
      yield* aio.sleep(1);
      return [String(barrier), yield* passAll(barrier), String(barrier)];
    });
    expect(shown).toEqual(["<asyncio.Barrier [filling, waiters:0/2]>", [0, 1], "<asyncio.Barrier [filling, waiters:0/2]>"]);
  });

  it("a loop callback steps a Queue get by hand and drops it: the item goes to the getter that waits", async () => {
    const got = await aioSettled(function* () {
      const queue = new aio.Queue<number>();
      aio.getRunningLoop().callSoon(() => {
        queue.get().next();
      });
      yield* aio.sleep(0.5);
      const getter = aio.createTask(queue.get());
      yield* aio.sleep(0.5);
      queue.putNowait(42);
      return yield* aio.waitFor(getter, 3);
    });
    expect(got).toBe(42);
  });

  it("the dropping task is cancelled before its next step: the arrival was taken back, the barrier fills with others", async () => {
    const shown = await aioSettled(function* () {
      const barrier = new aio.Barrier(2);
      const dropper = aio.createTask(
        (function* () {
          barrier.wait().next();
          yield* aio.sleep(100);
        })(),
      );
      yield* aio.sleep(0);
      dropper.cancel();
      yield* aio.sleep(1);
      return [dropper.cancelled(), String(barrier), yield* passAll(barrier)];
    });
    expect(shown).toEqual([true, "<asyncio.Barrier [filling, waiters:0/2]>", [0, 1]]);
  });

  it("a task's finally, run by its cancellation, drops a wait: taken back too", async () => {
    const shown = await aioSettled(function* () {
      const barrier = new aio.Barrier(2);
      const dropper = aio.createTask(
        (function* () {
          try {
            yield* aio.sleep(100);
          } finally {
            barrier.wait().next();
          }
        })(),
      );
      yield* aio.sleep(0);
      dropper.cancel();
      yield* aio.sleep(1);
      return [dropper.cancelled(), String(barrier), yield* passAll(barrier)];
    });
    expect(shown).toEqual([true, "<asyncio.Barrier [filling, waiters:0/2]>", [0, 1]]);
  });

  it("the step that drops the wait then raises: the task fails with its own error, the arrival is taken back", async () => {
    const shown = await aioSettled(function* () {
      const barrier = new aio.Barrier(2);
      const dropper = aio.createTask(
        (function* () {
          barrier.wait().next();
          throw new Error("after the drop");
        })(),
      );
      yield* aio.sleep(1);
      return [(dropper.exception() as Error).message, String(barrier), yield* passAll(barrier)];
    });
    expect(shown).toEqual(["after the drop", "<asyncio.Barrier [filling, waiters:0/2]>", [0, 1]]);
  });

  it("two waits dropped in one step, then abort() and reset() in that step: the barrier refills empty", async () => {
    const shown = await aioSettled(function* () {
      const barrier = new aio.Barrier(3);
      aio.createTask(
        (function* () {
          barrier.wait().next();
          barrier.wait().next();
          yield* barrier.abort();
          yield* barrier.reset();
        })(),
      );
      yield* aio.sleep(1);
      return [String(barrier), yield* passAll(barrier)];
    });
    expect(shown).toEqual(["<asyncio.Barrier [filling, waiters:0/3]>", [0, 1, 2]]);
  });

  it("reset() races the drop with a real waiter inside; the dropped wait resumed later raises CancelledError and leaves no second time", async () => {
    const shown = await aioSettled(function* () {
      const barrier = new aio.Barrier(3);
      const real = aio.createTask(barrier.wait());
      yield* aio.sleep(0);
      let dropped: Generator | null = null;
      aio.createTask(
        (function* () {
          dropped = barrier.wait();
          dropped.next();
          yield* barrier.reset();
        })(),
      );
      yield* aio.sleep(1);
      let resumed: unknown;
      try {
        resumed = dropped!.next();
      } catch (error) {
        resumed = (error as Error).name;
      }
      return [(real.exception() as Error).name, resumed, String(barrier), yield* passAll(barrier)];
    });
    expect(shown).toEqual(["BrokenBarrierError", "CancelledError", "<asyncio.Barrier [filling, waiters:0/3]>", [0, 1, 2]]);
  });

  it("at the loop's shutdown, a cancelled task's finally passes a one-party barrier by hand: the run settles, the barrier is left filling", async () => {
    const barrier = new aio.Barrier(1);
    const log: unknown[] = [];
    const value = await aioSettled(function* () {
      aio.createTask(
        (function* () {
          try {
            yield* aio.sleep(100);
          } finally {
            log.push(barrier.wait().next(), String(barrier));
          }
        })(),
      );
      yield* aio.sleep(0);
      return "done";
    });
    expect([value, ...log, String(barrier)]).toEqual(["done", { value: 0, done: true }, "<asyncio.Barrier [filling, waiters:0/1]>", "<asyncio.Barrier [filling, waiters:0/1]>"]);
  });
});

describe("asyncio per-callback context owner: tokens crossing callbacks, eager tasks, loops and runs", () => {
  /** reset(token) where it is called: "reset", or the error's name. */
  function attempt(cvar: ContextVar<string>, token: Token<string> | null): string {
    try {
      cvar.reset(token!);
      return "reset";
    } catch (error) {
      return (error as Error).name;
    }
  }

  it("a callback sets, starts an eager task (which runs a step at once), then resets its own token: accepted", async () => {
    const cvar = new ContextVar("cvar", "none");
    const shown = await runAio(function* (loop) {
      loop.setTaskFactory(aio.eagerTaskFactory);
      const seen: unknown[] = [];
      loop.callSoon(() => {
        const token = cvar.set("callback");
        const eager = aio.createTask(
          (function* () {
            seen.push(`eager sees ${cvar.get()}`, attempt(cvar, token));
            yield* aio.sleep(0);
          })(),
        );
        seen.push(eager.done(), attempt(cvar, token), cvar.get());
      });
      yield* aio.sleep(0.01);
      return seen;
    });
    expect(shown).toEqual(["eager sees callback", "ValueError", false, "reset", "none"]);
  });

  it("a callback scheduled by a callback cannot reset its parent's token; nor a callback of another loop in another run", async () => {
    const cvar = new ContextVar("cvar", "none");
    let fromFirstRun: Token<string> | null = null;
    await runAio(function* (loop) {
      loop.callSoon(() => {
        fromFirstRun = cvar.set("first run");
      });
      yield* aio.sleep(0.01);
    });
    const shown = await runAio(function* (loop) {
      const seen: unknown[] = [];
      loop.callSoon(() => {
        const token = cvar.set("parent");
        loop.callSoon(() => seen.push(attempt(cvar, token), attempt(cvar, fromFirstRun)));
      });
      yield* aio.sleep(0.01);
      return seen;
    });
    expect(shown).toEqual(["ValueError", "ValueError"]);
  });

  it("a token made in a callback cannot be reset by a later step of the Task that scheduled it, nor the reverse", async () => {
    const cvar = new ContextVar("cvar", "none");
    const shown = await runAio(function* (loop) {
      const fromTask = cvar.set("task");
      let fromCallback: Token<string> | null = null;
      const seen: unknown[] = [];
      loop.callSoon(() => {
        fromCallback = cvar.set("callback");
        seen.push(attempt(cvar, fromTask));
      });
      yield* aio.sleep(0.01);
      seen.push(attempt(cvar, fromCallback), attempt(cvar, fromTask), cvar.get());
      return seen;
    });
    expect(shown).toEqual(["ValueError", "ValueError", "reset", "none"]);
  });
});

describe("taskPolicy: a function that returns no generator, hostile returns", () => {
  const RETURNS: [string, () => unknown, RegExp][] = [
    ["a revoked Proxy", () => revoked(), /returned an object that cannot be inspected/],
    ["a null-prototype object", () => Object.create(null), /returned an object with no prototype/],
    ["a thenable whose then getter throws", () => ({ get then(): never { throw new Error("then getter"); } }), /returned an object, not a generator/],
    ["an iterator whose throw getter throws", () => ({ next: () => ({ done: true }), get throw(): never { throw new Error("throw getter"); } }), /returned an object, not a generator/],
    ["undefined", () => undefined, /returned undefined, not a generator/],
  ];
  for (const [name, make, message] of RETURNS) {
    it(`${name}: the instance fails with a TypeError naming the policy's function, the run goes on, nothing left`, async () => {
      const seen: unknown[] = [];
      const { ok } = await settle(function* () {
        yield* openNursery(function* (nursery) {
          const policy = taskPolicy(nursery, bad(function lookup() {
            return make();
          }));
          const instance = policy.perform();
          yield* instance.join();
          seen.push(instance.state, instance.error);
        });
      });
      expect(ok).toBe(true);
      expect(seen[0]).toBe("failed");
      expect(seen[1]).toBeInstanceOf(TypeError);
      const text = (seen[1] as Error).message;
      expect(text).toMatch(/^taskPolicy\(owner, fn\) \/ useTaskPolicy\(fn\): lookup returned/);
      expect(text).toMatch(message);
      expect(text).not.toMatch(ENGINE_WORDS);
    });
  }

  it("the function is cancelled before it is called: never called, the instance is cancelled", async () => {
    let calls = 0;
    const seen: unknown[] = [];
    await settle(function* () {
      yield* openNursery(function* (nursery) {
        const policy = taskPolicy(nursery, bad(function lookup() {
          calls++;
          return 1;
        }));
        const instance = policy.perform();
        instance.cancel();
        yield* instance.join();
        seen.push(instance.state);
      });
    });
    expect([calls, ...seen]).toEqual([0, "cancelled"]);
  });
});

/** True if `target` is `tree` or inside it (by identity; groups walked once, hostile ones not entered). */
function holds(tree: unknown, target: unknown, seen = new Set<unknown>()): boolean {
  if (tree === target) return true;
  if (!(tree instanceof ExceptionGroup) || seen.has(tree)) return false;
  seen.add(tree);
  try {
    return tree.exceptions.some((e) => holds(e, target, seen));
  } catch {
    return false;
  }
}

describe("openLoop: a body's error handed over when the block is dropped", () => {
  const BODY_ERRORS: [string, () => unknown][] = [
    ["undefined", () => undefined],
    ["a revoked Proxy", () => revoked()],
    ["a null-prototype object", () => Object.create(null)],
    ["a Proxy of a group whose traps throw", trapsThrow],
    ["a Proxy of a group that holds itself", () => holdsItself()],
  ];
  for (const [name, make] of BODY_ERRORS) {
    it(`${name}, raised by a body with an asyncio task, the block dropped: it reaches the run's rejection, nothing left`, async () => {
      const raised = make();
      const { ok, value } = await settle(function* () {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            const block = openLoop(function* (loop) {
              loop.createTask(aio.sleep(100));
              throw raised;
            });
            expect(block.next().done).toBe(false);
            yield* sleep(0.5);
          });
        });
      });
      expect(ok).toBe(false);
      expect(holds(value, raised)).toBe(true);
    });
  }

  it("the block closed by hand with return() after its body raised: the body's error still reaches the run, beside the misuse error", async () => {
    const boom = new Error("boom");
    const { ok, value } = await settle(function* () {
      yield* openNursery(function* (nursery) {
        nursery.startSoon(function* () {
          const block = openLoop(function* (loop) {
            loop.createTask(aio.sleep(100));
            throw boom;
          });
          block.next();
          block.return(undefined as never);
          yield* sleep(0.5);
        });
      });
    });
    expect(ok).toBe(false);
    expect(holds(value, boom)).toBe(true);
  });
});

describe("a block stepped by hand, then left by the exit of a scope around it (not by the task's end)", () => {
  it("openNursery: its children are cancelled and the run waits for them (their finally runs, no deadline is left)", async () => {
    const log: string[] = [];
    const { ok, value } = await settle(function* () {
      const got = yield* moveOnAfter(10, function* () {
        openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            try {
              yield* sleep(100);
              log.push("child woke");
            } finally {
              log.push("child finally");
            }
          });
          yield* sleep(1000);
        }).next();
        return "inner";
      });
      log.push(`scope left: ${got}`);
      return "done";
    });
    expect({ ok, value }).toEqual({ ok: true, value: "done" });
    expect(log).toEqual(["scope left: inner", "child finally"]);
  });

  it("openLoop: the loop is closed by a task of its own, its host task does not outlive the run", async () => {
    const log: string[] = [];
    const { ok, value } = await settle(function* () {
      return yield* moveOnAfter(0.1, function* () {
        openLoop(function* (loop) {
          loop.createTask(
            (function* () {
              try {
                yield* aio.sleep(100);
              } finally {
                log.push("asyncio finally");
              }
            })(),
          );
          yield* sleepForever();
        }).next();
        yield* sleep(0.5);
        return "inner";
      });
    });
    expect({ ok, value }).toEqual({ ok: true, value: undefined });
    expect(log).toEqual(["asyncio finally"]);
  });
});

describe("trioAsAio: a Trio operation that raises a hostile group", () => {
  it("a Proxy of a group whose traps throw reaches the asyncio awaiter as it is; the run does not hang, nothing left", async () => {
    const group = trapsThrow();
    const { runner, value } = await within(
      runAioKeep(function* () {
        try {
          yield* trioAsAio(function* () {
            yield* checkpoint();
            throw group;
          })();
          return "returned";
        } catch (error) {
          return error === group ? "that very group" : "another error";
        }
      }),
    );
    expect(value).toBe("that very group");
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });
});
