// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * useTask's `restart()`: it cancels the current run (whose `finally` runs
 * first) and runs the task again; and it is one function for the
 * component's lifetime, as `perform` and `cancelAll` are, so an effect or
 * a memo that lists it in its deps (as eslint's exhaustive-deps asks) does
 * not run again on every render.
 */
import { afterEach, describe, expect, it } from "vitest";
import { StrictMode, act, useEffect, useState, type ReactNode } from "react";
import { sleep, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useTask, type TaskResult } from "../../src/react/index.js";
import { cleanup, closedAfterTest, flush, hookTasks, jump, render, unmount } from "./helpers.js";

let container: HTMLElement;

async function mount(node: ReactNode): Promise<void> {
  container ??= document.body.appendChild(document.createElement("div"));
  await act(async () => render(<StrictMode>{node}</StrictMode>, container));
}

afterEach(cleanup);

describe("useTask restart()", () => {
  it("cancels the current run, its finally first, then runs again; it is the same function on every render", async () => {
    const clock = new MockClock();
    const runtime = closedAfterTest(new TrioRuntime({ name: "restart", clock }));
    const log: string[] = [];
    let runs = 0;
    function* load(): Operation<number> {
      const run = ++runs;
      log.push(`start ${run}`);
      try {
        yield* sleep(5);
        return run;
      } finally {
        log.push(`finally ${run}`);
      }
    }
    let task!: TaskResult<number>;
    const restarts = new Set<() => void>();
    function View() {
      task = useTask(load, [], { name: "load" });
      restarts.add(task.restart);
      return <p>{task.status}</p>;
    }
    await mount(<TrioRoot runtime={runtime}><View /></TrioRoot>);
    await flush(runtime);
    await act(async () => task.restart());
    await flush(runtime);
    expect(log).toEqual(["start 1", "finally 1", "start 2"]);
    await jump(clock, runtime, 5);
    await flush(runtime);
    expect(task).toMatchObject({ status: "succeeded", value: 2 });
    expect(restarts.size).toBe(1);
    await unmount();
    await flush(runtime);
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("an effect that restarts on a change and lists restart in its deps restarts once per change, not on every render", async () => {
    const clock = new MockClock();
    const runtime = closedAfterTest(new TrioRuntime({ name: "restart-effect", clock }));
    let runs = 0;
    function* poll(): Operation<number> {
      runs++;
      yield* sleep(1);
      return runs;
    }
    let goOnline!: () => void;
    function View() {
      const [online, setOnline] = useState(false);
      goOnline = () => setOnline(true);
      const task = useTask(poll, [], { name: "poll" });
      const { restart } = task;
      useEffect(() => {
        if (online) restart();
      }, [online, restart]);
      return <p>{task.status}</p>;
    }
    await mount(<TrioRoot runtime={runtime}><View /></TrioRoot>);
    await flush(runtime);
    await jump(clock, runtime, 1);
    await flush(runtime);
    expect(runs).toBe(1);
    await act(async () => goOnline());
    await flush(runtime);
    await jump(clock, runtime, 1);
    await flush(runtime);
    await jump(clock, runtime, 1);
    await flush(runtime);
    expect(runs).toBe(2);
  });
});
