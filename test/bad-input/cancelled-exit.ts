/**
 * One way the group tests reach a cancelled scope's exit with a group of
 * their making, so each states only the group it raises.
 */
import { expect } from "vitest";
import { CancelScope, checkpoint, type Operation } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { runKeep, within } from "../core/helpers.js";

/**
 * Raises, in a scope that is cancelled, what `make` builds from the scope's
 * own Cancelled; settles within 2 s of real time and checks that nothing is
 * left (tasks, deadlines, host and idle timers).
 */
export async function raisedAtCancelledExit(make: (cancelled: unknown) => unknown): Promise<{ ok: boolean; value: unknown }> {
  const { runner, ok, value } = await within(
    runKeep(function* (): Operation<unknown> {
      return yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        try {
          yield* checkpoint();
        } catch (cancelled) {
          throw make(cancelled);
        }
        return "not cancelled";
      });
    }),
  );
  expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  return { ok, value };
}
