/**
 * Property: hostile values (throwing getters, revoked Proxies, objects
 * without a prototype, symbols, BigInts, frozen objects, toString that
 * throws) yielded, thrown or returned from every place a Trio task can do
 * so, or used as task names, cancel reasons and Error messages, with and
 * without the inspector subscribed, never wedge a run: it settles, with an
 * Error (or exactly what the program threw), no task stays current, the
 * run leaves the inspector's list of live runs, nothing is left over, and
 * nothing is reported as an internal failure.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CancelScope,
  checkpoint,
  currentRun,
  currentTask,
  openNursery,
  runWith,
  sleepForever,
  type Operation,
  type Runner,
  type TaskStatus,
} from "../../src/core/index.js";
import { inspect } from "../../src/inspect/snapshot.js";
import { liveRuns } from "../../src/inspect/hooks.js";
import { subscribe } from "../../src/inspect/subscribe.js";
import { describeError } from "../../src/core/errors.js";
import { autojumpClock } from "./helpers.js";
import { expectThrownOrError, isErrorInstance, make, made, settleWithin, specArb, type Spec } from "./hostile-values.js";
import { leftovers } from "../../src/core/runner.js";

// ---- where the value goes ------------------------------------------------------------

const PLACES = [
  "mainYield",
  "childYield",
  "startYieldBefore",
  "startYieldAfter",
  "mainThrow",
  "childThrow",
  "startThrowBefore",
  "startThrowAfter",
  "finallyThrowCancelled",
  "finallyThrowTaskCancel",
  "mainReturn",
  "childReturn",
  "startedValue",
  "nameGetter",
  "nameValue",
  "nameSet",
  "cancelReason",
  "taskCancelReason",
  "signalReason",
  "errorMessage",
  "errorName",
] as const;
type Place = (typeof PLACES)[number];

interface Case {
  place: Place;
  spec: Spec;
  inspector: boolean;
}

/** Runs the inspector's pending frames: its walk over the live run sees the hostile state. */
let frames: (() => void)[] = [];
function runFrames(): void {
  for (const f of frames.splice(0)) f();
  inspect();
}

function* failingChild(): Operation<void> {
  yield* checkpoint();
  throw new Error("plain failure");
}

function program(place: Place, v: unknown): () => Operation<unknown> {
  return function* main() {
    switch (place) {
      case "mainYield":
        yield v as never;
        return;
      case "childYield":
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield v as never;
          });
          runFrames();
        });
        return;
      case "startYieldBefore":
        yield* openNursery(function* (n) {
          yield* n.start(function* (status: TaskStatus<void>) {
            yield v as never;
            status.started();
          });
        });
        return;
      case "startYieldAfter":
        yield* openNursery(function* (n) {
          yield* n.start(function* (status: TaskStatus<void>) {
            status.started();
            yield* checkpoint();
            yield v as never;
          });
          runFrames();
        });
        return;
      case "mainThrow":
        runFrames();
        throw v;
      case "childThrow":
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* checkpoint();
            throw v;
          });
          runFrames();
        });
        return;
      case "startThrowBefore":
        yield* openNursery(function* (n) {
          yield* n.start(function* () {
            yield* checkpoint();
            throw v;
          });
        });
        return;
      case "startThrowAfter":
        yield* openNursery(function* (n) {
          yield* n.start(function* (status: TaskStatus<void>) {
            status.started();
            yield* checkpoint();
            throw v;
          });
        });
        return;
      case "finallyThrowCancelled":
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            try {
              yield* sleepForever();
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the point of the test
              throw v;
            }
          });
          yield* checkpoint();
          runFrames();
          n.cancelScope.cancel("stop");
        });
        return;
      case "finallyThrowTaskCancel":
        yield* openNursery(function* (n) {
          const child = n.startSoon(function* () {
            try {
              yield* sleepForever();
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the point of the test
              throw v;
            }
          });
          yield* checkpoint();
          child.cancel("stop");
        });
        return;
      case "mainReturn":
        runFrames();
        return v;
      case "childReturn":
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* checkpoint();
            return v;
          });
        });
        return "ok";
      case "startedValue":
        return yield* openNursery(function* (n) {
          return yield* n.start(function* (status: TaskStatus<unknown>) {
            status.started(v);
          });
        });
      case "nameGetter":
      case "nameValue": {
        function* named(): Operation<void> {
          yield* checkpoint();
          throw new Error("named task failed");
        }
        Object.defineProperty(
          named,
          "name",
          place === "nameGetter"
            ? {
                get() {
                  throw v;
                },
              }
            : { value: v },
        );
        yield* openNursery(function* (n) {
          n.startSoon(named);
          n.startSoon(function* () {
            yield* sleepForever();
          });
          runFrames();
        });
        return;
      }
      case "nameSet":
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            currentTask().name = v as string;
            yield* checkpoint();
            runFrames();
            throw new Error("renamed task failed");
          });
        });
        return;
      case "cancelReason":
        yield* openNursery(function* (n) {
          n.startSoon(sleepForever);
          yield* checkpoint();
          n.cancelScope.cancel(v as string);
        });
        return;
      case "taskCancelReason":
        yield* openNursery(function* (n) {
          const child = n.startSoon(sleepForever);
          yield* checkpoint();
          child.cancel(v as string);
        });
        return;
      case "signalReason": {
        const controller = new AbortController();
        const scope = new CancelScope();
        scope.cancelOn(controller.signal);
        return yield* scope.run(function* () {
          yield* openNursery(function* (n) {
            n.startSoon(function* () {
              yield* checkpoint();
              controller.abort(v);
            });
            yield* sleepForever();
          });
          return "not cancelled";
        });
      }
      case "errorMessage":
      case "errorName": {
        const error = new Error("base");
        Object.defineProperty(error, place === "errorMessage" ? "message" : "name", {
          get() {
            throw v;
          },
        });
        const other = new Error("base");
        Object.defineProperty(other, place === "errorMessage" ? "message" : "name", { value: v });
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* checkpoint();
            throw error;
          });
          n.startSoon(function* () {
            yield* checkpoint();
            throw other;
          });
          n.startSoon(failingChild);
          runFrames();
        });
        return;
      }
    }
  };
}

