/**
 * asyncio Queue, LifoQueue and PriorityQueue, in the spirit of CPython's
 * Lib/test/test_asyncio/test_queues.py: order, blocking, maxsize, the
 * nowait errors, taskDone/join, 3.13 shutdown, and cancellation races that
 * must lose neither an item nor a wakeup.
 */
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  ValueError,
  comparePriorities,
  sleep,
  type Coroutine,
} from "../../src/asyncio/index.js";
import { RuntimeError, moveOnAfter, runWith } from "../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import { MockClock } from "../../src/testing/index.js";
import { RingDeque } from "../../src/asyncio/locks-core.js";
import { failureOf, now, runAio, runsWithoutYield, spawn, thrownBy, tick } from "./queue-helpers.js";

type QueueClass = new (maxsize?: number) => Queue<unknown>;
const allClasses: [string, QueueClass][] = [
  ["Queue", Queue],
  ["LifoQueue", LifoQueue],
  ["PriorityQueue", PriorityQueue],
];

describe("Queue construction", () => {
  it("defaults to an unbounded, empty queue", () => {
    const q = new Queue();
    expect(q.maxsize).toBe(0);
    expect(q.qsize()).toBe(0);
    expect(q.empty()).toBe(true);
    expect(q.full()).toBe(false);
    expect(q.isShutDown).toBe(false);
  });

  it.each(allClasses)("%s rejects a negative or NaN maxsize with ValueError (a RangeError)", (_name, Cls) => {
    // A fractional one is fine, as in CPython (see cpython-semantics.test.ts).
    expect(new Cls(1.5).maxsize).toBe(1.5);
    for (const bad of [-1, -0.5, NaN, -Infinity]) {
      expect(() => new Cls(bad)).toThrow(ValueError);
      expect(() => new Cls(bad)).toThrow(RangeError);
    }
    expect(() => new Cls(-1)).toThrow(/0 means unbounded/);
  });

  it("rejects a maxsize that is not a number with TypeError", () => {
    expect(() => new Queue("3" as unknown as number)).toThrow(TypeError);
    expect(() => new Queue(null as unknown as number)).toThrow(TypeError);
  });

  it("accepts Infinity as unbounded", () => {
    const q = new Queue<number>(Infinity);
    for (let i = 0; i < 100; i++) q.putNowait(i);
    expect(q.full()).toBe(false);
  });

  it("can be created outside any loop and used inside one", async () => {
    const q = new Queue<string>();
    q.putNowait("early");
    const got = await runAio(function* () {
      const t = spawn(q.get());
      yield* tick();
      return [yield* t, q.empty()];
    });
    expect(got).toEqual(["early", true]);
  });

  it("describes itself in toString", () => {
    const q = new Queue<number>(3);
    expect(String(q)).toBe("<asyncio.Queue maxsize=3>");
    q.putNowait(1);
    q.putNowait(2);
    expect(String(q)).toBe("<asyncio.Queue maxsize=3 items=[1, 2] tasks=2>");
    q.shutdown();
    expect(String(q)).toContain(" shutdown");
  });
});

