/**
 * RunVar: one value per run() (Trio's trio.lowlevel.RunVar; semantics after
 * Trio's test_local.py, code and words ours).
 */
import { describe, expect, it } from "vitest";
import { LookupError, RunVar, RunVarToken, RuntimeError, ValueError, checkpoint, openNursery, run, type Operation } from "../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
}

describe("RunVar", () => {
  it("has no value in a new run: get() raises LookupError, or gives the default or fallback", async () => {
    const t1 = new RunVar<string>("test1");
    const t2 = new RunVar("test2", "catfish");
    await runMock(function* () {
      expect(caught(() => t1.get())).toBeInstanceOf(LookupError);
      expect(String(caught(() => t1.get()))).toMatch(/RunVar\(test1\) has no value in this run and no default: set\(\) it first/);
      t1.set("swordfish");
      expect([t1.get(), t2.get(), t2.get("eel")]).toEqual(["swordfish", "catfish", "eel"]);
      t2.set("goldfish");
      expect([t2.get(), t2.get("tuna")]).toEqual(["goldfish", "goldfish"]);
    });
    // A later run starts afresh.
    await runMock(function* () {
      expect(caught(() => t1.get())).toBeInstanceOf(LookupError);
      expect(t2.get()).toBe("catfish");
    });
  });

  it("reset() gives back the value before, refuses a used token and a token of another variable", async () => {
    const t1 = new RunVar<string>("test1");
    const t2 = new RunVar("test2", "dogfish");
    const t3 = new RunVar<string>("test3");
    await runMock(function* () {
      const token = t1.set("moonfish");
      expect(token).toBeInstanceOf(RunVarToken);
      expect(token.previous).toBe(RunVarToken.MISSING);
      t1.reset(token);
      expect(caught(() => t1.reset(null as unknown as RunVarToken<string>))).toBeInstanceOf(TypeError);
      expect(caught(() => t1.get())).toBeInstanceOf(LookupError);
      const token2 = t2.set("catdogfish");
      t2.reset(token2);
      expect(t2.get()).toBe("dogfish");
      const used = caught(() => t2.reset(token2));
      expect(used).toBeInstanceOf(ValueError);
      expect(String(used)).toMatch(/already used/);
      const other = caught(() => t1.reset(t3.set("basculin")));
      expect(other).toBeInstanceOf(ValueError);
      expect(String(other)).toMatch(/made by RunVar\(test3\)\.set\(\); reset it with that variable/);
    });
  });

  it("is shared by all the tasks of a run: a child's set() and reset() are the parent's too", async () => {
    const t1 = new RunVar<string>("test1");
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const token = t1.set("cod");
        n.startSoon(function* () {
          t1.set("plaice");
        });
        yield* waitAllTasksBlocked();
        expect(t1.get()).toBe("plaice");
        n.startSoon(function* () {
          t1.reset(token);
          expect(caught(() => t1.get())).toBeInstanceOf(LookupError);
          t1.set("haddock");
        });
        yield* waitAllTasksBlocked();
        expect(t1.get()).toBe("haddock");
      });
    });
  });

  it("cannot be used outside a run, nor a token reset there or in another run", async () => {
    const t1 = new RunVar<string>("test1");
    expect(caught(() => t1.set("x"))).toBeInstanceOf(RuntimeError);
    expect(String(caught(() => t1.get()))).toMatch(/RunVar\(test1\)\.get\(\) must be used inside run\(\)/);
    const token = await run(function* () {
      return t1.set("ok");
    });
    expect(caught(() => t1.reset(token))).toBeInstanceOf(RuntimeError);
    const inOther = await run(function* () {
      return caught(() => t1.reset(token));
    });
    expect(inOther).toBeInstanceOf(ValueError);
    expect(String(inOther)).toMatch(/made in another run/);
  });

  it("two runs at the same time each have their own value", async () => {
    const v = new RunVar("v", 0);
    function* body(n: number): Operation<number[]> {
      const seen: number[] = [];
      v.set(n);
      for (let i = 0; i < 3; i++) {
        yield* checkpoint();
        seen.push(v.get());
        v.set(v.get() + 10);
      }
      return seen;
    }
    const [a, b] = await Promise.all([run(() => body(1)), run(() => body(2))]);
    expect(a).toEqual([1, 11, 21]);
    expect(b).toEqual([2, 12, 22]);
  });

  it("asyncio code in the run sees and sets the run's value", async () => {
    const v = new RunVar("v", "none");
    const r = await runMock(function* () {
      v.set("trio");
      return yield* openLoop(function* () {
        const seen = yield* aioAsTrio(function* () {
          const before = v.get();
          v.set("asyncio");
          return before;
        })();
        return [seen, v.get()];
      });
    });
    expect(r).toEqual(["trio", "asyncio"]);
    expect(String(v)).toBe("RunVar(v)");
  });
});
