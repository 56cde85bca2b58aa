// @vitest-environment happy-dom
/**
 * The controls a Preact user passes to an element as they are
 * (`onClick={h.cancelAll}`): the hook handle's `perform` and `cancelAll`,
 * the policy's own, a nursery's `cancelAll` and `startSoon`, an instance's
 * `cancel`. Each must work detached (no `this`), take the click's event in
 * place of a reason, compile as an `onClick`, and be the same function on
 * every render.
 */
import { afterEach, describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { useState } from "preact/hooks";
import { sleep, type Operation } from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTaskPolicy, type ScopedNursery, type TaskPolicyHandle } from "../../src/preact/index.js";
import { settled } from "../components/helpers.js";

let container: HTMLElement;
const runtimes: TrioRuntime[] = [];

function setup(): { runtime: TrioRuntime; errors: string[] } {
  container = document.createElement("div");
  document.body.append(container);
  const errors: string[] = [];
  const runtime = new TrioRuntime({ name: "detached", clock: new MockClock(), onError: (e) => errors.push(String(e)) });
  runtimes.push(runtime);
  return { runtime, errors };
}

async function flush(runtime: TrioRuntime): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await act(async () => {
      await settled(runtime);
    });
  }
}

async function click(id: string): Promise<void> {
  await act(() => container.querySelector<HTMLButtonElement>(`#${id}`)!.click());
}

afterEach(async () => {
  render(null, container);
  for (const r of runtimes.splice(0)) await r.close();
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

describe("handle methods passed as handlers (Preact)", () => {
  it("perform, cancelAll, policy.cancelAll and last.cancel work detached, with the click's event", async () => {
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
    await act(() => render(<TrioRoot runtime={runtime}><Job /></TrioRoot>, container));
    await flush(runtime);

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
    await act(() => force());
    expect(new Set(seen.map((h) => h.perform)).size).toBe(1);
    expect(new Set(seen.map((h) => h.cancelAll)).size).toBe(1);
  });

  it("a nursery's cancelAll and startSoon work detached", async () => {
    const { runtime, errors } = setup();
    const log: string[] = [];
    let nursery!: ScopedNursery;
    function Owner() {
      nursery = useNursery("owner");
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
    expect(errors).toEqual([]);
  });
});