describe("Queue basics", () => {
  it("is first in, first out", () => {
    const q = new Queue<number>();
    for (const i of [1, 3, 2]) q.putNowait(i);
    expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([1, 3, 2]);
  });

  it("getNowait on an empty queue raises QueueEmpty", () => {
    const q = new Queue();
    expect(() => q.getNowait()).toThrow(QueueEmpty);
    q.putNowait(1);
    q.getNowait();
    expect(() => q.getNowait()).toThrow(QueueEmpty);
  });

  it("putNowait on a full queue raises QueueFull and changes nothing", () => {
    const q = new Queue<number>(2);
    q.putNowait(1);
    expect(q.full()).toBe(false);
    q.putNowait(2);
    expect(q.full()).toBe(true);
    expect(() => q.putNowait(3)).toThrow(QueueFull);
    expect(q.qsize()).toBe(2);
    expect([q.getNowait(), q.getNowait()]).toEqual([1, 2]);
  });

  it("qsize, empty and full track the contents", () => {
    const q = new Queue<number>(3);
    const sizes: [number, boolean, boolean][] = [];
    for (let i = 0; i < 3; i++) {
      q.putNowait(i);
      sizes.push([q.qsize(), q.empty(), q.full()]);
    }
    expect(sizes).toEqual([
      [1, false, false],
      [2, false, false],
      [3, false, true],
    ]);
  });

  it("keeps FIFO order across ring-buffer growth and wrap-around", () => {
    const q = new Queue<number>();
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) q.putNowait(next++);
      for (let i = 0; i < 5; i++) out.push(q.getNowait());
    }
    while (!q.empty()) out.push(q.getNowait());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it("get on a non-empty queue and put on a non-full one do not yield", async () => {
    await runAio(function* () {
      const q = new Queue<number>(1);
      expect(runsWithoutYield(q.put(5))).toEqual({ yielded: false, value: undefined });
      expect(runsWithoutYield(q.get())).toEqual({ yielded: false, value: 5 });
      expect(runsWithoutYield(q.get()).yielded).toBe(true);
    });
  });

  it("get blocks until an item is put", async () => {
    const [value, at] = await runAio(function* () {
      const q = new Queue<string>();
      const getter = spawn(
        (function* () {
          const v = yield* q.get();
          return [v, now()] as const;
        })(),
      );
      yield* sleep(5);
      expect(getter.done()).toBe(false);
      q.putNowait("x");
      return yield* getter;
    });
    expect(value).toBe("x");
    expect(at).toBe(5);
  });

  it("put blocks while the queue is full, until a get makes room", async () => {
    const log = await runAio(function* () {
      const q = new Queue<number>(1);
      const log: string[] = [];
      const putter = spawn(
        (function* () {
          yield* q.put(1);
          log.push("put 1");
          yield* q.put(2);
          log.push(`put 2 at ${now()}`);
        })(),
      );
      yield* sleep(3);
      expect(q.qsize()).toBe(1);
      expect(putter.done()).toBe(false);
      log.push(`got ${yield* q.get()}`);
      yield* putter;
      log.push(`got ${yield* q.get()}`);
      return log;
    });
    expect(log).toEqual(["put 1", "got 1", "put 2 at 3", "got 2"]);
  });

  it("wakes blocked getters in FIFO order", async () => {
    const order = await runAio(function* () {
      const q = new Queue<number>();
      const order: string[] = [];
      const tasks = ["a", "b", "c"].map((name) =>
        spawn(
          (function* () {
            order.push(`${name}:${yield* q.get()}`);
          })(),
        ),
      );
      yield* tick();
      for (const i of [1, 2, 3]) q.putNowait(i);
      for (const t of tasks) yield* t;
      return order;
    });
    expect(order).toEqual(["a:1", "b:2", "c:3"]);
  });

  it("lets blocked putters in FIFO order", async () => {
    const items = await runAio(function* () {
      const q = new Queue<string>(1);
      q.putNowait("first");
      const tasks = ["a", "b", "c"].map((name) => spawn(q.put(name)));
      yield* tick();
      const items: string[] = [];
      for (let i = 0; i < 4; i++) items.push(yield* q.get());
      for (const t of tasks) yield* t;
      return items;
    });
    expect(items).toEqual(["first", "a", "b", "c"]);
  });

  it("one putNowait wakes exactly one getter", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      const a = spawn(q.get());
      const b = spawn(q.get());
      yield* tick();
      q.putNowait(1);
      yield* tick(2);
      expect(a.done()).toBe(true);
      expect(b.done()).toBe(false);
      q.putNowait(2);
      expect(yield* b).toBe(2);
    });
  });

  it("a newcomer may take the item before the woken getter runs; the getter waits again", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      const a = spawn(q.get());
      yield* tick();
      q.putNowait(1);
      expect(q.getNowait()).toBe(1); // we run before the woken getter
      yield* tick(2);
      expect(a.done()).toBe(false);
      q.putNowait(2);
      expect(yield* a).toBe(2);
    });
  });

  it("carries 200 items through a maxsize-1 queue between two tasks in order", async () => {
    const received = await runAio(function* () {
      const q = new Queue<number>(1);
      const producer = spawn(
        (function* () {
          for (let i = 0; i < 200; i++) yield* q.put(i);
        })(),
      );
      const received: number[] = [];
      for (let i = 0; i < 200; i++) received.push(yield* q.get());
      yield* producer;
      return received;
    });
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("ping-pongs between two tasks with two queues", async () => {
    const total = await runAio(function* () {
      const ping = new Queue<number>();
      const pong = new Queue<number>();
      const echo = spawn(
        (function* () {
          for (;;) {
            const v = yield* ping.get();
            if (v < 0) return;
            pong.putNowait(v + 1);
          }
        })(),
      );
      let total = 0;
      for (let i = 0; i < 1000; i++) {
        ping.putNowait(i);
        total += yield* pong.get();
      }
      ping.putNowait(-1);
      yield* echo;
      return total;
    });
    expect(total).toBe((999 * 1000) / 2 + 1000);
  });
});

