/**
 * Lock, Condition, Semaphore, Barrier and Queue rules taken from CPython's
 * Lib/test/test_asyncio/test_locks.py and test_queues.py (semantics only;
 * the code and words are ours). Each test names the CPython test it
 * follows. Rules already covered by test/asyncio/locks.test.ts and
 * queues.test.ts are not repeated here.
 */
import { describe, expect, it } from "vitest";
import {
  Barrier,
  BrokenBarrierError,
  CancelledError,
  Condition,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueShutDown,
  Semaphore,
  TaskGroup,
  TimeoutError,
  timeout,
  ValueError,
  createTask,
  gather,
  sleep,
  waitFor,
  type Coroutine,
  type Future,
} from "../../src/asyncio/index.js";
import { raises, runAio, spin } from "../asyncio/helpers.js";

/** A Task or Future as a coroutine, for raises(). */
function* awaited<T>(f: Future<T>): Coroutine<T> {
  return yield* f;
}

describe("Condition, after CPython's test_locks", () => {
  // test_timeout_in_block
  it("a wait() cut short by waitFor's timeout gives the lock back before TimeoutError reaches the block", async () => {
    const r = await runAio(function* () {
      const cond = new Condition();
      return yield* cond.withLock(function* () {
        const e = yield* raises(() => waitFor(cond.wait(), 0.5));
        return { e, locked: cond.locked() };
      });
    });
    expect(r.e).toBeInstanceOf(TimeoutError);
    expect(r.locked).toBe(true);
  });
});

describe("Condition and cancellation, after CPython 3.13's test_locks", () => {
  // test_cancelled_error_wakeup and test_cancelled_error_re_aquire
  it("a task cancelled while waiting, or while re-acquiring after notify: the same CancelledError, with its message, reaches the awaiter", async () => {
    for (const where of ["waiting", "reacquiring"] as const) {
      const r = await runAio(function* () {
        const cond = new Condition();
        let wake = false;
        let raised: unknown = null;
        const task = createTask(
          cond.withLock(function* () {
            try {
              yield* cond.waitFor(() => wake);
            } catch (e) {
              raised = e;
            }
            throw raised;
          }),
        );
        yield* sleep(0);
        if (where === "reacquiring") {
          yield* cond.acquire();
          wake = true;
          cond.notify();
          yield* sleep(0);
          task.cancel("foo");
          cond.release();
        } else {
          task.cancel("foo");
        }
        const e = yield* raises(() => awaited(task));
        return { e, raised };
      });
      expect(r.e).toBeInstanceOf(CancelledError);
      expect((r.e as CancelledError).message).toBe("foo");
      expect(r.e).toBe(r.raised);
    }
  });

  // test_cancelled_wakeup and test_cancelled_wakeup_relock
  it("a consumer cancelled just as notify(1) woke it, before it runs or while it re-locks, does not lose the wakeup", async () => {
    for (const relock of [false, true]) {
      const state = await runAio(function* () {
        const cond = new Condition();
        let st = 0;
        const consumer = () =>
          createTask(
            cond.withLock(function* () {
              for (;;) {
                yield* cond.waitFor(() => st !== 0);
                if (st < 0) return;
                st -= 1;
              }
            }),
          );
        const c = [consumer(), consumer()];
        yield* sleep(0);
        let seen = -99;
        yield* cond.withLock(function* () {
          st += 1;
          cond.notify(1);
          if (relock) yield* sleep(0);
          c[0]!.cancel();
          try {
            yield* timeout(0.01).run(function* () {
              yield* cond.waitFor(() => st === 0);
            });
          } catch (e) {
            if (!(e instanceof TimeoutError)) throw e;
          }
          seen = st;
          st = -1;
          cond.notifyAll();
        });
        yield* awaited(c[1]!);
        return seen;
      });
      expect(state).toBe(0);
    }
  });
});

