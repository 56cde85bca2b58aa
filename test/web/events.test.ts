// DOM events as operations: waitEvent and openEventChannel, checked for the one thing that
// matters most, besides delivery: the listener is gone on every way out.
import { describe, expect, it } from "vitest";
import { CancelScope, ClosedResourceError, moveOnAfter, openNursery, sleep } from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { openEventChannel, waitEvent, type EventChannel } from "../../src/web/index.js";
import { CountingTarget, raises, runMock, type Numbered } from "./helpers.js";
import { within } from "../core/helpers.js";

/** A target that replays an event of the type to each listener as it is added (as some "sticky" emitters do). */
class ReplayingTarget extends CountingTarget {
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    super.addEventListener(type, listener, options);
    this.fire(type, 42);
  }
}

describe("waitEvent on a target that dispatches inside addEventListener", () => {
  it("returns that event, with no listener left (it used to wait for ever: the event came before the task parked)", async () => {
    const target = new ReplayingTarget();
    const event = await within(runMock(() => waitEvent<Numbered>(target, "ping")));
    expect((event as Numbered).n).toBe(42);
    expect(target.live).toBe(0);
  });
});

describe("waitEvent", () => {
  it("returns the event and removes its listener", async () => {
    const target = new CountingTarget();
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          const event = (yield* waitEvent<Numbered>(target, "ping")) as Numbered;
          expect(event.n).toBe(7);
          expect(event.type).toBe("ping");
        });
        yield* waitAllTasksBlocked();
        expect(target.live).toBe(1);
        target.fire("ping", 7);
        expect(target.live).toBe(0);
      });
    });
    expect(target.live).toBe(0);
  });

  it("passes passive and capture to addEventListener", async () => {
    const target = new CountingTarget();
    await runMock(function* () {
      yield* moveOnAfter(1, function* () {
        yield* waitEvent(target, "touchstart", { passive: true, capture: true });
      });
    });
    expect(target.added[0]).toEqual({ type: "touchstart", options: { passive: true, capture: true } });
    expect(target.live).toBe(0);
  });

  it("skips the events the filter refuses", async () => {
    const target = new CountingTarget();
    const seen: number[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          const event = yield* waitEvent<Numbered>(target, "key", {
            filter: (e) => {
              seen.push(e.n);
              return e.n === 3;
            },
          });
          expect(event.n).toBe(3);
        });
        yield* waitAllTasksBlocked();
        for (let i = 1; i <= 5; i++) target.fire("key", i);
      });
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(target.live).toBe(0);
  });

  it("raises what the filter throws, and removes the listener", async () => {
    const target = new CountingTarget();
    const boom = new Error("bad filter");
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          let caught: unknown;
          try {
            yield* waitEvent(target, "x", { filter: () => { throw boom; } });
          } catch (error) {
            caught = error;
          }
          expect(caught).toBe(boom);
        });
        yield* waitAllTasksBlocked();
        target.fire("x");
      });
    });
    expect(target.live).toBe(0);
  });

  it("removes the listener when the task is cancelled", async () => {
    const target = new CountingTarget();
    await runMock(function* () {
      const result = yield* moveOnAfter(1, function* () {
        return yield* waitEvent(target, "never");
      });
      expect(result).toBeUndefined();
      expect(target.live).toBe(0);
      // A later dispatch reaches nobody and breaks nothing.
      target.fire("never");
    });
  });

  it("in an already cancelled scope raises Cancelled and leaves no listener", async () => {
    const target = new CountingTarget();
    await runMock(function* () {
      const scope = new CancelScope();
      scope.cancel();
      yield* scope.run(function* () {
        yield* waitEvent(target, "x");
      });
      expect(scope.cancelledCaught).toBe(true);
    });
    expect(target.live).toBe(0);
  });

  it("refuses bad input with errors that name the fix", async () => {
    await runMock(function* () {
      expect(() => waitEvent({} as EventTarget, "x")).toThrow(/needs an EventTarget .*addEventListener/);
      expect(() => waitEvent(null as unknown as EventTarget, "x")).toThrow(TypeError);
      expect(() => waitEvent(new EventTarget(), "")).toThrow(/event type such as "click"/);
      expect(() => waitEvent(new EventTarget(), 42 as unknown as string)).toThrow(/event type/);
      expect(() => waitEvent(new EventTarget(), "x", { filter: "yes" as unknown as () => boolean })).toThrow(/filter option must be a function/);
      expect(() => waitEvent(new EventTarget(), "x", 5 as unknown as object)).toThrow(/options object/);
    });
  });
});

