/**
 * ExceptionGroup walks under hostile values, the leftovers of Stop 28:
 * split()/subgroup() of a Proxy group that holds itself, a frozen group
 * holding a Cancelled at a cancelled scope's exit, and the workers'
 * protocol asking a hostile group whether it is only Cancelled.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, ExceptionGroup, checkpoint, type Operation } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { runKeep, within } from "../core/helpers.js";

/** Runs `main` on a mock clock, settles within 2 s of real time, and checks that nothing is left. */
async function settle(main: () => Operation<unknown>): Promise<{ ok: boolean; value: unknown }> {
  const { runner, ok, value } = await within(runKeep(main));
  expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  return { ok, value };
}

/** Raises, in a scope that is cancelled, what `make` builds from the scope's own Cancelled. */
function raisedAtCancelledExit(make: (cancelled: unknown) => unknown): Promise<{ ok: boolean; value: unknown }> {
  return settle(function* () {
    return yield* new CancelScope().run(function* (scope) {
      scope.cancel();
      try {
        yield* checkpoint();
      } catch (cancelled) {
        throw make(cancelled);
      }
      return "not cancelled";
    });
  });
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
