/**
 * An outside, hostile check of retry, staggeredRace (both flavours),
 * ContextVar.set/reset, Token, Context, copyContext and RunVar: hostile
 * options, attempts, iterables, hooks and tokens, and cancellation at each
 * point. Every run must settle, every error must reach someone, a bad
 * argument's message must name the fix (no engine words), and nothing may
 * be left behind.
 */
import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Context,
  ContextVar,
  ExceptionGroup,
  RunVar,
  RunVarToken,
  RuntimeError,
  Token,
  ValueError,
  checkpoint,
  copyContext,
  moveOnAfter,
  openNursery,
  retry,
  run,
  sleep,
  sleepForever,
  staggeredRace,
  type Operation,
} from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import * as aio from "../../src/asyncio/index.js";
import { runAioKeep } from "../asyncio/helpers.js";
import { runKeep, within } from "../core/helpers.js";
import { ENGINE_WORDS, bad, revoked } from "./hostile.js";

/** The error a synchronous call throws (fails the test if it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

/** Runs `main` on a mock clock, settles within 2 s of real time, and checks that nothing is left. */
async function settle(main: () => Operation<unknown>): Promise<{ ok: boolean; value: unknown }> {
  const { runner, ok, value } = await within(runKeep(main));
  expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  return { ok, value };
}

/** An error whose `message` (and `name`) getters throw. */
function unreadableError(): Error {
  const e = new Error("hidden");
  Object.defineProperty(e, "message", {
    get() {
      throw new Error("message getter");
    },
  });
  return e;
}

/** The hostile things an attempt may throw. */
const HOSTILE_THROWS: [string, () => unknown][] = [
  ["a revoked Proxy", () => revoked()],
  ["undefined", () => undefined],
  ["null", () => null],
  ["a null-prototype object", () => Object.create(null)],
  ["an Error whose message getter throws", unreadableError],
];

// ---- retry ----------------------------------------------------------------------------------

describe("retry, hostile options", () => {
  it("a Proxy whose get trap throws: the trap's own error reaches the caller at the call, nothing runs", () => {
    const trap = new Error("trap");
    const options = new Proxy({}, { get: () => { throw trap; } });
    let ran = 0;
    expect(thrown(() => retry(function* () { ran++; }, bad(options)))).toBe(trap);
    expect(ran).toBe(0);
  });

  it("a Proxy whose ownKeys trap throws: a TypeError naming the options", () => {
    const options = new Proxy({}, { ownKeys: () => { throw new Error("keys"); } });
    const error = thrown(() => retry(function* () {}, bad(options))) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^retry\(attempt, options\): the options object cannot be read \(keys\); pass a plain object/);
  });

  it("a throwing getter: its error reaches the caller at the call", () => {
    const getter = new Error("getter");
    const options = { get attempts(): number { throw getter; } };
    expect(thrown(() => retry(function* () {}, options))).toBe(getter);
  });

  it("a null-prototype options object is read like a plain one", async () => {
    const options = Object.assign(Object.create(null) as object, { attempts: 2, delay: 1 });
    let n = 0;
    const { ok, value } = await settle(() =>
      retry(function* () {
        if (++n === 1) throw new Error("first");
        return n;
      }, options),
    );
    expect([ok, value]).toEqual([true, 2]);
  });

  it("a wrong option inside a null-prototype object: a message naming the option, no engine words", () => {
    const options = Object.assign(Object.create(null) as object, { delay: Object.create(null) });
    const error = thrown(() => retry(function* () {}, bad(options))) as Error;
    expect(error.message).toMatch(/^retry\(attempt, options\): delay must be a finite number of seconds ≥ 0, got an object with no prototype/);
  });

  it("an option that is a revoked Proxy: described, no engine words", () => {
    const error = thrown(() => retry(function* () {}, bad({ retryIf: revoked() }))) as Error;
    expect(error.message).toMatch(/retryIf must be a function, got an object that cannot be inspected/);
    expect(error.message).not.toMatch(ENGINE_WORDS);
  });
});

