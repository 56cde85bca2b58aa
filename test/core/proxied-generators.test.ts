/**
 * A task or nursery body that is a Proxy of a generator (its methods bound
 * to the generator, as a wrapper would) looks like a generator to the
 * runtime's fast check, but the shared %GeneratorPrototype%.next refuses
 * it: it must run through its own next(), and a genuine generator's error
 * must still be the task's error.
 */
import { describe, expect, it } from "vitest";
import { ExceptionGroup, checkpoint, openNursery, run, type Nursery, type Operation } from "../../src/core/index.js";

/** A Proxy that passes every method call on to the generator itself. */
function proxied<T>(gen: Operation<T>): Operation<T> {
  return new Proxy(gen, {
    get: (target, key) => {
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function* body(steps: string[]): Operation<number> {
  steps.push("first");
  yield* checkpoint();
  steps.push("second");
  return 7;
}

describe("a Proxy of a generator", () => {
  it("runs as a task started from a plain function, over several steps", async () => {
    const steps: string[] = [];
    let result: Promise<number> | null = null;
    await run(function* () {
      yield* openNursery(function* (nursery: Nursery) {
        result = nursery.startSoon(() => proxied(body(steps))).promise;
      });
    });
    expect(steps).toEqual(["first", "second"]);
    await expect(result).resolves.toBe(7);
  });

  it("runs as an openNursery body and as the main task", async () => {
    const steps: string[] = [];
    const value = await run(() =>
      proxied(
        (function* () {
          yield* openNursery(() => proxied((function* () {
            yield* body(steps);
          })()));
          return "main";
        })(),
      ),
    );
    expect(value).toBe("main");
    expect(steps).toEqual(["first", "second"]);
  });

  it("a genuine generator's TypeError is still its task's error, not taken for a refusal", async () => {
    const thrown = new TypeError("mine");
    const error = await run(function* () {
      yield* openNursery(function* (nursery: Nursery) {
        nursery.startSoon(function* () {
          yield* checkpoint();
          throw thrown;
        });
      });
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions).toEqual([thrown]);
    expect((error as ExceptionGroup).exceptions[0]).toBe(thrown);
  });
});
