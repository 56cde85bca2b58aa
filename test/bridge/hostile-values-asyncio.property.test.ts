/**
 * Property: hostile values (throwing getters, revoked Proxies, objects
 * without a prototype, symbols, BigInts, frozen objects, toString that
 * throws; the core test's generator, test/core/hostile-values.ts) yielded, thrown or
 * returned from every place asyncio code can do so: a Task's coroutine
 * (lazy or eager), a fire-and-forget task's cleanup, callSoon/callLater
 * callbacks, done callbacks, the exception handler, Future.setException,
 * and both bridges (aioAsTrio, trioAsAio). Whatever the value, the openLoop
 * block and its run settle (a real-timer timeout fails the test), with an
 * Error or exactly what the program threw; the loop is closed, no run is
 * left live, and the runner has nothing left over.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CancelScope, checkpoint, currentRun, runWith, sleepForever, type Operation, type Runner } from "../../src/core/index.js";
import { describeError } from "../../src/core/errors.js";
import { aioAsTrio, openLoop, trioAsAio } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { Coroutine, EventLoop } from "../../src/asyncio/index.js";
import { liveLoops, liveRuns } from "../../src/inspect/hooks.js";
import { MockClock } from "../../src/testing/index.js";
import { expectThrownOrError, make, made, settleWithin, specArb, type Spec } from "../core/hostile-values.js";
import { leftovers } from "../../src/core/runner.js";

// ---- where the value goes ------------------------------------------------------------

const PLACES = [
  "taskYield",
  "eagerTaskYield",
  "taskThrow",
  "taskReturn",
  "orphanFinallyThrow",
  "callSoonThrow",
  "callLaterThrow",
  "doneCallbackThrow",
  "handlerThrow",
  "setException",
  "trioAsAioThrow",
  "trioAsAioReturn",
  "trioAsAioCancelledThrow",
  "aioAsTrioThrowAfterCancel",
  "cancelMessage",
  "cancelBeforeStart",
  "trioFutureCancelMessage",
  "taskName",
] as const;
type Place = (typeof PLACES)[number];

function* aioYields(v: unknown): Coroutine<void> {
  yield* asyncio.sleep(0);
  yield v as never;
}

function* aioThrows(v: unknown): Coroutine<never> {
  yield* asyncio.sleep(0);
  throw v;
}

/** What the openLoop block runs for each place, in Trio code. */
function body(place: Place, v: unknown, loop: EventLoop): Operation<unknown> {
  switch (place) {
    case "taskYield":
      return aioAsTrio(aioYields)(v);
    case "eagerTaskYield":
      return aioAsTrio(function* (): Coroutine<void> {
        const t = new asyncio.Task(
          (function* (): Coroutine<void> {
            yield v as never;
          })(),
          { eagerStart: true },
        );
        yield* t;
      })();
    case "taskThrow":
      return aioAsTrio(aioThrows)(v);
    case "taskReturn":
      return aioAsTrio(function* (): Coroutine<unknown> {
        yield* asyncio.sleep(0);
        return v;
      })();
    case "orphanFinallyThrow":
      return (function* () {
        loop.createTask(
          (function* (): Coroutine<void> {
            try {
              yield* loop.createFuture<void>();
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the point of the test
              throw v;
            }
          })(),
        );
        yield* checkpoint();
      })();
    case "callSoonThrow":
    case "callLaterThrow":
      return (function* () {
        const thrower = (): never => {
          throw v;
        };
        if (place === "callSoonThrow") loop.callSoon(thrower);
        else loop.callLater(0.5, thrower);
        yield* sleepForever();
      })();
    case "doneCallbackThrow":
      return aioAsTrio(function* (): Coroutine<void> {
        const f = loop.createFuture<void>();
        f.addDoneCallback(() => {
          throw v;
        });
        f.setResult();
        yield* f;
        yield* loop.createFuture<void>(); // waits until the surfaced error cancels the block
      })();
    case "handlerThrow":
      return (function* () {
        loop.setExceptionHandler(() => {
          throw v;
        });
        loop.callSoon(() => {
          throw new Error("plain failure");
        });
        yield* sleepForever();
      })();
    case "setException":
      return aioAsTrio(function* (): Coroutine<void> {
        const f = loop.createFuture<void>();
        loop.callSoon(() => {
          try {
            f.setException(v);
          } catch (refused) {
            // A refusal must be an Error that says what was wrong.
            if (!(refused instanceof Error)) throw new Error("setException refused with a non-Error", { cause: refused });
            f.cancel();
          }
        });
        yield* f;
      })();
    case "trioAsAioThrow":
      return aioAsTrio(function* (): Coroutine<void> {
        yield* trioAsAio(function* (): Operation<void> {
          yield* checkpoint();
          throw v;
        })();
      })();
    case "trioAsAioReturn":
      return aioAsTrio(function* (): Coroutine<unknown> {
        return yield* trioAsAio(function* (): Operation<unknown> {
          yield* checkpoint();
          return v;
        })();
      })();
    case "trioAsAioCancelledThrow":
      return aioAsTrio(function* (): Coroutine<void> {
        const f = trioAsAio(function* (): Operation<void> {
          try {
            yield* sleepForever();
          } finally {
            // eslint-disable-next-line no-unsafe-finally -- the point of the test
            throw v;
          }
        })();
        yield* asyncio.sleep(0);
        f.cancel();
        yield* f;
      })();
    case "aioAsTrioThrowAfterCancel":
      return openLoopChild(v);
    case "cancelMessage":
      return aioAsTrio(function* (): Coroutine<void> {
        const t = loop.createTask(loop.createFuture<void>()[Symbol.iterator]());
        yield* asyncio.sleep(0);
        t.cancel(v as string);
        yield* t;
      })();
    case "cancelBeforeStart":
      return aioAsTrio(function* (): Coroutine<void> {
        const t = loop.createTask(asyncio.sleep(1));
        t.cancel(v as string);
        yield* t;
      })();
    case "trioFutureCancelMessage":
      return aioAsTrio(function* (): Coroutine<void> {
        const f = trioAsAio(sleepForever)();
        yield* asyncio.sleep(0);
        f.cancel(v as string);
        yield* f;
      })();
    case "taskName":
      return aioAsTrio(function* (): Coroutine<void> {
        const t = loop.createTask(aioThrows(new Error("named task failed")), { name: v as string });
        yield* t;
      })();
  }
}

