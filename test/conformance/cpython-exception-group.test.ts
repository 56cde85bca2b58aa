/**
 * ExceptionGroup semantics after CPython's Lib/test/test_exception_group.py
 * (PEP 654), which Trio's own groups follow (semantics only; the code and
 * words are ours). Each test names the CPython test it follows.
 *
 * Differences on purpose: there is no BaseExceptionGroup (JavaScript has no
 * BaseException; `Cancelled` is an ordinary leaf), no notes and no
 * tracebacks; a matcher is a class, an array of classes (Python's tuple) or a predicate;
 * JavaScript can throw anything, so any value may be a leaf and any class,
 * Error or not, is a class matcher; the group is an `AggregateError`, and
 * `exceptions` is its `errors` array.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup } from "../../src/core/index.js";

class MyGroup extends ExceptionGroup {}

/** A group of three leaves: ValueError-like RangeErrors 1 and 2 around a TypeError (CPython's create_simple_eg). */
function simpleGroup(): ExceptionGroup {
  return new ExceptionGroup("simple eg", [new RangeError("1"), new TypeError("int"), new RangeError("2")]);
}

/** Each leaf as `Class(message)`, with groups as nested arrays: the shape CPython's templates check. */
function shape(e: unknown): unknown {
  if (e instanceof ExceptionGroup) return e.exceptions.map(shape);
  if (e instanceof Error) return `${e.constructor.name}(${e.message})`;
  return e;
}

/** CPython's deep group: level3(5) of level2 of level1 groups, with a MyGroup in the middle. */
function nestedGroup(): ExceptionGroup {
  const level1 = (i: number) => new ExceptionGroup("msg1", [new RangeError(`${i}`), new TypeError("int"), new RangeError(`${i + 1}`)]);
  const level2 = (i: number) => new MyGroup("msg2", [level1(i), level1(i + 1), new RangeError(`${i + 2}`)]);
  return new ExceptionGroup("msg3", [level2(6), new RangeError("7")]);
}

/** CPython's split_exception_group checks: leaves partitioned, subgroup == match, messages kept. */
function checkedSplit(eg: ExceptionGroup, matcher: (e: unknown) => boolean): [ExceptionGroup | undefined, ExceptionGroup | undefined] {
  const [match, rest] = eg.split(matcher);
  const sub = eg.subgroup(matcher);
  const leaves = (g: ExceptionGroup | undefined) => g?.leaves() ?? [];
  expect(leaves(sub)).toEqual(leaves(match));
  for (const leaf of leaves(match)) expect(matcher(leaf)).toBe(true);
  expect(leaves(match).length + leaves(rest).length).toBe(eg.leaves().length);
  for (const leaf of eg.leaves()) expect(leaves(match).includes(leaf)).not.toBe(leaves(rest).includes(leaf));
  for (const part of [match, rest, sub]) if (part !== undefined) expect(part.message).toBe(eg.message);
  return [match, rest];
}

describe("CPython test_exception_group: construction and fields", () => {
  // test_bad_EG_construction__bad_excs_sequence (TypeError for an empty list too, where CPython raises ValueError)
  it("refuses a missing, non-array or empty list of errors with a TypeError", () => {
    for (const bad of [undefined, null, new Set([new Error()]), []]) {
      expect(() => new ExceptionGroup("eg", bad as unknown as unknown[])).toThrow(TypeError);
    }
  });

  // test_EG_wraps_Exceptions__creates_EG, test_EG_subclass_wraps_non_base_exceptions
  it("a group is an ExceptionGroup (and an AggregateError); a subclass keeps its class", () => {
    const eg = new ExceptionGroup("eg", [new RangeError("1"), new TypeError("2")]);
    expect(eg).toBeInstanceOf(ExceptionGroup);
    expect(eg).toBeInstanceOf(AggregateError);
    expect(eg.name).toBe("ExceptionGroup");
    expect(new MyGroup("eg", [new RangeError("1")])).toBeInstanceOf(MyGroup);
  });

  // test_basics_ExceptionGroup_fields: message and exceptions; causes stay on the leaves
  it("keeps its message and the errors in order, each with its own cause; a later change to the input array does not reach it", () => {
    const first = new RangeError("1", { cause: new Error("context and cause") });
    const input: unknown[] = [first, new TypeError("int")];
    const eg = new ExceptionGroup("simple eg", input);
    input.push(new Error("late"));
    expect(eg.message).toBe("simple eg");
    expect(eg.exceptions).toEqual([first, input[1]]);
    expect(eg.exceptions).toBe(eg.errors);
    expect((eg.exceptions[0] as Error).cause).toBeInstanceOf(Error);
  });
});

