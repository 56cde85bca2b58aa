// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * The controls a React user passes to an element as they are, the way
 * ember-concurrency users write `onClick={task.perform}`: the hook handle's
 * `perform` and `cancelAll`, the policy's own, a nursery's `cancelAll` and
 * `startSoon`, an instance's `cancel`. Each must work detached (no `this`),
 * take the click's event in place of a reason, compile as an `onClick`, and
 * be the same function on every render (so memoized children do not
 * re-render). Clicks go through React's own event system.
 */
import { afterEach, describe, expect, it } from "vitest";
import { StrictMode, act, useEffect, useState } from "react";
import { sleep, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTaskPolicy, type ScopedNursery, type TaskPolicyHandle } from "../../src/react/index.js";
import { cleanup, closedAfterTest, flush, hookTasks, render } from "./helpers.js";

let container: HTMLElement;

function setup(): { runtime: TrioRuntime; errors: string[] } {
  container = document.createElement("div");
  document.body.append(container);
  const errors: string[] = [];
  const runtime = closedAfterTest(new TrioRuntime({ name: "detached", clock: new MockClock(), onError: (e) => errors.push(String(e)) }));
  return { runtime, errors };
}

async function click(id: string): Promise<void> {
  await act(async () => container.querySelector<HTMLButtonElement>(`#${id}`)!.click());
}

afterEach(async () => {
  await cleanup();
  container.remove();
});

function* slow(log: string[], label: string): Operation<string> {
  log.push(`start ${label}`);
  try {
    yield* sleep(100);
    return label;
  } finally {
    log.push(`finally ${label}`);
  }
}

describe("handle methods passed as handlers (React)", () => {
  it("perform, cancelAll, policy.cancelAll and last.cancel work detached, with the click's event, in StrictMode", async () => {
    const { runtime, errors } = setup();
    const log: string[] = [];
    const seen: TaskPolicyHandle<[unknown?], string>[] = [];
    let force!: () => void;
    function Job() {
      const [, setN] = useState(0);
      force = () => setN((n) => n + 1);
      const h = useTaskPolicy((event?: unknown) => slow(log, (event as { type?: string } | undefined)?.type ?? "none"), { name: "job" });
      seen.push(h);
      return (
        <>
          <button id="go" onClick={h.perform}>go</button>
          <button id="stop" onClick={h.cancelAll}>stop</button>
          <button id="stop-policy" onClick={h.policy.cancelAll}>stop policy</button>
          <button id="stop-last" onClick={h.last?.cancel}>stop last</button>
        </>
      );
    }
    await act(() => render(<StrictMode><TrioRoot runtime={runtime}><Job /></TrioRoot></StrictMode>, container));
    await flush(runtime);

    // perform: the task function gets the event, as ember-concurrency's perform helper passes it on.
    await click("go");
    await flush(runtime);
    expect(log).toEqual(["start click"]);
    let last = seen.at(-1)!.last!;
    await click("stop");
    await flush(runtime);
    expect(last.state).toBe("cancelled");
    expect(last.cancelReason).toBe("cancelAll()");

    await click("go");
    await flush(runtime);
    last = seen.at(-1)!.last!;
    await click("stop-policy");
    await flush(runtime);
    expect(last.state).toBe("cancelled");
    expect(last.cancelReason).toBe("cancelAll()");

    await click("go");
    await flush(runtime);
    last = seen.at(-1)!.last!;
    await click("stop-last");
    await flush(runtime);
    expect(last.state).toBe("cancelled");
    expect(last.cancelReason).toBe("cancelled");

    expect(log).toEqual(["start click", "finally click", "start click", "finally click", "start click", "finally click"]);
    expect(errors).toEqual([]);
    // The same functions on every render (StrictMode's double render included).
    await act(async () => force());
    expect(new Set(seen.map((h) => h.perform)).size).toBe(1);
    expect(new Set(seen.map((h) => h.cancelAll)).size).toBe(1);
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("an instance's cancel as an effect's cleanup: useEffect(() => h.perform().cancel)", async () => {
    const { runtime, errors } = setup();
    const log: string[] = [];
    function Job() {
      const { perform } = useTaskPolicy(() => slow(log, "effect"), { name: "job", policy: "drop" });
      useEffect(() => perform().cancel, [perform]);
      return null;
    }
    await act(() => render(<StrictMode><TrioRoot runtime={runtime}><Job /></TrioRoot></StrictMode>, container));
    await flush(runtime);
    // StrictMode's first instance was cancelled before its first step: it never ran.
    expect(log).toEqual(["start effect"]);
    await act(() => render(<StrictMode><TrioRoot runtime={runtime}>{null}</TrioRoot></StrictMode>, container));
    await flush(runtime);
    expect(log).toEqual(["start effect", "finally effect"]);
    expect(errors).toEqual([]);
    expect(hookTasks(runtime)).toEqual([]);
  });

  it("a nursery's cancelAll and startSoon work detached", async () => {
    const { runtime, errors } = setup();
    const log: string[] = [];
    let nursery!: ScopedNursery;
    const starts = new Set<unknown>();
    function Owner() {
      nursery = useNursery("owner");
      starts.add(nursery.startSoon);
      const { startSoon, cancelAll } = nursery;
      return (
        <>
          <button id="go" onClick={() => startSoon(slow, log, "w")}>go</button>
          <button id="stop" onClick={cancelAll}>stop</button>
        </>
      );
    }
    await act(() => render(<TrioRoot runtime={runtime}><Owner /></TrioRoot>, container));
    await click("go");
    await flush(runtime);
    expect(nursery.taskCount).toBe(1);
    await click("stop");
    await flush(runtime);
    expect(log).toEqual(["start w", "finally w"]);
    expect(nursery.taskCount).toBe(0);
    expect(starts.size).toBe(1);
    expect(errors).toEqual([]);
  });

  it("cancelAll still refuses a reason that is neither a string nor an event", () => {
    setup();
    let handle!: TaskPolicyHandle<[], string>;
    function Job() {
      handle = useTaskPolicy(() => slow([], "x"));
      return null;
    }
    return act(async () => render(<TrioRoot><Job /></TrioRoot>, container)).then(() => {
      expect(() => handle.cancelAll({ type: 5 } as never)).toThrow(/TaskPolicy\.cancelAll\(reason\) takes a string reason .*got an object/);
    });
  });
});
