/**
 * More Future rules from CPython's Lib/test/test_asyncio/test_futures.py and
 * test_futures2.py (semantics only; the code and words are ours), beyond
 * cpython-futures.test.ts and test/asyncio/futures.test.ts. Each test names
 * the CPython test it follows.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, createTask, InvalidStateError, wrapPromise, type Coroutine, type ExceptionContext, type Future } from "../../src/asyncio/index.js";
import type { EventLoop } from "../../src/asyncio/event-loop.js";
import { RuntimeError } from "../../src/core/index.js";
import { raises, runAio, spin } from "../asyncio/helpers.js";
import { collectGarbage } from "../stress/gc.js";

/** Makes a Future in a frame of its own, lets `use` touch it, and keeps no reference. */
function abandon(loop: EventLoop, use: (f: Future<number>) => void): void {
  const f = loop.createFuture<number>();
  use(f);
}

/** Lets the host collect garbage while the loop stays open. */
function* collect(): Coroutine<void> {
  yield* wrapPromise(collectGarbage());
  yield* spin(2);
}

describe("Future, more of CPython's test_futures", () => {
  // test_exception_class: set_exception(SomeErrorClass) stores an instance of it
  it("setException(an Error class) stores a new instance of that class", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<void>();
      f.setException(RangeError);
      const e = f.exception();
      const thrown = yield* raises(function* () {
        yield* f;
      });
      // The class CancelledError makes a CancelledError, which setException refuses (docs/asyncio.md, difference 17)
      const g = loop.createFuture<void>();
      let refused: unknown = null;
      try {
        g.setException(CancelledError);
      } catch (err) {
        refused = err;
      }
      return { e, thrown, refused, gDone: g.done() };
    });
    expect(r.e).toBeInstanceOf(RangeError);
    expect(r.thrown).toBe(r.e);
    expect(r.refused).toBeInstanceOf(TypeError);
    expect(r.gDone).toBe(false);
  });

  // test_exception_class, the part that is not an Error class: a plain function is no exception class
  it("setException(a plain function) is refused with a TypeError, and the Future stays pending", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<void>();
      let e: unknown = null;
      try {
        f.setException(function notAnError() {});
      } catch (err) {
        e = err;
      }
      return { e, done: f.done() };
    });
    expect(r.e).toBeInstanceOf(TypeError);
    expect(String((r.e as Error).message)).toMatch(/notAnError/);
    expect(r.done).toBe(false);
  });

  // test_isfuture: instances of Future and its subclasses are Futures; the class itself, and look-alikes, are not
  it("isFuture is true for a Future, a Task and a subclass instance; false for the class, a thenable and an object with a Future's methods", async () => {
    const { Future: FutureClass, isFuture } = await import("../../src/asyncio/index.js");
    const r = await runAio(function* (loop) {
      class MyFuture<T> extends FutureClass<T> {}
      const mine = new MyFuture<number>({ loop });
      const t = createTask((function* () {})());
      const lookAlike = { done: () => false, result: () => 1, addDoneCallback: () => {}, then: () => {} };
      const out = [isFuture(loop.createFuture()), isFuture(t), isFuture(mine), isFuture(FutureClass), isFuture(Promise.resolve(1)), isFuture(lookAlike)];
      yield* t;
      mine.cancel();
      return out;
    });
    expect(r).toEqual([true, true, true, false, false, false]);
  });

  // test_callbacks_invoked_on_set_result / _on_set_exception
  it("done callbacks run after the loop turns, in order, and see the exception set", async () => {
    const r = await runAio(function* (loop) {
      const bag: unknown[] = [];
      const f = loop.createFuture<string>();
      const err = new RangeError("x");
      f.addDoneCallback((g) => bag.push(["a", g.exception()]));
      f.addDoneCallback((g) => bag.push(["b", g.exception()]));
      f.setException(err);
      const before = bag.length;
      yield* spin();
      return { before, bag, err };
    });
    expect(r.before).toBe(0);
    expect(r.bag).toEqual([
      ["a", r.err],
      ["b", r.err],
    ]);
  });

  // test_schedule_callbacks_list_mutation_1: removing callbacks once the Future is done changes nothing
  it("a done callback that removes the others cannot stop them: they were scheduled when the Future finished", async () => {
    const r = await runAio(function* (loop) {
      const calls: string[] = [];
      const f = loop.createFuture<number>();
      const other = () => void calls.push("other");
      let removed = -1;
      f.addDoneCallback((g) => {
        calls.push("mut");
        removed = g.removeDoneCallback(other);
      });
      f.addDoneCallback(other);
      f.addDoneCallback(other);
      f.setResult(1);
      yield* spin(2);
      return { calls, removed };
    });
    expect(r.calls).toEqual(["mut", "other", "other"]);
    expect(r.removed).toBe(0);
  });

  // test_future_traceback (test_futures2): awaiting a failed task again and again raises the same error
  it("a failed task awaited five times raises the same error object each time", async () => {
    const r = await runAio(function* () {
      const t = createTask(
        (function* (): Coroutine<void> {
          throw new TypeError("42");
        })(),
      );
      const seen: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        seen.push(
          yield* raises(function* () {
            yield* t;
          }),
        );
      }
      return seen;
    });
    expect(r[0]).toBeInstanceOf(TypeError);
    for (const e of r) expect(e).toBe(r[0]);
  });

  // test_recursive_repr_for_pending_tasks (test_futures2): describing the tasks of a loop from inside one does not recurse
  it("toString of every task, taken inside one of them, is finite and names each task", async () => {
    const r = await runAio(function* (loop) {
      const t = createTask(
        (function* () {
          return loop.allTasks().map((x) => String(x));
        })(),
        { name: "lister" },
      );
      return yield* t;
    });
    expect(r.some((s) => s.includes("lister"))).toBe(true);
  });

  // test_iter: a Future iterated outside a Task (Python: unpacking it) is an error, not a value
  it("stepping a pending Future's iterator twice by hand raises InvalidStateError naming the Task rule", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const it = f[Symbol.iterator]();
      const first = it.next();
      let e: unknown = null;
      try {
        it.next();
      } catch (err) {
        e = err;
      }
      f.cancel();
      return { firstIsFuture: (first.value as unknown) === f, firstDone: first.done, e };
    });
    expect(r.firstIsFuture).toBe(true);
    expect(r.firstDone).toBe(false);
    expect(r.e).toBeInstanceOf(InvalidStateError);
    expect(String((r.e as Error).message)).toMatch(/Task/);
  });

  // test_future_stop_iteration_args: the iterator of a done Future returns the result itself, a tuple included
  it("the iterator of a done Future returns its result, an array as is, at the first step", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<[number, number]>();
      const pair: [number, number] = [1, 2];
      f.setResult(pair);
      const step = f[Symbol.iterator]().next();
      return { step, pair };
    });
    expect(r.step.done).toBe(true);
    expect(r.step.value).toBe(r.pair);
  });

  // test_future_iter_throw: an error thrown into a Future's iterator comes out again, the Future untouched
  it("throw() into a Future's iterator raises that error and leaves the Future pending", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const it = f[Symbol.iterator]();
      it.next();
      const err = new RangeError("elephant");
      let e: unknown = null;
      try {
        it.throw(err);
      } catch (x) {
        e = x;
      }
      const pending = !f.done();
      f.cancel();
      return { same: e === err, pending };
    });
    expect(r).toEqual({ same: true, pending: true });
  });

  // test_cancel on a Future with a message, then result()/exception()
  it("a cancelled Future's result() and exception() both raise CancelledError carrying the message; setResult then fails", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      expect(f.cancel("why")).toBe(true);
      expect(f.cancel("again")).toBe(false);
      const errs: unknown[] = [];
      for (const read of [() => f.result(), () => f.exception()]) {
        try {
          read();
        } catch (e) {
          errs.push(e);
        }
      }
      let set: unknown = null;
      try {
        f.setResult(1);
      } catch (e) {
        set = e;
      }
      return { errs, set };
    });
    expect(r.errs).toHaveLength(2);
    for (const e of r.errs) {
      expect(e).toBeInstanceOf(CancelledError);
      expect((e as Error).message).toBe("why");
    }
    expect(r.set).toBeInstanceOf(InvalidStateError);
  });
});

