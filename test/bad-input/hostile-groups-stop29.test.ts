/**
 * ExceptionGroup walks under hostile values, the leftovers of Stop 28:
 * split()/subgroup() of a Proxy group that holds itself, a frozen group
 * holding a Cancelled at a cancelled scope's exit, and the places outside
 * the core that ask a group a user raised (the workers' protocol, the
 * component runtime's reporting, trioAsAio, the reconnecting WebSocket),
 * which must not throw for a Proxy whose traps throw. Last, the scope
 * exit's walk, which is split's.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Cancelled, ExceptionGroup, checkpoint } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { isOnlyCancelled, serializeThrown } from "../../src/workers/protocol.js";
import { trioAsAio } from "../../src/bridge/index.js";
import { openReconnectingWebSocket } from "../../src/web/index.js";
import { runAioKeep } from "../asyncio/helpers.js";
import { closeTestRuntimes, settled, testRuntime } from "../components/helpers.js";
import { runMock } from "../web/helpers.js";
import { FakeServer } from "../web/websocket-fake.js";
import { within } from "../core/helpers.js";
import { raisedAtCancelledExit } from "./cancelled-exit.js";

/** A Proxy of a group whose `exceptions` (and `errors`) hold `first`, an Error "inside", and the Proxy itself. */
function holdsItself(...first: unknown[]): ExceptionGroup {
  const proxy: ExceptionGroup = new Proxy(new ExceptionGroup("self", [new Error("leaf")]), {
    get: (target, key) => (key === "exceptions" || key === "errors" ? Object.freeze([...first, new Error("inside"), proxy]) : Reflect.get(target, key, target)),
  });
  return proxy;
}

/** A Proxy of a group whose every trap that reads or writes throws. */
function trapsThrow(): ExceptionGroup {
  const fail = (): never => {
    throw new Error("trap");
  };
  return new Proxy(new ExceptionGroup("g", [new Error("leaf")]), { get: fail, set: fail, defineProperty: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail });
}

describe("a group the user froze, holding a Cancelled, at a cancelled scope's exit: as an unfrozen one", () => {
  for (const freeze of [false, true]) {
    const how = freeze ? "frozen" : "unfrozen";
    const made = (group: ExceptionGroup): ExceptionGroup => {
      if (freeze) Object.freeze(group);
      return group;
    };

    it(`${how}, only Cancelled leaves (nested too): the scope absorbs it`, async () => {
      const { ok, value } = await raisedAtCancelledExit((cancelled) => made(new ExceptionGroup("only", [cancelled, made(new ExceptionGroup("inner", [cancelled]))])));
      expect(ok).toBe(true);
      expect(value).toBeUndefined();
    });

    it(`${how}, a Cancelled beside a real error: the Cancelled is taken out, a group of the real error goes on`, async () => {
      const real = new Error("real");
      let group: ExceptionGroup | undefined;
      const { ok, value } = await raisedAtCancelledExit((cancelled) => (group = made(new ExceptionGroup("mixed", [cancelled, real]))));
      expect(ok).toBe(false);
      expect(value).toBeInstanceOf(ExceptionGroup);
      expect(value).not.toBe(group);
      expect((value as ExceptionGroup).message).toBe("mixed");
      expect((value as ExceptionGroup).exceptions).toEqual([real]);
    });
  }

  it("a frozen group answers hasCancelled and withoutCancelled as an unfrozen one, each time", () => {
    const cancelled = Object.create(Cancelled.prototype) as Cancelled;
    const real = new Error("real");
    const group = Object.freeze(new ExceptionGroup("g", [real, Object.freeze(new ExceptionGroup("inner", [cancelled]))]));
    for (let i = 0; i < 2; i++) {
      expect(group.hasCancelled()).toBe(true);
      const [matched, rest] = group.withoutCancelled();
      expect(matched).toBe(true);
      expect(rest?.exceptions).toEqual([real]);
    }
  });
});

describe("split() and subgroup() of a Proxy group that holds itself end: the group met inside itself is tested as a leaf", () => {
  const messages = (group: ExceptionGroup | undefined) => group?.exceptions.map((e) => (e instanceof ExceptionGroup ? e : (e as Error).message));

  it("nothing matches: [undefined, the group itself]", () => {
    const group = holdsItself();
    expect(group.split(TypeError)).toEqual([undefined, group]);
    expect(group.subgroup(TypeError)).toBeUndefined();
  });

  it("a leaf matches: the match holds it, the rest holds the other leaf and the group itself", () => {
    const group = holdsItself();
    const isInside = (e: unknown) => e instanceof Error && e.message === "inside";
    const [match, rest] = group.split(isInside);
    expect(messages(match)).toEqual(["inside"]);
    expect(messages(rest)).toEqual([group]);
    expect(messages(group.subgroup(isInside))).toEqual(["inside"]);
  });

  it("split(Cancelled) of one holding a Cancelled, nested in a plain group: the Cancelled on one side, the rest on the other", () => {
    const cancelled = Object.create(Cancelled.prototype) as Cancelled;
    const proxy = holdsItself(cancelled);
    const real = new Error("real");
    const [match, rest] = new ExceptionGroup("outer", [real, proxy]).split(Cancelled);
    expect(match?.exceptions).toHaveLength(1);
    expect((match?.exceptions[0] as ExceptionGroup).exceptions).toEqual([cancelled]);
    expect(rest?.exceptions[0]).toBe(real);
    expect(messages(rest?.exceptions[1] as ExceptionGroup)).toEqual(["inside", proxy]);
  });

  it("two Proxies that hold each other: split ends", () => {
    const inner = new Error("inner");
    const pair: { a?: ExceptionGroup } = {};
    const b: ExceptionGroup = new Proxy(new ExceptionGroup("b", [inner]), {
      get: (target, key) => (key === "exceptions" || key === "errors" ? Object.freeze([inner, pair.a]) : Reflect.get(target, key, target)),
    });
    const a = (pair.a = new Proxy(new ExceptionGroup("a", [inner]), {
      get: (target, key) => (key === "exceptions" || key === "errors" ? Object.freeze([b]) : Reflect.get(target, key, target)),
    }));
    expect(a.split((e) => e === inner)[1]).toBeDefined();
    expect(a.subgroup((e) => e === inner)).toBeDefined();
  });

  it("a plain group holding the same group twice is still split in both places", () => {
    const shared = new ExceptionGroup("shared", [new TypeError("t"), new Error("e")]);
    const [match, rest] = new ExceptionGroup("outer", [shared, shared]).split(TypeError);
    expect(match?.exceptions.map((g) => messages(g as ExceptionGroup))).toEqual([["t"], ["t"]]);
    expect(rest?.exceptions.map((g) => messages(g as ExceptionGroup))).toEqual([["e"], ["e"]]);
  });
});