describe("Queue cancellation", () => {
  it("a cancelled blocked get leaves the queue intact", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      const g = spawn(q.get());
      yield* tick();
      g.cancel();
      expect(yield* failureOf(g)).toBeInstanceOf(CancelledError);
      expect(String(q)).not.toContain("getters");
      q.putNowait(1);
      expect(q.getNowait()).toBe(1);
    });
  });

  it("a blocked get cancelled before any put: the next getter still gets the item", async () => {
    await runAio(function* () {
      const q = new Queue<string>();
      const a = spawn(q.get());
      const b = spawn(q.get());
      yield* tick();
      a.cancel();
      yield* tick();
      q.putNowait("x");
      expect(yield* b).toBe("x");
      expect(a.cancelled()).toBe(true);
    });
  });

  it("a getter woken by put but cancelled before it runs passes the item's wakeup on", async () => {
    await runAio(function* () {
      const q = new Queue<string>();
      const a = spawn(q.get());
      const b = spawn(q.get());
      yield* tick();
      q.putNowait("x"); // wakes a
      a.cancel(); // ...which is cancelled before it runs
      yield* tick(3);
      expect(a.cancelled()).toBe(true);
      expect(b.done()).toBe(true);
      expect(b.result()).toBe("x");
      expect(q.empty()).toBe(true);
    });
  });

  it("several woken-then-cancelled getters: every item still reaches a live getter", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      const getters = Array.from({ length: 6 }, () => spawn(q.get()));
      yield* tick();
      q.putNowait(1);
      q.putNowait(2);
      getters[0]!.cancel();
      getters[1]!.cancel();
      yield* tick(4);
      const results = getters.map((t) => (t.done() && !t.cancelled() ? t.result() : t.cancelled() ? "cancelled" : "waiting"));
      expect(results).toEqual(["cancelled", "cancelled", 1, 2, "waiting", "waiting"]);
      q.shutdown(true);
      yield* tick(2);
      for (const t of getters.slice(4)) expect(yield* failureOf(t)).toBeInstanceOf(QueueShutDown);
    });
  });

  it("a putter woken by get but cancelled before it runs passes the free slot on", async () => {
    await runAio(function* () {
      const q = new Queue<string>(1);
      q.putNowait("first");
      const a = spawn(q.put("a"));
      const b = spawn(q.put("b"));
      yield* tick();
      expect(q.getNowait()).toBe("first"); // wakes a
      a.cancel();
      yield* tick(3);
      expect(a.cancelled()).toBe(true);
      expect(b.done()).toBe(true);
      expect(q.getNowait()).toBe("b");
      expect(q.empty()).toBe(true);
    });
  });

  it("a cancelled blocked put never adds its item", async () => {
    await runAio(function* () {
      const q = new Queue<string>(1);
      q.putNowait("kept");
      const p = spawn(q.put("dropped"));
      yield* tick();
      p.cancel();
      expect(yield* failureOf(p)).toBeInstanceOf(CancelledError);
      expect(q.getNowait()).toBe("kept");
      expect(q.empty()).toBe(true);
      expect(String(q)).not.toContain("putters");
    });
  });

  it("a put cancelled after getNowait removed its waiter raises CancelledError, not another error", async () => {
    await runAio(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const p = spawn(q.put(1));
      yield* tick();
      q.getNowait();
      p.cancel();
      expect(yield* failureOf(p)).toBeInstanceOf(CancelledError);
      expect(q.qsize()).toBe(0);
    });
  });

  it("a get cancelled after putNowait removed its waiter raises CancelledError and leaves the item", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      const g = spawn(q.get());
      yield* tick();
      q.putNowait(7);
      g.cancel();
      expect(yield* failureOf(g)).toBeInstanceOf(CancelledError);
      expect(q.getNowait()).toBe(7);
    });
  });

  it("repeatedly cancelled getters do not accumulate", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      for (let i = 0; i < 50; i++) {
        const g = spawn(q.get());
        yield* tick();
        g.cancel();
        yield* tick();
      }
      expect(String(q)).toBe("<asyncio.Queue maxsize=0>");
    });
  });

  it("a cancelled getter in the middle of the line is removed; the others keep their order", async () => {
    const order = await runAio(function* () {
      const q = new Queue<number>();
      const order: string[] = [];
      const mk = (name: string) =>
        spawn(
          (function* () {
            order.push(`${name}:${yield* q.get()}`);
          })(),
        );
      const tasks = [mk("a"), mk("b"), mk("c"), mk("d")];
      yield* tick();
      tasks[1]!.cancel();
      tasks[2]!.cancel();
      yield* tick();
      q.putNowait(1);
      q.putNowait(2);
      yield* tasks[0]!;
      yield* tasks[3]!;
      return order;
    });
    expect(order).toEqual(["a:1", "d:2"]);
  });

  it("a Trio-side timeout around an asyncio get cancels it without losing a later item", async () => {
    const got = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      return yield* openLoop(function* () {
        const q = new Queue<string>();
        const getOp = aioAsTrio(() => q.get());
        let finished = false;
        yield* moveOnAfter(1, function* (scope) {
          yield* getOp();
          finished = !scope.cancelledCaught;
        });
        expect(finished).toBe(false);
        expect(q.empty()).toBe(true);
        q.putNowait("later");
        return yield* getOp();
      });
    });
    expect(got).toBe("later");
  });
});

