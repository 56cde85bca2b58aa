/**
 * Conformance with Trio's tests of its sync primitives
 * (trio/_tests/test_sync.py, trio/_core/_tests/test_parking_lot.py), for
 * behaviours test/sync did not pin down. Trio's parking-lot "breakers"
 * (break_lot, add_parking_lot_breaker) have no counterpart here.
 */
import { describe, expect, it } from "vitest";
import { CancelScope, WouldBlock, currentTask, openNursery, sleepForever, type Task } from "../../src/core/index.js";
import { CapacityLimiter, Condition, Event, Lock, ParkingLot, Semaphore, StrictFIFOLock } from "../../src/sync/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "../sync/helpers.js";

describe("Trio test_parking_lot", () => {
  // test_parking_lot_basic
  it("size and statistics follow parked tasks; unparking an empty lot is a no-op for any count", async () => {
    await runMock(function* () {
      const lot = new ParkingLot();
      expect(lot.size).toBe(0);
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3; i++) n.startSoon(() => lot.park());
        yield* waitAllTasksBlocked();
        expect(lot.size).toBe(3);
        expect(lot.statistics().tasksWaiting).toBe(3);
        lot.unparkAll();
        expect(lot.statistics().tasksWaiting).toBe(0);
      });
      expect(lot.unpark()).toEqual([]);
      expect(lot.unpark({ count: 1 })).toEqual([]);
      expect(lot.unpark({ count: 100 })).toEqual([]);
      expect(() => lot.unpark({ count: 1.5 })).toThrow(RangeError);
    });
  });

  // test_parking_lot_repark
  it("repark refuses something that is not a lot, and moved tasks wake (or are cancelled) from their new lot", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot1 = new ParkingLot();
      const lot2 = new ParkingLot();
      expect(() => lot1.repark([] as unknown as ParkingLot)).toThrow(TypeError);
      const scopes = new Map<number, CancelScope>();
      yield* openNursery(function* (n) {
        for (const i of [1, 2, 3]) {
          n.startSoon(function* () {
            yield* new CancelScope().run(function* (scope) {
              scopes.set(i, scope);
              record.push(`sleep ${i}`);
              try {
                yield* lot1.park();
                record.push(`wake ${i}`);
              } catch (e) {
                record.push(`cancelled ${i}`);
                throw e;
              }
            });
          });
          yield* waitAllTasksBlocked();
        }
        lot1.repark(lot2);
        expect([lot1.size, lot2.size]).toEqual([2, 1]);
        lot2.unparkAll();
        yield* waitAllTasksBlocked();
        expect(record).toEqual(["sleep 1", "sleep 2", "sleep 3", "wake 1"]);
        lot1.reparkAll(lot2);
        expect([lot1.size, lot2.size]).toEqual([0, 2]);
        scopes.get(2)!.cancel();
        yield* waitAllTasksBlocked();
        expect(lot2.size).toBe(1);
        lot2.unparkAll();
      });
      expect(record).toEqual(["sleep 1", "sleep 2", "sleep 3", "wake 1", "cancelled 2", "wake 3"]);
    });
  });
});

