/**
 * asyncio.staggeredRace's `onLoser`: every result the race does not return
 * (an attempt that returned after the winner, the would-be winner's when
 * the race raises) is handed to it exactly once, before the race returns
 * or raises; an error from it is raised (a late result) or goes to the
 * loop's exception handler (while the race raises another error).
 */
import { describe, expect, it } from "vitest";
import { CancelledError, createTask, getRunningLoop, sleep, staggeredRace, wrapPromise, type Coroutine } from "../../src/asyncio/index.js";
import { runAio } from "./helpers.js";

/** Returns `value` after `delay`, even if cancelled meanwhile (it swallows the cancellation, as a connect that completes anyway). */
function* stubborn<T>(delay: number, value: T): Coroutine<T> {
  try {
    yield* sleep(delay);
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
    yield* sleep(delay);
  }
  return value;
}

function* quick<T>(delay: number, value: T): Coroutine<T> {
  yield* sleep(delay);
  return value;
}

describe("asyncio.staggeredRace(coroFns, delay, { onLoser })", () => {
  it("hands a result returned after the winner to onLoser, once, before the race returns", async () => {
    const log: string[] = [];
    const result = await runAio(function* () {
      const r = yield* staggeredRace([() => quick(0.3, "winner"), () => stubborn(0.25, "late socket")], 0.1, {
        onLoser: (value, index) => void log.push(`loser ${String(value)} #${index}`),
      });
      log.push("returned");
      return r;
    });
    expect(result[0]).toBe("winner");
    expect(result[1]).toBe(0);
    expect(log).toEqual(["loser late socket #1", "returned"]);
  });

  it("never calls onLoser for the winner, nor when nothing is dropped", async () => {
    const dropped: unknown[] = [];
    const result = await runAio(() => staggeredRace([() => quick(0.1, "a"), () => quick(0.1, "b")], 0.05, { onLoser: (v) => void dropped.push(v) }));
    expect(result[0]).toBe("a");
    expect(dropped).toEqual([]);
  });

  it("an onLoser that throws for a late result: the race raises that error once every attempt is done, and the winner's result goes to onLoser too", async () => {
    const boom = new Error("could not close");
    const dropped: unknown[] = [];
    const seen = await runAio(function* () {
      try {
        yield* staggeredRace([() => quick(0.3, "winner"), () => stubborn(0.25, "late")], 0.1, {
          onLoser: (value) => {
            dropped.push(value);
            if (value === "late") throw boom;
          },
        });
        return "returned";
      } catch (error) {
        return error;
      }
    });
    expect(seen).toBe(boom);
    // Returned to nobody, since the race raised.
    expect(dropped).toEqual(["late", "winner"]);
  });

  it("the race cancelled after a win: the would-be winner's result goes to onLoser, and the CancelledError is raised", async () => {
    const dropped: unknown[] = [];
    const outcome = await runAio(function* () {
      const race = createTask(
        staggeredRace([() => quick(0.1, "won"), () => stubborn(0.5, "slow")], 0.05, { onLoser: (v, i) => void dropped.push([v, i]) }),
      );
      yield* sleep(0.2); // attempt 0 has won; attempt 1 swallowed its first cancellation, and the race's cancel ends it
      race.cancel();
      try {
        yield* race;
        return "returned";
      } catch (error) {
        return error instanceof CancelledError ? "cancelled" : error;
      }
    });
    expect(outcome).toBe("cancelled");
    expect(dropped).toEqual([["won", 0]]);
  });

  it("an onLoser that throws for the would-be winner while the race raises: the race's error stays, the onLoser error reaches the exception handler", async () => {
    const boom = new Error("could not close");
    const handled: unknown[] = [];
    const outcome = await runAio(function* () {
      getRunningLoop().setExceptionHandler((_loop, context) => void handled.push(context.exception));
      const race = createTask(
        staggeredRace([() => quick(0.1, "won"), () => stubborn(0.5, "slow")], 0.05, {
          onLoser: (v) => {
            if (v === "won") throw boom;
          },
        }),
      );
      yield* sleep(0.2);
      race.cancel();
      try {
        yield* race;
        return "returned";
      } catch (error) {
        return error instanceof CancelledError ? "cancelled" : error;
      }
    });
    expect(outcome).toBe("cancelled");
    expect(handled).toEqual([boom]);
  });
});

describe("asyncio.staggeredRace: a Promise attempt cancelled while its Promise runs on", () => {
  /** A Promise settled by hand, and a thenable over it that counts its then() calls (a query builder's then() starts the query). */
  function pending<T>() {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    const thenable = {
      thens: 0,
      then<R1, R2>(ok?: (v: T) => R1 | PromiseLike<R1>, bad?: (e: unknown) => R2 | PromiseLike<R2>): Promise<R1 | R2> {
        thenable.thens++;
        return promise.then(ok, bad);
      },
    };
    return { resolve, thenable };
  }

  it("the value it settles with after the race returned goes to onLoser when it comes, and its then() is called once", async () => {
    const late = pending<string>();
    const log: string[] = [];
    const result = await runAio(function* () {
      const r = yield* staggeredRace<string>([() => quick(0.1, "winner"), () => late.thenable], 0.05, {
        onLoser: (value, index) => void log.push(`loser ${value} #${index}`),
      });
      log.push("returned");
      late.resolve("late socket");
      yield* wrapPromise(Promise.resolve());
      return r;
    });
    expect(result[0]).toBe("winner");
    expect(result[2][1]).toBeInstanceOf(CancelledError);
    expect(log).toEqual(["returned", "loser late socket #1"]);
    expect(late.thenable.thens).toBe(1);
  });

  it("an onLoser that throws for such a late value: the error reaches the loop's exception handler", async () => {
    const late = pending<string>();
    const boom = new Error("could not close");
    const handled: unknown[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_loop, context) => void handled.push(context.exception));
      yield* staggeredRace<string>([() => quick(0.1, "winner"), () => late.thenable], 0.05, {
        onLoser: () => {
          throw boom;
        },
      });
      late.resolve("late");
      yield* wrapPromise(Promise.resolve());
    });
    expect(handled).toEqual([boom]);
  });

  it("without onLoser, nothing listens to the Promise beyond the attempt's own wait", async () => {
    const late = pending<string>();
    await runAio(() => staggeredRace<string>([() => quick(0.1, "winner"), () => late.thenable], 0.05));
    expect(late.thenable.thens).toBe(1);
  });
});

describe("asyncio.staggeredRace given a Proxy array claiming 2^30 items", () => {
  it("checks only its first 1000 items up front (walking them all froze the page), the rest as they start", async () => {
    let reads = 0;
    const huge = new Proxy([] as (() => Coroutine<string>)[], {
      get(target, key, receiver) {
        if (key === "length") return 2 ** 30;
        if (typeof key === "string" && /^\d+$/.test(key)) {
          reads++;
          return () => quick(0, `item ${key}`);
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const result = await runAio(() => staggeredRace(huge, 1));
    expect(result[0]).toBe("item 0");
    expect(reads).toBeLessThanOrEqual(1001);
  });
});
