/**
 * The detached instances the runner keeps so that V8's optimized code
 * survives a full GC between runs (runner.ts, keepShapes): made after each
 * run, they give back the ids they took, stay out of the inspector, and
 * hold nothing of the user's.
 */
import { describe, expect, it } from "vitest";
import { currentRun, inspector, openNursery, run, sleep } from "../../src/index.js";
import { shapeKeepersNow } from "../../src/core/runner.js";
import { Task } from "../../src/core/task.js";

describe("shape keepers", () => {
  it("take no ids: a run's tasks, scopes and runs number on from the previous run's", async () => {
    const ids = async () =>
      run(function* () {
        let childId = 0;
        yield* openNursery(function* (n) {
          childId = n.startSoon(function* () {}).id;
        });
        const task = inspector.inspect().tasks.find((t) => t.id === childId - 1);
        return { runId: currentRun().id, mainId: task?.id ?? -1, childId, scopeIds: inspector.inspect().scopes.map((s) => s.id) };
      });
    const first = await ids();
    const second = await ids();
    expect(second.runId).toBe(first.runId + 1);
    // The second run's main task comes right after the first run's last task.
    expect(second.mainId).toBe(first.childId + 1);
    expect(Math.min(...second.scopeIds)).toBeGreaterThan(Math.max(...first.scopeIds));
  });

  it("are made after a run, are not listed by the inspector, and hold none of the user's values", async () => {
    const secret = { secret: true };
    await run(function* () {
      yield* sleep(0);
      return secret;
    });
    const kept = shapeKeepersNow();
    expect(kept.length).toBeGreaterThan(0);
    const task = kept.find((o): o is Task => o instanceof Task)!;
    expect(task.name).toBe("shape keeper");
    expect(inspector.inspect().runs).toEqual([]);
    // Nothing the user gave is reachable from them (a shallow look at every field, two levels deep).
    const seen = new Set<unknown>();
    const walk = (value: unknown, depth: number) => {
      if (value === null || typeof value !== "object" || seen.has(value) || depth > 2) return;
      seen.add(value);
      expect(value).not.toBe(secret);
      for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], depth + 1);
    };
    for (const o of kept) walk(o, 0);
  });
});
