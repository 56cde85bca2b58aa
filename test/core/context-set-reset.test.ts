/**
 * ContextVar.set/reset in Trio tasks (Python's contextvars semantics: set
 * changes the running task's context only, reset restores, tokens are
 * checked), and Context/copyContext from Trio code.
 */
import { describe, expect, it } from "vitest";
import { Context, ContextVar, LookupError, RuntimeError, Token, ValueError, checkpoint, copyContext, openNursery, run } from "../../src/core/index.js";
import { openLoop } from "../../src/bridge/index.js";
import { runMock } from "./helpers.js";

describe("ContextVar.set and reset in Trio tasks", () => {
  it("set() changes the value in the task; reset() gives back the one before, or none", async () => {
    const v = new ContextVar("v", "default");
    const seen = await runMock(function* () {
      const seen: unknown[] = [v.get()];
      const t1 = v.set("one");
      yield* checkpoint();
      seen.push(v.get(), t1.oldValue === Token.MISSING);
      const t2 = v.set("two");
      seen.push(v.get(), t2.oldValue);
      v.reset(t2);
      seen.push(v.get());
      v.reset(t1);
      seen.push(v.get(), v.get("fallback"));
      return seen;
    });
    expect(seen).toEqual(["default", "one", true, "two", "one", "one", "default", "fallback"]);
  });

  it("a child sees what the parent set before spawning it; the parent and siblings never see the child's set()", async () => {
    const v = new ContextVar("who", "none");
    const seen: string[] = [];
    await runMock(function* () {
      v.set("parent");
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          seen.push(`a sees ${v.get()}`);
          v.set("a");
          yield* checkpoint();
          seen.push(`a has ${v.get()}`);
        });
        n.startSoon(function* () {
          yield* checkpoint();
          seen.push(`b sees ${v.get()}`);
        });
        v.set("parent later");
      });
      seen.push(`parent has ${v.get()}`);
    });
    expect(seen).toEqual(["a sees parent", "a has a", "b sees parent", "parent has parent later"]);
  });

  it("a set() inside ContextVar.run's body ends with the body", async () => {
    const v = new ContextVar("v", 0);
    const after = await runMock(function* () {
      yield* v.run(1, function* () {
        v.set(2);
        expect(v.get()).toBe(2);
      });
      return v.get();
    });
    expect(after).toBe(0);
  });

  it("reset() refuses a token used twice, one of another variable, one from another task, and a non-token", async () => {
    const v = new ContextVar("v");
    const w = new ContextVar("w");
    const errors = await runMock(function* () {
      const errors: unknown[] = [];
      const token = v.set(1);
      v.reset(token);
      try {
        v.reset(token);
      } catch (e) {
        errors.push(e);
      }
      try {
        v.reset(w.set(2) as unknown as Token<unknown>);
      } catch (e) {
        errors.push(e);
      }
      let childToken: Token<unknown> | undefined;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          childToken = v.set("child");
          yield* checkpoint();
        });
      });
      try {
        v.reset(childToken!);
      } catch (e) {
        errors.push(e);
      }
      try {
        v.reset({} as Token<unknown>);
      } catch (e) {
        errors.push(e);
      }
      return errors;
    });
    expect(errors[0]).toBeInstanceOf(RuntimeError);
    expect(String(errors[0])).toMatch(/already used.*new token/);
    expect(errors[1]).toBeInstanceOf(ValueError);
    expect(String(errors[1])).toMatch(/made by ContextVar\(w\)\.set\(\); reset it with that variable/);
    expect(errors[2]).toBeInstanceOf(ValueError);
    expect(String(errors[2])).toMatch(/different context.*where set\(\) was called/);
    expect(errors[3]).toBeInstanceOf(TypeError);
  });

  it("set() and reset() outside any run say where they work", async () => {
    const v = new ContextVar("v");
    expect(() => v.set(1)).toThrow(RuntimeError);
    expect(() => v.set(1)).toThrow(/must be used inside a task of run\(\)/);
    const token = await run(function* () {
      return v.set(1);
    });
    expect(() => v.reset(token)).toThrow(/must be used inside a task of run\(\)/);
  });

  it("two runs never share a value set in one of them", async () => {
    const v = new ContextVar("v", "unset");
    const [a, b] = await Promise.all([
      runMock(function* () {
        v.set("a");
        yield* checkpoint();
        yield* checkpoint();
        return v.get();
      }),
      runMock(function* () {
        yield* checkpoint();
        return v.get();
      }),
    ]);
    expect([a, b, v.get()]).toEqual(["a", "unset", "unset"]);
  });
});

