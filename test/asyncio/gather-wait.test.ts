/**
 * ensureFuture, gather, wait, waitFor, asCompleted and shield, in the spirit
 * of CPython's test_tasks.py (GatherTests, wait/as_completed/shield tests)
 * and test_waitfor.py, with CPython 3.12 semantics.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  GatheringFuture,
  Task,
  TimeoutError,
  ValueError,
  asCompleted,
  createTask,
  currentTask,
  ensureFuture,
  gather,
  shield,
  sleep,
  wait,
  waitFor,
  type Coroutine,
  type ExceptionContext,
  type ReturnWhen,
} from "../../src/asyncio/index.js";
import { delayed, failing, raises, runAio, spin } from "./helpers.js";

/**
 * Futures are iterable (that is how `yield*` works), so deep equality would
 * iterate them; compare Sets of Futures by identity instead.
 */
function expectMembers(set: Set<Future<unknown>>, members: Future<unknown>[]): void {
  expect(set.size).toBe(members.length);
  for (const m of members) expect(set.has(m)).toBe(true);
}

describe("ensureFuture", () => {
  it("returns a Future as is, wraps a coroutine in a Task and a Promise in a Task", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      expect(ensureFuture(f)).toBe(f);
      const t = ensureFuture(delayed(1, "coro"));
      expect(t).toBeInstanceOf(Task);
      const p = ensureFuture(Promise.resolve("promise"));
      expect(p).toBeInstanceOf(Task);
      expect(yield* t).toBe("coro");
      expect(yield* p).toBe("promise");
      f.cancel();
    });
  });

  it("refuses other values, with a hint for a function passed uncalled", async () => {
    await runAio(function* () {
      expect(() => ensureFuture(42 as unknown as Future<number>)).toThrow(/needs an asyncio Future, a coroutine/);
      expect(() => ensureFuture(delayed as unknown as Future<number>)).toThrow(/call it to get the coroutine/);
    });
  });

  it("refuses a Future of another loop when a loop is given", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture();
      const fake = Object.create(loop) as typeof loop;
      expect(() => ensureFuture(f, { loop: fake })).toThrow(ValueError);
      f.cancel();
    });
  });
});

