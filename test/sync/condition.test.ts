import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  Condition,
  Lock,
  RuntimeError,
  StrictFIFOLock,
  WouldBlock,
  currentTask,
  moveOnAfter,
  openNursery,
  sleep,
  type Operation,
} from "../../src/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

function* waiter(cond: Condition, name: string, record: string[]): Operation<void> {
  yield* cond.withLock(function* () {
    record.push(`wait ${name}`);
    yield* cond.wait();
    expect(cond.lock.statistics().owner).toBe(currentTask());
    record.push(`woke ${name}`);
  });
}

describe("Condition", () => {
  it("uses the given lock, or makes its own", () => {
    const lock = new Lock();
    expect(new Condition(lock).lock).toBe(lock);
    const strict = new StrictFIFOLock();
    expect(new Condition(strict).lock).toBe(strict);
    expect(new Condition().lock).toBeInstanceOf(Lock);
    expect(() => new Condition({} as Lock)).toThrow(TypeError);
    expect(() => new Condition("lock" as unknown as Lock)).toThrow(/takes a Lock/);
  });

  it("delegates acquire, release and locked to its lock", async () => {
    await runMock(function* () {
      const lock = new Lock();
      const cond = new Condition(lock);
      yield* cond.acquire();
      expect(cond.locked()).toBe(true);
      expect(lock.statistics().owner).toBe(currentTask());
      expect(() => cond.acquireNowait()).toThrow(RuntimeError);
      cond.release();
      expect(lock.locked()).toBe(false);
      cond.acquireNowait();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(() => cond.acquireNowait()).toThrow(WouldBlock);
        });
      });
      cond.release();
    });
  });

  it("wait, notify and notifyAll require holding the lock", async () => {
    await runMock(function* () {
      const cond = new Condition();
      let error: unknown = null;
      try {
        yield* cond.wait();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuntimeError);
      expect((error as Error).message).toMatch(/must hold the condition's lock/);
      expect(() => cond.notify()).toThrow(RuntimeError);
      expect(() => cond.notifyAll()).toThrow(RuntimeError);
      yield* openNursery(function* (n) {
        yield* cond.acquire();
        n.startSoon(function* () {
          expect(() => cond.notify()).toThrow(RuntimeError);
        });
        yield* waitAllTasksBlocked();
        cond.release();
      });
    });
  });

  it("wait releases the lock, and returns holding it after notify", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const cond = new Condition();
      yield* openNursery(function* (n) {
        const t = n.startSoon(waiter, cond, "a", record);
        yield* waitAllTasksBlocked();
        expect(record).toEqual(["wait a"]);
        expect(cond.locked()).toBe(false);
        expect(cond.statistics().tasksWaiting).toBe(1);
        expect(t.waitingOn).toBe(cond);
        yield* cond.withLock(function* () {
          cond.notify();
          expect(cond.statistics().tasksWaiting).toBe(0);
          expect(cond.statistics().lockStatistics.tasksWaiting).toBe(1);
          expect(t.waitingOn).toBe(cond.lock);
          yield* sleep(1);
          // Notified, but it cannot run until we release the lock.
          expect(record).toEqual(["wait a"]);
        });
      });
      expect(record).toEqual(["wait a", "woke a"]);
    });
  });

  it("notify(n) wakes n waiters in FIFO order; notifyAll wakes the rest", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const cond = new Condition();
      yield* openNursery(function* (n) {
        for (const name of ["a", "b", "c", "d", "e"]) {
          n.startSoon(waiter, cond, name, record);
          yield* waitAllTasksBlocked();
        }
        expect(cond.statistics().tasksWaiting).toBe(5);
        yield* cond.withLock(function* () {
          cond.notify(0);
          expect(cond.statistics().tasksWaiting).toBe(5);
          cond.notify(2);
          expect(cond.statistics().tasksWaiting).toBe(3);
        });
        yield* waitAllTasksBlocked();
        expect(record.filter((r) => r.startsWith("woke"))).toEqual(["woke a", "woke b"]);
        yield* cond.withLock(function* () {
          cond.notify();
        });
        yield* waitAllTasksBlocked();
        expect(record.filter((r) => r.startsWith("woke"))).toEqual(["woke a", "woke b", "woke c"]);
        yield* cond.withLock(function* () {
          cond.notifyAll();
          expect(cond.statistics().tasksWaiting).toBe(0);
        });
      });
      expect(record.filter((r) => r.startsWith("woke"))).toEqual(["woke a", "woke b", "woke c", "woke d", "woke e"]);
    });
  });

  it("notify with nobody waiting does nothing", async () => {
    await runMock(function* () {
      const cond = new Condition();
      yield* cond.withLock(function* () {
        cond.notify();
        cond.notify(Infinity);
        cond.notifyAll();
      });
      expect(cond.statistics()).toEqual({
        tasksWaiting: 0,
        lockStatistics: { locked: false, owner: null, tasksWaiting: 0 },
      });
    });
  });

  it("notify rejects a bad count", async () => {
    await runMock(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      expect(() => cond.notify(-1)).toThrow(RangeError);
      expect(() => cond.notify(1.5)).toThrow(/non-negative integer or Infinity/);
      expect(() => cond.notify("2" as unknown as number)).toThrow(TypeError);
      cond.release();
    });
  });

  it("a notified waiter queues behind tasks already waiting for the lock", async () => {
    const order: string[] = [];
    await runMock(function* () {
      const cond = new Condition();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* cond.withLock(function* () {
            yield* cond.wait();
            order.push("notified waiter");
          });
        });
        yield* waitAllTasksBlocked();
        yield* cond.acquire();
        n.startSoon(function* () {
          yield* cond.withLock(function* () {
            order.push("lock waiter");
          });
        });
        yield* waitAllTasksBlocked();
        cond.notify();
        cond.release();
      });
    });
    expect(order).toEqual(["lock waiter", "notified waiter"]);
  });

  it("a cancelled wait re-acquires the lock before raising", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const cond = new Condition();
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* cond.acquire();
            try {
              yield* cond.wait();
            } catch (error) {
              record.push(error instanceof Cancelled ? "cancelled" : "other error");
              record.push(cond.lock.statistics().owner === currentTask() ? "holds lock" : "lock lost");
              throw error;
            } finally {
              cond.release();
            }
          });
        });
        yield* waitAllTasksBlocked();
        // Hold the lock while cancelling: the waiter must wait for it, shielded.
        yield* cond.acquire();
        scope.cancel();
        yield* waitAllTasksBlocked();
        const stats = cond.statistics();
        const seen = [...record];
        yield* sleep(1);
        cond.release();
        // Cancelled, it left the condition and queued (shielded) for the lock we hold.
        expect(stats.tasksWaiting).toBe(0);
        expect(stats.lockStatistics.tasksWaiting).toBe(1);
        expect(seen).toEqual([]);
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(cond.locked()).toBe(false);
    });
    expect(record).toEqual(["cancelled", "holds lock"]);
  });

  it("a waiter cancelled after notify, while queued for the lock, still ends holding it", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const cond = new Condition();
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() =>
            cond.withLock(function* () {
              try {
                yield* cond.wait();
                record.push("returned");
              } catch (error) {
                record.push(cond.lock.statistics().owner === currentTask() ? "raised holding lock" : "raised without lock");
                throw error;
              }
            }),
          );
        });
        yield* waitAllTasksBlocked();
        const queued: number[] = [];
        yield* cond.withLock(function* () {
          cond.notify();
          queued.push(cond.statistics().lockStatistics.tasksWaiting);
          scope.cancel();
          queued.push(cond.statistics().lockStatistics.tasksWaiting);
          yield* waitAllTasksBlocked();
          queued.push(cond.statistics().lockStatistics.tasksWaiting);
        });
        // Moved to the lock's queue, taken out by the cancel, then queued again (shielded) to re-acquire.
        expect(queued).toEqual([1, 0, 1]);
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(cond.locked()).toBe(false);
    });
    expect(record).toEqual(["raised holding lock"]);
  });

  it("a wait in an already cancelled scope raises, still holding the lock", async () => {
    await runMock(function* () {
      const cond = new Condition();
      let raised: unknown = null;
      let held = false;
      yield* new CancelScope().run(function* (scope) {
        yield* cond.acquire();
        scope.cancel();
        try {
          yield* cond.wait();
        } catch (error) {
          raised = error;
          held = cond.lock.statistics().owner === currentTask();
          throw error;
        } finally {
          cond.release();
        }
      });
      expect(raised).toBeInstanceOf(Cancelled);
      expect(held).toBe(true);
      expect(cond.locked()).toBe(false);
    });
  });

  it("a timed-out wait leaves nothing behind", async () => {
    await runMock(function* () {
      const cond = new Condition();
      const result = yield* moveOnAfter(3, () =>
        cond.withLock(function* () {
          yield* cond.wait();
          return "notified";
        }),
      );
      expect(result).toBeUndefined();
      expect(cond.statistics()).toEqual({
        tasksWaiting: 0,
        lockStatistics: { locked: false, owner: null, tasksWaiting: 0 },
      });
    });
  });

  it("wait is a checkpoint", async () => {
    await runMock(function* () {
      const cond = new Condition();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* cond.withLock(function* () {
            yield* assertCheckpoints(cond.wait());
          });
        });
        yield* waitAllTasksBlocked();
        yield* cond.withLock(function* () {
          cond.notify();
        });
      });
    });
  });

  it("works as a producer/consumer queue", async () => {
    const consumed: number[] = [];
    await runMock(function* () {
      const cond = new Condition();
      const items: number[] = [];
      let done = false;
      yield* openNursery(function* (n) {
        for (let c = 0; c < 3; c++) {
          n.startSoon(function* () {
            for (;;) {
              const item = yield* cond.withLock(function* () {
                while (items.length === 0 && !done) yield* cond.wait();
                return items.shift();
              });
              if (item === undefined) return;
              consumed.push(item);
              yield* sleep(0.1);
            }
          });
        }
        for (let i = 0; i < 20; i++) {
          yield* sleep(0.05);
          yield* cond.withLock(function* () {
            items.push(i);
            cond.notify();
          });
        }
        yield* cond.withLock(function* () {
          done = true;
          cond.notifyAll();
        });
      });
    });
    expect(consumed).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
