// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * Bad input to trio-asyncio/react, table-driven (rows shared with the
 * Preact entry: test/components/hook-rows.ts; the re-exported runtime and
 * policies are in test/components/bad-input-table.ts). Each row renders a
 * hook call under an error boundary (in StrictMode, as development does),
 * which must receive the expected class with a message that names the
 * mistake and the fix, and leave no task and no run behind.
 *
 * Then what a row cannot see: hostile values a task body throws reach the
 * hook's error state (the same value), under StrictMode's double mount
 * too, and are never swallowed or turned into an engine error; an unmount,
 * and a render that throws while a task runs, leave no task, no policy
 * listener and no timer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Component, StrictMode, act, useState, type ReactNode } from "react";
import { sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import * as reactEntry from "../../src/react/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, useTaskPolicy, type TaskPolicy, type TaskResult } from "../../src/react/index.js";
import { settled } from "../components/helpers.js";
import { cases as componentCases, hostileThrows, skipped as componentSkipped } from "../components/bad-input-table.js";
import { hookCases, reexported, type HookApi, type HookCase } from "../components/hook-rows.js";
import { cleanup, closedAfterTest, flush, hookTasks, render, unmount } from "./helpers.js";
import { ENGINE_WORDS } from "../bad-input/hostile.js";
import { leftovers } from "../../src/core/runner.js";

let container: HTMLElement;

function setup(name = "react-bad-input"): { clock: MockClock; runtime: TrioRuntime; reported: [unknown, string][] } {
  container ??= document.body.appendChild(document.createElement("div"));
  const clock = new MockClock();
  const reported: [unknown, string][] = [];
  const runtime = closedAfterTest(new TrioRuntime({ name, clock, onError: (e, source) => reported.push([e, source]) }));
  return { clock, runtime, reported };
}

async function mount(node: ReactNode): Promise<void> {
  await act(async () => render(<StrictMode>{node}</StrictMode>, container));
}

/** A policy's listener count (the hooks subscribe while mounted). */
function listeners(policy: TaskPolicy<never, unknown>): number {
  return (policy as unknown as { listeners: Set<unknown> }).listeners.size;
}

function runsNamed(name: string): number {
  return inspect().runs.filter((r) => r.name === name).length;
}

/** Catches what its children throw while rendering, and renders nothing after. */
class Boundary extends Component<{ onError: (error: unknown) => void; children?: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override componentDidCatch(error: unknown): void {
    this.props.onError(error);
  }
  override render(): ReactNode {
    return this.state.failed ? null : this.props.children;
  }
}

beforeEach(() => {
  // React logs every error a boundary catches; the tests read them from the boundary.
  vi.spyOn(console, "error").mockImplementation(() => {});
});

afterEach(async () => {
  await cleanup();
  vi.restoreAllMocks();
});

describe("coverage of trio-asyncio/react", () => {
  it("every value export is in a row (here or, re-exported, in the component table), or skipped with a reason", () => {
    const exports = Object.keys(reactEntry).sort();
    expect(reexported.filter((name) => !componentCases.some((c) => c.covers.includes(name)) && !(name in componentSkipped))).toEqual([]);
    const covered = new Set([...hookCases.flatMap((c) => c.covers), ...reexported]);
    expect(exports.filter((name) => !covered.has(name))).toEqual([]);
    expect([...covered].filter((name) => !exports.includes(name))).toEqual([]);
  });
});

async function provoke(c: HookCase): Promise<unknown> {
  const { runtime } = setup();
  const api = reactEntry as unknown as HookApi;
  let caught: unknown = new Error("the case raised nothing");
  function Row(): null {
    c.body(api);
    return null;
  }
  const root = c.root === "none" ? <Row /> : <TrioRoot {...((c.root ?? { runtime }) as object)}><Row /></TrioRoot>;
  const runsBefore = runsNamed("TrioRoot");
  await mount(<Boundary onError={(e) => (caught = e)}>{root}</Boundary>);
  await flush(runtime);
  expect(hookTasks(runtime)).toEqual([]);
  // A root that made its own runtime started no run (it is lazy, and the render failed).
  expect(runsNamed("TrioRoot")).toBe(runsBefore);
  return caught;
}

describe("bad inputs to trio-asyncio/react give clear errors", () => {
  for (const c of hookCases) {
    it(`${c.covers[0]}: ${c.label}`, async () => {
      const error = await provoke(c);
      expect(error, `${c.label}: ${String(error)}`).toBeInstanceOf(c.error);
      expect((error as Error).message).toMatch(c.message);
      expect((error as Error).message).not.toMatch(ENGINE_WORDS);
    });
  }
});

describe("hostile values a task body throws", () => {
  for (const [label, make] of hostileThrows) {
    it(`${label}: useTask's error state holds it under StrictMode (performed once); nothing swallowed, nothing left`, async () => {
      const { clock, runtime, reported } = setup();
      const thrown: unknown[] = [];
      let seen: TaskResult<never> | null = null;
      let policy!: TaskPolicy<never, unknown>;
      function Loader() {
        const task = useTask(function* hostile(): Operation<never> {
          yield* sleep(1);
          const value = make();
          thrown.push(value);
          throw value;
        }, []);
        const probe = useTaskPolicy(function* probe(): Operation<void> {});
        policy = probe.policy as unknown as TaskPolicy<never, unknown>;
        seen = task;
        return <p>{task.status}</p>;
      }
      await mount(<TrioRoot runtime={runtime}><Loader /></TrioRoot>);
      await flush(runtime);
      await act(async () => {
        clock.jump(1);
        await settled(runtime);
      });
      await flush(runtime);
      expect(container.textContent).toBe("failed");
      expect(thrown.length).toBe(1);
      expect(seen!.error).toBe(thrown[0]);
      expect(reported).toEqual([]);
      await unmount();
      await flush(runtime);
      expect(hookTasks(runtime)).toEqual([]);
      expect(listeners(policy)).toBe(0);
    });

    it(`${label}: a useNursery task's is reported to the root's onError, the same value, with a readable source`, async () => {
      const { clock, runtime, reported } = setup();
      const thrown: unknown[] = [];
      function Worker() {
        const nursery = useNursery("hostile worker");
        const start = () =>
          nursery.startSoon(function* job() {
            yield* sleep(1);
            const value = make();
            thrown.push(value);
            throw value;
          });
        return <button onClick={start}>go</button>;
      }
      await mount(<TrioRoot runtime={runtime}><Worker /></TrioRoot>);
      await act(async () => container.querySelector("button")!.click());
      await flush(runtime);
      await act(async () => {
        clock.jump(1);
        await settled(runtime);
      });
      await flush(runtime);
      expect(reported.length).toBe(1);
      expect(reported[0]![0]).toBe(thrown[0]);
      expect(reported[0]![1]).toBe("a task of hostile worker");
      expect(hookTasks(runtime)).toEqual([]);
    });
  }
});

describe("nothing is left behind", () => {
  function* forever(log: string[], label: string): Operation<void> {
    try {
      yield* sleepForever();
    } finally {
      log.push(`finally ${label}`);
    }
  }

  it("StrictMode's double mount, then unmount mid-task: each started once, each finally once; no task, no listener, nothing in the run", async () => {
    const { runtime } = setup();
    const log: string[] = [];
    let policy!: TaskPolicy<never, unknown>;
    function Busy() {
      const handle = useTaskPolicy(() => forever(log, "policy"), { name: "busy" });
      policy = handle.policy as unknown as TaskPolicy<never, unknown>;
      useTask(() => forever(log, "task"), [], { name: "task" });
      return <button onClick={() => handle.perform()}>go</button>;
    }
    await mount(<TrioRoot runtime={runtime}><Busy /></TrioRoot>);
    await act(async () => container.querySelector("button")!.click());
    await flush(runtime);
    expect(hookTasks(runtime).sort()).toEqual(["busy", "busy scope", "task", "task scope"]);
    expect(listeners(policy)).toBe(1);
    await unmount();
    await flush(runtime);
    expect(log.sort()).toEqual(["finally policy", "finally task"]);
    expect(hookTasks(runtime)).toEqual([]);
    expect(listeners(policy)).toBe(0);
    const runner = runtime.runner!;
    await runtime.close();
    expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });

  it("a render that throws while a task runs: the boundary takes the subtree away, and its tasks, listeners and timers go with it", async () => {
    const { clock, runtime } = setup();
    const log: string[] = [];
    let explode!: () => void;
    let caught: unknown = null;
    let policy!: TaskPolicy<never, unknown>;
    function Fragile() {
      const [broken, setBroken] = useState(false);
      explode = () => setBroken(true);
      const task = useTask(function* ticking(): Operation<void> {
        try {
          for (;;) yield* sleep(1);
        } finally {
          log.push("finally ticking");
        }
      }, []);
      if (broken) throw new Error("render failed mid-task");
      return <p>{task.status}</p>;
    }
    function Probe() {
      const handle = useTaskPolicy(function* probe(): Operation<void> {}, { name: "probe" });
      policy = handle.policy as unknown as TaskPolicy<never, unknown>;
      return <Fragile />;
    }
    await mount(<Boundary onError={(e) => (caught = e)}><TrioRoot runtime={runtime}><Probe /></TrioRoot></Boundary>);
    await flush(runtime);
    await act(async () => {
      clock.jump(2.5);
      await settled(runtime);
    });
    expect(hookTasks(runtime).sort()).toEqual(["ticking", "ticking scope"]);
    await act(async () => explode());
    await flush(runtime);
    expect((caught as Error).message).toBe("render failed mid-task");
    expect(log).toEqual(["finally ticking"]);
    expect(hookTasks(runtime)).toEqual([]);
    expect(listeners(policy)).toBe(0);
    const runner = runtime.runner!;
    await runtime.close();
    expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });
});
