/**
 * An asyncio primitive's wait stepped by hand (`g.next()` on `get()`,
 * `acquire()`, `Condition.wait()`) and dropped leaves a Future in the
 * primitive's line that nobody awaits. The wake-ups pass it over, as if it
 * were cancelled. Before, the wake-up was spent on it: the task really
 * waiting hung (here, a waitFor's TimeoutError), and a free Lock or
 * Semaphore with such a Future in line made every later acquire() wait
 * forever. And once the Task's step that made it ends without yielding it,
 * it leaves the line and is cancelled (the last describe).
 */
import { describe, expect, it } from "vitest";
import { Barrier, BrokenBarrierError, Condition, Event, Lock, Queue, Semaphore, createTask, gather, sleep, waitFor } from "../../src/asyncio/index.js";
import type { Future } from "../../src/asyncio/future.js";
import type { Coroutine } from "../../src/asyncio/types.js";
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

describe("a waiter stepped by hand and dropped leaves its line when the step that made it ends", () => {
  it("Event, Lock, Semaphore, Condition, Queue get/put: no Future of it is left in line, and each is cancelled", async () => {
    const shown = await runAio(function* () {
      const event = new Event();
      const lock = new Lock();
      const semaphore = new Semaphore(0);
      const condition = new Condition();
      const queue = new Queue<number>(1);
      const full = new Queue<number>(1);
      full.putNowait(0);
      yield* lock.acquire();
      const dropped: unknown[] = [];
      const task = createTask(
        (function* () {
          // Each wait is dropped by the next one, the last by the yield of another Future (sleep).
          dropped.push(event.wait().next().value);
          dropped.push(lock.acquire().next().value);
          dropped.push(semaphore.acquire().next().value);
          dropped.push(queue.get().next().value);
          dropped.push(full.put(1).next().value);
          yield* condition.acquire();
          dropped.push(condition.wait().next().value);
          yield* sleep(10);
        })(),
      );
      yield* sleep(1);
      const shown = [event, lock, semaphore, condition, queue, full].map(String);
      shown.push(dropped.map((f) => (f as Future<unknown>).cancelled()).join());
      task.cancel();
      return shown;
    });
    expect(shown).toEqual([
      "<asyncio.Event [unset]>",
      "<asyncio.Lock [locked]>",
      "<asyncio.Semaphore [locked]>",
      "<asyncio.Condition [unlocked]>",
      "<asyncio.Queue maxsize=1>",
      "<asyncio.Queue maxsize=1 items=[0] tasks=1>",
      "true,true,true,true,true,true",
    ]);
  });

  it("stepped in a loop callback (no Task): the waits leave their lines when the loop's run of callbacks ends, not only passed over", async () => {
    const shown = await runAio(function* (loop) {
      const event = new Event();
      const lock = new Lock();
      const semaphore = new Semaphore(0);
      const queue = new Queue<number>(1);
      const full = new Queue<number>(1);
      full.putNowait(0);
      yield* lock.acquire();
      const dropped: unknown[] = [];
      const inCallback: string[] = [];
      loop.callSoon(() => {
        dropped.push(event.wait().next().value);
        dropped.push(lock.acquire().next().value);
        dropped.push(full.put(1).next().value);
        dropped.push(queue.get().next().value);
        // The last one, still in line until the callbacks end: a wake in the meantime passes it over.
        dropped.push(semaphore.acquire().next().value);
        inCallback.push(String(semaphore));
      });
      yield* sleep(1);
      const shown = [...inCallback, ...[event, lock, semaphore, queue, full].map(String)];
      shown.push(dropped.map((f) => (f as Future<unknown>).cancelled()).join());
      return shown;
    });
    expect(shown).toEqual([
      "<asyncio.Semaphore [locked, waiters:1]>",
      "<asyncio.Event [unset]>",
      "<asyncio.Lock [locked]>",
      "<asyncio.Semaphore [locked]>",
      "<asyncio.Queue maxsize=1>",
      "<asyncio.Queue maxsize=1 items=[0] tasks=1>",
      "true,true,true,true,true",
    ]);
  });

  it("a task that ends right after dropping its wait leaves nothing in line", async () => {
    const shown = await runAio(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const queue = new Queue<number>();
      const a = createTask(
        (function* () {
          lock.acquire().next();
        })(),
      );
      const b = createTask(
        (function* () {
          queue.get().next();
          throw new Error("boom");
        })(),
      );
      yield* sleep(1);
      b.exception();
      return [String(lock), String(queue), a.done()];
    });
    expect(shown).toEqual(["<asyncio.Lock [locked]>", "<asyncio.Queue maxsize=0>", true]);
  });

  it("an Event set in the same step, after the wait was dropped: the woken Future leaves the line too", async () => {
    const shown = await runAio(function* () {
      const event = new Event();
      createTask(
        (function* () {
          event.wait().next();
          event.set();
        })(),
      );
      yield* sleep(1);
      event.clear();
      return String(event);
    });
    expect(shown).toBe("<asyncio.Event [unset]>");
  });

  it("a hand-written driver that yields the wait's Future and resumes the wait keeps its place in line", async () => {
    const record = await runAio(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const record: string[] = [];
      // A hand-written yield*, with an eager task started between the wait and its yield.
      function* drive<T>(g: Coroutine<T>): Generator<unknown, T, unknown> {
        let r = g.next();
        createTask(
          (function* () {
            record.push("eager");
            yield* sleep(0);
          })(),
          { eagerStart: true },
        );
        while (r.done !== true) {
          let sent: unknown;
          try {
            sent = yield r.value;
          } catch (error) {
            r = g.throw(error);
            continue;
          }
          r = g.next(sent);
        }
        return r.value;
      }
      const waiter = createTask(
        (function* () {
          yield* (drive(lock.acquire()) as Coroutine<true>);
          record.push("acquired");
        })(),
      );
      yield* sleep(1);
      record.push(String(lock));
      lock.release();
      yield* waitFor(waiter, 3);
      return record;
    });
    expect(record).toEqual(["eager", "<asyncio.Lock [locked, waiters:1]>", "acquired"]);
  });
});

