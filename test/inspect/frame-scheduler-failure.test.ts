/**
 * A `scheduleFrame` that inspector.subscribe accepted and that throws
 * later: the inspector is driven from the runtime's hooks and a worker's
 * exit, where that error would reach no one who can act. It is reported
 * once, the program goes on, and updates go on at the default pace rather
 * than stopping for good (the pending-flush flag stayed set before).
 */
import { afterEach, expect, it, vi } from "vitest";
import { inspector, run, sleep } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";

afterEach(() => {
  vi.restoreAllMocks();
  expect(observer.current).toBe(null);
});

it("a scheduleFrame that starts throwing is reported once and updates go on at the default pace", async () => {
  const errors = vi.spyOn(console, "error").mockImplementation(() => {});
  let calls = 0;
  const pending: (() => void)[] = [];
  const updates: inspector.InspectorUpdate[] = [];
  const stop = inspector.subscribe((update) => void updates.push(update), {
    scheduleFrame: (flush) => {
      calls++;
      if (calls > 1) throw new Error("frames are gone");
      pending.push(flush);
    },
  });
  try {
    // The first flush (the subscriber's full picture) on the accepted scheduler.
    pending.splice(0).forEach((f) => f());
    expect(updates.length).toBe(1);
    // The run's hooks mark the inspector dirty; the scheduler now throws there.
    await run(function* () {
      yield* sleep(0.001);
    });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]![0])).toContain("scheduleFrame given to inspector.subscribe threw");
    // The default pace (a 16 ms timer in Node) delivers what the run did.
    await vi.waitFor(() => expect(updates.some((u) => u.batches.length > 0)).toBe(true), { timeout: 2000 });
    expect(errors).toHaveBeenCalledTimes(1);
  } finally {
    stop();
  }
});
