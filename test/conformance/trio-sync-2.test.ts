/**
 * More conformance with Trio's sync tests (trio/_core/_tests/
 * test_parking_lot.py, trio/_tests/test_sync.py), for the tests
 * trio-sync.test.ts does not port. Each test names the Trio test it
 * follows; the code and wording are ours.
 *
 * Not ported: test_local.py (RunVar has no counterpart here; ContextVar is
 * ported in trio-run-2.test.ts), test_unbounded_queue.py (no UnboundedQueue).
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, RuntimeError, openNursery, type Operation } from "../../src/core/index.js";
import { CapacityLimiter, ParkingLot } from "../../src/sync/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "../sync/helpers.js";

function* cancellableWaiter(name: number, lot: ParkingLot, scopes: Map<number, CancelScope>, record: string[]): Operation<void> {
  yield* new CancelScope().run(function* (scope) {
    scopes.set(name, scope);
    record.push(`sleep ${name}`);
    try {
      yield* lot.park();
    } catch (e) {
      if (e instanceof Cancelled) record.push(`cancelled ${name}`);
      throw e;
    }
    record.push(`wake ${name}`);
  });
}

describe("Trio test_parking_lot (more)", () => {
  // test_parking_lot_cancel
  it("a parked task that is cancelled leaves the lot; unparkAll then wakes the others", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      const scopes = new Map<number, CancelScope>();
      yield* openNursery(function* (n) {
        for (const i of [1, 2, 3]) {
          n.startSoon(cancellableWaiter, i, lot, scopes, record);
          yield* waitAllTasksBlocked();
        }
        expect(record).toHaveLength(3);
        scopes.get(2)!.cancel();
        yield* waitAllTasksBlocked();
        expect(record).toHaveLength(4);
        expect(lot.size).toBe(2);
        expect(lot.unparkAll()).toHaveLength(2);
        yield* waitAllTasksBlocked();
        expect(record).toHaveLength(6);
      });
    });
    expect(record.slice(0, 4)).toEqual(["sleep 1", "sleep 2", "sleep 3", "cancelled 2"]);
    expect(new Set(record.slice(4))).toEqual(new Set(["wake 1", "wake 3"]));
  });

  // test_parking_lot_repark_with_count
  it("repark with a count moves that many tasks, oldest first; they wake one by one from the new lot", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot1 = new ParkingLot();
      const lot2 = new ParkingLot();
      const scopes = new Map<number, CancelScope>();
      yield* openNursery(function* (n) {
        for (const i of [1, 2, 3]) {
          n.startSoon(cancellableWaiter, i, lot1, scopes, record);
          yield* waitAllTasksBlocked();
        }
        expect([lot1.size, lot2.size]).toEqual([3, 0]);
        lot1.repark(lot2, { count: 2 });
        expect([lot1.size, lot2.size]).toEqual([1, 2]);
        while (lot2.size > 0) {
          lot2.unpark();
          yield* waitAllTasksBlocked();
        }
        expect(record).toEqual(["sleep 1", "sleep 2", "sleep 3", "wake 1", "wake 2"]);
        lot1.unparkAll();
      });
    });
    expect(record).toEqual(["sleep 1", "sleep 2", "sleep 3", "wake 1", "wake 2", "wake 3"]);
  });
});

describe("Trio test_sync (more)", () => {
  // test_CapacityLimiter_memleak_548: a cancelled acquire leaves nothing
  // behind. Trio reads its private _pending_borrowers; we observe the same
  // through the statistics and through the borrower, which may wait again.
  it("a cancelled acquire forgets its waiter, so the same borrower may wait again", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      yield* limiter.acquire();
      const borrower = { who: "worker" };
      yield* openNursery(function* (n) {
        n.startSoon(() => limiter.acquireOnBehalfOf(borrower));
        yield* waitAllTasksBlocked();
        expect(limiter.statistics().tasksWaiting).toBe(1);
        n.cancelScope.cancel();
      });
      expect(limiter.statistics().tasksWaiting).toBe(0);
      let again: unknown = null;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* limiter.acquireOnBehalfOf(borrower);
            limiter.releaseOnBehalfOf(borrower);
          } catch (e) {
            again = e;
          }
        });
        yield* waitAllTasksBlocked();
        expect(limiter.statistics().tasksWaiting).toBe(1);
        limiter.release();
      });
      expect(again).toBeNull();
      expect(limiter.statistics().borrowedTokens).toBe(0);
      // The guard the second wait relied on is real: two waits at once are refused.
      yield* limiter.acquire();
      yield* openNursery(function* (n) {
        n.startSoon(() => limiter.acquireOnBehalfOf(borrower));
        yield* waitAllTasksBlocked();
        n.startSoon(function* () {
          try {
            yield* limiter.acquireOnBehalfOf(borrower);
          } catch (e) {
            again = e;
          }
        });
        yield* waitAllTasksBlocked();
        n.cancelScope.cancel();
      });
      expect(again).toBeInstanceOf(RuntimeError);
      limiter.release();
    });
  });
});