/** A Trio-side cancel of aioAsTrio whose asyncio cleanup throws the value. */
function* openLoopChild(v: unknown): Operation<void> {
  yield* new CancelScope({ deadline: -Infinity }).run(() =>
    aioAsTrio(function* (): Coroutine<void> {
      try {
        yield* asyncio.sleep(1e6);
      } finally {
        // eslint-disable-next-line no-unsafe-finally -- the point of the test
        throw v;
      }
    })(),
  );
}

// ---- checks ------------------------------------------------------------

let errorSpy: ReturnType<typeof vi.spyOn>;
let warnSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
  warnSpy = vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => {
  errorSpy.mockRestore();
  warnSpy.mockRestore();
});

interface Case {
  place: Place;
  spec: Spec;
}

async function check({ place, spec }: Case): Promise<void> {
  made.clear();
  const v = make(spec);
  let runner: Runner | null = null;
  let loop: EventLoop | null = null;
  const outcome = await settleWithin(
    runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      runner = currentRun();
      return yield* openLoop(function* (l) {
        loop = l;
        return yield* body(place, v, l);
      });
    }),
    2000,
  );
  if (!outcome.settled) throw new Error(`the openLoop block is wedged: ${place} with ${JSON.stringify(spec)}`);
  if (!outcome.ok) {
    // What the program threw may come out as is; anything else is an Error
    // (an ExceptionGroup holds what was thrown, as is).
    expectThrownOrError(outcome.value, place);
  }
  expect(loop).not.toBeNull();
  expect(loop!.isClosed()).toBe(true);
  expect(liveLoops.has(loop!)).toBe(false);
  expect(runner).not.toBeNull();
  expect(liveRuns.has(runner!)).toBe(false);
  expect(runner!.isRunning).toBe(false);
  expect(leftovers(runner!)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  expect(asyncio.currentTask()).toBeNull();
  // Nothing was reported after the block ended (where it can only be logged).
  expect(errorSpy).not.toHaveBeenCalled();
}

describe("property: hostile values never wedge an openLoop block", () => {
  it("every place asyncio code yields, throws or returns", async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ place: fc.constantFrom(...PLACES), spec: specArb }), async (c) => {
        errorSpy.mockClear();
        try {
          await check(c);
        } catch (error) {
          // fast-check inspects what a property throws: hand it a plain Error.
          throw new Error(`${c.place} ${JSON.stringify(c.spec)}: ${describeError(error)}`, { cause: error });
        }
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 400), seed: Number(process.env.PROP_SEED ?? 4243) },
    );
  }, 30_000);

  it("each place with each simple value", async () => {
    for (const place of PLACES) {
      for (const which of ["revokedObject", "trapsThrow", "nullProto", "symbol", "toStringThrows", "undefined"] as const) {
        errorSpy.mockClear();
        try {
          await check({ place, spec: { kind: "simple", which } });
        } catch (error) {
          throw new Error(`${place} with ${which}: ${describeError(error)}`, { cause: error });
        }
      }
    }
  }, 30_000);
});
