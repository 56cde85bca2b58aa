// Frames and idle time, in Node with stand-ins for the browser's functions, installed and
// removed per test: the callback wakes the task, cancelling the task cancels the callback.
import { afterEach, describe, expect, it, vi } from "vitest";
import { CancelScope, RuntimeError, openNursery, run } from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { nextFrame, waitIdle, yieldToHost } from "../../src/web/index.js";
import { fakeCallbacks, runMock } from "./helpers.js";
import { within } from "../core/helpers.js";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("nextFrame", () => {
  it("returns the frame's timestamp", async () => {
    const raf = fakeCallbacks<number>();
    vi.stubGlobal("requestAnimationFrame", raf.request);
    vi.stubGlobal("cancelAnimationFrame", raf.cancel);
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(yield* nextFrame()).toBe(16.5);
        });
        yield* waitAllTasksBlocked();
        expect(raf.pending.size).toBe(1);
        raf.fireAll(16.5);
      });
    });
    expect(raf.cancel).not.toHaveBeenCalled();
  });

  it("cancelling the task cancels the frame request", async () => {
    const raf = fakeCallbacks<number>();
    vi.stubGlobal("requestAnimationFrame", raf.request);
    vi.stubGlobal("cancelAnimationFrame", raf.cancel);
    await runMock(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* nextFrame();
          });
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
      expect(scope.cancelledCaught).toBe(true);
    });
    expect(raf.cancel).toHaveBeenCalledWith(1);
    expect(raf.pending.size).toBe(0);
  });

  it("without requestAnimationFrame raises a RuntimeError naming the alternatives", async () => {
    vi.stubGlobal("requestAnimationFrame", undefined);
    await runMock(function* () {
      let caught: unknown;
      try {
        yield* nextFrame();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RuntimeError);
      expect(String(caught)).toMatch(/yieldToHost\(\) or sleep\(\)/);
    });
  });
});

describe("a host that calls back at once, inside the request (a polyfill's rAF, a rIC stand-in)", () => {
  it("nextFrame and waitIdle return the answer (they used to wait for ever: the answer came before the task parked)", async () => {
    vi.stubGlobal("requestAnimationFrame", (cb: (time: number) => void) => (cb(16.5), 1));
    vi.stubGlobal("cancelAnimationFrame", () => {});
    const deadline = { didTimeout: false, timeRemaining: () => 5 };
    vi.stubGlobal("requestIdleCallback", (cb: (d: unknown) => void) => (cb(deadline), 1));
    vi.stubGlobal("cancelIdleCallback", () => {});
    const got = await within(runMock(function* () {
      return [yield* nextFrame(), yield* waitIdle({ timeout: 1 })];
    }));
    expect(got).toEqual([16.5, deadline]);
  });

  it("each is still a checkpoint: a frame loop in a cancelled scope ends, and other tasks run meanwhile", async () => {
    vi.stubGlobal("requestAnimationFrame", (cb: (time: number) => void) => (cb(0), 1));
    vi.stubGlobal("cancelAnimationFrame", () => {});
    let frames = 0;
    let otherRan = false;
    await within(runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          otherRan = true;
        });
        yield* new CancelScope().run(function* (scope) {
          for (;;) {
            yield* nextFrame();
            if (++frames === 3) scope.cancel();
          }
        });
      });
    }));
    expect(frames).toBe(3);
    expect(otherRan).toBe(true);
  });
});

