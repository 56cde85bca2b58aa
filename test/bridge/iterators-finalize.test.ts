import { describe, expect, it } from "vitest";
import { runWith, openLoop, aioIterAsTrio, asyncio, ExceptionGroup } from "../../src/index.js";
import type { AioAsyncIterator } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";

function counter(log: string[], failOnReturn = false): AioAsyncIterator<number> {
  let i = 0;
  return {
    *next(): asyncio.Coroutine<IteratorResult<number, unknown>> {
      yield* asyncio.sleep(0.1);
      return { done: false, value: i++ };
    },
    *return(): asyncio.Coroutine<unknown> {
      log.push("return started");
      yield* asyncio.sleep(1); // cleanup that waits
      log.push("return finished");
      if (failOnReturn) throw new Error("cleanup failed");
      return undefined;
    },
  };
}

describe("async iterator finalization at loop close", () => {
  it("runs return() of an iterator left unfinished when the block exits", async () => {
    const log: string[] = [];
    const clock = new MockClock({ autojumpThreshold: 0 });
    await runWith({ clock }, function* () {
      yield* openLoop(function* () {
        const rx = aioIterAsTrio(counter(log));
        expect(yield* rx.receive()).toBe(0);
        log.push("body done");
      });
      log.push("after openLoop");
    });
    expect(log).toEqual(["body done", "return started", "return finished", "after openLoop"]);
  });

  it("does not finalize an iterator that was closed or never started", async () => {
    const log: string[] = [];
    const clock = new MockClock({ autojumpThreshold: 0 });
    await runWith({ clock }, function* () {
      yield* openLoop(function* () {
        aioIterAsTrio(counter(log)); // never started
        const rx = aioIterAsTrio(counter(log));
        yield* rx.receive();
        yield* rx.aclose();
        log.push("closed by hand");
      });
    });
    expect(log).toEqual(["return started", "return finished", "closed by hand"]);
  });

  it("surfaces an error raised by the finalizer in the openLoop block", async () => {
    const log: string[] = [];
    const clock = new MockClock({ autojumpThreshold: 0 });
    const error = await runWith({ clock }, function* () {
      yield* openLoop(function* () {
        const rx = aioIterAsTrio(counter(log, true));
        yield* rx.receive();
      });
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).leaves().map((e) => (e as Error).message)).toEqual(["cleanup failed"]);
    expect(log).toEqual(["return started", "return finished"]);
  });
});

// JS code may throw undefined or null: an error must reach someone whatever
// value was thrown, never be taken for "no error".
describe("falsy thrown values are never lost: async iterator finalization", () => {
  it.each([undefined, null])("a return() that throws %s at loop close fails the openLoop block", async (thrown) => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    const iterator: AioAsyncIterator<number> = {
      *next(): asyncio.Coroutine<IteratorResult<number, unknown>> {
        yield* asyncio.sleep(0);
        return { done: false, value: 1 };
      },
      *return(): asyncio.Coroutine<unknown> {
        yield* asyncio.sleep(0);
        throw thrown;
      },
    };
    const outcome = await runWith({ clock }, function* () {
      yield* openLoop(function* () {
        yield* aioIterAsTrio(iterator).receive();
      });
      return "block ended";
    }).then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
    expect(outcome.ok).toBe(false);
    const leaves = ((outcome as { error: ExceptionGroup }).error).leaves();
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toBeInstanceOf(TypeError);
    expect((leaves[0] as Error).message).toContain(`return() threw ${String(thrown)}`);
  });
});
