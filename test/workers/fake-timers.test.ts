/**
 * A user's test with vitest's fake timers on (vi.useFakeTimers()) that
 * cancels a call to a worker. The worker computes in real time, whatever
 * the page's timers say, so the grace period is real time too: a worker
 * that does not stop is terminated graceSeconds of real time after the
 * cancel, without the test advancing the fake timers (before, the grace
 * timer was a fake one, and the cancelled caller waited for ever).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Cancelled, CancelScope, openNursery, run, waitPromise } from "../../src/index.js";
import { openWorker } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { tracker, type WorkerTracker } from "./helpers.js";

// Taken before any test fakes them: a hang fails the test at once, not at its timeout.
const realSetTimeout = setTimeout;
function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | "hung"> {
  return Promise.race([p, new Promise<"hung">((resolve) => realSetTimeout(() => resolve("hung"), ms))]);
}

/** Resolves when the fixture has logged `line` (no timer: the fakes would hold it). */
function logged(t: WorkerTracker, line: string): Promise<void> {
  return new Promise((resolve) => t.workers[0]!.on("message", (data: { log?: unknown }) => data?.log === line && resolve()));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("workers under vi.useFakeTimers()", () => {
  it("a spinning call cancelled under fake timers is terminated after graceSeconds of real time", async () => {
    const t = await tracker("basic.worker");
    vi.useFakeTimers();
    const outcome = run(function* () {
      const worker = t.make();
      const spinning = logged(t, "f:spinning");
      return yield* openWorker<BasicOps, string>(
        worker,
        function* (handle) {
          const scope = new CancelScope();
          let caught = "nothing";
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* waitPromise(spinning);
              scope.cancel();
            });
            yield* scope.run(function* () {
              try {
                yield* handle.call("spin", ["f"]);
              } catch (e) {
                caught = e instanceof Cancelled ? "Cancelled" : String(e);
                throw e;
              }
            });
          });
          return caught;
        },
        { graceSeconds: 0.2 },
      );
    });
    expect(await settledWithin(outcome, 4000)).toBe("Cancelled");
    expect(t.alive).toBe(0);
  });
});