describe("waitIdle", () => {
  it("uses requestIdleCallback with the timeout in milliseconds and returns the deadline", async () => {
    const ric = fakeCallbacks<IdleDeadline>();
    vi.stubGlobal("requestIdleCallback", ric.request);
    vi.stubGlobal("cancelIdleCallback", ric.cancel);
    const deadline = { didTimeout: true, timeRemaining: () => 0 };
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(yield* waitIdle({ timeout: 0.25 })).toBe(deadline);
          expect(yield* waitIdle()).toBe(deadline);
        });
        yield* waitAllTasksBlocked();
        ric.fireAll(deadline);
        yield* waitAllTasksBlocked();
        ric.fireAll(deadline);
      });
    });
    expect(ric.requests).toEqual([{ timeout: 250 }, undefined]);
  });

  it("the timeout reaches requestIdleCallback as whole milliseconds, at least 1 (0 ms means no limit there), and none past what it takes (it wraps around)", async () => {
    const ric = fakeCallbacks<IdleDeadline>();
    vi.stubGlobal("requestIdleCallback", ric.request);
    vi.stubGlobal("cancelIdleCallback", ric.cancel);
    const deadline = { didTimeout: true, timeRemaining: () => 0 };
    const timeouts = [0, 0.0004, 0.0015, 4294967.295, 4294967.296, 1e308, Infinity];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          for (const timeout of timeouts) yield* waitIdle({ timeout });
        });
        for (let i = 0; i < timeouts.length; i++) {
          yield* waitAllTasksBlocked();
          ric.fireAll(deadline);
        }
      });
    });
    expect(ric.requests).toEqual([{ timeout: 1 }, { timeout: 1 }, { timeout: 2 }, { timeout: 4294967295 }, undefined, undefined, undefined]);
  });

  it("cancelling the task cancels the idle callback", async () => {
    const ric = fakeCallbacks<IdleDeadline>();
    vi.stubGlobal("requestIdleCallback", ric.request);
    vi.stubGlobal("cancelIdleCallback", ric.cancel);
    await runMock(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => waitIdle());
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
    });
    expect(ric.cancel).toHaveBeenCalledWith(1);
  });

  it("falls back to a timer with a 50 ms budget where requestIdleCallback is missing", async () => {
    vi.stubGlobal("requestIdleCallback", undefined);
    await run(function* () {
      const deadline = yield* waitIdle();
      expect(deadline.didTimeout).toBe(false);
      const left = deadline.timeRemaining();
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(50);
    });
  });

  it("the fallback's timer is cleared when the task is cancelled", async () => {
    vi.stubGlobal("requestIdleCallback", undefined);
    // The fallback's own timer (armed with 1 ms), told apart from the scheduler's host timers,
    // which a loaded machine may also arm and clear meanwhile. It is armed for a minute instead:
    // on a loaded machine 1 ms could pass before the cancel, and the wait would end on its own.
    const realSetTimeout = globalThis.setTimeout;
    let idleTimer: unknown;
    const set = vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      if (ms !== 1) return realSetTimeout(fn, ms);
      idleTimer = realSetTimeout(fn, 60_000);
      return idleTimer;
    }) as typeof setTimeout);
    const clear = vi.spyOn(globalThis, "clearTimeout");
    await run(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => waitIdle());
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
    });
    set.mockRestore();
    expect(idleTimer).toBeDefined();
    expect(clear.mock.calls.filter(([timer]) => timer === idleTimer)).toHaveLength(1);
  });

  it("refuses a bad timeout", async () => {
    expect(() => waitIdle({ timeout: -1 })).toThrow(/non-negative number of seconds/);
    expect(() => waitIdle({ timeout: "1s" as unknown as number })).toThrow(/non-negative number of seconds/);
    expect(() => waitIdle(3 as unknown as object)).toThrow(/options object/);
  });
});

describe("yieldToHost", () => {
  it("uses scheduler.yield where present", async () => {
    const yieldFn = vi.fn(() => Promise.resolve());
    vi.stubGlobal("scheduler", { yield: yieldFn });
    await run(function* () {
      yield* yieldToHost();
    });
    expect(yieldFn).toHaveBeenCalledTimes(1);
  });

  it("without scheduler.yield, leaves the host task: a macrotask queued before it runs first", async () => {
    vi.stubGlobal("scheduler", undefined);
    const order: string[] = [];
    await run(function* () {
      setImmediate(() => order.push("host macrotask"));
      yield* yieldToHost();
      order.push("task resumed");
    });
    expect(order).toEqual(["host macrotask", "task resumed"]);
  });

  it("uses a MessageChannel message where setImmediate is missing, and closes its port", async () => {
    vi.stubGlobal("scheduler", undefined);
    vi.stubGlobal("setImmediate", undefined);
    const close = vi.spyOn(MessagePort.prototype, "close");
    await run(function* () {
      yield* yieldToHost();
    });
    expect(close).toHaveBeenCalled();
  });

  it("cancelling the task cancels the pending macrotask", async () => {
    vi.stubGlobal("scheduler", undefined);
    const clear = vi.spyOn(globalThis, "clearImmediate");
    await run(function* () {
      const scope = new CancelScope();
      scope.cancel();
      yield* scope.run(() => yieldToHost());
      expect(scope.cancelledCaught).toBe(true);
    });
    expect(clear).toHaveBeenCalledTimes(1);
  });
});
