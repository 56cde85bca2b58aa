import { expect } from "vitest";
import { currentRun, runWith, type Operation, type Runner } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

/** Runs `main` on an autojumping MockClock and checks that nothing is left over. */
export async function runMock<T>(main: () => Operation<T>): Promise<T> {
  let runner: Runner | null = null;
  const result = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
    runner = currentRun();
    return yield* main();
  });
  expect(leftovers(runner!)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  return result;
}
