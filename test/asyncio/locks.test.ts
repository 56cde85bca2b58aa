/**
 * asyncio Event, Lock, Condition, Semaphore, BoundedSemaphore and Barrier,
 * in the spirit of CPython's Lib/test/test_asyncio/test_locks.py: FIFO
 * fairness, misuse errors, and the races where a task is cancelled after it
 * was woken (the wakeup must pass to the next waiter, never be lost).
 */
import { describe, expect, it } from "vitest";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  CancelledError,
  Condition,
  Event,
  Lock,
  Semaphore,
  ValueError,
  sleep,
  type Coroutine,
  type Task,
} from "../../src/asyncio/index.js";
import { RuntimeError, runWith } from "../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import { MockClock } from "../../src/testing/index.js";
import { failureOf, now, runAio, runsWithoutYield, spawn, thrownBy, tick } from "./queue-helpers.js";

/** Runs `body` in a new task that logs `name` once it holds `lock`. */
function holder(lock: Lock | Semaphore, name: string, log: string[], hold = 0): Task<void> {
  return spawn(
    lock.withLock(function* () {
      log.push(name);
      if (hold > 0) yield* sleep(hold);
    }),
    name,
  );
}

describe("Event", () => {
  it("starts unset; set and clear change the flag", () => {
    const ev = new Event();
    expect(ev.isSet()).toBe(false);
    ev.set();
    expect(ev.isSet()).toBe(true);
    ev.set();
    expect(ev.isSet()).toBe(true);
    ev.clear();
    expect(ev.isSet()).toBe(false);
    expect(String(ev)).toBe("<asyncio.Event [unset]>");
  });

  it("wait on a set event returns true without yielding", async () => {
    await runAio(function* () {
      const ev = new Event();
      ev.set();
      expect(runsWithoutYield(ev.wait())).toEqual({ yielded: false, value: true });
      expect(yield* ev.wait()).toBe(true);
    });
  });

  it("wakes every waiter when set, in the order they waited", async () => {
    const log = await runAio(function* () {
      const ev = new Event();
      const log: string[] = [];
      const waiters = ["a", "b", "c"].map((name) =>
        spawn(
          (function* () {
            const r = yield* ev.wait();
            log.push(`${name}:${r}@${now()}`);
          })(),
        ),
      );
      yield* sleep(2);
      expect(log).toEqual([]);
      expect(String(ev)).toContain("waiters:3");
      ev.set();
      for (const w of waiters) yield* w;
      return log;
    });
    expect(log).toEqual(["a:true@2", "b:true@2", "c:true@2"]);
  });

  it("waiters woken by set still return true if the event is cleared before they run", async () => {
    await runAio(function* () {
      const ev = new Event();
      const a = spawn(ev.wait());
      const b = spawn(ev.wait());
      yield* tick();
      ev.set();
      ev.clear();
      expect(yield* a).toBe(true);
      expect(yield* b).toBe(true);
      expect(ev.isSet()).toBe(false);
      const late = spawn(ev.wait());
      yield* tick(2);
      expect(late.done()).toBe(false);
      ev.set();
      yield* late;
    });
  });

  it("a cancelled waiter raises CancelledError and leaves the waiter list", async () => {
    await runAio(function* () {
      const ev = new Event();
      const a = spawn(ev.wait());
      const b = spawn(ev.wait());
      yield* tick();
      a.cancel();
      expect(yield* failureOf(a)).toBeInstanceOf(CancelledError);
      expect(String(ev)).toContain("waiters:1");
      ev.set();
      expect(yield* b).toBe(true);
      expect(String(ev)).toBe("<asyncio.Event [set]>");
    });
  });
});

