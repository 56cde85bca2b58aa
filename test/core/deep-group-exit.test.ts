/**
 * Pinned: a group nested deeper than hasCancelled()'s and split()'s
 * recursion can walk (about 2,500 levels in Node) goes on whole at a
 * cancelled scope's exit, its Cancelled still inside and its real errors
 * kept; the run settles. A group that nurseries build passes each scope
 * one level at a time (hasCancelled is cached), so only a group built by
 * hand that deep meets this. Making both walks iterative would cost bytes
 * in every build for that case alone.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, moveOnAfter, sleep } from "../../src/core/index.js";
import { leaves, runKeep } from "./helpers.js";

function deep(levels: number, errors: unknown[]): ExceptionGroup {
  let group = new ExceptionGroup("level 0", errors);
  for (let i = 1; i < levels; i++) group = new ExceptionGroup(`level ${i}`, [group]);
  return group;
}

describe("a hand-built group nested 10,000 deep leaving a cancelled scope", () => {
  it("goes on whole: the real error is kept, the Cancelled is not taken out", async () => {
    const real = new Error("real");
    let raised: ExceptionGroup | null = null;
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        try {
          yield* sleep(2);
        } catch (error) {
          throw (raised = deep(10_000, [error, real]));
        }
      });
      return "moved on";
    });
    expect(kept.ok).toBe(false);
    expect(kept.value).toBe(raised);
    const found = (kept.value as ExceptionGroup).leaves();
    expect(found).toHaveLength(2);
    expect(found[0]).toBeInstanceOf(Cancelled);
    expect(found[1]).toBe(real);
  });

  it("one shallow enough is split as usual", async () => {
    const real = new Error("real");
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        try {
          yield* sleep(2);
        } catch (error) {
          throw deep(100, [error, real]);
        }
      });
    });
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value)).toEqual([real]);
  });
});