describe("never-retrieved reports of plain Futures, after CPython's test_tb_logger_* (at garbage collection)", () => {
  /** Runs `use` on an abandoned Future, collects garbage, and returns what the handler saw. */
  async function reportsFor(use: (f: Future<number>) => void, debug = false): Promise<ExceptionContext[]> {
    return runAio(function* (loop) {
      const seen: ExceptionContext[] = [];
      loop.setDebug(debug);
      loop.setExceptionHandler((_l, c) => seen.push(c));
      abandon(loop, use);
      yield* collect();
      return seen;
    });
  }

  // test_tb_logger_exception_unretrieved / test_future_exception_never_retrieved
  it("an exception nobody retrieved is reported once the Future is collected", async () => {
    const err = new RangeError("boom");
    const seen = await reportsFor((f) => f.setException(err));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.exception).toBe(err);
    expect(String(seen[0]!.message)).toMatch(/exception was never retrieved/);
  });

  // test_future_exception_never_retrieved_debug / test_future_source_traceback
  it("in debug mode the report carries where the Future was made", async () => {
    const seen = await reportsFor((f) => f.setException(new RangeError("boom")), true);
    expect(seen).toHaveLength(1);
    expect(String(seen[0]!.sourceTraceback)).toMatch(/cpython-futures-2/);
  });

  // test_tb_logger_abandoned, _result_unretrieved, _result_retrieved, _exception_retrieved,
  // _exception_result_retrieved, _not_called_after_cancel
  it("nothing is reported for a pending Future, a result, a retrieved exception, or an exception followed by cancel()", async () => {
    const cases: ((f: Future<number>) => void)[] = [
      () => {},
      (f) => f.setResult(42),
      (f) => {
        f.setResult(42);
        f.result();
      },
      (f) => {
        f.setException(new RangeError("boom"));
        f.exception();
      },
      (f) => {
        f.setException(new RangeError("boom"));
        expect(() => f.result()).toThrow("boom");
      },
      (f) => {
        f.setException(new RangeError("boom"));
        expect(f.cancel()).toBe(false);
      },
    ];
    for (const use of cases) expect(await reportsFor(use)).toEqual([]);
  });

  // test_future_source_traceback: only debug mode records it
  it("sourceTraceback is recorded in debug mode only", async () => {
    const r = await runAio(function* (loop) {
      const plain = loop.createFuture<void>().sourceTraceback;
      loop.setDebug(true);
      const debug = loop.createFuture<void>().sourceTraceback;
      return { plain, debug };
    });
    expect(r.plain).toBeUndefined();
    expect(r.debug).toMatch(/cpython-futures-2/);
  });
});

