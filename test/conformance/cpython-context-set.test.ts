/**
 * ContextVar.set/reset in asyncio code, Task contexts (createTask's
 * `context`, `getContext()`) and Context objects, after CPython's
 * Lib/test/test_asyncio/test_tasks.py (test_context_1 to _6) and
 * Lib/test/test_context.py (semantics only; the code and words are ours).
 * Each test names what it follows.
 */
import { describe, expect, it } from "vitest";
import { Context, ContextVar, RuntimeError, ValueError, copyContext, sleep as trioSleep, type Token } from "../../src/core/index.js";
import { aioAsTrio, openLoop, trioAsAio } from "../../src/bridge/index.js";
import { createTask, currentTask, eagerTaskFactory, gather, sleep, type Coroutine, type Future, type Task } from "../../src/asyncio/index.js";
import { runAio } from "../asyncio/helpers.js";
import { runMock } from "../core/helpers.js";

describe("CPython test_tasks context tests, with set() in asyncio code", () => {
  // test_context_1: a child task copies its creator's context; what either sets later stays its own
  it("a child's set() does not reach its creator, nor the creator's later set() the child", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const seen: string[] = [];
    await runAio(function* (loop) {
      function* sub(): Coroutine<void> {
        yield* sleep(0.01);
        seen.push(`sub sees ${cvar.get()}`);
        cvar.set("something else");
      }
      seen.push(`main sees ${cvar.get()}`);
      const subtask = loop.createTask(sub());
      cvar.set("yes");
      yield* subtask;
      seen.push(`main has ${cvar.get()}`);
    });
    expect(seen).toEqual(["main sees nope", "sub sees nope", "main has yes"]);
  });

  // test_context_2: a done callback's set() does not reach the task; the task's set() lasts across its awaits
  it("a callback's set() stays in the callback; the task keeps what it set across awaits", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const seen: string[] = [];
    await runAio(function* (loop) {
      for (let j = 0; j < 2; j++) {
        const fut: Future<null> = loop.createFuture();
        fut.addDoneCallback(() => cvar.set("something else"));
        cvar.set(`yes${j}`);
        loop.callSoon(() => fut.setResult(null));
        yield* fut;
        seen.push(cvar.get()!);
        for (let i = 0; i < 3; i++) {
          cvar.set(`yes${i}-${j}`);
          yield* sleep(0.001);
          seen.push(cvar.get()!);
        }
      }
    });
    expect(seen).toEqual(["yes0", "yes0-0", "yes1-0", "yes2-0", "yes1", "yes0-1", "yes1-1", "yes2-1"]);
  });

  // test_context_3: 100 tasks each set the variable and keep their own value across their sleeps
  it("100 tasks each keep their own value while the others set theirs", async () => {
    const cvar = new ContextVar("cvar", -1);
    const wrong: string[] = [];
    const after = await runAio(function* (loop) {
      function* sub(num: number): Coroutine<void> {
        for (let i = 0; i < 10; i++) {
          cvar.set(num + i);
          yield* sleep(0.001 * (((num * 7 + i * 13) % 50) + 1));
          if (cvar.get() !== num + i) wrong.push(`${num}+${i}: ${cvar.get()}`);
        }
      }
      const tasks: Task<void>[] = [];
      for (let i = 0; i < 100; i++) tasks.push(loop.createTask(sub(i % 11)));
      yield* gather(...tasks);
      return cvar.get();
    });
    expect(wrong).toEqual([]);
    expect(after).toBe(-1);
  });

  // test_context_4 to _6: tasks created with one Context run in it, one after the other, and leave their values there
  for (const how of ["loop.createTask", "createTask", "an eager task factory"] as const) {
    it(`tasks given the same Context (${how}) run in it and leave what they set there`, async () => {
      const cvar = new ContextVar<number>("cvar");
      const ret = await runAio(function* (loop) {
        function* coro(val: number): Coroutine<void> {
          yield* sleep(0);
          cvar.set(val);
        }
        if (how === "an eager task factory") loop.setTaskFactory(eagerTaskFactory);
        const make = (c: Coroutine<void>, context: Context): Task<void> => (how === "createTask" ? createTask(c, { context }) : loop.createTask(c, { context }));
        const ret: unknown[] = [];
        const ctx = copyContext();
        ret.push(ctx.get(cvar));
        const t1 = make(coro(1), ctx);
        expect(t1.getContext()).toBe(ctx);
        yield* t1;
        ret.push(ctx.get(cvar));
        yield* make(coro(2), ctx);
        ret.push(ctx.get(cvar), cvar.get());
        return ret;
      });
      expect(ret).toEqual([undefined, 1, 2, undefined]);
    });
  }

  // test_task_get_context (3.12): a task's own Context, the same object each time, with what the task set
  it("getContext() is the task's Context: the same object, with what the task set, and run() in it is seen by the task", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const r = await runAio(function* (loop) {
      const gate: Future<void> = loop.createFuture();
      const task = loop.createTask(
        (function* (): Coroutine<string[]> {
          cvar.set("task");
          yield* gate;
          const seen = [cvar.get()!];
          cvar.set("task again");
          return seen;
        })(),
      );
      yield* sleep(0);
      const ctx = task.getContext();
      expect(task.getContext()).toBe(ctx);
      const before = ctx.get(cvar);
      ctx.run(() => cvar.set("from outside"));
      gate.setResult();
      const seen = yield* task;
      return { before, seen, after: ctx.get(cvar), mine: cvar.get() };
    });
    expect(r).toEqual({ before: "task", seen: ["from outside"], after: "task again", mine: "nope" });
  });

  it("getContext() from inside the task sees its latest values, and the Context cannot be entered while the task steps", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const r = await runAio(function* (loop) {
      const task = loop.createTask(
        (function* (): Coroutine<unknown[]> {
          cvar.set("one");
          const ctx = currentTask()!.getContext();
          let refused: unknown;
          try {
            ctx.run(() => 0);
          } catch (e) {
            refused = e;
          }
          cvar.set("two");
          yield* sleep(0);
          return [ctx.get(cvar), refused];
        })(),
      );
      return yield* task;
    });
    expect(r[0]).toBe("two");
    expect(r[1]).toBeInstanceOf(RuntimeError);
  });

  it("callSoon(ctx.run, fn) runs a callback in a given Context and leaves its set() there (CPython's call_soon(context=))", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const r = await runAio(function* (loop) {
      const ctx = copyContext();
      ctx.run(() => cvar.set("ctx"));
      const seen: string[] = [];
      loop.callSoon(ctx.run.bind(ctx), (x: string) => {
        seen.push(`${x} ${cvar.get()}`);
        cvar.set("set by the callback");
      }, "callback sees");
      yield* sleep(0.01);
      return [...seen, ctx.get(cvar), cvar.get()];
    });
    expect(r).toEqual(["callback sees ctx", "set by the callback", "nope"]);
  });

  it("createTask(coro, { context }) refuses what is not a Context", async () => {
    const r = await runAio(function* (loop) {
      function* coro(): Coroutine<void> {}
      const c = coro();
      try {
        loop.createTask(c, { context: { map: null } as unknown as Context });
      } catch (e) {
        return e;
      }
      return null;
    });
    expect(r).toBeInstanceOf(TypeError);
    expect(String(r)).toMatch(/createTask\(coro, \{ context \}\) takes a Context \(from copyContext\(\) or task\.getContext\(\)\), got/);
  });

  it("reset() in asyncio code: in the task that set it, not in another task", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const r = await runAio(function* (loop) {
      const token = cvar.set("main");
      const other = loop.createTask(
        (function* (): Coroutine<unknown> {
          try {
            cvar.reset(token);
          } catch (e) {
            return e;
          }
          return null;
        })(),
      );
      const refused = yield* other;
      yield* sleep(0);
      cvar.reset(token);
      return [refused, cvar.get()];
    });
    expect(r[0]).toBeInstanceOf(ValueError);
    expect(r[1]).toBe("nope");
  });
});

