/**
 * A Task resumes a coroutine that looks like a generator (it inherits from
 * %GeneratorPrototype%) through the one shared next(); what only looks like
 * one is resumed through its own next() once the shared one refuses it. The
 * look is a hint, so these objects must behave the same whether the hint
 * takes them for generators or not: a Proxy of a generator, an iterator
 * built on %GeneratorPrototype% with its own next(), and an object made
 * from a generator with Object.create (which no next() accepts).
 */
import { describe, expect, it } from "vitest";
import { CancelledError, sleep, type Coroutine, type Future } from "../../src/asyncio/index.js";
import { runAio } from "./helpers.js";

const GeneratorPrototype = Object.getPrototypeOf(function* () {}.prototype) as object;

function* body(steps: string[]): Coroutine<number> {
  steps.push("first");
  yield* sleep(0);
  steps.push("second");
  return 7;
}

describe("an asyncio Task over what looks like a generator", () => {
  it("runs a Proxy of a generator through its own next(), over several steps", async () => {
    const steps: string[] = [];
    const value = await runAio(function* (loop) {
      const gen = body(steps);
      const proxy = new Proxy(gen, {
        get: (target, key) => {
          const v = Reflect.get(target, key, target) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      return yield* loop.createTask(proxy);
    });
    expect(value).toBe(7);
    expect(steps).toEqual(["first", "second"]);
  });

  it("runs an iterator that inherits from %GeneratorPrototype% through its own next()", async () => {
    let calls = 0;
    const value = await runAio(function* (loop) {
      const iterator = Object.create(GeneratorPrototype, {
        next: { value: () => ({ value: `done after ${++calls} call(s)`, done: true }) },
      }) as Coroutine<string>;
      return yield* loop.createTask(iterator);
    });
    expect(value).toBe("done after 1 call(s)");
  });

  it("fails the Task, not the loop, for an object made from a generator with Object.create", async () => {
    const error = await runAio(function* (loop) {
      const fake = Object.create(body([])) as Coroutine<number>;
      const task = loop.createTask(fake);
      try {
        yield* task;
      } catch (e) {
        return e;
      }
      return "no error";
    });
    expect(error).toBeInstanceOf(TypeError);
  });
});

describe("a hand-written coroutine with no throw()", () => {
  /** An iterator with only next(): it waits on `future` once, then returns 1. */
  function nextOnly(future: Future<unknown>): Coroutine<number> {
    let step = 0;
    return { next: () => (step++ === 0 ? { value: future, done: false } : { value: 1, done: true }) } as unknown as Coroutine<number>;
  }

  /** A Proxy of a generator that hides its throw (the get trap answers undefined for it). */
  function throwHidden(gen: Coroutine<number>): Coroutine<number> {
    return new Proxy(gen, {
      get: (target, key) => {
        if (key === "throw") return undefined;
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  const cases: [string, (future: Future<unknown>) => Coroutine<number>][] = [
    ["an iterator with only next()", nextOnly],
    [
      "a Proxy of a generator whose throw reads undefined",
      (future) =>
        throwHidden(
          (function* (): Coroutine<number> {
            yield* future as Future<number>;
            return 1;
          })(),
        ),
    ],
  ];

  for (const [what, make] of cases) {
    it(`${what}, cancelled at its wait: the Task fails with a TypeError that names throw() and the fix`, async () => {
      const error = await runAio(function* (loop) {
        const task = loop.createTask(make(loop.createFuture()));
        yield* sleep(0);
        task.cancel();
        try {
          yield* task;
        } catch (e) {
          return e;
        }
        return "no error";
      });
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/has no throw\(\) method.*CancelledError.*function\*.*next\(\), throw\(\) and return\(\)/);
      expect((error as Error).cause).toBeInstanceOf(CancelledError);
    });

    it(`${what}, whose Future fails: the Task fails with that TypeError, the Future's error as its cause`, async () => {
      const error = await runAio(function* (loop) {
        const future = loop.createFuture();
        const task = loop.createTask(make(future));
        yield* sleep(0);
        future.setException(new Error("the future failed"));
        try {
          yield* task;
        } catch (e) {
          return e;
        }
        return "no error";
      });
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/has no throw\(\) method/);
      expect((error as Error).cause).toMatchObject({ message: "the future failed" });
    });
  }
});
