/**
 * Context.run on a Context a store froze: refused by name before anything
 * changes (it raised the engine's "Cannot assign to read only property
 * 'entered'"), and a copy runs.
 */
import { describe, expect, it } from "vitest";
import { ContextVar, copyContext, type Operation } from "../../src/core/index.js";
import { runMock } from "./helpers.js";

describe("Context.run on a frozen Context", () => {
  it("is refused by name, nothing changes, and a copy runs", async () => {
    const v = new ContextVar<number>("v", 0);
    const out = await runMock(function* (): Operation<unknown[]> {
      v.set(1);
      const frozen = Object.freeze(copyContext());
      let called = false;
      let refused: unknown;
      try {
        frozen.run(() => (called = true));
      } catch (error) {
        refused = error;
      }
      const copied = frozen.copy().run(() => {
        v.set(2);
        return v.get();
      });
      return [called, String(refused), copied, v.get()];
    });
    expect(out).toEqual([
      false,
      "TypeError: Context.run(): this Context is frozen (a store such as immer or Redux freezes what it holds), and a Context keeps the values set inside it; run a copy instead: context.copy().run(fn).",
      2,
      1,
    ]);
  });
});