describe("gather", () => {
  it("returns results in argument order, whatever the completion order, running concurrently", async () => {
    const v = await runAio(function* (loop) {
      const results = yield* gather(delayed(3, "slow"), delayed(1, "fast"), delayed(2, "mid"));
      return [results, loop.time()];
    });
    expect(v).toEqual([["slow", "fast", "mid"], 3]);
  });

  it("returns a Future (not a coroutine) with precise result types", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const outer = gather(f, delayed(1, "s"), Promise.resolve(true));
      expect(outer).toBeInstanceOf(GatheringFuture);
      expectTypeOf(outer).toEqualTypeOf<GatheringFuture<[number, string, boolean]>>();
      const settled = gather(delayed(1, 1), { returnExceptions: true });
      expectTypeOf(settled).toEqualTypeOf<GatheringFuture<[number | Error]>>();
      f.setResult(7);
      expect(yield* outer).toEqual([7, "s", true]);
      expect(yield* settled).toEqual([1]);
    });
  });

  it("types: a spread array gives an array of results; wait/waitFor/asCompleted keep their types", async () => {
    await runAio(function* () {
      const tasks = [createTask(delayed(1, 1)), createTask(delayed(2, 2))];
      const all = gather(...tasks);
      expectTypeOf(all).toEqualTypeOf<GatheringFuture<number[]>>();
      expect(yield* all).toEqual([1, 2]);
      const [done] = yield* wait(tasks);
      expectTypeOf(done).toEqualTypeOf<Set<Task<number>>>();
      const v = yield* waitFor(delayed(1, "s"), 5);
      expectTypeOf(v).toEqualTypeOf<string>();
      for (const next of asCompleted([delayed(1, 1), delayed(1, "x")])) {
        expectTypeOf(next).toEqualTypeOf<Coroutine<number | string>>();
        yield* next;
      }
    });
  });

  it("with no awaitables is an already finished Future of []", async () => {
    await runAio(function* () {
      const outer = gather();
      expect(outer.done()).toBe(true);
      expect(outer.result()).toEqual([]);
      expect(outer.cancel()).toBe(false);
      expect(gather({ returnExceptions: true }).result()).toEqual([]);
    });
  });

  it("of already finished futures is finished at once", async () => {
    await runAio(function* (loop) {
      const a = loop.createFuture<number>();
      const b = loop.createFuture<number>();
      a.setResult(1);
      b.setResult(2);
      const outer = gather(a, b);
      expect(outer.done()).toBe(true);
      expect(outer.result()).toEqual([1, 2]);
    });
  });

  it("awaits the same awaitable once and reports it at each position", async () => {
    await runAio(function* () {
      let runs = 0;
      const coro = (function* () {
        runs++;
        yield* sleep(1);
        return "once";
      })();
      const t = createTask(delayed(2, "task"));
      const results = yield* gather(coro, t, coro, t);
      expect(results).toEqual(["once", "task", "once", "task"]);
      expect(runs).toBe(1);
    });
  });

  it("finds repeats by a mark that lasts only while it reads its arguments: a gather inside a task factory, and one that throws midway", async () => {
    await runAio(function* (loop) {
      const a = loop.createFuture<string>();
      const b = loop.createFuture<string>();
      // A task factory that runs gather while the outer gather reads its arguments: it sees a and b once each.
      const inner: GatheringFuture<string[]>[] = [];
      loop.setTaskFactory((l, coro, options) => {
        inner.push(gather(a, b, a));
        return new Task(coro, options, l);
      });
      const outer = gather(a, function* () { return "coro"; }(), b, a);
      loop.setTaskFactory(null);
      // A gather that fails on a bad argument after marking a: the mark does not outlive it.
      expect(() => gather(a, [b] as unknown as Future<string>)).toThrow(TypeError);
      const again = gather(a, b);
      b.setResult("b");
      yield* sleep(0);
      // Still waiting for a: a mark left over would have counted a as a repeat, not a child.
      expect(again.done()).toBe(false);
      expect(inner[0]!.done()).toBe(false);
      a.setResult("a");
      expect(yield* outer).toEqual(["a", "coro", "b", "a"]);
      expect(yield* inner[0]!).toEqual(["a", "b", "a"]);
      expect(yield* again).toEqual(["a", "b"]);
    });
  });

  it("a Future whose done() throws while gather reads it loses gather's mark: a later gather waits for it", async () => {
    await runAio(function* (loop) {
      class Flaky<T> extends Future<T> {
        failNext = true;
        override done(): boolean {
          if (this.failNext) {
            this.failNext = false;
            throw new RangeError("done() failed");
          }
          return super.done();
        }
      }
      const a = new Flaky<string>({ loop });
      const b = loop.createFuture<string>();
      // It fails after gather listed (and marked) it.
      expect(() => gather(b, a)).toThrow(RangeError);
      const again = gather(a, b);
      b.setResult("b");
      yield* sleep(0);
      // A mark left on a would make it a repeat here, not a child: the gather would be done, or never end.
      expect(again.done()).toBe(false);
      a.setResult("a");
      expect(yield* again).toEqual(["a", "b"]);
    });
  });

  it("awaits a repeated coroutine once whether or not it can carry gather's mark (frozen, or a Proxy that refuses it)", async () => {
    await runAio(function* () {
      let runs = 0;
      const make = () =>
        (function* () {
          runs++;
          yield* sleep(1);
          return runs;
        })();
      const frozen = Object.freeze(make());
      const refusing = new Proxy(make(), {
        set: () => false,
        get: (target, key) => {
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const plain = make();
      const results = yield* gather(frozen, refusing, plain, plain, refusing, frozen);
      expect(runs).toBe(3);
      expect(results[0]).toBe(results[5]);
      expect(results[1]).toBe(results[4]);
      expect(results[2]).toBe(results[3]);
      // The mark is a symbol: string keys of the user's coroutine are untouched.
      expect(Object.keys(plain)).toEqual([]);
    });
  });

  it("propagates the first error at once while the other children keep running", async () => {
    const log: unknown[] = [];
    await runAio(function* (loop) {
      const slow = createTask(delayed(5, "slow survivor", log));
      const boom = new Error("first");
      const outer = gather(failing(1, boom), slow, failing(2, new Error("second")));
      const err = yield* raises(() => outer[Symbol.iterator]());
      expect(err).toBe(boom);
      expect(loop.time()).toBe(1);
      expect(slow.done()).toBe(false);
      expect(yield* slow).toBe("slow survivor");
      expect(loop.time()).toBe(5);
    });
    expect(log).toEqual(["slow survivor"]);
  });

  it("marks the later children's errors as retrieved, so none is reported", async () => {
    const seen: ExceptionContext[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const outer = gather(failing(1, new Error("a")), failing(2, new Error("b")));
      yield* raises(() => outer[Symbol.iterator]());
      yield* sleep(5);
    });
    expect(seen).toEqual([]);
  });

  it("with returnExceptions, errors and cancellations become results", async () => {
    await runAio(function* () {
      const err = new TypeError("t");
      const victim = createTask(delayed(10, "never"));
      const outer = gather(delayed(1, "ok"), failing(2, err), victim, { returnExceptions: true });
      yield* sleep(0);
      victim.cancel("cut");
      const results = yield* outer;
      expect(results[0]).toBe("ok");
      expect(results[1]).toBe(err);
      expect(results[2]).toBeInstanceOf(CancelledError);
      // CPython's entry is CancelledError(''): the Task ended by Future.cancel() with no message.
      expect((results[2] as Error).message).toBe("");
    });
  });

  it("a child cancelled from outside finishes gather with CancelledError, though gather is not cancelled()", async () => {
    await runAio(function* (loop) {
      const a = loop.createFuture<number>();
      const b = loop.createFuture<number>();
      const outer = gather(a, b);
      const seen: boolean[] = [];
      outer.addDoneCallback((f) => seen.push(f.cancelled()));
      a.setResult(1);
      b.cancel("child cut");
      yield* spin(2);
      expect(outer.done()).toBe(true);
      expect(outer.cancelled()).toBe(false);
      expect(outer.exception()).toBeInstanceOf(CancelledError);
      expect((outer.exception() as Error).message).toBe("child cut");
      expect(seen).toEqual([false]);
    });
  });

  it("a task awaiting such a gather is itself cancelled", async () => {
    await runAio(function* (loop) {
      const a = loop.createFuture<number>();
      const t = createTask(
        (function* () {
          return yield* gather(a, delayed(5, 1));
        })(),
      );
      yield* sleep(0);
      a.cancel();
      yield* raises(() => t[Symbol.iterator]());
      expect(t.cancelled()).toBe(true);
    });
  });

  it("cancel() cancels every child; gather then ends with CancelledError", async () => {
    await runAio(function* (loop) {
      const a = createTask(delayed(10, "a"));
      const b = loop.createFuture<string>();
      const done = loop.createFuture<string>();
      done.setResult("already");
      const outer = gather(a, b, done);
      yield* sleep(0);
      expect(outer.cancel("stop")).toBe(true);
      expect(outer.done()).toBe(false); // ends once the children have
      const err = yield* raises(() => outer[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect(a.cancelled()).toBe(true);
      expect(b.cancelled()).toBe(true);
      expect(done.cancelled()).toBe(false);
      expect(outer.cancel()).toBe(false);
    });
  });

  it("cancel() wins over returnExceptions: the outer Future still raises CancelledError", async () => {
    await runAio(function* () {
      const outer = gather(delayed(10, 1), delayed(10, 2), { returnExceptions: true });
      yield* sleep(0);
      outer.cancel();
      const err = yield* raises(() => outer[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
    });
  });

  it("cancel() of a gather whose children ignore the cancellation still ends it with CancelledError", async () => {
    await runAio(function* () {
      const stubborn = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch {
            return "ignored";
          }
          return "normal";
        })(),
      );
      const outer = gather(stubborn, { returnExceptions: true });
      yield* sleep(0);
      expect(outer.cancel()).toBe(true);
      const err = yield* raises(() => outer[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect(stubborn.result()).toBe("ignored");
    });
  });

  it("cancel() when every child is done returns false", async () => {
    await runAio(function* (loop) {
      const a = loop.createFuture<number>();
      const outer = gather(a, delayed(1, 2));
      a.setResult(1);
      yield* sleep(0);
      // a is done; the other child is still pending, so cancel() works once.
      expect(outer.cancel()).toBe(true);
      yield* raises(() => outer[Symbol.iterator]());
      expect(outer.cancel()).toBe(false);
    });
  });

  it("cancelling the task that awaits gather cancels the children", async () => {
    await runAio(function* () {
      const a = createTask(delayed(10, "a"));
      const b = createTask(delayed(10, "b"));
      const waiter = createTask(
        (function* () {
          return yield* gather(a, b);
        })(),
      );
      yield* sleep(1);
      waiter.cancel();
      yield* raises(() => waiter[Symbol.iterator]());
      expect(waiter.cancelled()).toBe(true);
      expect(a.cancelled()).toBe(true);
      expect(b.cancelled()).toBe(true);
    });
  });

  it("a rejected Promise child fails gather with its reason", async () => {
    await runAio(function* () {
      const reason = new Error("rejected promise");
      const err = yield* raises(() => gather(delayed(1, 1), Promise.reject(reason))[Symbol.iterator]());
      expect(err).toBe(reason);
    });
  });

  it("refuses non-awaitables and unknown options", async () => {
    await runAio(function* () {
      expect(() => gather(5 as unknown as Future<number>)).toThrow(TypeError);
      expect(() => gather(delayed(1, 1), { returnExceptiosn: true } as unknown as { returnExceptions: true })).toThrow(/unknown option "returnExceptiosn"/);
    });
  });

  it("shielded children are not cancelled by gather.cancel()", async () => {
    await runAio(function* (loop) {
      const child1 = loop.createFuture<number>();
      const child2 = loop.createFuture<number>();
      const inner1 = shield(child1);
      const inner2 = shield(child2);
      const parent = gather(inner1, inner2);
      yield* sleep(0);
      parent.cancel();
      yield* spin(2);
      expect(parent.exception()).toBeInstanceOf(CancelledError);
      expect(inner1.cancelled()).toBe(true);
      expect(inner2.cancelled()).toBe(true);
      expect(child1.cancelled()).toBe(false);
      child1.setResult(1);
      child2.setResult(2);
      yield* spin(2);
    });
  });
});

describe("wait", () => {
  it("by default waits for all and returns [done, pending] without raising their errors", async () => {
    await runAio(function* (loop) {
      const a = createTask(delayed(1, "a"));
      const b = createTask(failing(2, new Error("b failed")));
      const [done, pending] = yield* wait([a, b]);
      expect(loop.time()).toBe(2);
      expectMembers(done, [a, b]);
      expect(pending.size).toBe(0);
      expect((b.exception() as Error).message).toBe("b failed");
    });
  });

  it("FIRST_COMPLETED returns after the first one, cancelling nothing", async () => {
    await runAio(function* (loop) {
      const a = createTask(delayed(3, "a"));
      const b = createTask(delayed(1, "b"));
      const [done, pending] = yield* wait([a, b], { returnWhen: FIRST_COMPLETED });
      expect(loop.time()).toBe(1);
      expectMembers(done, [b]);
      expectMembers(pending, [a]);
      expect(a.cancelled()).toBe(false);
      expect(yield* a).toBe("a");
    });
  });

  it("FIRST_EXCEPTION returns at the first error", async () => {
    await runAio(function* (loop) {
      const a = createTask(delayed(1, "a"));
      const b = createTask(failing(2, new Error("b")));
      const c = createTask(delayed(5, "c"));
      const [done, pending] = yield* wait([a, b, c], { returnWhen: FIRST_EXCEPTION });
      expect(loop.time()).toBe(2);
      expectMembers(done, [a, b]);
      expectMembers(pending, [c]);
      b.exception();
      c.cancel();
    });
  });

  it("FIRST_EXCEPTION does not count a cancellation as an error, and waits for all if nothing fails", async () => {
    await runAio(function* (loop) {
      const a = createTask(delayed(1, "a"));
      const b = createTask(delayed(3, "b"));
      const c = loop.createFuture<void>();
      loop.callLater(2, () => c.cancel());
      const [done, pending] = yield* wait([a, b, c], { returnWhen: FIRST_EXCEPTION });
      expect(loop.time()).toBe(3);
      expect(done.size).toBe(3);
      expect(pending.size).toBe(0);
    });
  });

  it("a timeout returns what is done so far; it neither raises nor cancels", async () => {
    await runAio(function* (loop) {
      const a = createTask(delayed(1, "a"));
      const b = createTask(delayed(10, "b"));
      const [done, pending] = yield* wait([a, b], { timeout: 5 });
      expect(loop.time()).toBe(5);
      expectMembers(done, [a]);
      expectMembers(pending, [b]);
      expect(b.cancelled()).toBe(false);
      expect(yield* b).toBe("b");
      expect(loop.time()).toBe(10);
    });
  });

  it("returns at once (after one iteration) when everything is already done", async () => {
    await runAio(function* (loop) {
      const a = loop.createFuture<number>();
      a.setResult(1);
      const t0 = loop.time();
      const [done, pending] = yield* wait([a], { timeout: 100 });
      expect(loop.time()).toBe(t0);
      expect(done.has(a)).toBe(true);
      expect(pending.size).toBe(0);
    });
  });

  it("counts the same future once", async () => {
    await runAio(function* () {
      const a = createTask(delayed(1, "a"));
      const [done] = yield* wait([a, a, a]);
      expect(done.size).toBe(1);
    });
  });

  it("removes its callbacks when done, and cancelling the waiter leaves the futures alone", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const g = loop.createFuture<number>();
      const waiter = createTask(wait([f, g]));
      yield* sleep(0);
      expect(f.pendingCallbacks).toHaveLength(1);
      waiter.cancel();
      yield* raises(() => waiter[Symbol.iterator]());
      expect(f.pendingCallbacks).toHaveLength(0);
      expect(g.pendingCallbacks).toHaveLength(0);
      expect(f.cancelled()).toBe(false);
      f.cancel();
      g.cancel();
    });
  });

  it("refuses coroutines, a single future, an empty set and a bad returnWhen", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const coro = delayed(1, 1);
      const e1 = yield* raises(() => wait([coro as unknown as Future<number>]));
      expect(e1).toBeInstanceOf(TypeError);
      expect((e1 as Error).message).toMatch(/passing coroutines is forbidden/);
      const e2 = yield* raises(() => wait(f as unknown as Future<number>[]));
      expect((e2 as Error).message).toMatch(/not a single one/);
      const e3 = yield* raises(() => wait([]));
      expect(e3).toBeInstanceOf(ValueError);
      const e4 = yield* raises(() => wait([f], { returnWhen: "SOMETIMES" as ReturnWhen }));
      expect(e4).toBeInstanceOf(ValueError);
      expect(ALL_COMPLETED).toBe("ALL_COMPLETED");
      f.cancel();
    });
  });
});

