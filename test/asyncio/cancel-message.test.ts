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