describe("Semaphore, after CPython's test_locks", () => {
  // test_acquire
  it("two releases with three waiters and a newcomer: exactly two of the three racing tasks get a unit", async () => {
    const r = await runAio(function* () {
      const sem = new Semaphore(3);
      const out: number[] = [];
      yield* sem.acquire();
      yield* sem.acquire();
      const make = (n: number) =>
        createTask(
          (function* () {
            yield* sem.acquire();
            out.push(n);
            return true;
          })(),
        );
      const t1 = make(1);
      const t2 = make(2);
      const t3 = make(3);
      yield* sleep(0);
      const afterFirst = [...out];
      const t4 = make(4);
      sem.release();
      sem.release();
      yield* sleep(0);
      const snapshot = { count: out.length, locked: sem.locked(), t1: t1.done() };
      const doneRacers = [t2, t3, t4].filter((t) => t.done()).length;
      sem.release();
      yield* gather(t2, t3, t4);
      return { afterFirst, snapshot, doneRacers };
    });
    expect(r.afterFirst).toEqual([1]);
    expect(r.snapshot).toEqual({ count: 3, locked: true, t1: true });
    expect(r.doneRacers).toBe(2);
  });

  // test_acquire_cancel_before_awoken and test_acquire_hang
  it("cancelled waiters ahead of the line do not swallow a release: the first live waiter gets it, the next still waits", async () => {
    const r = await runAio(function* () {
      const sem = new Semaphore(0);
      const ts = [0, 1, 2, 3].map(() => createTask(sem.acquire()));
      yield* sleep(0);
      ts[0]!.cancel();
      ts[1]!.cancel();
      sem.release();
      yield* sleep(0);
      yield* sleep(0);
      const out = { t3: ts[2]!.done(), t4: ts[3]!.done(), locked: sem.locked() };
      ts[3]!.cancel();
      yield* sleep(0);
      return out;
    });
    expect(r).toEqual({ t3: true, t4: false, locked: true });
  });

  // test_acquire_fifo_order
  it("tasks that release and acquire again line up behind the others: c1 c2 c3, then c1 c2 c3", async () => {
    const result = await runAio(function* () {
      const sem = new Semaphore(1);
      const out: string[] = [];
      function* coro(tag: string): Coroutine<void> {
        for (const round of [1, 2]) {
          yield* sem.acquire();
          out.push(`${tag}_${round}`);
          yield* sleep(0.01);
          sem.release();
        }
      }
      yield* TaskGroup.run(function* (tg) {
        for (const tag of ["c1", "c2", "c3"]) tg.createTask(coro(tag));
      });
      return out;
    });
    expect(result).toEqual(["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
  });

  // test_acquire_fifo_order_2
  it("a task that releases and acquires again waits behind the task already waiting", async () => {
    const result = await runAio(function* () {
      const sem = new Semaphore(1);
      const out: number[] = [];
      const t1 = createTask(
        (function* () {
          yield* sem.acquire();
          out.push(1);
        })(),
      );
      const t2 = createTask(
        (function* () {
          yield* sem.acquire();
          out.push(2);
          sem.release();
          yield* sem.acquire();
          out.push(4);
        })(),
      );
      const t3 = createTask(
        (function* () {
          yield* sem.acquire();
          out.push(3);
        })(),
      );
      yield* sleep(0);
      sem.release();
      sem.release();
      yield* gather(t1, t2, t3);
      return out;
    });
    expect(result).toEqual([1, 2, 3, 4]);
  });

  // test_acquire_fifo_order_3
  it("a cancelled waiter at the head of the line loses its turn; the two units go to the next two", async () => {
    const result = await runAio(function* () {
      const sem = new Semaphore(0);
      const out: number[] = [];
      const tasks = [1, 2, 3].map((n) =>
        createTask(
          (function* () {
            yield* sem.acquire();
            out.push(n);
          })(),
        ),
      );
      yield* sleep(0);
      tasks[0]!.cancel();
      sem.release();
      sem.release();
      const outcomes = yield* gather(...tasks, { returnExceptions: true });
      expect(outcomes[0]).toBeInstanceOf(CancelledError);
      return out;
    });
    expect(result).toEqual([2, 3]);
  });

  // test_acquire_no_hang
  it("a waiter cancelled while the holder still has the unit does not strand it: a later acquire succeeds", async () => {
    const r = await runAio(function* () {
      const sem = new Semaphore(1);
      let t2: ReturnType<typeof createTask<void>> | null = null;
      const t1 = createTask(
        sem.withLock(function* () {
          yield* sleep(0);
          t2!.cancel();
        }),
      );
      t2 = createTask(
        sem.withLock(function* () {
          throw new Error("must not run");
        }),
      );
      const [r1, r2] = yield* gather(t1, t2, { returnExceptions: true });
      yield* waitFor(sem.acquire(), 1);
      return { r1, r2 };
    });
    expect(r.r1).toBeUndefined();
    expect(r.r2).toBeInstanceOf(CancelledError);
  });
});

describe("Barrier, after CPython's test_locks", () => {
  // test_barrier / test_barrier_parties / test_wait_one: the counters a barrier shows
  it("parties, nWaiting and broken follow the phases", async () => {
    const r = await runAio(function* () {
      const b = new Barrier(3);
      const seen: [number, number, boolean][] = [[b.parties, b.nWaiting, b.broken]];
      const tasks = [createTask(b.wait()), createTask(b.wait())];
      yield* spin(2);
      seen.push([b.parties, b.nWaiting, b.broken]);
      const last = yield* b.wait();
      const idx = yield* gather(...tasks);
      yield* spin(2);
      seen.push([b.parties, b.nWaiting, b.broken]);
      return { seen, indices: [...idx, last].sort() };
    });
    expect(r.seen).toEqual([
      [3, 0, false],
      [3, 2, false],
      [3, 0, false],
    ]);
    expect(r.indices).toEqual([0, 1, 2]);
  });
});

describe("Semaphore and Barrier phases, after CPython 3.13's test_locks", () => {
  // test_acquire_fifo_order_4
  it("three releases wake three waiters; the semaphore reads locked until they ran; a task made meanwhile comes last", async () => {
    const r = await runAio(function* () {
      const sem = new Semaphore(0);
      const out: number[] = [];
      const checks: boolean[] = [];
      let t4: ReturnType<typeof createTask<void>> | null = null;
      const t1 = createTask(
        (function* () {
          yield* sem.acquire();
          t4 = createTask(
            (function* () {
              out.push(4);
            })(),
          );
          out.push(1);
        })(),
      );
      const t2 = createTask(
        (function* () {
          sem.release();
          sem.release();
          sem.release();
          // units are free but owed to the waiters, so it reads locked
          checks.push(sem.locked());
          yield* sem.acquire();
          out.push(2);
        })(),
      );
      const t3 = createTask(
        (function* () {
          yield* sem.acquire();
          checks.push(sem.locked());
          out.push(3);
        })(),
      );
      yield* sleep(0);
      yield* sleep(0);
      yield* gather(t1, t2, t3);
      yield* awaited(t4!);
      return { out, checks };
    });
    expect(r.out).toEqual([1, 2, 3, 4]);
    expect(r.checks).toEqual([true, true]);
  });

  // test_filling_one_task_twice
  it("a one-party barrier lets each wait through at once with index 0", async () => {
    const r = await runAio(function* () {
      const b = new Barrier(1);
      const t1 = createTask(b.wait());
      yield* sleep(0);
      const t2 = createTask(b.wait());
      yield* sleep(0);
      return [t1.result(), t2.result(), b.nWaiting, b.broken];
    });
    expect(r).toEqual([0, 0, 0, false]);
  });

  // test_filling_tasks_wait_twice and test_draining_state
  it("tasks pass twice in a row; while the phase drains toString says draining, until the last one leaves", async () => {
    const r = await runAio(function* () {
      const n = 5;
      const b = new Barrier(n);
      const drainingSeen: boolean[] = [];
      let second = 0;
      const tasks = Array.from({ length: n }, () =>
        createTask(
          (function* () {
            yield* b.wait();
            drainingSeen.push(String(b).includes("draining"));
            yield* b.wait();
            second++;
          })(),
        ),
      );
      yield* gather(...tasks);
      return { drainingSeen, second, waiting: b.nWaiting, broken: b.broken };
    });
    expect(r.drainingSeen).toEqual([true, true, true, true, false]);
    expect(r).toMatchObject({ second: 5, waiting: 0, broken: false });
  });

  // test_blocking_tasks_while_draining
  it("tasks that wait again while the phase drains join the next phase, and every phase completes", async () => {
    const done = await runAio(function* () {
      const n = 5;
      const rewait = 2;
      const b = new Barrier(n);
      const others = new Barrier(n - rewait);
      let left = rewait;
      let finished = 0;
      const tasks = Array.from({ length: n }, () =>
        createTask(
          (function* () {
            yield* b.wait();
            if (left > 0) {
              left--;
              yield* b.wait();
            } else {
              yield* others.wait();
              yield* b.wait();
            }
            finished++;
          })(),
        ),
      );
      yield* gather(...tasks);
      return finished;
    });
    expect(done).toBe(5);
  });

  // test_filling_tasks_cancel_one
  it("a waiter cancelled while the barrier fills leaves the count; later arrivals complete the phase", async () => {
    const r = await runAio(function* () {
      const b = new Barrier(3);
      const counts: number[] = [];
      let passed = 0;
      const coro = () =>
        createTask(
          (function* () {
            yield* b.wait();
            passed++;
          })(),
        );
      const t1 = coro();
      yield* sleep(0);
      counts.push(b.nWaiting);
      const t2 = coro();
      yield* sleep(0);
      counts.push(b.nWaiting);
      t1.cancel();
      yield* sleep(0);
      counts.push(b.nWaiting);
      expect(yield* raises(() => awaited(t1))).toBeInstanceOf(CancelledError);
      const t3 = coro();
      yield* sleep(0);
      counts.push(b.nWaiting);
      const t4 = coro();
      yield* gather(t2, t3, t4);
      return { counts, passed, waiting: b.nWaiting, broken: b.broken };
    });
    expect(r).toEqual({ counts: [1, 2, 1, 2], passed: 3, waiting: 0, broken: false });
  });

  // test_reset_barrier_while_tasks_waiting_and_waiting_again
  it("waiters sent away by reset() may wait again at once and pass with a newcomer", async () => {
    const r = await runAio(function* () {
      const n = 5;
      const b = new Barrier(n);
      let broken = 0;
      let passed = 0;
      const tasks = Array.from({ length: n - 1 }, () =>
        createTask(
          (function* () {
            try {
              yield* b.wait();
            } catch (e) {
              if (e instanceof BrokenBarrierError) broken++;
            } finally {
              yield* b.wait();
              passed++;
            }
          })(),
        ),
      );
      createTask(b.reset());
      yield* sleep(0);
      createTask(
        (function* () {
          yield* b.wait();
          passed++;
        })(),
      );
      yield* gather(...tasks);
      yield* spin(2);
      return { broken, passed, isBroken: b.broken, waiting: b.nWaiting };
    });
    expect(r).toEqual({ broken: 4, passed: 5, isBroken: false, waiting: 0 });
  });

  // test_reset_barrier_while_tasks_draining
  it("reset() by the last task to leave a phase does not break the others' next wait", async () => {
    const r = await runAio(function* () {
      const n = 5;
      const b = new Barrier(n);
      let count = 0;
      let secondOk = 0;
      let secondFailed = 0;
      let third = 0;
      const tasks = Array.from({ length: n }, () =>
        createTask(
          (function* () {
            yield* b.wait();
            count++;
            if (count === n) {
              yield* b.reset();
              yield* b.wait();
            } else {
              try {
                yield* b.wait();
                secondOk++;
              } catch {
                secondFailed++;
              }
            }
            yield* b.wait();
            third++;
          })(),
        ),
      );
      yield* gather(...tasks);
      return { secondOk, secondFailed, third, broken: b.broken, waiting: b.nWaiting };
    });
    expect(r).toEqual({ secondOk: 4, secondFailed: 0, third: 5, broken: false, waiting: 0 });
  });

  // test_reset_barrier_when_tasks_half_draining_half_blocking
  it("reset() while some tasks still leave a phase: those get BrokenBarrierError, the ones already waiting again do not", async () => {
    const r = await runAio(function* () {
      const n = 5;
      const blocking = Math.floor(n / 2);
      const b = new Barrier(n);
      let count = 0;
      let leavingBroken = 0;
      let waitingBroken = 0;
      const tasks = Array.from({ length: n }, () =>
        createTask(
          (function* () {
            try {
              yield* b.wait();
            } catch (e) {
              if (e instanceof BrokenBarrierError) leavingBroken++;
              yield* b.wait();
              return;
            }
            count++;
            if (count > blocking) {
              yield* b.reset();
              yield* b.wait();
            } else {
              try {
                yield* b.wait();
              } catch (e) {
                if (e instanceof BrokenBarrierError) waitingBroken++;
              }
            }
          })(),
        ),
      );
      yield* gather(...tasks);
      return { leavingBroken, waitingBroken, broken: b.broken, waiting: b.nWaiting, resetting: String(b).includes("resetting") };
    });
    expect(r).toEqual({ leavingBroken: 2, waitingBroken: 0, broken: false, waiting: 0, resetting: false });
  });

  // test_abort_barrier_when_tasks_half_draining_half_blocking
  it("abort() while some tasks still leave a phase and others wait again: both kinds get BrokenBarrierError", async () => {
    const r = await runAio(function* () {
      const n = 5;
      const blocking = Math.floor(n / 2);
      const b = new Barrier(n);
      let count = 0;
      let drainingBroken = 0;
      let blockedBroken = 0;
      const tasks = Array.from({ length: n }, () =>
        createTask(
          (function* () {
            try {
              yield* b.wait();
            } catch (e) {
              if (e instanceof BrokenBarrierError) drainingBroken++;
              return;
            }
            count++;
            if (count > blocking) {
              yield* b.abort();
            } else {
              try {
                yield* b.wait();
              } catch (e) {
                if (e instanceof BrokenBarrierError) blockedBroken++;
              }
            }
          })(),
        ),
      );
      yield* gather(...tasks);
      return { drainingBroken, blockedBroken, broken: b.broken, waiting: b.nWaiting };
    });
    expect(r).toEqual({ drainingBroken: 2, blockedBroken: 2, broken: true, waiting: 0 });
  });
});

describe("Queue, after CPython's test_queues", () => {
  // test_task_done_underflow
  it("taskDone() with nothing taken is a ValueError", async () => {
    const e = await runAio(function* () {
      const q = new Queue<number>();
      try {
        q.taskDone();
      } catch (err) {
        return err;
      }
      return null;
    });
    expect(e).toBeInstanceOf(ValueError);
  });

  // test_join_empty_queue
  it("join() on a queue with nothing unfinished returns at once, every time", async () => {
    const r = await runAio(function* (loop) {
      const q = new Queue<number>();
      const t0 = loop.time();
      yield* q.join();
      yield* q.join();
      q.putNowait(1);
      q.getNowait();
      q.taskDone();
      yield* q.join();
      return loop.time() - t0;
    });
    expect(r).toBe(0);
  });

  // test_why_are_getters_waiting / test_why_are_putters_waiting
  it("producers and consumers through a maxsize-1 queue in a TaskGroup all finish, items in order", async () => {
    const got = await runAio(function* () {
      const q = new Queue<number>(1);
      const out: number[] = [];
      yield* TaskGroup.run(function* (tg) {
        for (let p = 0; p < 2; p++) {
          tg.createTask(
            (function* () {
              for (let i = 0; i < 5; i++) yield* q.put(p * 100 + i);
            })(),
          );
        }
        for (let c = 0; c < 2; c++) {
          tg.createTask(
            (function* () {
              for (let i = 0; i < 5; i++) out.push(yield* q.get());
            })(),
          );
        }
      });
      return out;
    });
    expect(got).toHaveLength(10);
    expect(got.filter((x) => x < 100)).toEqual([0, 1, 2, 3, 4]);
    expect(got.filter((x) => x >= 100)).toEqual([100, 101, 102, 103, 104]);
  });

  // test_get_cancelled_race
  it("a getter cancelled as an item arrives does not take it: the other getter does", async () => {
    const r = await runAio(function* () {
      const q = new Queue<string>();
      const t1 = createTask(q.get());
      const t2 = createTask(q.get());
      yield* spin();
      t1.cancel();
      yield* spin();
      q.putNowait("a");
      return { v: yield* t2, c: t1.cancelled(), left: q.qsize() };
    });
    expect(r).toEqual({ v: "a", c: true, left: 0 });
  });

  // test_put_cancel_drop
  it("a blocked put woken by getNowait but cancelled before it runs adds nothing; putting again works", async () => {
    const r = await runAio(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      let writer = createTask(q.put(2));
      yield* sleep(0);
      const first = q.getNowait();
      writer.cancel();
      const e = yield* raises(() => awaited(writer));
      const sizeAfterCancel = q.qsize();
      writer = createTask(q.put(2));
      yield* awaited(writer);
      return { first, e, sizeAfterCancel, second: q.getNowait(), left: q.qsize() };
    });
    expect(r.first).toBe(1);
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.sizeAfterCancel).toBe(0);
    expect(r.second).toBe(2);
    expect(r.left).toBe(0);
  });
});