describe("taskDone and join", () => {
  it.each(allClasses)("%s: taskDone with nothing unfinished raises ValueError", (_name, Cls) => {
    const q = new Cls();
    expect(() => q.taskDone()).toThrow(ValueError);
    q.putNowait(1);
    q.taskDone();
    expect(() => q.taskDone()).toThrow(/too many times/);
  });

  it.each(allClasses)("%s: join on a queue with nothing unfinished returns without waiting", async (_name, Cls) => {
    await runAio(function* () {
      const q = new Cls();
      expect(runsWithoutYield(q.join()).yielded).toBe(false);
      yield* q.join();
    });
  });

  it.each(allClasses)("%s: join waits until every item is taken and marked done", async (_name, Cls) => {
    const [sum, at] = await runAio(function* () {
      const q = new Cls();
      for (let i = 0; i < 100; i++) q.putNowait(i);
      let sum = 0;
      const worker = function* (): Coroutine<void> {
        for (;;) {
          const item = (yield* q.get()) as number;
          yield* sleep(1);
          sum += item;
          q.taskDone();
        }
      };
      const workers = [spawn(worker()), spawn(worker())];
      yield* q.join();
      const at = now();
      for (const w of workers) w.cancel();
      yield* tick(2);
      return [sum, at];
    });
    expect(sum).toBe(4950);
    expect(at).toBe(50);
  });

  it("join does not return while taken items are not marked done", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      q.putNowait(1);
      q.putNowait(2);
      const joiner = spawn(q.join());
      q.getNowait();
      q.getNowait();
      yield* sleep(10);
      expect(joiner.done()).toBe(false);
      q.taskDone();
      yield* tick(2);
      expect(joiner.done()).toBe(false);
      q.taskDone();
      yield* tick(2);
      expect(joiner.done()).toBe(true);
    });
  });

  it("releases every joiner, and a new put makes later joins wait again", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      q.putNowait(1);
      const joiners = [spawn(q.join()), spawn(q.join()), spawn(q.join())];
      yield* tick();
      q.getNowait();
      q.taskDone();
      yield* tick(2);
      expect(joiners.every((j) => j.done())).toBe(true);
      q.putNowait(2);
      const late = spawn(q.join());
      yield* tick(2);
      expect(late.done()).toBe(false);
      q.getNowait();
      q.taskDone();
      yield* late;
    });
  });

  it("an item put by a blocked put counts once it is in the queue", async () => {
    await runAio(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const p = spawn(q.put(2));
      yield* tick();
      expect(String(q)).toContain("tasks=1");
      q.getNowait();
      yield* p;
      expect(String(q)).toContain("tasks=2");
    });
  });

  it("a cancelled join does not disturb the queue", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      q.putNowait(1);
      const j = spawn(q.join());
      yield* tick();
      j.cancel();
      expect(yield* failureOf(j)).toBeInstanceOf(CancelledError);
      q.getNowait();
      q.taskDone();
      yield* q.join();
    });
  });
});

