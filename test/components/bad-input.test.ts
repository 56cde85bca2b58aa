/**
 * Bad input to the component layer, table-driven (see bad-input-table.ts):
 * each row must raise the expected class with a message naming the call
 * and the fix, never the engine's words.
 *
 * Then what a row cannot see: hostile values a task body throws (a revoked
 * Proxy, an object with no prototype, an Error whose message getter
 * throws) must reach someone, the same value, with a readable source: the
 * policy instance's error and `lastError`, or the nursery's `onError`;
 * never swallowed, never an engine error, and the runtime goes on. Option
 * objects with no prototype work; a getter that throws raises its own
 * error and leaves no run behind.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as components from "../../src/components/index.js";
import { TrioRuntime, taskPolicy } from "../../src/components/index.js";
import { sleep } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { cases, hostileThrows, skipped } from "./bad-input-table.js";
import { closeTestRuntimes, settled, testRuntime } from "./helpers.js";
import { expectEveryExportCovered } from "../bad-input/coverage.js";
import { ENGINE_WORDS } from "../bad-input/hostile.js";

afterEach(closeTestRuntimes);

describe("coverage of the component layer", () => {
  it("every value export of src/components/index.ts is in the table, or skipped with a reason", () => {
    expectEveryExportCovered(Object.keys(components), cases, skipped);
  });
});

describe("bad inputs to the component layer give clear errors", () => {
  for (const c of cases) {
    it(`${c.covers[0]}: ${c.label}`, () => {
      let error: unknown = new Error("the case raised nothing");
      try {
        c.act();
      } catch (e) {
        error = e;
      }
      expect(error, `${c.label}: ${String(error)}`).toBeInstanceOf(c.error);
      expect((error as Error).message).toMatch(c.message);
      expect((error as Error).message).not.toMatch(ENGINE_WORDS);
    });
  }
});

describe("hostile values thrown by a task body reach someone", () => {
  for (const [label, make] of hostileThrows) {
    it(`${label}: a policy instance fails with it, and a nursery task's is reported to onError with a readable source`, async () => {
      const reported: [unknown, string][] = [];
      const { rt, clock } = testRuntime("hostile", (error, source) => reported.push([error, source]));
      const nursery = rt.openNursery("hostile nursery");
      const thrown: unknown[] = [];
      const policy = taskPolicy(nursery, function* thrower() {
        yield* sleep(1);
        const value = make();
        thrown.push(value);
        throw value;
      });
      const instance = policy.perform();
      nursery.startSoon(function* plain() {
        yield* sleep(1);
        const value = make();
        thrown.push(value);
        throw value;
      });
      await settled(rt);
      clock.jump(1);
      await settled(rt);
      expect(instance.state).toBe("failed");
      expect(instance.error).toBe(thrown[0]);
      expect(policy.state.lastError).toBe(thrown[0]);
      expect(policy.state.failedCount).toBe(1);
      // The nursery's failure: the same value, once, named by its nursery.
      expect(reported.length).toBe(1);
      expect(reported[0]![0]).toBe(thrown[1]);
      expect(reported[0]![1]).toBe("a task of hostile nursery");
      await expect(Promise.resolve(instance)).rejects.toBe(thrown[0]);
      // The runtime goes on.
      const again = taskPolicy(nursery, function* fine() {
        yield* sleep(1);
        return 7;
      }).perform();
      await settled(rt);
      clock.jump(1);
      await settled(rt);
      expect(again.state).toBe("succeeded");
      expect(nursery.taskCount).toBe(0);
    });
  }
});

describe("option objects", () => {
  it("an options object with no prototype works, for the runtime and for a policy", async () => {
    const options = Object.assign(Object.create(null) as object, { name: "no-proto", clock: new MockClock({ autojumpThreshold: 0 }) });
    const rt = new TrioRuntime(options);
    const nursery = rt.openNursery("n");
    const policy = taskPolicy(nursery, function* one() {
      yield* sleep(1);
      return 1;
    }, Object.assign(Object.create(null) as object, { policy: "drop" as const }));
    expect(policy.policy).toBe("drop");
    expect(await policy.perform()).toBe(1);
    await rt.close();
    expect(rt.name).toBe("no-proto");
  });

  for (const key of ["name", "clock", "timeSlice", "onError", "lazy"]) {
    it(`a ${key} getter that throws raises its own error, and no run is left behind`, () => {
      const boom = new Error(`the ${key} getter`);
      const options = Object.defineProperty({}, key, {
        enumerable: true,
        get() {
          throw boom;
        },
      });
      const runsBefore = inspect().runs.length;
      expect(() => new TrioRuntime(options)).toThrow(boom);
      expect(inspect().runs.length).toBe(runsBefore);
    });
  }
});

describe("a plain function where a generator function belongs", () => {
  it("is accepted at the call (() => op(q) is how a hook passes arguments) and fails where it runs, with the core's clear error, reported", async () => {
    const reported: [unknown, string][] = [];
    const { rt, clock } = testRuntime("plain", (error, source) => reported.push([error, source]));
    const nursery = rt.openNursery("plain nursery");
    const plain = (() => 5) as unknown as () => Generator<never, number>;
    const instance = taskPolicy(nursery, plain, { name: "plain" }).perform();
    nursery.startSoon(plain);
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(instance.state).toBe("failed");
    expect(String(instance.error)).toMatch(/TypeError: .*returned number 5, not a generator\. Tasks are generator functions \(function\*\)/);
    expect(reported.map(([e, s]) => `${s}: ${String(e)}`)).toEqual([expect.stringMatching(/^a task of plain nursery: TypeError: .*returned number 5, not a generator/)]);
  });
});
