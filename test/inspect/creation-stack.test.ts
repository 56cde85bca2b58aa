/**
 * Creation stacks reach past the scheduler: V8 keeps 10 frames by default,
 * and a spawn sits under the recorder and the scheduler's own frames, so
 * the inspector raises the limit for that one capture (and puts it back).
 */
import { afterEach, expect, it } from "vitest";
import { inspector, openNursery, run, sleepForever, type Nursery } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";

afterEach(() => {
  expect(observer.current).toBe(null);
});

function deep(n: number, nursery: Nursery): void {
  if (n === 0) nursery.startSoonNamed("deep", sleepForever);
  else deep(n - 1, nursery);
}

it("keeps up to 40 frames, whatever Error.stackTraceLimit says, and leaves the limit as it was", async () => {
  const before = Error.stackTraceLimit;
  Error.stackTraceLimit = 10;
  const unsubscribe = inspector.subscribe(() => {}, { captureStacks: true, scheduleFrame: () => {} });
  try {
    let stack: string | undefined;
    await run(function* () {
      yield* openNursery(function* (n) {
        deep(15, n);
        const id = inspector.inspect().tasks.find((t) => t.name === "deep")!.id;
        stack = inspector.creationStack(id);
        n.cancelScope.cancel();
      });
    });
    const frames = stack!.split("\n").filter((l) => l.trim().startsWith("at "));
    expect(frames.length).toBeGreaterThan(20);
    expect(frames.length).toBeLessThanOrEqual(40);
    expect(frames.filter((l) => /\bdeep\b/.test(l)).length).toBe(16); // every level of the caller's recursion
    expect(Error.stackTraceLimit).toBe(10);
  } finally {
    unsubscribe();
    Error.stackTraceLimit = before;
  }
});
