/**
 * nursery.start() stepped by hand (`g.next()`) and dropped: the start it
 * holds open on the target nursery is released when its task ends (its
 * finally never runs). Before, the target nursery waited for that start
 * forever and the run hung.
 */
import { describe, expect, it } from "vitest";
import { RuntimeError, openNursery, sleep, type Nursery, type TaskStatus } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { leaves, runKeep, settled } from "./helpers.js";

const CLEAN = { tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 };

/** runKeep, or "hang" if the run has not settled within a second of real time. */

describe("a nursery.start() stepped by hand and dropped", () => {
  it("by a task that then ends: the run settles with the task's RuntimeError", async () => {
    const kept = await settled(
      runKeep(function* () {
        yield* openNursery(function* (outer) {
          outer.startSoon(function* () {
            outer
              .start(function* (status: TaskStatus<number>) {
                yield* sleep(1);
                status.started(1);
              })
              .next();
          });
        });
        return "ok";
      }),
    );
    expect(kept).not.toBe("hang");
    if (kept === "hang") return;
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value).map((e) => e instanceof RuntimeError && /stepped by hand/.test(e.message))).toEqual([true]);
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("by a task that then waits elsewhere: the child started meanwhile is the target's, and the run ends when both do", async () => {
    const record: string[] = [];
    const kept = await settled(
      runKeep(function* () {
        yield* openNursery(function* (outer) {
          outer.startSoon(function* () {
            outer
              .start(function* (status: TaskStatus<number>) {
                yield* sleep(1);
                status.started(1);
                yield* sleep(2);
                record.push("child done");
              })
              .next();
            yield* sleep(5);
            record.push("caller done");
          });
        });
        return "ok";
      }),
    );
    expect(kept).not.toBe("hang");
    if (kept === "hang") return;
    expect(record).toEqual(["child done", "caller done"]);
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value).map((e) => e instanceof RuntimeError)).toEqual([true]);
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("the child's error before started() is not lost", async () => {
    const boom = new RangeError("early boom");
    const kept = await settled(
      runKeep(function* () {
        yield* openNursery(function* (outer) {
          outer.startSoon(function* () {
            outer
              .start(function* () {
                yield* sleep(1);
                throw boom;
              })
              .next();
            yield* sleep(5);
          });
        });
        return "ok";
      }),
    );
    expect(kept).not.toBe("hang");
    if (kept === "hang") return;
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value)).toContain(boom);
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("return() and then the task's end release the start once", async () => {
    let target: Nursery | null = null;
    const kept = await settled(
      runKeep(function* () {
        yield* openNursery(function* (outer) {
          target = outer;
          outer.startSoon(function* () {
            const g = outer.start(function* (status: TaskStatus<number>) {
              yield* sleep(1);
              status.started(1);
            });
            g.next();
            g.return(0);
          });
        });
        return "ok";
      }),
    );
    expect(kept).not.toBe("hang");
    expect(target!.pendingStarts).toBe(0);
  });
});
