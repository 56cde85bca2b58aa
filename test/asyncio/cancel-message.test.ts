/**
 * The message of a cancelled Task, as CPython 3.12 keeps it: the coroutine's
 * CancelledError carries it, but the Task ends by Future.cancel() with no
 * message. So the first `yield* task` rethrows that error (message and all),
 * and every later CancelledError made for the Task (a second await, an entry
 * of gather(..., { returnExceptions: true })) has an empty message.
 * Found by the differential test (test/differential/asyncio).
 */
import { describe, expect, it } from "vitest";
import { CancelledError, createTask, gather, sleep } from "../../src/asyncio/index.js";
import { runAio } from "./helpers.js";


describe("the message of a Task cancelled while it waits", () => {
  it("is on the first await's error only, not on a second await's", async () => {
    const messages = await runAio(function* () {
      const t = createTask(sleep(10));
      yield* sleep(0);
      t.cancel("m2");
      const seen: string[] = [];
      for (let i = 0; i < 2; i++) {
        try {
          yield* t;
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          seen.push(e.message);
        }
      }
      return seen;
    });
    expect(messages).toEqual(["m2", ""]);
  });

  it("is not on gather's returnExceptions entry", async () => {
    const entries = await runAio(function* () {
      const t = createTask(sleep(10));
      yield* sleep(0);
      t.cancel("m2");
      const early = createTask(sleep(10));
      early.cancel("m3");
      return yield* gather(t, early, { returnExceptions: true });
    });
    expect(entries.map((e) => (e instanceof CancelledError ? `C:${e.message}` : e))).toEqual(["C:", "C:"]);
  });
});

describe("a cancelled gather(..., { returnExceptions: true }) raises the last argument's CancelledError", () => {
  // CPython's gather makes the outer error with the last child in argument
  // order (its result loop rebinds the variable), not the one that finished last.
  it("a plain one when the last argument had finished normally", async () => {
    const message = await runAio(function* () {
      const a = createTask(sleep(10));
      const b = createTask(sleep(1));
      const waiter = createTask(
        (function* () {
          return yield* gather(a, b, { returnExceptions: true });
        })(),
      );
      yield* sleep(2);
      waiter.cancel("m1");
      try {
        yield* waiter;
      } catch (e) {
        if (e instanceof CancelledError) return e.message;
        throw e;
      }
      return "returned";
    });
    expect(message).toBe("");
  });

  it("the last argument's own error when it was cancelled, though another child finished after it", async () => {
    const own = new CancelledError("own");
    const error = await runAio(function* () {
      const a = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch {
            throw own;
          }
        })(),
      );
      // Swallows the cancellation and finishes last, normally.
      const b = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch {
            yield* sleep(1);
          }
          return "kept";
        })(),
      );
      const waiter = createTask(
        (function* () {
          return yield* gather(b, a, { returnExceptions: true });
        })(),
      );
      yield* sleep(2);
      waiter.cancel("m1");
      try {
        yield* waiter;
      } catch (e) {
        return e;
      }
      return "returned";
    });
    expect(error).toBe(own);
  });
});