describe("Trio test_sync", () => {
  // test_Event
  it("an Event counts its waiters and wakes them all; wait on a set event is a checkpoint", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const set = new Event();
      set.set();
      yield* assertCheckpoints(set.wait());
      const e = new Event();
      yield* openNursery(function* (n) {
        for (let i = 0; i < 2; i++) {
          n.startSoon(function* () {
            record.push("sleeping");
            yield* e.wait();
            record.push("woken");
          });
        }
        yield* waitAllTasksBlocked();
        expect(e.statistics().tasksWaiting).toBe(2);
        e.set();
        yield* waitAllTasksBlocked();
      });
    });
    expect(record).toEqual(["sleeping", "sleeping", "woken", "woken"]);
  });

  // test_CapacityLimiter
  it("a task holding a token may borrow more on behalf of others, and statistics list every borrower", async () => {
    await runMock(function* () {
      const c = new CapacityLimiter(2);
      c.acquireNowait();
      const me = currentTask();
      // (Tasks are compared by identity: deep equality would walk their generators.)
      const stats = c.statistics();
      expect([stats.borrowedTokens, stats.totalTokens, stats.tasksWaiting]).toEqual([1, 2, 0]);
      expect(stats.borrowers).toHaveLength(1);
      expect(stats.borrowers[0]).toBe(me);
      yield* assertCheckpoints(c.acquireOnBehalfOf("someone"));
      expect(c.borrowedTokens).toBe(2);
      expect(() => c.acquireOnBehalfOfNowait("third party")).toThrow(WouldBlock);
      const borrowers = c.statistics().borrowers;
      expect(borrowers).toHaveLength(2);
      expect(borrowers.includes(me) && borrowers.includes("someone")).toBe(true);
      c.releaseOnBehalfOf(me);
      expect(c.statistics().borrowers).toEqual(["someone"]);
      c.releaseOnBehalfOf("someone");
      yield* assertCheckpoints(
        c.withToken(function* () {
          expect(c.borrowedTokens).toBe(1);
        }),
      );
    });
  });

  // test_CapacityLimiter_inf
  it("an infinite limiter lends tokens and stays infinitely available", async () => {
    await runMock(function* () {
      const c = new CapacityLimiter(Infinity);
      expect(c.availableTokens).toBe(Infinity);
      c.acquireNowait();
      expect(c.borrowedTokens).toBe(1);
      expect(c.availableTokens).toBe(Infinity);
      c.release();
    });
  });

  // test_CapacityLimiter_change_total_tokens
  it("raising and lowering totalTokens while five borrowers queue follows Trio's sequence exactly", async () => {
    await runMock(function* () {
      const c = new CapacityLimiter(2);
      yield* openNursery(function* (n) {
        for (let i = 0; i < 5; i++) {
          n.startSoon(() => c.acquireOnBehalfOf(i));
          yield* waitAllTasksBlocked();
        }
        expect(new Set(c.statistics().borrowers)).toEqual(new Set([0, 1]));
        expect(c.statistics().tasksWaiting).toBe(3);
        c.totalTokens += 2;
        expect(new Set(c.statistics().borrowers)).toEqual(new Set([0, 1, 2, 3]));
        expect(c.statistics().tasksWaiting).toBe(1);
        c.totalTokens -= 3;
        expect(c.borrowedTokens).toBe(4);
        expect(c.totalTokens).toBe(1);
        c.releaseOnBehalfOf(0);
        c.releaseOnBehalfOf(1);
        c.releaseOnBehalfOf(2);
        expect(c.statistics().borrowers).toEqual([3]);
        expect(c.statistics().tasksWaiting).toBe(1);
        c.releaseOnBehalfOf(3);
        expect(c.statistics().borrowers).toEqual([4]);
        expect(c.statistics().tasksWaiting).toBe(0);
      });
      c.releaseOnBehalfOf(4);
    });
  });

  // test_CapacityLimiter (fairness part)
  it("a token released while someone waits goes to the waiter, so acquireNowait still fails", async () => {
    await runMock(function* () {
      const c = new CapacityLimiter(2);
      yield* openNursery(function* (n) {
        yield* c.acquireOnBehalfOf("value 1");
        yield* c.acquireOnBehalfOf("value 2");
        n.startSoon(() => c.acquireOnBehalfOf("value 3"));
        yield* waitAllTasksBlocked();
        expect(c.statistics().tasksWaiting).toBe(1);
        c.releaseOnBehalfOf("value 2");
        expect(c.borrowedTokens).toBe(2);
        expect(() => c.acquireNowait()).toThrow(WouldBlock);
      });
      c.releaseOnBehalfOf("value 3");
      c.releaseOnBehalfOf("value 1");
      expect(c.borrowedTokens).toBe(0);
    });
  });

  // test_Semaphore
  it("a Semaphore without maxValue can be released above its initial value, and a release with a waiter hands the permit over", async () => {
    await runMock(function* () {
      const s = new Semaphore(1);
      expect(s.maxValue).toBeUndefined();
      s.release();
      expect(s.value).toBe(2);
      s.acquireNowait();
      yield* assertCheckpoints(s.acquire());
      expect(s.value).toBe(0);
      expect(() => s.acquireNowait()).toThrow(WouldBlock);
      const record: string[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          record.push("started");
          yield* s.acquire();
          record.push("finished");
        });
        yield* waitAllTasksBlocked();
        s.release();
        expect(s.value).toBe(0);
        expect(() => s.acquireNowait()).toThrow(WouldBlock);
      });
      expect(record).toEqual(["started", "finished"]);
    });
  });

  // test_Semaphore_bounded
  it("a bounded Semaphore refuses a maxValue below its value and a release past the bound", () => {
    expect(() => new Semaphore(2, { maxValue: 1 })).toThrow(RangeError);
    const bs = new Semaphore(1, { maxValue: 1 });
    expect(bs.maxValue).toBe(1);
    expect(() => bs.release()).toThrow();
    expect(bs.value).toBe(1);
    bs.acquireNowait();
    bs.release();
    expect(bs.value).toBe(1);
  });

  // test_Lock_and_StrictFIFOLock
  for (const [name, make] of [
    ["Lock", () => new Lock()],
    ["StrictFIFOLock", () => new StrictFIFOLock()],
  ] as const) {
    it(`${name}: statistics name the holder and the waiters, and all clear once the holders are cancelled`, async () => {
      await runMock(function* () {
        const lock = make();
        expect(String(lock)).toContain(name);
        let holder: Task | null = null;
        function* hold() {
          holder ??= currentTask();
          yield* lock.withLock(sleepForever);
        }
        yield* openNursery(function* (n) {
          n.startSoon(hold);
          yield* waitAllTasksBlocked();
          expect(lock.locked()).toBe(true);
          expect(() => lock.acquireNowait()).toThrow(WouldBlock);
          expect(() => lock.release()).toThrow();
          const stats = lock.statistics();
          expect([stats.locked, stats.tasksWaiting]).toEqual([true, 0]);
          expect(stats.owner).toBe(holder);
          n.startSoon(hold);
          yield* waitAllTasksBlocked();
          expect(lock.statistics().tasksWaiting).toBe(1);
          n.cancelScope.cancel();
        });
        expect(lock.statistics()).toEqual({ locked: false, owner: null, tasksWaiting: 0 });
      });
    });
  }

  // test_Condition
  it("notify(2) moves two waiters into the lock's queue; leaving the lock hands it to the first of them", async () => {
    const finished = new Set<number>();
    await runMock(function* () {
      const c = new Condition();
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3; i++) {
          n.startSoon(function* () {
            yield* c.withLock(() => c.wait());
            finished.add(i);
          });
          yield* waitAllTasksBlocked();
        }
        yield* c.withLock(function* () {
          c.notify(2);
          const stats = c.statistics();
          expect(stats.tasksWaiting).toBe(1);
          expect(stats.lockStatistics.tasksWaiting).toBe(2);
        });
        // Releasing handed the lock straight to the first notified waiter.
        expect(c.statistics().lockStatistics.tasksWaiting).toBe(1);
        expect(c.locked()).toBe(true);
        yield* waitAllTasksBlocked();
        expect(finished).toEqual(new Set([0, 1]));
        yield* c.withLock(function* () {
          c.notifyAll();
        });
      });
      expect(finished).toEqual(new Set([0, 1, 2]));
    });
  });

  it("Condition refuses a lock that is not a Lock, such as a Semaphore or the StrictFIFOLock class itself", () => {
    expect(() => new Condition(new Semaphore(1) as unknown as Lock)).toThrow(TypeError);
    expect(() => new Condition(StrictFIFOLock as unknown as Lock)).toThrow(TypeError);
  });
});