describe("openEventChannel", () => {
  it("delivers events in order and removes the listener when the body returns", async () => {
    const target = new CountingTarget();
    await runMock(function* () {
      const got = yield* openEventChannel<Numbered, number[]>(target, "m", function* (events) {
        expect(target.live).toBe(1);
        for (let i = 0; i < 3; i++) target.fire("m", i);
        const out: number[] = [];
        for (let i = 0; i < 3; i++) out.push((yield* events.receive()).n);
        return out;
      });
      expect(got).toEqual([0, 1, 2]);
      expect(target.live).toBe(0);
    });
  });

  it("wakes a waiting receiver, and removes the listener when the task is cancelled", async () => {
    const target = new CountingTarget();
    const got: number[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const scope = new CancelScope();
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* openEventChannel<Numbered, void>(target, "m", function* (events) {
              yield* events.forEach(function* (e) {
                got.push(e.n);
              });
            });
          });
        });
        yield* waitAllTasksBlocked();
        target.fire("m", 1);
        yield* waitAllTasksBlocked();
        target.fire("m", 2);
        yield* waitAllTasksBlocked();
        expect(target.live).toBe(1);
        scope.cancel();
      });
    });
    expect(got).toEqual([1, 2]);
    expect(target.live).toBe(0);
  });

  it("close() removes the listener; a blocked receiver and later receives get ClosedResourceError", async () => {
    const target = new CountingTarget();
    await runMock(function* () {
      yield* openEventChannel(target, "m", function* (events) {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* raises(events.receive(), ClosedResourceError);
          });
          yield* waitAllTasksBlocked();
          events.close();
          expect(target.live).toBe(0);
          expect(events.closed).toBe(true);
          expect(events.statistics().listening).toBe(false);
        });
        const error = yield* raises(events.receive(), ClosedResourceError);
        expect(String(error)).toMatch(/openEventChannel/);
        target.fire("m");
      });
    });
    expect(target.live).toBe(0);
  });

  it("removes the listener when the body raises", async () => {
    const target = new CountingTarget();
    await expect(
      runMock(function* () {
        yield* openEventChannel(target, "m", function* () {
          yield* sleep(1);
          throw new Error("body failed");
        });
      }),
    ).rejects.toThrow("body failed");
    expect(target.live).toBe(0);
  });

  it("drop-oldest keeps the newest maxBuffer events", async () => {
    const got = await receiveAfterBurst({ maxBuffer: 2, overflow: "drop-oldest" }, 5);
    expect(got.values).toEqual([3, 4]);
    expect(got.stats).toMatchObject({ overflowed: 3, buffered: 0, maxBuffer: 2, overflow: "drop-oldest" });
  });

  it("drop-newest keeps the first maxBuffer events", async () => {
    const got = await receiveAfterBurst({ maxBuffer: 2, overflow: "drop-newest" }, 5);
    expect(got.values).toEqual([0, 1]);
    expect(got.stats.overflowed).toBe(3);
  });

  it("block drops nothing and counts the events past maxBuffer", async () => {
    const got = await receiveAfterBurst({ maxBuffer: 2, overflow: "block" }, 5);
    expect(got.values).toEqual([0, 1, 2, 3, 4]);
    expect(got.stats.overflowed).toBe(3);
  });

  it("maxBuffer 0 with a drop mode delivers only to a waiting receiver", async () => {
    for (const overflow of ["drop-oldest", "drop-newest"] as const) {
      const target = new CountingTarget();
      await runMock(function* () {
        yield* openEventChannel<Numbered, void>(target, "m", { maxBuffer: 0, overflow }, function* (events) {
          target.fire("m", 1); // nobody waiting: dropped
          yield* openNursery(function* (n) {
            n.startSoon(function* () {
              expect((yield* events.receive()).n).toBe(2);
            });
            yield* waitAllTasksBlocked();
            target.fire("m", 2);
          });
          expect(events.statistics()).toMatchObject({ overflowed: 1, buffered: 0 });
        });
      });
      expect(target.live).toBe(0);
    }
  });

  it("refuses bad options with errors that name the fix", async () => {
    const target = new CountingTarget();
    const body = function* (_events: EventChannel) {};
    expect(() => openEventChannel(target, "m", { overflow: "drop-middle" as "block" }, body)).toThrow(/"drop-oldest", "drop-newest" or "block"/);
    expect(() => openEventChannel(target, "m", { maxBuffer: -1 }, body)).toThrow(RangeError);
    expect(() => openEventChannel(target, "m", { maxBuffer: 1.5 }, body)).toThrow(/non-negative integer or Infinity/);
    expect(() => openEventChannel(target, "m", {} as never)).toThrow(/needs a body/);
    expect(() => openEventChannel("button" as unknown as EventTarget, "m", body)).toThrow(/needs an EventTarget/);
    await expect(
      runMock(function* () {
        yield* openEventChannel(target, "m", (() => 1) as unknown as typeof body);
      }),
    ).rejects.toThrow(/body must be a generator function/);
    expect(target.live).toBe(0);
  });
});

async function receiveAfterBurst(options: { maxBuffer: number; overflow: "drop-oldest" | "drop-newest" | "block" }, count: number) {
  const target = new CountingTarget();
  const result = await runMock(function* () {
    return yield* openEventChannel<Numbered, { values: number[]; stats: ReturnType<EventChannel["statistics"]> }>(target, "m", options, function* (events) {
      for (let i = 0; i < count; i++) target.fire("m", i);
      const stats = events.statistics();
      const values: number[] = [];
      for (let i = 0; i < stats.buffered; i++) values.push((yield* events.receive()).n);
      return { values, stats: events.statistics() };
    });
  });
  expect(target.live).toBe(0);
  return result;
}