describe("reset() and loop callbacks, each run in its own copy of a context", () => {
  // test_context.py's test_context_var_new_1 ("Token was created in a different Context"), with asyncio's call_soon, which
  // runs each callback in a copy of the context it was scheduled from (or in the Context given with context=).
  it("a token made in a callback is reset in that callback only; one made in the task not in a callback, nor the other way", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const r = await runAio(function* (loop) {
      const results: unknown[] = [];
      const attempt = (where: string, token: Token<string>): void => {
        try {
          cvar.reset(token);
          results.push(`${where}: reset`);
        } catch (e) {
          results.push(`${where}: ${(e as Error).name}`);
        }
      };
      const fromTask = cvar.set("task");
      let fromCallback: Token<string> | null = null;
      loop.callSoon(() => {
        fromCallback = cvar.set("first callback");
        attempt("own token, same callback", cvar.set("again"));
      });
      loop.callSoon(() => {
        attempt("first callback's token, second callback", fromCallback!);
        attempt("task's token, callback", fromTask);
      });
      yield* sleep(0.01);
      attempt("first callback's token, task", fromCallback!);
      attempt("own token, task", fromTask);
      return [...results, cvar.get()];
    });
    expect(r).toEqual([
      "own token, same callback: reset",
      "first callback's token, second callback: ValueError",
      "task's token, callback: ValueError",
      "first callback's token, task: ValueError",
      "own token, task: reset",
      "nope",
    ]);
  });

  it("callbacks run in the same Context (ctx.run, CPython's call_soon(context=ctx)) share its tokens", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const r = await runAio(function* (loop) {
      const ctx = copyContext();
      let token: Token<string> | null = null;
      const seen: unknown[] = [];
      loop.callSoon(ctx.run.bind(ctx), () => {
        token = cvar.set("in ctx");
      });
      loop.callSoon(ctx.run.bind(ctx), () => {
        cvar.reset(token!);
        seen.push(cvar.get());
      });
      yield* sleep(0.01);
      return [...seen, ctx.has(cvar)];
    });
    expect(r).toEqual(["nope", false]);
  });

  it("the refusal says where the token was made and where reset() works", async () => {
    const cvar = new ContextVar("cvar", "nope");
    const r = await runAio(function* (loop) {
      let token: Token<string> | null = null;
      let refused: unknown = null;
      loop.callSoon(() => {
        token = cvar.set("first");
      });
      loop.callSoon(() => {
        try {
          cvar.reset(token!);
        } catch (e) {
          refused = e;
        }
      });
      yield* sleep(0.01);
      return refused;
    });
    expect(r).toBeInstanceOf(ValueError);
    expect(String(r)).toMatch(/made in a different context.*each loop callback runs in its own copy.*Call reset\(\) where set\(\) was called/);
  });
});

