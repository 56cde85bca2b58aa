import { afterEach, describe, expect, it, vi } from "vitest";
import { runWith, openNursery, openLoop, aioAsTrio, waitFuture, asyncio, inspector, CancelScope, Event, sleep } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";

function manualFrames() {
  const pending: (() => void)[] = [];
  return {
    scheduleFrame: (flush: () => void) => void pending.push(flush),
    runFrame() {
      const list = pending.splice(0);
      for (const f of list) f();
      return list.length;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
  expect(observer.current).toBe(null);
});

describe("inspector records for the devtools panel", () => {
  it("names the Trio task hosting each asyncio loop, and the future a task waits on", async () => {
    let snap: inspector.Snapshot | undefined;
    const stop = inspector.subscribe(() => {}, { scheduleFrame: () => {} });
    try {
      await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
        yield* openLoop(function* (loop) {
          const fut = loop.createFuture<number>();
          yield* openNursery(function* (n) {
            n.startSoonNamed("awaiter", function* () {
              yield* waitFuture(fut);
            });
            yield* waitAllTasksBlocked();
            snap = inspector.inspect();
            fut.setResult(1);
          });
          yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
            yield* asyncio.sleep(0);
          })();
        });
      });
    } finally {
      stop();
    }
    const s = snap!;
    const loop = s.loops[0]!;
    const host = s.tasks.find((t) => t.id === loop.hostTaskId)!;
    expect(host.name).toBe(`asyncio loop #${loop.id}`);
    const awaiter = s.tasks.find((t) => t.name === "awaiter")!;
    expect(awaiter.waitingOn!.kind).toBe("future");
    const fut = s.futures.find((f) => f.id === awaiter.waitingOn!.futureId)!;
    expect(fut.kind).toBe("Future");
  });

  it("skips idle frames, but still picks up changes made outside any task step within 250 ms", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const frames = manualFrames();
    const updates: inspector.InspectorUpdate[] = [];
    const stop = inspector.subscribe((u) => updates.push(u), { scheduleFrame: frames.scheduleFrame });
    const release = new Event();
    let scope: CancelScope | null = null;
    const done = runWith({ clock: new MockClock() }, function* () {
      yield* new CancelScope().run(function* (s) {
        scope = s;
        yield* release.wait();
      });
    });
    try {
      // Let the run block, then take the first (full) update.
      for (let i = 0; i < 20 && scope === null; i++) await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => setTimeout(r, 0));
      frames.runFrame();
      frames.runFrame();
      const seen = updates.length;
      // Host code (not a task) changes a scope: no runtime event marks it.
      scope!.shield = true;
      frames.runFrame();
      expect(updates.length).toBe(seen);
      vi.advanceTimersByTime(300);
      frames.runFrame();
      expect(updates.length).toBe(seen + 1);
      expect(updates[seen]!.scopes.upserted.map((s) => s.shield)).toEqual([true]);
    } finally {
      release.set();
      await done;
      stop();
    }
  });

  it("a flush scheduled before the last listener left does not start a second chain", async () => {
    const frames = manualFrames();
    const release = new Event();
    const done = runWith({ clock: new MockClock() }, function* () {
      yield* release.wait();
    });
    try {
      await new Promise((r) => setTimeout(r, 0));
      const first = inspector.subscribe(() => {}, { scheduleFrame: frames.scheduleFrame });
      first(); // its flush is still pending in `frames`
      const got: inspector.InspectorUpdate[] = [];
      const second = inspector.subscribe((u) => got.push(u), { scheduleFrame: frames.scheduleFrame });
      try {
        expect(frames.runFrame()).toBe(2); // the stale one and the live one
        expect(got).toHaveLength(1);
        // While the run lives, exactly one flush is pending per frame.
        expect(frames.runFrame()).toBe(1);
        expect(frames.runFrame()).toBe(1);
      } finally {
        second();
      }
    } finally {
      release.set();
      await done;
    }
  });
});

describe("a subscriber's first update and a scheduleFrame that runs at once", () => {
  it("the first update's full snapshot is the state of that update: the tasks inspect() sees, with the records the update upserts", async () => {
    let first: inspector.InspectorUpdate | undefined;
    let seen: inspector.Snapshot | undefined;
    await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      yield* openNursery(function* (n) {
        const gate = new Event();
        for (let i = 0; i < 5; i++) n.startSoonNamed(`waiter-${i}`, () => gate.wait());
        yield* waitAllTasksBlocked();
        const stop = inspector.subscribe((u) => (first ??= u), { scheduleFrame: (f) => f() });
        seen = inspector.inspect();
        stop();
        gate.set();
      });
    });
    const full = first!.full!;
    expect(full.tasks.map((t) => t.id).sort()).toEqual(seen!.tasks.map((t) => t.id).sort());
    expect(full.tasks.filter((t) => t.name.startsWith("waiter-")).every((t) => t.status === "blocked")).toBe(true);
    // The first subscriber's update upserts everything: the very records of the snapshot.
    expect(first!.tasks.upserted.every((r) => full.tasks.includes(r))).toBe(true);
  });

  it("(f) => f() as scheduleFrame does not recurse while the run goes on: later flushes wait for a frame", async () => {
    const updates: inspector.InspectorUpdate[] = [];
    let stop: () => void = () => {};
    await runWith({}, function* () {
      stop = inspector.subscribe((u) => updates.push(u), { scheduleFrame: (f) => f() });
      yield* openNursery(function* (n) {
        n.startSoonNamed("short", function* () {});
      });
      // A few frames' worth of real time, so the flushes that wait for a frame (a 16 ms timer in Node) come.
      yield* sleep(0.05);
    });
    stop();
    expect(updates.length).toBeGreaterThan(1);
    expect(updates[0]!.full).toBeDefined();
  });
});

describe("subscribe's options, checked before anything is registered", () => {
  it("refuses bad options with an error naming the option, and leaves nothing subscribed", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const cases: [unknown, RegExp][] = [
      [proxy, /^subscribe\(listener, options\): the options object cannot be read/],
      [{ scheduleFrame: 5 }, /^subscribe's scheduleFrame option must be a function/],
      [{ batchTasks: "yes" }, /^subscribe's batchTasks option must be true or false, got "yes"/],
      [{ captureStacks: 1 }, /^subscribe's captureStacks option must be true or false/],
      [null, /^subscribe\(listener, options\) takes an options object/],
    ];
    for (const [options, message] of cases) {
      expect(() => inspector.subscribe(() => {}, options as never)).toThrow(message);
      expect(inspector.subscriberCount()).toBe(0);
      expect(observer.current).toBe(null);
    }
  });

  it("a scheduleFrame that throws: the error reaches the caller and nothing stays subscribed", () => {
    expect(() =>
      inspector.subscribe(() => {}, {
        scheduleFrame: () => {
          throw new Error("no frames here");
        },
      }),
    ).toThrow("no frames here");
    expect(inspector.subscriberCount()).toBe(0);
    expect(observer.current).toBe(null);
    // The next subscriber gets the default pacing, not the throwing one.
    const stop = inspector.subscribe(() => {}, { scheduleFrame: () => {} });
    stop();
  });
});
