import { afterEach, describe, expect, it } from "vitest";
import {
  run,
  runWith,
  openNursery,
  sleep,
  sleepForever,
  moveOnAfter,
  currentRun,
  waitPromise,
  inspector,
  Event,
  openLoop,
  aioAsTrio,
  asyncio,
  type Operation,
  type Task,
} from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

function* sleeper(seconds: number): Operation<void> {
  yield* sleep(seconds);
}

function* forever(log: string[], name: string): Operation<void> {
  try {
    yield* sleepForever();
  } finally {
    log.push(`${name} finally`);
  }
}

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
  expect(observer.current).toBe(null);
});

describe("inspect()", () => {
  it("shows the task tree with what each task waits on", async () => {
    const clock = new MockClock();
    let snap: inspector.Snapshot | undefined;
    const ev = new Event();
    await runWith({ clock }, function* main() {
      yield* openNursery(function* (n) {
        n.startSoonNamed("napper", sleeper, 10);
        n.startSoonNamed("waiter", function* () {
          yield* ev.wait();
        });
        n.startSoonNamed("promised", function* () {
          yield* waitPromise(new Promise((r) => setTimeout(r, 5)));
        });
        yield* waitAllTasksBlocked();
        snap = inspector.inspect();
        ev.set();
        n.cancelScope.cancel("done looking");
      });
    });
    const s = snap!;
    const byName = new Map(s.tasks.map((t) => [t.name, t]));
    expect(byName.get("main")!.status).toBe("running");
    expect(byName.get("napper")!.waitingOn).toEqual({ kind: "sleep", label: "sleep until 10.000", deadline: 10 });
    expect(byName.get("waiter")!.waitingOn!.kind).toBe("Event");
    expect(byName.get("promised")!.waitingOn!.kind).toBe("promise");
    // Tree links: the three children belong to main's nursery.
    const nursery = s.nurseries.find((n) => n.parentTaskId === byName.get("main")!.id)!;
    expect(new Set(nursery.childTaskIds)).toEqual(new Set(["napper", "waiter", "promised"].map((k) => byName.get(k)!.id)));
    const tree = inspector.toTree(s);
    const mainNode = tree.find((t) => t.name === "main")!;
    expect(mainNode.nurseries[0]!.tasks.map((t) => t.name).sort()).toEqual(["napper", "promised", "waiter"]);
    // The nursery's scope is in every child's scope chain.
    expect(byName.get("napper")!.scopeIds).toContain(nursery.id);
    // Nothing is left once the run is over.
    expect(inspector.inspect().runs.filter((r) => r.name === s.runs[0]!.name)).toEqual([]);
  });

  it("reports scope deadlines, shields and cancel reasons", async () => {
    const clock = new MockClock();
    let scopes: inspector.ScopeRecord[] = [];
    await runWith({ clock }, function* () {
      yield* moveOnAfter(5, function* (outer) {
        outer.shield = true;
        outer.cancel("because");
        scopes = inspector.inspect().scopes;
      });
    });
    const rec = scopes.find((s) => s.cancelReason === "because")!;
    expect(rec).toMatchObject({ deadline: 5, timeLeft: 5, shield: true, cancelCalled: true, cancelled: true });
  });

  it("lists pending asyncio futures and loops", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    let snap: inspector.Snapshot | undefined;
    const stop = inspector.subscribe(() => {}, { scheduleFrame: () => {} });
    try {
      await runWith({ clock }, function* () {
        yield* openLoop(function* (loop) {
          const fut = loop.createFuture<number>();
          yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
            loop.callLater(1, () => {
              snap = inspector.inspect();
              fut.setResult(1);
            });
            yield* fut;
          })();
        });
      });
    } finally {
      stop();
    }
    expect(snap!.loops).toHaveLength(1);
    const kinds = snap!.futures.map((f) => f.kind).sort();
    expect(kinds).toEqual(["Future", "Task"]);
    const task = snap!.futures.find((f) => f.kind === "Task")!;
    const fut = snap!.futures.find((f) => f.kind === "Future")!;
    expect(task.waitingOnFutureId).toBe(fut.id);
    expect(fut.createdAt).toBe(0);
  });
});

