/**
 * A lock whose owner ends without releasing it breaks (Trio 0.25's parking
 * lot breakers): its waiters, and every later acquire, raise
 * BrokenResourceError naming the task, so the run settles instead of
 * waiting forever. Owners that release, however they end, break nothing.
 */
import { describe, expect, it } from "vitest";
import { BrokenResourceError, Lock, ParkingLot, StrictFIFOLock, openNursery, sleep, type Operation } from "../../src/index.js";
import { runMock } from "./helpers.js";

/** Takes the lock and ends, maybe failing, without releasing it. */
function* forgetful(lock: Lock, fails: boolean): Operation<void> {
  yield* lock.acquire();
  yield* sleep(1);
  if (fails) throw new Error("owner failed");
}

/** Acquires and reports how that went. */
function* tryAcquire(lock: Lock, log: string[], who: string): Operation<void> {
  try {
    yield* lock.acquire();
    log.push(`${who} acquired`);
    lock.release();
  } catch (error) {
    log.push(`${who}: ${error instanceof BrokenResourceError ? "broken" : String(error)}`);
  }
}

describe("a lock whose owner ends without releasing it", () => {
  for (const fails of [false, true]) {
    it(`breaks for the tasks waiting (owner ${fails ? "failed" : "returned"}), with a message naming the owner`, async () => {
      const lock = new Lock();
      const log: string[] = [];
      let message = "";
      await runMock(function* () {
        yield* openNursery(function* (n) {
          // The owner's failure stays in its own nursery: the waiters' nursery is not cancelled by it.
          n.startSoon(function* () {
            try {
              yield* openNursery(function* (inner) {
                inner.startSoonNamed("owner", forgetful, lock, fails);
              });
            } catch (error) {
              log.push(`owner's nursery: ${String((error as AggregateError).errors[0])}`);
            }
          });
          yield* sleep(0.5);
            n.startSoon(tryAcquire, lock, log, "a");
            n.startSoon(function* () {
              try {
                yield* lock.acquire();
              } catch (error) {
                message = (error as Error).message;
              }
          });
        });
      });
      expect(log).toEqual(fails ? ["owner's nursery: Error: owner failed", "a: broken"] : ["a: broken"]);
      expect(message).toMatch(/^Lock: <Task #\d+ owner done> ended while holding the lock, so it can never be released\. Release a lock in a finally block, or use withLock\(\)\.$/);
    });
  }

  it("a later acquire raises at once, even when nobody was waiting when the owner ended", async () => {
    const lock = new StrictFIFOLock();
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(forgetful, lock, false);
      });
      yield* tryAcquire(lock, log, "late");
      yield* tryAcquire(lock, log, "later");
    });
    expect(log).toEqual(["late: broken", "later: broken"]);
    expect(lock.locked()).toBe(true);
  });

  it("the lock handed to a waiter that then ends holding it breaks for the next waiter", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* lock.acquire();
          yield* sleep(1);
          lock.release();
        });
        yield* sleep(0.1);
        n.startSoon(forgetful, lock, false); // gets the lock from the first, never releases it
        yield* sleep(0.1);
        n.startSoon(tryAcquire, lock, log, "third");
      });
    });
    expect(log).toEqual(["third: broken"]);
  });

  it("owners that release, in finally or by withLock, break nothing, cancelled or not", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* lock.withLock(() => sleep(10));
        });
        yield* sleep(0.1);
        n.startSoon(tryAcquire, lock, log, "a");
        yield* sleep(0.1);
        n.cancelScope.cancel(); // the owner is cancelled inside withLock; "a" is cancelled while waiting
      });
      yield* tryAcquire(lock, log, "b");
    });
    expect(log).toEqual(["a: Cancelled", "b acquired"]);
    expect(lock.locked()).toBe(false);
  });

  it("a task reparked into a broken lot raises instead of waiting forever", async () => {
    const lock = new Lock();
    const other = new ParkingLot();
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(forgetful, lock, false);
        yield* sleep(0.5);
        n.startSoon(tryAcquire, lock, log, "waiter");
        yield* sleep(1); // the owner has ended: the lock's lot is broken
        n.startSoon(function* () {
          try {
            yield* other.park();
          } catch (error) {
            log.push(error instanceof BrokenResourceError ? "reparked: broken" : String(error));
          }
        });
        yield* sleep(0.1);
        other.reparkAll(lock.lot);
      });
    });
    expect(log).toEqual(["waiter: broken", "reparked: broken"]);
  });
});
