/**
 * The task policies, driven from plain Trio code with an ordinary nursery
 * as the owner and a MockClock, so every timing is exact.
 */
import { describe, expect, it } from "vitest";
import { CancelScope, openNursery, sleep, sleepForever, type Nursery, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TaskInstanceCancelled, taskPolicy, type TaskInstance } from "../../src/components/index.js";
import { TimeLog, runClean } from "./helpers.js";

function* job(log: TimeLog, label: string, seconds: number): Operation<string> {
  log.add(`start ${label}`);
  try {
    yield* sleep(seconds);
    log.add(`end ${label}`);
    return label;
  } finally {
    log.add(`finally ${label}`);
  }
}

describe("restartable", () => {
  it("cancels the running instance; its finally runs before the new one starts", async () => {
    const log = new TimeLog();
    const result = await runClean(function* () {
      let states: string[] = [];
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 10), { policy: "restartable" });
        const a = p.perform("a");
        yield* sleep(1);
        const b = p.perform("b");
        expect(p.state.runningCount).toBe(1);
        expect(p.state.queuedCount).toBe(1);
        yield* b.join();
        states = [a.state, b.state, String(p.state.lastValue), String(p.state.performCount), String(p.state.cancelledCount)];
        expect(a.cancelReason).toMatch(/restarted/);
      });
      return states;
    });
    expect(result).toEqual(["cancelled", "succeeded", "b", "2", "1"]);
    expect(log.entries).toEqual(["0:start a", "1:finally a", "1:start b", "11:end b", "11:finally b"]);
  });

  it("the new instance waits for a slow cleanup (maxConcurrency is never exceeded)", async () => {
    const log = new TimeLog();
    let maxSeen = 0;
    await runClean(function* () {
      yield* openNursery(function* (n) {
        let active = 0;
        const p = taskPolicy(
          n,
          function* slowCleanup(label: string): Operation<void> {
            active++;
            maxSeen = Math.max(maxSeen, active);
            log.add(`start ${label}`);
            try {
              yield* sleep(10);
            } finally {
              yield* new CancelScope({ shield: true }).run(() => sleep(2));
              log.add(`cleaned ${label}`);
              active--;
            }
          },
          { policy: "restartable" },
        );
        p.perform("a");
        yield* sleep(1);
        yield* p.perform("b").join();
      });
    });
    expect(maxSeen).toBe(1);
    expect(log.entries).toEqual(["0:start a", "3:cleaned a", "3:start b", "15:cleaned b"]);
  });

  it("performs made while the old one unwinds keep only the latest; the skipped one never runs", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 5), { policy: "restartable" });
        p.perform("a");
        yield* sleep(1);
        const b = p.perform("b");
        const c = p.perform("c");
        expect(b.state).toBe("cancelled");
        expect(b.cancelReason).toMatch(/before it began/);
        yield* c.join();
        expect(p.state.cancelledCount).toBe(2);
      });
    });
    expect(log.entries).toEqual(["0:start a", "1:finally a", "1:start c", "6:end c", "6:finally c"]);
  });

  it("with maxConcurrency 2 cancels only the oldest", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 5), { policy: "restartable", maxConcurrency: 2 });
        const a = p.perform("a");
        yield* sleep(1);
        const b = p.perform("b");
        yield* sleep(1);
        const c = p.perform("c");
        yield* c.join();
        yield* b.join();
        expect([a.state, b.state, c.state]).toEqual(["cancelled", "succeeded", "succeeded"]);
      });
    });
    expect(log.entries).toEqual(["0:start a", "1:start b", "2:finally a", "2:start c", "6:end b", "6:finally b", "7:end c", "7:finally c"]);
  });
});

describe("drop", () => {
  it("ignores performs while an instance runs", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 5), { policy: "drop" });
        const a = p.perform("a");
        yield* sleep(1);
        const b = p.perform("b");
        expect(b.state).toBe("dropped");
        expect(p.state.droppedCount).toBe(1);
        yield* a.join();
        const c = p.perform("c");
        yield* c.join();
        expect(p.state.lastValue).toBe("c");
        expect(p.state.performCount).toBe(3);
      });
    });
    expect(log.entries).toEqual(["0:start a", "5:end a", "5:finally a", "5:start c", "10:end c", "10:finally c"]);
  });
});

