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
import { sleep, type Coroutine } from "../../src/asyncio/index.js";
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
