// A task woken by a deadline that comes due in the middle of a long batch runs
// ahead of the tasks already queued, instead of after all of them (issue 17:
// 10k sleepers behind 10k first steps woke up to a whole queue late).
import { describe, expect, it } from "vitest";
import { checkpoint, openNursery, run, sleep } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

describe("deadlines that come due during a batch", () => {
  it("a sleeper woken by a clock jump runs before the tasks queued ahead of it, and those keep their order", async () => {
    const clock = new MockClock();
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(1);
          log.push("sleeper");
        });
        n.startSoon(function* () {
          yield* checkpoint(); // let the sleeper park first
          clock.jump(1);
          log.push("jumper");
          yield* checkpoint();
          log.push("jumper again");
        });
        for (const name of ["b", "c", "d"]) {
          n.startSoon(function* () {
            yield* checkpoint();
            log.push(name);
          });
        }
      });
    }, clock);
    expect(log).toEqual(["jumper", "sleeper", "b", "c", "d", "jumper again"]);
  });

  it("several sleepers due at once keep their deadline order ahead of the queue", async () => {
    const clock = new MockClock();
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (const [name, d] of [["late", 0.3], ["early", 0.1], ["middle", 0.2]] as const) {
          n.startSoon(function* () {
            yield* sleep(d);
            log.push(name);
          });
        }
        n.startSoon(function* () {
          yield* checkpoint();
          clock.jump(1);
          yield* checkpoint();
          log.push("jumper");
        });
        n.startSoon(function* () {
          yield* checkpoint(); // queued behind the jumper when it jumps
          log.push("queued");
        });
      });
    }, clock);
    expect(log).toEqual(["early", "middle", "late", "queued", "jumper"]);
  });

  it("with the real clock, a short sleep wakes long before a queue of slow first steps is through", async () => {
    const order: string[] = [];
    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    await run(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(0.001);
          order.push("sleeper");
        });
        for (let i = 0; i < 100; i++) {
          n.startSoon(function* () {
            spin(0.2); // 100 first steps of 0.2 ms: 20 ms of queue
            order.push(`busy ${i}`);
          });
        }
      });
    });
    // Due after 1 ms, it is found at the batch's next look at the clock (every
    // few slow steps), not after the 100 steps queued before it woke.
    expect(order.indexOf("sleeper")).toBeGreaterThan(0);
    expect(order.indexOf("sleeper")).toBeLessThan(50);
  });
});
