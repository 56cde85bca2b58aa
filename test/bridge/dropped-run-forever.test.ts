/**
 * loop.runForever() stepped by hand (`g.next()`) and dropped, by a task
 * that then waits for something else: loop.stop() does not end that other
 * wait. Before, it did (a sleep(10) returned after 1 s).
 */
import { describe, expect, it } from "vitest";
import { CancelScope, checkpoint, currentTime, openNursery, sleep } from "../../src/core/index.js";
import { openLoop, waitFuture } from "../../src/bridge/index.js";
import { expectNoLeftovers, runKeep } from "./helpers.js";

describe("a loop.runForever() stepped by hand and dropped", () => {
  it("does not cut short the wait its task went on to", async () => {
    const kept = await runKeep(function* () {
      return yield* openLoop(function* (loop) {
        let slept = -1;
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            loop.runForever().next();
            const t0 = currentTime();
            yield* sleep(10);
            slept = currentTime() - t0;
          });
          yield* sleep(1);
          loop.stop();
        });
        return slept;
      });
    });
    expect(kept).toMatchObject({ ok: true, value: 10 });
    expectNoLeftovers(kept.runner);
  });

  it("a task waiting in runForever() properly is still woken by stop(), and leaves when cancelled", async () => {
    const kept = await runKeep(function* () {
      return yield* openLoop(function* (loop) {
        const record: string[] = [];
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* loop.runForever();
            record.push("stopped");
          });
          n.startSoon(function* () {
            const scope = new CancelScope({ relativeDeadline: 0.5 });
            yield* scope.run(() => loop.runForever());
            record.push(scope.cancelledCaught ? "cancelled" : "not cancelled");
          });
          yield* sleep(1);
          loop.stop();
        });
        return record;
      });
    });
    expect(kept).toMatchObject({ ok: true, value: ["cancelled", "stopped"] });
    expectNoLeftovers(kept.runner);
  });
});

describe("a Trio wait on the loop stepped by hand and dropped is undone when its task goes on", () => {
  it("runForever(): the task leaves the loop's list of stop waiters at once", async () => {
    const kept = await runKeep(function* () {
      return yield* openLoop(function* (loop) {
        // The list itself (private): what a dropped runForever() left behind, until a stop().
        const waiters = (loop as unknown as { stopWaiters: unknown[] }).stopWaiters;
        loop.runForever().next();
        const before = waiters.length;
        yield* checkpoint();
        return [before, waiters.length];
      });
    });
    expect(kept).toMatchObject({ ok: true, value: [1, 0] });
    expectNoLeftovers(kept.runner);
  });

  it("waitFuture(): the Future is cancelled, as it is when the wait is cancelled", async () => {
    const kept = await runKeep(function* () {
      return yield* openLoop(function* (loop) {
        const future = loop.createFuture<number>();
        waitFuture(future).next();
        yield* checkpoint();
        return future.cancelled();
      });
    });
    expect(kept).toMatchObject({ ok: true, value: true });
    expectNoLeftovers(kept.runner);
  });
});
