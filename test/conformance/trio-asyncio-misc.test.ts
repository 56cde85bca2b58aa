/**
 * The loop's life and the adapters' edges, after Python trio-asyncio's own
 * suite: tests/test_misc.py, tests/test_trio_asyncio.py and
 * tests/test_concurrent.py (semantics only; the code and words are ours).
 * Each test names the upstream test it follows. `open_loop` is `openLoop`,
 * `run_trio_task(fn)` / `loop.trio_as_future(fn)` is `trioAsAio(fn)()` whose
 * Future nobody awaits, `run_aio_future` is `waitFuture`, `trio_asyncio.run`
 * is `asyncioRun` (or a run with an `openLoop` block).
 *
 * Skipped upstream tests:
 * - test_misc.py test_keyboard_interrupt_teardown: no signals or
 *   KeyboardInterrupt in a browser; its rule (a shielded Trio task that
 *   calls aioAsTrio after the loop closed gets RuntimeError) is kept below
 *   with an outer cancellation instead of SIGINT.
 * - test_misc.py test_run_task's `with open_loop()` (a sync with): no sync
 *   form of a block exists.
 * - test_trio_asyncio.py test_executor_limiter_deadlock: thread executors
 *   (ours are workers, tested in test/workers).
 * - test_trio_asyncio.py test_system_exit: no SystemExit in JavaScript.
 * - test_trio_asyncio.py test_asyncgens, its Trio async generator half:
 *   no garbage-collection hooks for generators in JavaScript; the asyncio
 *   half is kept below.
 * - test_trio_asyncio.py test_half_fixtured_asyncpg_conn /
 *   test_fixtured_asyncpg_conn: pytest fixtures; the rule (a loop opened in
 *   one frame serves aioAsTrio calls made under it) is test_no_fixture.
 * - test_concurrent.py test_same_task's event loop policy asserts: no
 *   policies (docs/asyncio.md, difference 4).
 * - test_misc.py test_contextvars's `cvar.set()` inside asyncio code: our
 *   ContextVar is set with `run()`, a Trio operation; asyncio code reads it.
 */
import { describe, expect, it, vi } from "vitest";
import {
  CancelScope,
  Cancelled,
  ContextVar,
  ExceptionGroup,
  RuntimeError,
  currentTime,
  moveOnAfter,
  openNursery,
  sleep as trioSleep,
  sleepForever,
  cancelShieldedCheckpoint,
  type Operation,
  type TaskStatus,
} from "../../src/core/index.js";
import { Event as TrioEvent } from "../../src/sync/index.js";
import {
  aioAsTrio,
  aioIterAsTrio,
  asyncioRun,
  currentLoop,
  openLoop,
  trioAsAio,
  waitFuture,
  type AioAsyncIterator,
  type TrioFuture,
} from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { autojumpClock, expectNoLeftovers, inLoop, runKeep } from "../bridge/helpers.js";

const { CancelledError } = asyncio;

async function inRun<T>(main: () => Operation<T>): Promise<T> {
  const kept = await runKeep(main);
  expectNoLeftovers(kept.runner);
  if (!kept.ok) throw kept.value;
  return kept.value as T;
}

function* useAsyncio(): Operation<void> {
  yield* aioAsTrio(asyncio.sleep)(0, undefined);
}

