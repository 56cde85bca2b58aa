import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  Lock,
  RuntimeError,
  StrictFIFOLock,
  WouldBlock,
  checkpoint,
  currentTask,
  openNursery,
  sleep,
  type Operation,
} from "../../src/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

function* raisesIn(op: () => Operation<unknown>): Operation<unknown> {
  try {
    yield* op();
  } catch (error) {
    return error;
  }
  throw new Error("expected the operation to raise");
}

describe.each([
  ["Lock", () => new Lock()],
  ["StrictFIFOLock", () => new StrictFIFOLock()],
] as const)("%s", (kind, make) => {
  it("acquireNowait and release", async () => {
    await runMock(function* () {
      const lock = make();
      expect(lock.locked()).toBe(false);
      expect(lock.statistics()).toEqual({ locked: false, owner: null, tasksWaiting: 0 });
      lock.acquireNowait();
      expect(lock.locked()).toBe(true);
      expect(lock.statistics()).toEqual({ locked: true, owner: expect.anything(), tasksWaiting: 0 });
      expect(lock.statistics().owner).toBe(currentTask());
      lock.release();
      expect(lock.locked()).toBe(false);
      expect(lock.statistics().owner).toBeNull();
    });
  });

  it("acquireNowait raises WouldBlock while another task holds the lock", async () => {
    await runMock(function* () {
      const lock = make();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* lock.acquire();
          yield* sleep(10);
          lock.release();
        });
        yield* waitAllTasksBlocked();
        expect(() => lock.acquireNowait()).toThrow(WouldBlock);
        expect(lock.statistics().tasksWaiting).toBe(0);
      });
      lock.acquireNowait();
      lock.release();
    });
  });

  it("re-acquiring a held lock is reported as a deadlock", async () => {
    await runMock(function* () {
      const lock = make();
      yield* lock.acquire();
      expect(() => lock.acquireNowait()).toThrow(RuntimeError);
      const error = yield* raisesIn(() => lock.acquire());
      expect(error).toBeInstanceOf(RuntimeError);
      expect((error as Error).message).toMatch(new RegExp(`${kind}\\.acquire\\(\\).*deadlock`));
      expect(lock.statistics().owner).toBe(currentTask());
      expect(lock.statistics().tasksWaiting).toBe(0);
      lock.release();
    });
  });

  it("only the owner may release", async () => {
    await runMock(function* () {
      const lock = make();
      expect(() => lock.release()).toThrow(/not held/);
      yield* lock.acquire();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(() => lock.release()).toThrow(RuntimeError);
          expect(() => lock.release()).toThrow(/only the owner may release it/);
        });
      });
      expect(lock.locked()).toBe(true);
      lock.release();
      expect(() => lock.release()).toThrow(RuntimeError);
    });
  });

  it("must be used inside a task", () => {
    const lock = make();
    expect(() => lock.acquireNowait()).toThrow(RuntimeError);
    expect(() => lock.release()).toThrow(RuntimeError);
    expect(() => lock.acquire().next()).toThrow(/inside a task of run\(\)/);
  });

  it("waiters acquire in the order they arrived", async () => {
    const order: number[] = [];
    await runMock(function* () {
      const lock = make();
      yield* lock.acquire();
      yield* openNursery(function* (n) {
        for (let i = 0; i < 5; i++) {
          n.startSoon(function* () {
            yield* lock.acquire();
            order.push(i);
            yield* sleep(1);
            lock.release();
          });
          yield* waitAllTasksBlocked();
        }
        expect(lock.statistics().tasksWaiting).toBe(5);
        lock.release();
      });
    });
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it("release hands the lock to the first waiter: no barging", async () => {
    await runMock(function* () {
      const lock = make();
      yield* lock.acquire();
      yield* openNursery(function* (n) {
        const waiter = n.startSoon(function* () {
          yield* lock.acquire();
          lock.release();
        });
        yield* waitAllTasksBlocked();
        lock.release();
        // The waiter owns the lock before it even runs.
        expect(lock.statistics().owner).toBe(waiter);
        expect(lock.statistics().tasksWaiting).toBe(0);
        expect(() => lock.acquireNowait()).toThrow(WouldBlock);
      });
      expect(lock.locked()).toBe(false);
    });
  });

  it("acquireNowait refuses a free lock that others are queued for", async () => {
    // Only reachable through the hand-off: between release() and the waiter
    // running, the lock is owned, and a third task must queue behind.
    const order: string[] = [];
    await runMock(function* () {
      const lock = make();
      yield* lock.acquire();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* lock.acquire();
          order.push("first");
          lock.release();
        });
        yield* waitAllTasksBlocked();
        lock.release();
        yield* lock.acquire();
        order.push("main");
        lock.release();
      });
    });
    expect(order).toEqual(["first", "main"]);
  });

  it("is fair under contention: tasks take turns", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lock = make();
      function* loopy(name: string): Operation<void> {
        for (let i = 0; i < 4; i++) {
          yield* lock.acquire();
          record.push(name);
          yield* checkpoint();
          lock.release();
        }
      }
      yield* openNursery(function* (n) {
        n.startSoon(loopy, "a");
        n.startSoon(loopy, "b");
        n.startSoon(loopy, "c");
      });
    });
    expect(record.join("")).toBe("abcabcabcabc");
  });

  it("keeps critical sections exclusive", async () => {
    let inside = 0;
    let maxInside = 0;
    let done = 0;
    await runMock(function* () {
      const lock = make();
      yield* openNursery(function* (n) {
        for (let i = 0; i < 10; i++) {
          n.startSoon(function* () {
            yield* sleep(i % 3);
            yield* lock.withLock(function* () {
              inside++;
              maxInside = Math.max(maxInside, inside);
              yield* sleep(0.5);
              inside--;
            });
            done++;
          });
        }
      });
    });
    expect(maxInside).toBe(1);
    expect(done).toBe(10);
  });

  it("a cancelled waiter leaves the queue and never gets the lock", async () => {
    const order: string[] = [];
    await runMock(function* () {
      const lock = make();
      const scope = new CancelScope();
      yield* lock.acquire();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* lock.acquire();
            order.push("cancelled one got it");
          });
        });
        yield* waitAllTasksBlocked();
        const second = n.startSoon(function* () {
          yield* lock.acquire();
          order.push("second");
          lock.release();
        });
        yield* waitAllTasksBlocked();
        expect(lock.statistics().tasksWaiting).toBe(2);
        scope.cancel();
        expect(lock.statistics().tasksWaiting).toBe(1);
        lock.release();
        expect(lock.statistics().owner).toBe(second);
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(lock.statistics()).toEqual({ locked: false, owner: null, tasksWaiting: 0 });
    });
    expect(order).toEqual(["second"]);
  });

  it("acquire is a checkpoint even when the lock is free", async () => {
    await runMock(function* () {
      const lock = make();
      yield* assertCheckpoints(lock.acquire());
      expect(lock.locked()).toBe(true);
      lock.release();
    });
  });

  it("acquire raises Cancelled in a cancelled scope even when the lock is free, and does not take it", async () => {
    await runMock(function* () {
      const lock = make();
      let raised: unknown = null;
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        raised = yield* raisesIn(() => lock.acquire());
      });
      expect(raised).toBeInstanceOf(Cancelled);
      expect(lock.locked()).toBe(false);
    });
  });

  it("withLock returns the body's result and releases", async () => {
    await runMock(function* () {
      const lock = make();
      const result = yield* lock.withLock(function* () {
        expect(lock.statistics().owner).toBe(currentTask());
        yield* checkpoint();
        return 7;
      });
      expect(result).toBe(7);
      expect(lock.locked()).toBe(false);
    });
  });

  it("withLock releases when the body raises", async () => {
    await runMock(function* () {
      const lock = make();
      const error = yield* raisesIn(() =>
        lock.withLock(function* () {
          yield* checkpoint();
          throw new Error("boom");
        }),
      );
      expect((error as Error).message).toBe("boom");
      expect(lock.locked()).toBe(false);
    });
  });

  it("withLock cancelled while waiting never runs the body", async () => {
    let ran = false;
    await runMock(function* () {
      const lock = make();
      yield* lock.acquire();
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() =>
            lock.withLock(function* () {
              ran = true;
            }),
          );
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
      expect(lock.statistics().owner).toBe(currentTask());
      expect(lock.statistics().tasksWaiting).toBe(0);
      lock.release();
    });
    expect(ran).toBe(false);
  });

  it("withLock rejects a body that is not a generator function", async () => {
    await runMock(function* () {
      const lock = make();
      const error = yield* raisesIn(() => lock.withLock((async () => 1) as unknown as () => Operation<number>));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/generator/);
      expect(lock.locked()).toBe(false);
    });
  });

  it("shows the lock as what a blocked task waits on", async () => {
    await runMock(function* () {
      const lock = make();
      yield* lock.acquire();
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          yield* lock.withLock(function* () {});
        });
        yield* waitAllTasksBlocked();
        expect(t.waitingOn).toBe(lock);
        expect(String(lock)).toContain(kind);
        lock.release();
      });
    });
  });

  it("can be created outside a run and used by several runs", async () => {
    const lock = make();
    for (let i = 0; i < 2; i++) {
      await runMock(function* () {
        yield* lock.withLock(function* () {
          yield* sleep(1);
        });
      });
    }
    expect(lock.locked()).toBe(false);
  });
});

it("StrictFIFOLock is a Lock", () => {
  expect(new StrictFIFOLock()).toBeInstanceOf(Lock);
});
