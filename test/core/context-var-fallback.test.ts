/**
 * ContextVar.get(fallback), Python's `var.get(default)`: the value set here
 * wins; without one, the fallback given to get() wins over the variable's
 * own default. Typed `T | D`, so a `T` fallback reads as `T`.
 */
import { expect, it } from "vitest";
import { ContextVar, run } from "../../src/core/index.js";

it("get(fallback) returns the value set here, else the fallback, else (with no argument) the default", async () => {
  const plain = new ContextVar<string>("plain");
  const withDefault = new ContextVar<string>("withDefault", "dflt");
  const seen = await run(function* () {
    const outside = [plain.get(), plain.get("fb"), withDefault.get(), withDefault.get("fb"), plain.get(undefined)];
    const inside = yield* plain.run("set", function* () {
      return [plain.get(), plain.get("fb")];
    });
    return { outside, inside };
  });
  expect(seen.outside).toEqual([undefined, "fb", "dflt", "fb", undefined]);
  expect(seen.inside).toEqual(["set", "set"]);
});

it("get(fallback) with a T is typed T; get() admits undefined", async () => {
  const v = new ContextVar<number>("n", 0);
  const got = await run(function* () {
    const typed: number = v.get(5); // compiles: get(fallback) is T | D
    // @ts-expect-error get() may be undefined
    const loose: number = v.get();
    return [typed, loose];
  });
  expect(got).toEqual([5, 0]);
});
