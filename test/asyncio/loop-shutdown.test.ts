/**
 * openLoop's shutdown, where work keeps arriving while the loop closes.
 *
 * A loop lives exactly as long as its block: on exit its asyncio tasks are
 * cancelled and awaited. Tasks created during that shutdown (from another
 * task's finally, from a callback, from a Trio task started by trioAsAio)
 * are cancelled too, round after round until none is left, so the block
 * never waits forever. Cleanup that creates a task and awaits it still
 * completes: each task is cancelled once, as asyncio.run cancels each task
 * once. Once the loop has stopped running callbacks, scheduling on it
 * raises a clear RuntimeError: work is run or refused, never dropped.
 */
import { describe, expect, it } from "vitest";
import { RuntimeError, checkpoint, openNursery, runWith, sleep as trioSleep, sleepForever, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { aioAsTrio, aioIterAsTrio, openLoop, trioAsAio, type AioAsyncIterator } from "../../src/bridge/index.js";
import { Event } from "../../src/sync/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { Coroutine, EventLoop } from "../../src/asyncio/index.js";
import { expectNoLeftovers, runKeep, runLoop } from "../bridge/helpers.js";

/** Fails the test if `p` has not settled within `ms` of real time (a hang, not a slow test). */
function settlesWithin<T>(p: Promise<T>, ms = 2000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms: something hangs`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Creates a task that would sleep forever; records it, so the test can check how it ended. */
function spawnForever(loop: EventLoop, made: asyncio.Task<void>[]): void {
  // A Future nobody completes, not a long sleep: the MockClock would jump over a sleep.
  made.push(loop.createTask(loop.createFuture<void>()[Symbol.iterator]()));
}

function outcome(tasks: asyncio.Task<void>[]): string[] {
  return tasks.map((t) => (t.cancelled() ? "cancelled" : t.done() ? "finished" : "pending"));
}

describe("tasks created while the loop shuts down", () => {
  it("a task created in another task's finally is cancelled too", async () => {
    const log: string[] = [];
    const made: asyncio.Task<void>[] = [];
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        function* parent(): Coroutine<void> {
          try {
            yield* asyncio.sleep(1e9);
          } finally {
            spawnForever(loop, made);
            log.push("parent cleanup");
          }
        }
        loop.createTask(parent());
        yield* trioSleep(1);
        return "body done";
      }),
    );
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("body done");
    expect(log).toEqual(["parent cleanup"]);
    expect(outcome(made)).toEqual(["cancelled"]);
    expectNoLeftovers(kept.runner);
  });

  it("a chain of finally blocks each creating the next task ends, every task cancelled", async () => {
    const log: string[] = [];
    function* link(loop: EventLoop, n: number): Coroutine<void> {
      try {
        yield* loop.createFuture<void>();
      } finally {
        log.push(`link ${n} cancelled`);
        if (n < 5) loop.createTask(link(loop, n + 1));
      }
    }
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        loop.createTask(link(loop, 1));
        yield* trioSleep(1);
      }),
    );
    expect(kept.ok).toBe(true);
    expect(log).toEqual([1, 2, 3, 4, 5].map((n) => `link ${n} cancelled`));
    expectNoLeftovers(kept.runner);
  });

  it("a task created by a callback queued during shutdown is cancelled", async () => {
    const made: asyncio.Task<void>[] = [];
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        function* parent(): Coroutine<void> {
          try {
            yield* asyncio.sleep(1e9);
          } finally {
            loop.callSoon(() => spawnForever(loop, made));
          }
        }
        loop.createTask(parent());
        yield* trioSleep(1);
      }),
    );
    expect(kept.ok).toBe(true);
    expect(outcome(made)).toEqual(["cancelled"]);
    expectNoLeftovers(kept.runner);
  });

  it("an asyncio task created by a trioAsAio task's cleanup is cancelled", async () => {
    const made: asyncio.Task<void>[] = [];
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        function* trioSide(): Operation<void> {
          try {
            yield* sleepForever();
          } finally {
            spawnForever(loop, made);
          }
        }
        function* starter(): Coroutine<void> {
          trioAsAio(trioSide)(); // fire and forget
          yield* asyncio.sleep(0);
        }
        yield* aioAsTrio(starter)();
        yield* trioSleep(1);
      }),
    );
    expect(kept.ok).toBe(true);
    expect(outcome(made)).toEqual(["cancelled"]);
    expectNoLeftovers(kept.runner);
  });

  it("cleanup that creates a task and awaits it still completes: each task is cancelled once", async () => {
    const log: string[] = [];
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        function* closeConnection(): Coroutine<string> {
          yield* asyncio.sleep(2);
          return "closed";
        }
        function* user(): Coroutine<void> {
          try {
            yield* asyncio.sleep(1e9);
          } finally {
            const result = yield* loop.createTask(closeConnection());
            log.push(result);
          }
        }
        loop.createTask(user());
        yield* trioSleep(1);
      }),
    );
    expect(kept.ok).toBe(true);
    expect(log).toEqual(["closed"]);
    expect(kept.clock.currentTime()).toBe(3);
    expectNoLeftovers(kept.runner);
  });

  it("an async iterator's finalizer that an eager task factory finishes at once does not hold the block open", async () => {
    const log: string[] = [];
    const iterator: AioAsyncIterator<number> = {
      *next(): Coroutine<IteratorResult<number, unknown>> {
        yield* asyncio.sleep(0);
        return { done: false, value: 1 };
      },
      *return(): Coroutine<unknown> {
        log.push("finalized");
        return undefined;
      },
    };
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        loop.setTaskFactory((l, coro, options) => new asyncio.Task(coro, { ...options, loop: l, eagerStart: true }));
        yield* aioIterAsTrio(iterator).receive();
      }),
    );
    expect(kept.ok).toBe(true);
    expect(log).toEqual(["finalized"]);
    expectNoLeftovers(kept.runner);
  });
});

describe("scheduling on a loop that has stopped running callbacks", () => {
  it("every callSoon accepted during the shutdown runs; after that, callSoon is refused with a RuntimeError", async () => {
    const counts = { accepted: 0, ran: 0, refused: 0 };
    let refusal: unknown = null;
    const kept = await settlesWithin(
      runKeep(function* () {
        let loop: EventLoop | null = null;
        const shuttingDown = new Event();
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            yield* openLoop(function* (l) {
              loop = l;
              function* slowCleanup(): Coroutine<void> {
                try {
                  yield* asyncio.sleep(1e9);
                } finally {
                  shuttingDown.set();
                  for (let i = 0; i < 3; i++) yield* asyncio.sleep(0);
                }
              }
              l.createTask(slowCleanup());
              yield* trioSleep(1);
            });
          });
          // A Trio task beside the block keeps scheduling on its loop, one
          // callback per checkpoint, through the whole shutdown.
          nursery.startSoon(function* () {
            // (Busy only from then on: a busy run would stop the MockClock's autojump.)
            yield* shuttingDown.wait();
            const l: EventLoop = loop!;
            for (;;) {
              try {
                l.callSoon(() => counts.ran++);
                counts.accepted++;
              } catch (error) {
                counts.refused++;
                refusal = error;
                return;
              }
              yield* checkpoint();
            }
          });
        });
      }),
    );
    expect(kept.ok).toBe(true);
    expect(counts.refused).toBe(1);
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.ran).toBe(counts.accepted);
    expect(refusal).toBeInstanceOf(RuntimeError);
    expect(String(refusal)).toMatch(/callSoon\(\) on a closed event loop: its openLoop\(\.\.\.\) block has ended/);
    expectNoLeftovers(kept.runner);
  });

  it("a callback that schedules itself again forever: the shutdown's drain refuses it after a bound, and the run settles with that error", async () => {
    let ticks = 0;
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        yield* aioAsTrio(function* () {
          const tick = (): void => {
            ticks++;
            loop.callSoon(tick);
          };
          loop.callSoon(tick);
          // Not a timed sleep: the ticking loop is never idle, so the MockClock never jumps.
          for (let i = 0; i < 3; i++) yield* asyncio.sleep(0);
        })();
      }),
    );
    expect(kept.ok).toBe(false);
    const leaves = (kept.value as { leaves(): unknown[] }).leaves();
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toBeInstanceOf(RuntimeError);
    expect(String(leaves[0])).toMatch(/callSoon\(\) refused: the loop is closing, and its callbacks kept scheduling new callbacks through 1000 iterations of its shutdown/);
    expect(ticks).toBeLessThan(1e6);
    expectNoLeftovers(kept.runner);
  });

  it("a task started by a drained callback that loops on sleep(0) forever is cancelled by a round after the bound, and the block ends", async () => {
    const made: asyncio.Task<void>[] = [];
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        yield* aioAsTrio(function* () {
          function* spinForever(): Coroutine<void> {
            for (;;) yield* asyncio.sleep(0);
          }
          function* first(): Coroutine<void> {
            try {
              yield* asyncio.sleep(1e9);
            } finally {
              // Runs in the shutdown's drain, whose queue the new task then never lets empty.
              loop.callSoon(() => made.push(loop.createTask(spinForever())));
            }
          }
          loop.createTask(first());
          yield* asyncio.sleep(0);
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    expect(outcome(made)).toEqual(["cancelled"]);
    expectNoLeftovers(kept.runner);
  });

  it("a done callback that makes the next Future and listens to it, forever: createFuture is refused after the bound, and the run settles", async () => {
    const reported: unknown[] = [];
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        loop.setExceptionHandler((_, context) => reported.push(context.exception));
        yield* aioAsTrio(function* () {
          const step = (): void => {
            const f = loop.createFuture();
            f.addDoneCallback(step);
            f.setResult(1);
          };
          step();
          for (let i = 0; i < 3; i++) yield* asyncio.sleep(0);
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    expect(reported).toHaveLength(1);
    expect(String(reported[0])).toMatch(/createFuture\(\) refused: the loop is closing/);
    expectNoLeftovers(kept.runner);
  });

  it("a task started in the drain that keeps waiting on Futures it completes by callSoon: past the bound a round cancels it before callbacks are refused", async () => {
    const made: asyncio.Task<void>[] = [];
    const reported: unknown[] = [];
    let mainDone = false;
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        loop.setExceptionHandler((_, context) => reported.push(context.exception));
        yield* aioAsTrio(function* () {
          function* pingForever(): Coroutine<void> {
            for (;;) {
              const f = loop.createFuture<void>();
              loop.callSoon(() => f.setResult());
              yield* f;
            }
          }
          // Ticks forever; once the block's body has returned (the shutdown has begun), it starts the task, once.
          const tick = (): void => {
            if (mainDone && made.length === 0) made.push(loop.createTask(pingForever()));
            loop.callSoon(tick);
          };
          loop.callSoon(tick);
          yield* asyncio.sleep(0);
        })();
        mainDone = true;
      }),
    );
    expect(kept.ok).toBe(true);
    expect(outcome(made)).toEqual(["cancelled"]);
    // Only the tick's own refusal, once the task had gone.
    expect(reported).toHaveLength(1);
    expect(String(reported[0])).toMatch(/callSoon\(\) refused: the loop is closing/);
    expectNoLeftovers(kept.runner);
  });

  it("the same with a custom exception handler: it gets the refusal, and the block ends without an error", async () => {
    const reported: unknown[] = [];
    const kept = await settlesWithin(
      runLoop(function* (loop) {
        loop.setExceptionHandler((_, context) => reported.push(context.exception));
        yield* aioAsTrio(function* () {
          const tick = (): void => {
            loop.callSoon(tick);
          };
          loop.callSoon(tick);
          yield* asyncio.sleep(0);
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    expect(reported).toHaveLength(1);
    expect(String(reported[0])).toMatch(/callSoon\(\) refused: the loop is closing/);
    expectNoLeftovers(kept.runner);
  });

  it("the drain's bound counts per drain: a round of tasks of more than 1000 iterations between two drains does not make the next drain refuse a short chain of callbacks", async () => {
    // A tiny time slice, so the host hands back after a few callbacks and the bound is looked at mid-chain.
    const reported: unknown[] = [];
    const chain: number[] = [];
    let loop: EventLoop | null = null;
    let mainDone = false;
    const done = runWith({ clock: new MockClock({ autojumpThreshold: 0 }), timeSlice: 1e-9 }, function* () {
      yield* openLoop(function* (l) {
        loop = l;
        l.setExceptionHandler((_, context) => reported.push(context.exception));
        const tick = (n: number): void => {
          chain.push(n);
          if (n > 0) l.callSoon(tick, n - 1);
        };
        function* longCleanup(): Coroutine<void> {
          try {
            yield* asyncio.sleep(1e9);
          } finally {
            // More iterations than the bound, in a round of the shutdown (not a drain): the count must start again after it.
            for (let i = 0; i < 1500; i++) yield* asyncio.sleep(0);
            // Runs in the next drain.
            l.callSoon(tick, 20);
          }
        }
        // Ticks until the block's body has returned, then 200 more (the host hands back every few, so the shutdown's
        // first drain has begun by then), then starts a task, which hands the drain back to a round.
        let after = 200;
        const wait = (): void => {
          if (mainDone && after-- === 0) l.createTask(longCleanup());
          else l.callSoon(wait);
        };
        yield* aioAsTrio(function* () {
          l.callSoon(wait);
          yield* asyncio.sleep(0);
        })();
        mainDone = true;
      });
    });
    await settlesWithin(done, 20_000);
    expect(reported).toEqual([]);
    expect(chain).toEqual(Array.from({ length: 21 }, (_, i) => 20 - i));
    expect(loop!.statistics.iterations).toBeGreaterThan(1500);
  });

  it("createTask, createFuture, callLater and callAt are refused the same way once the loop stops", async () => {
    let loop: EventLoop | null = null;
    const kept = await settlesWithin(runLoop(function* (l) {
      loop = l;
    }));
    expect(kept.ok).toBe(true);
    const l = loop!;
    expect(l.isRunning()).toBe(false);
    expect(() => l.createTask((function* (): Coroutine<void> {})())).toThrow(RuntimeError);
    expect(() => l.createFuture()).toThrow(/createFuture\(\)/);
    expect(() => l.callLater(1, () => {})).toThrow(/callAt\(\)|callLater\(\)/);
    expect(() => l.callAt(1, () => {})).toThrow(RuntimeError);
  });
});
