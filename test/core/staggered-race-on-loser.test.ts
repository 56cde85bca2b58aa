/**
 * staggeredRace's `onLoser`: every result an attempt returned that the race
 * does not return is handed to it, exactly once, never the one returned,
 * before the race returns or raises; cancelled from outside, the would-be
 * winner's result is dropped too; an onLoser that throws is raised, not lost.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, CancelScope, currentTime, moveOnAfter, sleep, sleepForever, staggeredRace, type Operation } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { TestEvent, leaves, rejection, runKeep, runMock } from "./helpers.js";

/** A stand-in for a socket: it knows whether it was closed. */
class Socket {
  closed = false;
  constructor(readonly name: string) {}
}

/** An attempt that waits for `event`, then "connects". */
function onEvent(event: TestEvent, socket: Socket): () => Operation<Socket> {
  return function* () {
    yield* event.wait();
    return socket;
  };
}

/** An attempt that connects after `seconds`, and, if cancelled, still returns its socket (a connect that could not be stopped in time). */
function stubborn(seconds: number, socket: Socket, log: string[]): () => Operation<Socket> {
  return function* () {
    try {
      yield* sleep(seconds);
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
      log.push(`${socket.name} swallowed its cancellation at ${currentTime()}`);
      // Returns at the next step, after the cancellation was delivered.
    }
    return socket;
  };
}

