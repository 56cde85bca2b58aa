// @vitest-environment happy-dom
/**
 * The hooks in a real (happy-dom) DOM with Preact: work starts on mount,
 * restarts with deps, ends on unmount, and leaves nothing running. Time is
 * a MockClock that only moves when the test jumps it, so every "is it still
 * running?" question has one answer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { useState } from "preact/hooks";
import { sleep, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, useTaskPolicy, useTrioRuntime, type ScopedNursery } from "../../src/preact/index.js";
import { settled } from "../components/helpers.js";
import { leftovers } from "../../src/core/runner.js";

let container: HTMLElement;
const runtimes: TrioRuntime[] = [];

function setup(): { clock: MockClock; runtime: TrioRuntime; errors: string[] } {
  container = document.createElement("div");
  document.body.append(container);
  const clock = new MockClock();
  const errors: string[] = [];
  const runtime = new TrioRuntime({ name: "test-root", clock, onError: (e, source) => errors.push(`${source}: ${(e as Error).message}`) });
  runtimes.push(runtime);
  return { clock, runtime, errors };
}

/** Lets the runtime settle and Preact flush renders and effects, a few rounds. */
async function flush(runtime: TrioRuntime): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await act(async () => {
      await settled(runtime);
    });
  }
}

function text(): string {
  return container.textContent ?? "";
}

/** Tasks of the runtime's run other than its main task. */
function hookTasks(runtime: TrioRuntime): string[] {
  const runId = runtime.runner?.id;
  return inspect()
    .tasks.filter((t) => t.runId === runId && t.nurseryId !== null)
    .map((t) => t.name);
}

afterEach(async () => {
  render(null, container);
  for (const r of runtimes.splice(0)) await r.close();
  container.remove();
});

