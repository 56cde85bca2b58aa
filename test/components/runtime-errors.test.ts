/**
 * Errors in and around the component runtime: work started while a failed
 * ScopedNursery unwinds, an `onError` reporter that throws, a policy
 * listener that throws, and a run that ends under the runtime's feet. The
 * rule: a throwing user callback is reported (through `reportError` where
 * the host has it, else `console.error`) and isolated; nothing else is
 * disturbed, and nothing is lost or counted twice.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { CancelScope, openNursery, sleep, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRuntime, taskPolicy, type ErrorReporter } from "../../src/components/index.js";
import { closeTestRuntimes, mark, runClean, settled, testRuntime } from "./helpers.js";

function runtime(onError: ErrorReporter): { rt: TrioRuntime; clock: MockClock } {
  return testRuntime("errors", onError);
}

/** Catches what the runtime reports as uncaught (a global `reportError`, as browsers have). */
function captureUncaught(): unknown[] {
  const seen: unknown[] = [];
  vi.stubGlobal("reportError", (error: unknown) => seen.push(error));
  return seen;
}

afterEach(async () => {
  await closeTestRuntimes();
  vi.unstubAllGlobals();
});

function* slowToUnwind(log: string[]): Operation<void> {
  try {
    yield* sleep(100);
  } finally {
    yield* new CancelScope({ shield: true }).run(() => sleep(5));
    log.push("sibling unwound");
  }
}

function* failAfter1(): Operation<void> {
  yield* sleep(1);
  throw new Error("kaboom");
}

describe("a failed ScopedNursery that is still unwinding", () => {
  it("work started meanwhile runs in a fresh nursery at once, not cancelled with the old one", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime((e, source) => errors.push(`${source}: ${String(e)}`));
    const log: string[] = [];
    const n = rt.openNursery("fragile");
    n.startSoon(slowToUnwind, log);
    n.startSoon(failAfter1);
    await settled(rt);
    clock.jump(1); // t=1: the failure; the sibling unwinds until t=6
    await settled(rt);
    expect(errors).toEqual([]);
    n.startSoon(mark, log, "late", 1);
    expect(n.taskCount).toBe(2);
    await settled(rt);
    clock.jump(1); // t=2
    await settled(rt);
    expect(log).toEqual(["done late", "finally late"]);
    clock.jump(4); // t=6
    await settled(rt);
    expect(log).toEqual(["done late", "finally late", "sibling unwound"]);
    expect(errors).toEqual(["a task of fragile: Error: kaboom"]);
    expect(n.taskCount).toBe(0);
  });

  it("a policy instance performed meanwhile runs and succeeds", async () => {
    const { rt, clock } = runtime(() => {});
    const log: string[] = [];
    const n = rt.openNursery("fragile");
    const p = taskPolicy(n, function* answer(): Operation<number> {
      yield* sleep(1);
      return 42;
    });
    n.startSoon(slowToUnwind, log);
    n.startSoon(failAfter1);
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    const instance = p.perform();
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(instance.state).toBe("succeeded");
    expect(instance.value).toBe(42);
    expect(log).toEqual([]);
    clock.jump(4);
    await settled(rt);
    expect(log).toEqual(["sibling unwound"]);
  });

  it("a second failure in the fresh nursery is reported on its own", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime((e) => errors.push(String(e)));
    const n = rt.openNursery("fragile");
    n.startSoon(slowToUnwind, []);
    n.startSoon(failAfter1);
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    n.startSoon(function* again(): Operation<void> {
      yield* sleep(1);
      throw new Error("again");
    });
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(errors).toEqual(["Error: again"]);
    clock.jump(4);
    await settled(rt);
    expect(errors).toEqual(["Error: again", "Error: kaboom"]);
  });
});