describe("Lock", () => {
  it("acquire takes it, release frees it; acquire on a free lock does not yield", async () => {
    await runAio(function* () {
      const lock = new Lock();
      expect(lock.locked()).toBe(false);
      expect(runsWithoutYield(lock.acquire())).toEqual({ yielded: false, value: true });
      expect(lock.locked()).toBe(true);
      expect(String(lock)).toBe("<asyncio.Lock [locked]>");
      lock.release();
      expect(lock.locked()).toBe(false);
    });
  });

  it("release of an unlocked lock raises RuntimeError", () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(RuntimeError);
    expect(() => lock.release()).toThrow(/not acquired/);
  });

  it("any task may release it (it has no owner)", async () => {
    await runAio(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const other = spawn(
        (function* () {
          lock.release();
        })(),
      );
      yield* other;
      expect(lock.locked()).toBe(false);
    });
  });

  it("waiters get the lock in FIFO order", async () => {
    const log = await runAio(function* () {
      const lock = new Lock();
      const log: string[] = [];
      yield* lock.acquire();
      const tasks = ["a", "b", "c"].map((n) => holder(lock, n, log, 1));
      yield* tick();
      expect(String(lock)).toContain("waiters:3");
      lock.release();
      for (const t of tasks) yield* t;
      log.push(`end@${now()}`);
      return log;
    });
    expect(log).toEqual(["a", "b", "c", "end@3"]);
  });

  it("a newcomer does not jump ahead of a woken waiter", async () => {
    const log = await runAio(function* () {
      const lock = new Lock();
      const log: string[] = [];
      yield* lock.acquire();
      const a = holder(lock, "a", log);
      yield* tick();
      lock.release(); // wakes a
      const b = holder(lock, "b", log); // b asks before a runs
      expect(runsWithoutYield(lock.acquire()).yielded).toBe(true); // and so would we
      yield* a;
      yield* b;
      return log;
    });
    expect(log).toEqual(["a", "b"]);
  });

  it("withLock returns the body's value and releases on return and on error", async () => {
    await runAio(function* () {
      const lock = new Lock();
      const v = yield* lock.withLock(function* () {
        expect(lock.locked()).toBe(true);
        return 42;
      });
      expect(v).toBe(42);
      expect(lock.locked()).toBe(false);
      const err = yield* thrownBy(() =>
        lock.withLock(function* (): Coroutine<void> {
          throw new Error("boom");
        }),
      );
      expect(String(err)).toContain("boom");
      expect(lock.locked()).toBe(false);
    });
  });

  it("withLock needs a generator function", async () => {
    await runAio(function* () {
      const lock = new Lock();
      const err = yield* thrownBy(() => lock.withLock(42 as unknown as () => Coroutine<void>));
      expect(err).toBeInstanceOf(TypeError);
      expect(lock.locked()).toBe(false);
    });
  });

  it("a cancelled blocked acquire leaves the lock with its holder", async () => {
    await runAio(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const t = spawn(lock.acquire());
      yield* tick();
      t.cancel();
      expect(yield* failureOf(t)).toBeInstanceOf(CancelledError);
      expect(lock.locked()).toBe(true);
      expect(String(lock)).toBe("<asyncio.Lock [locked]>");
      lock.release();
      expect(lock.locked()).toBe(false);
    });
  });

  it("a waiter woken by release but cancelled before it runs passes the lock on", async () => {
    const log = await runAio(function* () {
      const lock = new Lock();
      const log: string[] = [];
      yield* lock.acquire();
      const a = holder(lock, "a", log);
      const b = holder(lock, "b", log);
      const c = holder(lock, "c", log);
      yield* tick();
      lock.release(); // wakes a
      a.cancel();
      expect(yield* failureOf(a)).toBeInstanceOf(CancelledError);
      yield* b;
      yield* c;
      expect(lock.locked()).toBe(false);
      return log;
    });
    expect(log).toEqual(["b", "c"]);
  });

  it("the head waiter cancelled just before release: the next waiter still gets the lock", async () => {
    await runAio(function* () {
      const lock = new Lock();
      const log: string[] = [];
      yield* lock.acquire();
      const a = holder(lock, "a", log);
      const b = holder(lock, "b", log);
      yield* tick();
      a.cancel(); // a's Future is cancelled, but a has not run yet
      lock.release(); // the head waiter is done: nobody woken now...
      yield* b; // ...but a, leaving, wakes b
      expect(a.cancelled()).toBe(true);
      expect(log).toEqual(["b"]);
    });
  });

  it("takes the fast path when every waiter is cancelled", async () => {
    await runAio(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const a = spawn(lock.acquire());
      yield* tick();
      a.cancel(); // its Future is cancelled; a has not run to remove itself
      lock.release();
      expect(runsWithoutYield(lock.acquire())).toEqual({ yielded: false, value: true });
      yield* failureOf(a);
      lock.release();
    });
  });

  it("many contending tasks each hold it alone", async () => {
    const [maxInside, count] = await runAio(function* () {
      const lock = new Lock();
      let inside = 0;
      let maxInside = 0;
      let count = 0;
      const tasks = Array.from({ length: 20 }, () =>
        spawn(
          lock.withLock(function* () {
            inside++;
            maxInside = Math.max(maxInside, inside);
            yield* sleep(0.5);
            yield* tick();
            count++;
            inside--;
          }),
        ),
      );
      for (const t of tasks) yield* t;
      return [maxInside, count];
    });
    expect(maxInside).toBe(1);
    expect(count).toBe(20);
  });
});

