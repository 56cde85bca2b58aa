/**
 * When a task policy closes. It closes only when its owner is really gone
 * (a ScopedNursery closed on unmount, a closed runtime, a Trio nursery whose
 * block has ended) or on `policy.close()`. A cancellation from outside (the
 * owner's `cancelAll()`, a sibling's failure in the owner, a dying nursery)
 * cancels the instances it reaches and nothing more: the policy stays usable,
 * as an ember-concurrency task survives `cancelAll()` and an Effection
 * resource outlives a halted child.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CancelScope, openNursery, run, sleep, sleepForever, type Nursery, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRuntime, taskPolicy, type TaskInstance } from "../../src/components/index.js";
import { closeTestRuntimes, recordErrors, runClean, settled, testRuntime } from "./helpers.js";
import { hostileThrows } from "./bad-input-table.js";

function runtime(errors: string[] = []): { rt: TrioRuntime; clock: MockClock } {
  return testRuntime("lifetime", recordErrors(errors));
}

afterEach(closeTestRuntimes);

function* work(log: string[], label: string, seconds: number): Operation<string> {
  log.push(`start ${label}`);
  try {
    yield* sleep(seconds);
    log.push(`end ${label}`);
    return label;
  } finally {
    log.push(`finally ${label}`);
  }
}

describe("an outside cancellation leaves the policy usable", () => {
  it("the owner's cancelAll() cancels the running instance; later performs run in a fresh nursery", async () => {
    const { rt, clock } = runtime();
    const log: string[] = [];
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, (label: string) => work(log, label, 5), { policy: "restartable" });
    const a = p.perform("a");
    await settled(rt);
    owner.cancelAll("reset by hand");
    await settled(rt);
    expect(a.state).toBe("cancelled");
    expect(p.closed).toBe(false);
    const b = p.perform("b");
    await settled(rt);
    expect(b.state).toBe("running");
    clock.jump(5);
    await settled(rt);
    expect(b.state).toBe("succeeded");
    expect(p.state).toMatchObject({ succeededCount: 1, cancelledCount: 1, droppedCount: 0, lastValue: "b" });
    expect(log).toEqual(["start a", "finally a", "start b", "end b", "finally b"]);
  });

  it("a sibling's failure in the owner cancels the running instance, and the policy carries on", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime(errors);
    const log: string[] = [];
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, (label: string) => work(log, label, 5), { policy: "enqueue" });
    const a = p.perform("a");
    owner.startSoon(function* sibling(): Operation<void> {
      yield* sleep(1);
      throw new Error("sibling broke");
    });
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(a.state).toBe("cancelled");
    expect(errors).toEqual(["a task of owner: Error: sibling broke"]);
    expect(p.closed).toBe(false);
    const b = p.perform("b");
    await settled(rt);
    clock.jump(5);
    await settled(rt);
    expect(b.state).toBe("succeeded");
    expect(b.value).toBe("b");
  });

  it("a perform made in the same tick as the owner's cancelAll() is not caught by it", async () => {
    const { rt, clock } = runtime();
    const log: string[] = [];
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, (label: string) => work(log, label, 5), { policy: "enqueue" });
    const a = p.perform("a");
    await settled(rt);
    owner.cancelAll();
    const b = p.perform("b"); // queued behind a, which has not unwound yet
    expect(b.state).toBe("queued");
    await settled(rt);
    expect(a.state).toBe("cancelled");
    expect(b.state).toBe("running");
    clock.jump(5);
    await settled(rt);
    expect(b.state).toBe("succeeded");
  });

  it("restartable: a perform right after the owner's cancelAll() starts once the old instance has unwound", async () => {
    const { rt, clock } = runtime();
    const log: string[] = [];
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, (label: string) => work(log, label, 5), { policy: "restartable" });
    p.perform("a");
    await settled(rt);
    owner.cancelAll();
    const b = p.perform("b");
    await settled(rt);
    expect(p.state.runningCount).toBe(1);
    clock.jump(5);
    await settled(rt);
    expect(b.state).toBe("succeeded");
    expect(log).toEqual(["start a", "finally a", "start b", "end b", "finally b"]);
  });

  it("instances queued in a policy whose Trio nursery is being cancelled end cancelled without running", async () => {
    const log: string[] = [];
    let p: ReturnType<typeof taskPolicy<[string], string>> | null = null;
    let queued: TaskInstance<string> | null = null;
    await runClean(function* () {
      yield* openNursery(function* (n) {
        p = taskPolicy(n, (label: string) => work(log, label, 10), { policy: "enqueue" });
        p.perform("a");
        queued = p.perform("b");
        yield* sleep(1);
        n.cancelScope.cancel("the block is over");
      });
    });
    expect(queued!.state).toBe("cancelled");
    expect(log).toEqual(["start a", "finally a"]);
  });
});

describe("the policy closes when its owner is really gone", () => {
  it("a closed ScopedNursery (the component unmounted) closes the policy at once", async () => {
    const { rt } = runtime();
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, (label: string) => work([], label, 5));
    p.perform("a");
    await settled(rt);
    owner.close();
    expect(p.closed).toBe(true);
    const late = p.perform("late");
    expect(late.state).toBe("dropped");
    expect(late.cancelReason).toMatch(/owner is closed/);
  });

  it("a perform after close(reason) is dropped, and says why the policy closed", async () => {
    const { rt } = runtime();
    const p = taskPolicy(rt.openNursery("owner"), (label: string) => work([], label, 5));
    p.close("the dialog was closed");
    p.close("a second close");
    const late = p.perform("late");
    expect(late.state).toBe("dropped");
    expect(late.cancelReason).toBe("the task policy is closed (the dialog was closed)");
    await expect(Promise.resolve(late)).rejects.toThrow("The task instance was dropped: the task policy is closed (the dialog was closed)");
  });

  it("a closed runtime closes the policies of its nurseries", async () => {
    const { rt } = runtime();
    const p = taskPolicy(rt.openNursery("owner"), (label: string) => work([], label, 5));
    await rt.close();
    expect(p.closed).toBe(true);
    expect(p.perform("late").state).toBe("dropped");
  });

  it("a Trio nursery whose block has ended closes the policy", async () => {
    let owner: Nursery | null = null;
    let p: ReturnType<typeof taskPolicy<[string], string>> | null = null;
    await runClean(function* () {
      yield* openNursery(function* (n) {
        owner = n;
        p = taskPolicy(n, (label: string) => work([], label, 1));
        yield* p.perform("a").join();
      });
    });
    expect(owner).not.toBeNull();
    expect(p!.closed).toBe(true);
    expect(p!.perform("late").state).toBe("dropped");
  });

  it("a perform refused for a passing reason (another run's task) drops that instance only", async () => {
    const { rt, clock } = runtime();
    const owner = await new Promise<Nursery>((resolve) => {
      rt.spawn("holder", function* holder(): Operation<void> {
        yield* openNursery(function* (n) {
          resolve(n);
          yield* sleep(100);
        });
      });
    });
    const p = taskPolicy(owner, (label: string) => work([], label, 1));
    let foreign: TaskInstance<string> | null = null;
    await run(function* () {
      foreign = p.perform("from another run");
    });
    expect(foreign!.state).toBe("dropped");
    expect(foreign!.cancelReason).toMatch(/another run/);
    expect(p.closed).toBe(false);
    const ok = p.perform("ok");
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(ok.state).toBe("succeeded");
  });
});

describe("an instance whose task was queued in the owner when the owner was cancelled", () => {
  it("owner.cancelAll() before the owner's host is up: the instance ends cancelled and frees its slot", async () => {
    const { rt, clock } = runtime();
    const log: string[] = [];
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, (label: string) => work(log, label, 5), { policy: "restartable" });
    const a = p.perform("a"); // the owner's host has not started yet
    owner.cancelAll("reset");
    await settled(rt);
    expect(a.state).toBe("cancelled");
    expect(p.state.runningCount).toBe(0);
    const b = p.perform("b");
    await settled(rt);
    clock.jump(5);
    await settled(rt);
    expect(b.state).toBe("succeeded");
    expect(log).toEqual(["start b", "end b", "finally b"]);
  });

  it("owner.close() before the owner's host is up: an awaited instance rejects instead of hanging", async () => {
    const { rt } = runtime();
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, (label: string) => work([], label, 5));
    const a = p.perform("a");
    owner.close();
    await expect(Promise.resolve(a)).rejects.toThrow(/cancelled/);
    expect(p.state).toMatchObject({ runningCount: 0, cancelledCount: 1 });
  });

  it("runtime.close() before its run is up: the instance ends cancelled", async () => {
    const { rt } = runtime();
    const p = taskPolicy(rt.openNursery("owner"), (label: string) => work([], label, 5));
    const a = p.perform("a");
    await rt.close();
    expect(a.state).toBe("cancelled");
    expect(p.state.runningCount).toBe(0);
  });
});

describe("an error raised once nobody reads the policy's state", () => {
  // A cleanup that fails while the instance unwinds from an unmount: it
  // waits (shielded), then raises.
  function* failingCleanup(): Operation<string> {
    try {
      yield* sleepForever();
      return "never";
    } finally {
      yield* new CancelScope({ shield: true }).run(() => sleep(1));
      // eslint-disable-next-line no-unsafe-finally
      throw new Error("cleanup broke");
    }
  }

  it("goes to the owner's onError, once, when the owner closed (the component unmounted)", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime(errors);
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, failingCleanup, { name: "load" });
    const a = p.perform();
    await settled(rt);
    owner.close();
    p.close();
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(a.state).toBe("failed");
    expect(p.state).toMatchObject({ failedCount: 1, runningCount: 0 });
    expect(errors).toEqual(["a task of owner: Error: cleanup broke"]);
    expect(owner.taskCount).toBe(0);
  });

  for (const [label, make] of hostileThrows) {
    it(`${label} raised then reaches onError as it is, and the runtime carries on`, async () => {
      const reported: unknown[] = [];
      const { rt, clock } = testRuntime("lifetime", (e) => reported.push(e));
      const thrown = make();
      const owner = rt.openNursery("owner");
      const p = taskPolicy(owner, function* (): Operation<void> {
        try {
          yield* sleepForever();
        } finally {
          yield* new CancelScope({ shield: true }).run(() => sleep(1));
          // eslint-disable-next-line no-unsafe-finally
          throw thrown;
        }
      });
      p.perform();
      await settled(rt);
      owner.close();
      await settled(rt);
      clock.jump(1);
      await settled(rt);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBe(thrown);
      expect(rt.closed).toBe(false);
    });
  }

  it("stays with the instance when somebody awaits it", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime(errors);
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, failingCleanup, { name: "load" });
    const a = p.perform();
    const awaited = Promise.resolve(a).then(
      () => "resolved",
      (e: unknown) => String(e),
    );
    await settled(rt);
    owner.close();
    p.close();
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(await awaited).toBe("Error: cleanup broke");
    expect(errors).toEqual([]);
  });

  it("a task joining it keeps it while it waits; one cancelled meanwhile (unmounted with it) does not", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime(errors);
    const owner = rt.openNursery("owner");
    const elsewhere = rt.openNursery("elsewhere");
    const p = taskPolicy(owner, failingCleanup, { name: "save" });
    const joinedHere = p.perform();
    const joinedElsewhere = p.perform();
    let read: unknown = null;
    // Unmounted with the policy: cancelled while it waits.
    owner.startSoon(function* joinsHere(): Operation<void> {
      yield* joinedHere.join();
    });
    // Lives on: it gets the instance, error and all.
    elsewhere.startSoon(function* joinsElsewhere(): Operation<void> {
      read = (yield* joinedElsewhere.join()).error;
    });
    await settled(rt);
    owner.close();
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(String(read)).toBe("Error: cleanup broke");
    expect(errors).toEqual(["a task of owner: Error: cleanup broke"]);
    expect(joinedHere.state).toBe("failed");
  });

  it("while the policy is open it stays in the state and goes nowhere else", async () => {
    const errors: string[] = [];
    const { rt, clock } = runtime(errors);
    const owner = rt.openNursery("owner");
    const p = taskPolicy(owner, failingCleanup, { name: "load", policy: "restartable" });
    p.perform();
    await settled(rt);
    p.perform();
    await settled(rt);
    clock.jump(1);
    await settled(rt);
    expect(p.state.lastError).toBeInstanceOf(Error);
    expect(errors).toEqual([]);
    owner.close();
    await settled(rt);
    clock.jump(1);
    await settled(rt);
  });
});
