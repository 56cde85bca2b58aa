/**
 * Faults injected into the asyncio layer and the bridges: callbacks, done
 * callbacks and timers that throw, an exception handler that throws, and
 * cleanup code that throws while a loop or a bridged task is being
 * cancelled.
 *
 * asyncio itself would log most of these and carry on; here the default
 * exception handler raises them in the openLoop block's nursery, so each one
 * must come out of `openLoop` as a leaf of its ExceptionGroup. None may be
 * lost, none may stop the loop from running the callbacks that follow, and
 * the runtime must be usable afterwards.
 */
import { describe, expect, it } from "vitest";
import {
  Cancelled,
  aioAsTrio,
  asyncio,
  moveOnAfter,
  openLoop,
  sleep,
  sleepForever,
  trioAsAio,
  type Operation,
} from "../../src/index.js";
import { expectClean, expectUsable, leafMessages, leaves, runKeep } from "./helpers.js";

function* aioSleep(seconds: number): asyncio.Coroutine<void> {
  yield* asyncio.sleep(seconds);
}

describe("callbacks that throw", () => {
  it("done callbacks, a callSoon and a timer throw: every error is a leaf, later callbacks still run", async () => {
    let after = 0;
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        const f = loop.createFuture<number>();
        f.addDoneCallback(() => {
          throw new Error("done cb 1");
        });
        f.addDoneCallback(() => {
          throw new Error("done cb 2");
        });
        f.addDoneCallback(() => {
          after++;
        });
        f.setResult(1);
        loop.callSoon(() => {
          throw new Error("soon");
        });
        loop.callSoon(() => {
          after++;
        });
        // Due at once: the first errors fail the block, and timers not yet due are dropped at shutdown.
        loop.callLater(0, () => {
          throw new Error("timer");
        });
        loop.callLater(0, () => {
          after++;
        });
        yield* sleep(1);
      }),
    );
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["done cb 1", "done cb 2", "soon", "timer"]);
    expect(after).toBe(3);
    expectClean(kept.runner);
    await expectUsable();
  });

  it("a hundred callbacks throw in one iteration: a hundred leaves", async () => {
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        for (let i = 0; i < 100; i++) {
          loop.callSoon(() => {
            throw new Error(`cb ${String(i).padStart(3, "0")}`);
          });
        }
        yield* sleep(1);
      }),
    );
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(Array.from({ length: 100 }, (_, i) => `cb ${String(i).padStart(3, "0")}`));
    expectClean(kept.runner);
  });

  it("the block's own error and a callback error raised during shutdown both come out", async () => {
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        loop.createTask(
          (function* (): asyncio.Coroutine<void> {
            try {
              yield* asyncio.sleep(100);
            } finally {
              loop.callSoon(() => {
                throw new Error("callback queued by a cancelled task");
              });
            }
          })(),
        );
        yield* sleep(1);
        throw new Error("block failed");
      }),
    );
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["block failed", "callback queued by a cancelled task"]);
    expectClean(kept.runner);
  });
});