describe("retry, hostile attempts", () => {
  for (const [label, make] of HOSTILE_THROWS) {
    it(`an attempt that throws ${label}: retried, seen by retryIf and onRetry, and the last one reaches the caller as it was`, async () => {
      const thrownValues: unknown[] = [];
      const seen: unknown[] = [];
      const { ok, value } = await settle(() =>
        retry(
          function* () {
            const v = make();
            thrownValues.push(v);
            throw v;
          },
          {
            attempts: 3,
            retryIf: (e) => (seen.push(e), true),
            onRetry: (e) => void seen.push(e),
          },
        ),
      );
      expect(ok).toBe(false);
      expect(value).toBe(thrownValues[2]);
      // Compared one by one: toEqual would inspect a revoked Proxy and throw.
      const expected = [thrownValues[0], thrownValues[0], thrownValues[1], thrownValues[1]];
      expect(seen.length).toBe(4);
      seen.forEach((v, i) => expect(v).toBe(expected[i]));
    });
  }

  it("a plain attempt function that returns a revoked Proxy: a TypeError naming the fix, raised at once", async () => {
    let calls = 0;
    const { ok, value } = await settle(() =>
      retry(
        bad(() => {
          calls++;
          return revoked();
        }),
      ),
    );
    expect(ok).toBe(false);
    expect(calls).toBe(1);
    expect((value as Error).message).toMatch(/^retry\(attempt\): the function returned an object that cannot be inspected \(a revoked Proxy\?\), not a generator/);
  });

  it("a plain attempt function that throws: not retried (a slip, not a failed attempt), its error reaches the caller", async () => {
    const boom = new Error("boom");
    let calls = 0;
    const { ok, value } = await settle(() =>
      retry(
        bad(() => {
          calls++;
          throw boom;
        }),
      ),
    );
    expect([ok, value, calls]).toEqual([false, boom, 1]);
  });
});

describe("retry, hostile hooks", () => {
  for (const [label, make] of HOSTILE_THROWS) {
    it(`retryIf throws ${label}: it and the attempt's error both reach the caller, in an ExceptionGroup`, async () => {
      const attemptError = new Error("attempt");
      let hookError: unknown;
      const { ok, value } = await settle(() =>
        retry(
          function* () {
            throw attemptError;
          },
          {
            retryIf: () => {
              throw (hookError = make());
            },
          },
        ),
      );
      expect(ok).toBe(false);
      expect(value).toBeInstanceOf(ExceptionGroup);
      const leaves = (value as ExceptionGroup).exceptions;
      expect(leaves.length).toBe(2);
      expect(leaves[0]).toBe(hookError);
      expect(leaves[1]).toBe(attemptError);
    });
  }

  it("onRetry cancels the surrounding scope: the backoff is cut short, no further attempt, the scope absorbs it", async () => {
    let attempts = 0;
    const { ok, value } = await settle(function* () {
      const scope = new CancelScope();
      yield* scope.run(() =>
        retry(
          function* () {
            attempts++;
            throw new Error("flaky");
          },
          { attempts: 5, delay: 10, onRetry: () => scope.cancel() },
        ),
      );
      return scope.cancelledCaught;
    });
    expect([ok, value, attempts]).toEqual([true, true, 1]);
  });

  it("retryIf cancels the surrounding scope and answers false: the attempt's error goes up (not swallowed by the scope)", async () => {
    const flaky = new Error("flaky");
    const { ok, value } = await settle(function* () {
      const scope = new CancelScope();
      yield* scope.run(() =>
        retry(
          function* () {
            throw flaky;
          },
          {
            retryIf: () => {
              scope.cancel();
              return false;
            },
          },
        ),
      );
    });
    expect([ok, value]).toEqual([false, flaky]);
  });
});

