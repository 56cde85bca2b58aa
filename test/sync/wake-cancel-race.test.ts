/**
 * Trio's rule for a waiter woken and cancelled in the same step: the wake
 * wins (its abort is not consulted once it is rescheduled), so what it was
 * handed (a lock, a permit, a token) is its own and it returns normally; a
 * waiter cancelled before the wake leaves the line and the hand-off goes to
 * the next in line or back to the primitive. Either way the counters end
 * true and nothing stays parked. The ParkingLot and channel forms are in
 * trio-parking-lot.test.ts and channel-concurrency.test.ts; these are the
 * primitives built on the lot.
 */
import { describe, expect, it } from "vitest";
import { CancelScope, Cancelled, CapacityLimiter, Condition, Lock, Semaphore, openNursery, type Operation } from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { revoked } from "../bad-input/hostile.js";
import { runMock } from "./helpers.js";

type Order = "cancel, then wake" | "wake, then cancel";
const ORDERS: Order[] = ["cancel, then wake", "wake, then cancel"];

/** Runs `wait` in a task under its own scope; then, in one step, wakes it and cancels it in `order`. */
function* race(order: Order, wait: () => Operation<void>, wake: () => void, log: string[]): Operation<void> {
  const scope = new CancelScope();
  yield* openNursery(function* (n) {
    n.startSoon(function* () {
      yield* scope.run(function* () {
        try {
          yield* wait();
          log.push("returned");
        } catch (error) {
          log.push(error instanceof Cancelled ? "cancelled" : String(error));
        }
      });
    });
    yield* waitAllTasksBlocked();
    if (order === "cancel, then wake") {
      scope.cancel();
      wake();
    } else {
      wake();
      scope.cancel();
    }
  });
}

describe("a waiter woken and cancelled in the same step", () => {
  for (const order of ORDERS) {
    const wins = order === "wake, then cancel";

    it(`Semaphore (${order}): ${wins ? "the permit is the waiter's" : "the permit goes back to the value"}`, async () => {
      const sem = new Semaphore(0);
      const log: string[] = [];
      await runMock(() => race(order, () => sem.acquire(), () => sem.release(), log));
      expect(log).toEqual([wins ? "returned" : "cancelled"]);
      expect([sem.value, sem.statistics().tasksWaiting]).toEqual([wins ? 0 : 1, 0]);
    });

    it(`CapacityLimiter release (${order}): ${wins ? "the token is the waiter's borrower's" : "the token stays free"}`, async () => {
      const limiter = new CapacityLimiter(1);
      const log: string[] = [];
      await runMock(function* () {
        limiter.acquireOnBehalfOfNowait("holder");
        yield* race(order, () => limiter.acquireOnBehalfOf("waiter"), () => limiter.releaseOnBehalfOf("holder"), log);
      });
      expect(log).toEqual([wins ? "returned" : "cancelled"]);
      expect(limiter.statistics()).toEqual({ borrowedTokens: wins ? 1 : 0, totalTokens: 1, borrowers: wins ? ["waiter"] : [], tasksWaiting: 0 });
    });

    it(`CapacityLimiter totalTokens raised (${order}): the new token goes to the waiter or stays free`, async () => {
      const limiter = new CapacityLimiter(0);
      const log: string[] = [];
      await runMock(() => race(order, () => limiter.acquireOnBehalfOf("waiter"), () => (limiter.totalTokens = 1), log));
      expect(log).toEqual([wins ? "returned" : "cancelled"]);
      expect(limiter.statistics()).toEqual({ borrowedTokens: wins ? 1 : 0, totalTokens: 1, borrowers: wins ? ["waiter"] : [], tasksWaiting: 0 });
      // Free or not, the borrower may come back.
      if (wins) limiter.releaseOnBehalfOf("waiter");
      limiter.acquireOnBehalfOfNowait("waiter");
    });

    it(`Lock (${order}): ${wins ? "the waiter owns the lock" : "the lock is free"}`, async () => {
      const lock = new Lock();
      const log: string[] = [];
      let ownerAfter: unknown = "unset";
      await runMock(function* () {
        yield* lock.acquire();
        yield* race(
          order,
          function* () {
            yield* lock.acquire();
            ownerAfter = lock.statistics().owner !== null;
            lock.release();
          },
          () => lock.release(),
          log,
        );
      });
      expect(log).toEqual([wins ? "returned" : "cancelled"]);
      expect(ownerAfter).toBe(wins ? true : "unset");
      expect(lock.statistics()).toEqual({ locked: false, owner: null, tasksWaiting: 0 });
    });

    it(`Condition (${order}): wait ends holding the lock either way, and raises only if the cancel came first`, async () => {
      const cond = new Condition();
      const log: string[] = [];
      const held: boolean[] = [];
      await runMock(function* () {
        yield* race(
          order,
          function* () {
            yield* cond.acquire();
            try {
              yield* cond.wait();
            } finally {
              held.push(cond.lock.statistics().owner !== null);
              cond.release();
            }
          },
          () => {
            // The notifier is the parent task: take the lock, notify, and leave it for the waiter.
            cond.acquireNowait();
            cond.notify();
            cond.release();
          },
          log,
        );
      });
      expect(log).toEqual([wins ? "returned" : "cancelled"]);
      expect(held).toEqual([true]);
      expect(cond.statistics()).toEqual({ tasksWaiting: 0, lockStatistics: { locked: false, owner: null, tasksWaiting: 0 } });
    });
  }
});

describe("hostile borrowers of a CapacityLimiter", () => {
  it("a revoked Proxy and an object whose toString throws borrow, wait, report and return like any value", async () => {
    const ghost = revoked();
    const liar = {
      toString(): string {
        throw new Error("no");
      },
    };
    const limiter = new CapacityLimiter(1);
    const log: string[] = [];
    await runMock(function* () {
      limiter.acquireOnBehalfOfNowait(ghost);
      expect(() => limiter.acquireOnBehalfOfNowait(ghost)).toThrow(/this borrower already holds one of the limiter's tokens/);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* limiter.acquireOnBehalfOf(liar);
          log.push("liar in");
        });
        yield* waitAllTasksBlocked();
        expect(() => limiter.acquireOnBehalfOfNowait(liar)).toThrow(/this borrower is already waiting for a token in another task/);
        expect(String(limiter)).toBe("<CapacityLimiter 1/1 borrowed, 1 waiting>");
        expect(limiter.statistics().borrowers[0]).toBe(ghost);
        limiter.releaseOnBehalfOf(ghost);
      });
      expect(limiter.statistics().borrowers[0]).toBe(liar);
      expect(() => limiter.releaseOnBehalfOf(ghost)).toThrow(/this borrower holds none of the limiter's tokens/);
      limiter.releaseOnBehalfOf(liar);
    });
    expect(log).toEqual(["liar in"]);
    expect(limiter.statistics()).toEqual({ borrowedTokens: 0, totalTokens: 1, borrowers: [], tasksWaiting: 0 });
  });
});
