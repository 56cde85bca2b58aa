/**
 * Lock, Condition and Queue waiters cancelled at the moment they are
 * woken, after CPython's Lib/test/test_asyncio/test_locks.py and
 * test_queues.py (semantics only; the code and words are ours). Each test
 * names the CPython test it follows.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, Condition, Lock, Queue, QueueFull, type Coroutine } from "../../src/asyncio/index.js";
import { raises, runAio, spin } from "../asyncio/helpers.js";

describe("Lock, after CPython's test_locks", () => {
  // test_cancel_release_race
  it("cancelling the first waiter in the same callback that releases hands the lock to exactly one other waiter", async () => {
    const seen = await runAio(function* (loop) {
      const lock = new Lock();
      let taken = 0;
      let calls = 0;
      function* lockit(): Coroutine<void> {
        calls++;
        yield* lock.acquire();
        taken++;
      }
      yield* lock.acquire();
      const t1 = loop.createTask(lockit());
      const t2 = loop.createTask(lockit());
      const t3 = loop.createTask(lockit());
      yield* spin(1);
      loop.callSoon(() => {
        t1.cancel();
        lock.release();
      });
      const error = yield* raises(() => t1[Symbol.iterator]() as Coroutine<void>);
      yield* spin(1);
      const state = { taken, calls, t1: t1.cancelled(), t2: t2.done(), t3: t3.done(), cancelledError: error instanceof CancelledError };
      t3.cancel();
      yield* spin(1);
      return { ...state, t3Cancelled: t3.cancelled() };
    });
    expect(seen).toEqual({ taken: 1, calls: 3, t1: true, t2: true, t3: false, cancelledError: true, t3Cancelled: true });
  });

  // test_finished_waiter_cancelled
  it("a waiter woken by release() and cancelled before it runs passes the lock to the next waiter", async () => {
    const seen = await runAio(function* (loop) {
      const lock = new Lock();
      yield* lock.acquire();
      const tb = loop.createTask(lock.acquire());
      yield* spin(1);
      const tc = loop.createTask(lock.acquire());
      tb.cancel();
      lock.release();
      yield* spin(1);
      const mid = { locked: lock.locked(), tbCancelled: tb.cancelled() };
      return { ...mid, tc: yield* tc };
    });
    expect(seen).toEqual({ locked: true, tbCancelled: true, tc: true });
  });
});

describe("Condition, after CPython's test_locks", () => {
  // test_wait_cancel_after_notify
  it("a waiter notified and then cancelled while it waits to re-lock ends cancelled once the lock is free", async () => {
    const seen = await runAio(function* (loop) {
      const cond = new Condition();
      let reached = false;
      const waiter = loop.createTask(
        (function* (): Coroutine<void> {
          yield* cond.acquire();
          try {
            reached = true;
            yield* cond.wait();
          } finally {
            cond.release();
          }
        })(),
      );
      yield* spin(2);
      yield* cond.acquire();
      cond.notify();
      yield* spin(1); // the waiter now waits to re-lock
      waiter.cancel();
      yield* spin(1);
      cond.release();
      yield* spin(2);
      return { reached, cancelled: waiter.cancelled(), locked: cond.locked() };
    });
    expect(seen).toEqual({ reached: true, cancelled: true, locked: false });
  });
});

describe("Queue, after CPython's test_queues", () => {
  // test_cancelled_puts_not_being_held_in_self_putters
  it("a cancelled put() leaves the line: the queue takes a new item once there is room, and no phantom putter is woken", async () => {
    const seen = await runAio(function* (loop) {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const put = loop.createTask(q.put(2));
      yield* spin(1);
      put.cancel();
      yield* spin(1);
      const first = q.getNowait();
      q.putNowait(3);
      return { cancelled: put.cancelled(), first, size: q.qsize(), next: q.getNowait() };
    });
    expect(seen).toEqual({ cancelled: true, first: 1, size: 1, next: 3 });
  });

  // test_cancelled_getters_not_being_held_in_self_getters
  it("a cancelled get() leaves the line: the next item goes to a later getter, not to the cancelled one", async () => {
    const seen = await runAio(function* (loop) {
      const q = new Queue<number>();
      const get1 = loop.createTask(q.get());
      yield* spin(1);
      get1.cancel();
      yield* spin(1);
      const get2 = loop.createTask(q.get());
      yield* spin(1);
      q.putNowait(5);
      return { cancelled: get1.cancelled(), got: yield* get2, size: q.qsize() };
    });
    expect(seen).toEqual({ cancelled: true, got: 5, size: 0 });
  });

  // test_nonblocking_put_exception
  it("putNowait() on a full queue raises QueueFull and keeps the queue as it was", async () => {
    const seen = await runAio(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      let error: unknown;
      try {
        q.putNowait(2);
      } catch (e) {
        error = e;
      }
      return { full: error instanceof QueueFull, size: q.qsize(), item: q.getNowait() };
    });
    expect(seen).toEqual({ full: true, size: 1, item: 1 });
  });
});