describe("useTask", () => {
  it("starts on mount, restarts on deps change after the old finally, and is cancelled on unmount", async () => {
    const { clock, runtime } = setup();
    const log: string[] = [];
    let setQuery!: (q: string) => void;
    function* lookup(q: string): Operation<string> {
      log.push(`start ${q}`);
      try {
        yield* sleep(5);
        return `result for ${q}`;
      } finally {
        log.push(`finally ${q}`);
      }
    }
    function Search() {
      const [q, set] = useState("a");
      setQuery = set;
      const task = useTask(() => lookup(q), [q], { name: "lookup" });
      return <p>{task.isRunning ? "loading" : String(task.value)}</p>;
    }
    await act(() => render(<TrioRoot runtime={runtime}><Search /></TrioRoot>, container));
    await flush(runtime);
    expect(log).toEqual(["start a"]);
    expect(text()).toBe("loading");
    await act(() => setQuery("ab"));
    await flush(runtime);
    expect(log).toEqual(["start a", "finally a", "start ab"]);
    clock.jump(5);
    await flush(runtime);
    expect(text()).toBe("result for ab");
    expect(log).toEqual(["start a", "finally a", "start ab", "finally ab"]);
    await act(() => setQuery("abc"));
    await flush(runtime);
    expect(text()).toBe("loading");
    await act(() => render(null, container));
    await flush(runtime);
    expect(log.at(-1)).toBe("finally abc");
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("keeps the last value while a restart runs and reports errors in its result", async () => {
    const { clock, runtime, errors } = setup();
    let setN!: (n: number) => void;
    function* compute(n: number): Operation<number> {
      yield* sleep(1);
      if (n < 0) throw new Error(`negative: ${n}`);
      return n * 2;
    }
    function View() {
      const [n, set] = useState(1);
      setN = set;
      const t = useTask(() => compute(n), [n]);
      return <p>{`${t.status} ${String(t.value)} ${t.error instanceof Error ? t.error.message : "-"}`}</p>;
    }
    await act(() => render(<TrioRoot runtime={runtime}><View /></TrioRoot>, container));
    await flush(runtime);
    expect(text()).toBe("running undefined -");
    clock.jump(1);
    await flush(runtime);
    expect(text()).toBe("succeeded 2 -");
    await act(() => setN(-3));
    await flush(runtime);
    expect(text()).toBe("running 2 -");
    clock.jump(1);
    await flush(runtime);
    expect(text()).toBe("failed 2 negative: -3");
    expect(errors).toEqual([]);
  });
});

describe("useNursery", () => {
  it("cancels what a component started when it unmounts", async () => {
    const { runtime } = setup();
    const log: string[] = [];
    let nursery!: ScopedNursery;
    function* worker(id: number): Operation<void> {
      try {
        yield* sleep(1000);
      } finally {
        log.push(`cleaned ${id}`);
      }
    }
    function Owner() {
      nursery = useNursery("Owner");
      return <button onClick={() => nursery.startSoon(worker, 1)}>go</button>;
    }
    function App(props: { show: boolean }) {
      return <TrioRoot runtime={runtime}>{props.show ? <Owner /> : null}</TrioRoot>;
    }
    await act(() => render(<App show />, container));
    await act(() => container.querySelector("button")!.click());
    nursery.startSoon(worker, 2);
    await flush(runtime);
    expect(hookTasks(runtime).sort()).toEqual(["Owner", "worker", "worker"]);
    expect(nursery.taskCount).toBe(2);
    await act(() => render(<App show={false} />, container));
    await flush(runtime);
    expect(log.sort()).toEqual(["cleaned 1", "cleaned 2"]);
    expect(nursery.closed).toBe(true);
    expect(hookTasks(runtime)).toEqual([]);
    expect(() => nursery.startSoon(worker, 3)).toThrow(/closed \(its component unmounted\)/);
  });

  it("an idle component owns no task: the host starts with the first task and ends with the last", async () => {
    const { clock, runtime } = setup();
    let nursery!: ScopedNursery;
    function Owner() {
      nursery = useNursery("Owner");
      return null;
    }
    await act(() => render(<TrioRoot runtime={runtime}><Owner /></TrioRoot>, container));
    await flush(runtime);
    expect(hookTasks(runtime)).toEqual([]);
    nursery.startSoon(function* brief(): Operation<void> {
      yield* sleep(1);
    });
    await flush(runtime);
    expect(hookTasks(runtime).sort()).toEqual(["Owner", "brief"]);
    clock.jump(1);
    await flush(runtime);
    expect(hookTasks(runtime)).toEqual([]);
    expect(nursery.closed).toBe(false);
    nursery.startSoon(function* again(): Operation<void> {
      yield* sleep(1);
    });
    await flush(runtime);
    expect(hookTasks(runtime).sort()).toEqual(["Owner", "again"]);
  });

  it("reports a child's error, cancels its siblings, and keeps working", async () => {
    const { clock, runtime, errors } = setup();
    const log: string[] = [];
    let nursery!: ScopedNursery;
    function* sibling(): Operation<void> {
      try {
        yield* sleep(100);
      } finally {
        log.push("sibling cancelled");
      }
    }
    function* failing(): Operation<void> {
      yield* sleep(1);
      throw new Error("bad");
    }
    function* fine(): Operation<void> {
      yield* sleep(1);
      log.push("fine done");
    }
    function Owner() {
      nursery = useNursery("Owner");
      return null;
    }
    await act(() => render(<TrioRoot runtime={runtime}><Owner /></TrioRoot>, container));
    nursery.startSoon(sibling);
    nursery.startSoon(failing);
    await flush(runtime);
    clock.jump(1);
    await flush(runtime);
    expect(log).toEqual(["sibling cancelled"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe("a task of Owner: bad");
    nursery.startSoon(fine);
    await flush(runtime);
    clock.jump(1);
    await flush(runtime);
    expect(log).toEqual(["sibling cancelled", "fine done"]);
  });

  it("cancelAll cancels the running tasks and the nursery stays usable", async () => {
    const { runtime } = setup();
    const log: string[] = [];
    let nursery!: ScopedNursery;
    function* w(id: number): Operation<void> {
      try {
        yield* sleep(50);
      } finally {
        log.push(`end ${id}`);
      }
    }
    function Owner() {
      nursery = useNursery("Owner");
      return null;
    }
    await act(() => render(<TrioRoot runtime={runtime}><Owner /></TrioRoot>, container));
    nursery.startSoon(w, 1);
    await flush(runtime);
    nursery.cancelAll("reset");
    await flush(runtime);
    expect(log).toEqual(["end 1"]);
    nursery.startSoon(w, 2);
    await flush(runtime);
    expect(nursery.taskCount).toBe(1);
  });
});

describe("useTaskPolicy", () => {
  it("re-renders with the policy's state, and cancels on unmount", async () => {
    const { clock, runtime } = setup();
    let perform!: (n: number) => void;
    function* save(n: number): Operation<number> {
      yield* sleep(2);
      return n;
    }
    function Saver() {
      const t = useTaskPolicy(save, { policy: "enqueue" });
      perform = (n) => void t.perform(n);
      return <p>{`running=${t.runningCount} queued=${t.queuedCount} performs=${t.performCount} last=${String(t.lastValue)}`}</p>;
    }
    await act(() => render(<TrioRoot runtime={runtime}><Saver /></TrioRoot>, container));
    expect(text()).toBe("running=0 queued=0 performs=0 last=undefined");
    await act(() => {
      perform(1);
      perform(2);
      perform(3);
    });
    await flush(runtime);
    expect(text()).toBe("running=1 queued=2 performs=3 last=undefined");
    clock.jump(2);
    await flush(runtime);
    expect(text()).toBe("running=1 queued=1 performs=3 last=1");
    await act(() => render(null, container));
    await flush(runtime);
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("restartable: only the latest perform's value is shown", async () => {
    const { clock, runtime } = setup();
    let type!: (q: string) => void;
    const started: string[] = [];
    function* search(q: string): Operation<string> {
      started.push(q);
      yield* sleep(1);
      return q.toUpperCase();
    }
    function Box() {
      const s = useTaskPolicy(search, { policy: "restartable" });
      type = (q) => void s.perform(q);
      return <p>{`${String(s.lastValue)} cancelled=${s.cancelledCount}`}</p>;
    }
    await act(() => render(<TrioRoot runtime={runtime}><Box /></TrioRoot>, container));
    for (const q of ["t", "tr", "tri"]) {
      await act(() => type(q));
      await flush(runtime);
    }
    clock.jump(1);
    await flush(runtime);
    expect(text()).toBe("TRI cancelled=2");
    expect(started).toEqual(["t", "tr", "tri"]);
  });
});

describe("TrioRoot", () => {
  it("owns a run that ends when the root unmounts", async () => {
    container = document.createElement("div");
    document.body.append(container);
    let runtime: TrioRuntime | null = null;
    function Grab() {
      runtime = useTrioRuntime();
      useTask(() => sleep(1000), []);
      return <span>in root</span>;
    }
    await act(() => render(<TrioRoot name="owned-root" clock={new MockClock()}><Grab /></TrioRoot>, container));
    await flush(runtime!);
    expect(inspect().runs.some((r) => r.name === "owned-root")).toBe(true);
    await act(() => render(null, container));
    await runtime!.done;
    expect(runtime!.closed).toBe(true);
    expect(inspect().runs.some((r) => r.name === "owned-root")).toBe(false);
  });

  it("a hook outside a TrioRoot throws an error that names the fix", async () => {
    container = document.createElement("div");
    function Lonely() {
      useNursery();
      return null;
    }
    let error: unknown = null;
    try {
      await act(() => render(<Lonely />, container));
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/needs a <TrioRoot> above the component/);
  });

  it("mounting and unmounting many task-owning components leaves nothing running", async () => {
    const { runtime } = setup();
    let setCount!: (n: number) => void;
    const finallies: number[] = [];
    function* forever(i: number): Operation<void> {
      try {
        yield* sleep(1e6);
      } finally {
        finallies.push(i);
      }
    }
    function Item(props: { i: number }) {
      useTask(() => forever(props.i), []);
      const n = useNursery(`item ${props.i}`);
      return <li onClick={() => n.startSoon(forever, -props.i)}>{props.i}</li>;
    }
    function List() {
      const [count, set] = useState(0);
      setCount = set;
      return <ul>{Array.from({ length: count }, (_, i) => <Item key={i} i={i} />)}</ul>;
    }
    await act(() => render(<TrioRoot runtime={runtime}><List /></TrioRoot>, container));
    await act(() => setCount(20));
    await flush(runtime);
    // Each item: the host of its useTask and the task itself; its idle useNursery costs nothing.
    expect(hookTasks(runtime)).toHaveLength(40);
    const items = container.querySelectorAll("li");
    await act(() => {
      for (const i of [0, 7, 12]) (items[i] as HTMLElement).click();
    });
    await flush(runtime);
    expect(hookTasks(runtime)).toHaveLength(46);
    await act(() => setCount(5));
    await flush(runtime);
    // Items 0..4 stay: their useTask pairs, and item 0's clicked worker with its host.
    expect(hookTasks(runtime)).toHaveLength(12);
    expect(finallies.sort((a, b) => a - b)).toEqual([-12, -7, ...Array.from({ length: 15 }, (_, i) => i + 5)]);
    await act(() => setCount(0));
    await flush(runtime);
    expect(hookTasks(runtime)).toEqual([]);
    expect(finallies).toHaveLength(23);
    expect(leftovers(runtime.runner!).deadlines).toBe(0);
  });
});