describe("waitFor", () => {
  it("returns the result when the work finishes in time", async () => {
    const v = await runAio(function* (loop) {
      const r = yield* waitFor(delayed(1, "in time"), 5);
      return [r, loop.time()];
    });
    expect(v).toEqual(["in time", 1]);
  });

  it("on timeout cancels the inner task, waits for it, and raises TimeoutError caused by CancelledError", async () => {
    await runAio(function* (loop) {
      const log: string[] = [];
      const inner = createTask(
        (function* () {
          try {
            yield* sleep(100);
          } finally {
            yield* sleep(1);
            log.push(`inner cleaned up at ${loop.time()}`);
          }
        })(),
      );
      const err = yield* raises(() => waitFor(inner, 2));
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).cause).toBeInstanceOf(CancelledError);
      expect(inner.cancelled()).toBe(true);
      expect(log).toEqual(["inner cleaned up at 3"]);
      expect(loop.time()).toBe(3);
      // The calling task is not left cancelled.
      expect(currentTask()!.cancelling()).toBe(0);
      yield* sleep(1);
    });
  });

  it("runs a coroutine inline in the calling task (Python's await coro)", async () => {
    await runAio(function* () {
      const me = currentTask();
      let inside: unknown = null;
      yield* waitFor(
        (function* () {
          inside = currentTask();
          yield* sleep(1);
        })(),
        5,
      );
      expect(inside).toBe(me);
    });
  });

  it("with null waits as long as it takes", async () => {
    const v = await runAio(function* (loop) {
      const r = yield* waitFor(delayed(1000, "patience"), null);
      return [r, loop.time()];
    });
    expect(v).toEqual(["patience", 1000]);
  });

  it("with timeout <= 0 returns the result of a done future at once", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<string>();
      f.setResult("ready");
      expect(yield* waitFor(f, 0)).toBe("ready");
      expect(yield* waitFor(f, -1)).toBe("ready");
    });
  });

  it("with timeout <= 0 cancels pending work before it runs and raises TimeoutError", async () => {
    await runAio(function* () {
      let started = false;
      const err = yield* raises(() =>
        waitFor(
          (function* () {
            started = true;
            yield* sleep(1);
          })(),
          0,
        ),
      );
      expect(err).toBeInstanceOf(TimeoutError);
      expect(started).toBe(false);
    });
  });

  it("if the inner work ignores the cancellation, its result is returned (3.12 semantics)", async () => {
    await runAio(function* (loop) {
      const stubborn = createTask(
        (function* () {
          try {
            yield* sleep(10);
          } catch {
            yield* sleep(1);
            return "finished anyway";
          }
          return "not cancelled";
        })(),
      );
      expect(yield* waitFor(stubborn, 2)).toBe("finished anyway");
      expect(loop.time()).toBe(3);
    });
  });

  it("an error raised by the inner work while being cancelled propagates instead of TimeoutError", async () => {
    await runAio(function* () {
      const err = yield* raises(() =>
        waitFor(
          (function* () {
            try {
              yield* sleep(10);
            } finally {
              // eslint-disable-next-line no-unsafe-finally
              throw new RangeError("cleanup broke");
            }
          })(),
          1,
        ),
      );
      expect(err).toBeInstanceOf(RangeError);
    });
  });

  it("an outside cancellation of the caller raises CancelledError, not TimeoutError, and cancels the inner", async () => {
    await runAio(function* () {
      const inner = createTask(delayed(100, "x"));
      const caller = createTask(waitFor(inner, 50));
      yield* sleep(1);
      caller.cancel();
      const err = yield* raises(() => caller[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect(caller.cancelled()).toBe(true);
      expect(inner.cancelled()).toBe(true);
    });
  });

  it("nested: the shorter outer deadline raises TimeoutError outside; the inner waitFor lets CancelledError through", async () => {
    await runAio(function* (loop) {
      let innerSaw: unknown = null;
      const err = yield* raises(() =>
        waitFor(
          (function* () {
            try {
              return yield* waitFor(delayed(100, "x"), 50);
            } catch (e) {
              innerSaw = e;
              throw e;
            }
          })(),
          2,
        ),
      );
      expect(err).toBeInstanceOf(TimeoutError);
      expect(innerSaw).toBeInstanceOf(CancelledError);
      expect(loop.time()).toBe(2);
    });
  });

  it("on timeout cancels a plain Future it waits on", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const err = yield* raises(() => waitFor(f, 1));
      expect(err).toBeInstanceOf(TimeoutError);
      expect(f.cancelled()).toBe(true);
    });
  });

  it("accepts a Promise", async () => {
    await runAio(function* () {
      expect(yield* waitFor(Promise.resolve("p"), 1)).toBe("p");
    });
  });

  it("refuses a missing or NaN timeout", async () => {
    await runAio(function* () {
      const e1 = yield* raises(() => waitFor(delayed(1, 1), undefined as unknown as null));
      expect((e1 as Error).message).toMatch(/needs a timeout/);
      const e2 = yield* raises(() => waitFor(delayed(1, 1), NaN));
      expect(e2).toBeInstanceOf(TypeError);
    });
  });
});

