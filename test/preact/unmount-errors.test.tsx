// @vitest-environment happy-dom
/**
 * Errors raised after a component unmounted: a `useTask` or
 * `useTaskPolicy` instance whose cleanup (a `finally` that waits, then
 * raises) fails while it unwinds. Nobody renders the hook's state any more,
 * so the error goes to the root's `onError`, once, unless code awaits the
 * instance (the error then stays with that await).
 */
import { afterEach, describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { CancelScope, sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useTask, useTaskPolicy, type TaskPolicyHandle } from "../../src/preact/index.js";
import { settled } from "../components/helpers.js";
import { leftovers } from "../../src/core/runner.js";

let container: HTMLElement;
const runtimes: TrioRuntime[] = [];

function setup(): { clock: MockClock; runtime: TrioRuntime; reported: string[] } {
  container = document.body.appendChild(document.createElement("div"));
  const clock = new MockClock();
  const reported: string[] = [];
  const runtime = new TrioRuntime({ name: "unmount-errors", clock, onError: (e, source) => reported.push(`${source}: ${String(e)}`) });
  runtimes.push(runtime);
  return { clock, runtime, reported };
}

async function flush(runtime: TrioRuntime): Promise<void> {
  for (let i = 0; i < 4; i++) await act(async () => settled(runtime));
}

afterEach(async () => {
  if (container !== undefined) render(null, container);
  for (const r of runtimes.splice(0)) await r.close();
  container?.remove();
});

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
    await act(() => render(<TrioRoot runtime={runtime}><Loader /></TrioRoot>, container));
    await flush(runtime);
    await act(() => render(null, container));
    await flush(runtime);
    expect(reported).toEqual([]);
    await act(async () => {
      clock.jump(1);
      await settled(runtime);
    });
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
    await act(() => render(<TrioRoot runtime={runtime}><Saver /></TrioRoot>, container));
    let outcome = "";
    await act(async () => {
      void Promise.resolve(handle.perform()).catch((e: unknown) => (outcome = String(e)));
      await settled(runtime);
    });
    await act(() => render(null, container));
    await act(async () => {
      clock.jump(1);
      await settled(runtime);
    });
    await flush(runtime);
    expect(outcome).toBe("Error: cleanup broke");
    expect(reported).toEqual([]);
  });
});