describe("retry, cancellation at each point", () => {
  it("cancelled from outside during an attempt: settles, no hook runs, nothing left", async () => {
    const hooks: string[] = [];
    const { ok, value } = await settle(function* () {
      yield* moveOnAfter(1, () =>
        retry(function* () {
          yield* sleepForever();
        }, { retryIf: () => (hooks.push("retryIf"), true), onRetry: () => void hooks.push("onRetry"), attemptTimeout: 5 }),
      );
      return "moved on";
    });
    expect([ok, value, hooks]).toEqual([true, "moved on", []]);
  });

  it("cancelled from outside during backoff: settles, nothing left", async () => {
    let attempts = 0;
    const { ok, value } = await settle(function* () {
      yield* moveOnAfter(1, () =>
        retry(function* () {
          attempts++;
          throw new Error("flaky");
        }, { attempts: Infinity, delay: 0.4, factor: 1 }),
      );
      return "moved on";
    });
    expect([ok, value, attempts]).toEqual([true, "moved on", 3]);
  });

  it("an attempt that turns its cancellation into another error: not retried, that error goes up", async () => {
    const converted = new Error("converted");
    let attempts = 0;
    const { ok, value } = await settle(function* () {
      yield* moveOnAfter(1, () =>
        retry(function* () {
          attempts++;
          try {
            yield* sleepForever();
          } catch {
            throw converted;
          }
        }, { attempts: 5, retryIf: () => true }),
      );
    });
    expect([ok, value, attempts]).toEqual([false, converted, 1]);
  });

  it("with a huge factor and no cap, the waits grow past any useful length: only a cancellation ends them (documented by this test)", async () => {
    const waits: number[] = [];
    const { ok } = await settle(function* () {
      yield* moveOnAfter(100, () =>
        retry(function* () {
          throw new Error("flaky");
        }, { attempts: 5, delay: 1, factor: 1e308, onRetry: (_e, _n, d) => void waits.push(d) }),
      );
    });
    expect(ok).toBe(true);
    expect(waits).toEqual([1, 1e308]);
  });
});

// ---- staggeredRace, Trio flavour -----------------------------------------------------------

/** An iterable built from a hand-written iterator (hostile at will). */
function iterableOf(iterator: () => unknown): Iterable<() => Operation<unknown>> {
  return { [Symbol.iterator]: iterator } as unknown as Iterable<() => Operation<unknown>>;
}

