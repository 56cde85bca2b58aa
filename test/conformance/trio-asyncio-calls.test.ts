/**
 * Calls across the flavours, after Python trio-asyncio's own suite:
 * tests/interop/test_calls.py and tests/interop/test_adapter.py (semantics
 * only; the code and words are ours). Each test names the upstream test it
 * follows. `aio_as_trio` is `aioAsTrio`, `trio_as_aio` is `trioAsAio`,
 * `run_aio_future` is `waitFuture`, an async generator crossing is
 * `aioIterAsTrio` / `trioIterAsAio`.
 *
 * Skipped upstream tests:
 * - every `*_depr` test (run_asyncio, run_trio, wrap_generator,
 *   wrap_trio_context, loop=...): deprecated spellings of the same calls,
 *   which we never had.
 * - test_call_asyncio_ctx, test_call_trio_ctx, test_trio_asyncio_ctx,
 *   test_asyncio_trio_ctx: async context managers (`async with`) do not
 *   exist in JavaScript; our blocks are functions, which cross like any
 *   other call (test_asyncio_trio, test_trio_asyncio).
 * - TestAllow (allow_asyncio): one coroutine that awaits both flavours
 *   cannot exist here; the flavours are branded types (docs/asyncio.md,
 *   difference 1).
 * - the sniffio.current_async_library() asserts: no sniffio; the flavour is
 *   the type, checked in test/types.
 */
import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  ExceptionGroup,
  currentCancelScope,
  openNursery,
  sleep as trioSleep,
  RuntimeError,
  sleepForever,
  type Operation,
} from "../../src/core/index.js";
import { Event as TrioEvent, openMemoryChannel } from "../../src/sync/index.js";
import { aioAsTrio, aioIterAsTrio, trioAsAio, trioIterAsAio, waitFuture, type AioAsyncIterator } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { inLoop, runLoop } from "../bridge/helpers.js";

const { CancelledError } = asyncio;

/** Runs `op` in an openLoop block and returns what it threw (null if it returned). */
function errorIn(op: () => Operation<unknown>): Promise<unknown> {
  return inLoop(function* () {
    try {
      yield* op();
      return null;
    } catch (e) {
      return e;
    }
  });
}

/** An asyncio async iterator over 1..count, sleeping `delay` before each value; `onEnd` runs when it ends. */
function slowNums(count: number, delay: number, onEnd: () => void = () => {}): AioAsyncIterator<number> {
  let n = 0;
  return {
    *next(): asyncio.Coroutine<IteratorResult<number, unknown>> {
      yield* asyncio.sleep(delay);
      n++;
      if (n <= count) return { done: false, value: n };
      onEnd();
      return { done: true, value: undefined };
    },
  };
}

