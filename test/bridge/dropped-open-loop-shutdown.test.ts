/**
 * openLoop stepped by hand into its shutdown (whose scope is shielded) and
 * dropped, while the task goes on to wait for something else: the stale
 * shield kept every cancellation from that wait, so a deadline around it,
 * or its nursery's cancellation, never reached it and the run hung. The
 * new wait now returns from the dropped shutdown frame
 * (returnDroppedShields, test/core/dropped-shield.test.ts), and the loop is
 * closed, as for any dropped openLoop, by a task of its own.
 */
import { describe, expect, it } from "vitest";
import { currentTask, moveOnAfter, openNursery, sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { openLoop } from "../../src/bridge/index.js";
import { sleep as aioSleep } from "../../src/asyncio/index.js";
import { expectNoLeftovers, runKeep } from "./helpers.js";
import { leaves, within } from "../core/helpers.js";

/**
 * Steps openLoop by hand, passing each yield on as `yield*` would, until
 * it waits in its shutdown (for an asyncio task's finally), then drops it.
 */
function* dropInShutdown(record: string[]): Operation<void> {
  const g = openLoop(function* (loop) {
    loop.createTask(
      (function* () {
        try {
          yield* aioSleep(100);
        } finally {
          record.push("asyncio finally");
          yield* aioSleep(0.5);
          record.push("asyncio finally done");
        }
      })(),
    );
    // Let the asyncio task start; then the block goes into its shutdown.
    yield* sleep(0.1);
  });
  let r = g.next();
  while (r.done !== true && !currentTask().scope.shield) r = g.next(yield r.value);
  expect(r.done).toBe(false);
}

describe("an openLoop dropped in its shutdown", () => {
  it("a deadline around it reaches the task's next wait; the loop is still closed and its tasks' finally blocks finish", async () => {
    const record: string[] = [];
    const kept = await within(
      runKeep(function* () {
        const outer = yield* moveOnAfter(1, function* () {
          yield* dropInShutdown(record);
          yield* sleepForever();
        });
        record.push(`moved on: ${String(outer)}`);
        return "done";
      }),
    );
    expect(kept).toMatchObject({ ok: true, value: "done" });
    expect(record).toContain("moved on: undefined");
    expect(record).toContain("asyncio finally done");
    expectNoLeftovers(kept.runner);
  });

  it("the nursery's cancellation reaches it: a sibling's error ends the run", async () => {
    const record: string[] = [];
    const kept = await within(
      runKeep(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* dropInShutdown(record);
            yield* sleepForever();
          });
          n.startSoon(function* () {
            yield* sleep(1);
            throw new Error("sibling boom");
          });
        });
      }),
    );
    expect(kept.ok).toBe(false);
    expect(leaves(kept.value).map((e) => (e as Error).message)).toContain("sibling boom");
    expectNoLeftovers(kept.runner);
  });
});
