/**
 * Context variables in the asyncio layer, after CPython's
 * Lib/test/test_asyncio/test_context.py and the context tests of
 * test_tasks.py (test_context_1 to _3), and the context a Future's done
 * callback runs in (semantics only; the code and words are ours). Each
 * test names what it follows.
 *
 * These tests set values from Trio code (`ContextVar.run` around the code
 * that creates a task); cpython-context-set.test.ts ports the same tests
 * with `set()` in the asyncio code itself, and createTask's `context`.
 *
 * Difference on purpose (docs/asyncio.md, "Context"): a done callback runs
 * in the context of whoever completed the Future, not the one current at
 * addDoneCallback.
 */
import { describe, expect, it } from "vitest";
import { ContextVar, openNursery, runWith, sleep as trioSleep, type Operation } from "../../src/core/index.js";
import { aioAsTrio, openLoop, trioAsAio, waitFuture } from "../../src/bridge/index.js";
import { createTask, sleep, type Coroutine, type EventLoop, type Future, type Task } from "../../src/asyncio/index.js";
import { MockClock } from "../../src/testing/index.js";

const precision = new ContextVar<number>("precision", 28);
const who = new ContextVar<string>("who", "nobody");

/** Runs `body(loop)` as Trio code in an openLoop block, on an autojumping MockClock. */
function inLoop<T>(body: (loop: EventLoop) => Operation<T>): Promise<T> {
  return runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, () => openLoop(body));
}

/** From Trio code: creates a Task of `make()` while `v` is `value` (the way these tests set values; see cpython-context-set.test.ts for set() in asyncio code). */
function createUnder<V, T>(v: ContextVar<V>, value: V, make: () => Coroutine<T>): Operation<Task<T>> {
  return v.run(value, () =>
    aioAsTrio(function* () {
      return createTask(make());
    })(),
  );
}

describe("CPython test_context", () => {
  // test_asyncio_task_decimal_context: each task keeps its own precision across its awaits,
  // while the other task's awaits interleave with them.
  it("two tasks created in different contexts each keep their own value across sleeps", async () => {
    function* fractions(t: number, x: number, y: number): Coroutine<[string, string]> {
      const a = (x / y).toFixed(precision.get());
      yield* sleep(t);
      const b = (x / y ** 2).toFixed(precision.get());
      return [a, b];
    }
    const r = await inLoop(function* () {
      const t1 = yield* createUnder(precision, 3, () => fractions(0.1, 1, 3));
      const t2 = yield* createUnder(precision, 6, () => fractions(0.2, 1, 3));
      return [yield* waitFuture(t1), yield* waitFuture(t2), precision.get()];
    });
    expect(r).toEqual([["0.333", "0.111"], ["0.333333", "0.111111"], 28]);
  });
});

describe("CPython test_tasks context tests", () => {
  // test_context_1: a task's context is its creator's; what the child's callees set does not reach the parent
  it("a child task sees its creator's value; a value set by Trio code it calls stays in that call", async () => {
    const seen: string[] = [];
    function* child(): Coroutine<void> {
      seen.push(`child ${who.get()}`);
      yield* trioAsAio(() =>
        who.run("callee", function* () {
          yield* trioSleep(0);
          seen.push(`callee ${who.get()}`);
        }),
      )();
      seen.push(`child after ${who.get()}`);
    }
    function* parent(): Coroutine<void> {
      seen.push(`parent ${who.get()}`);
      yield* createTask(child());
      seen.push(`parent after ${who.get()}`);
    }
    await inLoop(() => who.run("parent", () => aioAsTrio(parent)()));
    expect(seen).toEqual(["parent parent", "child parent", "callee callee", "child after parent", "parent after parent"]);
  });

  // test_context_2: callbacks run in the context current when they were scheduled
  it("callSoon and callLater callbacks run in the context they were scheduled from, and pass it on to callbacks they schedule", async () => {
    const seen: string[] = [];
    await inLoop(function* (loop) {
      yield* openNursery(function* (n) {
        for (const name of ["a", "b", "c"]) {
          n.startSoon(() =>
            who.run(name, function* () {
              loop.callSoon(() => {
                seen.push(`soon ${who.get()}`);
                // Scheduled from a callback: that callback's context.
                loop.callLater(0.1, () => seen.push(`nested ${who.get()}`));
              });
              yield* trioSleep(0);
            }),
          );
        }
      });
      yield* trioSleep(1);
    });
    expect(seen).toEqual(["soon a", "soon b", "soon c", "nested a", "nested b", "nested c"]);
  });

  // test_context_3: the context is copied when the task is created, not when it first runs
  it("a task created under a value sees it when it runs, after the creator's value has ended", async () => {
    const r = await inLoop(function* () {
      const tasks: Task<string>[] = [];
      for (let i = 0; i < 100; i++) {
        tasks.push(
          yield* createUnder(who, `v${i}`, function* () {
            yield* sleep(0.01 * (100 - i));
            return who.get("unset");
          }),
        );
      }
      const values: string[] = [];
      for (const t of tasks) values.push(yield* waitFuture(t));
      return { values, after: who.get() };
    });
    expect(r.values).toEqual(Array.from({ length: 100 }, (_, i) => `v${i}`));
    expect(r.after).toBe("nobody");
  });

  // The step side of test_context_1: whoever wakes a task, its steps run in its own context.
  it("a task woken by a callback of another context goes on in its own", async () => {
    const seen: string[] = [];
    await inLoop(function* (loop) {
      const fut: Future<string> = loop.createFuture();
      const waiter = yield* createUnder(who, "waiter", function* () {
        const v = yield* fut;
        seen.push(`waiter got ${v} in ${who.get()}`);
      });
      yield* who.run("waker", function* () {
        loop.callLater(0.5, () => fut.setResult(`from ${who.get()}`));
      });
      yield* waitFuture(waiter);
    });
    expect(seen).toEqual(["waiter got from waker in waiter"]);
  });
});

describe("the context of done callbacks (a documented difference)", () => {
  // CPython's add_done_callback copies the context current at the call (or takes context=). Ours runs the
  // callback in the context of the code that completed the Future: it is scheduled at completion.
  it("a done callback runs in the context of the code that completed the Future", async () => {
    const seen: string[] = [];
    await inLoop(function* (loop) {
      const fut: Future<number> = loop.createFuture();
      yield* who.run("adder", function* () {
        fut.addDoneCallback(() => seen.push(`callback in ${who.get()}`));
      });
      const completer = yield* createUnder(who, "completer", function* () {
        yield* sleep(0.1);
        fut.setResult(1);
      });
      yield* waitFuture(completer);
      yield* trioSleep(0.1);
    });
    expect(seen).toEqual(["callback in completer"]);
  });
});
