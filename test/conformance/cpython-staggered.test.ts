/**
 * staggeredRace() rules taken from CPython's
 * Lib/test/test_asyncio/test_staggered.py and the staggered_race docs
 * (semantics only; the code and words are ours). Each test names the
 * CPython test it follows; the ones after them cover the edge cases the
 * docs and the implementation define (a function that raises before its
 * coroutine exists, an attempt cancelled from outside, the race cancelled
 * from outside, lazy iterables, nothing left behind).
 */
import { describe, expect, it } from "vitest";
import { CancelledError, Event, TimeoutError, allTasks, eagerTaskFactory, currentTask, sleep, staggeredRace, timeout, type Coroutine } from "../../src/asyncio/index.js";
import { raises, runAio, sleepValue } from "../asyncio/helpers.js";

class ValueFailure extends Error {}

function* coro(index: number): Coroutine<string> {
  yield* sleep(0);
  return `Res: ${index}`;
}

describe("staggeredRace(), after CPython's test_staggered", () => {
  // test_empty
  it("an empty list: no winner, no exceptions", async () => {
    expect(await runAio(() => staggeredRace([], null))).toEqual([null, null, []]);
  });

  // test_one_successful
  it("the first succeeds: the second never starts", async () => {
    const started: number[] = [];
    const r = await runAio(() =>
      staggeredRace(
        [0, 1].map((i) => () => {
          started.push(i);
          return coro(i);
        }),
        null,
      ),
    );
    expect(r).toEqual(["Res: 0", 0, [null]]);
    expect(started).toEqual([0]);
  });

  // test_first_error_second_successful
  it("the first fails: the second starts and wins", async () => {
    const r = await runAio(() =>
      staggeredRace(
        [0, 1].map((i) =>
          function* () {
            if (i === 0) throw new ValueFailure(String(i));
            return yield* coro(i);
          },
        ),
        null,
      ),
    );
    expect(r[0]).toBe("Res: 1");
    expect(r[1]).toBe(1);
    expect(r[2]).toHaveLength(2);
    expect(r[2][0]).toBeInstanceOf(ValueFailure);
    expect(r[2][1]).toBeNull();
  });

  // test_first_timeout_second_successful
  it("the first outlasts the delay: the second starts, wins, and the first is cancelled", async () => {
    const r = await runAio(function* (loop) {
      const t0 = loop.time();
      const result = yield* staggeredRace(
        [0, 1].map((i) =>
          function* () {
            if (i === 0) yield* sleep(10); // much longer than the delay
            return `Res: ${i} at ${loop.time() - t0}`;
          },
        ),
        0.1,
      );
      return result;
    });
    expect(r[0]).toBe("Res: 1 at 0.1");
    expect(r[1]).toBe(1);
    expect(r[2]).toHaveLength(2);
    expect(r[2][0]).toBeInstanceOf(CancelledError);
    expect(r[2][1]).toBeNull();
  });

  // test_none_successful
  it("all fail: winner and index are null, one exception per attempt", async () => {
    const r = await runAio(() =>
      staggeredRace(
        [0, 1].map((i) =>
          function* (): Coroutine<string> {
            throw new ValueFailure(String(i));
          },
        ),
        null,
      ),
    );
    expect(r[0]).toBeNull();
    expect(r[1]).toBeNull();
    expect(r[2]).toHaveLength(2);
    expect(r[2][0]).toBeInstanceOf(ValueFailure);
    expect(r[2][1]).toBeInstanceOf(ValueFailure);
  });

  // test_multiple_winners
  it("two woken by the same event: the first wins, the second is cancelled before it can return", async () => {
    const r = await runAio(function* () {
      const event = new Event();
      function* waiter(index: number): Coroutine<number> {
        yield* event.wait();
        return index;
      }
      function* doSet(): Coroutine<number> {
        event.set();
        yield* new Event().wait();
        return -1;
      }
      return yield* staggeredRace([() => waiter(0), () => waiter(1), doSet], 0.1);
    });
    expect(r[0]).toBe(0);
    expect(r[1]).toBe(0);
    expect(r[2]).toHaveLength(3);
    expect(r[2][0]).toBeNull();
    expect(r[2][1]).toBeInstanceOf(CancelledError);
    expect(r[2][2]).toBeInstanceOf(CancelledError);
  });

  // test_cancelled
  it("cancelled from outside (twice, by two timeouts): each cancellation reaches the attempt, and the race raises", async () => {
    const log: string[] = [];
    const e = await runAio(function* () {
      return yield* raises(() =>
        timeout(null).run(function* (outer) {
          yield* timeout(null).run(function* (inner) {
            function* coroFn(): Coroutine<void> {
              inner.reschedule(-1);
              yield* sleep(0);
              try {
                yield* sleep(0);
              } catch (error) {
                if (error instanceof CancelledError) log.push("cancelled 1");
              }
              outer.reschedule(-1);
              yield* sleep(0);
              try {
                yield* sleep(0);
              } catch (error) {
                if (error instanceof CancelledError) log.push("cancelled 2");
              }
            }
            try {
              yield* staggeredRace([coroFn], null);
            } catch (error) {
              if (error instanceof CancelledError) log.push("cancelled 3");
              throw error;
            }
          });
        }),
      );
    });
    expect(e).toBeInstanceOf(TimeoutError);
    expect(log).toEqual(["cancelled 1", "cancelled 2", "cancelled 3"]);
  });
});

