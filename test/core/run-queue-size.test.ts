import { describe, expect, it } from "vitest";
import { currentRun, openNursery, run, type Operation } from "../../src/index.js";

/** The capacity of the running run's queue (a private field, read for the test). */
function* queueCapacity(): Operation<number> {
  return (currentRun() as unknown as { queue: { capacity: number } }).queue.capacity;
}

function* spawnMany(n: number): Operation<void> {
  yield* openNursery(function* (nursery) {
    for (let i = 0; i < n; i++) nursery.startSoon(function* () {});
  });
}

describe("the run queue's size", () => {
  it("a run that spawned many tasks sizes the next run's queue, and a small run after it gets a small one", async () => {
    await run(spawnMany, 5000);
    // Sized by the run before: no growing while it spawns as many.
    expect(await run(queueCapacity)).toBeGreaterThanOrEqual(8192);
    // That run spawned one task: the next one starts small again.
    expect(await run(queueCapacity)).toBe(256);
  });
});
