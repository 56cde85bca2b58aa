/**
 * assertCheckpoints / assertNoCheckpoints count cancel points and schedule
 * points apart, as Trio's trio.testing.assert_checkpoints does (see
 * src/testing/checkpoints.ts). These tests run each kind of operation the
 * runtime has through both assertions, and check that the wrapper leaves
 * the operation's own behaviour alone: the shared iterators' scheduler
 * marks, and the finally blocks of an operation abandoned at a yield.
 */
import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  Lock,
  RuntimeError,
  cancelShieldedCheckpoint,
  checkpoint,
  checkpointIfCancelled,
  openMemoryChannel,
  openNursery,
  sleep,
  sleepForever,
  type Operation,
} from "../../src/index.js";
import { assertCheckpoints, assertNoCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { rejection, runMock } from "../core/helpers.js";

type Assertion = <T>(op: Operation<T>) => Operation<T>;

/** Runs `make()`'s operation under `assertion` in a fresh run; returns the run's error, or "passed". */
async function verdict(assertion: Assertion, make: () => Operation<unknown>, cancelled = false): Promise<unknown> {
  try {
    await runMock(function* () {
      if (!cancelled) {
        yield* assertion(make());
        return;
      }
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        yield* assertion(make());
      });
    });
    return "passed";
  } catch (error) {
    return error;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An uncontended Lock: acquire checks cancellation inline, then yields a cancel-shielded schedule point. */
function* acquireFree(): Operation<void> {
  const lock = new Lock();
  yield* lock.acquire();
  lock.release();
}

/** A buffered channel's send that completes at once (inline cancel check, then a schedule point). */
function sendNow(): Operation<void> {
  const [tx] = openMemoryChannel<number>(1);
  return tx.send(1);
}

/** A buffered channel's receive that completes at once. */
function receiveNow(): Operation<number> {
  const [tx, rx] = openMemoryChannel<number>(1);
  tx.sendNowait(1);
  return rx.receive();
}

describe("assertCheckpoints counts cancel points and schedule points, as Trio", () => {
  const checkpoints: [string, () => Operation<unknown>, boolean][] = [
    ["checkpoint()", () => checkpoint(), false],
    ["sleep(0)", () => sleep(0), false],
    ["sleep(1)", () => sleep(1), false],
    ["sleepForever() in a cancelled scope", () => sleepForever(), true],
    ["checkpoint() in a cancelled scope", () => checkpoint(), true],
    ["an uncontended Lock.acquire()", () => acquireFree(), false],
    ["a memory channel send that completes at once", sendNow, false],
    ["a memory channel receive that completes at once", receiveNow, false],
    [
      "checkpointIfCancelled() then cancelShieldedCheckpoint()",
      function* () {
        yield* checkpointIfCancelled();
        yield* cancelShieldedCheckpoint();
      },
      false,
    ],
  ];
  for (const [name, make, cancelled] of checkpoints) {
    it(`${name} passes assertCheckpoints and fails assertNoCheckpoints`, async () => {
      expect(await verdict(assertCheckpoints, make, cancelled)).toBe("passed");
      const error = await verdict(assertNoCheckpoints, make, cancelled);
      expect(message(error)).toMatch(/^assertNoCheckpoints: the operation yielded to the scheduler 1 time\(s\) and passed 1 cancel point\(s\); it must pass neither\./);
      // A checkpoint that raised Cancelled: the assertion's error carries it.
      if (cancelled) expect((error as Error).cause).toBeInstanceOf(Cancelled);
    });
  }

  it("a Lock.acquire() and a channel receive that wait for another task pass assertCheckpoints", async () => {
    await runMock(function* () {
      const lock = new Lock();
      const [tx, rx] = openMemoryChannel<string>(0);
      yield* openNursery(function* (n) {
        yield* lock.acquire();
        n.startSoon(function* () {
          yield* assertCheckpoints(lock.acquire());
          lock.release();
          expect(yield* assertCheckpoints(rx.receive())).toBe("x");
        });
        yield* waitAllTasksBlocked();
        lock.release();
        yield* waitAllTasksBlocked();
        yield* assertCheckpoints(tx.send("x"));
      });
    });
  });

  it("a lone cancelShieldedCheckpoint() fails assertCheckpoints: a schedule point, no cancel point", async () => {
    const error = await verdict(assertCheckpoints, () => cancelShieldedCheckpoint());
    expect(message(error)).toMatch(/^assertCheckpoints: the operation completed without a checkpoint: it passed 0 cancel point\(s\) and yielded to the scheduler 1 time\(s\), and a checkpoint is both\./);
    // Also in a cancelled scope, which it ignores.
    expect(message(await verdict(assertCheckpoints, () => cancelShieldedCheckpoint(), true))).toMatch(/passed 0 cancel point\(s\) and yielded to the scheduler 1 time\(s\)/);
  });

  it("a lone checkpointIfCancelled() outside a cancelled scope fails assertCheckpoints: a cancel point, no schedule point", async () => {
    const error = await verdict(assertCheckpoints, () => checkpointIfCancelled());
    expect(message(error)).toMatch(/without a checkpoint: it passed 1 cancel point\(s\) and yielded to the scheduler 0 time\(s\)/);
  });

  it("an operation that raises before yielding passes assertCheckpoints (its error goes on) and assertNoCheckpoints", async () => {
    const boom = new Error("boom");
    const raise = function* (): Operation<void> {
      throw boom;
    };
    expect(await verdict(assertCheckpoints, raise)).toBe(boom);
    expect(await verdict(assertNoCheckpoints, raise)).toBe(boom);
  });

  it("assertNoCheckpoints passes code that neither yields nor checks cancellation, and returns its value", async () => {
    const v = await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(1);
      return yield* assertNoCheckpoints(
        (function* (): Operation<number> {
          tx.sendNowait(4);
          return rx.receiveNowait();
        })(),
      );
    });
    expect(v).toBe(4);
  });

  // The one difference from Trio (documented on assertCheckpoints): the
  // built-in primitives check cancellation inline, unseen; one that then
  // raises without yielding passes assertNoCheckpoints. Trio's
  // Lock.acquire, whose checkpoint_if_cancelled counts, would fail it.
  it("differs from Trio: a Lock.acquire() by its holder raises without yielding and passes assertNoCheckpoints", async () => {
    const error = await rejection(
      runMock(function* () {
        const lock = new Lock();
        yield* lock.acquire();
        yield* assertNoCheckpoints(lock.acquire());
      }),
    );
    expect(error).toBeInstanceOf(RuntimeError);
  });
});