describe("staggeredRace(): the edge cases its docs define", () => {
  it("a function that raises before making its coroutine is a failed attempt; the next starts at once", async () => {
    const boom = new ValueFailure("sync");
    const r = await runAio(function* (loop) {
      const t0 = loop.time();
      return yield* staggeredRace<string>(
        [
          () => {
            throw boom;
          },
          () => sleepValue(1, `started at ${loop.time() - t0}`),
        ],
        5,
      );
    });
    expect(r).toEqual(["started at 0", 1, [boom, null]]);
  });

  it("only the newest attempt's failure starts the next: an older one failing later does not", async () => {
    const r = await runAio(function* (loop) {
      const t0 = loop.time();
      return yield* staggeredRace<string>(
        [
          function* () {
            yield* sleep(1.5);
            throw new ValueFailure("a");
          },
          () => sleepValue(100, "b"),
          () => sleepValue(1, `c started at ${loop.time() - t0}`),
        ],
        1,
      );
    });
    // a failed at 1.5, while b (started at 1) ran: c waited for b's delay, until 2.
    expect(r[0]).toBe("c started at 2");
    expect(r[2][0]).toBeInstanceOf(ValueFailure);
    expect(r[2][1]).toBeInstanceOf(CancelledError);
  });

  it("an attempt cancelled from outside counts as failed: its CancelledError is recorded and the next starts at once", async () => {
    const r = await runAio(function* (loop) {
      const t0 = loop.time();
      return yield* staggeredRace<string>(
        [
          function* () {
            currentTask()!.cancel("from outside");
            yield* sleep(100);
            return "never";
          },
          () => sleepValue(1, `b at ${loop.time() - t0}`),
        ],
        10,
      );
    });
    expect(r[0]).toBe("b at 0");
    expect(r[2][0]).toBeInstanceOf(CancelledError);
    expect((r[2][0] as Error).message).toBe("from outside");
  });

  it("the race cancelled from outside cancels every attempt with its message, waits for them, starts no more, and leaves no task or timer", async () => {
    const log: string[] = [];
    const pulled: number[] = [];
    const r = await runAio(function* (loop) {
      function* fns(): Generator<() => Coroutine<string>> {
        for (let i = 0; ; i++) {
          pulled.push(i);
          yield function* () {
            try {
              return yield* sleepValue(100, "never");
            } catch (error) {
              log.push(`${i}: ${(error as Error).message} at ${loop.time()}`);
              yield* sleep(1); // cleanup takes a while; the race waits for it
              log.push(`${i}: cleaned up at ${loop.time()}`);
              throw error;
            }
          };
        }
      }
      const race = loop.createTask(staggeredRace(fns(), 0.5));
      yield* sleep(1.2);
      race.cancel("enough");
      const e = yield* raises(() => race[Symbol.iterator]());
      return { e, at: loop.time(), tasks: allTasks().size, timers: loop.pending.timers };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(pulled).toEqual([0, 1, 2]);
    expect(log).toEqual(["0: enough at 1.2", "1: enough at 1.2", "2: enough at 1.2", "0: cleaned up at 2.2", "1: cleaned up at 2.2", "2: cleaned up at 2.2"]);
    expect({ at: r.at, tasks: r.tasks, timers: r.timers }).toEqual({ at: 2.2, tasks: 1, timers: 0 });
  });

  it("a winner leaves no task or timer behind, and closes a lazy iterable it stopped reading", async () => {
    let closed = false;
    const r = await runAio(function* (loop) {
      function* fns(): Generator<() => Coroutine<number>> {
        try {
          for (let i = 0; ; i++) yield () => sleepValue(10 - i * 3, i);
        } finally {
          closed = true;
        }
      }
      const result = yield* staggeredRace(fns(), 1);
      return { result, at: loop.time(), tasks: allTasks().size, timers: loop.pending.timers };
    });
    // 0 ends at 10, 1 at 1 + 7 = 8, 2 at 2 + 4 = 6, 3 at 3 + 1 = 4: 3 wins at 4.
    expect(r.result[0]).toBe(3);
    expect(r.result[1]).toBe(3);
    expect(r.result[2].slice(0, 3).every((e) => e instanceof CancelledError)).toBe(true);
    expect(r.result[2]).toHaveLength(5); // the fifth started at 4, the moment 3 won
    expect({ at: r.at, tasks: r.tasks, timers: r.timers, closed }).toEqual({ at: 4, tasks: 1, timers: 0, closed: true });
  });

  it("an attempt cancelled by the winner before its first step still has its CancelledError recorded", async () => {
    const r = await runAio(() => staggeredRace([() => sleepValue(0.1, "a"), () => sleepValue(0, "b")], 0.1));
    // At 0.1 the race starts b, then a wins in the same loop iteration, before b has run a step.
    expect(r[0]).toBe("a");
    expect(r[2]).toHaveLength(2);
    expect(r[2][0]).toBeNull();
    expect(r[2][1]).toBeInstanceOf(CancelledError);
  });

  // test_eager_task_factory's test_staggered_race_with_eager_tasks (gh-124309)
  it("with eager tasks: attempts that fail or win at their first step, while another is blocked", async () => {
    const r = await runAio(function* (loop) {
      loop.setTaskFactory(eagerTaskFactory);
      const t0 = loop.time();
      const result = yield* staggeredRace<string>(
        [
          function* () {
            yield* loop.createFuture<void>(); // blocked until cancelled
            return "never";
          },
          function* () {
            throw new ValueFailure("no good");
          },
          () => sleepValue(0, `won at ${loop.time() - t0}`),
        ],
        0.25,
      );
      return { result, tasks: allTasks().size };
    });
    expect(r.result[0]).toBe("won at 0.25");
    expect(r.result[1]).toBe(2);
    expect(r.result[2][0]).toBeInstanceOf(CancelledError);
    expect(r.result[2][1]).toBeInstanceOf(ValueFailure);
    expect(r.tasks).toBe(1);
  });

  it("a loser that raises something else when cancelled: recorded as its error, and the winner still wins", async () => {
    const cleanup = new ValueFailure("cleanup failed");
    const r = await runAio(() =>
      staggeredRace<string>(
        [
          function* () {
            try {
              return yield* sleepValue(10, "slow");
            } catch {
              throw cleanup;
            }
          },
          () => sleepValue(1, "fast"),
        ],
        0.5,
      ),
    );
    expect(r).toEqual(["fast", 1, [cleanup, null]]);
  });

  it("an error from the iterable itself: the started attempts are cancelled and waited for, then it is raised as is", async () => {
    const log: string[] = [];
    const broken = new ValueFailure("iterable broke");
    const e = await runAio(function* () {
      function* fns(): Generator<() => Coroutine<string>> {
        yield function* () {
          try {
            return yield* sleepValue(10, "a");
          } finally {
            log.push("a done");
          }
        };
        throw broken;
      }
      return yield* raises(() => staggeredRace(fns(), 1));
    });
    expect(e).toBe(broken);
    expect(log).toEqual(["a done"]);
  });

  it("a function may return a Promise or a Future", async () => {
    const r = await runAio(function* (loop) {
      const f = loop.createFuture<string>();
      loop.callLater(0.5, () => f.setResult("future"));
      return yield* staggeredRace<string>([() => new Promise<string>(() => {}), () => f], 0.1);
    });
    expect(r[0]).toBe("future");
    expect(r[1]).toBe(1);
  });

  it("a function that returns no awaitable is a bug: TypeError out of the race, after the others are cancelled and done", async () => {
    const log: string[] = [];
    const e = await runAio(function* () {
      return yield* raises(() =>
        staggeredRace<string>(
          [
            function* () {
              try {
                return yield* sleepValue(10, "a");
              } finally {
                log.push("a done");
              }
            },
            (() => 42) as unknown as () => Coroutine<string>,
          ],
          1,
        ),
      );
    });
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/item 1 \(anonymous\) returned number 42, not a coroutine, Future or Promise/);
    expect(log).toEqual(["a done"]);
  });
});