describe("asCompleted", () => {
  it("hands out outcomes in completion order", async () => {
    const order = await runAio(function* () {
      const out: string[] = [];
      for (const next of asCompleted([delayed(3, "c"), delayed(1, "a"), delayed(2, "b")])) {
        out.push(yield* next);
      }
      return out;
    });
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("raises each error from the coroutine of its turn", async () => {
    await runAio(function* () {
      const seen: unknown[] = [];
      for (const next of asCompleted([delayed(2, "ok"), failing(1, new Error("first to finish"))])) {
        try {
          seen.push(yield* next);
        } catch (e) {
          seen.push((e as Error).message);
        }
      }
      expect(seen).toEqual(["first to finish", "ok"]);
    });
  });

  it("with a timeout, the coroutines left raise TimeoutError; the work is not cancelled", async () => {
    await runAio(function* (loop) {
      const slow = createTask(delayed(10, "slow"));
      const seen: unknown[] = [];
      for (const next of asCompleted([delayed(1, "fast"), slow, delayed(20, "slower")], { timeout: 5 })) {
        try {
          seen.push(yield* next);
        } catch (e) {
          seen.push(e instanceof TimeoutError ? `timeout at ${loop.time()}` : e);
        }
      }
      expect(seen).toEqual(["fast", "timeout at 5", "timeout at 5"]);
      expect(slow.cancelled()).toBe(false);
      expect(yield* slow).toBe("slow");
    });
  });

  it("counts the same awaitable once and yields nothing for an empty input", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      f.setResult(1);
      expect([...asCompleted([f, f, f])]).toHaveLength(1);
      expect([...asCompleted([])]).toHaveLength(0);
    });
  });

  it("several tasks may each wait for the next completion", async () => {
    await runAio(function* () {
      const it = asCompleted([delayed(2, "b"), delayed(1, "a")]);
      const first = createTask(it.next().value as Coroutine<string>);
      const second = createTask(it.next().value as Coroutine<string>);
      expect(yield* first).toBe("a");
      expect(yield* second).toBe("b");
    });
  });

  it("a consumer cancelled while waiting does not swallow a completion", async () => {
    await runAio(function* () {
      const it = asCompleted([delayed(1, "a"), delayed(2, "b")]);
      const first = createTask(it.next().value as Coroutine<string>);
      const second = createTask(it.next().value as Coroutine<string>);
      yield* sleep(0.5);
      first.cancel();
      yield* raises(() => first[Symbol.iterator]());
      expect(yield* second).toBe("a");
    });
  });

  it("refuses a single awaitable", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      expect(() => asCompleted(f as unknown as Future<number>[])).toThrow(/not a single one/);
      f.cancel();
    });
  });
});