describe("an onError reporter that throws", () => {
  it("is isolated: the runtime and the other nurseries carry on, and both errors are reported", async () => {
    const uncaught = captureUncaught();
    const { rt, clock } = runtime(() => {
      throw new Error("the reporter broke");
    });
    const log: string[] = [];
    const fragile = rt.openNursery("fragile");
    const steady = rt.openNursery("steady");
    steady.startSoon(mark, log, "steady", 5);
    fragile.startSoon(failAfter1);
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(rt.closed).toBe(false);
    expect(log).toEqual([]);
    expect(uncaught).toHaveLength(1);
    const reported = uncaught[0] as Error;
    expect(reported.message).toMatch(/onError reporter threw while reporting an error of a task of fragile/);
    expect(reported.cause).toMatchObject({ message: "the reporter broke" });
    expect((reported as Error & { reported: unknown }).reported).toMatchObject({ message: "kaboom" });
    clock.jump(4);
    await settled(rt);
    expect(log).toEqual(["done steady", "finally steady"]);
    fragile.startSoon(mark, log, "again", 1);
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(log.at(-2)).toBe("done again");
  });

  it("falls back to console.error where the host has no reportError", async () => {
    vi.stubGlobal("reportError", undefined);
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const { rt, clock } = runtime(() => {
        throw new Error("the reporter broke");
      });
      rt.openNursery("fragile").startSoon(failAfter1);
      await settled(rt);
      clock.jump(1);
      await settled(rt);
      expect(rt.closed).toBe(false);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]![0])).toMatch(/onError reporter threw/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("a policy listener that throws", () => {
  it("counts each instance once, in the right bucket, and the other listeners still hear", async () => {
    const uncaught = captureUncaught();
    const heard: number[] = [];
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, function* ok(): Operation<string> {
          yield* sleep(1);
          return "fine";
        });
        p.subscribe(() => {
          throw new Error("listener broke");
        });
        p.subscribe(() => heard.push(p.state.succeededCount));
        const instance = p.perform();
        yield* instance.join();
        expect(instance.state).toBe("succeeded");
        expect(p.state).toMatchObject({ succeededCount: 1, failedCount: 0, cancelledCount: 0, lastValue: "fine", lastError: undefined });
        expect(p.state.isIdle).toBe(true);
      });
    });
    expect(heard).toEqual([0, 1]);
    expect(uncaught).toHaveLength(2);
    expect(uncaught[0]).toMatchObject({ message: "listener broke" });
  });

  it("does not make perform() or cancelAll() throw at the caller", async () => {
    captureUncaught();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, function* forever(): Operation<void> {
          yield* sleep(100);
        });
        p.subscribe(() => {
          throw new Error("listener broke");
        });
        const a = p.perform();
        yield* sleep(1);
        p.cancelAll("stop");
        yield* a.join();
        expect(a.state).toBe("cancelled");
        expect(p.state).toMatchObject({ cancelledCount: 1, failedCount: 0, succeededCount: 0 });
      });
    });
  });
});

describe("a run that ends under the runtime", () => {
  it("a task spawned on the runtime that raises ends the run; the runtime then refuses work instead of queueing it forever", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime((e, source) => errors.push(`${source}: ${String(e)}`));
    rt.spawn("bad", failAfter1);
    await settled(rt);
    clock.jump(1);
    await rt.done;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^the run of errors: .*kaboom/);
    expect(rt.closed).toBe(true);
    expect(() => rt.spawn("after", mark, [], "x", 1)).toThrow(/has ended: its run failed/);
    expect(() => rt.openNursery("n").startSoon(mark, [], "x", 1)).toThrow(/closed/);
  });

  it("an onError reporter that throws about the run's own failure does not leave a rejected done", async () => {
    const uncaught = captureUncaught();
    const { rt, clock } = runtime(() => {
      throw new Error("the reporter broke");
    });
    rt.spawn("bad", failAfter1);
    await settled(rt);
    clock.jump(1);
    await expect(rt.done).resolves.toBeUndefined();
    expect(uncaught).toHaveLength(1);
  });
});

describe("work started before its nursery is up", () => {
  it("a deferred start that throws is reported; the other deferred tasks still start", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime((e, source) => errors.push(`${source}: ${String(e)}`));
    const log: string[] = [];
    const n = rt.openNursery("eager");
    n.startSoon(mark, log, "first", 1);
    n.startSoonNamed("broken", (() => {
      throw new Error("no generator for you");
    }) as () => Operation<void>);
    n.startSoon(mark, log, "third", 1);
    await settled(rt);
    expect(errors).toEqual(["a task of eager: Error: no generator for you"]);
    clock.jump(1);
    await settled(rt);
    expect(log).toEqual(["done first", "finally first", "done third", "finally third"]);
  });

  it("the same on the runtime: the run survives a deferred start that throws", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime((e, source) => errors.push(`${source}: ${String(e)}`));
    const log: string[] = [];
    rt.spawn("broken", (() => {
      throw new Error("no generator for you");
    }) as () => Operation<void>);
    rt.spawn("fine", mark, log, "fine", 1);
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(rt.closed).toBe(false);
    expect(errors).toEqual(["the start of broken: Error: no generator for you"]);
    expect(log).toEqual(["done fine", "finally fine"]);
  });

  it("tasks started and then cancelled with cancelAll() in the same tick still run their finally blocks", async () => {
    const { rt, clock } = runtime(() => {});
    const log: string[] = [];
    const n = rt.openNursery("n");
    n.startSoon(mark, log, "doomed", 1);
    n.cancelAll("never mind");
    n.startSoon(mark, log, "kept", 1);
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(log).toEqual(["finally doomed", "done kept", "finally kept"]);
  });
});
