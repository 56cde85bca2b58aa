/**
 * A lazy TrioRuntime owns nothing until it is given work: a runtime made in
 * a render that React throws away (StrictMode's second render, a dropped
 * concurrent render) gets no cleanup, so it must not own a run. Without
 * `lazy`, the run starts at once, as it always has.
 */
import { describe, expect, it } from "vitest";
import { sleep, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRuntime } from "../../src/components/index.js";
import { settled } from "./helpers.js";

function runNames(): string[] {
  return inspect().runs.map((r) => r.name);
}

describe("a lazy TrioRuntime starts its run with its first work", () => {
  it("a runtime nobody used owns no run, and close() settles done at once", async () => {
    const rt = new TrioRuntime({ name: "never-used", clock: new MockClock(), lazy: true });
    const nursery = rt.openNursery("idle");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runNames()).not.toContain("never-used");
    expect(rt.runner).toBeNull();
    expect(nursery.taskCount).toBe(0);
    await rt.close();
    expect(rt.closed).toBe(true);
    expect(() => rt.spawn("late", function* (): Operation<void> {})).toThrow(/is closed/);
  });

  it("the first startSoon starts the run; close() ends it and the work's finally runs", async () => {
    const log: string[] = [];
    const rt = new TrioRuntime({ name: "used-later", clock: new MockClock(), lazy: true });
    const nursery = rt.openNursery("owner");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runNames()).not.toContain("used-later");
    nursery.startSoon(function* work(): Operation<void> {
      try {
        yield* sleep(100);
      } finally {
        log.push("finally");
      }
    });
    await settled(rt);
    expect(runNames()).toContain("used-later");
    await rt.close();
    expect(log).toEqual(["finally"]);
    expect(runNames()).not.toContain("used-later");
  });

  it("without lazy, the run starts at once (the Preact root and existing code rely on it)", async () => {
    const rt = new TrioRuntime({ name: "eager", clock: new MockClock() });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runNames()).toContain("eager");
    expect(rt.runner).not.toBeNull();
    await rt.close();
    expect(runNames()).not.toContain("eager");
  });
});