describe("drop, right after a cancel", () => {
  it("a perform dropped while the cancelled instance still unwinds says so, and the rejection says dropped", async () => {
    const log = new TimeLog();
    const result = await runClean(function* () {
      const out: string[] = [];
      yield* openNursery(function* (n) {
        const p = taskPolicy(
          n,
          function* submit(label: string): Operation<void> {
            log.add(`start ${label}`);
            try {
              yield* sleep(10);
            } finally {
              // A cleanup that takes a while (it saves a draft).
              yield* new CancelScope({ shield: true }).run(() => sleep(2));
              log.add(`finally ${label}`);
            }
          },
          { policy: "drop" },
        );
        const a = p.perform("a");
        yield* sleep(1);
        const busy = p.perform("busy");
        p.cancelAll("the user left the form");
        const b = p.perform("b");
        expect(busy.cancelReason).toBe("the task was already running");
        expect(b.state).toBe("dropped");
        expect(b.cancelReason).toMatch(new RegExp(`^instance #${a.id} was cancelled \\(the user left the form\\) but is still finishing its cleanup; .*wait for it first`));
        b.then(undefined, (e: unknown) => out.push(String(e)));
        busy.then(undefined, (e: unknown) => out.push(String(e)));
        yield* a.join();
        // Once it has ended, a perform runs.
        yield* p.perform("c").join();
      });
      return out;
    });
    expect(result).toEqual([
      expect.stringMatching(/^TaskInstanceCancelled: The task instance was dropped: instance #\d+ was cancelled \(the user left the form\)/),
      "TaskInstanceCancelled: The task instance was dropped: the task was already running",
    ]);
    expect(log.entries).toEqual(["0:start a", "3:finally a", "3:start c", "15:finally c"]);
  });
});

describe("cancelled before its first step", () => {
  it("frees its slot at once: a drop perform in the same step runs, and the cancelled one never calls the function", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 5), { policy: "drop" });
        const a = p.perform("a");
        a.cancel("the effect was cleaned up");
        expect([a.state, a.cancelReason, p.state.runningCount, p.state.cancelledCount]).toEqual(["cancelled", "the effect was cleaned up", 0, 1]);
        const b = p.perform("b");
        p.cancelAll();
        const c = p.perform("c");
        expect([b.state, c.state]).toEqual(["cancelled", "running"]);
        yield* c.join();
        expect(p.state).toMatchObject({ performCount: 3, cancelledCount: 2, droppedCount: 0, succeededCount: 1, lastValue: "c" });
      });
    });
    expect(log.entries).toEqual(["0:start c", "5:end c", "5:finally c"]);
  });
});

describe("methods passed on detached", () => {
  it("perform, cancelAll and an instance's cancel need no this", async () => {
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const { perform, cancelAll } = taskPolicy(n, (label: string) => job(new TimeLog(), label, 5), { policy: "enqueue" });
        const a = perform("a");
        const b = perform("b");
        const { cancel } = b;
        cancel();
        expect(b.cancelReason).toBe("cancelled");
        yield* sleep(1);
        cancelAll();
        yield* a.join();
        expect([a.state, a.cancelReason]).toEqual(["cancelled", "cancelAll()"]);
      });
    });
  });
});

describe("enqueue", () => {
  it("runs performs one after another, in order", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 2), { policy: "enqueue" });
        p.perform("a");
        p.perform("b");
        const c = p.perform("c");
        expect(p.state.queuedCount).toBe(2);
        yield* c.join();
        expect(p.state.isIdle).toBe(true);
        expect(p.state.succeededCount).toBe(3);
      });
    });
    expect(log.entries.filter((e) => e.includes("start"))).toEqual(["0:start a", "2:start b", "4:start c"]);
  });

  it("with maxConcurrency 2 runs two at a time", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 3), { policy: "enqueue", maxConcurrency: 2 });
        const all = ["a", "b", "c", "d", "e"].map((l) => p.perform(l));
        expect(p.state.runningCount).toBe(2);
        expect(p.state.queuedCount).toBe(3);
        yield* all[4]!.join();
      });
    });
    expect(log.entries.filter((e) => e.includes("start"))).toEqual(["0:start a", "0:start b", "3:start c", "3:start d", "6:start e"]);
  });
});