describe("errors and nesting, after trio-asyncio's test_misc", () => {
  // test_close_no_stop
  it("close() from a callback of the running loop raises RuntimeError there, and the loop goes on", async () => {
    const r = await inLoop(function* (loop) {
      const triggered = new TrioEvent();
      let err: unknown = null;
      loop.callSoon(() => {
        try {
          loop.close();
        } catch (e) {
          err = e;
        }
        triggered.set();
      });
      yield* triggered.wait();
      yield* useAsyncio();
      return { err, closed: loop.isClosed() };
    });
    expect(r.err).toBeInstanceOf(RuntimeError);
    expect(r.closed).toBe(false);
  });

  // test_too_many_stops
  it("stop() with nobody in runForever() does not hang the block's exit", async () => {
    const r = await inRun(function* () {
      return yield* moveOnAfter(1, function* () {
        yield* openLoop(function* (loop) {
          yield* cancelShieldedCheckpoint();
          loop.stop();
        });
        return currentTime();
      });
    });
    expect(r).toBe(0);
  });

  // test_err1
  it("an asyncio error raised at once reaches the Trio caller", async () => {
    function* raiseErr(): asyncio.Coroutine<never> {
      throw new RuntimeError("raised in the asyncio callback");
    }
    const err = await inLoop(function* () {
      try {
        yield* aioAsTrio(raiseErr)();
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe("raised in the asyncio callback");
  });

  // test_err3
  it("a Trio error raised at once reaches the asyncio caller, which can catch it", async () => {
    let owch = 0;
    function* nest(): Operation<never> {
      owch = 1;
      throw new RuntimeError("Hello");
    }
    function* callNested(): asyncio.Coroutine<string> {
      try {
        yield* trioAsAio(nest)();
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    }
    expect(await inLoop(() => aioAsTrio(callNested)())).toBe("Hello");
    expect(owch).toBe(1);
  });

  // test_run
  it("Trio code called from asyncio code called from Trio runs to its end", async () => {
    let owch = 0;
    function* nest(): Operation<void> {
      yield* trioSleep(0.01);
      owch = 1;
    }
    function* callNested(): asyncio.Coroutine<void> {
      yield* trioAsAio(nest)();
    }
    await inLoop(() => aioAsTrio(callNested)());
    expect(owch).toBe(1);
  });

  // test_run2 (trio_asyncio.run)
  it("asyncioRun: the main coroutine can call Trio code", async () => {
    let owch = 0;
    function* nest(): Operation<void> {
      yield* trioSleep(0.01);
      owch = 1;
    }
    function* main(): asyncio.Coroutine<string> {
      yield* trioAsAio(nest)();
      return "done";
    }
    expect(await asyncioRun(main(), { clock: autojumpClock() })).toBe("done");
    expect(owch).toBe(1);
  });

  // test_err2
  it("an asyncio error crosses Trio, then asyncio, then reaches the outer asyncio caller", async () => {
    let owch = 0;
    function* nest(): asyncio.Coroutine<never> {
      owch = 1;
      throw new RuntimeError("Hello");
    }
    function* callNested(): Operation<void> {
      yield* aioAsTrio(nest)();
    }
    function* callMoreNested(): asyncio.Coroutine<string> {
      try {
        yield* trioAsAio(callNested)();
        return "no error";
      } catch (e) {
        return e instanceof RuntimeError ? e.message : "wrong error";
      }
    }
    expect(await inLoop(() => aioAsTrio(callMoreNested)())).toBe("Hello");
    expect(owch).toBe(1);
  });

  // test_run3
  it("asyncio → Trio → asyncio nesting runs the innermost coroutine", async () => {
    let owch = 0;
    function* nest(): asyncio.Coroutine<void> {
      owch = 1;
    }
    function* callNested(): Operation<void> {
      yield* aioAsTrio(nest)();
    }
    function* callMoreNested(): asyncio.Coroutine<void> {
      yield* trioAsAio(callNested)();
    }
    await inLoop(() => aioAsTrio(callMoreNested)());
    expect(owch).toBe(1);
  });

  // test_cancel_sleep
  it("a cancelled callLater handle never runs", async () => {
    let owch = 0;
    const r = await inLoop(function* (loop) {
      function* cancelSleep(): asyncio.Coroutine<void> {
        const h = loop.callLater(0.2, () => {
          owch = 1;
        });
        yield* asyncio.sleep(0.01);
        h.cancel();
        yield* asyncio.sleep(0.3);
      }
      yield* aioAsTrio(cancelSleep)();
      return loop.time();
    });
    expect(r).toBeCloseTo(0.31);
    expect(owch).toBe(0);
  });

  // test_run_task
  it("trioAsAio outside a loop is a RuntimeError; a fire-and-forget Trio task started in the block runs", async () => {
    let owch = 0;
    function* nest(x: number): Operation<void> {
      owch += x;
    }
    const r = await inRun(function* () {
      let outside: unknown = null;
      try {
        trioAsAio(nest)(100);
      } catch (e) {
        outside = e;
      }
      yield* openLoop(function* () {
        trioAsAio(nest)(1);
      });
      yield* trioSleep(0.05);
      return outside;
    });
    expect(r).toBeInstanceOf(RuntimeError);
    expect(owch).toBe(1);
  });
});

describe("calls from the wrong place, after trio-asyncio's test_misc test_run_task", () => {
  it("trioAsAio from a plain loop callback starts the Trio task on that loop", async () => {
    function* two(): Operation<number> {
      yield* trioSleep(0.5);
      return 2;
    }
    const r = await inLoop(function* (loop) {
      const f = loop.createFuture<number>();
      loop.callSoon(() => {
        const tf = trioAsAio(two)();
        tf.addDoneCallback(() => f.setResult(tf.result()));
      });
      return [yield* waitFuture(f), loop.time()];
    });
    expect(r).toEqual([2, 0.5]);
  });

  it("Trio operations (aioAsTrio, waitFuture, openLoop) used inside asyncio code raise a RuntimeError naming the asyncio task (aioAsTrio: and to call the coroutine function directly)", async () => {
    function* inner(): asyncio.Coroutine<number> {
      return 1;
    }
    const r = await inLoop(function* (loop) {
      const done = loop.createFuture<number>();
      done.setResult(3);
      const attempts: [string, () => Operation<unknown>][] = [
        ["aioAsTrio", () => aioAsTrio(inner)()],
        ["waitFuture", () => waitFuture(done)],
        ["openLoop", () => openLoop(function* () {})],
      ];
      const out: string[] = [];
      for (const [name, op] of attempts) {
        function* misplaced(): asyncio.Coroutine<string> {
          try {
            yield* op() as unknown as asyncio.Coroutine<unknown>;
            return "no error";
          } catch (e) {
            const expected = name === "aioAsTrio" ? /^aioAsTrio\(inner\)\(\) is for Trio code, but it was used from the asyncio task .*misplaced.*yield\* inner\(\.\.\.args\)/ : new RegExp(`^${name}\\(\\) is a Trio operation.*misplaced`);
            return e instanceof RuntimeError && expected.test(e.message) ? "ok" : String(e);
          }
        }
        out.push(yield* aioAsTrio(misplaced)());
      }
      return out;
    });
    expect(r).toEqual(["ok", "ok", "ok"]);
  });

  it("a Task awaiting a pending Future of another loop gets RuntimeError", async () => {
    const r = await inLoop(function* (loop) {
      const pending = loop.createFuture<number>();
      return yield* openLoop(function* () {
        function* crossLoop(): asyncio.Coroutine<unknown> {
          try {
            return yield* pending;
          } catch (e) {
            return e;
          }
        }
        return yield* aioAsTrio(crossLoop)();
      });
    });
    expect(r).toBeInstanceOf(RuntimeError);
    expect(String(r)).toContain("different loop");
  });
});

describe("the loop and the tasks around it, after trio-asyncio's test_misc", () => {
  // test_wrong_context_manager_order
  it("a Trio task of an outer nursery, started inside the block, can still call asyncio code while the block exits", async () => {
    const log: string[] = [];
    function* workInAsyncio(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
    }
    const r = await runKeep(function* () {
      const takeDown = new TrioEvent();
      function* runner(status: TaskStatus<void>): Operation<void> {
        yield* aioAsTrio(workInAsyncio)();
        try {
          status.started();
          yield* takeDown.wait();
        } finally {
          try {
            yield* aioAsTrio(workInAsyncio)();
            log.push("finally ran asyncio code");
          } catch (e) {
            log.push(`finally: ${(e as Error).constructor.name}`);
          }
        }
      }
      yield* openNursery(function* (nursery) {
        yield* openLoop(function* () {
          yield* nursery.start(runner);
          takeDown.set();
        });
      });
    });
    expect(log).toEqual(["finally ran asyncio code"]);
    expect(r.ok).toBe(true);
    expectNoLeftovers(r.runner);
  });

  // test_keyboard_interrupt_teardown, with an outer cancellation for SIGINT
  it("a shielded Trio task that calls aioAsTrio after its loop has closed gets RuntimeError", async () => {
    let late: unknown = null;
    const r = await runKeep(function* () {
      const loopClosed = new TrioEvent();
      function* noMatterWhat(status: TaskStatus<void>): Operation<void> {
        yield* useAsyncio();
        try {
          yield* new CancelScope({ shield: true }).run(function* () {
            status.started();
            yield* loopClosed.wait();
          });
        } finally {
          try {
            yield* useAsyncio();
          } catch (e) {
            late = e;
          }
        }
      }
      yield* openNursery(function* (nursery) {
        yield* nursery.start(function* (status: TaskStatus<void>) {
          try {
            yield* openLoop(function* () {
              yield* nursery.start(noMatterWhat);
              status.started();
              yield* sleepForever();
            });
          } finally {
            loopClosed.set();
          }
        });
        nursery.cancelScope.cancel();
      });
    });
    expect(r.ok).toBe(true);
    expect(late).toBeInstanceOf(RuntimeError);
    expectNoLeftovers(r.runner);
  });

  for (const throwAnother of [false, true]) {
    // test_cancel_loop (regression test for upstream #76)
    it(`cancelling the block ends a fire-and-forget Trio task's Future ${throwAnother ? "with the task's own error" : "cancelled"}, never with Cancelled`, async () => {
      function* trioTask(): Operation<void> {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(sleepForever);
          try {
            yield* sleepForever();
          } catch (e) {
            if (throwAnother && e instanceof Cancelled) throw new asyncio.ValueError("hi");
            throw e;
          }
        });
      }
      let fut: TrioFuture<void> | null = null;
      let caught = false;
      const r = await runKeep(function* () {
        const scope = new CancelScope();
        yield* scope.run(function* () {
          yield* openLoop(function* (loop) {
            fut = trioAsAio(trioTask)();
            // The test reads the Future's outcome itself, so the loop does not report it.
            fut.addDoneCallback((f) => void (f.cancelled() || f.exception()));
            void loop;
            yield* waitAllTasksBlocked();
            scope.cancel();
            yield* sleepForever();
          });
        });
        caught = scope.cancelledCaught;
      });
      if (!r.ok) throw r.value;
      expect(caught).toBe(true);
      const f = fut! as TrioFuture<void>;
      expect(f.done()).toBe(true);
      if (throwAnother) {
        // The Trio task raised a group of ValueError and Cancelled; the Future gets the group without Cancelled.
        const exc = f.exception();
        expect(exc).toBeInstanceOf(ExceptionGroup);
        expect((exc as ExceptionGroup).exceptions).toHaveLength(1);
        expect((exc as ExceptionGroup).exceptions[0]).toBeInstanceOf(asyncio.ValueError);
      } else {
        expect(f.cancelled()).toBe(true);
      }
      expectNoLeftovers(r.runner);
    });
  }

  // test_trio_as_fut_throws_after_cancelled
  it("a cancelled trioAsAio Future whose Trio task raises while unwinding gets that error", async () => {
    const err = await inLoop(function* () {
      function* trioTask(): Operation<void> {
        try {
          yield* sleepForever();
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new asyncio.ValueError("hi");
        }
      }
      const fut = trioAsAio(trioTask)();
      yield* waitAllTasksBlocked();
      fut.cancel();
      try {
        yield* waitFuture(fut);
        return null;
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(asyncio.ValueError);
  });

  // test_run_trio_task_errors: cancelling the handle before and after the task started
  it("cancelling a fire-and-forget Trio task's Future, before or after it started, ends it quietly", async () => {
    let startedOnce = false;
    function* waits(): Operation<void> {
      startedOnce = true;
      yield* sleepForever();
    }
    const r = await inLoop(function* () {
      const a = trioAsAio(waits)();
      a.cancel();
      const b = trioAsAio(waits)();
      yield* waitAllTasksBlocked();
      b.cancel();
      yield* waitAllTasksBlocked();
      return [a.cancelled(), b.cancelled()];
    });
    expect(r).toEqual([true, true]);
    expect(startedOnce).toBe(true);
  });

  // test_run_trio_task_errors: errors of fire-and-forget Trio tasks go to the exception handler
  it("the error of a fire-and-forget Trio task goes to the exception handler (a group as a group)", async () => {
    const seen: unknown[] = [];
    function* raiseIt(exc: Error): Operation<never> {
      throw exc;
    }
    async function raiseInLoop(exc: Error): Promise<void> {
      await inLoop(function* (loop) {
        loop.setExceptionHandler((_l, context) => {
          seen.push(context.exception ?? new RuntimeError(context.message));
        });
        trioAsAio(raiseIt)(exc);
      });
    }
    const hi = new asyncio.ValueError("hi");
    const group = new ExceptionGroup("", [new TypeError("k"), new RangeError("i")]);
    await raiseInLoop(hi);
    await raiseInLoop(group);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(hi);
    expect(seen[1]).toBe(group);
  });

  // test_contextvars
  it("context values cross both ways and a value set in Trio code does not leak back into asyncio code", async () => {
    const cvar = new ContextVar<string>("test_cvar");
    const seen: (string | undefined)[] = [];
    function* fudgeInTrio(): Operation<void> {
      seen.push(cvar.get());
      yield* cvar.run("inner", function* () {
        yield* trioSleep(0);
        seen.push(cvar.get());
      });
    }
    function* fudgeInAio(): asyncio.Coroutine<void> {
      seen.push(cvar.get());
      yield* trioAsAio(fudgeInTrio)();
      seen.push(cvar.get());
    }
    const after = await inLoop(() =>
      cvar.run("outer", function* () {
        yield* aioAsTrio(fudgeInAio)();
        return cvar.get();
      }),
    );
    expect(seen).toEqual(["outer", "outer", "inner", "outer"]);
    expect(after).toBe("outer");
  });
});

describe("the loop's lifetime, after trio-asyncio's test_trio_asyncio", () => {
  // test_no_fixture
  it("asyncio code runs under openLoop", async () => {
    expect(await inLoop(useAsyncio)).toBeUndefined();
  });

  // test_get_running_loop (docs/asyncio.md, difference 20)
  it("Trio code in the block finds the loop with currentLoop(); getRunningLoop() there is a RuntimeError", async () => {
    const r = await inLoop(function* (loop) {
      let err: unknown = null;
      try {
        asyncio.getRunningLoop();
      } catch (e) {
        err = e;
      }
      return { same: currentLoop() === loop, err };
    });
    expect(r.same).toBe(true);
    expect(r.err).toBeInstanceOf(RuntimeError);
  });

  // test_exception_after_closed
  it("callExceptionHandler with a message after the block has ended is logged, not raised", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const loop = await inLoop(function* (l) {
        return l;
      });
      loop.callExceptionHandler({ message: "Test exception after loop closed" });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain("Test exception after loop closed");
    } finally {
      warn.mockRestore();
    }
  });

  // test_tasks_get_cancelled
  it("at exit, tasks and Trio tasks started by cleanup are cancelled and waited for too (asyncio code still runs there)", async () => {
    const record = new Set<string>();
    const tasks: asyncio.Future<void>[] = [];
    function* trioSleeper(key: string): Operation<void> {
      try {
        yield* sleepForever();
      } finally {
        yield* cancelShieldedCheckpoint();
        record.add(key);
      }
    }
    function* aioSleeper(key: string): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
        record.add("expired");
      } finally {
        try {
          // still on the loop: a real asyncio wait
          yield* asyncio.sleep(0);
        } finally {
          record.add(key);
          if (key.includes("early")) {
            tasks.push(asyncio.ensureFuture(aioSleeper("aio late")));
            trioAsAio(trioSleeper)("trio late");
          }
        }
      }
    }
    const r = await inRun(function* () {
      yield* openLoop(function* () {
        tasks.push(asyncio.ensureFuture(aioSleeper("aio early"), { loop: currentLoop() }));
        trioAsAio(trioSleeper)("trio early");
        // Let "aio early" take its first step: a Task cancelled before it (as asyncio.run's
        // shutdown would) never runs its body, so its finally would not run either.
        yield* waitAllTasksBlocked();
      });
      return currentTime();
    });
    expect(r).toBe(0);
    // Upstream abandons "aio late" pending (asyncio.run's one round); here a later round cancels it
    // (docs/asyncio.md, difference 4).
    expect(record).toEqual(new Set(["aio early", "trio early", "trio late", "aio late"]));
    expect(tasks.map((t) => t.done())).toEqual([true, true]);
  });

  // test_cancel_loop
  it("a block waiting forever is cancelled by an outer deadline", async () => {
    const r = await inRun(function* () {
      let outer: CancelScope | null = null;
      yield* moveOnAfter(1, function* (scope) {
        outer = scope;
        yield* openLoop(function* () {
          yield* sleepForever();
        });
      });
      return [currentTime(), outer!.cancelledCaught];
    });
    expect(r).toEqual([1, true]);
  });

  for (const shield of [false, true]) {
    for (const bodyRaises of [false, true]) {
      // test_cancel_loop_with_tasks[shield, body_raises]
      it(`an outer deadline with asyncio → Trio calls in flight (Trio side shielded: ${shield}, body raises: ${bodyRaises})`, async () => {
        const record: unknown[] = [];
        const clock = autojumpClock();
        let caught: boolean | null = null;
        const kept = await runKeep(function* () {
          let outer: CancelScope | null = null;
          try {
            yield* moveOnAfter(1.25, function* (scope) {
              outer = scope;
              yield* openLoop(function* () {
                function* trioTask(): Operation<void> {
                  try {
                    yield* new CancelScope({ shield }).run(() => trioSleep(1));
                  } finally {
                    record.push("trio_task done at", currentTime());
                  }
                }
                function* aioTask(): asyncio.Coroutine<void> {
                  yield* asyncio.sleep(1);
                  try {
                    yield* trioAsAio(trioTask)();
                    if (!shield) record.push("asyncio saw no cancellation");
                  } catch (e) {
                    if (e instanceof Cancelled) record.push("asyncio saw Trio's Cancelled");
                    else if (!(e instanceof CancelledError) || shield) record.push(`asyncio saw ${String(e)}`);
                    throw e;
                  } finally {
                    record.push("aio_task done");
                  }
                }
                try {
                  yield* openNursery(function* (nursery) {
                    nursery.cancelScope.shield = true;
                    nursery.startSoon(function* () {
                      yield* trioSleep(1.5);
                      nursery.cancelScope.shield = false;
                    });
                    nursery.startSoon(aioAsTrio(aioTask));
                    if (bodyRaises) {
                      try {
                        yield* sleepForever();
                      } finally {
                        // eslint-disable-next-line no-unsafe-finally
                        throw new asyncio.ValueError("hi");
                      }
                    }
                  });
                } finally {
                  record.push("toplevel done");
                }
              });
            });
          } finally {
            caught = outer!.cancelledCaught;
          }
          return currentTime();
        }, clock);
        const end = clock.currentTime();
        expect(record).toEqual(["trio_task done at", end, "aio_task done", "toplevel done"]);
        expect(end).toBe(1.5 + (shield ? 0.5 : 0));
        if (bodyRaises) {
          expect(kept.ok).toBe(false);
          const [hi, rest] = (kept.value as ExceptionGroup).split(asyncio.ValueError);
          expect(hi).toBeDefined();
          expect(rest).toBeUndefined();
        } else {
          expect(kept.ok).toBe(true);
          expect(caught).toBe(!shield);
        }
        expectNoLeftovers(kept.runner);
      });
    }
  }

  for (const loopTimeout of [0, 1, 20]) {
    for (const slowFinalizer of [false, true]) {
      // test_asyncgens[alive_on_exit=True], asyncio half, two loops nested
      it(`asyncio iterators left started are finalized at their loop's exit (outer timeout ${loopTimeout}, slow finalizer: ${slowFinalizer})`, async () => {
        const record = new Set<string>();
        function agen(label: string): AioAsyncIterator<number> {
          let loop: asyncio.EventLoop | null = null;
          return {
            *next(): asyncio.Coroutine<IteratorResult<number, unknown>> {
              loop = asyncio.getRunningLoop();
              return { done: false, value: 1 };
            },
            *return(): asyncio.Coroutine<unknown> {
              if (asyncio.getRunningLoop() !== loop) record.add(`${label}: wrong loop`);
              try {
                yield* asyncio.sleep(slowFinalizer ? 5 : 0);
              } catch (e) {
                if (!(e instanceof CancelledError)) throw e;
              }
              record.add(label);
              return undefined;
            },
          };
        }
        const clock = autojumpClock();
        let outer: CancelScope | null = null;
        const kept = await runKeep(function* () {
          yield* moveOnAfter(loopTimeout, function* (scope) {
            outer = scope;
            if (loopTimeout === 0) scope.cancel();
            yield* openLoop(function* () {
                yield* openLoop(function* () {
                  yield* new CancelScope({ shield: true }).run(function* () {
                    const r1 = aioIterAsTrio(agen("asyncio2"));
                    yield* r1.receive();
                  });
                });
                yield* new CancelScope({ shield: true }).run(function* () {
                  yield* aioIterAsTrio(agen("asyncio")).receive();
                });
              });
          });
        }, clock);
        expect(kept.ok).toBe(true);
        expect(record).toEqual(new Set(["asyncio", "asyncio2"]));
        // Upstream: a finalizer takes the outer cancellation (min(timeout, 10) seconds).
        // Here the loop's shutdown is shielded and runs each finalizer to its end
        // (docs/asyncio.md, difference 4): 5 s per loop when slow, whatever the timeout.
        expect(clock.currentTime()).toBe(slowFinalizer ? 10 : 0);
        // Nor does the outer scope catch a Cancelled: nothing after the deadline waits unshielded.
        expect(outer!.cancelledCaught).toBe(false);
        expectNoLeftovers(kept.runner);
      });
    }
  }
});

describe("several loops, after trio-asyncio's test_concurrent", () => {
  // test_parallel
  it("two blocks started by sibling tasks have two loops", async () => {
    const loops: asyncio.EventLoop[] = [];
    await inRun(function* () {
      yield* openNursery(function* (n) {
        function* genLoop(i: number, status: TaskStatus<void>): Operation<void> {
          status.started();
          yield* openLoop(function* (loop) {
            loops[i] = loop;
            yield* useAsyncio();
          });
        }
        yield* n.start(genLoop, 0);
        yield* n.start(genLoop, 1);
      });
    });
    expect(loops).toHaveLength(2);
    expect(loops[0]).toBeInstanceOf(asyncio.EventLoop);
    expect(loops[0]).not.toBe(loops[1]);
  });

  // test_nested
  it("a block started from inside another block has its own loop; outside both there is none", async () => {
    const loops: asyncio.EventLoop[] = [];
    const seen: boolean[] = [];
    await inRun(function* () {
      yield* openNursery(function* (n) {
        function* genLoop(i: number, status: TaskStatus<void>): Operation<void> {
          status.started();
          yield* openLoop(function* (loop) {
            loops[i] = loop;
            seen.push(currentLoop() === loop);
            if (i > 0) yield* n.start(genLoop, i - 1);
          });
        }
        yield* n.start(genLoop, 1);
      });
      let none: unknown = null;
      try {
        currentLoop();
      } catch (e) {
        none = e;
      }
      seen.push(none instanceof RuntimeError);
    });
    expect(loops[0]).not.toBe(loops[1]);
    expect(seen).toEqual([true, true, true]);
  });

  // test_same_task
  it("two loops opened in the same task each run their callbacks as the running loop", async () => {
    const got: boolean[] = [];
    await inRun(function* () {
      yield* openLoop(function* (loop1) {
        yield* openLoop(function* (loop2) {
          loop1.callLater(0.1, () => got.push(asyncio.getRunningLoop() === loop1));
          loop2.callLater(0.1, () => got.push(asyncio.getRunningLoop() === loop2));
          yield* trioSleep(0.2);
          got.push(currentLoop() === loop2);
        });
        got.push(currentLoop() === loop1);
      });
    });
    expect(got).toEqual([true, true, true, true]);
  });
});

// test_sync.py test_explicit_mainloop: run_until_complete twice on one loop
describe("one loop, several entry points, after trio-asyncio's test_sync", () => {
  it("AsyncioRunner runs two coroutines on one loop, then closes it", async () => {
    const { AsyncioRunner } = await import("../../src/bridge/index.js");
    function* foo(): asyncio.Coroutine<string> {
      return "bar";
    }
    function* bar(): asyncio.Coroutine<string> {
      return "baz";
    }
    const runner = new AsyncioRunner({ clock: autojumpClock() });
    expect(await runner.run(foo())).toBe("bar");
    const loop = await runner.getLoop();
    expect(await runner.run(bar())).toBe("baz");
    expect(await runner.getLoop()).toBe(loop);
    await runner.close();
    expect(loop.isClosed()).toBe(true);
  });
});