describe("Queue waiting and cancellation, after CPython 3.13's test_queues", () => {
  // test_maxsize
  it("a putter blocks after maxsize items and resumes once one is taken", async () => {
    const r = await runAio(function* () {
      const q = new Queue<number>(2);
      const put: number[] = [];
      const t = createTask(
        (function* () {
          for (let i = 0; i < 3; i++) {
            yield* q.put(i);
            put.push(i);
          }
          return true;
        })(),
      );
      yield* sleep(0);
      yield* sleep(0);
      const blocked = [...put];
      const first = yield* q.get();
      yield* sleep(0);
      return { blocked, first, after: [...put], rest: [yield* q.get(), yield* q.get()], ok: yield* awaited(t) };
    });
    expect(r).toEqual({ blocked: [0, 1], first: 0, after: [0, 1, 2], rest: [1, 2], ok: true });
  });

  // test_get_with_waiting_putters
  it("get() on an empty queue waits for putter tasks not yet started, and takes their items in order", async () => {
    const r = await runAio(function* () {
      const q = new Queue<string>(1);
      createTask(q.put("a"));
      createTask(q.put("b"));
      return [yield* q.get(), yield* q.get()];
    });
    expect(r).toEqual(["a", "b"]);
  });

  // test_get_cancel_drop_one_pending_reader
  it("a reader woken by putNowait but cancelled loses nothing: the next reader gets the first item", async () => {
    const v = await runAio(function* () {
      const q = new Queue<number>();
      const reader = createTask(q.get());
      yield* sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      reader.cancel();
      try {
        return yield* awaited(reader);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        // try again, as CPython's test does: the first item must still be there
        return yield* awaited(createTask(q.get()));
      }
    });
    expect(v).toBe(1);
  });

  // test_get_cancel_drop_many_pending_readers
  it("of three waiting readers, one cancelled after two putNowait: the other two get both items", async () => {
    const r = await runAio(function* () {
      const q = new Queue<number>();
      const readers = [createTask(q.get()), createTask(q.get()), createTask(q.get())];
      yield* sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      readers[0]!.cancel();
      expect(yield* raises(() => awaited(readers[0]!))).toBeInstanceOf(CancelledError);
      return new Set([yield* awaited(readers[1]!), yield* awaited(readers[2]!)]);
    });
    expect(r).toEqual(new Set([1, 2]));
  });

  // test_put_cancelled_race
  it("a cancelled putter in the line does not disturb the others' order", async () => {
    const r = await runAio(function* () {
      const q = new Queue<string>(1);
      const putA = createTask(q.put("a"));
      const putB = createTask(q.put("b"));
      const putC = createTask(q.put("X"));
      yield* sleep(0);
      const states = [putA.done(), putB.done()];
      putC.cancel();
      yield* sleep(0);
      const cDone = putC.done();
      const first = q.getNowait();
      yield* sleep(0);
      const second = q.getNowait();
      yield* awaited(putB);
      return { states, cDone, got: [first, second], left: q.qsize() };
    });
    expect(r).toEqual({ states: [true, false], cDone: true, got: ["a", "b"], left: 0 });
  });

  // test_why_are_putters_waiting
  it("four putters on a maxsize-2 queue and a getter that drains what it sees: everyone finishes", async () => {
    const left = await runAio(function* () {
      const q = new Queue<number>(2);
      yield* TaskGroup.run(function* (tg) {
        tg.createTask(
          (function* () {
            yield* sleep(0);
            const n = q.qsize();
            for (let i = 0; i < n; i++) q.getNowait();
          })(),
        );
        for (let i = 0; i < 4; i++) tg.createTask(q.put(i));
      });
      return q.qsize();
    });
    expect(left).toBe(2);
  });

  // test_task_done
  it("two workers calling taskDone after each item: join() returns once all 100 are processed", async () => {
    const total = await runAio(function* () {
      const q = new Queue<number>();
      for (let i = 0; i < 100; i++) q.putNowait(i);
      let sum = 0;
      let running = true;
      yield* TaskGroup.run(function* (tg) {
        const workers = [0, 1].map(() =>
          tg.createTask(
            (function* () {
              while (running) {
                sum += yield* q.get();
                q.taskDone();
              }
            })(),
          ),
        );
        yield* q.join();
        expect(sum).toBe(4950);
        running = false;
        for (let i = 0; i < workers.length; i++) q.putNowait(0);
      });
      return sum;
    });
    expect(total).toBe(4950);
  });
});