const HOSTILE_ITERABLES: [string, () => Iterable<() => Operation<unknown>>, RegExp][] = [
  [
    "whose [Symbol.iterator] throws",
    () =>
      iterableOf(() => {
        throw new Error("no iterator");
      }),
    /^no iterator$/,
  ],
  ["whose [Symbol.iterator] returns 42", () => iterableOf(() => 42), /^staggeredRace\(attemptFns, delay\): the iterable's \[Symbol\.iterator\]\(\) gave number 42, not an iterator with a next\(\) method/],
  ["whose next is missing", () => iterableOf(() => ({})), /^staggeredRace\(attemptFns, delay\): the iterable's \[Symbol\.iterator\]\(\) gave an object, not an iterator with a next\(\) method/],
  ["whose next returns 42", () => iterableOf(() => ({ next: () => 42 })), /^staggeredRace\(attemptFns, delay\): the iterator's next\(\) returned number 42, not an iterator result/],
  ["whose next returns a revoked Proxy", () => iterableOf(() => ({ next: () => revoked() })), /^staggeredRace\(attemptFns, delay\): the iterator's next\(\) returned an object that cannot be inspected/],
  [
    "whose next throws",
    () =>
      iterableOf(() => ({
        next: () => {
          throw new Error("next threw");
        },
      })),
    /^next threw$/,
  ],
];

describe("staggeredRace (Trio flavour), hostile iterables", () => {
  for (const [label, make, message] of HOSTILE_ITERABLES) {
    it(`an iterable ${label}: raised with a clear message, nothing left`, async () => {
      const { ok, value } = await settle(() => staggeredRace(make(), 1));
      expect(ok).toBe(false);
      expect((value as Error).message).toMatch(message);
      expect((value as Error).message).not.toMatch(ENGINE_WORDS);
    });
  }

  it("an iterable whose next throws after two starts: the running attempts are cancelled, the error goes up", async () => {
    const cancelled: number[] = [];
    const { ok, value } = await settle(() =>
      staggeredRace(
        (function* () {
          for (let i = 0; i < 2; i++) {
            yield function* () {
              try {
                yield* sleepForever();
              } finally {
                cancelled.push(i);
              }
            };
          }
          throw new Error("source failed");
        })(),
        1,
      ),
    );
    expect(ok).toBe(false);
    expect((value as Error).message).toBe("source failed");
    expect(cancelled.sort()).toEqual([0, 1]);
  });

  it("an infinite iterable of attempts that never end, cancelled from outside: settles, every attempt cancelled", async () => {
    let started = 0;
    let ended = 0;
    const { ok, value } = await settle(function* () {
      yield* moveOnAfter(1.05, () =>
        staggeredRace(
          (function* () {
            for (;;) {
              yield function* () {
                started++;
                try {
                  yield* sleepForever();
                } finally {
                  ended++;
                }
              };
            }
          })(),
          0.1,
        ),
      );
      return "moved on";
    });
    expect([ok, value]).toEqual([true, "moved on"]);
    expect(started).toBe(11);
    expect(ended).toBe(started);
  });

  it("an infinite iterable, with a winner: the rest of it is never read, and the generator is closed", async () => {
    let read = 0;
    let closed = false;
    const { ok, value } = await settle(() =>
      staggeredRace(
        (function* () {
          try {
            for (;;) {
              read++;
              yield function* () {
                yield* sleep(0.25);
                return "won";
              };
            }
          } finally {
            closed = true;
          }
        })(),
        0.1,
      ),
    );
    expect(ok).toBe(true);
    expect((value as unknown[]).slice(0, 2)).toEqual(["won", 0]);
    expect([read, closed]).toEqual([3, true]);
  });
});

describe("staggeredRace (Trio flavour), hostile attempts", () => {
  for (const [label, make] of HOSTILE_THROWS) {
    it(`an attempt that throws ${label}: recorded, the next starts at once`, async () => {
      let error: unknown;
      const { ok, value } = await settle(() =>
        staggeredRace(
          [
            function* () {
              throw (error = make());
            },
            function* () {
              return "second";
            },
          ],
          10,
        ),
      );
      expect(ok).toBe(true);
      const [result, index, errors] = value as [unknown, number, unknown[]];
      expect([result, index]).toEqual(["second", 1]);
      expect(errors[0]).toBe(error);
      expect(errors[1]).toBeNull();
    });
  }

  it("a plain attempt function that throws a revoked Proxy: recorded as a failed attempt", async () => {
    const proxy = revoked();
    const { ok, value } = await settle(() =>
      staggeredRace(
        [
          bad(() => {
            throw proxy;
          }),
        ],
        null,
      ),
    );
    expect(ok).toBe(true);
    const errors = (value as unknown[])[2] as unknown[];
    expect(errors.length).toBe(1);
    expect(errors[0]).toBe(proxy);
  });

  it("a plain attempt function that returns a revoked Proxy: a TypeError naming the fix, the others cancelled", async () => {
    let cancelled = false;
    const { ok, value } = await settle(() =>
      staggeredRace(
        [
          function* () {
            try {
              yield* sleepForever();
            } finally {
              cancelled = true;
            }
          },
          bad(() => revoked()),
        ],
        0.1,
      ),
    );
    expect(ok).toBe(false);
    expect((value as Error).message).toMatch(/attempt 1 \(anonymous\) returned an object that cannot be inspected \(a revoked Proxy\?\), not a generator/);
    expect(cancelled).toBe(true);
  });

  // The message is the engine's for now: core/nursery.ts's isGeneratorFunction reads `constructor` untotally (reported, not this file's).
  it("an attempt that is a revoked Proxy of a function, read from a generator: a TypeError, nothing left", async () => {
    const fn = revoked(true);
    const { ok, value } = await settle(() =>
      staggeredRace(
        (function* () {
          yield fn;
        })(),
        1,
      ),
    );
    expect(ok).toBe(false);
    expect(value).toBeInstanceOf(TypeError);
  });

  it("cancelled from outside between staggered starts: every started attempt is cancelled, later ones never start", async () => {
    const log: string[] = [];
    const { ok } = await settle(function* () {
      yield* moveOnAfter(1.5, () =>
        staggeredRace(
          [0, 1, 2].map((i) =>
            function* () {
              log.push(`start ${i}`);
              try {
                yield* sleepForever();
              } finally {
                log.push(`end ${i}`);
              }
            },
          ),
          1,
        ),
      );
    });
    expect(ok).toBe(true);
    expect(log.sort()).toEqual(["end 0", "end 1", "start 0", "start 1"]);
  });
});

// ---- staggeredRace, asyncio flavour --------------------------------------------------------

/** Runs asyncio `main`, settles within 2 s, checks that nothing is left, and returns how it ended. */
async function settleAio(main: () => aio.Coroutine<unknown>): Promise<{ ok: boolean; value: unknown }> {
  let ok = true;
  let value: unknown;
  const { runner } = await within(
    runAioKeep(function* () {
      try {
        value = yield* main();
      } catch (error) {
        ok = false;
        value = error;
      }
    }),
  );
  expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  return { ok, value };
}

describe("staggeredRace (asyncio flavour), hostile input", () => {
  for (const [label, make, message] of HOSTILE_ITERABLES) {
    it(`an iterable ${label}: raised with a clear message, nothing left`, async () => {
      const { ok, value } = await settleAio(() => aio.staggeredRace(make() as unknown as Iterable<() => aio.Coroutine<unknown>>, 1));
      expect(ok).toBe(false);
      expect((value as Error).message).toMatch(new RegExp(message.source.replace("attemptFns", "coroFns")));
      expect((value as Error).message).not.toMatch(ENGINE_WORDS);
    });
  }

  for (const [label, make] of HOSTILE_THROWS) {
    it(`a coroutine that throws ${label}: recorded, the next starts at once`, async () => {
      let error: unknown;
      const { ok, value } = await settleAio(() =>
        aio.staggeredRace(
          [
            function* (): aio.Coroutine<string> {
              throw (error = make());
            },
            function* (): aio.Coroutine<string> {
              return "second";
            },
          ],
          10,
        ),
      );
      expect(ok).toBe(true);
      const [result, index, errors] = value as [unknown, number, unknown[]];
      expect([result, index]).toEqual(["second", 1]);
      expect(errors[0]).toBe(error);
    });
  }

  it("a function that returns a revoked Proxy: a TypeError naming the fix, the others cancelled, nothing left", async () => {
    const { ok, value } = await settleAio(() =>
      aio.staggeredRace(
        [
          function* (): aio.Coroutine<void> {
            yield* aio.sleep(100);
          },
          bad(() => revoked()),
        ],
        0.1,
      ),
    );
    expect(ok).toBe(false);
    expect((value as Error).message).toMatch(/item 1 \(anonymous\) returned an object that cannot be inspected/);
  });

  it("an iterable that throws a CancelledError whose message getter throws: the race still drains its attempts", async () => {
    class Weird extends aio.CancelledError {
      override get message(): string {
        throw new Error("message getter");
      }
    }
    let ended = false;
    const weird = new Weird();
    const { ok, value } = await settleAio(() =>
      aio.staggeredRace(
        (function* () {
          yield function* (): aio.Coroutine<void> {
            try {
              yield* aio.sleep(100);
            } finally {
              ended = true;
            }
          };
          throw weird;
        })(),
        0.1,
      ),
    );
    expect(ok).toBe(false);
    expect(value).toBe(weird);
    expect(ended).toBe(true);
  });

  it("an infinite generator of functions, with a winner: the rest is never read, and the generator is closed", async () => {
    let read = 0;
    let closed = false;
    const { ok, value } = await settleAio(() =>
      aio.staggeredRace(
        (function* () {
          try {
            for (;;) {
              read++;
              yield function* (): aio.Coroutine<string> {
                yield* aio.sleep(0.25);
                return "won";
              };
            }
          } finally {
            closed = true;
          }
        })(),
        0.1,
      ),
    );
    expect(ok).toBe(true);
    expect((value as unknown[]).slice(0, 2)).toEqual(["won", 0]);
    expect([read, closed]).toEqual([3, true]);
  });

  it("cancelled from outside (timeout) between starts: settles, every attempt cancelled", async () => {
    const log: string[] = [];
    const { ok, value } = await settleAio(function* () {
      try {
        const t = aio.timeout(1.5);
        return yield* t.run(() =>
          aio.staggeredRace(
            [0, 1, 2].map((i) =>
              function* (): aio.Coroutine<void> {
                log.push(`start ${i}`);
                try {
                  yield* aio.sleep(100);
                } finally {
                  log.push(`end ${i}`);
                }
              },
            ),
            1,
          ),
        );
      } catch (error) {
        return error instanceof aio.TimeoutError ? "timed out" : error;
      }
    });
    expect([ok, value]).toEqual([true, "timed out"]);
    expect(log.sort()).toEqual(["end 0", "end 1", "start 0", "start 1"]);
  });
});

// ---- ContextVar.set/reset, Token, Context ---------------------------------------------------

describe("ContextVar tokens, hostile", () => {
  const forgedTokens: [string, () => unknown][] = [
    ["Object.create(Token.prototype)", () => Object.create(Token.prototype)],
    ["a revoked Proxy", () => revoked()],
    ["a Proxy of a Token whose traps throw", () => new Proxy(Object.create(Token.prototype) as object, { get: () => { throw new Error("trap"); } })],
    ["a null-prototype object", () => Object.create(null)],
  ];
  for (const [label, make] of forgedTokens) {
    it(`reset(${label}): a TypeError naming the fix, and the variable keeps its value`, async () => {
      const v = new ContextVar<number>("v");
      const { ok, value } = await settle(function* () {
        v.set(1);
        const error = thrown(() => v.reset(bad(make())));
        return [error, v.get()];
      });
      expect(ok).toBe(true);
      const [error, after] = value as [Error, number];
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^ContextVar\(v\)\.reset\(token\) needs the Token that ContextVar\(v\)\.set\(value\) returned, got /);
      expect(after).toBe(1);
    });
  }

  it("a token from another variable, another task, another run: ValueError each, the value unchanged", async () => {
    const a = new ContextVar<string>("a");
    const b = new ContextVar<string>("b");
    let fromOtherRun: Token<string> | null = null;
    await run(function* () {
      fromOtherRun = a.set("other run");
    });
    const { ok, value } = await settle(function* () {
      a.set("mine");
      const tb = b.set("b");
      let fromChild: Token<string> | null = null;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          fromChild = a.set("child");
        });
      });
      return [thrown(() => a.reset(bad(tb))), thrown(() => a.reset(fromChild!)), thrown(() => a.reset(fromOtherRun!)), a.get()];
    });
    expect(ok).toBe(true);
    const [e1, e2, e3, after] = value as [Error, Error, Error, string];
    for (const e of [e1, e2, e3]) expect(e).toBeInstanceOf(ValueError);
    expect(e1.message).toMatch(/made by ContextVar\(b\)\.set\(\); reset it with that variable/);
    expect(e2.message).toMatch(/made in a different context/);
    expect(e3.message).toMatch(/made in a different context/);
    expect(after).toBe("mine");
  });

  it("a token made in Context.run, reset after that run ended: refused outside, accepted in a later run of the same Context", async () => {
    const v = new ContextVar<number>("v", 0);
    const { ok, value } = await settle(function* () {
      const ctx = copyContext();
      const token = ctx.run(() => v.set(5));
      const outside = thrown(() => v.reset(token));
      ctx.run(() => v.reset(token));
      return [outside, ctx.get(v, "none"), v.get()];
    });
    expect(ok).toBe(true);
    const [outside, inCtx, here] = value as [Error, unknown, number];
    expect(outside).toBeInstanceOf(ValueError);
    expect([inCtx, here]).toEqual(["none", 0]);
  });
});

