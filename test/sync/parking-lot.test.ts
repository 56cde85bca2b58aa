import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  Lock,
  ParkingLot,
  RuntimeError,
  checkpoint,
  moveOnAfter,
  openNursery,
  runWith,
  type Operation,
  type Task,
} from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

/** Task ids, to compare lists of tasks without deep-comparing the tasks (whose generators are iterable). */
function ids(tasks: readonly Task[]): number[] {
  return tasks.map((t) => t.id);
}

function* parker(lot: ParkingLot, i: number, record: string[]): Operation<void> {
  record.push(`park ${i}`);
  yield* lot.park();
  record.push(`wake ${i}`);
}

describe("ParkingLot", () => {
  it("parks tasks and wakes them all in FIFO order", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      expect(lot.size).toBe(0);
      expect(lot.statistics()).toEqual({ tasksWaiting: 0 });
      yield* openNursery(function* (n) {
        const tasks = [0, 1, 2].map((i) => n.startSoon(parker, lot, i, record));
        yield* waitAllTasksBlocked();
        expect(record).toEqual(["park 0", "park 1", "park 2"]);
        expect(lot.size).toBe(3);
        expect(lot.statistics()).toEqual({ tasksWaiting: 3 });
        const woken = lot.unparkAll();
        expect(ids(woken)).toEqual(ids(tasks));
        expect(lot.size).toBe(0);
        yield* waitAllTasksBlocked();
        expect(record.slice(3)).toEqual(["wake 0", "wake 1", "wake 2"]);
      });
    });
  });

  it("unpark() wakes only the oldest task by default", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      yield* openNursery(function* (n) {
        const tasks = [0, 1, 2].map((i) => n.startSoon(parker, lot, i, record));
        yield* waitAllTasksBlocked();
        expect(ids(lot.unpark())).toEqual(ids(tasks).slice(0, 1));
        yield* waitAllTasksBlocked();
        expect(record.filter((r) => r.startsWith("wake"))).toEqual(["wake 0"]);
        expect(lot.size).toBe(2);
        expect(ids(lot.unpark({ count: 2 }))).toEqual(ids(tasks).slice(1, 3));
        expect(lot.unpark()).toEqual([]);
        expect(lot.unpark({ count: 5 })).toEqual([]);
      });
      expect(record.filter((r) => r.startsWith("wake"))).toEqual(["wake 0", "wake 1", "wake 2"]);
    });
  });

  it("unpark({ count }) wakes at most count tasks; Infinity wakes all", async () => {
    await runMock(function* () {
      const lot = new ParkingLot();
      const record: string[] = [];
      yield* openNursery(function* (n) {
        for (let i = 0; i < 5; i++) n.startSoon(parker, lot, i, record);
        yield* waitAllTasksBlocked();
        expect(lot.unpark({ count: 0 })).toEqual([]);
        expect(lot.unpark({ count: 2 })).toHaveLength(2);
        expect(lot.size).toBe(3);
        expect(lot.unpark({ count: Infinity })).toHaveLength(3);
        expect(lot.size).toBe(0);
      });
      expect(record.filter((r) => r.startsWith("wake"))).toEqual(["wake 0", "wake 1", "wake 2", "wake 3", "wake 4"]);
    });
  });

  it("rejects bad counts and options with errors that name the fix", () => {
    const lot = new ParkingLot();
    expect(() => lot.unpark({ count: 1.5 })).toThrow(RangeError);
    expect(() => lot.unpark({ count: -1 })).toThrow(/non-negative integer or Infinity/);
    expect(() => lot.unpark({ count: NaN })).toThrow(RangeError);
    expect(() => lot.unpark({ count: "2" as unknown as number })).toThrow(TypeError);
    expect(() => lot.unpark(2 as unknown as { count: number })).toThrow(/options object such as \{ count: 2 \}/);
    expect(() => lot.repark({} as ParkingLot)).toThrow(/needs a ParkingLot/);
    expect(() => lot.reparkAll(null as unknown as ParkingLot)).toThrow(TypeError);
    expect(() => lot.repark(new ParkingLot(), { count: -2 })).toThrow(RangeError);
  });

  it("park() outside a task raises a RuntimeError", () => {
    const lot = new ParkingLot();
    expect(() => lot.park().next()).toThrow(RuntimeError);
    expect(() => lot.park().next()).toThrow(/inside a task of run\(\)/);
  });

  it("a cancelled task leaves the lot and the others keep their order", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(parker, lot, 0, record);
        n.startSoon(function* () {
          yield* scope.run(() => parker(lot, 1, record));
          record.push("cancelled 1");
        });
        n.startSoon(parker, lot, 2, record);
        yield* waitAllTasksBlocked();
        expect(lot.size).toBe(3);
        scope.cancel();
        expect(lot.size).toBe(2);
        yield* waitAllTasksBlocked();
        expect(record).toContain("cancelled 1");
        expect(lot.statistics().tasksWaiting).toBe(2);
        expect(lot.unparkAll()).toHaveLength(2);
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(record.filter((r) => r.startsWith("wake"))).toEqual(["wake 0", "wake 2"]);
    });
  });

  it("a deadline cancels a parked task and empties the lot", async () => {
    await runMock(function* () {
      const lot = new ParkingLot();
      const result = yield* moveOnAfter(5, function* () {
        yield* lot.park();
        return "woken";
      });
      expect(result).toBeUndefined();
      expect(lot.size).toBe(0);
    });
  });

  it("parking in an already cancelled scope raises at once", async () => {
    await runMock(function* () {
      const lot = new ParkingLot();
      const scope = new CancelScope();
      scope.cancel();
      let raised: unknown = null;
      yield* scope.run(function* () {
        try {
          yield* lot.park();
        } catch (error) {
          raised = error;
          throw error;
        }
      });
      expect(raised).toBeInstanceOf(Cancelled);
      expect(lot.size).toBe(0);
    });
  });

  it("a task unparked and then cancelled returns from park() and sees the cancel at its next checkpoint", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* lot.park();
            record.push("returned from park");
            yield* checkpoint();
            record.push("not reached");
          });
          record.push("after scope");
        });
        yield* waitAllTasksBlocked();
        lot.unpark();
        scope.cancel();
      });
      expect(record).toEqual(["returned from park", "after scope"]);
    });
  });

  it("repark moves tasks to another lot without waking them", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot1 = new ParkingLot();
      const lot2 = new ParkingLot();
      yield* openNursery(function* (n) {
        const tasks = [0, 1, 2].map((i) => n.startSoon(parker, lot1, i, record));
        yield* waitAllTasksBlocked();
        lot1.repark(lot2);
        expect([lot1.size, lot2.size]).toEqual([2, 1]);
        lot1.repark(lot2, { count: 5 });
        expect([lot1.size, lot2.size]).toEqual([0, 3]);
        expect(lot1.unparkAll()).toEqual([]);
        yield* waitAllTasksBlocked();
        expect(record.filter((r) => r.startsWith("wake"))).toEqual([]);
        expect(ids(lot2.unparkAll())).toEqual(ids(tasks));
      });
      expect(record.filter((r) => r.startsWith("wake"))).toEqual(["wake 0", "wake 1", "wake 2"]);
    });
  });

  it("reparkAll appends to the tasks already in the target lot", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot1 = new ParkingLot();
      const lot2 = new ParkingLot();
      yield* openNursery(function* (n) {
        const a = n.startSoon(parker, lot2, 0, record);
        yield* waitAllTasksBlocked();
        const b = n.startSoon(parker, lot1, 1, record);
        const c = n.startSoon(parker, lot1, 2, record);
        yield* waitAllTasksBlocked();
        lot1.reparkAll(lot2);
        expect(lot1.size).toBe(0);
        expect(ids(lot2.unparkAll())).toEqual(ids([a, b, c]));
      });
    });
  });

  it("reparking into the same lot rotates the queue", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lot = new ParkingLot();
      yield* openNursery(function* (n) {
        const tasks = [0, 1, 2].map((i) => n.startSoon(parker, lot, i, record));
        yield* waitAllTasksBlocked();
        lot.repark(lot, { count: 1 });
        lot.reparkAll(lot);
        expect(lot.size).toBe(3);
        expect(ids(lot.unparkAll())).toEqual([...ids(tasks).slice(1), ...ids(tasks).slice(0, 1)]);
      });
    });
  });

  it("a task cancelled after repark leaves the lot it was moved to", async () => {
    await runMock(function* () {
      const lot1 = new ParkingLot();
      const lot2 = new ParkingLot();
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => lot1.park());
        });
        yield* waitAllTasksBlocked();
        lot1.repark(lot2);
        expect(lot2.size).toBe(1);
        scope.cancel();
        expect(lot1.size).toBe(0);
        expect(lot2.size).toBe(0);
      });
      expect(scope.cancelledCaught).toBe(true);
    });
  });

  it("records what a parked task waits on, following repark", async () => {
    await runMock(function* () {
      const lot1 = new ParkingLot();
      const lot2 = new ParkingLot();
      yield* openNursery(function* (n) {
        const t: Task = n.startSoon(function* () {
          yield* lot1.park();
        });
        yield* waitAllTasksBlocked();
        expect(t.waitingOn).toBe(lot1);
        expect(t.status).toBe("blocked");
        lot1.repark(lot2);
        expect(t.waitingOn).toBe(lot2);
        lot2.unpark();
        expect(t.waitingOn).toBeNull();
      });
    });
  });

  it("a lot owned by a primitive shows the primitive as what the task waits on", async () => {
    await runMock(function* () {
      const lock = new Lock();
      lock.acquireNowait();
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          yield* lock.acquire();
          lock.release();
        });
        yield* waitAllTasksBlocked();
        expect(t.waitingOn).toBe(lock);
        lock.release();
      });
    });
  });

  it("can be woken from a plain host callback outside the run", async () => {
    const lot = new ParkingLot();
    const result = await runWith({}, function* () {
      setTimeout(() => lot.unpark(), 1);
      yield* lot.park();
      return "woken";
    });
    expect(result).toBe("woken");
    expect(lot.size).toBe(0);
  });

  it("handles thousands of waiters with cancellations in the middle", async () => {
    await runMock(function* () {
      const lot = new ParkingLot();
      const count = 2000;
      const scopes: CancelScope[] = [];
      const woke: number[] = [];
      yield* openNursery(function* (n) {
        for (let i = 0; i < count; i++) {
          const scope = new CancelScope();
          scopes.push(scope);
          n.startSoon(function* () {
            yield* scope.run(function* () {
              yield* lot.park();
              woke.push(i);
            });
          });
        }
        yield* waitAllTasksBlocked();
        for (let i = 0; i < count; i += 2) scopes[i]!.cancel();
        expect(lot.size).toBe(count / 2);
        expect(lot.unpark({ count: 10 })).toHaveLength(10);
        lot.unparkAll();
      });
      expect(woke).toEqual(Array.from({ length: count / 2 }, (_, k) => 2 * k + 1));
    });
  });

  it("can be used by tasks of two different runs", async () => {
    const lot = new ParkingLot();
    const order: string[] = [];
    const a = runWith({}, function* () {
      yield* lot.park();
      order.push("a");
    });
    const b = runWith({}, function* () {
      yield* lot.park();
      order.push("b");
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(lot.size).toBe(2);
    expect(lot.unparkAll()).toHaveLength(2);
    await Promise.all([a, b]);
    expect(order.sort()).toEqual(["a", "b"]);
  });
});