describe("shield", () => {
  it("cancelling the awaiting task does not cancel the shielded work", async () => {
    await runAio(function* (loop) {
      const inner = createTask(delayed(5, "protected"));
      const waiter = createTask(
        (function* () {
          return yield* shield(inner);
        })(),
      );
      yield* sleep(1);
      waiter.cancel();
      yield* raises(() => waiter[Symbol.iterator]());
      expect(waiter.cancelled()).toBe(true);
      expect(inner.cancelled()).toBe(false);
      expect(yield* inner).toBe("protected");
      expect(loop.time()).toBe(5);
    });
  });

  it("passes the result and the exception through", async () => {
    await runAio(function* () {
      expect(yield* shield(delayed(1, "through"))).toBe("through");
      const err = yield* raises(() => shield(failing(1, new SyntaxError("s")))[Symbol.iterator]());
      expect(err).toBeInstanceOf(SyntaxError);
    });
  });

  it("is cancelled if the inner work is cancelled by someone else", async () => {
    await runAio(function* (loop) {
      const inner = loop.createFuture<number>();
      const outer = shield(inner);
      inner.cancel();
      yield* spin(2);
      expect(outer.cancelled()).toBe(true);
    });
  });

  it("returns a done Future as is and wraps a coroutine in a Task", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      f.setResult(3);
      expect(shield(f)).toBe(f);
      const outer = shield(delayed(1, "coro"));
      expect(outer).not.toBeInstanceOf(Task);
      expect(yield* outer).toBe("coro");
    });
  });

  it("after the outer Future is cancelled, an inner error nobody awaits is still reported, as in CPython", async () => {
    const seen: ExceptionContext[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      const inner = createTask(failing(2, new Error("dropped")));
      const outer = shield(inner);
      yield* sleep(1);
      outer.cancel();
      yield* sleep(5);
      expect(inner.done()).toBe(true);
      expect(inner.pendingCallbacks).toHaveLength(0);
    });
    expect(seen).toHaveLength(1);
    expect((seen[0]!.exception as Error).message).toBe("dropped");
  });
});
