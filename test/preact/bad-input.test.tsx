// @vitest-environment happy-dom
/**
 * Bad input to trio-asyncio/preact, table-driven (rows shared with the
 * React entry: test/components/hook-rows.ts; the re-exported runtime and
 * policies are in test/components/bad-input-table.ts). Each row renders a
 * hook call under an error boundary, which must receive the expected class
 * with a message that names the mistake and the fix, and leave no task
 * behind.
 *
 * Then what a row cannot see: hostile values a task body throws reach the
 * hook's error state (the same value) and are never swallowed or turned
 * into an engine error; an unmount, and a render that throws while a task
 * runs, leave no task, no policy listener and no timer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Component, render, type ComponentChildren } from "preact";
import { act } from "preact/test-utils";
import { useState } from "preact/hooks";
import { sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import * as preactEntry from "../../src/preact/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, type TaskPolicy, type TaskResult } from "../../src/preact/index.js";
import { settled } from "../components/helpers.js";
import { cases as componentCases, hostileThrows, skipped as componentSkipped } from "../components/bad-input-table.js";
import { hookCases, reexported, type HookApi, type HookCase } from "../components/hook-rows.js";
import { ENGINE_WORDS } from "../bad-input/hostile.js";
import { leftovers } from "../../src/core/runner.js";

let container: HTMLElement;
const runtimes: TrioRuntime[] = [];

function setup(): { clock: MockClock; runtime: TrioRuntime; reported: [unknown, string][] } {
  container = document.body.appendChild(document.createElement("div"));
  const clock = new MockClock();
  const reported: [unknown, string][] = [];
  const runtime = new TrioRuntime({ name: "preact-bad-input", clock, onError: (e, source) => reported.push([e, source]) });
  runtimes.push(runtime);
  return { clock, runtime, reported };
}

async function flush(runtime: TrioRuntime): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await act(async () => {
      await settled(runtime);
    });
  }
}

/** Tasks of the runtime's run other than its main task. */
function hookTasks(runtime: TrioRuntime): string[] {
  const runId = runtime.runner?.id;
  return inspect()
    .tasks.filter((t) => t.runId === runId && t.nurseryId !== null)
    .map((t) => t.name);
}

/** A policy's listener count (the hooks subscribe while mounted). */
function listeners(policy: TaskPolicy<never, unknown>): number {
  return (policy as unknown as { listeners: Set<unknown> }).listeners.size;
}

/** Catches what its children throw while rendering, and renders nothing after. */
class Boundary extends Component<{ onError: (error: unknown) => void; children?: ComponentChildren }, { failed: boolean }> {
  override state = { failed: false };
  override componentDidCatch(error: unknown): void {
    this.props.onError(error);
    this.setState({ failed: true });
  }
  override render(): ComponentChildren {
    return this.state.failed ? null : this.props.children;
  }
}

afterEach(async () => {
  if (container !== undefined) render(null, container);
  for (const r of runtimes.splice(0)) await r.close();
  container?.remove();
});

describe("coverage of trio-asyncio/preact", () => {
  it("every value export is in a row (here or, re-exported, in the component table), or skipped with a reason", () => {
    const exports = Object.keys(preactEntry).sort();
    // The re-exported runtime and policies have their rows (or skips) in the component table.
    expect(reexported.filter((name) => !componentCases.some((c) => c.covers.includes(name)) && !(name in componentSkipped))).toEqual([]);
    const covered = new Set([...hookCases.flatMap((c) => c.covers), ...reexported]);
    expect(exports.filter((name) => !covered.has(name))).toEqual([]);
    expect([...covered].filter((name) => !exports.includes(name))).toEqual([]);
  });
});

async function provoke(c: HookCase): Promise<unknown> {
  const { runtime } = setup();
  const api = preactEntry as unknown as HookApi;
  let caught: unknown = new Error("the case raised nothing");
  function Row(): null {
    c.body(api);
    return null;
  }
  const root = c.root === "none" ? <Row /> : <TrioRoot {...((c.root ?? { runtime }) as object)}><Row /></TrioRoot>;
  await act(() => render(<Boundary onError={(e) => (caught = e)}>{root}</Boundary>, container));
  await flush(runtime);
  expect(hookTasks(runtime)).toEqual([]);
  return caught;
}

describe("bad inputs to trio-asyncio/preact give clear errors", () => {
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
    it(`${label}: useTask's error state holds it, status "failed"; nothing swallowed, nothing left`, async () => {
      const { clock, runtime, reported } = setup();
      const thrown: unknown[] = [];
      let seen: TaskResult<never> | null = null;
      function Loader() {
        const task = useTask(function* hostile(): Operation<never> {
          yield* sleep(1);
          const value = make();
          thrown.push(value);
          throw value;
        }, []);
        seen = task;
        return <p>{task.status}</p>;
      }
      await act(() => render(<TrioRoot runtime={runtime}><Loader /></TrioRoot>, container));
      await flush(runtime);
      await act(async () => {
        clock.jump(1);
        await settled(runtime);
      });
      await flush(runtime);
      expect(container.textContent).toBe("failed");
      expect(thrown.length).toBe(1);
      expect(seen!.error).toBe(thrown[0]);
      // The policy kept it; the runtime's reporter has nothing to add (no engine error).
      expect(reported).toEqual([]);
      await act(() => render(null, container));
      await flush(runtime);
      expect(hookTasks(runtime)).toEqual([]);
    });

    it(`${label}: a useNursery task's is reported to the root's onError, the same value, with a readable source`, async () => {
      const { clock, runtime, reported } = setup();
      const thrown: unknown[] = [];
      function Worker() {
        const nursery = useNursery("hostile worker");
        useState(() =>
          nursery.startSoon(function* job() {
            yield* sleep(1);
            const value = make();
            thrown.push(value);
            throw value;
          }),
        );
        return null;
      }
      await act(() => render(<TrioRoot runtime={runtime}><Worker /></TrioRoot>, container));
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

  it("unmount mid-task: the finally runs; no task, no policy listener, and once closed, nothing in the run", async () => {
    const { runtime } = setup();
    const log: string[] = [];
    let policy!: TaskPolicy<never, unknown>;
    function Busy() {
      const task = preactEntry.useTaskPolicy(() => forever(log, "policy"), { name: "busy" });
      policy = task.policy as unknown as TaskPolicy<never, unknown>;
      useTask(() => forever(log, "task"), [], { name: "task" });
      useState(() => task.perform());
      return null;
    }
    await act(() => render(<TrioRoot runtime={runtime}><Busy /></TrioRoot>, container));
    await flush(runtime);
    expect(hookTasks(runtime).sort()).toEqual(["busy", "busy scope", "task", "task scope"]);
    expect(listeners(policy)).toBe(1);
    await act(() => render(null, container));
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
      const handle = preactEntry.useTaskPolicy(function* probe(): Operation<void> {}, { name: "probe" });
      policy = handle.policy as unknown as TaskPolicy<never, unknown>;
      return <Fragile />;
    }
    await act(() => render(<Boundary onError={(e) => (caught = e)}><TrioRoot runtime={runtime}><Probe /></TrioRoot></Boundary>, container));
    await flush(runtime);
    await act(async () => {
      clock.jump(2.5);
      await settled(runtime);
    });
    expect(hookTasks(runtime).sort()).toEqual(["ticking", "ticking scope"]);
    await act(() => explode());
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