describe.each([
  ["Queue", () => new Queue<string>()],
  ["LifoQueue", () => new LifoQueue<string>()],
  ["PriorityQueue", () => new PriorityQueue<string>()],
] as const)("%s shutdown, after CPython 3.13's test_queues", (_name, make) => {
  // test_shutdown_nonempty (with maxsize 1 for the blocked putter)
  it("shutdown() keeps queued items for getters, fails the blocked putter, and join waits for taskDone", async () => {
    const r = await runAio(function* () {
      const q = make();
      // a bounded queue of the same class, to block a putter
      const bounded = new (q.constructor as new (maxsize: number) => typeof q)(1);
      bounded.putNowait("data");
      const join = createTask(bounded.join());
      const putter = createTask(bounded.put("data2"));
      yield* sleep(0);
      bounded.shutdown();
      const size = bounded.qsize();
      yield* sleep(0);
      const putErr = yield* raises(() => awaited(putter));
      const item = yield* bounded.get();
      yield* sleep(0);
      const joinDoneBefore = join.done();
      const getErr = yield* raises(() => bounded.get());
      bounded.taskDone();
      yield* sleep(0);
      const joinDoneAfter = join.done();
      let extra: unknown = null;
      try {
        bounded.taskDone();
      } catch (e) {
        extra = e;
      }
      return { size, putErr, item, joinDoneBefore, getErr, joinDoneAfter, extra };
    });
    expect(r.size).toBe(1);
    expect(r.putErr).toBeInstanceOf(QueueShutDown);
    expect(r.item).toBe("data");
    expect(r.joinDoneBefore).toBe(false);
    expect(r.getErr).toBeInstanceOf(QueueShutDown);
    expect(r.joinDoneAfter).toBe(true);
    expect(r.extra).toBeInstanceOf(ValueError);
  });

  // test_shutdown_immediate_with_unfinished
  it("shutdown(true) drops queued items; join still waits for the item taken earlier", async () => {
    const r = await runAio(function* () {
      const q = make();
      q.putNowait("data");
      q.putNowait("data");
      const join = createTask(q.join());
      const item = yield* q.get();
      q.shutdown(true);
      const size = q.qsize();
      yield* sleep(0);
      const joinDoneBefore = join.done();
      const errs = [yield* raises(() => q.put("data")), yield* raises(() => q.get())];
      q.taskDone();
      let extra: unknown = null;
      try {
        q.taskDone();
      } catch (e) {
        extra = e;
      }
      yield* sleep(0);
      return { item, size, joinDoneBefore, errs, extra, joinDoneAfter: join.done() };
    });
    expect(r.item).toBe("data");
    expect(r.size).toBe(0);
    expect(r.joinDoneBefore).toBe(false);
    expect(r.errs.every((e) => e instanceof QueueShutDown)).toBe(true);
    expect(r.extra).toBeInstanceOf(ValueError);
    expect(r.joinDoneAfter).toBe(true);
  });
});
