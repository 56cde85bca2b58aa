/**
 * A Task's own fields are its memory at every spawn (8 bytes each in Node):
 * what few tasks use (a sleep's heap entry) lives in `extras`, and the run
 * is read through the task's nursery. These check the budget and that the
 * derived answers (runner, parentNursery, isSystem, a sleep's deadline)
 * are those the fields gave.
 */
import { describe, expect, it } from "vitest";
import { currentRun, currentTask, currentTime, inspector, openNursery, run, sleep, spawnSystemTask, type Task } from "../../src/index.js";

describe("Task fields", () => {
  it("a leaf task holds 16 own fields at most, none for sleep until it sleeps", async () => {
    const counts = await run(function* () {
      let fresh: Task | undefined;
      let sleeper: Task | undefined;
      yield* openNursery(function* (n) {
        fresh = n.startSoon(function* () {});
        sleeper = n.startSoon(function* () {
          yield* sleep(0.01);
        });
      });
      return { fresh: Object.keys(fresh!).length, sleeperExtras: sleeper!.extras !== null };
    });
    expect(counts.fresh).toBeLessThanOrEqual(16);
    expect(counts.sleeperExtras).toBe(true);
  });

  it("runner, parentNursery and isSystem read as before for main, child, started and system tasks", async () => {
    await run(function* () {
      const runner = currentRun();
      const main = currentTask();
      expect(main.runner).toBe(runner);
      expect(main.parentNursery).toBeNull();
      expect(main.isSystem).toBe(false);
      yield* openNursery(function* (n) {
        const child = n.startSoon(function* () {});
        expect(child.runner).toBe(runner);
        expect(child.parentNursery).toBe(n);
        expect(child.isSystem).toBe(false);
        const system = spawnSystemTask(function* () {});
        expect(system.isSystem).toBe(true);
        expect(system.parentNursery).toBe(runner.systemNursery);
        yield* n.start(function* (status) {
          expect(currentTask().parentNursery).not.toBe(n);
          status.started();
          expect(currentTask().parentNursery).toBe(n);
        });
      });
    });
  });

  it("a sleeping task's deadline still reaches the inspector", async () => {
    await run(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          yield* sleep(5);
        });
        yield* sleep(0);
        const seen = inspector.inspect().tasks.find((s) => s.id === t.id)!;
        expect(seen.waitingOn).toMatchObject({ kind: "sleep" });
        expect(seen.waitingOn!.deadline).toBeCloseTo(currentTime() + 5, 1);
        n.cancelScope.cancel();
      });
    });
  });
});