describe("wrapPromise, after CPython's test_wrap_future*", () => {
  // test_wrap_future: the wrapped result arrives in asyncio code
  it("a Promise resolved later gives its value through the Future; a rejected one its error", async () => {
    const r = await runAio(function* () {
      let resolve!: (v: number) => void;
      const ok = wrapPromise(new Promise<number>((res) => (resolve = res)));
      setTimeout(() => resolve(7), 0);
      const bad = wrapPromise(Promise.reject(new RangeError("no")));
      return { v: yield* ok, e: yield* raises(() => awaitIt(bad)) };
    });
    expect(r.v).toBe(7);
    expect(r.e).toBeInstanceOf(RangeError);
  });

  // test_wrap_future_without_loop: outside a running loop there is no loop to wrap onto
  it("wrapPromise outside a running loop raises RuntimeError", () => {
    const p = Promise.resolve(1);
    expect(() => wrapPromise(p)).toThrow(RuntimeError);
  });

  // test_wrap_future_cancel: cancelling the wrapper cannot cancel a Promise; it ends the wrapper only
  it("cancelling the wrapping Future cancels it alone; the Promise settling later changes nothing", async () => {
    const r = await runAio(function* () {
      let resolve!: (v: number) => void;
      const f = wrapPromise(new Promise<number>((res) => (resolve = res)));
      f.cancel();
      resolve(3);
      yield* wrapPromise(new Promise((res) => setTimeout(res, 0)));
      yield* spin();
      return { cancelled: f.cancelled() };
    });
    expect(r.cancelled).toBe(true);
  });
});

function* awaitIt<T>(f: Future<T>): Coroutine<T> {
  return yield* f;
}
