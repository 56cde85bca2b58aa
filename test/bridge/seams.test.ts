/**
 * Hostile and mistaken values at the seams between the flavours (after
 * trio-asyncio's adapter tests): a revoked Proxy or a JavaScript async
 * iterator where an asyncio iterator belongs, an aclose() that is cancelled
 * before the iterator's return() could run, a Trio wait on a Future whose
 * loop has closed, and a trioAsAio function that returns no generator. Each
 * ends with a clear error or the cleanup done, never an engine message, a
 * hang or a skipped return().
 */
import { describe, expect, it } from "vitest";
import { CancelScope, Cancelled, currentTime, openNursery, sleep, type Operation } from "../../src/core/index.js";
import { aioAsTrio, aioIterAsTrio, openLoop, trioAsAio, trioIterAsAio, waitFuture, type AioAsyncIterator } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { Coroutine, Future } from "../../src/asyncio/index.js";
import { RuntimeError } from "../../src/core/state.js";
import { expectNoLeftovers, inLoop, only, runKeep } from "./helpers.js";

function revokedFunction(): () => void {
  const { proxy, revoke } = Proxy.revocable(function* () {}, {});
  revoke();
  return proxy;
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An asyncio iterator of 1, 2, 3... whose return() logs, and waits, as cleanup may. */
function counting(log: string[]): AioAsyncIterator<number> {
  let i = 0;
  return {
    *next(): Coroutine<IteratorResult<number, unknown>> {
      yield* asyncio.sleep(0.1);
      return { done: false, value: ++i };
    },
    *return(): Coroutine<unknown> {
      log.push("return started");
      yield* asyncio.sleep(1);
      log.push("return finished");
      return undefined;
    },
  };
}

describe("iterators at the seam: what is not an asyncio async iterator", () => {
  it("a revoked Proxy is refused by name, by both adapters", async () => {
    expect(() => aioIterAsTrio(revokedProxy() as never)).toThrow(/^aioIterAsTrio\(iterator\) needs an asyncio async iterator.*got an object that cannot be inspected \(a revoked Proxy\?\)/);
    expect(() => trioIterAsAio(revokedProxy() as never)).toThrow(/^trioIterAsAio\(receiver\) needs a Trio receive channel.*got an object that cannot be inspected \(a revoked Proxy\?\)/);
  });

  it("a JavaScript async generator: receive() raises a TypeError naming next() and the wrapPromise fix, once", async () => {
    async function* numbers(): AsyncGenerator<number> {
      yield 1;
    }
    const kept = await runKeep(() =>
      openLoop(function* () {
        return yield* aioIterAsTrio(numbers() as never).receive();
      }),
    );
    expectNoLeftovers(kept.runner);
    expect(kept.ok).toBe(false);
    const messages = (kept.value as AggregateError).errors.map((e) => (e as Error).message);
    // One error: an iterator whose next() raised is not finalized again at the loop's close.
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^An asyncio async iterator's next\(\) must return a coroutine .*got a Promise\. .*\{ \*next\(\) \{ return yield\* asyncio\.wrapPromise\(it\.next\(\)\); \} \}/);
  });

  it("the adaptation the message gives works: a JavaScript async generator read through wrapPromise", async () => {
    async function* numbers(): AsyncGenerator<number> {
      yield 1;
      yield 2;
    }
    const it = numbers();
    const adapted: AioAsyncIterator<number> = {
      *next() {
        return yield* asyncio.wrapPromise(it.next());
      },
      *return() {
        return yield* asyncio.wrapPromise(it.return(undefined));
      },
    };
    const got = await inLoop(function* () {
      const values: number[] = [];
      yield* aioIterAsTrio(adapted).forEach(function* (v) {
        values.push(v);
      });
      return values;
    });
    expect(got).toEqual([1, 2]);
  });

  it("a next() whose result is a revoked Proxy is a malformed result, by name", async () => {
    const kept = await runKeep(() =>
      openLoop(function* () {
        return yield* aioIterAsTrio<number>({
          *next() {
            yield* asyncio.sleep(0);
            return revokedProxy() as never;
          },
        }).receive();
      }),
    );
    expectNoLeftovers(kept.runner);
    expect(String(only(kept.value))).toMatch(/next\(\) must return \{ done, value \}, got an object that cannot be inspected/);
  });
});

describe("finalizing at the loop's close what next() left", () => {
  function failing(log: string[], how: "raise" | "hang"): AioAsyncIterator<number> {
    return {
      *next() {
        yield* asyncio.sleep(how === "raise" ? 0.1 : 100);
        throw new Error("source broke");
      },
      *return() {
        log.push("return ran");
      },
    };
  }

  it("an iterator whose next() raised is done: return() is not called at the close (as for-await and an async generator)", async () => {
    const log: string[] = [];
    await inLoop(function* () {
      const rx = aioIterAsTrio(failing(log, "raise"));
      const error = yield* catchOp(rx.receive());
      expect(String(error)).toMatch(/source broke/);
      log.push("body done");
    });
    expect(log).toEqual(["body done"]);
  });

  it("one whose receive() was cancelled from Trio is still finalized", async () => {
    const log: string[] = [];
    await inLoop(function* () {
      const rx = aioIterAsTrio(failing(log, "hang"));
      const scope = new CancelScope();
      yield* openNursery(function* (nursery) {
        nursery.startSoon(function* () {
          yield* sleep(1);
          scope.cancel();
        });
        yield* scope.run(() => rx.receive());
      });
      expect(scope.cancelledCaught).toBe(true);
      log.push("body done");
    });
    expect(log).toEqual(["body done", "return ran"]);
  });
});

function* catchOp(op: Operation<unknown>): Operation<unknown> {
  try {
    yield* op;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("iterators at the seam: a Trio receiver written with async methods", () => {
  function* readOne(receiver: object): Coroutine<unknown> {
    const it = trioIterAsAio(receiver as never);
    try {
      yield* it.next();
      return yield* it.return();
    } catch (error) {
      return error;
    }
  }

  it("an async receive(): asyncio code gets a TypeError naming receive() and the fix", async () => {
    const error = await inLoop(() =>
      aioAsTrio(readOne)({
        async receive() {
          return 1;
        },
      }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/^TypeError: trioIterAsAio: the receiver's receive\(\) must return a Trio operation .*got a Promise\. Write it as \*receive\(\) \{ \.\.\. \} .*yield\* waitPromise\(p\)/);
  });

  it("an async aclose(): return() raises a TypeError naming aclose()", async () => {
    const error = await inLoop(() =>
      aioAsTrio(readOne)({
        *receive() {
          yield* sleep(0);
          return 1;
        },
        async aclose() {},
      }),
    );
    expect(String(error)).toMatch(/^TypeError: trioIterAsAio: the receiver's aclose\(\) must return a Trio operation .*got a Promise/);
  });
});

describe("aclose() cancelled before the iterator's return() could run", () => {
  it("in a cancelled scope: return() still runs, when the loop closes", async () => {
    const log: string[] = [];
    await inLoop(function* () {
      const rx = aioIterAsTrio(counting(log));
      expect(yield* rx.receive()).toBe(1);
      const scope = new CancelScope();
      scope.cancel();
      yield* scope.run(() => rx.aclose());
      expect(rx.closed).toBe(true);
      log.push("body done");
    });
    expect(log).toEqual(["body done", "return started", "return finished"]);
  });

  it("while waiting for another task's pending next(): return() still runs, when the loop closes", async () => {
    const log: string[] = [];
    await inLoop(function* () {
      const slowEnd: AioAsyncIterator<number> = {
        *next() {
          try {
            yield* asyncio.sleep(10);
          } finally {
            // Cleanup that outlasts the aclose() deadline below.
            yield* asyncio.shield(asyncio.sleep(5));
          }
          return { done: false, value: 1 };
        },
        *return() {
          log.push("return ran");
        },
      };
      const rx = aioIterAsTrio(slowEnd);
      yield* openNursery(function* (nursery) {
        nursery.startSoon(function* () {
          yield* expectClosed(rx.receive());
        });
        yield* sleep(1);
        const scope = new CancelScope();
        nursery.startSoon(function* () {
          yield* sleep(1);
          scope.cancel();
        });
        yield* scope.run(() => rx.aclose());
        expect(scope.cancelledCaught).toBe(true);
      });
      log.push("body done");
    });
    expect(log).toEqual(["body done", "return ran"]);
  });
});

function* expectClosed(op: Operation<unknown>): Operation<void> {
  try {
    yield* op;
  } catch (error) {
    expect(String(error)).toMatch(/ClosedResourceError: The AioIterReceiver was closed while this task was receiving/);
    return;
  }
  throw new Error("expected ClosedResourceError");
}

describe("a Trio wait on a Future whose loop has closed", () => {
  it("waitFuture of a pending Future of a closed loop raises a RuntimeError at once", async () => {
    const kept = await runKeep(function* () {
      let saved: Future<number> | null = null;
      yield* openLoop(function* (loop) {
        saved = loop.createFuture<number>();
      });
      return yield* waitFuture(saved!);
    });
    expectNoLeftovers(kept.runner);
    expect(kept.value).toBeInstanceOf(RuntimeError);
    expect(String(kept.value)).toMatch(/waitFuture\(future\): the Future is pending on a closed event loop/);
  });

  it("a Trio task already waiting when the loop closes hears a RuntimeError then (the Future can never complete): no hang, no loop error", async () => {
    const kept = await runKeep(function* () {
      let heard: unknown = null;
      let closedAt = -1;
      yield* openNursery(function* (outer) {
        yield* openLoop(function* (loop) {
          const future = loop.createFuture<number>();
          outer.startSoon(function* () {
            try {
              yield* waitFuture(future);
            } catch (error) {
              heard = error;
            }
          });
          yield* sleep(1);
        });
        closedAt = currentTime();
      });
      return { heard, closedAt, now: currentTime() };
    });
    expectNoLeftovers(kept.runner);
    expect(kept.ok).toBe(true);
    const { heard, closedAt, now } = kept.value as { heard: unknown; closedAt: number; now: number };
    expect(heard).toBeInstanceOf(RuntimeError);
    expect(String(heard)).toMatch(/the event loop closed .*while this task waited, with the Future still pending/);
    // Woken by the close itself, not by a later cancel or timeout.
    expect(now).toBe(closedAt);
  });

  it("a waiter whose loop closes under a cancel scope it is cancelled in still gets Cancelled (the cancel came first)", async () => {
    const kept = await runKeep(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (outer) {
        yield* openLoop(function* (loop) {
          const future = loop.createFuture<number>();
          outer.startSoon(function* () {
            yield* scope.run(() => waitFuture(future));
          });
          yield* sleep(1);
          scope.cancel();
        });
      });
      return scope.cancelledCaught;
    });
    expectNoLeftovers(kept.runner);
    expect(kept.ok ? kept.value : String(kept.value)).toBe(true);
  });

  it("an asyncio Task's Future still ends normally: the close cancels it and the Trio waiter hears CancelledError", async () => {
    const kept = await runKeep(function* () {
      let heard: unknown = null;
      yield* openNursery(function* (outer) {
        yield* openLoop(function* (loop) {
          const task = loop.createTask(asyncio.sleep(100));
          outer.startSoon(function* () {
            try {
              yield* waitFuture(task);
            } catch (error) {
              heard = error;
            }
          });
          yield* sleep(1);
        });
      });
      return heard;
    });
    expectNoLeftovers(kept.runner);
    expect(kept.value).toBeInstanceOf(asyncio.CancelledError);
    expect(kept.value).not.toBeInstanceOf(Cancelled);
  });
});

describe("trioAsAio of a function that makes no generator", () => {
  it("a Promise: the TypeError names the trioAsAio call, not an internal scope", async () => {
    function fetchUser(): Operation<string> {
      return Promise.resolve("u") as never;
    }
    const error = await inLoop(() =>
      aioAsTrio(function* () {
        try {
          yield* trioAsAio(fetchUser)();
        } catch (e) {
          return e;
        }
      })(),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/^TypeError: trioAsAio\(fetchUser\): fetchUser returned a Promise, not a generator\. .*yield\* waitPromise\(p\)/);
    expect(String(error)).not.toMatch(/CancelScope/);
  });

  it("an async function or a revoked Proxy of a function is refused by trioAsAio itself, at once", () => {
    async function load(): Promise<number> {
      return 1;
    }
    expect(() => trioAsAio(load as never)).toThrow(/^trioAsAio\(fn\) got an async function \(load\)\. Tasks are generator functions/);
    expect(() => trioAsAio(revokedFunction() as never)).toThrow(/^trioAsAio\(fn\) needs a generator function \(function\*\), got a function that cannot be inspected \(a revoked Proxy\?\)/);
  });

  it("a Trio operation function still runs, with its arguments, inside the Future's scope", async () => {
    const got = await inLoop(() =>
      aioAsTrio(function* () {
        return yield* trioAsAio(function* (a: number, b: number) {
          yield* sleep(1);
          return a + b;
        })(2, 3);
      })(),
    );
    expect(got).toBe(5);
  });
});

describe("openLoop and aioAsTrio given what is not their kind of function", () => {
  async function outcome(body: unknown): Promise<unknown> {
    const kept = await runKeep(() => openLoop(body as never));
    expectNoLeftovers(kept.runner);
    expect(kept.ok).toBe(false);
    return only(kept.value);
  }

  it("openLoop(an async function) is refused before the loop opens, naming the fix", async () => {
    expect(String(await outcome(async () => 1))).toMatch(/^TypeError: openLoop\(body\) got an async function .*Tasks are generator functions: write function\*/);
  });

  it("openLoop(a revoked Proxy of a function) is refused by name", async () => {
    expect(String(await outcome(revokedFunction()))).toMatch(/^TypeError: openLoop\(body\) needs a generator function \(function\*\), got a function that cannot be inspected/);
  });

  it("openLoop(a plain function that returns no generator): a TypeError naming openLoop and what it returned", async () => {
    const named = function setUp(): number {
      return 1;
    };
    expect(String(await outcome(named))).toMatch(/^TypeError: openLoop\(body\): setUp returned number 1, not a generator/);
  });

  it("aioAsTrio(a revoked Proxy of a function) is refused at once, by name", () => {
    expect(() => aioAsTrio(revokedFunction() as never)).toThrow(/^aioAsTrio\(fn\) needs an asyncio coroutine function .*got a function that cannot be inspected \(a revoked Proxy\?\)/);
  });
});