describe("Context.run, hostile", () => {
  it("a function that re-enters the same Context: RuntimeError, and the Context stays usable", async () => {
    const v = new ContextVar<number>("v");
    const { ok, value } = await settle(function* () {
      const ctx = copyContext();
      const inner = ctx.run(() => {
        v.set(1);
        return thrown(() => ctx.run(() => v.set(2)));
      });
      return [inner, ctx.run(() => v.get()), ctx.get(v)];
    });
    expect(ok).toBe(true);
    const [inner, got, kept] = value as [Error, number, number];
    expect(inner).toBeInstanceOf(RuntimeError);
    expect([got, kept]).toEqual([1, 1]);
  });

  it("a function that throws a revoked Proxy: it goes up as it is, and both contexts are left as they were", async () => {
    const v = new ContextVar<string>("v");
    const proxy = revoked();
    const { ok, value } = await settle(function* () {
      v.set("outside");
      const ctx = copyContext();
      const error = thrown(() =>
        ctx.run(() => {
          v.set("inside");
          throw proxy;
        }),
      );
      // The Context is not left entered, and keeps what was set before the throw (as CPython's does).
      return [error === proxy, v.get(), ctx.run(() => v.get())];
    });
    expect([ok, value]).toEqual([true, [true, "outside", "inside"]]);
  });

  it("a function that starts tasks: they start from the Context's values, and the spawner's are unchanged", async () => {
    const v = new ContextVar<string>("v", "default");
    const seen: string[] = [];
    const { ok } = await settle(function* () {
      yield* openNursery(function* (n) {
        const ctx = copyContext();
        ctx.run(() => {
          v.set("in ctx");
          n.startSoon(function* () {
            yield* checkpoint();
            seen.push(v.get()!);
          });
        });
        seen.push(v.get()!);
      });
    });
    expect(ok).toBe(true);
    expect(seen).toEqual(["default", "in ctx"]);
  });

  it("run() with a non-function: a TypeError naming the fix", () => {
    const error = thrown(() => new Context(null).run(bad(revoked()))) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^Context\.run\(fn, \.\.\.args\) needs a function to call, got an object that cannot be inspected/);
  });
});

