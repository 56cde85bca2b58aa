// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * Errors raised after a component unmounted, under StrictMode: a `useTask`
 * or `useTaskPolicy` instance whose cleanup (a `finally` that waits, then
 * raises) fails while it unwinds. Nobody renders the hook's state any more,
 * so the error goes to the root's `onError`, once (StrictMode's remount
 * starts nothing twice), unless code awaits the instance.
 */
import { afterEach, describe, expect, it } from "vitest";
import { StrictMode, act, type ReactNode } from "react";
import { CancelScope, sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useTask, useTaskPolicy, type TaskPolicyHandle } from "../../src/react/index.js";
import { settled } from "../components/helpers.js";
import { leftovers } from "../../src/core/runner.js";
import { cleanup, closedAfterTest, flush, hookTasks, jump, render, unmount } from "./helpers.js";

let container: HTMLElement;

async function mount(node: ReactNode): Promise<void> {
  container ??= document.body.appendChild(document.createElement("div"));
  await act(async () => render(<StrictMode>{node}</StrictMode>, container));
}

function setup(): { clock: MockClock; runtime: TrioRuntime; reported: string[] } {
  const clock = new MockClock();
  const reported: string[] = [];
  const runtime = closedAfterTest(new TrioRuntime({ name: "unmount-errors", clock, onError: (e, source) => reported.push(`${source}: ${String(e)}`) }));
  return { clock, runtime, reported };
}

afterEach(cleanup);

// Waits (shielded) in its finally, then raises: a cleanup that fails while the instance unwinds.
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

describe("an error raised after the unmount", () => {
  it("useTask: reaches the root's onError once, and nothing is left", async () => {
    const { clock, runtime, reported } = setup();
    function Loader() {
      const task = useTask(failingCleanup, [], { name: "load" });
      return <p>{task.status}</p>;
    }
    await mount(<TrioRoot runtime={runtime}><Loader /></TrioRoot>);
    await flush(runtime);
    expect(hookTasks(runtime)).toEqual(["load", "load scope"]);
    await unmount();
    await flush(runtime);
    expect(reported).toEqual([]);
    await jump(clock, runtime, 1);
    await flush(runtime);
    expect(reported).toEqual(["a task of load scope: Error: cleanup broke"]);
    const runner = runtime.runner!;
    await runtime.close();
    expect(reported).toHaveLength(1);
    expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });

  it("useTaskPolicy: an instance that a handler awaits keeps its error for that await", async () => {
    const { clock, runtime, reported } = setup();
    let handle!: TaskPolicyHandle<[], string>;
    function Saver() {
      handle = useTaskPolicy(failingCleanup, { policy: "drop", name: "save" });
      return <p>{handle.runningCount}</p>;
    }
    await mount(<TrioRoot runtime={runtime}><Saver /></TrioRoot>);
    let outcome = "";
    await act(async () => {
      void Promise.resolve(handle.perform()).catch((e: unknown) => (outcome = String(e)));
      await settled(runtime);
    });
    await unmount();
    await jump(clock, runtime, 1);
    await flush(runtime);
    expect(outcome).toBe("Error: cleanup broke");
    expect(reported).toEqual([]);
  });
});
