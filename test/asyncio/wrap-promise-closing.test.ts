/**
 * wrapPromise's Promise settling while the loop stops: its outcome has no
 * loop left to run on, and must be dropped quietly. It was handed to
 * callSoonThreadsafe whenever the loop was not yet closed, but callSoon
 * refuses earlier (once the host has stopped running callbacks, before the
 * shutdown marks the loop closed, or once the drain refused callbacks), so
 * a Promise settling in that window left an unhandled rejection
 * ("callSoon() on a closed event loop") to the host; seen as a flaky
 * hostile-arguments test under CPU load.
 */
import { describe, expect, it } from "vitest";
import { runWith } from "../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { EventLoop, Future } from "../../src/asyncio/index.js";
import { MockClock } from "../../src/testing/index.js";
import { takeHostErrors } from "../setup-unhandled.js";

describe("wrapPromise when its Promise settles as the loop stops", () => {
  for (const outcome of ["resolves", "rejects"] as const) {
    it(`a Promise that ${outcome} after the loop refused callbacks, before it is marked closed: dropped, nothing reaches the host`, async () => {
      let settle!: () => void;
      const promise = new Promise<string>((resolve, reject) => {
        settle = () => (outcome === "resolves" ? resolve("late") : reject(new Error("late")));
      });
      let wrapped: Future<string> | null = null;
      let loop: EventLoop | null = null;
      const reported: unknown[] = [];
      // A tiny time slice: the host's last step ends the batch, so the Promise's callbacks run before the shutdown resumes.
      await runWith({ clock: new MockClock({ autojumpThreshold: 0 }), timeSlice: 1e-9 }, function* () {
        yield* openLoop(function* (l) {
          loop = l;
          l.setExceptionHandler((_, context) => {
            reported.push(context.exception);
            // The drain has just refused the ticker: the loop takes no more callbacks from here on.
            settle();
          });
          yield* aioAsTrio(function* () {
            wrapped = asyncio.wrapPromise(promise);
            const tick = (): void => {
              l.callSoon(tick);
            };
            l.callSoon(tick);
            yield* asyncio.sleep(0);
          })();
        });
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(takeHostErrors()).toEqual([]);
      expect(reported).toHaveLength(1);
      expect(String(reported[0])).toMatch(/callSoon\(\) refused: the loop is closing/);
      expect(loop!.isClosed()).toBe(true);
      // Nothing could complete it: it stays pending (a waitFuture on it is refused, naming the closed loop).
      expect(wrapped!.done()).toBe(false);
    });
  }
});
