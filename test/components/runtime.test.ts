/**
 * TrioRuntime and ScopedNursery without Preact: the long-lived run, work
 * queued before it is up, closing, and errors that must not take the
 * runtime down.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRuntime, taskPolicy } from "../../src/components/index.js";
import { closeTestRuntimes, mark, recordErrors, settled, testRuntime } from "./helpers.js";

function runtime(errors: string[] = []): { rt: TrioRuntime; clock: MockClock } {
  return testRuntime("unit", recordErrors(errors));
}

afterEach(closeTestRuntimes);

describe("TrioRuntime", () => {
  it("runs work spawned before its run is up, and close() cancels everything and ends the run", async () => {
    const { rt, clock } = runtime();
    const log: string[] = [];
    rt.spawn("early", mark, log, "early", 1);
    expect(rt.runner).toBeNull();
    await settled(rt);
    expect(rt.runner).not.toBeNull();
    clock.jump(1);
    await settled(rt);
    rt.spawn("late", mark, log, "late", 100);
    await settled(rt);
    expect(inspect().runs.map((r) => r.name)).toContain("unit");
    await rt.close("test over");
    expect(log).toEqual(["done early", "finally early", "finally late"]);
    expect(rt.closed).toBe(true);
    expect(inspect().runs.map((r) => r.name)).not.toContain("unit");
    expect(() => rt.spawn("after", mark, log, "x", 1)).toThrow(/is closed; its <TrioRoot> has unmounted/);
  });

  it("checks its input", () => {
    expect(() => new TrioRuntime(null as never)).toThrow(/takes an options object/);
    const { rt } = runtime();
    expect(() => rt.spawn(42 as never, mark, [], "", 1)).toThrow(/needs a string name/);
    expect(() => rt.spawn("x", (async () => undefined) as never)).toThrow(/got an async function; tasks are generator functions/);
    expect(() => rt.openNursery("n").startSoon("nope" as never)).toThrow(/needs a generator function/);
  });
});

describe("ScopedNursery", () => {
  it("close() cancels its tasks; the runtime and other nurseries carry on", async () => {
    const { rt, clock } = runtime();
    const log: string[] = [];
    const a = rt.openNursery("a");
    const b = rt.openNursery("b");
    a.startSoon(mark, log, "a1", 10);
    a.startSoon(mark, log, "a2", 10);
    b.startSoon(mark, log, "b1", 10);
    await settled(rt);
    expect(a.taskCount).toBe(2);
    a.close();
    await settled(rt);
    expect(log.sort()).toEqual(["finally a1", "finally a2"]);
    expect(a.taskCount).toBe(0);
    clock.jump(10);
    await settled(rt);
    expect(log).toContain("done b1");
    expect(() => a.startSoon(mark, log, "a3", 1)).toThrow(/closed \(its component unmounted\)/);
  });

  it("a nursery of a closed runtime refuses work with an error naming why", async () => {
    const { rt } = runtime();
    const n = rt.openNursery("n");
    await rt.close();
    expect(() => n.startSoon(mark, [], "x", 1)).toThrow(/which is closed/);
    expect(n.closed).toBe(true);
  });

  it("cancelAll() then startSoon() in the same tick: the new task runs in a fresh nursery", async () => {
    const { rt, clock } = runtime();
    const log: string[] = [];
    const n = rt.openNursery("n");
    n.startSoon(mark, log, "old", 5);
    await settled(rt);
    n.cancelAll("reset");
    n.startSoon(mark, log, "new", 5);
    await settled(rt);
    clock.jump(5);
    await settled(rt);
    expect(log).toEqual(["finally old", "done new", "finally new"]);
  });

  it("is a policy owner: closing it cancels the policy's instances", async () => {
    const { rt } = runtime();
    const n = rt.openNursery("owner");
    const p = taskPolicy(n, function* forever(): Operation<void> {
      yield* sleepForever();
    }, { policy: "enqueue" });
    const a = p.perform();
    const b = p.perform();
    await settled(rt);
    expect(a.state).toBe("running");
    n.close();
    await settled(rt);
    expect([a.state, b.state]).toEqual(["cancelled", "cancelled"]);
    expect(p.closed).toBe(true);
  });

  it("a raising task is reported, its siblings cancelled, and the runtime lives on", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime(errors);
    const log: string[] = [];
    const n = rt.openNursery("fragile");
    n.startSoon(mark, log, "sibling", 10);
    n.startSoon(function* boom(): Operation<void> {
      yield* sleep(1);
      throw new Error("kaboom");
    });
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(log).toEqual(["finally sibling"]);
    expect(errors).toHaveLength(1);
    expect(errors).toEqual(["a task of fragile: Error: kaboom"]);
    const other = rt.openNursery("other");
    other.startSoon(mark, log, "other", 1);
    clock.jump(1);
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(log).toContain("done other");
  });
});
