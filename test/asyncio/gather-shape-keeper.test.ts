/**
 * The detached GatheringFuture gather.ts keeps from the first one on, so
 * that V8's optimized code for it survives a full GC (gather.ts,
 * keepShape): made on the loop keepers' detached loop, never done, and
 * holding nothing of the user's.
 */
import { describe, expect, it } from "vitest";
import { GatheringFuture, gather, sleep } from "../../src/asyncio/index.js";
import { gatherShapeKeeperNow } from "../../src/asyncio/gather.js";
import { runAio } from "./helpers.js";

describe("gather's shape keeper", () => {
  it("exists once a gather was made, on a loop of its own, pending and with no children", async () => {
    const secret = { secret: true };
    const result = await runAio(function* (loop) {
      const values = yield* gather(sleep(1, secret), sleep(2, 2));
      const kept = gatherShapeKeeperNow();
      expect(kept).toBeInstanceOf(GatheringFuture);
      expect(kept!.getLoop()).not.toBe(loop);
      expect(kept!.done()).toBe(false);
      expect(kept!.children).toEqual([]);
      return values[0];
    });
    expect(result).toBe(secret);
    // Still there, still pending, after the run: made once, for the page.
    expect(gatherShapeKeeperNow()!.done()).toBe(false);
  });
});
