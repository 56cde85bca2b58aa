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
  ExceptionGroup,
  checkpoint,
  openNursery,
  sleepForever,
  spawnSystemTask,
  type Operation,
} from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { reportUncaught, reportWith } from "../../src/components/report.js";
import { runKeep, within } from "../core/helpers.js";
import { revoked } from "./hostile.js";

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

  it("leaves() of a group that holds itself ends; split() of it throws to its caller (a RangeError), it does not hang", () => {
    const group = holdsItself();
    expect(group.leaves().map((e) => (e as Error).message)).toEqual(["inside"]);
    expect(() => group.split(TypeError)).toThrow(RangeError);
  });
});
