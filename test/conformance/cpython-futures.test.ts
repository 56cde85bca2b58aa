/**
 * Future rules taken from CPython's Lib/test/test_asyncio/test_futures.py
 * (semantics only; the code and words are ours). Each test names the
 * CPython test it follows. Rules already covered by
 * test/asyncio/futures.test.ts are not repeated here.
 */
import { describe, expect, it } from "vitest";
import { createTask, type ExceptionContext, type Future } from "../../src/asyncio/index.js";
import { runAio, spin } from "../asyncio/helpers.js";

describe("Future, after CPython's test_futures", () => {
  // test_yield_from_twice
  it("a Future awaited twice, and from two tasks, gives the same result each time", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const other = createTask(
        (function* () {
          return (yield* f) + (yield* f);
        })(),
      );
      loop.callSoon(() => f.setResult(21));
      const a = yield* f;
      const b = yield* f;
      return [a, b, yield* other];
    });
    expect(r).toEqual([21, 21, 42]);
  });

  // test_callbacks_remove_first_callback / _first_and_second_callback / _third_callback
  it("removing some done callbacks before completion: the others still run, in the order they were added", async () => {
    for (const removed of [[0], [0, 1], [2]]) {
      const calls = await runAio(function* (loop) {
        const out: number[] = [];
        const f = loop.createFuture<string>();
        const cbs = [0, 1, 2].map((i) => (_fut: Future<string>) => void out.push(i));
        for (const cb of cbs) f.addDoneCallback(cb);
        for (const i of removed) expect(f.removeDoneCallback(cbs[i]!)).toBe(1);
        f.setResult("foo");
        yield* spin();
        return out;
      });
      expect(calls).toEqual([0, 1, 2].filter((i) => !removed.includes(i)));
    }
  });

  // test_remove_done_callback: the same function added several times
  it("a callback added three times runs three times; removing it removes all three", async () => {
    const r = await runAio(function* (loop) {
      let n = 0;
      const cb = () => void n++;
      const f = loop.createFuture<void>();
      f.addDoneCallback(cb);
      f.addDoneCallback(cb);
      f.addDoneCallback(cb);
      const g = loop.createFuture<void>();
      g.addDoneCallback(cb);
      g.addDoneCallback(cb);
      const removed = g.removeDoneCallback(cb);
      f.setResult();
      g.setResult();
      yield* spin();
      return { n, removed };
    });
    expect(r).toEqual({ n: 3, removed: 2 });
  });

  // test_cancel (cancel() clears the "exception never retrieved" mark, as Future.cancel does first thing)
  it("cancel() on a task that already failed returns false and keeps its error from being reported", async () => {
    const r = await runAio(function* (loop) {
      const seen: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const t = createTask(
        (function* () {
          throw new Error("boom");
        })(),
      );
      yield* spin(2);
      return { done: t.done(), cancelled: t.cancel(), seen };
    });
    expect(r.done).toBe(true);
    expect(r.cancelled).toBe(false);
    expect(r.seen).toEqual([]);
  });

  // test_exception: setException (our refusal of CancelledError is a documented difference)
  it("setException(CancelledError) is refused with TypeError (CPython stores it; use cancel())", async () => {
    const { CancelledError } = await import("../../src/asyncio/index.js");
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<void>();
      let e: unknown = null;
      try {
        f.setException(new CancelledError("x"));
      } catch (err) {
        e = err;
      }
      return { e, done: f.done() };
    });
    expect(r.e).toBeInstanceOf(TypeError);
    expect(r.done).toBe(false);
  });

  // test_result / test_exception: retrieving through result() counts as retrieved
  it("an error read through result() of a failed task is not reported at close", async () => {
    const seen = await runAio(function* (loop) {
      const out: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, c) => out.push(c));
      const t = createTask(
        (function* () {
          throw new Error("read me");
        })(),
      );
      yield* spin(2);
      expect(() => t.result()).toThrow("read me");
      return out;
    });
    expect(seen).toEqual([]);
  });
});