describe("Condition", () => {
  it("wait and notify need the lock (RuntimeError)", async () => {
    await runAio(function* () {
      const cond = new Condition();
      expect(yield* thrownBy(() => cond.wait())).toBeInstanceOf(RuntimeError);
      expect(() => cond.notify()).toThrow(RuntimeError);
      expect(() => cond.notifyAll()).toThrow(RuntimeError);
    });
  });

  it("notify(n) wakes n waiters in order; each returns true holding the lock", async () => {
    const log = await runAio(function* () {
      const cond = new Condition();
      const log: string[] = [];
      const waiters = ["a", "b", "c"].map((name) =>
        spawn(
          cond.withLock(function* () {
            const r = yield* cond.wait();
            log.push(`${name}:${r}:${cond.locked()}`);
          }),
        ),
      );
      yield* tick();
      expect(cond.locked()).toBe(false);
      expect(String(cond)).toContain("waiters:3");
      yield* cond.withLock(function* () {
        cond.notify();
      });
      yield* tick(3);
      expect(log).toEqual(["a:true:true"]);
      yield* cond.withLock(function* () {
        cond.notify(2);
      });
      for (const w of waiters) yield* w;
      return log;
    });
    expect(log).toEqual(["a:true:true", "b:true:true", "c:true:true"]);
  });

  it("notifyAll wakes every waiter; they run one at a time holding the lock", async () => {
    const log = await runAio(function* () {
      const cond = new Condition();
      const log: string[] = [];
      let inside = 0;
      const waiters = [1, 2, 3, 4].map((i) =>
        spawn(
          cond.withLock(function* () {
            yield* cond.wait();
            inside++;
            log.push(`${i}:${inside}`);
            yield* sleep(1);
            inside--;
          }),
        ),
      );
      yield* tick();
      yield* cond.withLock(function* () {
        cond.notifyAll();
      });
      for (const w of waiters) yield* w;
      log.push(`end@${now()}`);
      return log;
    });
    expect(log).toEqual(["1:1", "2:1", "3:1", "4:1", "end@4"]);
  });

  it("notify does not release the lock: woken waiters run after the notifier releases", async () => {
    await runAio(function* () {
      const cond = new Condition();
      const w = spawn(cond.withLock(() => cond.wait()));
      yield* tick();
      yield* cond.acquire();
      cond.notify();
      yield* sleep(5);
      expect(w.done()).toBe(false);
      cond.release();
      expect(yield* w).toBe(true);
    });
  });

  it("notify(0) wakes nobody; notify with nobody waiting is a no-op", async () => {
    await runAio(function* () {
      const cond = new Condition();
      const w = spawn(cond.withLock(() => cond.wait()));
      yield* tick();
      yield* cond.withLock(function* () {
        cond.notify(0);
      });
      yield* tick(3);
      expect(w.done()).toBe(false);
      yield* cond.withLock(function* () {
        cond.notify(5);
      });
      yield* w;
      yield* cond.withLock(function* () {
        cond.notify();
      });
    });
  });

  it("notify(n) checks n: ValueError below 0 or fractional, TypeError for a non-number", async () => {
    await runAio(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      expect(() => cond.notify(-1)).toThrow(ValueError);
      expect(() => cond.notify(0.5)).toThrow(ValueError);
      expect(() => cond.notify("2" as unknown as number)).toThrow(TypeError);
      cond.notify(Infinity);
      cond.release();
    });
  });

  it("waitFor checks the predicate first and returns its truthy value", async () => {
    await runAio(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      expect(runsWithoutYield(cond.waitFor(() => "ready"))).toEqual({ yielded: false, value: "ready" });
      cond.release();
    });
  });

  it("waitFor waits until the predicate holds, re-checking after each notify", async () => {
    const [value, checks, at] = await runAio(function* () {
      const cond = new Condition();
      let n = 0;
      let checks = 0;
      const w = spawn(
        cond.withLock(function* () {
          const v = yield* cond.waitFor(() => {
            checks++;
            return n >= 3 && n * 10;
          });
          return [v, now()] as const;
        }),
      );
      for (let i = 0; i < 3; i++) {
        yield* sleep(1);
        yield* cond.withLock(function* () {
          n++;
          cond.notify();
        });
      }
      const [v, at] = yield* w;
      return [v, checks, at];
    });
    expect(value).toBe(30);
    expect(checks).toBe(4);
    expect(at).toBe(3);
  });

  it("waitFor needs a function", async () => {
    await runAio(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      expect(yield* thrownBy(() => cond.waitFor(true as unknown as () => boolean))).toBeInstanceOf(TypeError);
      cond.release();
    });
  });

  it("a cancelled wait reacquires the lock before CancelledError reaches the caller", async () => {
    await runAio(function* () {
      const cond = new Condition();
      let heldInFinally: boolean | null = null;
      const w = spawn(
        (function* () {
          yield* cond.acquire();
          try {
            yield* cond.wait();
          } finally {
            heldInFinally = cond.locked();
            cond.release();
          }
        })(),
      );
      yield* tick();
      expect(cond.locked()).toBe(false);
      w.cancel();
      expect(yield* failureOf(w)).toBeInstanceOf(CancelledError);
      expect(heldInFinally).toBe(true);
      expect(cond.locked()).toBe(false);
    });
  });

  it("a cancelled wait whose lock is held elsewhere waits for the lock before raising", async () => {
    await runAio(function* () {
      const cond = new Condition();
      const w = spawn(cond.withLock(() => cond.wait()));
      yield* tick();
      yield* cond.acquire();
      w.cancel();
      yield* sleep(3);
      expect(w.done()).toBe(false); // still trying to reacquire
      cond.release();
      expect(yield* failureOf(w)).toBeInstanceOf(CancelledError);
      expect(cond.locked()).toBe(false);
    });
  });

  it("a cancellation during the reacquire is raised once the lock is held", async () => {
    await runAio(function* () {
      const cond = new Condition();
      let heldInFinally: boolean | null = null;
      const w = spawn(
        (function* () {
          yield* cond.acquire();
          try {
            yield* cond.wait();
          } finally {
            heldInFinally = cond.locked();
            cond.release();
          }
        })(),
      );
      yield* tick();
      yield* cond.acquire();
      cond.notify(); // w is woken, then blocks reacquiring
      yield* tick(2);
      w.cancel();
      yield* tick(2);
      expect(w.done()).toBe(false);
      cond.release();
      expect(yield* failureOf(w)).toBeInstanceOf(CancelledError);
      expect(heldInFinally).toBe(true);
    });
  });

  it("a waiter notified but cancelled before it runs passes the notification on", async () => {
    await runAio(function* () {
      const cond = new Condition();
      const log: string[] = [];
      const mk = (name: string) =>
        spawn(
          cond.withLock(function* () {
            yield* cond.wait();
            log.push(name);
          }),
        );
      const a = mk("a");
      const b = mk("b");
      const c = mk("c");
      yield* tick();
      yield* cond.withLock(function* () {
        cond.notify(1); // picks a
      });
      a.cancel();
      expect(yield* failureOf(a)).toBeInstanceOf(CancelledError);
      yield* b; // b got a's notification
      yield* tick(3);
      expect(log).toEqual(["b"]);
      expect(c.done()).toBe(false);
      yield* cond.withLock(function* () {
        cond.notify();
      });
      yield* c;
      expect(log).toEqual(["b", "c"]);
    });
  });

  it("can share a Lock with another Condition", async () => {
    await runAio(function* () {
      const lock = new Lock();
      const c1 = new Condition(lock);
      const c2 = new Condition(lock);
      expect(c1.lock).toBe(lock);
      yield* lock.acquire();
      expect(c1.locked()).toBe(true);
      expect(c2.locked()).toBe(true);
      const w = spawn(c2.withLock(() => c2.wait()));
      lock.release();
      yield* tick();
      yield* c1.withLock(function* () {
        c1.notifyAll(); // nobody waits on c1
        c2.notify();
      });
      expect(yield* w).toBe(true);
    });
  });

  it("rejects a lock that is not an asyncio Lock", () => {
    expect(() => new Condition({} as unknown as Lock)).toThrow(TypeError);
    expect(() => new Condition(new Semaphore() as unknown as Lock)).toThrow(/asyncio Lock/);
  });
});