describe("staggeredRace onLoser", () => {
  it("two attempts returning in the same batch: the second's result goes to onLoser, once, before the race returns", async () => {
    const event = new TestEvent();
    const [a, b] = [new Socket("a"), new Socket("b")];
    const log: string[] = [];
    const r = await runMock(function* () {
      const result = yield* staggeredRace(
        [
          onEvent(event, a),
          onEvent(event, b),
          function* (): Operation<Socket> {
            event.set();
            return yield* sleepForever();
          },
        ],
        0.1,
        {
          onLoser: (socket, index) => {
            log.push(`onLoser ${socket.name} ${index}`);
            socket.closed = true;
          },
        },
      );
      log.push("race returned");
      return result;
    });
    expect(r[0]).toBe(a);
    expect(r[1]).toBe(0);
    expect(r[2][1]).toBeNull(); // the dropped one's entry stays null
    expect(log).toEqual(["onLoser b 1", "race returned"]);
    expect([a.closed, b.closed]).toEqual([false, true]);
  });

  it("a loser that swallows its cancellation and returns later: handed over as it returns, the winner never", async () => {
    const log: string[] = [];
    const [slow, fast] = [new Socket("slow"), new Socket("fast")];
    const calls: [string, number][] = [];
    const { ok, value, runner } = await runKeep(function* () {
      const result = yield* staggeredRace([stubborn(10, slow, log), stubborn(1, fast, log)], 0.5, { onLoser: (s, i) => void calls.push([s.name, i]) });
      log.push(`race returned at ${currentTime()}`);
      return result;
    });
    expect(ok).toBe(true);
    expect((value as readonly unknown[])[0]).toBe(fast);
    expect(calls).toEqual([["slow", 0]]);
    expect(log).toEqual(["slow swallowed its cancellation at 1.5", "race returned at 1.5"]);
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });

  it("cancelled from outside, an attempt returning anyway while the race raises: its result, returned to nobody, goes to onLoser", async () => {
    const log: string[] = [];
    const [s1, s2] = [new Socket("s1"), new Socket("s2")];
    const calls: [string, number][] = [];
    const { value, runner } = await runKeep(function* () {
      // The delay is long: the race is still waiting to start s2 when cancelled, and raises the Cancelled.
      const out = yield* moveOnAfter(1, () => staggeredRace([stubborn(10, s1, log), stubborn(10, s2, log)], 100, { onLoser: (x, i) => void calls.push([x.name, i]) }));
      return [out, currentTime()];
    });
    expect(value).toEqual([undefined, 1]);
    expect(calls).toEqual([["s1", 0]]);
    expect(log).toEqual(["s1 swallowed its cancellation at 1"]);
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });

  it("cancelled from outside once every attempt has started: the first to return anyway is returned, the others go to onLoser", async () => {
    const log: string[] = [];
    const [a, b] = [new Socket("a"), new Socket("b")];
    const calls: string[] = [];
    // Both started by 0.5: nothing in the race raises the Cancelled, so the race returns, and moveOnAfter with it.
    const out = await runMock(() => moveOnAfter(2, () => staggeredRace([stubborn(10, a, log), stubborn(10, b, log)], 0.5, { onLoser: (x) => void calls.push(x.name) })));
    expect(out?.[0]).toBe(a);
    expect(calls).toEqual(["b"]);
  });

  it("no result dropped: onLoser is never called (a plain win, all failing, an empty list)", async () => {
    const calls: unknown[] = [];
    const onLoser = (x: unknown) => void calls.push(x);
    const boom = new Error("refused");
    expect(await runMock(() => staggeredRace([() => (function* () { yield* sleep(1); return "won"; })(), () => (function* (): Operation<string> { yield* sleep(5); return "late"; })()], 0.5, { onLoser }))).toEqual(["won", 0, [null, expect.any(Cancelled)]]);
    expect(await runMock(() => staggeredRace([function* (): Operation<string> { throw boom; }], null, { onLoser }))).toEqual([null, null, [boom]]);
    expect(await runMock(() => staggeredRace([], 1, { onLoser }))).toEqual([null, null, []]);
    expect(calls).toEqual([]);
  });

  it("onLoser throws for a loser: the race raises that error once all are done, and the winner's result is handed over too", async () => {
    const event = new TestEvent();
    const [a, b] = [new Socket("a"), new Socket("b")];
    const broken = new Error("close failed");
    const calls: string[] = [];
    const { ok, value, runner } = await runKeep(() =>
      staggeredRace([onEvent(event, a), onEvent(event, b), function* (): Operation<Socket> { event.set(); return yield* sleepForever(); }], 0.1, {
        onLoser: (socket) => {
          calls.push(socket.name);
          if (socket === b) throw broken;
        },
      }),
    );
    expect(ok).toBe(false);
    expect(value).toBe(broken);
    expect(calls).toEqual(["b", "a"]);
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });

  it("onLoser throws for both: both errors reach the caller, in one group", async () => {
    const event = new TestEvent();
    const [a, b] = [new Socket("a"), new Socket("b")];
    const e = await rejection(
      runMock(() =>
        staggeredRace([onEvent(event, a), onEvent(event, b), function* (): Operation<Socket> { event.set(); return yield* sleepForever(); }], 0.1, {
          onLoser: (socket) => {
            throw new Error(`close ${socket.name} failed`);
          },
        }),
      ),
    );
    expect(e).toBeInstanceOf(ExceptionGroup);
    expect((e as Error).message).toMatch(/^staggeredRace\(\): onLoser threw for the result of attempt 0, dropped because the race raised$/);
    expect(leaves(e).map(String)).toEqual(["Error: close b failed", "Error: close a failed"]);
  });

  it("onLoser throws for the would-be winner of a race cancelled from outside: the error is not lost to the cancellation", async () => {
    const log: string[] = [];
    const s = new Socket("s");
    const broken = new Error("close failed");
    const e = await rejection(
      runMock(() =>
        moveOnAfter(1, () =>
          staggeredRace([stubborn(10, s, log), stubborn(10, new Socket("never started"), log)], 100, {
            onLoser: () => {
              throw broken;
            },
          }),
        ),
      ),
    );
    expect(leaves(e)).toEqual([broken]);
  });

  it("a race cancelled by a scope the caller holds: the scope's Cancelled still goes up with the onLoser error", async () => {
    const log: string[] = [];
    const s = new Socket("s");
    const broken = new Error("close failed");
    const seen: unknown[] = [];
    const e = await rejection(runMock(function* () {
      const scope = new CancelScope();
      yield* scope.run(function* () {
        try {
          yield* staggeredRace([stubborn(10, s, log), function* (): Operation<Socket> { scope.cancel(); return yield* sleepForever(); }], 0, {
            onLoser: () => {
              throw broken;
            },
          });
        } catch (error) {
          seen.push(...leaves(error));
          throw error;
        }
      });
    }));
    // The scope takes its Cancelled out; the onLoser error goes on.
    expect(leaves(e)).toEqual([broken]);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(Cancelled);
    expect(seen[1]).toBe(broken);
  });

  it("the options are read once, at the call; onLoser's getter error goes up as it is", async () => {
    let reads = 0;
    const options = {
      get onLoser() {
        reads++;
        return () => {};
      },
    };
    await runMock(() => staggeredRace([function* () { return 1; }], 1, options));
    expect(reads).toBe(1);
    const boom = new Error("getter");
    expect(() => staggeredRace([], 1, { get onLoser(): () => void { throw boom; } })).toThrow(boom);
  });
});
