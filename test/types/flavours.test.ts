/**
 * The run-time side of the flavour checks (the compile-time side is
 * flavours.test-d.ts, checked by tsc). Code that defeats the types (a cast,
 * plain JavaScript) gets a clear error at the exact `yield*` where the wrong
 * flavour is used, naming the adapter that fixes it, and the loop and the
 * run carry on unharmed.
 */
import { describe, expect, it } from "vitest";
import {
  checkpoint,
  currentTime,
  RuntimeError,
  openNursery,
  sleep as trioSleep,
  type Operation,
} from "../../src/core/index.js";
import { aioAsTrio, currentLoop } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { expectNoLeftovers, only, runKeep, runLoop } from "../bridge/helpers.js";

/** Casts defeat the type check on purpose: these tests are about what happens at run time. */
function asCoroutine<T>(op: Operation<T>): asyncio.Coroutine<T> {
  return op as unknown as asyncio.Coroutine<T>;
}
function asOperation<T>(coro: asyncio.Coroutine<T> | asyncio.Future<T>): Operation<T> {
  return coro as unknown as Operation<T>;
}

/** Runs `coro` on a loop and returns what it raised (or "no error"). */
async function errorInAio(body: () => asyncio.Coroutine<void>): Promise<unknown> {
  let seen: unknown = "no error";
  function* wrapper(): asyncio.Coroutine<void> {
    try {
      yield* body();
    } catch (error) {
      seen = error;
    }
  }
  const kept = await runLoop(() => aioAsTrio(wrapper)());
  expect(kept.ok).toBe(true);
  expectNoLeftovers(kept.runner);
  return seen;
}

/** Runs `body` as a Trio task inside openLoop and returns what it raised. */
async function errorInTrio(body: () => Operation<void>): Promise<unknown> {
  let seen: unknown = "no error";
  const kept = await runLoop(function* () {
    try {
      yield* body();
    } catch (error) {
      seen = error;
    }
  });
  expect(kept.ok).toBe(true);
  expectNoLeftovers(kept.runner);
  return seen;
}

describe("a Trio operation used in asyncio code", () => {
  it("Trio's sleep raises a RuntimeError naming trioAsAio and the asyncio task", async () => {
    function* misuse(): asyncio.Coroutine<void> {
      yield* asCoroutine(trioSleep(1));
    }
    const error = await errorInAio(misuse);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(String(error)).toMatch(/sleep\(\) is a Trio operation, but it was used from the asyncio task/);
    expect(String(error)).toMatch(/trioAsAio\(fn\)/);
  });

  it("a checkpoint raises naming trioAsAio", async () => {
    function* misuse(): asyncio.Coroutine<void> {
      yield* asCoroutine(checkpoint());
    }
    const error = await errorInAio(misuse);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(String(error)).toMatch(/checkpoint\(\) is a Trio operation.*trioAsAio\(fn\)/);
  });

  it("openNursery raises naming trioAsAio", async () => {
    function* misuse(): asyncio.Coroutine<void> {
      yield* asCoroutine(openNursery(function* () {}));
    }
    expect(String(await errorInAio(misuse))).toMatch(/openNursery\(\) is a Trio operation.*trioAsAio/);
  });

  it("the asyncio task can catch the error and go on using its loop", async () => {
    function* recovers(): asyncio.Coroutine<number> {
      try {
        yield* asCoroutine(trioSleep(1));
      } catch {
        // fall through
      }
      yield* asyncio.sleep(2);
      return asyncio.getRunningLoop().time();
    }
    const kept = await runLoop(() => aioAsTrio(recovers)());
    expect(kept.value).toBe(2);
  });
});

describe("asyncio code used in a Trio task", () => {
  it("an asyncio Future yielded in a Trio task raises a TypeError naming aioAsTrio", async () => {
    const error = await errorInTrio(function* () {
      const f = currentLoop().createFuture<void>();
      yield* asOperation(f);
    });
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/A Trio task yielded an asyncio Future.*aioAsTrio\(fn\)/);
  });

  it("asyncio's sleep in a Trio task raises a RuntimeError naming aioAsTrio", async () => {
    const error = await errorInTrio(function* () {
      yield* asOperation(asyncio.sleep(1));
    });
    expect(error).toBeInstanceOf(RuntimeError);
    expect(String(error)).toMatch(/No asyncio loop is running here.*aioAsTrio\(fn\)/);
  });

  it("asyncio.sleep(0) (a bare yield-now) in a Trio task also gets a clear error", async () => {
    const error = await errorInTrio(function* () {
      yield* asOperation(asyncio.sleep(0));
    });
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/A Trio task yielded/);
  });

  it("in a Trio task, getRunningLoop says so and names aioAsTrio", async () => {
    const kept = await runKeep(function* () {
      try {
        asyncio.getRunningLoop();
      } catch (error) {
        return String(error);
      }
      return "no error";
    });
    expect(kept.value).toMatch(/this is a Trio task \(the body of an openLoop block is Trio code too\).*aioAsTrio\(fn\)/);
  });

  it("outside any run, getRunningLoop names openLoop/asyncio.run and aioAsTrio", () => {
    expect(() => asyncio.getRunningLoop()).toThrow(/No asyncio loop is running here\. asyncio code runs inside openLoop\(\.\.\.\).*asyncio\.run\(main\).*aioAsTrio\(fn\)/);
  });

  it("the Trio task can catch the error and go on", async () => {
    const kept = await runLoop(function* () {
      try {
        yield* asOperation(asyncio.sleep(1));
      } catch {
        // fall through
      }
      yield* trioSleep(1);
      return currentTime();
    });
    expect(kept.value).toBe(1);
  });
});

describe("mixed generators (what the type check rejects)", () => {
  function* mixedTrioFirst(): Generator<unknown, string, unknown> {
    yield* trioSleep(1);
    yield* asyncio.sleep(1);
    return "never";
  }
  function* mixedAioFirst(): Generator<unknown, string, unknown> {
    yield* asyncio.sleep(1);
    yield* trioSleep(1);
    return "never";
  }

  it("given to startSoon, fails at its first asyncio operation", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(mixedTrioFirst as unknown as () => Operation<string>);
      });
    });
    expect(kept.ok).toBe(false);
    expect(String(only(kept.value))).toMatch(/aioAsTrio\(fn\)/);
    expect(kept.clock.currentTime()).toBe(1);
  });

  it("given to aioAsTrio, fails at its first Trio operation", async () => {
    const kept = await runLoop(() => aioAsTrio(mixedAioFirst as unknown as () => asyncio.Coroutine<string>)());
    expect(kept.ok).toBe(false);
    expect(String(only(kept.value))).toMatch(/trioAsAio\(fn\)/);
    expect(kept.clock.currentTime()).toBe(1);
  });

  it("a Promise yielded by either flavour names the right helper", async () => {
    const trioError = await errorInTrio(function* () {
      yield Promise.resolve(1) as never;
    });
    expect(String(trioError)).toMatch(/waitPromise/);
    function* aio(): asyncio.Coroutine<void> {
      yield Promise.resolve(1) as never;
    }
    expect(String(await errorInAio(aio))).toMatch(/wrapPromise/);
  });
});
