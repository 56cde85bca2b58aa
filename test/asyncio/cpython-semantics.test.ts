/**
 * Points where an outside tester found the asyncio layer apart from CPython
 * 3.12+, each checked against CPython's Lib/asyncio (tasks.py, futures.py,
 * base_events.py, queues.py) and the spirit of test_tasks.py.
 */
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  Queue,
  QueueFull,
  Task,
  ValueError,
  asCompleted,
  createTask,
  gather,
  shield,
  sleep,
  wait,
  wrapPromise,
  type Coroutine,
  type ExceptionContext,
} from "../../src/asyncio/index.js";
import { ExceptionGroup } from "../../src/core/index.js";
import { delayed, failing, raises, rejection, runAio, spin } from "./helpers.js";

/** The leaves of what a failed openLoop block raised. */
function leaves(error: unknown): unknown[] {
  return error instanceof ExceptionGroup ? error.leaves() : [error];
}

describe("case 1: wait(FIRST_EXCEPTION) retrieves the exception that made it return", () => {
  it("the failed task is not reported as never retrieved (CPython's _on_completion calls f.exception())", async () => {
    const seen: ExceptionContext[] = [];
    const result = await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const bad = createTask(failing(1, new Error("boom")));
      const slow = createTask(delayed(2, "slow"));
      const [done, pending] = yield* wait([bad, slow], { returnWhen: FIRST_EXCEPTION });
      expect(done.has(bad) && pending.has(slow)).toBe(true);
      return yield* slow;
    });
    expect(result).toBe("slow");
    expect(seen).toEqual([]);
  });

  it("the openLoop block does not fail, with the default handler", async () => {
    await expect(
      runAio(function* () {
        const bad = createTask(failing(1, new Error("boom")));
        const slow = createTask(delayed(2, "slow"));
        yield* wait([bad, slow], { returnWhen: FIRST_EXCEPTION });
        return yield* slow;
      }),
    ).resolves.toBe("slow");
  });

  it("also when the failed task is the only one (CPython skips f.exception() there; we do not)", async () => {
    await expect(
      runAio(function* () {
        const bad = createTask(failing(1, new Error("boom")));
        const [done] = yield* wait([bad], { returnWhen: FIRST_EXCEPTION });
        return done.has(bad);
      }),
    ).resolves.toBe(true);
  });

  it("FIRST_COMPLETED and ALL_COMPLETED leave the exception unretrieved, so it is reported at close", async () => {
    for (const returnWhen of [FIRST_COMPLETED, undefined] as const) {
      const seen: ExceptionContext[] = [];
      const boom = new Error(`boom ${String(returnWhen)}`);
      await runAio(function* (loop) {
        loop.setExceptionHandler((_l, c) => seen.push(c));
        const bad = createTask(failing(1, boom));
        yield* wait([bad], returnWhen === undefined ? {} : { returnWhen });
      });
      expect(seen.map((c) => c.exception)).toEqual([boom]);
      expect(seen[0]!.message).toMatch(/never retrieved/);
    }
  });

  it("a task that fails after wait() returned is still reported", async () => {
    const seen: ExceptionContext[] = [];
    const late = new Error("late");
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const bad = createTask(failing(1, new Error("first")));
      const later = createTask(failing(5, late));
      yield* wait([bad, later], { returnWhen: FIRST_EXCEPTION });
      yield* sleep(10);
      expect(later.done()).toBe(true);
    });
    expect(seen.map((c) => c.exception)).toEqual([late]);
  });
});

describe("case 2: awaiting a cancelled Task raises the CancelledError its coroutine raised", () => {
  it("the same object, when cancelled from outside (3.12's _cancelled_exc)", async () => {
    await runAio(function* () {
      let raisedInside: unknown = null;
      const t = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch (error) {
            raisedInside = error;
            throw error;
          }
        })(),
      );
      yield* sleep(1);
      t.cancel("stop");
      const err = yield* raises(() => t[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect(err).toBe(raisedInside);
      expect((err as Error).message).toBe("stop");
    });
  });

  it("the same object, when the coroutine raised CancelledError on its own", async () => {
    await runAio(function* () {
      const own = new CancelledError("my own");
      const t = createTask(
        (function* () {
          yield* sleep(1);
          throw own;
        })(),
      );
      const err = yield* raises(() => t[Symbol.iterator]());
      expect(err).toBe(own);
      expect(t.cancelled()).toBe(true);
      // As CPython, the saved error is handed out once; later callers get a
      // new one without its message (the Task ended by Future.cancel() with none).
      const again = yield* raises(function* () {
        return t.result();
      });
      expect(again).toBeInstanceOf(CancelledError);
      expect((again as Error).message).toBe("");
    });
  });

  it("result() outside any task also raises that object first", async () => {
    await runAio(function* () {
      const own = new CancelledError("direct");
      const t = createTask(
        (function* () {
          yield* sleep(0);
          throw own;
        })(),
      );
      yield* sleep(1);
      let thrown: unknown = null;
      try {
        t.result();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBe(own);
    });
  });
});