describe("results and errors across, after trio-asyncio's test_calls", () => {
  // test_call_at
  it("an asyncio Event set by a callAt timer wakes the coroutine called from Trio", async () => {
    const r = await inLoop(function* (loop) {
      const at = loop.time() + 0.1;
      function* delay(t: number): asyncio.Coroutine<number> {
        const done = new asyncio.Event();
        loop.callAt(t, () => done.set());
        yield* done.wait();
        return loop.time();
      }
      return [at, yield* aioAsTrio(delay)(at)];
    });
    expect(r[1]).toBeGreaterThanOrEqual(r[0]!);
  });

  // test_asyncio_trio (and test_asyncio_trio_adapted)
  it("Trio code called from asyncio code called from Trio returns its value", async () => {
    let flag = 0;
    function* dlyTrio(): Operation<number> {
      yield* trioSleep(0.01);
      flag |= 2;
      return 8;
    }
    function* callAT(): asyncio.Coroutine<number> {
      return yield* trioAsAio(dlyTrio)();
    }
    expect(await inLoop(() => aioAsTrio(callAT)())).toBe(8);
    expect(flag).toBe(2);
  });

  // test_asyncio_trio_sync
  it("a plain function called from asyncio code called from Trio returns its value", async () => {
    let flag = 0;
    const dly = (): number => {
      flag |= 2;
      return 8;
    };
    function* callSync(): asyncio.Coroutine<number> {
      return dly();
    }
    expect(await inLoop(() => aioAsTrio(callSync)())).toBe(8);
    expect(flag).toBe(2);
  });

  // test_trio_asyncio (and test_trio_asyncio_adapted)
  it("asyncio code called from Trio returns its value after its sleep", async () => {
    let flag = 0;
    function* dlyAsyncio(): asyncio.Coroutine<number> {
      yield* asyncio.sleep(0.01);
      flag |= 1;
      return 4;
    }
    expect(await inLoop(() => aioAsTrio(dlyAsyncio)())).toBe(4);
    expect(flag).toBe(1);
  });

  // test_asyncio_trio_error
  it("a Trio error crosses asyncio back to Trio as the same object", async () => {
    const failure = new RuntimeError("the callee failed (3)");
    function* errTrio(): Operation<never> {
      yield* trioSleep(0.01);
      throw failure;
    }
    function* callAT(): asyncio.Coroutine<never> {
      return yield* trioAsAio(errTrio)();
    }
    const err = await errorIn(() => aioAsTrio(callAT)());
    expect(err).toBe(failure);
  });

  // test_asyncio_trio_sync_error
  it("an error of a plain function called from asyncio code reaches the Trio caller", async () => {
    const failure = new RuntimeError("the callee failed (2)");
    function* callSync(): asyncio.Coroutine<never> {
      asyncio.getRunningLoop().time(); // the loop is running here
      throw failure;
    }
    const err = await errorIn(() => aioAsTrio(callSync)());
    expect(err).toBe(failure);
  });

  // test_trio_asyncio_error
  it("an asyncio error reaches the Trio caller as the same object", async () => {
    const failure = new RuntimeError("the callee failed");
    function* errAsyncio(): asyncio.Coroutine<never> {
      yield* asyncio.sleep(0.01);
      throw failure;
    }
    const err = await errorIn(() => aioAsTrio(errAsyncio)());
    expect(err).toBe(failure);
  });

  // test_trio_asyncio_error_direct
  it("a function that throws before it returns a coroutine throws in the Trio caller", async () => {
    const failure = new RuntimeError("the callee failed");
    const errAsyncio = (): asyncio.Coroutine<never> => {
      throw failure;
    };
    const err = await errorIn(() => aioAsTrio(errAsyncio)());
    expect(err).toBe(failure);
  });
});