describe("CPython test_exception_group: subgroup and split", () => {
  // test_basics_subgroup_split__bad_arg_type
  it("refuses a matcher that is no class, array of classes or function (a string, an error instance, an array holding one) with a TypeError", () => {
    const eg = simpleGroup();
    for (const bad of ["bad arg", new TypeError("instance not type"), [TypeError, new RangeError("instance")], 42]) {
      expect(() => eg.subgroup(bad as never)).toThrow(TypeError);
      expect(() => eg.split(bad as never)).toThrow(TypeError);
    }
  });

  // test_basics_subgroup_by_type (its tuple of types is an array here)
  it("an array of classes matches any of them; an empty one matches nothing", () => {
    const eg = simpleGroup();
    expect(eg.subgroup([RangeError, SyntaxError])?.exceptions.map(String)).toEqual(["RangeError: 1", "RangeError: 2"]);
    expect(eg.split([TypeError, RangeError])).toEqual([eg, undefined]);
    expect(eg.split([])).toEqual([undefined, eg]);
  });

  // test_basics_subgroup_by_type__passthrough and _by_predicate__passthrough: the very group
  it("a matcher every part matches returns the group itself", () => {
    const eg = simpleGroup();
    for (const m of [Error, AggregateError, ExceptionGroup, () => true]) {
      expect(eg.subgroup(m)).toBe(eg);
      expect(eg.split(m)).toEqual([eg, undefined]);
      expect(eg.split(m)[0]).toBe(eg);
    }
  });

  // test_basics_subgroup_by_type__no_match and _by_predicate__no_match
  it("a matcher nothing matches gives undefined, and split's rest is the group itself", () => {
    const eg = simpleGroup();
    for (const m of [SyntaxError, () => false]) {
      expect(eg.subgroup(m)).toBeUndefined();
      const [match, rest] = eg.split(m);
      expect(match).toBeUndefined();
      expect(rest).toBe(eg);
    }
  });

  // test_basics_subgroup_by_type__match, test_basics_split_by_type__match and the predicate versions
  it("split by class or predicate keeps the message, the order and the leaves themselves", () => {
    const eg = simpleGroup();
    const isRange = (e: unknown) => e instanceof RangeError;
    for (const m of [RangeError, isRange]) {
      const [match, rest] = eg.split(m);
      expect(shape(match)).toEqual(["RangeError(1)", "RangeError(2)"]);
      expect(shape(rest)).toEqual(["TypeError(int)"]);
      expect([match!.message, rest!.message]).toEqual(["simple eg", "simple eg"]);
      expect(match!.exceptions[0]).toBe(eg.exceptions[0]);
      expect(shape(eg.subgroup(m))).toEqual(["RangeError(1)", "RangeError(2)"]);
    }
    const both = (e: unknown) => e instanceof RangeError || e instanceof TypeError;
    expect(eg.split(both)).toEqual([eg, undefined]);
  });

  // test_split_by_type (NestedExceptionGroupSplitTest)
  it("a nested group splits level by level, keeping its shape, and a whole matching subgroup is kept as is", () => {
    const eg = nestedGroup();
    const template = [[["RangeError(6)", "TypeError(int)", "RangeError(7)"], ["RangeError(7)", "TypeError(int)", "RangeError(8)"], "RangeError(8)"], "RangeError(7)"];
    const ranges = [[["RangeError(6)", "RangeError(7)"], ["RangeError(7)", "RangeError(8)"], "RangeError(8)"], "RangeError(7)"];
    const types = [[["TypeError(int)"], ["TypeError(int)"]]];
    expect(shape(eg)).toEqual(template);

    const isA = (cls: abstract new (...args: never[]) => unknown) => (e: unknown) => e instanceof cls;
    let [match, rest] = checkedSplit(eg, isA(SyntaxError));
    expect([match, shape(rest)]).toEqual([undefined, template]);
    [match, rest] = checkedSplit(eg, isA(Error));
    expect([shape(match), rest]).toEqual([template, undefined]);
    [match, rest] = checkedSplit(eg, isA(RangeError));
    expect([shape(match), shape(rest)]).toEqual([ranges, types]);
    [match, rest] = checkedSplit(eg, (e) => e instanceof TypeError || e instanceof SyntaxError);
    expect([shape(match), shape(rest)]).toEqual([types, ranges]);

    // The groups themselves are matched too: the whole group, or the MyGroup inside it.
    expect(eg.split(ExceptionGroup)[0]).toBe(eg);
    [match, rest] = eg.split(MyGroup);
    expect(match!.exceptions[0]).toBe(eg.exceptions[0]);
    expect(shape(match)).toEqual([template[0]]);
    expect(shape(rest)).toEqual([template[1]]);
  });

  // test_split_ExceptionGroup_subclass_no_derive_no_new_override: the parts of a subclass without its own
  // derive are plain ExceptionGroups, and an untouched nested subclass group is kept as is
  it("a subclass without derive splits into plain ExceptionGroups", () => {
    const nested = new MyGroup("nested", [new TypeError("2")]);
    const eg = new MyGroup("eg", [new RangeError("1"), nested]);
    const [match, rest] = checkedSplit(eg, (e) => e instanceof RangeError);
    expect(match!.constructor).toBe(ExceptionGroup);
    expect(rest!.constructor).toBe(ExceptionGroup);
    expect(shape(match)).toEqual(["RangeError(1)"]);
    expect(rest!.exceptions[0]).toBe(nested);
  });

  // The derive override: split builds its parts with the group's own derive (CPython's test_split_*_derive_* tests)
  it("a subclass that overrides derive gets its own class for the parts, at every level", () => {
    class Tagged extends ExceptionGroup {
      override derive(exceptions: readonly unknown[]): ExceptionGroup {
        return new Tagged(`${this.message} (part)`, exceptions);
      }
    }
    const eg = new Tagged("eg", [new RangeError("1"), new Tagged("inner", [new TypeError("2"), new RangeError("3")])]);
    const [match, rest] = eg.split(RangeError);
    expect(match).toBeInstanceOf(Tagged);
    expect(match!.message).toBe("eg (part)");
    expect((match!.exceptions[1] as ExceptionGroup).message).toBe("inner (part)");
    expect(shape(match)).toEqual(["RangeError(1)", ["RangeError(3)"]]);
    expect(shape(rest)).toEqual([["TypeError(2)"]]);
  });

  // A predicate sees the groups as well as the leaves, outermost first, and its error propagates.
  it("a predicate is asked about each group before its members, and an error it raises comes out of split", () => {
    const eg = nestedGroup();
    const asked: string[] = [];
    eg.split((e) => {
      if (e instanceof ExceptionGroup) asked.push(e.message);
      return false;
    });
    expect(asked).toEqual(["msg3", "msg2", "msg1", "msg1"]);
    const boom = new SyntaxError("predicate failed");
    expect(() =>
      eg.split((e) => {
        if (e instanceof MyGroup) throw boom;
        return false;
      }),
    ).toThrow(boom);
  });

  // JavaScript differences: any value may be a leaf, and a class that does not extend Error is a class matcher.
  it("non-Error leaves (a thrown string, Cancelled) split like any other, and a non-Error class matches by instanceof", () => {
    class Plain {}
    const plain = new Plain();
    const cancelled = new Cancelled("for the test");
    const eg = new ExceptionGroup("mixed", ["a string", plain, new TypeError("t"), cancelled]);
    expect(eg.subgroup(Plain)!.exceptions).toEqual([plain]);
    expect(eg.subgroup((e) => typeof e === "string")!.exceptions).toEqual(["a string"]);
    const [c, rest] = eg.split(Cancelled);
    expect(c!.exceptions).toEqual([cancelled]);
    expect(rest!.exceptions).toEqual(["a string", plain, eg.exceptions[2]]);
  });
});