describe("keepLatest", () => {
  it("keeps only the latest waiting perform", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 4), { policy: "keepLatest" });
        p.perform("a");
        yield* sleep(1);
        const b = p.perform("b");
        const c = p.perform("c");
        const d = p.perform("d");
        expect([b.state, c.state, d.state]).toEqual(["dropped", "dropped", "queued"]);
        yield* d.join();
        expect(p.state.droppedCount).toBe(2);
      });
    });
    expect(log.entries.filter((e) => e.includes("start"))).toEqual(["0:start a", "4:start d"]);
  });
});

describe("unbounded", () => {
  it("runs every perform at once", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 1));
        const xs = ["a", "b", "c"].map((l) => p.perform(l));
        expect(p.state.runningCount).toBe(3);
        for (const x of xs) yield* x.join();
      });
    });
    expect(log.entries.filter((e) => e.includes("start"))).toEqual(["0:start a", "0:start b", "0:start c"]);
  });
});

describe("cancelAll, errors and the owner", () => {
  it("cancelAll cancels the running instance and drops the queued ones", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 4), { policy: "enqueue" });
        const a = p.perform("a");
        const b = p.perform("b");
        yield* sleep(1);
        p.cancelAll("stop");
        expect(b.state).toBe("cancelled");
        yield* a.join();
        expect(a.state).toBe("cancelled");
        expect(a.cancelReason).toBe("stop");
        expect(p.state.isIdle).toBe(true);
        expect(p.state.cancelledCount).toBe(2);
        // The policy still works afterwards.
        yield* p.perform("c").join();
        expect(p.state.lastValue).toBe("c");
      });
    });
    expect(log.entries).toEqual(["0:start a", "1:finally a", "1:start c", "5:end c", "5:finally c"]);
  });

  it("keeps an instance's error in its state without disturbing the owner", async () => {
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(
          n,
          function* maybeFail(fail: boolean): Operation<number> {
            yield* sleep(1);
            if (fail) throw new Error("boom");
            return 42;
          },
          { policy: "enqueue" },
        );
        const ok = p.perform(false);
        const bad = p.perform(true);
        yield* bad.join();
        expect(ok.value).toBe(42);
        expect(bad.state).toBe("failed");
        expect((bad.error as Error).message).toBe("boom");
        expect(p.state.lastValue).toBe(42);
        expect((p.state.lastError as Error).message).toBe("boom");
        yield* p.perform(false).join();
        expect(p.state.lastError).toBeUndefined();
        expect(p.state.failedCount).toBe(1);
      });
    });
  });

  it("cancelling the owner cancels running and queued instances; the policy closes once the owner's block has ended", async () => {
    const log = new TimeLog();
    await runClean(function* () {
      let owner: Nursery | null = null;
      let a: TaskInstance<string> | null = null;
      let b: TaskInstance<string> | null = null;
      let policy: ReturnType<typeof taskPolicy<[string], string>> | null = null;
      yield* openNursery(function* (n) {
        owner = n;
        policy = taskPolicy(n, (label: string) => job(log, label, 10), { policy: "enqueue" });
        a = policy.perform("a");
        b = policy.perform("b");
        yield* sleep(1);
        n.cancelScope.cancel("unmounted");
      });
      expect(owner).not.toBeNull();
      expect(a!.state).toBe("cancelled");
      expect(b!.state).toBe("cancelled");
      expect(policy!.closed).toBe(true);
      expect(policy!.perform("late").state).toBe("dropped");
    });
    expect(log.entries).toEqual(["0:start a", "1:finally a"]);
  });

  it("an instance cancelled before its first step never calls the function", async () => {
    let calls = 0;
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, function* counted(): Operation<void> {
          calls++;
          yield* sleep(1);
        });
        const a = p.perform();
        a.cancel("changed my mind");
        yield* a.join();
        expect(a.state).toBe("cancelled");
      });
    });
    expect(calls).toBe(0);
  });

  it("an instance is awaitable from plain code", async () => {
    const values = await runClean(function* () {
      const out: unknown[] = [];
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(new TimeLog(), label, 1), { policy: "restartable" });
        const a = p.perform("a");
        const b = p.perform("b");
        a.then(
          (v) => out.push(v),
          (e: unknown) => out.push(e instanceof TaskInstanceCancelled ? `cancelled: ${e.reason}` : e),
        );
        b.then((v) => out.push(v));
        yield* b.join();
      });
      yield* sleep(0);
      return out;
    });
    expect(values).toEqual(["cancelled: restarted: a newer perform replaced it", "b"]);
  });

  it("notifies subscribers with a new state object on every change", async () => {
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(new TimeLog(), label, 1), { policy: "drop" });
        const seen: boolean[] = [];
        const first = p.state;
        const unsubscribe = p.subscribe(() => seen.push(p.state.isRunning));
        yield* p.perform("a").join();
        unsubscribe();
        p.perform("b");
        expect(seen).toEqual([true, false]);
        expect(p.state).not.toBe(first);
        expect(first.isRunning).toBe(false);
        p.cancelAll();
      });
    });
  });
});