describe("LifoQueue", () => {
  it("returns the most recent item first", () => {
    const q = new LifoQueue<number>();
    for (const i of [1, 3, 2]) q.putNowait(i);
    expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([2, 3, 1]);
  });

  it("blocks on maxsize like Queue", async () => {
    const out = await runAio(function* () {
      const q = new LifoQueue<number>(2);
      q.putNowait(1);
      q.putNowait(2);
      expect(() => q.putNowait(3)).toThrow(QueueFull);
      const p = spawn(q.put(3));
      yield* tick();
      const out = [yield* q.get()];
      yield* p;
      out.push(yield* q.get(), yield* q.get());
      return out;
    });
    expect(out).toEqual([2, 3, 1]);
  });
});

describe("PriorityQueue", () => {
  it("returns the lowest number first", () => {
    const q = new PriorityQueue<number>();
    for (const i of [1, 3, 2]) q.putNowait(i);
    expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([1, 2, 3]);
  });

  it("orders [priority, data] arrays like Python tuples", () => {
    const q = new PriorityQueue<[number, string]>();
    for (const item of [[2, "b"], [1, "z"], [2, "a"], [1, "y"], [0, "q"]] as [number, string][]) q.putNowait(item);
    const out: string[] = [];
    while (!q.empty()) out.push(q.getNowait().join(""));
    expect(out).toEqual(["0q", "1y", "1z", "2a", "2b"]);
  });

  it("sorts many random numbers (the heap stays valid)", () => {
    const q = new PriorityQueue<number>();
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const values: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const v = Math.floor(rand() * 500);
      values.push(v);
      q.putNowait(v);
      if (i % 3 === 0) out.push(q.getNowait());
    }
    while (!q.empty()) out.push(q.getNowait());
    // Items taken while others were still coming are each the minimum at that time.
    expect(out.slice().sort((a, b) => a - b)).toEqual(values.slice().sort((a, b) => a - b));
    const tail = out.slice(334);
    expect(tail).toEqual(tail.slice().sort((a, b) => a - b));
  });

  it("returns equal priorities in insertion order", () => {
    const q = new PriorityQueue<{ p: number; name: string }>(0, { key: (item) => item.p });
    const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    names.forEach((name, i) => q.putNowait({ p: i % 2, name }));
    const out: string[] = [];
    while (!q.empty()) out.push(q.getNowait().name);
    expect(out).toEqual(["a", "c", "e", "g", "b", "d", "f", "h"]);
  });

  it("orders by a key computed once per item", () => {
    let calls = 0;
    const q = new PriorityQueue<{ due: Date; job: string }>(0, {
      key: (item) => {
        calls++;
        return item.due;
      },
    });
    q.putNowait({ due: new Date(3000), job: "late" });
    q.putNowait({ due: new Date(1000), job: "early" });
    q.putNowait({ due: new Date(2000), job: "middle" });
    expect(calls).toBe(3);
    expect([q.getNowait().job, q.getNowait().job, q.getNowait().job]).toEqual(["early", "middle", "late"]);
  });

  it("orders by a compare function", () => {
    const q = new PriorityQueue<number>(0, { compare: (a, b) => b - a });
    for (const i of [5, 1, 9, 3]) q.putNowait(i);
    expect([q.getNowait(), q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([9, 5, 3, 1]);
  });

  it("rejects items it cannot order with a TypeError that names the fix, and keeps the queue intact", async () => {
    await runAio(function* () {
      const q = new PriorityQueue<unknown>();
      q.putNowait([1, "a"]);
      q.putNowait([2, "b"]);
      const before = String(q);
      expect(() => q.putNowait([1, { job: 1 }])).toThrow(TypeError);
      expect(String(q)).toBe(before);
      expect(() => q.putNowait("text")).toThrow(/key/);
      expect(q.qsize()).toBe(2);
      expect(q.getNowait()).toEqual([1, "a"]);
      q.taskDone();
      expect(q.getNowait()).toEqual([2, "b"]);
      q.taskDone();
      yield* q.join(); // the rejected puts were not counted
    });
  });

  it("a comparison failing during get leaves every item in place", () => {
    const q = new PriorityQueue<unknown>();
    const a = { id: "a" };
    const b = { id: "b" };
    // [2, a] and [2, b] are never compared on the way in; taking [0] sifts
    // [2, b] down past [1] before it meets [2, a].
    for (const item of [[0], [1], [1.5], [2, a], [3], [9], [2, b]]) q.putNowait(item);
    const before = String(q);
    expect(() => q.getNowait()).toThrow(TypeError);
    expect(q.qsize()).toBe(7);
    expect(String(q)).toBe(before);
    expect(() => q.getNowait()).toThrow(TypeError);
    expect(String(q)).toBe(before);
  });

  it("validates its options", () => {
    expect(() => new PriorityQueue(0, { key: 3 as unknown as () => number })).toThrow(TypeError);
    expect(() => new PriorityQueue(0, { compare: "x" as unknown as () => number })).toThrow(TypeError);
    expect(() => new PriorityQueue<number>(0, { key: (x) => x, compare: (a, b) => a - b })).toThrow(/either a key or a compare/);
    expect(() => new PriorityQueue(0, null as unknown as object)).toThrow(TypeError);
    expect(() => new PriorityQueue(-2)).toThrow(ValueError);
  });

  it("wakes a blocked getter with the lowest item present when it runs", async () => {
    const got = await runAio(function* () {
      const q = new PriorityQueue<number>();
      const g = spawn(q.get());
      yield* tick();
      q.putNowait(5);
      q.putNowait(2);
      return yield* g;
    });
    expect(got).toBe(2);
  });
});

describe("comparePriorities", () => {
  it("compares numbers, bigints and booleans numerically", () => {
    expect(comparePriorities(1, 2)).toBe(-1);
    expect(comparePriorities(2, 1)).toBe(1);
    expect(comparePriorities(2, 2)).toBe(0);
    expect(comparePriorities(10n, 9)).toBe(1);
    expect(comparePriorities(true, 0)).toBe(1);
    expect(comparePriorities(-Infinity, -1e308)).toBe(-1);
  });

  it("compares strings with strings and Dates by time", () => {
    expect(comparePriorities("apple", "banana")).toBe(-1);
    expect(comparePriorities("b", "a")).toBe(1);
    expect(comparePriorities("10", "9")).toBe(-1); // strings, not numbers
    expect(comparePriorities(new Date(5), new Date(4))).toBe(1);
    expect(comparePriorities(new Date(5), new Date(5))).toBe(0);
  });

  it("compares arrays element by element, a prefix first", () => {
    expect(comparePriorities([1, "b"], [1, "a"])).toBe(1);
    expect(comparePriorities([1], [1, 0])).toBe(-1);
    expect(comparePriorities([], [])).toBe(0);
    expect(comparePriorities([1, [2, 3]], [1, [2, 4]])).toBe(-1);
    const same = { x: 1 };
    expect(comparePriorities([1, same], [1, same])).toBe(0);
  });

  it("raises TypeError for values without an order", () => {
    expect(() => comparePriorities(1, "1")).toThrow(TypeError);
    expect(() => comparePriorities({}, {})).toThrow(TypeError);
    expect(() => comparePriorities(null, 1)).toThrow(TypeError);
    expect(() => comparePriorities([1, {}], [1, {}])).toThrow(/cannot order an object and an object/);
  });
});

describe.each(allClasses)("%s shutdown", (_name, Cls) => {
  it("empty queue: a blocked get raises QueueShutDown; join returns; put and get raise", async () => {
    await runAio(function* () {
      const q = new Cls();
      const g = spawn(q.get());
      yield* tick();
      q.shutdown();
      expect(q.isShutDown).toBe(true);
      expect(q.qsize()).toBe(0);
      yield* q.join();
      expect(yield* failureOf(g)).toBeInstanceOf(QueueShutDown);
      expect(yield* thrownBy(() => q.put("data"))).toBeInstanceOf(QueueShutDown);
      expect(() => q.putNowait("data")).toThrow(QueueShutDown);
      expect(yield* thrownBy(() => q.get())).toBeInstanceOf(QueueShutDown);
      expect(() => q.getNowait()).toThrow(QueueShutDown);
    });
  });

  it("non-empty queue: blocked put raises; remaining items can still be taken; join waits for them", async () => {
    await runAio(function* () {
      const q = new Cls(1);
      q.putNowait("data");
      const joiner = spawn(q.join());
      const putter = spawn(q.put("data2"));
      yield* tick();
      expect(putter.done()).toBe(false);
      q.shutdown();
      expect(q.qsize()).toBe(1);
      yield* tick();
      expect(yield* failureOf(putter)).toBeInstanceOf(QueueShutDown);
      expect(yield* q.get()).toBe("data");
      yield* tick();
      expect(joiner.done()).toBe(false);
      expect(yield* thrownBy(() => q.put("x"))).toBeInstanceOf(QueueShutDown);
      expect(() => q.putNowait("x")).toThrow(QueueShutDown);
      expect(yield* thrownBy(() => q.get())).toBeInstanceOf(QueueShutDown);
      expect(() => q.getNowait()).toThrow(QueueShutDown);
      q.taskDone();
      yield* tick(2);
      expect(joiner.done()).toBe(true);
      expect(() => q.taskDone()).toThrow(ValueError);
    });
  });

  it("immediate: drops the items, releases join, and everything raises", async () => {
    await runAio(function* () {
      const q = new Cls();
      q.putNowait("data");
      const joiner = spawn(q.join());
      q.shutdown(true);
      expect(q.qsize()).toBe(0);
      yield* tick(2);
      expect(joiner.done()).toBe(true);
      yield* joiner;
      expect(yield* thrownBy(() => q.put("x"))).toBeInstanceOf(QueueShutDown);
      expect(() => q.putNowait("x")).toThrow(QueueShutDown);
      expect(yield* thrownBy(() => q.get())).toBeInstanceOf(QueueShutDown);
      expect(() => q.getNowait()).toThrow(QueueShutDown);
      expect(() => q.taskDone()).toThrow(ValueError);
    });
  });

  it("immediate with an item taken but not done: join waits for that taskDone", async () => {
    await runAio(function* () {
      const q = new Cls();
      q.putNowait("data");
      q.putNowait("data");
      const joiner = spawn(q.join());
      expect(yield* q.get()).toBe("data");
      q.shutdown(true);
      expect(q.qsize()).toBe(0);
      yield* tick(2);
      expect(joiner.done()).toBe(false);
      q.taskDone();
      expect(() => q.taskDone()).toThrow(ValueError);
      yield* tick(2);
      expect(joiner.done()).toBe(true);
    });
  });

  it("immediate wakes every blocked getter and putter with QueueShutDown", async () => {
    await runAio(function* () {
      const empty = new Cls();
      const full = new Cls(1);
      full.putNowait("x");
      const getters = [spawn(empty.get()), spawn(empty.get())];
      const putters = [spawn(full.put("y")), spawn(full.put("z"))];
      yield* tick();
      empty.shutdown(true);
      full.shutdown(true);
      for (const t of [...getters, ...putters]) expect(yield* failureOf(t)).toBeInstanceOf(QueueShutDown);
      expect(full.qsize()).toBe(0);
    });
  });
});

describe("Queue shutdown details", () => {
  it("items put before shutdown can be taken with getNowait", () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    q.shutdown();
    expect(q.getNowait()).toBe(1);
    expect(q.getNowait()).toBe(2);
    expect(() => q.getNowait()).toThrow(QueueShutDown);
  });

  it("a putter woken for room before shutdown still raises QueueShutDown", async () => {
    await runAio(function* () {
      const q = new Queue<string>(1);
      q.putNowait("a");
      const p = spawn(q.put("b"));
      yield* tick();
      q.getNowait(); // wakes p
      q.shutdown();
      expect(yield* failureOf(p)).toBeInstanceOf(QueueShutDown);
      expect(q.empty()).toBe(true);
    });
  });

  it("shutdown twice is harmless and immediate after a plain shutdown drops the items", () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.shutdown();
    q.shutdown();
    expect(q.qsize()).toBe(1);
    q.shutdown(true);
    expect(q.qsize()).toBe(0);
    expect(() => q.taskDone()).toThrow(ValueError);
  });

  it("shutdown(immediate) needs a boolean", () => {
    expect(() => new Queue().shutdown("yes" as unknown as boolean)).toThrow(TypeError);
  });

  it("a getter cancelled after shutdown woke it raises CancelledError", async () => {
    await runAio(function* () {
      const q = new Queue<number>();
      const g = spawn(q.get());
      yield* tick();
      q.shutdown();
      g.cancel();
      expect(yield* failureOf(g)).toBeInstanceOf(CancelledError);
    });
  });
});