describe("CPython test_context basics", () => {
  // test_context_var_new_1 / test_context_getset_1..3: set/reset with tokens, old values, MISSING
  it("tokens record the variable and the value before; reset restores it", () => {
    const c = new ContextVar<number>("a");
    const ctx = copyContext();
    ctx.run(() => {
      const t1 = c.set(42);
      expect(t1.contextVar).toBe(c);
      expect(t1.oldValue).toBe((t1.constructor as typeof Token).MISSING);
      const t2 = c.set(43);
      expect(t2.oldValue).toBe(42);
      expect(c.get()).toBe(43);
      c.reset(t2);
      expect(c.get()).toBe(42);
      expect(() => c.reset(t2)).toThrow(RuntimeError);
      c.reset(t1);
      expect(c.get()).toBeUndefined();
    });
    expect(ctx.has(c)).toBe(false);
  });

  // test_context_run_4 / _5: run() in a copy; an error thrown from fn still leaves the values set before it
  it("run() keeps the values set before fn threw", () => {
    const c = new ContextVar<number>("a");
    const ctx = copyContext();
    expect(() =>
      ctx.run(() => {
        c.set(1);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(ctx.get(c)).toBe(1);
    expect(c.get()).toBeUndefined();
  });
});

describe("values cross the bridges", () => {
  it("a value set() in Trio code is seen by asyncio code called with aioAsTrio; asyncio's set() stays in asyncio", async () => {
    const v = new ContextVar("v", "none");
    const r = await runMock(function* () {
      v.set("trio");
      return yield* openLoop(function* () {
        const seen = yield* aioAsTrio(function* () {
          const before = v.get();
          v.set("asyncio");
          return [before, v.get()];
        })();
        return [...seen, v.get()];
      });
    });
    expect(r).toEqual(["trio", "asyncio", "trio"]);
  });

  it("a value set() in asyncio code is seen by Trio code called with trioAsAio; Trio's set() stays in Trio", async () => {
    const v = new ContextVar("v", "none");
    const r = await runAio(function* () {
      v.set("asyncio");
      const seen = yield* trioAsAio(function* () {
        const before = v.get();
        v.set("trio");
        yield* trioSleep(0);
        return [before, v.get()];
      })();
      return [...seen, v.get()];
    });
    expect(r).toEqual(["asyncio", "trio", "asyncio"]);
  });
});

describe("createTask's context option against misuse", () => {
  it("an eager task cannot start in a Context that is entered now: RuntimeError, and no task is left", async () => {
    const cvar = new ContextVar("cvar", "default");
    const result = await runAio(function* (loop) {
      const ctx = copyContext();
      let ran = false;
      function* child(): Coroutine<string> {
        ran = true;
        return cvar.get() ?? "unset";
      }
      let error: unknown = null;
      ctx.run(() => {
        cvar.set("inside");
        try {
          loop.createTask(child(), { context: ctx, eagerStart: true });
        } catch (e) {
          error = e;
        }
      });
      // The same Context, entered no more, takes an eager task; it sees what was set in the run.
      const later = loop.createTask(child(), { context: ctx, eagerStart: true });
      return { error, ran, later: yield* later, pending: [...loop.allTasks()].filter((t) => !t.done()).length };
    });
    expect(result.error).toBeInstanceOf(RuntimeError);
    expect(String((result.error as Error).message)).toMatch(/that Context is entered now .* Pass context\.copy\(\), or leave out eagerStart/);
    expect(result.later).toBe("inside");
    expect(result.pending).toBe(1); // the main task itself
  });

  it("a forged or revoked Context is refused by name", async () => {
    await runAio(function* (loop) {
      function* child(): Coroutine<void> {}
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      for (const bad of [Object.create(Context.prototype) as Context, proxy as Context]) {
        const coro = child();
        expect(() => loop.createTask(coro, { context: bad })).toThrow(/createTask\(coro, \{ context \}\) takes a Context \(from copyContext\(\) or task\.getContext\(\)\), got/);
      }
    });
  });
});
