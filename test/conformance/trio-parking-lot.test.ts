/**
 * Conformance with Trio's trio/_core/_tests/test_parking_lot.py, for the
 * parts trio-sync.test.ts and trio-sync-2.test.ts do not port: the
 * recorded wake orders of test_parking_lot_basic and the edges around
 * unpark. Each test names the Trio test it follows; the code and wording
 * are ours.
 *
 * Not ported: the breaker tests (break_lot, add_parking_lot_breaker,
 * broken_by). Our ParkingLot has no breakers: a task that ends while it
 * holds a Lock does not break the lock's lot, and its waiters stay parked
 * until cancelled.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, currentTask, openNursery, type Operation, type Task } from "../../src/core/index.js";
import { ParkingLot } from "../../src/sync/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "../sync/helpers.js";

function* waiter(i: number, lot: ParkingLot, record: string[]): Operation<void> {
  record.push(`sleep ${i}`);
  yield* lot.park();
  record.push(`wake ${i}`);
}

describe("Trio test_parking_lot_basic (recorded orders)", () => {
  it("unparkAll wakes every task parked at once; all sleeps come before any wake", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3; i++) n.startSoon(waiter, i, lot, record);
        yield* waitAllTasksBlocked();
        expect(record).toHaveLength(3);
        expect(lot.unparkAll()).toHaveLength(3);
        expect(lot.size).toBe(0);
        yield* waitAllTasksBlocked();
        expect(record).toHaveLength(6);
      });
    });
    expect(new Set(record.slice(0, 3))).toEqual(new Set(["sleep 0", "sleep 1", "sleep 2"]));
    expect(new Set(record.slice(3))).toEqual(new Set(["wake 0", "wake 1", "wake 2"]));
  });

  it("one-by-one unparks are strict FIFO, and each returns the task it woke", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      const tasks: Task[] = [];
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3; i++) {
          n.startSoon(function* () {
            tasks.push(currentTask());
            yield* waiter(i, lot, record);
          });
          yield* waitAllTasksBlocked();
        }
        for (let i = 0; i < 3; i++) {
          expect(lot.unpark()).toEqual([tasks[i]]);
          yield* waitAllTasksBlocked();
        }
      });
    });
    expect(record).toEqual(["sleep 0", "sleep 1", "sleep 2", "wake 0", "wake 1", "wake 2"]);
  });

  it("unpark({ count: 2 }) wakes the two oldest; the third stays parked", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3; i++) {
          n.startSoon(waiter, i, lot, record);
          yield* waitAllTasksBlocked();
        }
        expect(lot.unpark({ count: 2 })).toHaveLength(2);
        yield* waitAllTasksBlocked();
        expect(record.slice(0, 3)).toEqual(["sleep 0", "sleep 1", "sleep 2"]);
        expect(new Set(record.slice(3))).toEqual(new Set(["wake 0", "wake 1"]));
        expect(lot.size).toBe(1);
        lot.unparkAll();
      });
    });
    expect(record.at(-1)).toBe("wake 2");
  });

  it("refuses a fractional count with a RangeError (Trio: ValueError) and a count that is no number with a TypeError", () => {
    const lot = new ParkingLot();
    expect(() => lot.unpark({ count: 1.5 })).toThrow(RangeError);
    expect(() => lot.repark(new ParkingLot(), { count: 0.5 })).toThrow(RangeError);
    expect(() => lot.unpark({ count: "1" as unknown as number })).toThrow(TypeError);
  });
});

describe("Trio test_parking_lot_cancel (the wake/cancel race)", () => {
  // The abort of a task already unparked is not consulted: the wake wins, as in Trio where
  // unpark reschedules the task before any cancel can reach it.
  it("a task unparked and cancelled in the same step returns from park(); a cancelled one is not returned by a later unpark", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      const scopes: CancelScope[] = [];
      yield* openNursery(function* (n) {
        for (const i of [0, 1]) {
          const scope = new CancelScope();
          scopes.push(scope);
          n.startSoon(function* () {
            yield* scope.run(function* () {
              try {
                yield* waiter(i, lot, record);
              } catch (e) {
                record.push(e instanceof Cancelled ? `cancelled ${i}` : `error ${i}`);
                throw e;
              }
            });
          });
          yield* waitAllTasksBlocked();
        }
        expect(lot.unpark()).toHaveLength(1);
        scopes[0]!.cancel();
        scopes[1]!.cancel();
        yield* waitAllTasksBlocked();
        expect(lot.size).toBe(0);
        expect(lot.unpark()).toEqual([]);
      });
    });
    expect(record).toEqual(["sleep 0", "sleep 1", "wake 0", "cancelled 1"]);
  });
});