/** `barrier.parties` tasks wait at `barrier`: their indexes, or the TimeoutError of a barrier that does not fill right. */
function* passAll(barrier: Barrier): Coroutine<number[]> {
  const waits = Array.from({ length: barrier.parties }, () => createTask(barrier.wait()));
  const indexes = yield* waitFor(gather(...waits), 3);
  return [...indexes].sort();
}

describe("a Barrier wait stepped by hand and dropped", () => {
  it("filling: the arrival is undone at the end of the step, as if that party never came", async () => {
    const shown = await runAio(function* () {
      const barrier = new Barrier(2);
      createTask(
        (function* () {
          barrier.wait().next();
        })(),
      );
      yield* sleep(1);
      return [String(barrier), barrier.nWaiting, yield* passAll(barrier), String(barrier)];
    });
    expect(shown).toEqual(["<asyncio.Barrier [filling, waiters:0/2]>", 0, [0, 1], "<asyncio.Barrier [filling, waiters:0/2]>"]);
  });

  it("draining: a party released in the same step leaves at the step's end, and the barrier reopens", async () => {
    const shown = await runAio(function* () {
      const barrier = new Barrier(2);
      let second = -1;
      createTask(
        (function* () {
          barrier.wait().next();
          // The same step arrives again: the barrier fills (the dropped party counts, it arrived first) and drains.
          second = yield* barrier.wait();
          yield* sleep(10);
        })(),
      );
      yield* sleep(1);
      return [second, String(barrier), yield* passAll(barrier)];
    });
    expect(shown).toEqual([1, "<asyncio.Barrier [filling, waiters:0/2]>", [0, 1]]);
  });

  it("resetting: the dropped party leaves like the others, which get BrokenBarrierError, and the barrier refills", async () => {
    const shown = await runAio(function* () {
      const barrier = new Barrier(3);
      const waiting = createTask(barrier.wait());
      yield* sleep(1);
      createTask(
        (function* () {
          barrier.wait().next();
          yield* barrier.reset();
        })(),
      );
      const broken = yield* waitFor(gather(waiting, { returnExceptions: true }), 3);
      return [broken[0] instanceof BrokenBarrierError, String(barrier), yield* passAll(barrier)];
    });
    expect(shown).toEqual([true, "<asyncio.Barrier [filling, waiters:0/3]>", [0, 1, 2]]);
  });

  it("broken: the dropped party leaves, so reset() refills the barrier at once", async () => {
    const shown = await runAio(function* () {
      const barrier = new Barrier(2);
      createTask(
        (function* () {
          barrier.wait().next();
          yield* barrier.abort();
        })(),
      );
      yield* sleep(1);
      const shown: unknown[] = [String(barrier)];
      yield* barrier.reset();
      shown.push(String(barrier), yield* passAll(barrier));
      return shown;
    });
    expect(shown).toEqual(["<asyncio.Barrier [broken]>", "<asyncio.Barrier [filling, waiters:0/2]>", [0, 1]]);
  });

  it("dropped while waiting to enter a draining barrier: nothing to undo, its arrival was never counted", async () => {
    const shown = await runAio(function* () {
      const barrier = new Barrier(2);
      const first = createTask(barrier.wait());
      yield* sleep(1);
      createTask(
        (function* () {
          yield* barrier.wait(); // fills it; `first` has not left yet, so it still drains
          barrier.wait().next();
        })(),
      );
      yield* waitFor(first, 3);
      yield* sleep(1);
      return [String(barrier), yield* passAll(barrier)];
    });
    expect(shown).toEqual(["<asyncio.Barrier [filling, waiters:0/2]>", [0, 1]]);
  });

  it("an eager task that waits, started between the wait and the end of the step, does not hide the dropped arrival", async () => {
    const shown = await runAio(function* () {
      const barrier = new Barrier(2);
      const event = new Event();
      createTask(
        (function* () {
          barrier.wait().next();
          createTask(event.wait(), { eagerStart: true });
        })(),
      );
      yield* sleep(1);
      event.set();
      return [barrier.nWaiting, yield* passAll(barrier)];
    });
    expect(shown).toEqual([0, [0, 1]]);
  });

  it("a dropped wait resumed later raises CancelledError and does not leave a second time", async () => {
    const shown = await runAio(function* () {
      const barrier = new Barrier(2);
      const wait = barrier.wait();
      wait.next();
      yield* sleep(1); // the step ends: the wait is dropped, its arrival undone
      const shown: unknown[] = [barrier.nWaiting];
      try {
        wait.next();
      } catch (error) {
        shown.push((error as Error).name);
      }
      shown.push(barrier.nWaiting, yield* passAll(barrier));
      return shown;
    });
    expect(shown).toEqual([0, "CancelledError", 0, [0, 1]]);
  });
});
