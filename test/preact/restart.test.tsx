// @vitest-environment happy-dom
/**
 * useTask's `restart()`: it cancels the current run (whose `finally` runs
 * first) and runs the task again; and it is one function for the
 * component's lifetime, as `perform` and `cancelAll` are, so an effect that
 * lists it in its deps does not run again on every render.
 */
import { afterEach, describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { useEffect, useState } from "preact/hooks";
import { sleep, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useTask, type TaskResult } from "../../src/preact/index.js";
import { settled } from "../components/helpers.js";

let container: HTMLElement;
const runtimes: TrioRuntime[] = [];

function setup(name: string): { clock: MockClock; runtime: TrioRuntime } {
  container = document.body.appendChild(document.createElement("div"));
  const clock = new MockClock();
  const runtime = new TrioRuntime({ name, clock });
  runtimes.push(runtime);
  return { clock, runtime };
}

async function flush(runtime: TrioRuntime): Promise<void> {
  for (let i = 0; i < 4; i++) await act(async () => settled(runtime));
}

async function jump(clock: MockClock, runtime: TrioRuntime, seconds: number): Promise<void> {
  await act(async () => {
    clock.jump(seconds);
    await settled(runtime);
  });
  await flush(runtime);
}

afterEach(async () => {
  if (container !== undefined) render(null, container);
  for (const r of runtimes.splice(0)) await r.close();
  container?.remove();
});

describe("useTask restart()", () => {
  it("cancels the current run, its finally first, then runs again; it is the same function on every render", async () => {
    const { clock, runtime } = setup("restart");
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
    await act(() => render(<TrioRoot runtime={runtime}><View /></TrioRoot>, container));
    await flush(runtime);
    await act(() => task.restart());
    await flush(runtime);
    expect(log).toEqual(["start 1", "finally 1", "start 2"]);
    await jump(clock, runtime, 5);
    expect(task).toMatchObject({ status: "succeeded", value: 2 });
    expect(restarts.size).toBe(1);
  });

  it("an effect that restarts on a change and lists restart in its deps restarts once per change, not on every render", async () => {
    const { clock, runtime } = setup("restart-effect");
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
    await act(() => render(<TrioRoot runtime={runtime}><View /></TrioRoot>, container));
    await flush(runtime);
    await jump(clock, runtime, 1);
    expect(runs).toBe(1);
    await act(() => goOnline());
    await flush(runtime);
    await jump(clock, runtime, 1);
    await jump(clock, runtime, 1);
    expect(runs).toBe(2);
  });
});