describe("cancellation across, after trio-asyncio's test_calls", () => {
  // test_asyncio_trio_cancel_out
  it("Trio code that cancels its own scope: asyncio sees CancelledError, the Trio code stops at its next checkpoint", async () => {
    let flag = 0;
    function* cancelledTrio(): Operation<void> {
      flag |= 1;
      yield* trioSleep(0.01);
      currentCancelScope().cancel();
      flag |= 2;
      yield* trioSleep(0.01);
      flag |= 4;
    }
    function* callAT(): asyncio.Coroutine<unknown> {
      try {
        yield* trioAsAio(cancelledTrio)();
        return "no error";
      } catch (e) {
        return e;
      }
    }
    const err = await inLoop(() => aioAsTrio(callAT)());
    expect(err).toBeInstanceOf(CancelledError);
    expect(flag).toBe(3);
  });

  // test_trio_asyncio_cancel_out (the coroutine case)
  it("asyncio code raising the CancelledError of a Future it cancelled: Trio sees CancelledError, its scope is not cancelled", async () => {
    let flag = 0;
    function* cancelledAsyncio(): asyncio.Coroutine<void> {
      flag |= 1;
      yield* asyncio.sleep(0.01);
      const f = asyncio.getRunningLoop().createFuture<void>();
      f.cancel();
      return f.result();
    }
    const r = await inLoop(function* () {
      const scope = new CancelScope();
      let err: unknown = null;
      yield* scope.run(function* () {
        try {
          yield* aioAsTrio(cancelledAsyncio)();
        } catch (e) {
          err = e;
        }
      });
      flag |= 4;
      return { err, cancelCalled: scope.cancelCalled };
    });
    expect(r.err).toBeInstanceOf(CancelledError);
    expect(r.err).not.toBeInstanceOf(Cancelled);
    expect(r.cancelCalled).toBe(false);
    expect(flag).toBe(1 | 4);
  });

  // test_trio_asyncio_cancel_out (the cancelled_future case, with run_aio_future's equivalent)
  it("waiting from Trio for a Future asyncio code cancelled raises CancelledError; the Trio scope is not cancelled", async () => {
    const r = await inLoop(function* (loop) {
      const scope = new CancelScope();
      let err: unknown = null;
      yield* scope.run(function* () {
        const f = loop.createFuture<void>();
        f.cancel();
        try {
          yield* waitFuture(f);
        } catch (e) {
          err = e;
        }
      });
      return { err, cancelCalled: scope.cancelCalled };
    });
    expect(r.err).toBeInstanceOf(CancelledError);
    expect(r.cancelCalled).toBe(false);
  });

  // test_asyncio_trio_cancel_in
  it("cancelling from asyncio the Future of a Trio call: the Trio code sees Cancelled and runs its finally; the awaiter gets CancelledError", async () => {
    let flag = 0;
    function* inTrio(started: asyncio.Event): Operation<void> {
      started.set();
      try {
        yield* trioSleep(1);
        flag |= 4;
      } catch (e) {
        if (e instanceof Cancelled) flag |= 1;
        throw e;
      } finally {
        flag |= 2;
      }
    }
    function* cancelAsyncio(): asyncio.Coroutine<void> {
      const started = new asyncio.Event();
      const f = asyncio.ensureFuture(trioAsAio(inTrio)(started));
      yield* started.wait();
      f.cancel();
      try {
        yield* f;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
      flag |= 8;
    }
    await inLoop(() => aioAsTrio(cancelAsyncio)());
    expect(flag).toBe(1 | 2 | 8);
  });

  // test_trio_asyncio_cancel_in
  it("cancelling the Trio nursery of an asyncio call: the coroutine sees CancelledError (never Cancelled) and the nursery ends", async () => {
    let flag = 0;
    function* inAsyncio(started: TrioEvent): asyncio.Coroutine<void> {
      started.set();
      try {
        yield* asyncio.sleep(9999);
        flag |= 4;
      } catch (e) {
        if (e instanceof CancelledError) flag |= 1;
        if (e instanceof Cancelled) flag |= 16;
        throw e;
      } finally {
        flag |= 2;
      }
    }
    await inLoop(function* () {
      const started = new TrioEvent();
      yield* openNursery(function* (nursery) {
        nursery.startSoon(() => aioAsTrio(inAsyncio)(started));
        yield* started.wait();
        nursery.cancelScope.cancel();
      });
      flag |= 8;
    });
    expect(flag).toBe(1 | 2 | 8);
  });

  // test_trio_asyncio_cancel_direct
  it("a CancelledError thrown before any coroutine runs is an ordinary error in Trio: the nursery raises it", async () => {
    let flag = 0;
    const inAsyncio = (): asyncio.Coroutine<void> => {
      flag |= 1;
      throw new CancelledError();
    };
    const r = await runLoop(function* () {
      const started = new TrioEvent();
      try {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(() => aioAsTrio(inAsyncio)());
          yield* started.wait();
          nursery.cancelScope.cancel();
        });
      } finally {
        flag |= 8;
      }
    });
    expect(r.ok).toBe(false);
    // The nursery's group, inside openLoop's group: a CancelledError and nothing else.
    expect(r.value).toBeInstanceOf(ExceptionGroup);
    const [matched, rest] = (r.value as ExceptionGroup).split(CancelledError);
    expect(matched).toBeDefined();
    expect(rest).toBeUndefined();
    expect(flag).toBe(1 | 8);
  });
});

