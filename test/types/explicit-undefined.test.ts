/**
 * Options given with an explicit `undefined` (what a consumer with
 * `exactOptionalPropertyTypes` may now write, the declarations saying
 * `?: T | undefined`) behave as left out, at run time too: no option
 * check mistakes `undefined` for a bad value.
 */
import { describe, expect, it } from "vitest";
import { CancelScope, openNursery, retry, runWith, sleep } from "../../src/core/index.js";
import { openLoop } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRuntime, taskPolicy } from "../../src/components/index.js";

/** Every key of `keys` present and undefined. */
function allUndefined<K extends string>(keys: readonly K[]): Record<K, undefined> {
  return Object.fromEntries(keys.map((k) => [k, undefined])) as Record<K, undefined>;
}

describe("options given as explicit undefined are the defaults", () => {
  it("runWith, CancelScope, retry, MockClock, openLoop and createTask", async () => {
    const clock = new MockClock(allUndefined(["rate", "autojumpThreshold"]));
    expect(clock.rate).toBe(0);
    const result = await runWith({ ...allUndefined(["instruments", "timeSlice", "name"]), clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      const scope = new CancelScope(allUndefined(["deadline", "relativeDeadline", "shield", "name"]));
      expect(scope.deadline).toBe(Infinity);
      expect(scope.shield).toBe(false);
      let attempts = 0;
      const value = yield* retry(function* () {
        attempts++;
        if (attempts < 2) throw new Error("once");
        return "retried";
      }, allUndefined(["attempts", "delay", "factor", "maxDelay", "jitter", "attemptTimeout", "retryIf", "onRetry"]));
      const fromLoop = yield* openLoop(function* (loop) {
        const task = loop.createTask(asyncio.sleep(0, "slept"), allUndefined(["loop", "name", "eagerStart", "context"]));
        yield* openNursery(function* () {
          yield* sleep(0.01);
        });
        return task.done() ? task.result() : "pending";
      }, allUndefined(["debug"]));
      return [value, attempts, fromLoop];
    });
    expect(result).toEqual(["retried", 2, "slept"]);
  });

  it("TrioRuntime and taskPolicy", async () => {
    const runtime = new TrioRuntime(allUndefined(["name", "clock", "timeSlice", "onError", "lazy"]));
    const policy = taskPolicy(runtime.openNursery("policies"), function* () {
      return 1;
    }, allUndefined(["policy", "maxConcurrency", "name", "scopeName"]));
    expect(await policy.perform()).toBe(1);
    await runtime.close();
  });
});