describe("Semaphore", () => {
  it("checks its value: ValueError below 0 or fractional, TypeError for a non-number", () => {
    expect(() => new Semaphore(-1)).toThrow(ValueError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
    expect(() => new Semaphore("2" as unknown as number)).toThrow(TypeError);
    expect(() => new BoundedSemaphore(-1)).toThrow(ValueError);
    expect(new Semaphore(0).locked()).toBe(true);
  });

  it("counts units: acquire takes one without yielding, release returns one", async () => {
    await runAio(function* () {
      const sem = new Semaphore(2);
      expect(sem.locked()).toBe(false);
      expect(runsWithoutYield(sem.acquire())).toEqual({ yielded: false, value: true });
      expect(String(sem)).toBe("<asyncio.Semaphore [unlocked, value:1]>");
      yield* sem.acquire();
      expect(sem.locked()).toBe(true);
      sem.release();
      expect(sem.locked()).toBe(false);
      sem.release();
      sem.release(); // a plain Semaphore may go above its initial value
      expect(String(sem)).toContain("value:3");
    });
  });

  it("defaults to one unit", async () => {
    await runAio(function* () {
      const sem = new Semaphore();
      yield* sem.acquire();
      expect(sem.locked()).toBe(true);
    });
  });

  it("wakes waiters in FIFO order, one per release", async () => {
    const log = await runAio(function* () {
      const sem = new Semaphore(0);
      const log: string[] = [];
      const tasks = ["a", "b", "c"].map((n) =>
        spawn(
          (function* () {
            yield* sem.acquire();
            log.push(n);
          })(),
        ),
      );
      yield* tick();
      sem.release();
      yield* tick(2);
      expect(log).toEqual(["a"]);
      sem.release();
      sem.release();
      for (const t of tasks) yield* t;
      expect(sem.locked()).toBe(true);
      return log;
    });
    expect(log).toEqual(["a", "b", "c"]);
  });

  it("limits concurrency to its value", async () => {
    const [maxInside, end] = await runAio(function* () {
      const sem = new Semaphore(3);
      let inside = 0;
      let maxInside = 0;
      const tasks = Array.from({ length: 10 }, () =>
        spawn(
          sem.withLock(function* () {
            inside++;
            maxInside = Math.max(maxInside, inside);
            yield* sleep(1);
            inside--;
          }),
        ),
      );
      for (const t of tasks) yield* t;
      return [maxInside, now()];
    });
    expect(maxInside).toBe(3);
    expect(end).toBe(4);
  });

  it("is strictly FIFO: with tasks waiting, a newcomer waits even if a unit is free", async () => {
    const log = await runAio(function* () {
      const sem = new Semaphore(0);
      const log: string[] = [];
      const a = holder(sem, "a", log, 1);
      const b = holder(sem, "b", log, 1);
      yield* tick();
      sem.release(); // goes to a
      expect(sem.locked()).toBe(true); // b still waits
      const c = holder(sem, "c", log, 1);
      yield* a;
      yield* b;
      yield* c;
      return log;
    });
    expect(log).toEqual(["a", "b", "c"]);
  });

  it("a cancelled blocked acquire loses no unit", async () => {
    await runAio(function* () {
      const sem = new Semaphore(0);
      const a = spawn(sem.acquire());
      const b = spawn(sem.acquire());
      yield* tick();
      a.cancel();
      sem.release();
      expect(yield* failureOf(a)).toBeInstanceOf(CancelledError);
      expect(yield* b).toBe(true);
      expect(sem.locked()).toBe(true);
    });
  });

  it("a waiter woken by release but cancelled before it runs gives its unit to the next", async () => {
    await runAio(function* () {
      const sem = new Semaphore(0);
      const a = spawn(sem.acquire());
      const b = spawn(sem.acquire());
      const c = spawn(sem.acquire());
      yield* tick();
      sem.release(); // wakes a
      a.cancel();
      expect(yield* failureOf(a)).toBeInstanceOf(CancelledError);
      expect(yield* b).toBe(true);
      yield* tick(2);
      expect(c.done()).toBe(false);
      sem.release();
      expect(yield* c).toBe(true);
      expect(String(sem)).toBe("<asyncio.Semaphore [locked]>");
    });
  });

  it("two releases with the first woken waiter cancelled: both units still find takers", async () => {
    await runAio(function* () {
      const sem = new Semaphore(0);
      const waiters = Array.from({ length: 4 }, () => spawn(sem.acquire()));
      yield* tick();
      sem.release();
      sem.release(); // wakes waiters 0 and 1
      waiters[0]!.cancel();
      yield* tick(4);
      expect(waiters.map((w) => (w.cancelled() ? "cancelled" : w.done() ? "got" : "waiting"))).toEqual(["cancelled", "got", "got", "waiting"]);
      sem.release();
      yield* waiters[3]!;
    });
  });

  it("withLock releases its unit on error", async () => {
    await runAio(function* () {
      const sem = new Semaphore(1);
      const err = yield* thrownBy(() =>
        sem.withLock(function* (): Coroutine<void> {
          expect(sem.locked()).toBe(true);
          throw new Error("inside");
        }),
      );
      expect(String(err)).toContain("inside");
      expect(sem.locked()).toBe(false);
      expect(yield* thrownBy(() => sem.withLock(null as unknown as () => Coroutine<void>))).toBeInstanceOf(TypeError);
    });
  });
});

describe("BoundedSemaphore", () => {
  it("raises ValueError when released more than acquired", async () => {
    await runAio(function* () {
      const sem = new BoundedSemaphore(2);
      expect(() => sem.release()).toThrow(ValueError);
      yield* sem.acquire();
      yield* sem.acquire();
      sem.release();
      sem.release();
      expect(() => sem.release()).toThrow(/released too many times/);
      expect(String(sem)).toBe("<asyncio.BoundedSemaphore [unlocked, value:2]>");
    });
  });

  it("behaves as a Semaphore otherwise (waiters, withLock)", async () => {
    const log = await runAio(function* () {
      const sem = new BoundedSemaphore(1);
      const log: string[] = [];
      const tasks = ["a", "b"].map((n) => holder(sem, n, log, 1));
      for (const t of tasks) yield* t;
      expect(() => sem.release()).toThrow(ValueError);
      log.push(`end@${now()}`);
      return log;
    });
    expect(log).toEqual(["a", "b", "end@2"]);
  });
});

describe("Barrier", () => {
  it("checks parties: ValueError below 1 or fractional, TypeError for a non-number", () => {
    expect(() => new Barrier(0)).toThrow(ValueError);
    expect(() => new Barrier(2.5)).toThrow(ValueError);
    expect(() => new Barrier("3" as unknown as number)).toThrow(TypeError);
    const b = new Barrier(3);
    expect(b.parties).toBe(3);
    expect(b.nWaiting).toBe(0);
    expect(b.broken).toBe(false);
    expect(String(b)).toBe("<asyncio.Barrier [filling, waiters:0/3]>");
  });

  it("with one party, wait returns 0 at once", async () => {
    const r = await runAio(function* () {
      const b = new Barrier(1);
      return [yield* b.wait(), yield* b.wait()];
    });
    expect(r).toEqual([0, 0]);
  });

  it("releases all parties together when the last arrives; each gets a distinct index", async () => {
    const results = await runAio(function* () {
      const b = new Barrier(3);
      const tasks = [0, 1, 2].map((i) =>
        spawn(
          (function* () {
            yield* sleep(i * 2);
            const index = yield* b.wait();
            return [index, now()] as const;
          })(),
        ),
      );
      yield* sleep(1);
      expect(b.nWaiting).toBe(1);
      yield* sleep(2);
      expect(b.nWaiting).toBe(2);
      const out = [];
      for (const t of tasks) out.push(yield* t);
      expect(b.nWaiting).toBe(0);
      return out;
    });
    expect(results.map((r) => r[1])).toEqual([4, 4, 4]);
    expect(results.map((r) => r[0]).sort()).toEqual([0, 1, 2]);
  });

  it("runs several phases; each phase has exactly `parties` members", async () => {
    const phases = await runAio(function* () {
      const b = new Barrier(3);
      const phases: number[][] = [[], [], []];
      const worker = function* (id: number): Coroutine<void> {
        for (let round = 0; round < 3; round++) {
          yield* sleep(id * 0.1);
          const index = yield* b.wait();
          phases[round]!.push(index);
        }
      };
      const tasks = [0, 1, 2].map((id) => spawn(worker(id)));
      for (const t of tasks) yield* t;
      return phases;
    });
    for (const p of phases) expect(p.slice().sort()).toEqual([0, 1, 2]);
  });

  it("tasks arriving while a phase drains wait for the next phase", async () => {
    const log = await runAio(function* () {
      const b = new Barrier(2);
      const log: string[] = [];
      const mk = (name: string) =>
        spawn(
          (function* () {
            const i = yield* b.wait();
            log.push(`${name}${i}@${now()}`);
          })(),
        );
      const a = mk("a");
      yield* tick();
      const c = mk("b"); // fills the phase: a and b drain
      const d = mk("c"); // arrives while draining
      yield* a;
      yield* c;
      yield* sleep(5);
      expect(d.done()).toBe(false);
      expect(b.nWaiting).toBe(1);
      const e = mk("d");
      yield* d;
      yield* e;
      return log;
    });
    // The last arrival releases the phase and goes on at once; the others follow.
    expect(log).toEqual(["b1@0", "a0@0", "d1@5", "c0@5"]);
  });

  it("abort breaks the barrier: waiters and later arrivals get BrokenBarrierError until reset", async () => {
    await runAio(function* () {
      const b = new Barrier(3);
      const w1 = spawn(b.wait());
      const w2 = spawn(b.wait());
      yield* tick();
      expect(b.nWaiting).toBe(2);
      yield* b.abort();
      expect(b.broken).toBe(true);
      expect(yield* failureOf(w1)).toBeInstanceOf(BrokenBarrierError);
      expect(yield* failureOf(w2)).toBeInstanceOf(BrokenBarrierError);
      expect(yield* thrownBy(() => b.wait())).toBeInstanceOf(BrokenBarrierError);
      expect(String(b)).toBe("<asyncio.Barrier [broken]>");
      yield* b.reset();
      expect(b.broken).toBe(false);
      const ts = [spawn(b.wait()), spawn(b.wait()), spawn(b.wait())];
      const idx = [];
      for (const t of ts) idx.push(yield* t);
      expect(idx.sort()).toEqual([0, 1, 2]);
    });
  });

  it("reset sends the waiters away with BrokenBarrierError and leaves the barrier usable", async () => {
    await runAio(function* () {
      const b = new Barrier(3);
      const w1 = spawn(b.wait());
      const w2 = spawn(b.wait());
      yield* tick();
      yield* b.reset();
      expect(b.nWaiting).toBe(0); // resetting, then filling once both left
      expect(yield* failureOf(w1)).toBeInstanceOf(BrokenBarrierError);
      expect(yield* failureOf(w2)).toBeInstanceOf(BrokenBarrierError);
      expect(b.broken).toBe(false);
      expect(String(b)).toBe("<asyncio.Barrier [filling, waiters:0/3]>");
      const ts = [spawn(b.wait()), spawn(b.wait()), spawn(b.wait())];
      for (const t of ts) yield* t;
    });
  });

  it("a task arriving during a reset waits for it to finish, then joins the new phase", async () => {
    await runAio(function* () {
      const b = new Barrier(2);
      const w1 = spawn(b.wait());
      yield* tick();
      const resetter = spawn(b.reset());
      const late = spawn(b.wait());
      yield* resetter;
      expect(yield* failureOf(w1)).toBeInstanceOf(BrokenBarrierError);
      yield* tick(3);
      expect(late.done()).toBe(false);
      const partner = spawn(b.wait());
      expect([yield* late, yield* partner].sort()).toEqual([0, 1]);
    });
  });

  it("reset of an idle barrier is harmless", async () => {
    await runAio(function* () {
      const b = new Barrier(2);
      yield* b.reset();
      expect(b.nWaiting).toBe(0);
      const t = [spawn(b.wait()), spawn(b.wait())];
      for (const x of t) yield* x;
    });
  });

  it("a cancelled waiter leaves without breaking the barrier", async () => {
    await runAio(function* () {
      const b = new Barrier(2);
      const w1 = spawn(b.wait());
      yield* tick();
      expect(b.nWaiting).toBe(1);
      w1.cancel();
      expect(yield* failureOf(w1)).toBeInstanceOf(CancelledError);
      expect(b.nWaiting).toBe(0);
      expect(b.broken).toBe(false);
      const ts = [spawn(b.wait()), spawn(b.wait())];
      const idx = [];
      for (const t of ts) idx.push(yield* t);
      expect(idx).toEqual([0, 1]);
    });
  });
});

describe("loop binding", () => {
  it("a lock that waited in one loop refuses to wait in another", async () => {
    const lock = new Lock();
    const err = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      yield* openLoop(function* () {
        yield* aioAsTrio(function* () {
          yield* lock.acquire();
          const t = spawn(lock.acquire());
          yield* tick();
          lock.release();
          yield* t;
        })();
      });
      return yield* openLoop(function* () {
        return yield* aioAsTrio(() => thrownBy(() => lock.acquire()))();
      });
    });
    expect(err).toBeInstanceOf(RuntimeError);
    expect(String(err)).toMatch(/different event loop/);
  });
});
