/**
 * Faults of the host: Promises that never settle or reject too late,
 * AbortSignals that are already aborted, a host without MessageChannel or
 * setImmediate, and timers that fire late (a hidden page throttles them; a
 * long task blocks them).
 *
 * The checks: a deadline always wins over a Promise that never settles, and
 * nothing is left (no task, deadline, timer or abort listener); late
 * deadlines are all honoured, in deadline order, on the next batch; the
 * macrotask fallback works and warns once; and no path leaves an unhandled
 * rejection (each test listens for one itself, on top of the suite-wide
 * check in test/setup-unhandled.ts).
 */
import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CancelScope,
  Cancelled,
  TooSlowError,
  abortable,
  aioAsTrio,
  asyncio,
  checkpoint,
  currentStatistics,
  currentTime,
  failAfter,
  moveOnAfter,
  openLoop,
  openNursery,
  sleep,
  sleepForever,
  sleepUntil,
  waitPromise,
  withAbortSignal,
  type Operation,
} from "../../src/index.js";
import { setHostMacrotask } from "../../src/core/host.js";
import { MockClock } from "../../src/testing/index.js";
import { expectClean, expectUsable, runKeep } from "./helpers.js";

let rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeEach(() => {
  rejections = [];
  process.on("unhandledRejection", onRejection);
});
afterEach(() => {
  process.off("unhandledRejection", onRejection);
  vi.restoreAllMocks();
});

/** Lets Node report unhandled rejections (it does so after the microtask queue drains). */
async function hostTurns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

const never = <T>() => new Promise<T>(() => {});

describe("a Promise that never settles, under a deadline", () => {
  it("waitPromise: moveOnAfter wins, nothing is left", async () => {
    let caught = false;
    const kept = await runKeep(function* () {
      const r = yield* moveOnAfter(5, function* (scope) {
        try {
          return yield* waitPromise(never<number>());
        } finally {
          caught = scope.cancelCalled;
        }
      });
      return { r, time: currentTime() };
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toEqual({ r: undefined, time: 5 });
    expect(caught).toBe(true);
    expectClean(kept.runner);
  });

  it("waitPromise on the real clock: failAfter raises TooSlowError, nothing is left", async () => {
    const kept = await runKeep(
      function* () {
        yield* failAfter(0.01, function* () {
          yield* waitPromise(never<number>());
        });
      },
      { clock: undefined },
    );
    expect(kept.ok).toBe(false);
    expect(kept.value).toBeInstanceOf(TooSlowError);
    expectClean(kept.runner);
  });

  it("abortable whose work honours its signal: the deadline aborts it, the signal's reason is the Cancelled", async () => {
    let reason: unknown = null;
    let listenersAfter = -1;
    const kept = await runKeep(function* () {
      return yield* moveOnAfter(2, function* () {
        return yield* abortable(
          (signal) =>
            new Promise<number>((_resolve, reject) => {
              signal.addEventListener("abort", () => {
                reason = signal.reason;
                reject(signal.reason as Error);
                listenersAfter = getEventListeners(signal, "abort").length;
              }, { once: true });
            }),
        );
      });
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBeUndefined();
    expect(reason).toBeInstanceOf(Cancelled);
    expect(listenersAfter).toBe(0);
    expectClean(kept.runner);
  });

  it("a thousand never-settling waits in one nursery, all cancelled: nothing is left", async () => {
    const finallies = new Uint8Array(1000);
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        yield* openNursery(function* (n) {
          for (let i = 0; i < 1000; i++) {
            n.startSoon(function* () {
              try {
                yield* waitPromise(never());
              } finally {
                finallies[i]!++;
              }
            });
          }
        });
      });
    });
    expect(kept.ok).toBe(true);
    expect(finallies.every((c) => c === 1)).toBe(true);
    expectClean(kept.runner);
  });
});

