/**
 * A Promise yielded by mistake (`yield fetch(url)` where `yield*
 * waitPromise(...)` was meant) is refused with a TypeError that names the
 * fix. Nobody can wait for that Promise any more, so its own rejection must
 * not surface as an unhandled rejection: in Node that ends the process
 * (often before the TypeError is seen), in a browser it logs "Uncaught (in
 * promise)" over the message that says what to do.
 */
import { afterEach, describe, expect, it } from "vitest";
import { run, type Operation } from "../../src/core/index.js";
import { asyncioRun } from "../../src/bridge/index.js";
import type { Coroutine } from "../../src/asyncio/index.js";

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  unhandled.length = 0;
});

function rejectsLater(message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), 5));
}

// Lets a late rejection happen and Node's unhandled-rejection check run after it.
const settle = () => new Promise((resolve) => setTimeout(resolve, 40));

describe("a Promise yielded by mistake", () => {
  it("in a Trio task: the task gets the TypeError, the Promise's rejection is not left unhandled", async () => {
    process.on("unhandledRejection", onUnhandled);
    const late = rejectsLater("late fetch failure");
    const caught = await run(function* (): Operation<unknown> {
      try {
        yield late as never;
      } catch (e) {
        return e;
      }
      return "no error";
    });
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as Error).message).toMatch(/yielded a Promise/);
    await settle();
    expect(unhandled).toEqual([]);
    // Still the caller's Promise: it rejected, as it would have anyway.
    await expect(late).rejects.toThrow("late fetch failure");
  });

  it("in an asyncio coroutine: the same", async () => {
    process.on("unhandledRejection", onUnhandled);
    const late = rejectsLater("late asyncio failure");
    const caught = await asyncioRun(
      (function* (): Coroutine<unknown> {
        try {
          yield late as never;
        } catch (e) {
          return e;
        }
        return "no error";
      })(),
    );
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as Error).message).toMatch(/yielded a Promise/);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