// ---- checks ------------------------------------------------------------

function noCurrentTask(): boolean {
  try {
    currentTask();
    return false;
  } catch {
    return true;
  }
}

let errorSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  errorSpy.mockRestore();
});

async function check({ place, spec, inspector }: Case): Promise<void> {
  made.clear();
  const v = make(spec);
  frames = [];
  const stop = inspector ? subscribe(() => {}, { scheduleFrame: (f) => void frames.push(f) }) : null;
  let runner: Runner | null = null;
  const body = program(place, v);
  try {
    const outcome = await settleWithin(
      runWith({ clock: autojumpClock() }, function* () {
        runner = currentRun();
        return yield* body();
      }),
      3000,
    );
    if (!outcome.settled) throw new Error(`the run is wedged: ${place} with ${JSON.stringify(spec)}`);
    if (!outcome.ok) {
      const reason = outcome.value;
      // What the main task threw comes out as is (the value, or what one
      // of its getters threw); anything else is an Error (an ExceptionGroup
      // holds what the children threw, as is).
      expectThrownOrError(reason, place);
    }
    if (inspector) runFrames();
    expect(noCurrentTask()).toBe(true);
    expect(runner).not.toBeNull();
    expect(liveRuns.has(runner!)).toBe(false);
    expect(runner!.isRunning).toBe(false);
    expect(leftovers(runner!)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
    // Nothing inside the runtime or the inspector failed and reported it.
    expect(errorSpy).not.toHaveBeenCalled();
  } finally {
    stop?.();
    frames = [];
  }
}

describe("property: hostile values never wedge a run", () => {
  const caseArb = fc.record({ place: fc.constantFrom(...PLACES), spec: specArb, inspector: fc.boolean() });

  it("every place a task yields, throws or returns, names itself or is cancelled", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        errorSpy.mockClear();
        try {
          await check(c);
        } catch (error) {
          // fast-check inspects what a property throws: hand it a plain Error.
          throw isErrorInstance(error) && !(error === c) ? new Error(`${c.place} ${JSON.stringify(c.spec)}: ${describeError(error)}`, { cause: error }) : new Error(`${c.place}: threw ${describeError(error)}`);
        }
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 400), seed: Number(process.env.PROP_SEED ?? 4242) },
    );
  }, 60_000);

  it("each place with each simple value, with the inspector", async () => {
    for (const place of PLACES) {
      for (const which of ["revokedObject", "trapsThrow", "nullProto", "symbol", "toStringThrows"] as const) {
        errorSpy.mockClear();
        await check({ place, spec: { kind: "simple", which }, inspector: true });
      }
    }
  }, 60_000);
});
