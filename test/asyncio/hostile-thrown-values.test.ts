/**
 * Values no `instanceof` can test (a revoked Proxy, a Proxy whose
 * getPrototypeOf trap throws) thrown where the asyncio layer asks whether
 * an error is a CancelledError: a Task's step that was cancelled while
 * its Future failed, a timeout's exit, a TaskGroup's exit, waitFor's
 * zero timeout. Each must settle, with the very value the program threw
 * reaching its awaiter, as CPython raises whatever was raised.
 */
import { describe, expect, it } from "vitest";
import * as asyncio from "../../src/asyncio/index.js";
import { ExceptionGroup } from "../../src/core/index.js";
import { revoked } from "../bad-input/hostile.js";
import { within } from "../core/helpers.js";
import { expectNoLeftovers } from "../bridge/helpers.js";
import { runAioKeep } from "./helpers.js";

/** A Proxy whose getPrototypeOf trap throws (instanceof throws its error). */
function protoTrapThrows(): object {
  return new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error("hostile getPrototypeOf");
      },
    },
  );
}

const VALUES: [string, () => object][] = [
  ["a revoked Proxy", () => revoked()],
  ["a Proxy whose getPrototypeOf trap throws", protoTrapThrows],
];

describe.each(VALUES)("%s thrown where the layer tests for CancelledError", (_label, make) => {
  it("instanceof CancelledError answers false instead of throwing", () => {
    expect(make() instanceof asyncio.CancelledError).toBe(false);
  });

  it("a Task cancelled while the Future it awaits has just failed with it ends cancelled (not wedged)", async () => {
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        const f = loop.createFuture<void>();
        const t = loop.createTask(
          (function* (): asyncio.Coroutine<string> {
            try {
              yield* f;
            } catch (error) {
              return error instanceof asyncio.CancelledError ? "CancelledError" : "other";
            }
            return "no error";
          })(),
        );
        yield* asyncio.sleep(0);
        f.setException(make()); // the Task's wakeup is scheduled ...
        t.cancel(); // ... and the cancel arrives before it runs: CancelledError wins, as in CPython
        return yield* t;
      }),
    );
    expect(value).toBe("CancelledError");
    expectNoLeftovers(runner);
  });

  it("a timeout whose block throws it on expiry raises it as it is", async () => {
    const thrown = make();
    const { runner, value } = await within(
      runAioKeep(function* () {
        try {
          yield* asyncio.timeout(1).run(function* () {
            try {
              yield* asyncio.sleep(5);
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the point of the test
              throw thrown;
            }
          });
        } catch (error) {
          // Compared here: a revoked Proxy cannot be a run's result (the Promise reads its then).
          return error === thrown ? "the value thrown" : error;
        }
        return "no error";
      }),
    );
    expect(value).toBe("the value thrown");
    expectNoLeftovers(runner);
  });

  it("waitFor(aw, 0) whose work throws it on cancel raises it as it is", async () => {
    const thrown = make();
    const { runner, value } = await within(
      runAioKeep(function* (loop) {
        const t = loop.createTask(
          (function* (): asyncio.Coroutine<void> {
            try {
              yield* asyncio.sleep(5);
            } catch {
              throw thrown;
            }
          })(),
        );
        yield* asyncio.sleep(0);
        try {
          yield* asyncio.waitFor(t, 0);
        } catch (error) {
          // Compared here: a revoked Proxy cannot be a run's result (the Promise reads its then).
          return error === thrown ? "the value thrown" : error;
        }
        return "no error";
      }),
    );
    expect(value).toBe("the value thrown");
    expectNoLeftovers(runner);
  });

  it("a TaskGroup whose body throws it cancels the children and raises a group holding it", async () => {
    const thrown = make();
    let childCancelled = false;
    const { runner, value } = await within(
      runAioKeep(function* () {
        try {
          yield* new asyncio.TaskGroup().run(function* (tg) {
            tg.createTask(
              (function* (): asyncio.Coroutine<void> {
                try {
                  yield* asyncio.sleep(5);
                } catch (error) {
                  childCancelled = error instanceof asyncio.CancelledError;
                  throw error;
                }
              })(),
            );
            yield* asyncio.sleep(0);
            throw thrown;
          });
        } catch (error) {
          // Compared here: a revoked Proxy cannot be a run's result (the Promise reads its then).
          return error === thrown ? "the value thrown" : error;
        }
        return "no error";
      }),
    );
    expect(value).toBeInstanceOf(ExceptionGroup);
    expect((value as ExceptionGroup).exceptions).toHaveLength(1);
    expect((value as ExceptionGroup).exceptions[0]).toBe(thrown);
    expect(childCancelled).toBe(true);
    expectNoLeftovers(runner);
  });
});