describe("Promises that reject after nobody waits any more: no unhandled rejection", () => {
  it("waitPromise abandoned by cancellation, then the Promise rejects", async () => {
    let reject!: (e: Error) => void;
    const p = new Promise<number>((_res, rej) => (reject = rej));
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        yield* waitPromise(p);
      });
    });
    expect(kept.ok).toBe(true);
    reject(new Error("too late"));
    await hostTurns();
    expect(rejections).toEqual([]);
    expectClean(kept.runner);
  });

  it("abortable's work rejects after the run ended", async () => {
    let reject!: (e: Error) => void;
    const kept = await runKeep(function* () {
      yield* moveOnAfter(1, function* () {
        yield* abortable(
          (signal) =>
            new Promise<void>((res, rej) => {
              reject = rej;
              signal.addEventListener("abort", () => res(), { once: true });
            }),
        );
      });
    });
    expect(kept.ok).toBe(true);
    reject(new Error("too late"));
    await hostTurns();
    expect(rejections).toEqual([]);
  });

  it("asyncio wrapPromise whose Promise rejects after the loop closed", async () => {
    let reject!: (e: Error) => void;
    const p = new Promise<number>((_res, rej) => (reject = rej));
    const kept = await runKeep(() =>
      moveOnAfter(1, () =>
        openLoop(function* (): Operation<void> {
          yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
            yield* asyncio.wrapPromise(p);
          })();
        }),
      ),
    );
    expect(kept.ok).toBe(true);
    reject(new Error("too late"));
    await hostTurns();
    expect(rejections).toEqual([]);
    expectClean(kept.runner);
  });

  it("a Future with an exception awaited through then() from plain code, and one never awaited", async () => {
    let awaited: unknown = null;
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        const f = loop.createFuture<number>();
        f.then(undefined, (e: unknown) => (awaited = e));
        f.setException(new Error("seen by then()"));
        yield* sleep(1);
      }),
    );
    expect(kept.ok).toBe(true);
    await hostTurns();
    expect((awaited as Error).message).toBe("seen by then()");
    expect(rejections).toEqual([]);
  });
});

describe("an AbortSignal that is already aborted", () => {
  it("cancelOn: the scope is cancelled at once, with the signal's reason, and adds no listener", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    const kept = await runKeep(function* () {
      const scope = new CancelScope();
      scope.cancelOn(controller.signal);
      let reached = false;
      yield* scope.run(function* () {
        yield* checkpoint();
        reached = true;
      });
      return { reached, caught: scope.cancelledCaught, reason: scope.cancelReason };
    });
    expect(kept.value).toEqual({ reached: false, caught: true, reason: "signal aborted: gone" });
    expect(getEventListeners(controller.signal, "abort").length).toBe(0);
    expectClean(kept.runner);
  });

  it("withAbortSignal: the body is cancelled at its first checkpoint and returns undefined", async () => {
    const controller = new AbortController();
    controller.abort();
    const kept = await runKeep(function* () {
      return yield* withAbortSignal(controller.signal, function* () {
        yield* sleep(1);
        return "not reached";
      });
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBeUndefined();
    expectClean(kept.runner);
  });

  it("abortable inside an already-cancelled scope: the work gets an aborted signal before it starts", async () => {
    let abortedAtStart: boolean | null = null;
    const kept = await runKeep(function* () {
      const scope = new CancelScope();
      scope.cancel("before");
      yield* scope.run(function* () {
        yield* abortable((signal) => {
          abortedAtStart = signal.aborted;
          return Promise.reject(new Error("aborted fetch"));
        });
      });
      return scope.cancelledCaught;
    });
    expect(abortedAtStart).toBe(true);
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe(true);
    expectClean(kept.runner);
  });

  it("a signal aborted during the body, and one never aborted: both listeners are removed on exit", async () => {
    const live = new AbortController();
    const idle = new AbortController();
    const during: number[] = [];
    const kept = await runKeep(function* () {
      let a: unknown = "unset";
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(1);
          during.push(getEventListeners(live.signal, "abort").length);
          live.abort("stop");
        });
        a = yield* withAbortSignal(live.signal, function* () {
          yield* sleepForever();
        });
      });
      const b = yield* withAbortSignal(idle.signal, function* () {
        yield* sleep(1);
        during.push(getEventListeners(idle.signal, "abort").length);
        return "finished";
      });
      return [a, b];
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toEqual([undefined, "finished"]);
    expect(during).toEqual([1, 1]);
    expect(getEventListeners(live.signal, "abort").length).toBe(0);
    expect(getEventListeners(idle.signal, "abort").length).toBe(0);
    expectClean(kept.runner);
  });
});

