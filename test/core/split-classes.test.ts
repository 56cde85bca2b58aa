/**
 * ExceptionGroup.split/subgroup with an array of classes, as Python's tuple
 * of exception types: any class matches, `[]` matches nothing, every item is
 * checked before anything is split, and hostile arrays are refused by name.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, TooSlowError } from "../../src/core/index.js";

class NotAnError {}
const group = () => new ExceptionGroup("eg", [new TypeError("t"), new ExceptionGroup("inner", [new RangeError("r"), new SyntaxError("s")]), new Error("e")]);
const shape = (g: ExceptionGroup | undefined): unknown => g?.exceptions.map((e) => (e instanceof ExceptionGroup ? shape(e) : String(e)));

describe("ExceptionGroup.split with an array of classes", () => {
  it("matches any class of the array, keeping the nesting", () => {
    const [match, rest] = group().split([TypeError, RangeError]);
    expect(shape(match)).toEqual(["TypeError: t", ["RangeError: r"]]);
    expect(shape(rest)).toEqual([["SyntaxError: s"], "Error: e"]);
    expect(shape(group().subgroup([SyntaxError, TooSlowError]))).toEqual([["SyntaxError: s"]]);
  });

  it("a class that is no Error matches by instanceof too", () => {
    const thrown = new NotAnError();
    const g = new ExceptionGroup("eg", [thrown, new TooSlowError("slow"), "a string"]);
    expect(g.split([NotAnError])[0]?.exceptions).toEqual([thrown]);
    expect(g.split([TooSlowError])[0]?.exceptions).toEqual([g.exceptions[1]]);
    expect(g.split([TooSlowError, NotAnError])[1]?.exceptions).toEqual(["a string"]);
  });

  it("an empty array matches nothing: the whole group is the rest", () => {
    const g = group();
    expect(g.split([])).toEqual([undefined, g]);
    expect(g.subgroup([])).toBeUndefined();
  });

  it("a group every leaf of which matches comes back itself", () => {
    const g = group();
    expect(g.split([Error])).toEqual([g, undefined]);
    expect(g.split([ExceptionGroup, TypeError])).toEqual([g, undefined]);
  });

  it("Cancelled in an array matches the Cancelled leaves", () => {
    const cancelled = new Cancelled("stop");
    const g = new ExceptionGroup("eg", [cancelled, new TypeError("t")]);
    expect(g.split([Cancelled])[0]?.exceptions).toEqual([cancelled]);
  });

  it("an array read once, when split is called: changing it afterwards changes nothing", () => {
    const classes: (abstract new (...args: never[]) => unknown)[] = [TypeError];
    const g = group();
    const [match] = g.split(classes);
    classes.push(Error);
    expect(shape(match)).toEqual(["TypeError: t"]);
  });
});

describe("ExceptionGroup.split with a bad array", () => {
  it("an item that is no class: a predicate, a built-in constructor, an instance, a number, a nested array", () => {
    const g = group();
    const bad: [unknown, RegExp][] = [
      [(e: unknown) => e instanceof TypeError, /^split\(matcher\): item 1 of the array is function \(anonymous\), not an error class; an array holds classes only, such as \[TypeError, RangeError\]\.$/],
      [Object, /^split\(matcher\): item 1 of the array is function Object, not an error class/],
      [new TypeError("x"), /^split\(matcher\) takes an error class \(or an array of them\) or a predicate function, got a TypeError\.$/],
      [42, /got number 42\.$/],
      [[TypeError], /got an Array\.$/],
    ];
    for (const [item, message] of bad) {
      expect(() => g.split([TypeError, item] as never)).toThrow(message);
      expect(() => g.subgroup([TypeError, item] as never)).toThrow(message);
    }
  });

  it("every item is checked, even after one that would match everything", () => {
    expect(() => group().split([Error, "Boom"] as never)).toThrow(/got "Boom"/);
  });

  it("a revoked Proxy as the array: refused by name, not the engine's words", () => {
    const { proxy, revoke } = Proxy.revocable([TypeError], {});
    revoke();
    expect(() => group().split(proxy)).toThrow(/^split\(matcher\) takes an error class \(or an array of them\) or a predicate function, got an object that cannot be inspected \(a revoked Proxy\?\)\.$/);
  });

  it("a revoked Proxy of a function as an item: refused by name", () => {
    const { proxy, revoke } = Proxy.revocable(class Gone extends Error {}, {});
    revoke();
    expect(() => group().split([TypeError, proxy])).toThrow(/item 1 of the array is function \(anonymous\), not an error class/);
  });

  it("a revoked Proxy of a function as the matcher itself: refused by name, by split and subgroup, not the engine's words at the first call", () => {
    const { proxy, revoke } = Proxy.revocable((e: unknown) => e instanceof TypeError, {});
    revoke();
    const message = /^split\(matcher\) got a function that cannot be called \(a revoked Proxy\?\); pass an error class, an array of them, or a predicate function\.$/;
    expect(() => group().split(proxy)).toThrow(TypeError);
    expect(() => group().split(proxy)).toThrow(message);
    expect(() => group().subgroup(proxy)).toThrow(message);
  });

  it("a Proxy claiming 2^30 items is refused at once, not walked", () => {
    let reads = 0;
    const huge = new Proxy([TypeError], {
      get: (target, key) => {
        if (key === "length") return 2 ** 30;
        reads++;
        return TypeError;
      },
    });
    expect(() => group().split(huge)).toThrow(RangeError);
    expect(() => group().split(huge)).toThrow(/^split\(matcher\): the array holds more than 1000 items; pass at most 1000 error classes\.$/);
    expect(reads).toBeLessThanOrEqual(2000);
  });

  it("an array of exactly 1000 classes is accepted", () => {
    expect(group().split(new Array(1000).fill(TypeError))[0]?.exceptions).toHaveLength(1);
  });

  it("a throwing getter on an item or on length: its own error goes up, as a getter's does everywhere", () => {
    const boom = new Error("getter boom");
    const item = new Proxy([TypeError], { get: (t, k) => (k === "0" ? (() => { throw boom; })() : Reflect.get(t, k)) });
    const length = new Proxy([TypeError], { get: (t, k) => (k === "length" ? (() => { throw boom; })() : Reflect.get(t, k)) });
    expect(() => group().split(item)).toThrow(boom);
    expect(() => group().split(length)).toThrow(boom);
  });

  it("a sparse array: its holes are no class", () => {
    expect(() => group().split(new Array(3) as never)).toThrow(/got undefined\.$/);
  });
});