describe("bad input", () => {
  it("names the fix", async () => {
    await runClean(function* () {
      yield* openNursery(function* (n) {
        const fn = function* noop(): Operation<void> {};
        expect(() => taskPolicy(n, fn, { policy: "latest" as never })).toThrow(/Unknown task policy "latest"; use one of "unbounded", "restartable"/);
        expect(() => taskPolicy(n, fn, { policy: "enqueue", maxConcurrency: 0 })).toThrow(/maxConcurrency must be a positive integer/);
        expect(() => taskPolicy(n, fn, { policy: "enqueue", maxConcurrency: 1.5 })).toThrow(/maxConcurrency/);
        expect(() => taskPolicy(n, "nope" as never)).toThrow(/generator function/);
        expect(() => taskPolicy({} as never, fn)).toThrow(/needs an owner that can start tasks/);
      });
    });
  });

  it("a closed owner nursery turns performs into dropped instances", async () => {
    let closed: Nursery | null = null;
    await runClean(function* () {
      yield* openNursery(function* (n) {
        closed = n;
      });
      const p = taskPolicy(closed!, function* never(): Operation<void> {
        yield* sleepForever();
      });
      const a = p.perform();
      expect(a.state).toBe("dropped");
      expect(a.cancelReason).toMatch(/owner is closed/);
      expect(p.closed).toBe(true);
    });
  });
});

describe("with a MockClock that does not autojump", () => {
  it("a restart aborts the old instance at the moment of the perform", async () => {
    const clock = new MockClock();
    const log = new TimeLog();
    const run = runClean(function* () {
      yield* openNursery(function* (n) {
        const p = taskPolicy(n, (label: string) => job(log, label, 5), { policy: "restartable" });
        p.perform("a");
        yield* sleep(0);
        p.perform("b");
        yield* sleep(0);
        yield* sleep(0);
        expect(log.entries).toEqual(["0:start a", "0:finally a", "0:start b"]);
        p.cancelAll();
      });
    }, clock);
    await run;
  });

  it("a function that is not a generator function fails the instance with a message naming the policy's function, not CancelScope.run", async () => {
    await runClean(function* () {
      yield* openNursery(function* (n) {
        // JavaScript code (TypeScript refuses these): a plain function, and an async one.
        const plain = taskPolicy(n, function search(query: string) {
          return `results for ${query}`;
        } as unknown as (query: string) => Operation<string>);
        const instance = plain.perform("a");
        yield* instance.join();
        expect(instance.state).toBe("failed");
        expect(instance.error).toBeInstanceOf(TypeError);
        expect((instance.error as Error).message).toMatch(/^taskPolicy\(owner, fn\) \/ useTaskPolicy\(fn\): search returned "results for a", not a generator/);
        expect((instance.error as Error).message).not.toMatch(/CancelScope/);
        // An async function is refused when the policy is made; one that returns a Promise only when called.
        const promising = taskPolicy(n, (() => Promise.resolve(1)) as unknown as () => Operation<number>);
        const second = promising.perform();
        yield* second.join();
        expect((second.error as Error).message).toMatch(/returned a Promise, not a generator.*waitPromise/);
      });
    });
  });
});

