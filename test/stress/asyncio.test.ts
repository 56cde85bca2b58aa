/**
 * Stress: an asyncio loop with a hundred thousand `callSoon` callbacks and
 * ten thousand timers, and many asyncio Tasks, on an autojumping MockClock.
 *
 * The checks are asyncio's ordering rules, exactly: callbacks run once each
 * in FIFO order; timers run once each in (when, scheduling order) order, never
 * before their time; a cancelled handle never runs. When the openLoop block
 * ends, the loop is closed and has no ready callbacks, no timers and no
 * tasks, and the run has nothing left (see helpers.ts).
 */
import { describe, expect, it } from "vitest";
import { aioAsTrio, asyncio, inspector, moveOnAfter, openLoop, openNursery, sleep, trioAsAio, type Operation, type TrioFuture } from "../../src/index.js";
import { activeHostTimers, expectAllOnce, expectClean, prng, runKeep, scaled } from "./helpers.js";

const SOON = scaled(100_000);
const TIMERS = scaled(10_000);
const TASKS = scaled(10_000);

describe(`an asyncio loop with ${SOON} callSoon and ${TIMERS} timers`, () => {
  it("callSoon: every callback once, in FIFO order, including ones scheduled by callbacks", async () => {
    const ran = new Uint8Array(SOON * 2);
    const order: number[] = [];
    let loopRef: asyncio.EventLoop | null = null;
    const timers = activeHostTimers();
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<number> {
        loopRef = loop;
        const cb = (i: number) => {
          ran[i]!++;
          order.push(i);
          // Every callback schedules a follow-up: it must run after every callback queued before it.
          if (i < SOON) loop.callSoon(cb, SOON + i);
        };
        for (let i = 0; i < SOON; i++) loop.callSoon(cb, i);
        yield* aioAsTrio(function* () {
          // Two iterations of the loop later, every first-generation callback has run.
          yield* asyncio.sleep(0);
          yield* asyncio.sleep(0);
        })();
        return loop.statistics.callbacksRun;
      }),
    );
    expect(kept.ok).toBe(true);
    expectAllOnce("callback", ran);
    expect(order.length).toBe(SOON * 2);
    for (let i = 0; i < order.length; i++) if (order[i] !== i) expect({ at: i, got: order[i] }).toEqual({ at: i, got: i });
    expect(loopRef!.isClosed()).toBe(true);
    expect(loopRef!.pending).toEqual({ ready: 0, timers: 0 });
    expect(inspector.inspect().loops.filter((l) => l.id === loopRef!.id)).toEqual([]);
    expectClean(kept.runner, timers);
  });

  it("timers: every live timer once, never early, in (when, scheduling) order; cancelled ones never", async () => {
    const random = prng(3);
    const delays = Array.from({ length: TIMERS }, () => Math.floor(random() * 2000) / 100);
    const cancelled = new Set<number>();
    const ran = new Uint8Array(TIMERS);
    const firedAt = new Float64Array(TIMERS);
    const order: number[] = [];
    let start = 0;
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        start = loop.time();
        const handles: asyncio.TimerHandle[] = [];
        for (let i = 0; i < TIMERS; i++) {
          handles.push(
            loop.callLater(delays[i]!, (k: number) => {
              ran[k]!++;
              firedAt[k] = loop.time();
              order.push(k);
            }, i),
          );
        }
        for (let i = 0; i < TIMERS; i += 10) {
          handles[i]!.cancel();
          cancelled.add(i);
        }
        yield* aioAsTrio(function* () {
          yield* asyncio.sleep(21);
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    const live: number[] = [];
    for (let i = 0; i < TIMERS; i++) {
      if (cancelled.has(i)) {
        expect(ran[i]).toBe(0);
      } else {
        live.push(i);
        expect(ran[i]).toBe(1);
        if (firedAt[i]! < start + delays[i]!) expect({ i, firedAt: firedAt[i] }).toEqual({ i, firedAt: start + delays[i]! });
      }
    }
    const expected = live.sort((a, b) => delays[a]! - delays[b]! || a - b);
    expect(order).toEqual(expected);
    expectClean(kept.runner);
  });

  it("timers still pending when the block ends are dropped, not run and not left armed", async () => {
    let ran = 0;
    let loopRef: asyncio.EventLoop | null = null;
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        loopRef = loop;
        for (let i = 0; i < TIMERS; i++) loop.callLater(1000 + i, () => ran++);
        yield* aioAsTrio(function* () {
          yield* asyncio.sleep(1);
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    expect(ran).toBe(0);
    expect(loopRef!.isClosed()).toBe(true);
    expectClean(kept.runner);
  });

  it(`${TASKS} asyncio Tasks: each result once, each finally once, the loop's task set empty`, async () => {
    const finallies = new Uint8Array(TASKS);
    const kept = await runKeep(() =>
      openLoop(function* (): Operation<number[]> {
        return yield* aioAsTrio(function* (): asyncio.Coroutine<number[]> {
          const tasks: asyncio.Task<number>[] = [];
          for (let i = 0; i < TASKS; i++) {
            tasks.push(
              asyncio.createTask(
                (function* (): asyncio.Coroutine<number> {
                  try {
                    yield* asyncio.sleep((i % 50) / 10);
                    return i;
                  } finally {
                    finallies[i]!++;
                  }
                })(),
              ),
            );
          }
          return yield* asyncio.gather(...tasks);
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    expect(kept.value).toEqual(Array.from({ length: TASKS }, (_, i) => i));
    expectAllOnce("finally", finallies);
    expectClean(kept.runner);
  });

  it(`${TASKS} bridge calls each way (aioAsTrio from Trio tasks, trioAsAio from asyncio), half cancelled`, async () => {
    const half = Math.floor(TASKS / 2);
    const aioDone = new Uint8Array(half);
    const aioFinally = new Uint8Array(half);
    const trioDone = new Uint8Array(half);
    const trioFinally = new Uint8Array(half);
    const kept = await runKeep(() =>
      openLoop(function* (): Operation<number> {
        let sum = 0;
        yield* openNursery(function* (n) {
          for (let i = 0; i < half; i++) {
            n.startSoon(function* () {
              // Odd ones are cancelled from Trio while the asyncio side sleeps.
              yield* moveOnAfter(i % 2 === 1 ? 0.5 : 100, function* () {
                const one = yield* aioAsTrio(function* (): asyncio.Coroutine<number> {
                  try {
                    yield* asyncio.sleep(1 + (i % 7) / 10);
                    aioDone[i]!++;
                    return 1;
                  } finally {
                    aioFinally[i]!++;
                  }
                })();
                sum += one;
              });
            });
          }
          n.startSoon(function* () {
            const fromAio = yield* aioAsTrio(function* (): asyncio.Coroutine<number> {
              const futures: TrioFuture<number>[] = [];
              for (let i = 0; i < half; i++) {
                futures.push(
                  trioAsAio(function* (): Operation<number> {
                    try {
                      yield* sleep(1 + (i % 5) / 10);
                      trioDone[i]!++;
                      return 1;
                    } finally {
                      trioFinally[i]!++;
                    }
                  })(),
                );
              }
              yield* asyncio.sleep(0.5);
              for (let i = 1; i < half; i += 2) futures[i]!.cancel(); // asyncio cancels the odd Trio tasks
              const results = yield* asyncio.gather(...futures, { returnExceptions: true });
              return results.filter((r) => r === 1).length;
            })();
            sum += fromAio;
          });
        });
        return sum;
      }),
    );
    expect(kept.ok).toBe(true);
    const evens = Math.ceil(half / 2);
    expect(kept.value).toBe(evens * 2);
    for (let i = 0; i < half; i++) {
      const expected = i % 2 === 0 ? 1 : 0;
      if (aioDone[i] !== expected || trioDone[i] !== expected) expect({ i, aio: aioDone[i], trio: trioDone[i] }).toEqual({ i, aio: expected, trio: expected });
    }
    expectAllOnce("asyncio finally", aioFinally);
    expectAllOnce("Trio finally", trioFinally);
    expectClean(kept.runner);
  });

  it(`${TASKS} asyncio Tasks still running when the block ends are cancelled and awaited`, async () => {
    const finallies = new Uint8Array(TASKS);
    const sawCancel = new Uint8Array(TASKS);
    let loopRef: asyncio.EventLoop | null = null;
    const kept = await runKeep(() =>
      openLoop(function* (loop): Operation<void> {
        loopRef = loop;
        for (let i = 0; i < TASKS; i++) {
          loop.createTask(
            (function* (): asyncio.Coroutine<void> {
              try {
                yield* asyncio.sleep(1e6);
              } catch (error) {
                if (error instanceof asyncio.CancelledError) sawCancel[i]!++;
                throw error;
              } finally {
                finallies[i]!++;
              }
            })(),
          );
        }
        yield* aioAsTrio(function* () {
          yield* asyncio.sleep(1);
        })();
      }),
    );
    expect(kept.ok).toBe(true);
    expectAllOnce("CancelledError seen", sawCancel);
    expectAllOnce("finally", finallies);
    expect(loopRef!.allTasks()).toEqual([]);
    expectClean(kept.runner);
  });
});
