// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * Policies under rapid input, as a component renders them under
 * StrictMode: 100 performs in one tick of each policy, and the counts the
 * render shows; then a restart while the previous instance's cleanup still
 * runs. Nothing runs twice, nothing is left.
 */
import { afterEach, describe, expect, it } from "vitest";
import { StrictMode, act, type ReactNode } from "react";
import { CancelScope, sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useTaskPolicy, type PolicyName, type TaskPolicyHandle } from "../../src/react/index.js";
import { cleanup, closedAfterTest, flush, hookTasks, jump, render, unmount } from "./helpers.js";

let container: HTMLElement;

async function mount(node: ReactNode): Promise<void> {
  container ??= document.body.appendChild(document.createElement("div"));
  await act(async () => render(<StrictMode>{node}</StrictMode>, container));
}

afterEach(cleanup);

describe("rapid input", () => {
  it("100 performs in one tick: each policy runs what it should, and the render shows its counts", async () => {
    const clock = new MockClock();
    const runtime = closedAfterTest(new TrioRuntime({ name: "rapid", clock }));
    const policies: PolicyName[] = ["restartable", "drop", "enqueue", "keepLatest"];
    const handles = new Map<PolicyName, TaskPolicyHandle<[number], number>>();
    const started = new Map<PolicyName, number[]>(policies.map((p) => [p, []]));
    function Button({ policy }: { policy: PolicyName }) {
      const handle = useTaskPolicy(
        function* job(n: number): Operation<number> {
          started.get(policy)!.push(n);
          yield* sleep(1);
          return n;
        },
        { policy, name: policy },
      );
      handles.set(policy, handle);
      const s = handle;
      return <li data-policy={policy}>{`${s.runningCount}/${s.queuedCount}/${s.succeededCount}/${s.cancelledCount}/${s.droppedCount}/${String(s.lastValue)}`}</li>;
    }
    await mount(
      <TrioRoot runtime={runtime}>
        <ul>
          {policies.map((p) => (
            <Button key={p} policy={p} />
          ))}
        </ul>
      </TrioRoot>,
    );
    await act(async () => {
      for (const p of policies) for (let i = 0; i < 100; i++) handles.get(p)!.perform(i);
    });
    const shown = () => Object.fromEntries(policies.map((p) => [p, container.querySelector(`[data-policy=${p}]`)!.textContent]));
    // running/queued/succeeded/cancelled/dropped/lastValue
    expect(shown()).toEqual({ restartable: "1/0/0/99/0/undefined", drop: "1/0/0/0/99/undefined", enqueue: "1/99/0/0/0/undefined", keepLatest: "1/1/0/0/98/undefined" });
    for (let i = 0; i < 100; i++) await jump(clock, runtime, 1);
    await flush(runtime);
    expect(shown()).toEqual({ restartable: "0/0/1/99/0/99", drop: "0/0/1/0/99/0", enqueue: "0/0/100/0/0/99", keepLatest: "0/0/2/0/98/99" });
    expect(Object.fromEntries(policies.map((p) => [p, started.get(p)!.length]))).toEqual({ restartable: 1, drop: 1, enqueue: 100, keepLatest: 2 });
    expect(handles.get("restartable")!.performCount).toBe(100);
    await unmount();
    await flush(runtime);
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("a restart while the previous instance's cleanup runs: the render shows it unwinding and the new one waiting; the new one starts after", async () => {
    const clock = new MockClock();
    const runtime = closedAfterTest(new TrioRuntime({ name: "restart-cleanup", clock }));
    const log: string[] = [];
    let handle!: TaskPolicyHandle<[string], string>;
    function Search() {
      handle = useTaskPolicy(
        function* search(q: string): Operation<string> {
          log.push(`start ${q}`);
          try {
            yield* sleepForever();
            return q;
          } finally {
            yield* new CancelScope({ shield: true }).run(() => sleep(2));
            log.push(`cleaned ${q}`);
          }
        },
        { policy: "restartable" },
      );
      return <p>{`${handle.runningCount}/${handle.queuedCount}`}</p>;
    }
    await mount(<TrioRoot runtime={runtime}><Search /></TrioRoot>);
    await act(async () => void handle.perform("a"));
    await flush(runtime);
    await act(async () => void handle.perform("b"));
    await flush(runtime);
    await act(async () => void handle.perform("c"));
    await flush(runtime);
    expect(container.textContent).toBe("1/1");
    expect(log).toEqual(["start a"]);
    await jump(clock, runtime, 2);
    await flush(runtime);
    expect(log).toEqual(["start a", "cleaned a", "start c"]);
    expect(container.textContent).toBe("1/0");
    expect(handle).toMatchObject({ performCount: 3, cancelledCount: 2 });
    await unmount();
    await flush(runtime);
    await jump(clock, runtime, 2);
    await flush(runtime);
    expect(log).toEqual(["start a", "cleaned a", "start c", "cleaned c"]);
    expect(hookTasks(runtime)).toEqual([]);
  });
});