describe("the exception handler", () => {
  it("a handler that throws: its error fails the block, with the original error attached", async () => {
    const original = new Error("original");
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        loop.setExceptionHandler(() => {
          throw new Error("handler broke");
        });
        loop.callSoon(() => {
          throw original;
        });
        yield* sleep(1);
      }),
    );
    expect(kept.ok).toBe(false);
    const [leaf, ...rest] = leaves(kept.value) as (Error & { context?: asyncio.ExceptionContext })[];
    expect(rest).toEqual([]);
    expect(leaf!.message).toMatch(/exception handler raised/);
    expect((leaf!.cause as Error).message).toBe("handler broke");
    expect(leaf!.context?.exception).toBe(original);
    expectClean(kept.runner);
    await expectUsable();
  });

  it("a handler that throws every time, for many errors: one wrapped error per fault, no recursion", async () => {
    let handlerCalls = 0;
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        loop.setExceptionHandler(() => {
          handlerCalls++;
          throw new Error("handler broke");
        });
        for (let i = 0; i < 20; i++) {
          loop.callSoon(() => {
            throw new Error(`fault ${i}`);
          });
        }
        yield* sleep(1);
      }),
    );
    expect(kept.ok).toBe(false);
    expect(handlerCalls).toBe(20);
    const all = leaves(kept.value) as (Error & { context?: asyncio.ExceptionContext })[];
    expect(all.length).toBe(20);
    expect(all.map((e) => (e.context?.exception as Error).message).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `fault ${i}`).sort());
    expectClean(kept.runner);
  });

  it("a handler that handles: nothing surfaces, the loop carries on", async () => {
    const handled: unknown[] = [];
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<string> {
        loop.setExceptionHandler((_loop, context) => handled.push(context.exception));
        loop.callSoon(() => {
          throw new Error("handled");
        });
        return yield* aioAsTrio(function* (): asyncio.Coroutine<string> {
          yield* asyncio.sleep(1);
          return "carried on";
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("carried on");
    expect(handled.map((e) => (e as Error).message)).toEqual(["handled"]);
    expectClean(kept.runner);
  });
});

describe("cleanup code that throws while cancelled", () => {
  it("an asyncio Task cancelled at loop shutdown whose finally throws: the error fails the block", async () => {
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        loop.createTask(
          (function* (): asyncio.Coroutine<void> {
            try {
              yield* asyncio.sleep(100);
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the fault under test
              throw new Error("asyncio cleanup failed");
            }
          })(),
        );
        yield* sleep(1);
      }),
    );
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["asyncio cleanup failed"]);
    expectClean(kept.runner);
    await expectUsable();
  });

  it("aioAsTrio cancelled from Trio, the asyncio finally throws: Trio sees that error, not Cancelled", async () => {
    const kept = await runKeep(() =>
      moveOnAfter(1, () =>
        openLoop(function* (): Operation<void> {
          yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
            try {
              yield* asyncio.sleep(100);
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the fault under test
              throw new Error("asyncio side cleanup");
            }
          })();
        }),
      ),
    );
    expect(kept.ok).toBe(false);
    expect(leafMessages(kept.value)).toEqual(["asyncio side cleanup"]);
    expect(leaves(kept.value).some((e) => e instanceof Cancelled)).toBe(false);
    expectClean(kept.runner);
  });

  it("trioAsAio cancelled from asyncio, the Trio finally throws: the asyncio awaiter gets that error", async () => {
    const kept = await runKeep(() =>
      openLoop(function* (): Operation<string> {
        return yield* aioAsTrio(function* (): asyncio.Coroutine<string> {
          const f = trioAsAio(function* () {
            try {
              yield* sleepForever();
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the fault under test
              throw new Error("trio side cleanup");
            }
          })();
          yield* asyncio.sleep(1);
          f.cancel();
          try {
            yield* f;
            return "no error";
          } catch (error) {
            return error instanceof asyncio.CancelledError ? "CancelledError" : (error as Error).message;
          }
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("trio side cleanup");
    expectClean(kept.runner);
  });

  it("the loop is cancelled from Trio while tasks, timers and Trio children all fail in cleanup: every error comes out", async () => {
    const kept = await runKeep(() =>
      moveOnAfter(1, () =>
        openLoop(function* (loop): Operation<void> {
          for (let i = 0; i < 3; i++) {
            loop.createTask(
              (function* (): asyncio.Coroutine<void> {
                try {
                  yield* aioSleep(100);
                } finally {
                  // eslint-disable-next-line no-unsafe-finally -- the fault under test
                  throw new Error(`aio ${i}`);
                }
              })(),
            );
          }
          yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
            const f = trioAsAio(function* () {
              try {
                yield* sleepForever();
              } finally {
                // eslint-disable-next-line no-unsafe-finally -- the fault under test
                throw new Error("trio child");
              }
            })();
            f.addDoneCallback(() => {
              throw new Error("done callback of the Trio child's Future");
            });
            yield* asyncio.sleep(100);
          })();
        }),
      ),
    );
    expect(kept.ok).toBe(false);
    const messages = leafMessages(kept.value);
    for (const m of ["aio 0", "aio 1", "aio 2", "trio child"]) expect(messages).toContain(m);
    expect(leaves(kept.value).some((e) => e instanceof Cancelled)).toBe(false);
    expectClean(kept.runner);
    await expectUsable();
  });
});
