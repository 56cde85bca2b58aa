/**
 * A coroutine that yields something a Task cannot wait on gets a TypeError
 * thrown in at that very yield (CPython's Task.__step raises "Task got bad
 * yield" into the coroutine the same way), whatever the value is: building
 * the message must never throw, so hostile values (revoked proxies, throwing
 * getters, null-prototype objects, symbols) cannot leave the Task pending
 * and its openLoop block waiting forever.
 */
import { describe, expect, it } from "vitest";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { sleep, type Coroutine } from "../../src/asyncio/index.js";
import { expectNoLeftovers, runKeep } from "../bridge/helpers.js";

/** Fails the test if `p` has not settled within `ms` of real time (a hang, not a slow test). */
function settlesWithin<T>(p: Promise<T>, ms = 2000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms: something hangs`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const hostile: [string, () => unknown][] = [
  ["a revoked Proxy", revokedProxy],
  [
    "an object whose then getter throws",
    () =>
      Object.defineProperty({}, "then", {
        get() {
          throw new Error("then getter");
        },
      }),
  ],
  ["a null-prototype object", () => Object.create(null) as object],
  ["a symbol", () => Symbol("s")],
  ["a plain number", () => 42],
  ["undefined (a bare yield)", () => undefined],
  [
    "an object whose toString throws",
    () => ({
      toString() {
        throw new Error("toString");
      },
    }),
  ],
];

describe("a coroutine that yields a value a Task cannot wait on", () => {
  for (const [label, make] of hostile) {
    it(`gets a TypeError at the yield for ${label}, and the block ends`, async () => {
      let caught: unknown = null;
      let after = false;
      function* coro(): Coroutine<string> {
        try {
          yield make() as never;
        } catch (error) {
          caught = error;
        }
        // The coroutine goes on normally after handling the error.
        yield* sleep(1);
        after = true;
        return "recovered";
      }
      const kept = await settlesWithin(runKeep(() => openLoop(() => aioAsTrio(coro)())));
      expect(kept.ok).toBe(true);
      expect(kept.value).toBe("recovered");
      expect(after).toBe(true);
      expect(caught).toBeInstanceOf(TypeError);
      const message = (caught as TypeError).message;
      // It says what went wrong and how to fix it.
      expect(message).toMatch(/asyncio coroutine yielded/);
      expect(message).toMatch(/yield\*/);
      expectNoLeftovers(kept.runner);
    });
  }

  it("an uncaught bad yield fails the task with the TypeError, and it reaches the awaiter", async () => {
    function* coro(): Coroutine<void> {
      yield revokedProxy() as never;
    }
    const kept = await settlesWithin(runKeep(() => openLoop(() => aioAsTrio(coro)())));
    expect(kept.ok).toBe(false);
    const leaves = kept.value instanceof AggregateError ? kept.value.errors : [kept.value];
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toBeInstanceOf(TypeError);
    expect((leaves[0] as Error).message).toMatch(/asyncio coroutine yielded/);
    expectNoLeftovers(kept.runner);
  });

  it("a fire-and-forget task that keeps yielding bad values after the error still ends at shutdown", async () => {
    function* stubborn(): Coroutine<void> {
      for (;;) {
        try {
          yield Object.create(null) as never;
        } catch {
          // ignores the TypeError and yields again: the loop must not spin forever
          // once it is cancelled, and must not spin the block to death meanwhile
          yield* sleep(1);
        }
      }
    }
    const kept = await settlesWithin(
      runKeep(() =>
        openLoop(function* (loop) {
          loop.createTask(stubborn());
          yield* aioAsTrio(function* () {
            yield* sleep(5);
          })();
          return "done";
        }),
      ),
    );
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("done");
    expectNoLeftovers(kept.runner);
  });
});

describe("a coroutine that throws a hostile value", () => {
  for (const [label, make] of hostile) {
    it(`ends its task with ${label} as the exception, seen by the awaiter`, async () => {
      const thrown = make();
      function* inner(): Coroutine<void> {
        yield* sleep(1);
        throw thrown;
      }
      function* outer(): Coroutine<unknown> {
        const task = asyncio.createTask(inner());
        try {
          yield* task;
        } catch (error) {
          return error === thrown || (thrown === undefined && error instanceof TypeError) ? "same" : error;
        }
        return "no error";
      }
      const kept = await settlesWithin(runKeep(() => openLoop(() => aioAsTrio(outer)())));
      expect(kept.ok).toBe(true);
      expect(kept.value).toBe("same");
      expectNoLeftovers(kept.runner);
    });
  }
});
