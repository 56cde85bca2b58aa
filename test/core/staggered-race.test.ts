/**
 * The Trio-flavoured staggeredRace: staggered starts a delay apart (or at
 * once after a failure), the first to return wins, the others are
 * cancelled, and nothing is left running or timed on any path.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, currentRun, currentTime, moveOnAfter, sleep, sleepForever, staggeredRace, type Operation } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { TestEvent, rejection, runMock } from "./helpers.js";

class Boom extends Error {}

/** An attempt that logs when it starts and ends, and returns `value` after `seconds` (or raises `error`). */
function attempt<T>(log: string[], name: string, seconds: number, value: T, error?: unknown): () => Operation<T> {
  return function* () {
    log.push(`${name} start ${currentTime()}`);
    try {
      yield* sleep(seconds);
    } catch (e) {
      log.push(`${name} cancelled ${currentTime()}`);
      throw e;
    }
    if (error !== undefined) throw error;
    return value;
  };
}

/** The run's pending deadlines and timers once `body` has returned (the race must leave none). */
function* withoutLeftovers<T>(body: () => Operation<T>): Operation<{ value: T; deadlines: number; hostTimer: boolean }> {
  const value = yield* body();
  const { deadlines, hostTimer } = leftovers(currentRun());
  return { value, deadlines, hostTimer };
}

