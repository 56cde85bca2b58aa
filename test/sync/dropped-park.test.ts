/**
 * A wait stepped by hand (`g.next()` on park(), Event.wait(), acquire()...)
 * and dropped leaves the task in the lot while the task goes on, waits for
 * something else or ends. The lot's wakes must pass over it: before, they
 * rescheduled a task that was not parked there (a TrioInternalError
 * blaming the library, in the waker's code), or ended the task's other
 * wait early, or handed a Lock to a task that never took it.
 */
import { describe, expect, it } from "vitest";
import { checkpoint, currentTime, openNursery, sleep } from "../../src/core/index.js";
import { CapacityLimiter, Condition, Event, Lock, ParkingLot, Semaphore } from "../../src/sync/index.js";
import { runKeep } from "../core/helpers.js";

describe("a park stepped by hand and dropped", () => {
  it("by a task that then ends: unparkAll() wakes the real waiters only", async () => {
    const lot = new ParkingLot();
    const record: string[] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          lot.park().next();
        });
        n.startSoon(function* () {
          yield* lot.park();
          record.push("woken");
        });
        yield* sleep(1);
        expect(lot.unparkAll()).toHaveLength(1);
      });
      return lot.size;
    });
    expect(kept).toMatchObject({ ok: true, value: 0 });
    expect(record).toEqual(["woken"]);
  });

  it("by a task that then sleeps: Event.set() does not cut its sleep short", async () => {
    const event = new Event();
    let slept = -1;
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          event.wait().next();
          const t0 = currentTime();
          yield* sleep(10);
          slept = currentTime() - t0;
        });
        yield* sleep(1);
        event.set();
      });
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(slept).toBe(10);
  });

  it("return() mid-wait, then cancelled: a later set() raises nothing", async () => {
    const event = new Event();
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          const g = event.wait();
          g.next();
          g.return(undefined);
          yield* sleep(100);
        });
        yield* sleep(1);
        n.cancelScope.cancel();
      });
      event.set();
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
  });

  it("Lock: release() hands the lock to the next real waiter, not to the task that dropped its acquire()", async () => {
    const lock = new Lock();
    const record: string[] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* lock.acquire();
          yield* sleep(2);
          lock.release();
        });
        n.startSoon(function* () {
          yield* sleep(1);
          lock.acquire().next();
        });
        n.startSoon(function* () {
          yield* sleep(1);
          yield* lock.acquire();
          record.push("acquired");
          lock.release();
        });
      });
      return lock.locked();
    });
    expect(kept).toMatchObject({ ok: true, value: false });
    expect(record).toEqual(["acquired"]);
  });

  it("Semaphore and CapacityLimiter: a release with only dropped waits left keeps the token", async () => {
    const semaphore = new Semaphore(0);
    const limiter = new CapacityLimiter(1);
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          semaphore.acquire().next();
        });
        n.startSoon(function* () {
          yield* limiter.acquire();
          yield* sleep(1);
          limiter.release();
        });
        n.startSoon(function* () {
          limiter.acquire().next();
        });
        yield* sleep(0.5);
        semaphore.release();
      });
      return [semaphore.value, limiter.borrowedTokens];
    });
    expect(kept).toMatchObject({ ok: true, value: [1, 0] });
  });

  it("CapacityLimiter: the borrower of a dropped acquire may acquire again; a real waiter's borrower still may not", async () => {
    const limiter = new CapacityLimiter(1);
    const log: string[] = [];
    function attempt(borrower: string): void {
      try {
        limiter.acquireOnBehalfOfNowait(borrower);
        log.push(`${borrower} acquired`);
      } catch (error) {
        log.push(`${borrower}: ${(error as Error).message}`);
      }
    }
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* limiter.acquire();
          yield* sleep(1);
          limiter.release();
        });
        n.startSoon(function* () {
          limiter.acquireOnBehalfOf("dropped").next(); // parks, then the task ends
        });
        n.startSoon(function* () {
          const step = limiter.acquireOnBehalfOf("moved on");
          step.next(); // parks, then the task goes on to another wait with another borrower
          yield* limiter.acquireOnBehalfOf("real");
          limiter.releaseOnBehalfOf("real");
        });
        yield* sleep(0.5);
        attempt("real"); // waiting for real
        attempt("moved on"); // its task waits, but for "real": no token is free, that is all
        yield* sleep(1); // the token went to "real" and came back
        attempt("dropped");
        limiter.releaseOnBehalfOf("dropped");
        attempt("moved on");
        limiter.releaseOnBehalfOf("moved on");
      });
      return limiter.statistics();
    });
    expect(kept).toMatchObject({ ok: true, value: { borrowedTokens: 0, borrowers: [], tasksWaiting: 0 } });
    expect(log).toEqual([
      "real: CapacityLimiter.acquireOnBehalfOfNowait(): this borrower is already waiting for a token in another task.",
      "moved on: CapacityLimiter.acquireOnBehalfOfNowait(): no token is free; use the blocking variant to wait for one.",
      "dropped acquired",
      "moved on acquired",
    ]);
  });

  it("Condition: notify() moves only real waiters to the lock", async () => {
    const condition = new Condition();
    const record: string[] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* condition.acquire();
          condition.wait().next();
        });
        n.startSoon(function* () {
          yield* sleep(0.5);
          yield* condition.acquire();
          yield* condition.wait();
          record.push("notified");
          condition.release();
        });
        yield* sleep(1);
        yield* condition.acquire();
        condition.notify(1);
        condition.release();
      });
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(record).toEqual(["notified"]);
  });
});

describe("a park stepped by hand and dropped leaves its lot as soon as its task goes on", () => {
  it("to a checkpoint, a sleep or another park: statistics() no longer count it", async () => {
    const lot = new ParkingLot();
    const other = new ParkingLot();
    const counts: number[] = [];
    const kept = await runKeep(function* () {
      lot.park().next();
      counts.push(lot.statistics().tasksWaiting);
      yield* checkpoint();
      counts.push(lot.statistics().tasksWaiting);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          lot.park().next();
          yield* sleep(10);
        });
        n.startSoon(function* () {
          lot.park().next();
          yield* other.park();
        });
        yield* sleep(1);
        counts.push(lot.statistics().tasksWaiting, other.statistics().tasksWaiting);
        other.unparkAll();
      });
      return counts;
    });
    expect(kept).toMatchObject({ ok: true, value: [1, 0, 0, 1] });
  });

  it("Event, Lock, Semaphore, CapacityLimiter, Condition: their statistics count only real waiters", async () => {
    const event = new Event();
    const lock = new Lock();
    const semaphore = new Semaphore(0);
    const limiter = new CapacityLimiter(1);
    const condition = new Condition();
    const kept = await runKeep(function* () {
      let counts: number[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* lock.acquire();
          yield* limiter.acquire();
          yield* condition.acquire();
          condition.wait().next();
          event.wait().next();
          semaphore.acquire().next();
          yield* sleep(2);
          limiter.release();
          lock.release();
        });
        n.startSoon(function* () {
          yield* sleep(0.5);
          lock.acquire().next();
          limiter.acquire().next();
          yield* sleep(2);
        });
        yield* sleep(1);
        counts = [
          event.statistics().tasksWaiting,
          lock.statistics().tasksWaiting,
          semaphore.statistics().tasksWaiting,
          limiter.statistics().tasksWaiting,
          condition.statistics().tasksWaiting,
        ];
      });
      return counts;
    });
    expect(kept).toMatchObject({ ok: true, value: [0, 0, 0, 0, 0] });
  });
});
