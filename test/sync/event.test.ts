import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  Event,
  RuntimeError,
  moveOnAfter,
  openNursery,
  runWith,
  sleep,
} from "../../src/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

describe("Event", () => {
  it("starts unset and wakes every waiter when set, in order", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const event = new Event();
      expect(event.isSet()).toBe(false);
      expect(event.statistics()).toEqual({ tasksWaiting: 0 });
      yield* openNursery(function* (n) {
        for (const name of ["a", "b", "c"]) {
          n.startSoon(function* () {
            yield* event.wait();
            record.push(name);
          });
        }
        yield* waitAllTasksBlocked();
        expect(record).toEqual([]);
        expect(event.statistics()).toEqual({ tasksWaiting: 3 });
        event.set();
        expect(event.isSet()).toBe(true);
        expect(event.statistics()).toEqual({ tasksWaiting: 0 });
      });
    });
    expect(record).toEqual(["a", "b", "c"]);
  });

  it("wait() on a set event returns, but is still a checkpoint", async () => {
    await runMock(function* () {
      const event = new Event();
      event.set();
      yield* assertCheckpoints(event.wait());
      expect(event.isSet()).toBe(true);
    });
  });

  it("wait() on a set event raises Cancelled inside a cancelled scope", async () => {
    await runMock(function* () {
      const event = new Event();
      event.set();
      let raised: unknown = null;
      let after = false;
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        try {
          yield* event.wait();
          after = true;
        } catch (error) {
          raised = error;
          throw error;
        }
      });
      expect(raised).toBeInstanceOf(Cancelled);
      expect(after).toBe(false);
    });
  });

  it("set() is idempotent", async () => {
    await runMock(function* () {
      const event = new Event();
      event.set();
      event.set();
      expect(event.isSet()).toBe(true);
      yield* event.wait();
    });
  });

  it("a cancelled waiter is removed and the others still wake", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const event = new Event();
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => event.wait());
          record.push(scope.cancelledCaught ? "cancelled" : "woken");
        });
        n.startSoon(function* () {
          yield* event.wait();
          record.push("other woken");
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
        yield* waitAllTasksBlocked();
        expect(event.statistics().tasksWaiting).toBe(1);
        event.set();
      });
    });
    expect(record).toEqual(["cancelled", "other woken"]);
  });

  it("a wait can time out and a later wait still works", async () => {
    await runMock(function* () {
      const event = new Event();
      const first = yield* moveOnAfter(1, function* () {
        yield* event.wait();
        return "set";
      });
      expect(first).toBeUndefined();
      expect(event.statistics().tasksWaiting).toBe(0);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(5);
          event.set();
        });
        yield* event.wait();
      });
      expect(event.isSet()).toBe(true);
    });
  });

  it("can be set from a plain callback outside the run", async () => {
    const event = new Event();
    setTimeout(() => event.set(), 1);
    await runWith({}, function* () {
      yield* event.wait();
    });
    expect(event.isSet()).toBe(true);
  });

  it("can be created outside a run and waited on by several runs", async () => {
    const event = new Event();
    const a = runMock(function* () {
      yield* event.wait();
      return "a";
    });
    const b = runMock(function* () {
      yield* event.wait();
      return "b";
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(event.statistics().tasksWaiting).toBe(2);
    event.set();
    await expect(Promise.all([a, b])).resolves.toEqual(["a", "b"]);
  });

  it("shows the event as what a waiting task waits on", async () => {
    await runMock(function* () {
      const event = new Event();
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          yield* event.wait();
        });
        yield* waitAllTasksBlocked();
        expect(t.waitingOn).toBe(event);
        expect(String(event)).toMatch(/unset, 1 waiting/);
        event.set();
      });
    });
  });

  it("wait() outside a task raises a RuntimeError", () => {
    const event = new Event();
    expect(() => event.wait().next()).toThrow(RuntimeError);
    event.set();
    expect(() => event.wait().next()).toThrow(RuntimeError);
  });
});
