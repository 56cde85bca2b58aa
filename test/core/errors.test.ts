import { describe, expect, it } from "vitest";
import {
  BrokenResourceError,
  BusyResourceError,
  Cancelled,
  ClosedResourceError,
  EndOfChannel,
  ExceptionGroup,
  RunFinishedError,
  RuntimeError,
  TooSlowError,
  TrioError,
  TrioInternalError,
  WouldBlock,
  openNursery,
  run,
} from "../../src/core/index.js";
import { makeCancelled } from "../../src/core/errors.js";

class KeyErr extends Error {}
class ValueErr extends Error {}

function nested(): ExceptionGroup {
  // eg("top", [Key(a), eg("mid", [Value(b), Key(c), eg("deep", [Value(d)])]), Value(e)])
  return new ExceptionGroup("top", [
    new KeyErr("a"),
    new ExceptionGroup("mid", [new ValueErr("b"), new KeyErr("c"), new ExceptionGroup("deep", [new ValueErr("d")])]),
    new ValueErr("e"),
  ]);
}

function shape(e: unknown): unknown {
  if (e instanceof ExceptionGroup) return { [e.message]: e.exceptions.map(shape) };
  return (e as Error).message;
}

describe("ExceptionGroup", () => {
  it("is an AggregateError with exceptions === errors", () => {
    const g = new ExceptionGroup("m", [new Error("x")]);
    expect(g).toBeInstanceOf(AggregateError);
    expect(g).toBeInstanceOf(Error);
    expect(g.exceptions).toBe(g.errors);
    expect(g.name).toBe("ExceptionGroup");
    expect(g.message).toBe("m");
  });

  it("needs a non-empty array", () => {
    expect(() => new ExceptionGroup("m", [])).toThrow(TypeError);
    expect(() => new ExceptionGroup("m", "nope" as unknown as unknown[])).toThrow(TypeError);
  });

  it("leaves() lists every leaf depth first", () => {
    expect(nested().leaves().map((e) => (e as Error).message)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("split by class keeps the nesting on both sides", () => {
    const [match, rest] = nested().split(KeyErr);
    expect(shape(match)).toEqual({ top: ["a", { mid: ["c"] }] });
    expect(shape(rest)).toEqual({ top: [{ mid: ["b", { deep: ["d"] }] }, "e"] });
  });

  it("split by predicate", () => {
    const [match, rest] = nested().split((e) => e instanceof Error && (e.message === "d" || e.message === "a"));
    expect(shape(match)).toEqual({ top: ["a", { mid: [{ deep: ["d"] }] }] });
    expect(shape(rest)).toEqual({ top: [{ mid: ["b", "c"] }, "e"] });
  });

  it("split returns undefined for an empty side", () => {
    const g = new ExceptionGroup("g", [new KeyErr("k")]);
    expect(g.split(KeyErr)[1]).toBeUndefined();
    expect(g.split(ValueErr)[0]).toBeUndefined();
    expect(g.split(ValueErr)[1]).toBeInstanceOf(ExceptionGroup);
  });

  it("split by Error matches everything", () => {
    const [match, rest] = nested().split(Error);
    expect(rest).toBeUndefined();
    expect(match!.leaves()).toHaveLength(5);
  });

  it("split by ExceptionGroup matches the whole group", () => {
    const g = nested();
    const [match, rest] = g.split(ExceptionGroup);
    expect(match).toBe(g);
    expect(rest).toBeUndefined();
  });

  it("a predicate can match a nested group as a whole", () => {
    const [match] = nested().split((e) => e instanceof ExceptionGroup && e.message === "mid");
    expect(shape(match)).toEqual({ top: [{ mid: ["b", "c", { deep: ["d"] }] }] });
  });

  it("subgroup is the matching half of split", () => {
    expect(shape(nested().subgroup(ValueErr))).toEqual({ top: [{ mid: ["b", { deep: ["d"] }] }, "e"] });
    expect(nested().subgroup(RangeError)).toBeUndefined();
  });

  it("split by a class that does not extend Error works by instanceof", () => {
    class Plain {
      constructor(readonly tag: string) {}
    }
    const g = new ExceptionGroup("g", [new Plain("p"), new Error("e")]);
    const [match, rest] = g.split(Plain);
    expect(match!.exceptions).toEqual([new Plain("p")]);
    expect(rest!.exceptions.map((e) => (e as Error).message)).toEqual(["e"]);
  });

  it("refuses a built-in constructor that is no error class (called, Object and String matched everything)", () => {
    const g = new ExceptionGroup("g", ["str", 42, new Error("x")]);
    for (const ctor of [Object, String, Number, Boolean, Array, Map, Promise, Symbol]) {
      expect(() => g.split(ctor as never)).toThrow(TypeError);
      expect(() => g.subgroup(ctor as never)).toThrow(/a built-in constructor, no error class/);
    }
    // Still matchers: error classes (built-in too), any class by instanceof, and predicates of every kind.
    function isString(e: unknown): boolean {
      return typeof e === "string";
    }
    const spy = Object.assign((e: unknown) => e === 42, { prototype: {} });
    expect(g.split(TypeError)[0]).toBeUndefined();
    expect(g.split(Error)[1]).toBeUndefined();
    expect(g.subgroup(RangeError)).toBeUndefined();
    expect(g.subgroup(isString)!.exceptions).toEqual(["str"]);
    expect(g.subgroup(isString.bind(null))!.exceptions).toEqual(["str"]);
    expect(g.subgroup((e) => typeof e === "number")!.exceptions).toEqual([42]);
    expect(g.subgroup(spy)!.exceptions).toEqual([42]);
    // A predicate whose name cannot be read: its name is never asked.
    const nameless = Object.defineProperty(function (e: unknown) {
      return e === "str";
    }, "name", {
      get(): never {
        throw new Error("no name");
      },
    });
    expect(g.subgroup(nameless)!.exceptions).toEqual(["str"]);
  });

  it("split keeps non-Error leaves", () => {
    const g = new ExceptionGroup("g", ["str", 42, new Error("x")]);
    const [match, rest] = g.split((e) => typeof e === "string");
    expect(match!.exceptions).toEqual(["str"]);
    expect(rest!.exceptions).toEqual([42, expect.any(Error)]);
  });

  it("derive makes a group with the same message", () => {
    const d = new ExceptionGroup("msg", [1]).derive([2, 3]);
    expect(d.message).toBe("msg");
    expect(d.exceptions).toEqual([2, 3]);
  });

  it("split with Cancelled picks out cancellations", () => {
    const g = new ExceptionGroup("g", [makeCancelled("r"), new Error("real"), new ExceptionGroup("n", [makeCancelled(undefined)])]);
    const [cancelled, rest] = g.split(Cancelled);
    expect(cancelled!.leaves().every((e) => e instanceof Cancelled)).toBe(true);
    expect(cancelled!.leaves()).toHaveLength(2);
    expect(rest!.leaves().map((e) => (e as Error).message)).toEqual(["real"]);
  });

  it("split's parts keep the group's cause, as Python's split keeps __cause__; a cancel scope's stripping too", () => {
    const why = new Error("the worker failed");
    const inner = new ExceptionGroup("inner", [new RangeError("deep"), makeCancelled("r")]);
    Object.defineProperty(inner, "cause", { value: "inner cause", configurable: true, writable: true });
    const g = new ExceptionGroup("g", [new TypeError("a"), new RangeError("b"), inner]);
    g.cause = why;
    const [matched, rest] = g.split(TypeError);
    expect(matched!.cause).toBe(why);
    expect(rest!.cause).toBe(why);
    expect((rest!.exceptions[1] as ExceptionGroup).cause).toBe("inner cause");
    const [, stripped] = g.withoutCancelled();
    expect(stripped!.cause).toBe(why);
    expect((stripped!.exceptions[2] as ExceptionGroup).cause).toBe("inner cause");
    // No cause given: none appears.
    const [plain] = new ExceptionGroup("p", [new TypeError("a"), new Error("b")]).split(TypeError);
    expect(Object.hasOwn(plain!, "cause")).toBe(false);
  });
});

describe("Cancelled", () => {
  it("a runtime Cancelled is an Error with a reason and no stack capture", () => {
    const c = makeCancelled("why");
    expect(c).toBeInstanceOf(Cancelled);
    expect(c).toBeInstanceOf(Error);
    expect(c.reason).toBe("why");
    expect(c.message).toBe("why");
    expect(String(c)).toBe("Cancelled: why");
    expect(c.name).toBe("Cancelled");
    expect(Object.prototype.hasOwnProperty.call(c, "stack")).toBe(false);
  });

  it("without a reason it prints as just Cancelled", () => {
    const c = makeCancelled(undefined);
    expect(c.reason).toBeUndefined();
    expect(c.message).toBe("");
    expect(String(c)).toBe("Cancelled");
  });

  it("a constructed Cancelled also carries its reason", () => {
    const c = new Cancelled("r");
    expect(c.reason).toBe("r");
    expect(c.message).toBe("r");
  });
});

describe("error classes", () => {
  it("every TrioError names itself", () => {
    const classes = [TooSlowError, BrokenResourceError, ClosedResourceError, EndOfChannel, WouldBlock, BusyResourceError, RunFinishedError, TrioInternalError];
    for (const C of classes) {
      const e = new C("m");
      expect(e).toBeInstanceOf(TrioError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(C.name);
      expect(String(e)).toBe(`${C.name}: m`);
    }
  });

  it("Cancelled is not a TrioError (it must not be caught by catch-alls for library errors)", () => {
    expect(makeCancelled(undefined)).not.toBeInstanceOf(TrioError);
  });

  it("RuntimeError names itself", () => {
    expect(new RuntimeError("x").name).toBe("RuntimeError");
  });
});

describe("a group cannot be made to hold itself", () => {
  it("its exceptions (and errors) are frozen, as Python's tuple: pushing the group into itself is refused", () => {
    const group = new ExceptionGroup("loop", [new Error("a")]);
    expect(Object.isFrozen(group.exceptions)).toBe(true);
    expect(group.errors).toBe(group.exceptions);
    expect(() => (group.exceptions as unknown[]).push(group)).toThrow(TypeError);
    expect(group.exceptions).toHaveLength(1);
  });

  it("leaves() of a Proxy that answers with itself as its own error ends (a group is not walked inside itself)", () => {
    const inner = new Error("x");
    const selfish: ExceptionGroup = new Proxy(new ExceptionGroup("self", [inner]), {
      get(target, key, receiver) {
        return key === "exceptions" ? [receiver, inner] : Reflect.get(target, key, receiver);
      },
    });
    // The same group twice side by side is walked twice, as any shared leaf.
    expect(new ExceptionGroup("outer", [selfish, selfish]).leaves()).toEqual([inner, inner]);
  });

  it("a task that raises such a Proxy: the run settles, with an error", async () => {
    const selfish: ExceptionGroup = new Proxy(new ExceptionGroup("self", [new Error("x")]), {
      get(target, key, receiver) {
        return key === "exceptions" ? [receiver] : Reflect.get(target, key, receiver);
      },
    });
    const outcome = await run(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          throw selfish;
        });
      });
    }).then(
      () => "resolved",
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(Error);
  });
});