describe("case 3: shield() and an inner failure after the waiter was cancelled", () => {
  it("the inner exception is reported as never retrieved if nobody looks at it (CPython 3.12 logs it at GC)", async () => {
    const seen: ExceptionContext[] = [];
    const boom = new Error("inner failed");
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const inner = createTask(failing(2, boom));
      const waiter = createTask(shield(inner)[Symbol.iterator]());
      yield* sleep(1);
      waiter.cancel();
      yield* sleep(5);
      expect(waiter.cancelled() && inner.done()).toBe(true);
    });
    expect(seen.map((c) => c.exception)).toEqual([boom]);
  });

  it("retrieving it later (awaiting the inner task) keeps the block from failing", async () => {
    await expect(
      runAio(function* () {
        const inner = createTask(failing(2, new Error("inner failed")));
        const waiter = createTask(shield(inner)[Symbol.iterator]());
        yield* sleep(1);
        waiter.cancel();
        const err = yield* raises(() => inner[Symbol.iterator]());
        return (err as Error).message;
      }),
    ).resolves.toBe("inner failed");
  });

  it("an inner that fails in the same loop iteration as the cancel is marked retrieved, as CPython's _inner_done_callback does", async () => {
    const seen: ExceptionContext[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const gate = loop.createFuture<void>();
      const inner = createTask(
        (function* () {
          yield* gate;
          throw new Error("same turn");
        })(),
      );
      const waiter = createTask(shield(inner)[Symbol.iterator]());
      yield* spin(2);
      // One iteration wakes the inner task, the next runs it to its error and
      // then cancels the waiter: shield() still listens when the inner ends.
      loop.callSoon(() => {
        gate.setResult();
        loop.callSoon(() => waiter.cancel());
      });
      yield* spin(5);
      expect(waiter.cancelled() && inner.done()).toBe(true);
    });
    expect(seen).toEqual([]);
  });
});

describe("case 4: coroutine functions are refused as callbacks", () => {
  function* work(): Coroutine<void> {
    yield* sleep(0);
  }
  const fix = /coroutines cannot be used with (\w+)\(\).*loop\.createTask\(\w+\(\)\)/;

  it("callSoon, callSoonThreadsafe, callLater, callAt raise TypeError naming the fix", async () => {
    await runAio(function* (loop) {
      const bad = work as unknown as () => void;
      expect(() => loop.callSoon(bad)).toThrow(TypeError);
      expect(() => loop.callSoon(bad)).toThrow(/coroutines cannot be used with callSoon\(\)/);
      expect(() => loop.callSoon(bad)).toThrow(fix);
      expect(() => loop.callSoon(bad)).toThrow(/work is a generator function.*loop\.createTask\(work\(\)\)/);
      expect(() => loop.callSoonThreadsafe(bad)).toThrow(/callSoonThreadsafe\(\)/);
      expect(() => loop.callLater(1, bad)).toThrow(/coroutines cannot be used with callLater\(\)/);
      expect(() => loop.callAt(loop.time() + 1, bad)).toThrow(/coroutines cannot be used with callAt\(\)/);
      expect(loop.pending).toEqual({ ready: 0, timers: 0 });
      yield* sleep(0);
    });
  });

  it("a coroutine object (generator) as callback is refused too", async () => {
    await runAio(function* (loop) {
      const coro = work();
      expect(() => loop.callSoon(coro as unknown as () => void)).toThrow(fix);
      expect(() => loop.callLater(1, coro as unknown as () => void)).toThrow(TypeError);
      yield* sleep(0);
    });
  });

  it("addDoneCallback refuses them, pending or done", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      expect(() => f.addDoneCallback(work as unknown as () => void)).toThrow(/coroutines cannot be used with addDoneCallback\(\)/);
      f.setResult(1);
      expect(() => f.addDoneCallback(work as unknown as () => void)).toThrow(TypeError);
      expect(f.pendingCallbacks).toHaveLength(0);
      yield* sleep(0);
    });
  });

  it("plain functions still work", async () => {
    await runAio(function* (loop) {
      const log: string[] = [];
      loop.callSoon(() => log.push("soon"));
      loop.callLater(0.5, () => log.push("later"));
      yield* sleep(1);
      expect(log).toEqual(["soon", "later"]);
    });
  });
});