// ---- RunVar ---------------------------------------------------------------------------------

describe("RunVar, hostile", () => {
  const forged: [string, () => unknown][] = [
    ["Object.create(RunVarToken.prototype)", () => Object.create(RunVarToken.prototype)],
    ["a revoked Proxy", () => revoked()],
    ["a null-prototype object", () => Object.create(null)],
  ];
  for (const [label, make] of forged) {
    it(`reset(${label}): a TypeError naming the fix, the value unchanged`, async () => {
      const rv = new RunVar<number>("rv");
      const { ok, value } = await settle(function* () {
        rv.set(1);
        return [thrown(() => rv.reset(bad(make()))), rv.get()];
      });
      expect(ok).toBe(true);
      const [error, after] = value as [Error, number];
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^RunVar\(rv\)\.reset\(token\) needs the token that RunVar\(rv\)\.set\(value\) returned, got /);
      expect(after).toBe(1);
    });
  }

  it("two concurrent runs each have their own value, and a token of one is refused in the other", async () => {
    const rv = new RunVar<string>("rv", "default");
    let tokenA: RunVarToken<string> | null = null;
    const gate = { open: false };
    const a = run(function* () {
      tokenA = rv.set("A");
      while (!gate.open) yield* sleep(0.001);
      return rv.get();
    });
    const b = run(function* () {
      while (tokenA === null) yield* sleep(0.001);
      const seen = rv.get();
      const error = thrown(() => rv.reset(tokenA!));
      rv.set("B");
      gate.open = true;
      return [seen, error, rv.get()];
    });
    const [ra, rb] = await within(Promise.all([a, b]));
    expect(ra).toBe("A");
    const [seen, error, mine] = rb as [string, Error, string];
    expect(seen).toBe("default");
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(/made in another run/);
    expect(mine).toBe("B");
  });

  it("after its run ended: get, set and reset raise RuntimeError naming run()", async () => {
    const rv = new RunVar<number>("rv", 0);
    const token = await run(function* () {
      return rv.set(1);
    });
    for (const act of [() => rv.get(), () => rv.set(2), () => rv.reset(token)]) {
      const error = thrown(act) as Error;
      expect(error).toBeInstanceOf(RuntimeError);
      expect(error.message).toMatch(/must be used inside run\(\)/);
    }
  });

  it("new RunVar(a revoked Proxy): a TypeError naming the fix", () => {
    const error = thrown(() => new RunVar(bad(revoked()))) as Error;
    expect(error.message).toMatch(/^new RunVar\(name, defaultValue\?\) needs a string name, got an object that cannot be inspected/);
  });
});