describe("Queue loop binding", () => {
  it("a queue that waited in one loop cannot wait in another", async () => {
    const q = new Queue<number>();
    const err = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      yield* openLoop(function* () {
        yield* aioAsTrio(function* () {
          const g = spawn(q.get());
          yield* tick();
          q.putNowait(1);
          yield* g;
        })();
      });
      return yield* openLoop(function* () {
        return yield* aioAsTrio(() => thrownBy(() => q.get()))();
      });
    });
    expect(err).toBeInstanceOf(RuntimeError);
    expect(String(err)).toMatch(/different event loop/);
  });

  it("a blocking get outside asyncio code raises RuntimeError naming the fix", () => {
    const q = new Queue<number>();
    expect(() => q.get().next()).toThrow(RuntimeError);
    q.putNowait(1);
    expect(q.get().next()).toEqual({ done: true, value: 1 });
  });
});

describe("RingDeque (the queues' buffer)", () => {
  it("removes from the head, the middle and the tail, across wrap-around", () => {
    const d = new RingDeque<number>();
    for (let i = 0; i < 6; i++) d.push(i);
    d.shift();
    d.shift();
    for (let i = 6; i < 9; i++) d.push(i); // wraps in a ring of 8
    expect(d.toArray()).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(d.remove(5)).toBe(true);
    expect(d.remove(2)).toBe(true);
    expect(d.remove(8)).toBe(true);
    expect(d.remove(42)).toBe(false);
    expect(d.toArray()).toEqual([3, 4, 6, 7]);
    expect(d.size).toBe(4);
    d.push(9);
    expect([d.shift(), d.shift(), d.shift(), d.shift(), d.shift()]).toEqual([3, 4, 6, 7, 9]);
    expect(d.size).toBe(0);
    expect(d.remove(1)).toBe(false);
  });
});