describe("case 5: small argument semantics", () => {
  it("sleep(NaN) raises ValueError('Invalid delay: NaN ...'), as CPython 3.12", async () => {
    await runAio(function* () {
      const err = yield* raises(() => sleep(NaN));
      expect(err).toBeInstanceOf(ValueError);
      expect((err as Error).message).toMatch(/Invalid delay: NaN/);
      // Not a number at all is still a TypeError (CPython: '<=' not supported).
      expect(yield* raises(() => sleep("1" as unknown as number))).toBeInstanceOf(TypeError);
    });
  });

  it("Queue takes a fractional maxsize: full() once qsize() >= maxsize", async () => {
    await runAio(function* () {
      const q = new Queue<number>(2.5);
      expect(q.maxsize).toBe(2.5);
      q.putNowait(1);
      q.putNowait(2);
      expect(q.full()).toBe(false);
      q.putNowait(3);
      expect(q.full()).toBe(true);
      expect(() => q.putNowait(4)).toThrow(QueueFull);
      const small = new Queue<number>(0.5);
      small.putNowait(1);
      expect(small.full()).toBe(true);
      yield* sleep(0);
    });
    expect(() => new Queue(NaN)).toThrow(ValueError);
  });

  it("wrapPromise(future) returns the Future itself, like ensure_future", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      expect(wrapPromise(f)).toBe(f);
      const t = createTask(delayed(1, "t"));
      expect(wrapPromise(t)).toBe(t);
      f.setResult(1);
      yield* t;
    });
  });

  it("wait() takes any iterable of Futures: an array, a Set, a generator", async () => {
    await runAio(function* () {
      const make = (): Task<string>[] => [createTask(delayed(1, "a")), createTask(delayed(2, "b"))];
      const fromArray = make();
      const [d1] = yield* wait(fromArray);
      expect(d1.size).toBe(2);
      const [d2] = yield* wait(new Set(make()));
      expect(d2.size).toBe(2);
      const tasks = make();
      const [d3, p3] = yield* wait(
        (function* () {
          yield* tasks;
        })(),
        { returnWhen: FIRST_COMPLETED },
      );
      expect(d3.has(tasks[0]!) && p3.has(tasks[1]!)).toBe(true);
      yield* tasks[1]!;
    });
  });

  it("wait() still refuses a bare Future or a list holding a coroutine", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      expect(yield* raises(() => wait(f as unknown as Future<number>[]))).toBeInstanceOf(TypeError);
      const coro = delayed(1, 1);
      const err = yield* raises(() => wait([coro as unknown as Future<number>]));
      expect((err as Error).message).toMatch(/createTask/);
      f.setResult(1);
    });
  });

  it("a generator that yields something other than Futures is a TypeError naming the fix", async () => {
    await runAio(function* () {
      const err = yield* raises(() => wait(delayed(1, 1) as unknown as Iterable<Future<number>>));
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(/createTask/);
    });
  });

  it("a generator yielding a non-Future is refused and closed", async () => {
    await runAio(function* () {
      const t = createTask(delayed(1, "t"));
      let closed = false;
      const gen = (function* () {
        try {
          yield t;
          yield 42 as unknown as Task<string>;
        } finally {
          closed = true;
        }
      })();
      const err = yield* raises(() => wait(gen));
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(/wait\(\) was given a generator that yielded .*42.*createTask/);
      expect(closed).toBe(true);
      yield* t;
    });
  });

  it("asCompleted() takes a generator of tasks", async () => {
    await runAio(function* () {
      const tasks = [createTask(delayed(2, "slow")), createTask(delayed(1, "fast"))];
      const out: string[] = [];
      for (const next of asCompleted(
        (function* () {
          yield* tasks;
        })(),
      )) {
        out.push(yield* next);
      }
      expect(out).toEqual(["fast", "slow"]);
    });
  });

  it("gather() given one array says to spread it", async () => {
    await runAio(function* () {
      const tasks = [createTask(delayed(1, "a"))];
      expect(() => gather(tasks as unknown as Future<string>)).toThrow(/gather\(\.\.\.aws\)/);
      yield* tasks[0]!;
    });
  });
});

describe("the default handler still fails the block for a real unretrieved error", () => {
  it("a shielded failure nobody retrieves fails openLoop", async () => {
    const err = await rejection(
      runAio(function* () {
        const inner = createTask(failing(2, new Error("lost?")));
        const waiter = createTask(shield(inner)[Symbol.iterator]());
        yield* sleep(1);
        waiter.cancel();
        yield* sleep(5);
      }),
    );
    expect(leaves(err).map((e) => (e as Error).message)).toContain("lost?");
  });
});
