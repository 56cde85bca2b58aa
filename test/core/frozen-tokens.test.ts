/**
 * Tokens a store froze (immer and Redux freeze what they hold): a reset
 * works once, as for any token, instead of changing the variable and then
 * raising the engine's "Cannot assign to read only property" (which left
 * the token reusable, so a second reset changed the variable again).
 */
import { describe, expect, it } from "vitest";
import { ContextVar, RunVar, type Operation } from "../../src/core/index.js";
import { runMock } from "./helpers.js";

describe("frozen tokens", () => {
  it("ContextVar.reset(a frozen token): resets once, then refuses as a used token", async () => {
    const v = new ContextVar<number>("v", 0);
    const out = await runMock(function* (): Operation<unknown[]> {
      v.set(1);
      const token = Object.freeze(v.set(2));
      v.reset(token);
      const after = v.get();
      v.set(3);
      let second: unknown;
      try {
        v.reset(token);
      } catch (error) {
        second = error;
      }
      return [after, v.get(), String(second)];
    });
    expect(out).toEqual([1, 3, expect.stringMatching(/^RuntimeError: ContextVar\(v\)\.reset\(token\): this token was already used/)]);
  });

  it("RunVar.reset(a frozen token): resets once, then refuses as a used token", async () => {
    const rv = new RunVar<number>("rv", 0);
    const out = await runMock(function* (): Operation<unknown[]> {
      rv.set(1);
      const token = Object.freeze(rv.set(2));
      rv.reset(token);
      const after = rv.get();
      rv.set(3);
      let second: unknown;
      try {
        rv.reset(token);
      } catch (error) {
        second = error;
      }
      return [after, rv.get(), String(second)];
    });
    expect(out).toEqual([1, 3, expect.stringMatching(/^ValueError: RunVar\(rv\)\.reset\(token\): this token was already used/)]);
  });

  it("a token behind a Proxy whose set trap throws: the same", async () => {
    const v = new ContextVar<number>("v", 0);
    const out = await runMock(function* (): Operation<unknown[]> {
      const token = new Proxy(v.set(5), {
        set: () => {
          throw new Error("read-only store");
        },
      });
      v.reset(token);
      let second: unknown;
      try {
        v.reset(token);
      } catch (error) {
        second = error;
      }
      return [v.get(), String(second)];
    });
    expect(out).toEqual([0, expect.stringMatching(/this token was already used/)]);
  });
});