describe("iterators across, after trio-asyncio's test_calls and test_adapter", () => {
  // test_trio_asyncio_generator / test_trio_asyncio_iterator
  it("Trio code reads every value of an asyncio async iterator", async () => {
    let ended = 0;
    const values = await inLoop(function* () {
      const out: number[] = [];
      yield* aioIterAsTrio(slowNums(5, 0.01, () => ended++)).forEach(function* (n) {
        out.push(n);
      });
      return out;
    });
    expect(values).toEqual([1, 2, 3, 4, 5]);
    expect(values.reduce((a, b) => a + b)).toBe(15);
    expect(ended).toBe(1);
  });

  // test_trio_asyncio_generator_with_error
  it("an error of the asyncio iterator after its first value reaches the Trio reader, the same object", async () => {
    const failure = new RuntimeError("the callee failed");
    let n = 0;
    const it: AioAsyncIterator<number> = {
      *next(): asyncio.Coroutine<IteratorResult<number, unknown>> {
        yield* asyncio.sleep(0);
        if (++n === 1) return { done: false, value: 1 };
        throw failure;
      },
    };
    const r = await inLoop(function* () {
      const out: number[] = [];
      try {
        yield* aioIterAsTrio(it).forEach(function* (v) {
          out.push(v);
        });
        return { out, err: null as unknown };
      } catch (e) {
        return { out, err: e };
      }
    });
    expect(r.out).toEqual([1]);
    expect(r.err).toBe(failure);
  });

  // test_trio_asyncio_generator_with_cancellation
  it("a Trio reader cancelled while the asyncio iterator waits ends the nursery; the iterator saw its first value taken", async () => {
    let flag = 0;
    let step = 0;
    let cancelledInside = false;
    const r = await inLoop(function* () {
      const hold = new asyncio.Event();
      const it: AioAsyncIterator<number> = {
        *next(): asyncio.Coroutine<IteratorResult<number, unknown>> {
          if (step++ === 0) return { done: false, value: 1 };
          flag |= 1;
          try {
            yield* hold.wait();
          } catch (e) {
            cancelledInside = e instanceof CancelledError;
            throw e;
          }
          return { done: true, value: undefined };
        },
      };
      const got: number[] = [];
      let scope: CancelScope | null = null;
      yield* openNursery(function* (nursery) {
        scope = nursery.cancelScope;
        nursery.startSoon(() => aioIterAsTrio(it).forEach(function* (v) {
          got.push(v);
        }));
        nursery.startSoon(function* () {
          yield* trioSleep(0.01);
          nursery.cancelScope.cancel();
        });
      });
      return { cancelCalled: scope!.cancelCalled, got };
    });
    expect(r).toEqual({ cancelCalled: true, got: [1] });
    expect(flag).toBe(1);
    expect(cancelledInside).toBe(true);
  });

  // test_adapter.py test_asyncio_trio_iter: trio_as_aio over a Trio async generator
  it("asyncio code reads every value of a Trio producer (a channel fed by a Trio task)", async () => {
    let flag = 0;
    function* iterTrio(tx: { send(v: number): Operation<void>; aclose(): Operation<void> }): Operation<void> {
      try {
        yield* trioSleep(0.01);
        yield* tx.send(1);
        yield* trioSleep(0.01);
        yield* tx.send(2);
        yield* trioSleep(0.01);
        flag |= 1;
      } finally {
        yield* tx.aclose();
      }
    }
    function* reader(): asyncio.Coroutine<number[]> {
      const [tx, rx] = openMemoryChannel<number>(0);
      const producer = trioAsAio(iterTrio)(tx);
      const out: number[] = [];
      const it = trioIterAsAio(rx);
      for (;;) {
        const r = yield* it.next();
        if (r.done) break;
        out.push(r.value);
        expect(r.value).toBe(out.length);
      }
      yield* producer;
      return out;
    }
    expect(await inLoop(() => aioAsTrio(reader)())).toEqual([1, 2]);
    expect(flag).toBe(1);
  });

  // test_adapter.py test_trio_asyncio_iter
  it("an asyncio iterator's code after its last value runs before Trio sees the end", async () => {
    let flag = 0;
    let n = 0;
    const it: AioAsyncIterator<number> = {
      *next(): asyncio.Coroutine<IteratorResult<number, unknown>> {
        yield* asyncio.sleep(0.01);
        if (++n <= 2) return { done: false, value: n };
        flag |= 1;
        return { done: true, value: undefined };
      },
    };
    const seen = await inLoop(function* () {
      const out: number[] = [];
      const rx = aioIterAsTrio(it);
      for (;;) {
        const r = yield* rx.receiveOrEnd();
        if (r.done) break;
        out.push(r.value);
      }
      return { out, flagAtEnd: flag };
    });
    expect(seen).toEqual({ out: [1, 2], flagAtEnd: 1 });
  });
});

