// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * The React bindings under StrictMode, which in development renders every
 * component twice and mounts, unmounts and mounts it again in one step.
 * Nothing may leak (a second run, a task, a closed nursery or policy left
 * behind) and nothing may run twice (a useTask started again).
 */
import { afterEach, describe, expect, it } from "vitest";
import { StrictMode, act, useState, type ReactNode } from "react";
import { sleep, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, useTaskPolicy, useTrioRuntime, type ScopedNursery, type TaskPolicyHandle } from "../../src/react/index.js";
import { settled } from "../components/helpers.js";
import { cleanup, closedAfterTest, flush, hookTasks, jump, render, unmount } from "./helpers.js";
import { leftovers } from "../../src/core/runner.js";

let container: HTMLElement;

async function mount(node: ReactNode): Promise<void> {
  container ??= document.body.appendChild(document.createElement("div"));
  await act(async () => render(<StrictMode>{node}</StrictMode>, container));
}

function testRuntime(name: string): { clock: MockClock; runtime: TrioRuntime } {
  const clock = new MockClock();
  const runtime = closedAfterTest(new TrioRuntime({ name, clock }));
  return { clock, runtime };
}

function runsNamed(name: string): number {
  return inspect().runs.filter((r) => r.name === name).length;
}

afterEach(cleanup);

describe("StrictMode", () => {
  it("useTask starts once, keeps running through the remount, and is cancelled once on unmount", async () => {
    const { clock, runtime } = testRuntime("strict-task");
    const log: string[] = [];
    function* load(q: string): Operation<string> {
      log.push(`start ${q}`);
      try {
        yield* sleep(5);
        return `result ${q}`;
      } finally {
        log.push(`finally ${q}`);
      }
    }
    let setQuery!: (q: string) => void;
    let handle!: { status: string; value: string | undefined };
    function View() {
      const [q, set] = useState("a");
      setQuery = set;
      handle = useTask(() => load(q), [q], { name: "load" });
      return <p>{handle.status}</p>;
    }
    await mount(<TrioRoot runtime={runtime}><View /></TrioRoot>);
    await flush(runtime);
    expect(log).toEqual(["start a"]);
    expect(hookTasks(runtime)).toEqual(["load", "load scope"]);
    await jump(clock, runtime, 5);
    await flush(runtime);
    expect(handle.value).toBe("result a");
    expect(log).toEqual(["start a", "finally a"]);
    // A deps change is an update, not a remount: one restart.
    await act(async () => {
      setQuery("b");
      await settled(runtime);
    });
    await flush(runtime);
    expect(log).toEqual(["start a", "finally a", "start b"]);
    await unmount();
    await flush(runtime);
    expect(log).toEqual(["start a", "finally a", "start b", "finally b"]);
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("useNursery's nursery stays open through the remount and closes on unmount", async () => {
    const { runtime } = testRuntime("strict-nursery");
    const log: string[] = [];
    const seen = new Set<ScopedNursery>();
    let nursery!: ScopedNursery;
    function* worker(id: number): Operation<void> {
      try {
        yield* sleep(100);
      } finally {
        log.push(`cleaned ${id}`);
      }
    }
    function Owner() {
      nursery = useNursery("Owner");
      seen.add(nursery);
      return null;
    }
    await mount(<TrioRoot runtime={runtime}><Owner /></TrioRoot>);
    await flush(runtime);
    expect(nursery.closed).toBe(false);
    expect(seen.size).toBe(1);
    nursery.startSoon(worker, 1);
    await flush(runtime);
    expect(hookTasks(runtime)).toEqual(["Owner", "worker"]);
    await unmount();
    await flush(runtime);
    expect(log).toEqual(["cleaned 1"]);
    expect(nursery.closed).toBe(true);
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("useTaskPolicy's policy stays open through the remount; its state renders", async () => {
    const { clock, runtime } = testRuntime("strict-policy");
    let handle!: TaskPolicyHandle<[number], number>;
    const started: number[] = [];
    function* save(n: number): Operation<number> {
      started.push(n);
      yield* sleep(1);
      return n * 10;
    }
    const policies = new Set<unknown>();
    function Saver() {
      handle = useTaskPolicy(save, { policy: "enqueue" });
      policies.add(handle.policy);
      return <p>{`performs=${handle.performCount} last=${String(handle.lastValue)}`}</p>;
    }
    await mount(<TrioRoot runtime={runtime}><Saver /></TrioRoot>);
    expect(handle.policy.closed).toBe(false);
    await act(async () => {
      handle.perform(1);
      handle.perform(2);
      await settled(runtime);
    });
    await jump(clock, runtime, 1);
    await jump(clock, runtime, 1);
    await flush(runtime);
    expect(container.textContent).toBe("performs=2 last=20");
    expect(started).toEqual([1, 2]);
    // The same policy all along: the remount neither closed nor replaced it.
    expect(policies.size).toBe(1);
    const policy = handle.policy;
    await unmount();
    await flush(runtime);
    expect(policy.closed).toBe(true);
    expect(policy.perform(3).state).toBe("dropped");
  });

  it("an owned TrioRoot makes one run, not two, and ends it on unmount", async () => {
    let runtime: TrioRuntime | null = null;
    const made = new Set<TrioRuntime>();
    const log: string[] = [];
    function* forever(): Operation<void> {
      log.push("start");
      try {
        yield* sleep(1e6);
      } finally {
        log.push("finally");
      }
    }
    function Grab() {
      runtime = useTrioRuntime();
      made.add(runtime);
      useTask(forever, []);
      return <span>in root</span>;
    }
    await mount(<TrioRoot name="strict-owned" clock={new MockClock()}><Grab /></TrioRoot>);
    await flush(runtime!);
    expect(made.size).toBe(1);
    expect(runtime!.closed).toBe(false);
    expect(runsNamed("strict-owned")).toBe(1);
    expect(log).toEqual(["start"]);
    await unmount();
    await runtime!.done;
    expect(runtime!.closed).toBe(true);
    expect(log).toEqual(["start", "finally"]);
    expect(runsNamed("strict-owned")).toBe(0);
  });

  it("many task-owning items mounted and unmounted under StrictMode leave nothing running", async () => {
    const { runtime } = testRuntime("strict-many");
    const starts: number[] = [];
    const finallies: number[] = [];
    function* forever(i: number): Operation<void> {
      starts.push(i);
      try {
        yield* sleep(1e6);
      } finally {
        finallies.push(i);
      }
    }
    function Item(props: { i: number }) {
      useTask(() => forever(props.i), []);
      return <li>{props.i}</li>;
    }
    let setCount!: (n: number) => void;
    function List() {
      const [count, set] = useState(0);
      setCount = set;
      return <ul>{Array.from({ length: count }, (_, i) => <Item key={i} i={i} />)}</ul>;
    }
    await mount(<TrioRoot runtime={runtime}><List /></TrioRoot>);
    await act(async () => {
      setCount(10);
      await settled(runtime);
    });
    await flush(runtime);
    expect(starts.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(hookTasks(runtime)).toHaveLength(20);
    await act(async () => {
      setCount(0);
      await settled(runtime);
    });
    await flush(runtime);
    expect(finallies.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(hookTasks(runtime)).toEqual([]);
    expect(leftovers(runtime.runner!).deadlines).toBe(0);
  });
});