describe("a host without MessageChannel or setImmediate", () => {
  it("long batches continue on setTimeout, and the fallback warns exactly once", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const previous = setHostMacrotask(undefined);
    vi.stubGlobal("setImmediate", undefined);
    vi.stubGlobal("MessageChannel", undefined);
    const overruns: number[] = [];
    try {
      for (let r = 0; r < 3; r++) {
        const kept = await runKeep(
          function* () {
            for (let i = 0; i < 64 * 4; i++) {
              const t = performance.now();
              while (performance.now() - t < 0.05) {
                // burn a little real time, so the slice overruns
              }
              yield* checkpoint();
            }
            return currentStatistics().sliceOverruns;
          },
          { timeSlice: 0.000_01 },
        );
        expect(kept.ok).toBe(true);
        overruns.push(kept.value as number);
        expectClean(kept.runner);
      }
    } finally {
      vi.unstubAllGlobals();
      setHostMacrotask(previous);
    }
    expect(overruns.every((n) => n > 0)).toBe(true);
    const fallbackWarnings = warn.mock.calls.filter((c) => /setTimeout/.test(String(c[0])));
    expect(fallbackWarnings.length).toBe(1);
    await expectUsable();
  });
});

describe("timers that fire late (a hidden page, a long task)", () => {
  it("a MockClock jumping past many deadlines at once: all honoured on the next batch, in deadline order", async () => {
    const clock = new MockClock(); // no autojump: time moves only when the test says so
    const order: string[] = [];
    const seenAt: number[] = [];
    const p = runKeep(
      function* () {
        yield* openNursery(function* (n) {
          // Spawned in reverse order, so spawn order and deadline order differ.
          for (const t of [3, 1, 2]) {
            n.startSoon(function* () {
              yield* sleepUntil(t);
              order.push(`sleep ${t}`);
              seenAt.push(currentTime());
            });
          }
          n.startSoon(function* () {
            yield* new CancelScope({ deadline: 2.5 }).run(function* () {
              yield* sleepForever();
            });
            order.push("scope 2.5");
            seenAt.push(currentTime());
          });
          n.startSoon(function* () {
            yield* new CancelScope({ deadline: 1.5 }).run(function* () {
              yield* sleepForever();
            });
            order.push("scope 1.5");
            seenAt.push(currentTime());
          });
        });
      },
      { clock },
    );
    await hostTurns();
    expect(order).toEqual([]);
    clock.jump(10);
    const kept = await p;
    expect(kept.ok).toBe(true);
    expect(order).toEqual(["sleep 1", "scope 1.5", "sleep 2", "scope 2.5", "sleep 3"]);
    expect(seenAt).toEqual([10, 10, 10, 10, 10]);
    expectClean(kept.runner);
  });

  it("asyncio timers overtaken by a jump all run in one iteration, in (when, order) order", async () => {
    const clock = new MockClock();
    const order: number[] = [];
    const p = runKeep(
      () =>
        openLoop(function* (loop): Operation<void> {
          for (const when of [5, 1, 3, 1, 4, 2]) loop.callAt(loop.time() + when, () => order.push(when));
          yield* sleep(6);
        }),
      { clock },
    );
    await hostTurns();
    expect(order).toEqual([]);
    clock.jump(100);
    const kept = await p;
    expect(kept.ok).toBe(true);
    expect(order).toEqual([1, 1, 2, 3, 4, 5]);
    expectClean(kept.runner);
  });

  it("on the real clock, a long task blocks the host timer past three deadlines: all honoured in deadline order", async () => {
    const order: number[] = [];
    const kept = await runKeep(
      function* () {
        const start = currentTime();
        yield* openNursery(function* (n) {
          for (const k of [3, 1, 2]) {
            n.startSoon(function* () {
              yield* sleepUntil(start + k * 0.005);
              order.push(k);
            });
          }
          n.startSoon(function* () {
            yield* checkpoint(); // let the sleepers park first
            const t = performance.now();
            while (performance.now() - t < 40) {
              // a long task: no host callback can run meanwhile
            }
          });
        });
        return currentTime() - start;
      },
      { clock: undefined },
    );
    expect(kept.ok).toBe(true);
    expect(order).toEqual([1, 2, 3]);
    expectClean(kept.runner);
  });
});
