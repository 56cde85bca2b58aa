/**
 * waitEvent stepped by hand (`g.next()`) and dropped, by a task that then
 * waits for something else: the event, when it comes, does not wake that
 * other wait. Before, it did (a sleep(10) returned after 1 s, with the
 * Event as its value).
 */
import { describe, expect, it } from "vitest";
import { checkpoint, currentTime, openNursery, runWith, sleep } from "../../src/core/index.js";
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

describe("a waitEvent stepped by hand and dropped removes its listener as soon as its task goes on", () => {
  it("to a checkpoint, or to its end", async () => {
    const target = new EventTarget();
    let listening = 0;
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (...args: Parameters<EventTarget["addEventListener"]>) => {
      listening++;
      add(...args);
    };
    target.removeEventListener = (...args: Parameters<EventTarget["removeEventListener"]>) => {
      listening--;
      remove(...args);
    };
    const counts = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      const counts: number[] = [];
      waitEvent(target, "ping").next();
      counts.push(listening);
      yield* checkpoint();
      counts.push(listening);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          waitEvent(target, "ping").next();
        });
      });
      counts.push(listening);
      return counts;
    });
    expect(counts).toEqual([1, 0, 0]);
  });
});