describe("the assertions leave the wrapped operation's behaviour alone", () => {
  it("wrapped shared iterators (checkpoint, sleep(0)) leave no scheduler mark: the next plain checkpoint still lets a sibling run", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* assertCheckpoints(checkpoint());
      yield* assertCheckpoints(sleep(0));
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          log.push("sibling");
        });
        log.push("before");
        yield* checkpoint();
        log.push("after");
      });
    });
    expect(log).toEqual(["before", "sibling", "after"]);
  });

  it("sleepForever() wrapped in a scope cancelled later is woken by the cancel", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const scope = new CancelScope();
        n.startSoon(function* () {
          yield* scope.run(function* () {
            try {
              yield* assertCheckpoints(sleepForever());
            } catch (e) {
              log.push(e instanceof Cancelled ? "cancelled" : "other");
              throw e;
            }
          });
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
    });
    expect(log).toEqual(["cancelled"]);
  });

  for (const [name, assertion] of [
    ["assertCheckpoints", assertCheckpoints],
    ["assertNoCheckpoints", assertNoCheckpoints],
  ] as const) {
    it(`${name}: return() on it at a yield runs the operation's finally blocks and raises nothing`, async () => {
      const log: string[] = [];
      function* inner(): Operation<number> {
        try {
          yield* checkpoint();
          return 1;
        } finally {
          log.push("inner finally");
        }
      }
      function* outer(): Operation<number> {
        try {
          return yield* assertion(inner());
        } finally {
          log.push("outer finally");
        }
      }
      await runMock(function* () {
        const driven = outer();
        // Step it by hand to its first yield, then drop it there.
        expect(driven.next().done).toBe(false);
        expect(driven.return(7)).toEqual({ value: 7, done: true });
        // The dropped checkpoint left no mark: this one still yields once.
        yield* assertCheckpoints(checkpoint());
      });
      expect(log).toEqual(["inner finally", "outer finally"]);
    });
  }
});
