/**
 * An asyncio primitive's wait stepped by hand (`g.next()` on `get()`,
 * `acquire()`, `Condition.wait()`) and dropped leaves a Future in the
 * primitive's line that nobody awaits. The wake-ups pass it over, as if it
 * were cancelled. Before, the wake-up was spent on it: the task really
 * waiting hung (here, a waitFor's TimeoutError), and a free Lock or
 * Semaphore with such a Future in line made every later acquire() wait
 * forever.
 */
import { describe, expect, it } from "vitest";
import { Condition, Lock, Queue, Semaphore, createTask, sleep, waitFor } from "../../src/asyncio/index.js";
import { runAio } from "./helpers.js";

describe("a waiter stepped by hand and dropped", () => {
  it("Queue: the item goes to the getter that waits", async () => {
    const got = await runAio(function* () {
      const queue = new Queue<number>();
      createTask(
        (function* () {
          queue.get().next();
        })(),
      );
      const getter = createTask(queue.get());
      yield* sleep(1);
      queue.putNowait(42);
      return yield* waitFor(getter, 3);
    });
    expect(got).toBe(42);
  });

  it("Queue: put() waiting for room is woken by a get()", async () => {
    const got = await runAio(function* () {
      const queue = new Queue<number>(1);
      queue.putNowait(1);
      createTask(
        (function* () {
          queue.put(2).next();
        })(),
      );
      const putter = createTask(queue.put(3));
      yield* sleep(1);
      queue.getNowait();
      yield* waitFor(putter, 3);
      return queue.getNowait();
    });
    expect(got).toBe(3);
  });

  it("Lock: release() hands the lock to the task that waits", async () => {
    const record = await runAio(function* () {
      const lock = new Lock();
      const record: string[] = [];
      yield* lock.acquire();
      createTask(
        (function* () {
          lock.acquire().next();
        })(),
      );
      const waiter = createTask(
        (function* () {
          yield* lock.acquire();
          record.push("acquired");
          lock.release();
        })(),
      );
      yield* sleep(1);
      lock.release();
      yield* waitFor(waiter, 3);
      return record;
    });
    expect(record).toEqual(["acquired"]);
  });

  it("Lock and Semaphore: released with only a dropped waiter in line: free, and acquire() returns at once", async () => {
    const result = await runAio(function* () {
      const lock = new Lock();
      const semaphore = new Semaphore(0);
      yield* lock.acquire();
      createTask(
        (function* () {
          lock.acquire().next();
          semaphore.acquire().next();
        })(),
      );
      yield* sleep(1);
      lock.release();
      semaphore.release();
      const locked = [lock.locked(), semaphore.locked()];
      yield* waitFor(lock.acquire(), 3);
      yield* waitFor(semaphore.acquire(), 3);
      return locked;
    });
    expect(result).toEqual([false, false]);
  });

  it("Condition: notify(1) wakes the task that waits", async () => {
    const record = await runAio(function* () {
      const condition = new Condition();
      const record: string[] = [];
      createTask(
        (function* () {
          yield* condition.acquire();
          condition.wait().next();
        })(),
      );
      const waiter = createTask(
        (function* () {
          yield* condition.acquire();
          yield* condition.wait();
          record.push("notified");
          condition.release();
        })(),
      );
      yield* sleep(1);
      yield* condition.acquire();
      condition.notify(1);
      condition.release();
      yield* waitFor(waiter, 3);
      return record;
    });
    expect(record).toEqual(["notified"]);
  });
});