describe("Context and copyContext from Trio code", () => {
  it("copyContext() is a snapshot; run() calls code in it, and its set() stays in the Context, not the task", async () => {
    const v = new ContextVar("v", "default");
    const r = await runMock(function* () {
      v.set("task");
      const ctx = copyContext();
      v.set("task later");
      const inside = ctx.run((x: number) => {
        const before = v.get();
        v.set(`ctx ${x}`);
        return [before, v.get()];
      }, 1);
      return { inside, task: v.get(), ctx: ctx.get(v), again: ctx.run(() => v.get()), has: ctx.has(v), keys: ctx.keys().length };
    });
    expect(r).toEqual({ inside: ["task", "ctx 1"], task: "task later", ctx: "ctx 1", again: "ctx 1", has: true, keys: 1 });
  });

  it("Context.get gives the fallback, not the variable's default; copy() is independent", () => {
    const v = new ContextVar("v", "default");
    const ctx = copyContext();
    expect(ctx.get(v)).toBeUndefined();
    expect(ctx.get(v, "fb")).toBe("fb");
    const copy = ctx.copy();
    copy.run(() => v.set("in copy"));
    expect([ctx.get(v), copy.get(v)]).toEqual([undefined, "in copy"]);
    expect(ctx).toBeInstanceOf(Context);
  });

  it("a token is reset in the Context.run that made it, not outside it, and a Context cannot be entered twice", async () => {
    const v = new ContextVar("v", 0);
    const errors = await runMock(function* () {
      const errors: unknown[] = [];
      const ctx = copyContext();
      const token = ctx.run(() => v.set(1));
      try {
        v.reset(token);
      } catch (e) {
        errors.push(e);
      }
      ctx.run(() => v.reset(token));
      expect(ctx.get(v)).toBeUndefined();
      try {
        ctx.run(() => ctx.run(() => 0));
      } catch (e) {
        errors.push(e);
      }
      return errors;
    });
    expect(errors[0]).toBeInstanceOf(ValueError);
    expect(errors[1]).toBeInstanceOf(RuntimeError);
    expect(String(errors[1])).toMatch(/already entered.*context\.copy\(\)\.run/);
  });

  it("a task spawned inside Context.run starts from the Context's values", async () => {
    const v = new ContextVar("v", "default");
    const seen = await runMock(function* () {
      const ctx = copyContext();
      ctx.run(() => v.set("ctx"));
      let seen = "";
      yield* openNursery(function* (n) {
        ctx.run(() =>
          n.startSoon(function* () {
            seen = v.get()!;
          }),
        );
      });
      return seen;
    });
    expect(seen).toBe("ctx");
  });

  it("Context.run(non-function) is a TypeError", () => {
    expect(() => copyContext().run(5 as unknown as () => void)).toThrow(/Context\.run\(fn, \.\.\.args\) needs a function to call, got number 5/);
    expect(new LookupError("x").name).toBe("LookupError");
  });
});

describe("the library's own task-local variables", () => {
  it("do not show in Context.keys(): inside openLoop only the user's variables are listed", async () => {
    const v = new ContextVar<number>("user var");
    const keys = await run(function* () {
      return yield* v.run(1, () =>
        openLoop(function* () {
          return copyContext().keys();
        }),
      );
    });
    expect(keys).toEqual([v]);
  });
});
