/**
 * waitAllTasksBlocked() stepped by hand (`g.next()`) and dropped: the idle
 * watch passes over the wait. Before, it rescheduled the task anyway: a
 * task that had ended made it throw a TrioInternalError from a host timer
 * (an uncaught exception, and the run hung); one that had gone on to sleep
 * was woken at once (its sleep(10) took no time).
 */
import { describe, expect, it } from "vitest";
import { currentTime, openNursery, sleep } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { runKeep, settled } from "./helpers.js";

const CLEAN = { tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 };

describe("a waitAllTasksBlocked() stepped by hand and dropped", () => {
  it("by a task that then ends: the run goes on and settles", async () => {
    const kept = await settled(
      runKeep(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            waitAllTasksBlocked().next();
          });
          yield* sleep(1);
        });
        return currentTime();
      }),
    );
    expect(kept).not.toBe("hang");
    if (kept === "hang") return;
    expect(kept).toMatchObject({ ok: true, value: 1 });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("by a task that then sleeps: the sleep is not cut short", async () => {
    const kept = await settled(
      runKeep(function* () {
        let slept = -1;
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            waitAllTasksBlocked().next();
            const t0 = currentTime();
            yield* sleep(10);
            slept = currentTime() - t0;
          });
        });
        return slept;
      }),
    );
    expect(kept).not.toBe("hang");
    if (kept === "hang") return;
    expect(kept).toMatchObject({ ok: true, value: 10 });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });
});
