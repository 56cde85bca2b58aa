// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * The React bindings with concurrent features: a task restarted by a state
 * change inside `startTransition`, a tree that suspends before it ever
 * mounts (its renders are thrown away, with no cleanup), and a subtree
 * hidden and shown again by `<Activity>`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Activity, StrictMode, Suspense, act, startTransition, use, useState, type ReactNode } from "react";
import { sleep, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, useTrioRuntime, type ScopedNursery } from "../../src/react/index.js";
import { settled } from "../components/helpers.js";
import { cleanup, closedAfterTest, flush, hookTasks, jump, render, unmount } from "./helpers.js";

let container: HTMLElement;

async function mount(node: ReactNode): Promise<void> {
  container ??= document.body.appendChild(document.createElement("div"));
  await act(async () => render(node, container));
}

afterEach(cleanup);

describe("transitions", () => {
  it("a deps change inside startTransition restarts the task: old finally first, then the new run", async () => {
    const clock = new MockClock();
    const runtime = closedAfterTest(new TrioRuntime({ name: "transition", clock }));
    const log: string[] = [];
    function* search(q: string): Operation<string> {
      log.push(`start ${q}`);
      try {
        yield* sleep(2);
        return q.toUpperCase();
      } finally {
        log.push(`finally ${q}`);
      }
    }
    let setQuery!: (q: string) => void;
    function Search() {
      const [q, set] = useState("re");
      setQuery = set;
      const result = useTask(() => search(q), [q], { name: "search" });
      return <p>{`${q}: ${result.status} ${String(result.value)}`}</p>;
    }
    await mount(<TrioRoot runtime={runtime}><Search /></TrioRoot>);
    await flush(runtime);
    expect(log).toEqual(["start re"]);
    for (const q of ["rea", "reac"]) {
      await act(async () => {
        startTransition(() => setQuery(q));
        await settled(runtime);
      });
      await flush(runtime);
    }
    expect(log).toEqual(["start re", "finally re", "start rea", "finally rea", "start reac"]);
    expect(container.textContent).toBe("reac: running undefined");
    await act(async () => {
      clock.jump(2);
      await settled(runtime);
    });
    await flush(runtime);
    expect(container.textContent).toBe("reac: succeeded REAC");
    expect(hookTasks(runtime)).toEqual([]);
  });
});

describe("Suspense", () => {
  it("a TrioRoot whose first renders suspend and are thrown away owns no run; the tree that mounts starts its work once", async () => {
    let release!: () => void;
    const ready = new Promise<void>((resolve) => (release = resolve));
    const log: string[] = [];
    const made = new Set<TrioRuntime>();
    let runtime!: TrioRuntime;
    function* work(): Operation<void> {
      log.push("start");
      try {
        yield* sleep(1e6);
      } finally {
        log.push("finally");
      }
    }
    function Worker() {
      runtime = useTrioRuntime();
      made.add(runtime);
      useTask(work, [], { name: "work" });
      return <span>working</span>;
    }
    function Gate() {
      use(ready);
      return null;
    }
    await mount(
      <Suspense fallback={<i>loading</i>}>
        <TrioRoot name="suspended-root" clock={new MockClock()}>
          <Worker />
          <Gate />
        </TrioRoot>
      </Suspense>,
    );
    expect(container.textContent).toBe("loading");
    expect(made.size).toBeGreaterThanOrEqual(1);
    expect(inspect().runs.filter((r) => r.name === "suspended-root")).toHaveLength(0);
    await act(async () => {
      release();
      await ready;
    });
    await flush(runtime);
    expect(container.textContent).toBe("working");
    expect(log).toEqual(["start"]);
    expect(inspect().runs.filter((r) => r.name === "suspended-root")).toHaveLength(1);
    await unmount();
    await runtime.done;
    expect(log).toEqual(["start", "finally"]);
    expect(inspect().runs.filter((r) => r.name === "suspended-root")).toHaveLength(0);
  });
});