// ---- asyncio createTask(coro, { context }) and getContext ------------------------------------

describe("asyncio Context, hostile", () => {
  it("a Context run that creates a Task: the Task starts from the Context's values; a token it made is refused outside", async () => {
    const v = new ContextVar<string>("v", "default");
    const { ok, value } = await settleAio(function* () {
      const ctx = copyContext();
      let token: Token<string> | null = null;
      const task = ctx.run(() => {
        token = v.set("in ctx");
        return aio.createTask(
          (function* (): aio.Coroutine<string> {
            yield* aio.sleep(0);
            return v.get()!;
          })(),
        );
      });
      const seen = yield* task;
      return [seen, v.get(), thrown(() => v.reset(token!)) instanceof ValueError];
    });
    expect([ok, value]).toEqual([true, ["in ctx", "default", true]]);
  });

  it("a Task's own Context run from outside while the Task waits: set there is seen by its next step", async () => {
    const v = new ContextVar<string>("v", "default");
    const { ok, value } = await settleAio(function* () {
      const gate = new aio.Event();
      const task = aio.createTask(
        (function* (): aio.Coroutine<string> {
          yield* gate.wait();
          return v.get()!;
        })(),
      );
      yield* aio.sleep(0);
      task.getContext().run(() => v.set("from outside"));
      gate.set();
      return yield* task;
    });
    expect([ok, value]).toEqual([true, "from outside"]);
  });

  it("a token made in a Task, reset from another Task: ValueError, the first keeps its value", async () => {
    const v = new ContextVar<number>("v", 0);
    const { ok, value } = await settleAio(function* () {
      let token: Token<number> | null = null;
      const gate = new aio.Event();
      const a = aio.createTask(
        (function* (): aio.Coroutine<number> {
          token = v.set(1);
          yield* gate.wait();
          return v.get()!;
        })(),
      );
      yield* aio.sleep(0);
      const b = aio.createTask(
        (function* (): aio.Coroutine<unknown> {
          return thrown(() => v.reset(token!));
        })(),
      );
      const error = yield* b;
      gate.set();
      return [error instanceof ValueError, yield* a];
    });
    expect([ok, value]).toEqual([true, [true, 1]]);
  });
});