describe("staggeredRace (Trio flavour)", () => {
  it("an empty list: no winner, no errors", async () => {
    expect(await runMock(() => staggeredRace([], 1))).toEqual([null, null, []]);
  });

  it("the first to succeed wins; the later ones are never started", async () => {
    const log: string[] = [];
    const r = await runMock(() => staggeredRace([attempt(log, "a", 1, "A"), attempt(log, "b", 1, "B")], null));
    expect(r).toEqual(["A", 0, [null]]);
    expect(log).toEqual(["a start 0"]);
  });

  it("a failure starts the next at once, without waiting for the delay", async () => {
    const log: string[] = [];
    const boom = new Boom();
    const r = await runMock(function* () {
      return [yield* staggeredRace([attempt(log, "a", 1, "A", boom), attempt(log, "b", 1, "B")], 100), currentTime()] as const;
    });
    expect(r).toEqual([["B", 1, [boom, null]], 2]);
    expect(log).toEqual(["a start 0", "b start 1"]);
  });

  it("after the delay the next starts too, and the slow one loses (cancelled)", async () => {
    const log: string[] = [];
    const { value, deadlines, hostTimer } = await runMock(() => withoutLeftovers(() => staggeredRace([attempt(log, "a", 10, "A"), attempt(log, "b", 0.5, "B")], 0.25)));
    expect(value[0]).toBe("B");
    expect(value[1]).toBe(1);
    expect(value[2][0]).toBeInstanceOf(Cancelled);
    expect(value[2][1]).toBeNull();
    expect(log).toEqual(["a start 0", "b start 0.25", "a cancelled 0.75"]);
    expect({ deadlines, hostTimer }).toEqual({ deadlines: 0, hostTimer: false });
  });

  it("only the newest attempt's failure starts the next: an older one failing later does not", async () => {
    const log: string[] = [];
    const boom = new Boom();
    const r = await runMock(() => staggeredRace([attempt(log, "a", 1.5, "A", boom), attempt(log, "b", 100, "B"), attempt(log, "c", 1, "C")], 1));
    expect(r[0]).toBe("C");
    expect(r[2][0]).toBe(boom);
    // a failed at 1.5, while b (started at 1) ran: c waited for b's delay, until 2.
    expect(log).toEqual(["a start 0", "b start 1", "c start 2", "b cancelled 3"]);
  });

  it("all failing: index and result are null, errors in order", async () => {
    const e0 = new Boom("0");
    const e1 = new Boom("1");
    const log: string[] = [];
    const r = await runMock(() => staggeredRace([attempt(log, "a", 1, 0, e0), attempt(log, "b", 3, 0, e1)], 2));
    expect(r).toEqual([null, null, [e0, e1]]);
    // b started at 1, when a failed; it did not wait for the 2-second delay.
    expect(log).toEqual(["a start 0", "b start 1"]);
  });

  it("an attempt that throws before its first step is a failure like any other", async () => {
    const boom = new Boom();
    const r = await runMock(function* () {
      const result = yield* staggeredRace<string>(
        [
          () => {
            throw boom;
          },
          function* () {
            return `started at ${currentTime()}`;
          },
        ],
        5,
      );
      return result;
    });
    expect(r).toEqual(["started at 0", 1, [boom, null]]);
  });

  it("a delay of 0 starts all in order before any runs; the first to return wins", async () => {
    const log: string[] = [];
    const r = await runMock(() => staggeredRace([attempt(log, "a", 3, "A"), attempt(log, "b", 2, "B"), attempt(log, "c", 1, "C")], 0));
    expect(r[0]).toBe("C");
    expect(r[1]).toBe(2);
    expect(log).toEqual(["a start 0", "b start 0", "c start 0", "a cancelled 1", "b cancelled 1"]);
  });

  it("two finishing in the same batch: the first wins, the late one's result is dropped (entry null)", async () => {
    const event = new TestEvent();
    const r = await runMock(() =>
      staggeredRace(
        [
          function* () {
            yield* event.wait();
            return 0;
          },
          function* () {
            yield* event.wait();
            return 1;
          },
          function* (): Operation<number> {
            event.set();
            return yield* sleepForever();
          },
        ],
        0.1,
      ),
    );
    expect(r[0]).toBe(0);
    expect(r[1]).toBe(0);
    expect(r[2][1]).toBeNull();
    expect(r[2][2]).toBeInstanceOf(Cancelled);
  });

  it("cancelled from outside: every attempt is cancelled, none starts after, and nothing is left", async () => {
    const log: string[] = [];
    const pulled: number[] = [];
    function* fns(): Generator<() => Operation<string>> {
      for (let i = 0; ; i++) {
        pulled.push(i);
        yield attempt(log, `#${i}`, 100, "never");
      }
    }
    const r = await runMock(() => withoutLeftovers(() => moveOnAfter(1.2, () => staggeredRace(fns(), 0.5))));
    expect(r).toEqual({ value: undefined, deadlines: 0, hostTimer: false });
    expect(pulled).toEqual([0, 1, 2]);
    expect(log).toEqual(["#0 start 0", "#1 start 0.5", "#2 start 1", "#0 cancelled 1.2", "#1 cancelled 1.2", "#2 cancelled 1.2"]);
  });

  it("reads a generator lazily and closes it once a winner is found", async () => {
    let closed = false;
    let pulled = 0;
    function* fns(): Generator<() => Operation<number>> {
      try {
        for (let i = 0; ; i++) {
          pulled++;
          yield function* () {
            if (i < 2) throw new Boom(String(i));
            return i;
          };
        }
      } finally {
        closed = true;
      }
    }
    const r = await runMock(() => staggeredRace(fns(), null));
    expect(r[0]).toBe(2);
    expect(r[2]).toHaveLength(3);
    expect({ pulled, closed }).toEqual({ pulled: 3, closed: true });
  });

  it("a loser that raises something else when cancelled: recorded as its error, and the winner still wins", async () => {
    const cleanup = new Boom("cleanup failed");
    const r = await runMock(() =>
      staggeredRace<string>(
        [
          function* () {
            try {
              yield* sleep(10);
            } catch {
              throw cleanup;
            }
            return "slow";
          },
          function* () {
            yield* sleep(1);
            return "fast";
          },
        ],
        0.5,
      ),
    );
    expect(r).toEqual(["fast", 1, [cleanup, null]]);
  });

  it("an error from the iterable itself: the started attempts are cancelled, then it is raised as is", async () => {
    const log: string[] = [];
    const broken = new Boom("iterable broke");
    function* fns(): Generator<() => Operation<string>> {
      yield attempt(log, "a", 10, "A");
      throw broken;
    }
    const e = await rejection(runMock(() => staggeredRace(fns(), 1)));
    expect(e).toBe(broken);
    expect(log).toEqual(["a start 0", "a cancelled 1"]);
  });

  it("an attempt that returns a Promise is a bug: TypeError out of the race, the others cancelled", async () => {
    const log: string[] = [];
    const e = await rejection(
      runMock(() =>
        staggeredRace<string>(
          [attempt(log, "a", 10, "A"), (() => Promise.resolve("B")) as unknown as () => Operation<string>],
          1,
        ),
      ),
    );
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/attempt 1 \(anonymous\) returned a Promise, not a generator.*yield\* waitPromise\(p\)/);
    expect(log).toEqual(["a start 0", "a cancelled 1"]);
  });

  it("a non-function met while reading a generator: TypeError out of the race, the started ones cancelled", async () => {
    const log: string[] = [];
    function* fns(): Generator<unknown> {
      yield attempt(log, "a", 10, "A");
      yield 42;
    }
    const e = await rejection(runMock(() => staggeredRace(fns() as Iterable<() => Operation<string>>, 1)));
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/attempt 1 is number 42, not a generator function/);
    expect(log).toEqual(["a start 0", "a cancelled 1"]);
  });

  it("an array is checked whole before anything starts", async () => {
    const log: string[] = [];
    const asyncFn = async () => "B";
    const e = await rejection(runMock(() => staggeredRace([attempt(log, "a", 10, "A"), asyncFn as unknown as () => Operation<string>], 1)));
    expect((e as Error).message).toMatch(/attempt 1 got an async function \(asyncFn\)/);
    expect(log).toEqual([]);
  });
});
