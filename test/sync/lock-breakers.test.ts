/**
 * A lock whose owner ends without releasing it breaks (Trio 0.27.0's
 * parking lot breakers): its waiters, and every later acquire, raise
 * BrokenResourceError naming the task, so the run settles instead of
 * waiting forever. Owners that release, however they end, break nothing.
 */
import { describe, expect, it } from "vitest";
import { BrokenResourceError, Condition, Lock, ParkingLot, StrictFIFOLock, currentTime, moveOnAfter, openNursery, sleep, type Operation } from "../../src/index.js";
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
      expect(log).toEqual(fails ? ["a: broken", "owner's nursery: Error: owner failed"] : ["a: broken"]);
      expect(message).toMatch(/^Lock: <Task #\d+ owner done> ended while holding the lock, so it can never be released\. Release a lock in a finally block, or use withLock\(\)\.$/);
    });
  }

  it("an owner failing beside its waiters breaks the lock before their nursery cancels them, as in Trio", async () => {
    // Trio breaks the lot in the owner's exit, before its nursery hears of
    // the failure: the waiters raise BrokenResourceError, not Cancelled.
    const lock = new Lock();
    const log: string[] = [];
    let failure: unknown;
    await runMock(function* () {
      try {
        yield* openNursery(function* (n) {
          n.startSoonNamed("owner", forgetful, lock, true);
          yield* sleep(0.5);
          n.startSoon(tryAcquire, lock, log, "a");
          n.startSoon(tryAcquire, lock, log, "b");
        });
      } catch (error) {
        failure = error;
      }
    });
    expect(log).toEqual(["a: broken", "b: broken"]);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map(String)).toEqual(["Error: owner failed"]);
  });

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

  it("a Condition waiter notified by a task that then ends holding the lock raises BrokenResourceError from wait()", async () => {
    const cond = new Condition();
    const log: string[] = [];
    await runMock(function* () {
      const done = yield* moveOnAfter(100, function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* cond.acquire();
            try {
              yield* cond.wait();
              log.push("waiter woke");
            } catch (error) {
              // At the notifier's end (t=2), not when the timeout cancels the waiter.
              log.push(`${error instanceof BrokenResourceError ? "waiter: broken" : String(error)} at ${currentTime()}`);
              return; // wait() raised without the lock: nothing to release
            }
            cond.release();
          });
          yield* sleep(1);
          n.startSoon(function* () {
            yield* cond.acquire();
            cond.notify(); // moves the waiter into the lock's queue...
            yield* sleep(1); // ...and ends holding the lock
          });
        });
        return true;
      });
      if (done === undefined) log.push("timed out");
    });
    expect(log).toEqual(["waiter: broken at 2"]);
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
  it("a Condition waiter in withLock whose notifier ends holding the lock hears of the break, not a misleading release error", async () => {
    const cond = new Condition();
    const log: string[] = [];
    const causes: unknown[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            // wait() raises the break without the lock; withLock's release must not hide it.
            yield* cond.withLock(function* () {
              yield* cond.wait();
            });
          } catch (error) {
            log.push(`${(error as Error).name}: ${(error as Error).message}`);
            causes.push((error as Error).cause);
          }
        });
        yield* sleep(1);
        n.startSoon(function* () {
          yield* cond.acquire();
          cond.notify();
          yield* sleep(1);
        });
      });
    });
    expect(log).toHaveLength(1);
    // Trio's error (a RuntimeError from the release), saying why and carrying the break.
    expect(log[0]).toMatch(/^RuntimeError: Lock\.release\(\): the calling <Task #\d+ [^>]*> does not hold the lock, which is broken: Lock: <Task #\d+ \S+ done> ended while holding the lock, so it can never be released\./);
    expect(causes[0]).toBeInstanceOf(BrokenResourceError);
  });

  it("release() by a task that does not hold the lock raises a RuntimeError; on a broken lock it says so, with the break as its cause", async () => {
    const lock = new Lock();
    const errors: unknown[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(forgetful, lock, false);
        yield* sleep(0.5);
        try {
          lock.release();
        } catch (error) {
          errors.push(error);
        }
        n.startSoon(tryAcquire, lock, [], "waiter"); // breaks the lock once the owner ends
        yield* sleep(1);
        try {
          lock.release();
        } catch (error) {
          errors.push(error);
        }
      });
    });
    expect(errors.map((e) => (e as Error).name)).toEqual(["RuntimeError", "RuntimeError"]);
    expect((errors[0] as Error).cause).toBeUndefined();
    expect((errors[1] as Error).message).toMatch(/which is broken: .*ended while holding the lock/);
    expect((errors[1] as Error).cause).toBeInstanceOf(BrokenResourceError);
  });
});
