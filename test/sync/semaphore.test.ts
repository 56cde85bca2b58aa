import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  RuntimeError,
  Semaphore,
  WouldBlock,
  checkpoint,
  openNursery,
  runWith,
  sleep,
} from "../../src/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

describe("Semaphore", () => {
  it("validates its arguments", () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(/non-negative integer/);
    expect(() => new Semaphore("3" as unknown as number)).toThrow(TypeError);
    expect(() => new Semaphore(Infinity)).toThrow(RangeError);
    expect(() => new Semaphore(3, { maxValue: 2 })).toThrow(/maxValue \(2\) must be at least initialValue \(3\)/);
    expect(() => new Semaphore(1, { maxValue: 2.5 })).toThrow(RangeError);
    expect(() => new Semaphore(1, null as unknown as object)).toThrow(/options object/);
    expect(new Semaphore(0).value).toBe(0);
    expect(new Semaphore(2).maxValue).toBeUndefined();
    expect(new Semaphore(2, { maxValue: 2 }).maxValue).toBe(2);
  });

  it("counts permits; acquireNowait raises WouldBlock at 0", async () => {
    await runMock(function* () {
      const sem = new Semaphore(2);
      yield* sem.acquire();
      expect(sem.value).toBe(1);
      sem.acquireNowait();
      expect(sem.value).toBe(0);
      expect(() => sem.acquireNowait()).toThrow(WouldBlock);
      sem.release();
      sem.release();
      expect(sem.value).toBe(2);
      sem.release(); // unbounded: may go above the initial value
      expect(sem.value).toBe(3);
    });
  });

  it("release past maxValue raises and leaves the value alone", async () => {
    await runMock(function* () {
      const sem = new Semaphore(1, { maxValue: 1 });
      expect(() => sem.release()).toThrow(/released too many times/);
      expect(sem.value).toBe(1);
      yield* sem.acquire();
      sem.release();
      expect(sem.value).toBe(1);
    });
  });

  it("hands a released permit to the first waiter: FIFO, no barging", async () => {
    const order: number[] = [];
    await runMock(function* () {
      const sem = new Semaphore(0, { maxValue: 1 });
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3; i++) {
          n.startSoon(function* () {
            yield* sem.acquire();
            order.push(i);
          });
          yield* waitAllTasksBlocked();
        }
        expect(sem.statistics()).toEqual({ tasksWaiting: 3 });
        sem.release();
        expect(sem.value).toBe(0);
        expect(sem.statistics()).toEqual({ tasksWaiting: 2 });
        expect(() => sem.acquireNowait()).toThrow(WouldBlock);
        // With waiters the permit goes to them, so maxValue is not reached.
        sem.release();
        sem.release();
        expect(sem.value).toBe(0);
      });
      sem.release();
      expect(sem.value).toBe(1);
    });
    expect(order).toEqual([0, 1, 2]);
  });

  it("a cancelled waiter leaves the queue without taking a permit", async () => {
    await runMock(function* () {
      const sem = new Semaphore(0);
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => sem.acquire());
        });
        yield* waitAllTasksBlocked();
        expect(sem.statistics().tasksWaiting).toBe(1);
        scope.cancel();
        expect(sem.statistics().tasksWaiting).toBe(0);
      });
      expect(scope.cancelledCaught).toBe(true);
      sem.release();
      expect(sem.value).toBe(1);
    });
  });

  it("acquire is a checkpoint; in a cancelled scope it raises without taking a permit", async () => {
    await runMock(function* () {
      const sem = new Semaphore(1);
      yield* assertCheckpoints(sem.acquire());
      expect(sem.value).toBe(0);
      sem.release();
      let raised: unknown = null;
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        try {
          yield* sem.acquire();
        } catch (error) {
          raised = error;
          throw error;
        }
      });
      expect(raised).toBeInstanceOf(Cancelled);
      expect(sem.value).toBe(1);
    });
  });

  it("withSemaphore bounds concurrency and releases on error", async () => {
    let inside = 0;
    let maxInside = 0;
    await runMock(function* () {
      const sem = new Semaphore(3);
      yield* openNursery(function* (n) {
        for (let i = 0; i < 10; i++) {
          n.startSoon(function* () {
            yield* sem.withSemaphore(function* () {
              inside++;
              maxInside = Math.max(maxInside, inside);
              yield* sleep(1 + (i % 2));
              inside--;
            });
          });
        }
      });
      expect(sem.value).toBe(3);
      let caught: unknown = null;
      try {
        yield* sem.withSemaphore(function* () {
          yield* checkpoint();
          throw new Error("body failed");
        });
      } catch (error) {
        caught = error;
      }
      expect((caught as Error).message).toBe("body failed");
      expect(sem.value).toBe(3);
      const result = yield* sem.withSemaphore(function* () {
        return "ok";
      });
      expect(result).toBe("ok");
    });
    expect(maxInside).toBe(3);
  });

  it("release works from a plain callback outside the run", async () => {
    const sem = new Semaphore(0);
    setTimeout(() => sem.release(), 1);
    await runWith({}, function* () {
      yield* sem.acquire();
    });
    expect(sem.value).toBe(0);
  });

  it("blocking acquire needs a task (acquireNowait does not); shows the semaphore as what a task waits on", async () => {
    const sem = new Semaphore(0);
    expect(() => sem.acquireNowait()).toThrow(WouldBlock);
    expect(() => sem.acquire().next()).toThrow(RuntimeError);
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          yield* sem.acquire();
        });
        yield* waitAllTasksBlocked();
        expect(t.waitingOn).toBe(sem);
        expect(String(sem)).toBe("<Semaphore value=0, 1 waiting>");
        sem.release();
      });
    });
  });
});