describe("Context, forged", () => {
  for (const [label, make] of [
    ["Object.create(Context.prototype)", () => Object.create(Context.prototype) as unknown],
    ["a Proxy of a Context whose get trap throws", () => new Proxy(copyContext(), { get: () => { throw new Error("trap"); } })],
    ["a revoked Proxy", () => revoked()],
  ] as [string, () => unknown][]) {
    it(`Context.prototype.run on ${label}: a TypeError naming the fix, fn never called`, async () => {
      const v = new ContextVar<number>("v", 0);
      let called = false;
      const { ok, value } = await settle(function* () {
        const error = thrown(() =>
          Context.prototype.run.call(make() as Context, () => {
            called = true;
            v.set(1);
          }),
        ) as Error;
        return [error instanceof TypeError, error.message, v.get()];
      });
      expect(ok).toBe(true);
      const [isType, message, after] = value as [boolean, string, number];
      expect(isType).toBe(true);
      expect(message).toMatch(/^Context\.run\(fn, \.\.\.args\) must be called on a Context from copyContext\(\) or task\.getContext\(\), not on /);
      expect([called, after]).toEqual([false, 0]);
    });
  }
});

describe("transparent Proxies of real tokens and Contexts (what a reactive store hands back) still work", () => {
  it("ContextVar.reset, RunVar.reset and Context.run through a Proxy with no traps", async () => {
    const v = new ContextVar<number>("v", 0);
    const rv = new RunVar<number>("rv", 0);
    const { ok, value } = await settle(function* () {
      v.reset(new Proxy(v.set(1), {}));
      rv.reset(new Proxy(rv.set(1), {}));
      const ctx = new Proxy(copyContext(), {});
      ctx.run(() => v.set(2));
      return [v.get(), rv.get(), ctx.get(v)];
    });
    expect([ok, value]).toEqual([true, [0, 0, 2]]);
  });
});

describe("more corners", () => {
  it("retry with attemptTimeout: an attempt that swallows its deadline's cancellation and returns wins (the deadline only cancels)", async () => {
    let attempts = 0;
    const { ok, value } = await settle(() =>
      retry(function* () {
        attempts++;
        try {
          yield* sleepForever();
        } catch (error) {
          if (!(error instanceof Error)) throw error;
        }
        return "swallowed";
      }, { attemptTimeout: 1 }),
    );
    expect([ok, value, attempts]).toEqual([true, "swallowed", 1]);
  });
});
