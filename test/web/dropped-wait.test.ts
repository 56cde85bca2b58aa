/**
 * waitEvent stepped by hand (`g.next()`) and dropped, by a task that then
 * waits for something else: the event, when it comes, does not wake that
 * other wait. Before, it did (a sleep(10) returned after 1 s, with the
 * Event as its value).
 */
import { describe, expect, it } from "vitest";
import { currentTime, openNursery, runWith, sleep } from "../../src/core/index.js";
import { waitEvent } from "../../src/web/index.js";
import { MockClock } from "../../src/testing/index.js";

describe("a waitEvent stepped by hand and dropped", () => {
  it("does not cut short the wait its task went on to", async () => {
    const target = new EventTarget();
    const slept = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      let slept = -1;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          waitEvent(target, "ping").next();
          const t0 = currentTime();
          yield* sleep(10);
          slept = currentTime() - t0;
        });
        yield* sleep(1);
        target.dispatchEvent(new Event("ping"));
      });
      return slept;
    });
    expect(slept).toBe(10);
  });
});