describe("Activity", () => {
  it("hiding a subtree cancels its work; showing it again starts fresh work in fresh nurseries", async () => {
    const runtime = closedAfterTest(new TrioRuntime({ name: "activity", clock: new MockClock() }));
    const log: string[] = [];
    let nursery!: ScopedNursery;
    function* poll(): Operation<void> {
      log.push("start");
      try {
        yield* sleep(1e6);
      } finally {
        log.push("finally");
      }
    }
    function Panel() {
      useTask(poll, [], { name: "poll" });
      nursery = useNursery("panel");
      return <span>panel</span>;
    }
    let setVisible!: (visible: boolean) => void;
    function App() {
      const [visible, set] = useState(true);
      setVisible = set;
      return (
        <TrioRoot runtime={runtime}>
          <Activity mode={visible ? "visible" : "hidden"}>
            <Panel />
          </Activity>
        </TrioRoot>
      );
    }
    await mount(<App />);
    await flush(runtime);
    expect(log).toEqual(["start"]);
    await act(async () => {
      setVisible(false);
      await settled(runtime);
    });
    await flush(runtime);
    expect(log).toEqual(["start", "finally"]);
    expect(hookTasks(runtime)).toEqual([]);
    await act(async () => {
      setVisible(true);
      await settled(runtime);
    });
    await flush(runtime);
    expect(log).toEqual(["start", "finally", "start"]);
    expect(nursery.closed).toBe(false);
    nursery.startSoon(function* extra(): Operation<void> {
      yield* sleep(1);
    });
    await flush(runtime);
    const tasks = hookTasks(runtime);
    expect(tasks.filter((name) => name !== "poll")).toEqual(["extra", "panel", "poll scope"]);
    expect(tasks.filter((name) => name === "poll")).toHaveLength(1);
  });

  it("a useTask that had finished before its subtree was hidden runs again when it is shown", async () => {
    const clock = new MockClock();
    const runtime = closedAfterTest(new TrioRuntime({ name: "activity-finished", clock }));
    const log: string[] = [];
    function* load(): Operation<string> {
      log.push("start");
      yield* sleep(1);
      return "loaded";
    }
    let status = "";
    function Panel() {
      const task = useTask(load, [], { name: "load" });
      status = task.status;
      return <span>{task.status}</span>;
    }
    let setVisible!: (visible: boolean) => void;
    function App() {
      const [visible, set] = useState(true);
      setVisible = set;
      return (
        <TrioRoot runtime={runtime}>
          <Activity mode={visible ? "visible" : "hidden"}>
            <Panel />
          </Activity>
        </TrioRoot>
      );
    }
    await mount(<App />);
    await flush(runtime);
    await jump(clock, runtime, 1);
    await flush(runtime);
    expect(status).toBe("succeeded");
    await act(async () => setVisible(false));
    await flush(runtime);
    await act(async () => setVisible(true));
    await flush(runtime);
    // Fresh nursery and policy: the run starts again, instead of a status
    // "running" that no run would ever end.
    expect(log).toEqual(["start", "start"]);
    expect(status).toBe("running");
    await jump(clock, runtime, 1);
    await flush(runtime);
    expect(status).toBe("succeeded");
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("the same for an owned TrioRoot hidden and shown under StrictMode: its fresh runtime runs the task once", async () => {
    const log: string[] = [];
    function* load(): Operation<string> {
      log.push("start");
      yield* sleep(0);
      return "loaded";
    }
    let status = "";
    function Panel() {
      const task = useTask(load, [], { name: "load" });
      status = task.status;
      return <span>{task.status}</span>;
    }
    let setVisible!: (visible: boolean) => void;
    function App() {
      const [visible, set] = useState(true);
      setVisible = set;
      return (
        <Activity mode={visible ? "visible" : "hidden"}>
          <TrioRoot name="activity-owned">
            <Panel />
          </TrioRoot>
        </Activity>
      );
    }
    // A real clock (the root owns its runtime): let its tasks run between acts.
    const turns = async () => {
      for (let i = 0; i < 6; i++) await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    };
    await mount(<StrictMode><App /></StrictMode>);
    await turns();
    expect(status).toBe("succeeded");
    await act(async () => setVisible(false));
    await turns();
    await act(async () => setVisible(true));
    await turns();
    expect(log).toEqual(["start", "start"]);
    expect(status).toBe("succeeded");
    expect(inspect().runs.filter((r) => r.name === "activity-owned")).toHaveLength(1);
    await unmount();
    await turns();
    expect(inspect().runs.filter((r) => r.name === "activity-owned")).toHaveLength(0);
  });
});
