/**
 * The cancellation rule: a caller's Cancelled is raised only once the worker
 * side has ended (its finally blocks ran) or the worker was terminated.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, moveOnAfter, openNursery, run, sleep, BrokenResourceError } from "../../src/index.js";
import { openWorker } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { caught, tracker, type WorkerTracker } from "./helpers.js";

function* untilLogged(t: WorkerTracker, line: string) {
  while (!t.logs.includes(line)) yield* sleep(0.005);
}

describe("cancelling a call", () => {
  it("cancels the worker's task; its finally runs there before the caller sees Cancelled", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (worker) {
        const scope = new CancelScope();
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            yield* untilLogged(t, "a:started");
            scope.cancel("moved on");
          });
          yield* scope.run(function* () {
            try {
              yield* worker.call("waitForCancel", ["a"]);
            } catch (e) {
              t.events.push(`caller:${e instanceof Cancelled ? "Cancelled" : String(e)}`);
              throw e;
            }
          });
        });
        expect(scope.cancelledCaught).toBe(true);
        // The worker survived: it answered, so it was not terminated.
        expect(worker.alive).toBe(true);
        expect(yield* worker.call("add", [1, 2])).toBe(3);
      });
    });
    expect(t.events).toEqual(["log:a:started", "log:a:finally", "caller:Cancelled", "exit:1"]);
  });

  it("a call whose worker task catches the cancellation returns its value", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (worker) {
        const scope = new CancelScope();
        let value: unknown;
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            yield* untilLogged(t, "cancelToValue:started");
            scope.cancel();
          });
          yield* scope.run(function* () {
            value = yield* worker.call("cancelToValue", []);
          });
        });
        expect(value).toBe("caught");
      });
    });
  });

  it("a spinning job is terminated after the grace period, and the caller's Cancelled comes after the exit", async () => {
    const t = await tracker("basic.worker");
    let caughtAt = 0;
    await run(function* () {
      yield* openWorker<BasicOps>(
        t.make(),
        function* (worker) {
          yield* moveOnAfter(0.1, function* () {
            try {
              yield* worker.call("spin", ["s"]);
            } catch (e) {
              caughtAt = performance.now();
              t.events.push(`caller:${e instanceof Cancelled ? "Cancelled" : String(e)}`);
              throw e;
            }
          });
          expect(worker.alive).toBe(false);
          const error = yield* caught(worker.call("add", [1, 2]));
          expect(error).toBeInstanceOf(BrokenResourceError);
          expect((error as Error).message).toMatch(/grace period of 0.3 s/);
        },
        { graceSeconds: 0.3 },
      );
    });
    expect(t.events).toEqual(["log:s:spinning", "exit:1", "caller:Cancelled"]);
    expect(caughtAt).toBeGreaterThan(0);
  });

  it("the grace period is measured: a spinning call ends about grace seconds after the cancel", async () => {
    const t = await tracker("basic.worker");
    let cancelAt = 0;
    let endAt = 0;
    await run(function* () {
      yield* openWorker<BasicOps>(
        t.make(),
        function* (worker) {
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* untilLogged(t, "g:spinning");
              cancelAt = performance.now();
              scope.cancel();
            });
            yield* scope.run(() => worker.call("spin", ["g"]));
            endAt = performance.now();
          });
        },
        { graceSeconds: 0.25 },
      );
    });
    const elapsed = endAt - cancelAt;
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(elapsed).toBeLessThan(2000);
  });

  it("graceSeconds 0 terminates at once, without asking", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(
        t.make(),
        function* (worker) {
          yield* moveOnAfter(0.05, () => worker.call("waitForCancel", ["z"]));
        },
        { graceSeconds: 0 },
      );
    });
    expect(t.logs).not.toContain("z:finally");
    expect(t.alive).toBe(0);
  });

  it("a call already cancelled raises at once and posts nothing", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (worker) {
        const scope = new CancelScope();
        scope.cancel();
        yield* scope.run(() => worker.call("waitForCancel", ["never"]));
        expect(scope.cancelledCaught).toBe(true);
        yield* sleep(0.05);
      });
    });
    expect(t.logs).not.toContain("never:started");
  });
});

describe("nothing left behind", () => {
  function timeouts(): number {
    return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  }

  it("a cancelled call answered within the grace period leaves no grace timer armed", async () => {
    const t = await tracker("basic.worker");
    let during = -1;
    await run(function* () {
      yield* openWorker<BasicOps>(
        t.make(),
        function* (worker) {
          const before = timeouts();
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* untilLogged(t, "n:started");
              scope.cancel();
            });
            yield* scope.run(() => worker.call("waitForCancel", ["n"]));
          });
          during = timeouts() - before;
        },
        { graceSeconds: 30 },
      );
    });
    expect(t.logs).toContain("n:finally");
    // At most what was there before (another test's timer may have expired meanwhile); the bug left one more.
    expect(during).toBeLessThanOrEqual(0);
  });
});

describe("closing", () => {
  it("cancelling the block around busy calls waits for the worker's cleanup, then leaves nothing", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (nursery) {
        nursery.startSoon(function* () {
          yield* untilLogged(t, "b1:started");
          yield* untilLogged(t, "b2:started");
          scope.cancel();
        });
        yield* scope.run(() =>
          openWorker<BasicOps>(t.make(), function* (worker) {
            yield* openNursery(function* (inner) {
              inner.startSoon(() => worker.call("waitForCancel", ["b1"]));
              inner.startSoon(() => worker.call("waitForCancel", ["b2"]));
            });
          }),
        );
      });
    });
    expect(t.logs).toEqual(expect.arrayContaining(["b1:finally", "b2:finally"]));
    expect(t.alive).toBe(0);
  });

  it("cancelling openWorker while the worker starts terminates it and waits for the exit", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* moveOnAfter(0.001, () => openWorker<BasicOps>(t.make(), function* () {
        throw new Error("never reached");
      }));
      t.events.push("returned");
    });
    expect(t.events).toEqual(["exit:1", "returned"]);
  });

  it("a call from outside the block still in flight when it closes gets ClosedResourceError", async () => {
    const t = await tracker("basic.worker");
    let error: unknown;
    await run(function* () {
      yield* openNursery(function* (outer) {
        yield* openWorker<BasicOps>(t.make(), function* (worker) {
          outer.startSoon(function* () {
            try {
              yield* worker.call("sleepThenAdd", [5, 1, 1]);
            } catch (e) {
              error = e;
            }
          });
          yield* sleep(0.05);
        });
      });
    });
    expect((error as Error).name).toBe("ClosedResourceError");
    expect((error as Error).message).toMatch(/block has ended/);
    expect(t.alive).toBe(0);
  });
});

describe("a call stepped by hand and dropped", () => {
  it("is cancelled in the worker as soon as its task goes on; the worker keeps serving", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (worker) {
        worker.call("waitForCancel", ["d"]).next();
        yield* untilLogged(t, "d:started");
        // Its task went on to sleep (untilLogged): that undid the wait, which cancelled the job.
        yield* untilLogged(t, "d:finally");
        expect(worker.alive).toBe(true);
        expect(yield* worker.call("add", [1, 2])).toBe(3);
      });
    });
    expect(t.events.slice(0, 2)).toEqual(["log:d:started", "log:d:finally"]);
  });
});