/** A group whose derive() throws: split() of it throws once anything matches, though hasCancelled() answers. */
class NoDerive extends ExceptionGroup {
  override derive(): ExceptionGroup {
    throw new Error("no derive");
  }
}

describe("where the library asks a group a user raised, a hostile group is an error like any other", () => {
  afterEach(async () => {
    await closeTestRuntimes();
    vi.unstubAllGlobals();
  });

  it("workers' isOnlyCancelled: false for a Proxy whose traps throw, true for a frozen group of Cancelled only", () => {
    const cancelled = Object.create(Cancelled.prototype) as Cancelled;
    expect(isOnlyCancelled(trapsThrow())).toBe(false);
    expect(isOnlyCancelled(new ExceptionGroup("g", [trapsThrow(), cancelled]))).toBe(false);
    expect(isOnlyCancelled(Object.freeze(new ExceptionGroup("g", [cancelled])))).toBe(true);
    expect(isOnlyCancelled(new ExceptionGroup("g", [cancelled, new Error("real")]))).toBe(false);
  });

  it("workers' serializeThrown of a Proxy whose traps throw: a record, no throw", () => {
    const out = serializeThrown(trapsThrow());
    expect(out).toHaveProperty("error");
  });

  it("a TrioRuntime task that raises a Proxy whose traps throw: onError gets it, the runtime closes", async () => {
    const uncaught: unknown[] = [];
    vi.stubGlobal("reportError", (error: unknown) => uncaught.push(error));
    const seen: unknown[] = [];
    const { rt } = testRuntime("hostile", (error) => seen.push(error));
    const group = trapsThrow();
    rt.openNursery("n").startSoon(function* () {
      yield* checkpoint();
      throw group;
    });
    await settled(rt);
    expect(uncaught).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(ExceptionGroup);
    await within(rt.close());
  });

  it("trioAsAio: an operation that raises a group whose split() throws (its derive throws) settles its awaiter with that group", async () => {
    const group = new NoDerive("g", [new Cancelled(), new Error("real")]);
    const { runner, value } = await within(
      runAioKeep(function* () {
        try {
          yield* trioAsAio(function* () {
            yield* checkpoint();
            throw group;
          })();
          return "returned";
        } catch (error) {
          return error === group ? "that very group" : error;
        }
      }),
    );
    expect(value).toBe("that very group");
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });

  it("openReconnectingWebSocket: a body that raises a Proxy whose traps throw after the peer closed: that very group is raised", async () => {
    const server = new FakeServer();
    const group = trapsThrow();
    const outcome = await runMock(function* () {
      try {
        yield* openReconnectingWebSocket(`ws://example.test/live`, { WebSocket: server.WebSocket }, function* (ws) {
          server.last.serverClose(1012, "restart", true);
          try {
            yield* ws.receive();
          } catch {
            throw group;
          }
        });
        return "returned";
      } catch (error) {
        return error === group ? "that very group" : error;
      }
    });
    expect(outcome).toBe("that very group");
    expect(server.sockets).toHaveLength(1);
  });
});

describe("a cancelled scope's exit takes the Cancelled out with split's walk (withoutCancelled)", () => {
  it("a Proxy holding itself and a Cancelled, nested beside a real error: the Cancelled goes, the rest reaches the caller", async () => {
    const real = new Error("real");
    let proxy: ExceptionGroup | undefined;
    const { ok, value } = await raisedAtCancelledExit((cancelled) => new ExceptionGroup("outer", [real, cancelled, (proxy = holdsItself(cancelled))]));
    expect(ok).toBe(false);
    const rest = (value as ExceptionGroup).exceptions;
    expect(rest[0]).toBe(real);
    expect(rest).toHaveLength(2);
    const inner = (rest[1] as ExceptionGroup).exceptions;
    expect((inner[0] as Error).message).toBe("inside");
    expect(inner[1]).toBe(proxy);
  });

  it("a nested group whose derive() throws, with a Cancelled beside a real error: the run settles, the real error is not lost", async () => {
    const real = new Error("real");
    const { ok, value } = await raisedAtCancelledExit((cancelled) => new ExceptionGroup("outer", [cancelled, new NoDerive("spite", [cancelled, real])]));
    expect(ok).toBe(false);
    const leaves = (value as ExceptionGroup).leaves();
    expect(leaves).toContain(real);
  });

  it("what is left is marked as holding no Cancelled: asked again, it is not walked", () => {
    const cancelled = Object.create(Cancelled.prototype) as Cancelled;
    const [, rest] = new ExceptionGroup("g", [new Error("real"), cancelled]).withoutCancelled();
    expect(rest!.hasCancelled()).toBe(false);
    expect(rest!.withoutCancelled()).toEqual([false, rest]);
  });
});
