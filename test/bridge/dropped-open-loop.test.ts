/**
 * openLoop stepped by hand (`g.next()`) and dropped: the finally that
 * closes the loop never runs, so the loop is closed from a task of its own
 * when the task that dropped it ends. Before, the loop's shielded host task
 * kept the run waiting forever (the run never settled).
 */
import { describe, expect, it } from "vitest";
import { RuntimeError, openNursery, sleep } from "../../src/core/index.js";
import { openLoop } from "../../src/bridge/index.js";
import { sleep as aioSleep } from "../../src/asyncio/index.js";
import { expectNoLeftovers, runKeep } from "./helpers.js";
import { leaves, settled } from "../core/helpers.js";

/** Resolves with `p`'s value, or "hang" if it has not settled within a second of real time. */

describe("an openLoop stepped by hand and dropped", () => {
  it("is closed when its task ends: its asyncio tasks are cancelled (their finally runs) and the run settles", async () => {
    const record: string[] = [];
    const kept = await settled(
      runKeep(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            openLoop(function* (loop) {
              loop.createTask(
                (function* () {
                  try {
                    yield* aioSleep(100);
                  } finally {
                    record.push("asyncio finally");
                  }
                })(),
              );
              yield* sleep(1);
            }).next();
            yield* sleep(0.5);
          });
        });
        return "ok";
      }),
    );
    expect(kept).not.toBe("hang");
    if (kept === "hang") return;
    expect(record).toEqual(["asyncio finally"]);
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value).map((e) => e instanceof RuntimeError && /stepped by hand/.test(e.message))).toEqual([true]);
    expectNoLeftovers(kept.runner);
  });

  it("an asyncio error nobody retrieved reaches the run's outcome", async () => {
    const boom = new RangeError("asyncio boom");
    const kept = await settled(
      runKeep(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            openLoop(function* (loop) {
              loop.createTask(
                (function* () {
                  yield* aioSleep(0.1);
                  throw boom;
                })(),
              );
              yield* sleep(1);
            }).next();
            yield* sleep(0.5);
          });
        });
        return "ok";
      }),
    );
    expect(kept).not.toBe("hang");
    if (kept === "hang") return;
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value)).toContain(boom);
    expectNoLeftovers(kept.runner);
  });
});

describe("an openLoop whose body raised, dropped while it closed the loop", () => {
  it("its body's error reaches the task's outcome (it lived only in the dropped frame)", async () => {
    const boom = new RangeError("body boom");
    const kept = await settled(
      runKeep(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            const block = openLoop(function* (loop) {
              loop.createTask(aioSleep(100));
              throw boom;
            });
            // Runs the body, which raises; the block then yields while it closes the loop.
            expect(block.next().done).toBe(false);
            yield* sleep(0.5);
          });
        });
        return "ok";
      }),
    );
    expect(kept).not.toBe("hang");
    if (kept === "hang") return;
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value)).toContain(boom);
    expectNoLeftovers(kept.runner);
  });
});