describe("subscribe()", () => {
  it("sends a full snapshot first, then only differences, at most once per frame", async () => {
    const frames = manualFrames();
    const updates: inspector.InspectorUpdate[] = [];
    const stop = inspector.subscribe((u) => updates.push(u), { scheduleFrame: frames.scheduleFrame });
    try {
      const log: string[] = [];
      await run(function* () {
        yield* openNursery(function* (n) {
          n.startSoonNamed("a", forever, log, "a");
          yield* waitAllTasksBlocked();
          frames.runFrame();
          expect(updates).toHaveLength(1);
          expect(updates[0]!.full!.tasks.map((t) => t.name)).toContain("a");
          n.startSoonNamed("b", forever, log, "b");
          yield* waitAllTasksBlocked();
          frames.runFrame();
          const second = updates[1]!;
          expect(second.full).toBeUndefined();
          // Only b is new; a did not change and is not re-sent.
          expect(second.tasks.upserted.map((t) => t.name)).toEqual(["b"]);
          expect(second.events.map((e) => [e.kind, e.name])).toEqual([["spawn", "b"]]);
          n.cancelScope.cancel("stop");
        });
      });
      frames.runFrame();
      const last = updates[updates.length - 1]!;
      expect(last.events.some((e) => e.kind === "cancel" && e.detail === "stop")).toBe(true);
      expect(last.events.filter((e) => e.kind === "exit").map((e) => e.name).sort()).toEqual(["a", "b", "main"]);
      expect(last.tasks.removed.length).toBeGreaterThanOrEqual(3);
      expect(last.batches.length).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });

  it("detaches from the runtime when the last listener leaves", () => {
    const a = inspector.subscribe(() => {}, { scheduleFrame: () => {} });
    const b = inspector.subscribe(() => {}, { scheduleFrame: () => {} });
    expect(observer.current).not.toBe(null);
    a();
    expect(observer.current).not.toBe(null);
    b();
    b();
    expect(observer.current).toBe(null);
    expect(inspector.subscriberCount()).toBe(0);
  });

  it("keeps delivering to other listeners when one throws", async () => {
    const frames = manualFrames();
    const got: number[] = [];
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    const s1 = inspector.subscribe(() => {
      throw new Error("broken tool");
    }, { scheduleFrame: frames.scheduleFrame });
    const s2 = inspector.subscribe((u) => got.push(u.at), { scheduleFrame: frames.scheduleFrame });
    try {
      frames.runFrame();
      expect(got).toHaveLength(1);
      expect(errors).toHaveLength(1);
    } finally {
      console.error = orig;
      s1();
      s2();
    }
  });
});

describe("inspector.cancel and Task.cancel", () => {
  it("cancels one task by id without disturbing its siblings", async () => {
    const log: string[] = [];
    let target: Task | undefined;
    const clock = new MockClock();
    await runWith({ clock }, function* () {
      yield* openNursery(function* (n) {
        target = n.startSoonNamed("victim", forever, log, "victim");
        n.startSoonNamed("bystander", function* () {
          yield* sleep(1);
          log.push("bystander done");
        });
        yield* waitAllTasksBlocked();
        expect(inspector.cancel("task", target.id, "by hand")).toBe(true);
        yield* waitAllTasksBlocked();
        log.push("victim gone");
        clock.jump(1);
      });
    });
    expect(log).toEqual(["victim finally", "victim gone", "bystander done"]);
    expect(target!.done).toBe(true);
    expect(target!.cancel()).toBe(false);
  });

  it("Task.cancel works on a task blocked inside its own nested scopes and nurseries", async () => {
    const log: string[] = [];
    await run(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoonNamed("deep", function* () {
          yield* moveOnAfter(100, function* () {
            yield* openNursery(function* (inner) {
              inner.startSoonNamed("grandchild", forever, log, "grandchild");
              yield* forever(log, "deep body");
            });
          });
          log.push("after scope (should not run)");
        });
        yield* waitAllTasksBlocked();
        t.cancel("go away");
      });
    });
    expect(log.sort()).toEqual(["deep body finally", "grandchild finally"]);
  });

  it("cancels a scope by id", async () => {
    let caught = false;
    await run(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* moveOnAfter(1000, function* (scope) {
            n.startSoon(function* () {
              yield* waitAllTasksBlocked();
              expect(inspector.cancel("scope", scope.id, "manual")).toBe(true);
            });
            yield* sleepForever();
          });
          caught = true;
        });
      });
    });
    expect(caught).toBe(true);
    expect(inspector.cancel("scope", 999999)).toBe(false);
    expect(() => inspector.cancel("scope", 1.5)).toThrow(/integer id/);
  });

  it("leaves nothing behind", async () => {
    let runner: ReturnType<typeof currentRun> | undefined;
    await run(function* () {
      runner = currentRun();
      yield* openNursery(function* (n) {
        const t = n.startSoon(sleeper, 100);
        yield* sleep(0);
        t.cancel();
      });
    });
    expect(leftovers(runner!)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });
});
