/**
 * Which tasks ran in each batch: recorded only while a subscriber asks
 * (`batchTasks`), bounded, and with no one asking the runs carry no
 * instrument (their uninstrumented path stays).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Event, checkpoint, currentTask, inspector, openNursery, run, sleep } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";
import { MAX_BATCH_TASKS } from "../../src/inspect/batch-tasks.js";
import type { Runner } from "../../src/core/runner.js";

afterEach(() => {
  expect(observer.current).toBe(null);
});

function runnerOf(): Runner {
  return currentTask().runner as unknown as Runner;
}

// Frames flushed by hand, one list for every subscriber (the inspector flushes all of them at once).
const pending: (() => void)[] = [];

/** Collects the batches the subscription delivers. */
function collect(options: inspector.SubscribeOptions) {
  const batches: inspector.BatchRecord[] = [];
  const unsubscribe = inspector.subscribe((u) => batches.push(...u.batches), { ...options, scheduleFrame: (f) => void pending.push(f) });
  return {
    batches,
    flush: () => {
      for (const f of pending.splice(0)) f();
    },
    unsubscribe,
  };
}

describe("tasks per batch", () => {
  it("lists the tasks that stepped in each batch while asked, and installs nothing otherwise", async () => {
    const plain = collect({});
    const asked = collect({ batchTasks: true });
    const names = new Map<number, string>();
    const go = new Event();
    let instrumentsWhileAsked: unknown = undefined;
    let instrumentsAfter: unknown = "unset";
    await run(function* () {
      instrumentsWhileAsked = runnerOf().instruments;
      yield* openNursery(function* (n) {
        for (const name of ["alpha", "beta"]) {
          n.startSoonNamed(name, function* () {
            names.set(currentTask().id, name);
            yield* go.wait();
            yield* checkpoint();
          });
        }
        yield* checkpoint();
        go.set();
      });
      yield* sleep(0.001); // ends this batch: its record is buffered
      asked.flush();
      asked.unsubscribe();
      yield* checkpoint();
      instrumentsAfter = runnerOf().instruments;
    });
    plain.flush();
    plain.unsubscribe();
    expect(instrumentsWhileAsked).not.toBeNull();
    expect(instrumentsAfter).toBeNull(); // removed when the asker left
    const withTasks = asked.batches.filter((b) => b.taskIds !== undefined && b.taskIds.length > 0);
    expect(withTasks.length).toBeGreaterThan(0);
    const seen = new Set(withTasks.flatMap((b) => b.taskIds!.map((id) => names.get(id))));
    expect(seen.has("alpha") && seen.has("beta")).toBe(true);
    for (const b of withTasks) expect(new Set(b.taskIds).size).toBe(b.taskIds!.length); // distinct
    // The other subscriber's batches (the same buffer) carry the ids too; before anyone asks, none.
    const before = collect({});
    await run(function* () {
      expect(runnerOf().instruments).toBeNull();
      yield* checkpoint();
    });
    before.flush();
    before.unsubscribe();
    expect(before.batches.length).toBeGreaterThan(0);
    expect(before.batches.every((b) => b.taskIds === undefined)).toBe(true);
  });

  it("keeps the first MAX_BATCH_TASKS distinct tasks of a batch and counts the rest", async () => {
    const asked = collect({ batchTasks: true });
    const n = MAX_BATCH_TASKS + 20;
    await run(function* () {
      yield* openNursery(function* (nursery) {
        for (let i = 0; i < n; i++) nursery.startSoon(function* () {});
      });
    });
    asked.flush();
    asked.unsubscribe();
    const widest = asked.batches.reduce((a, b) => ((b.taskIds?.length ?? 0) + (b.moreTasks ?? 0) > (a.taskIds?.length ?? 0) + (a.moreTasks ?? 0) ? b : a));
    expect(widest.taskIds).toHaveLength(MAX_BATCH_TASKS);
    expect(widest.moreTasks).toBeGreaterThan(0);
    expect(MAX_BATCH_TASKS + widest.moreTasks!).toBeLessThanOrEqual(n + 1);
  });

  it("instruments a run that starts while asked", async () => {
    const asked = collect({ batchTasks: true });
    let instruments: unknown = null;
    await run(function* () {
      instruments = runnerOf().instruments;
      yield* checkpoint();
    });
    asked.unsubscribe();
    expect(instruments).not.toBeNull();
  });
});