describe("CPython test_exception_group: leaves (PEP 654's leaf_generator)", () => {
  // test_leaf_generator, test_iteration_full_tracebacks (the order part)
  it("leaves() walks depth first, in order, the same leaf as often as it appears", () => {
    const eg = nestedGroup();
    expect(eg.leaves().map(shape)).toEqual([
      "RangeError(6)",
      "TypeError(int)",
      "RangeError(7)",
      "RangeError(7)",
      "TypeError(int)",
      "RangeError(8)",
      "RangeError(8)",
      "RangeError(7)",
    ]);
    const flat = new ExceptionGroup("flat", [new RangeError("1"), new TypeError("2")]);
    const twice = new ExceptionGroup("nested", [flat, new RangeError("1"), flat]);
    expect(twice.leaves()).toEqual([flat.exceptions[0], flat.exceptions[1], twice.exceptions[1], flat.exceptions[0], flat.exceptions[1]]);
  });

  // test_deep_split / test_deep_subgroup: CPython raises RecursionError past its C recursion limit. Ours
  // walks leaves iteratively at any depth, and splits groups as deep as nested nurseries make in practice.
  it("leaves() of a group nested 100000 deep; split and subgroup of one nested 5000 deep", () => {
    let deep: unknown = new TypeError("1");
    for (let i = 0; i < 100000; i++) deep = new ExceptionGroup("eg", [deep]);
    expect((deep as ExceptionGroup).leaves()).toHaveLength(1);
    let mid: unknown = new TypeError("1");
    for (let i = 0; i < 5000; i++) mid = new ExceptionGroup("eg", [mid, new RangeError(`${i}`)]);
    const g = mid as ExceptionGroup;
    const [match, rest] = g.split(TypeError);
    expect(match!.leaves()).toHaveLength(1);
    expect(rest!.leaves()).toHaveLength(5000);
    expect(g.subgroup(RangeError)!.leaves()).toHaveLength(5000);
  });
});
