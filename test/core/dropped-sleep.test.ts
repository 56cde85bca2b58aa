/**
 * A sleep stepped by hand (`sleep(s).next()`) and dropped by a task that
 * then ends: its deadline leaves the heap with the task. Before, it stayed
 * until due: leftovers() counted it, and an autojumping MockClock jumped to
 * it as soon as the run was idle, though nothing waited for it.
 */
import { describe, expect, it } from "vitest";
import { Abort, currentRun, currentTask, currentTime, openNursery, reschedule, sleep, waitTaskRescheduled } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { runKeep } from "./helpers.js";

describe("a sleep stepped by hand and dropped", () => {
  it("leaves the heap when its task ends", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          sleep(1000).next();
        });
      });
      const size = currentRun().deadlines.size;
      // Idle on the host: the clock has nothing to jump to.
      const task = currentTask();
      setTimeout(() => reschedule(task), 5);
      yield* waitTaskRescheduled(() => Abort.FAILED);
      return [size, currentTime()];
    });
    expect(kept).toMatchObject({ ok: true, value: [0, 0] });
    expect(leftovers(kept.runner).deadlines).toBe(0);
  });
});
