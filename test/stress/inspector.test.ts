/**
 * Stress with the inspector attached: four thousand tasks and an asyncio
 * loop run while a subscriber listens (on the default frame scheduler, a
 * real host timer). The feed must report every task exactly once as spawned
 * and once as exited, the final state must show nothing live, and once the
 * listener leaves, the observer is detached and no frame timer is left.
 */
import { describe, expect, it } from "vitest";
import { aioAsTrio, asyncio, inspector, openLoop, openNursery, sleep, type Operation } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";
import { activeHostTimers, expectClean, runKeep, scaled } from "./helpers.js";

const TASKS = scaled(4000);
// The feed buffers at most 20,000 events between two frames (then keeps the
// newest 10,000, by design): exact counts are only promised below that.
const EXACT = TASKS * 2 < 18_000;

describe(`the inspector attached during ${TASKS} tasks`, () => {
  it("every task is reported spawned once and exited once; nothing is left when the listener leaves", async () => {
    const timers = activeHostTimers();
    const spawned = new Map<string, number>();
    const exited = new Map<string, number>();
    let updates = 0;
    let lastSnapshotRuns = -1;
    const stop = inspector.subscribe((u) => {
      updates++;
      for (const e of u.events) {
        const map = e.kind === "spawn" ? spawned : e.kind === "exit" ? exited : null;
        if (map !== null && e.name.startsWith("w")) map.set(e.name, (map.get(e.name) ?? 0) + 1);
      }
      if (u.full !== undefined) lastSnapshotRuns = u.full.runs.length;
    });
    const kept = await runKeep(function* (): Operation<number> {
      let sum = 0;
      yield* openNursery(function* (n) {
        for (let i = 0; i < TASKS; i++) {
          n.startSoonNamed(`w${i}`, function* () {
            yield* sleep((i % 100) / 100);
            sum++;
          });
        }
        n.startSoon(function* () {
          const v = yield* openLoop(() =>
            aioAsTrio(function* (): asyncio.Coroutine<number> {
              yield* asyncio.sleep(0.5);
              return 1;
            })(),
          );
          sum += v - 1;
        });
      });
      return sum;
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe(TASKS);
    // Let the feed catch up with the end of the run (frames come on a ~16 ms timer).
    for (let i = 0; i < 20 && (exited.size < TASKS || inspector.inspect().runs.length > 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
    stop();
    expect(updates).toBeGreaterThan(0);
    expect(lastSnapshotRuns).toBeGreaterThanOrEqual(0);
    if (EXACT) {
      expect(spawned.size).toBe(TASKS);
      expect(exited.size).toBe(TASKS);
    }
    expect([...spawned.values()].every((c) => c === 1)).toBe(true);
    expect([...exited.values()].every((c) => c === 1)).toBe(true);
    const snap = inspector.inspect();
    expect(snap.runs).toEqual([]);
    expect(snap.loops).toEqual([]);
    expect(inspector.subscriberCount()).toBe(0);
    expect(observer.current).toBe(null);
    // The last frame timer fires or is dropped: none stays armed.
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(activeHostTimers()).toBeLessThanOrEqual(timers);
    expectClean(kept.runner, timers);
  });
});