describe("adapters, after trio-asyncio's test_adapter", () => {
  // test_trio_asyncio_future: aio_as_trio(future)
  it("Trio code waits for a Task made with ensureFuture (run_aio_future's equivalent, waitFuture)", async () => {
    let flag = 0;
    function* dlyAsyncio(): asyncio.Coroutine<number> {
      yield* asyncio.sleep(0.01);
      flag |= 1;
      return 4;
    }
    const r = await inLoop(function* (loop) {
      const f = asyncio.ensureFuture(dlyAsyncio(), { loop });
      return yield* waitFuture(f);
    });
    expect(r).toBe(4);
    expect(flag).toBe(1);
  });

  // test_trio_asyncio_awaitable: aio_as_trio(coroutine object); docs/asyncio.md, difference 19
  it("aioAsTrio refuses a coroutine object (Python takes one); the TypeError names the function form", async () => {
    function* dlyAsyncio(): asyncio.Coroutine<number> {
      yield* asyncio.sleep(0.01);
      return 4;
    }
    const coro = dlyAsyncio();
    expect(() => aioAsTrio(coro as never)).toThrow(TypeError);
    expect(() => aioAsTrio(coro as never)).toThrow(/coroutine function/);
  });

  // test_trio_asyncio_cancel_out's cancelled_future: aio_as_trio(f) where f returns a Future
  // (difference 19; the message used to call the Future a Promise)
  it("aioAsTrio of a function that returns a Future (not a coroutine) is a TypeError in the Trio caller", async () => {
    const r = await inLoop(function* (loop) {
      const f = loop.createFuture<number>();
      f.setResult(1);
      try {
        yield* aioAsTrio(() => f as unknown as asyncio.Coroutine<number>)();
        return null;
      } catch (e) {
        return e;
      }
    });
    expect(r).toBeInstanceOf(TypeError);
    expect(String(r)).toMatch(/You passed a Future or Task.*waitFuture\(future\)/);
  });

  // test_trio_asyncio_cancel_in seen from the adapter: a Trio caller blocked forever is cancelled cleanly
  it("a Trio caller waiting forever inside trioAsAio ends with the block, the asyncio awaiter seeing CancelledError", async () => {
    let seen: unknown = null;
    function* forever(): Operation<void> {
      yield* sleepForever();
    }
    function* main(): asyncio.Coroutine<void> {
      try {
        yield* trioAsAio(forever)();
      } catch (e) {
        seen = e;
        throw e;
      }
    }
    const r = await inLoop(function* () {
      return yield* new CancelScope({ deadline: 5 }).run(() => aioAsTrio(main)());
    });
    expect(r).toBeUndefined();
    expect(seen).toBeInstanceOf(CancelledError);
  });
});
