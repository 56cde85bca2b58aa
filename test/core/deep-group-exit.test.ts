/**
 * A group nested thousands of levels deep (built by hand, as a retry loop
 * that wraps each error in a group builds it) is walked without recursion:
 * a cancelled scope's exit takes its Cancelled out and keeps its real
 * errors, and split()/subgroup() keep its nesting, where both walks once
 * overflowed the stack (about 2,500 levels in Node) and the group went on
 * whole, its Cancelled still inside, or split() threw a RangeError.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, moveOnAfter, sleep } from "../../src/core/index.js";
import { runKeep } from "./helpers.js";

/** A chain of `levels` groups, the innermost holding `errors`; made without stack captures, which would cost seconds. */
function deep(levels: number, errors: unknown[]): ExceptionGroup {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    let group = new ExceptionGroup("level 0", errors);
    for (let i = 1; i < levels; i++) group = new ExceptionGroup(`level ${i}`, [group]);
    return group;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The number of levels of a chain of groups, and its innermost group's errors, read without recursion. */
function depthOf(group: ExceptionGroup): [number, readonly unknown[]] {
  let levels = 1;
  while (group.exceptions.length === 1 && group.exceptions[0] instanceof ExceptionGroup) {
    group = group.exceptions[0];
    levels++;
  }
  return [levels, group.exceptions];
}

describe("a group nested thousands of levels deep", () => {
  for (const levels of [100, 10_000]) {
    it(`${levels} levels leaving a cancelled scope: the Cancelled is taken out, the real error kept in the same nesting`, async () => {
      const real = new Error("real");
      const kept = await runKeep(function* () {
        yield* moveOnAfter(1, function* () {
          try {
            yield* sleep(2);
          } catch (error) {
            throw deep(levels, [error, real]);
          }
        });
      });
      expect(kept.ok).toBe(false);
      // (Not toEqual on the group: the matcher's own walk would overflow.)
      expect(kept.value instanceof ExceptionGroup).toBe(true);
      expect((kept.value as ExceptionGroup).leaves()).toEqual([real]);
      const [depth, inner] = depthOf(kept.value as ExceptionGroup);
      expect(depth).toBe(levels);
      expect(inner).toEqual([real]);
    });
  }

  it("split() and subgroup() walk one 100,000 deep: each side keeps the nesting, an unchanged side is the group itself", () => {
    const a = new TypeError("a");
    const b = new RangeError("b");
    const group = deep(100_000, [a, b]);
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0; // the parts split() derives, made quickly
    try {
      const [match, rest] = group.split(TypeError);
      expect(depthOf(match!)).toEqual([100_000, [a]]);
      expect(depthOf(rest!)).toEqual([100_000, [b]]);
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(group.subgroup((e) => e === a || e === b)).toBe(group);
    const [none, all] = group.split(SyntaxError);
    expect(none).toBeUndefined();
    expect(all).toBe(group);
  });

  it("a Cancelled at the bottom of one of two chains 20,000 deep is taken out, the other chain kept", async () => {
    const real = new Error("real");
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        try {
          yield* sleep(2);
        } catch (error) {
          throw new ExceptionGroup("two", [deep(20_000, [real]), deep(20_000, [error])]);
        }
      });
    });
    expect(kept.ok).toBe(false);
    const found = (kept.value as ExceptionGroup).leaves();
    expect(found).toEqual([real]);
    expect(found.some((e) => e instanceof Cancelled)).toBe(false);
  });
});
