// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * Server rendering and hydration (Next.js, Remix, any React SSR): a render
 * on the server must start nothing (no run, no task, no timer: a server
 * renders thousands of pages and owns none of their work), and the markup
 * must hydrate on the client without a mismatch, after which the work
 * starts as it does for a client render. The server half uses
 * react-dom/server, which never touches the DOM; the page half hydrates
 * that markup with react-dom/client.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act } from "react";
import { renderToString } from "react-dom/server";
import { hydrateRoot, type Root } from "react-dom/client";
import { sleep, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, useTaskPolicy } from "../../src/react/index.js";
import { jump } from "./helpers.js";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let started = 0;
let finished = 0;
function* loadGreeting(): Operation<string> {
  started++;
  try {
    yield* sleep(1);
    return "hello from a task";
  } finally {
    finished++;
  }
}
function* save(text: string): Operation<string> {
  yield* sleep(1);
  return text;
}

function Page(): React.ReactElement {
  const greeting = useTask(loadGreeting, []);
  const saver = useTaskPolicy(save, { policy: "restartable" });
  useNursery("page");
  return (
    <p>
      {greeting.status}:{greeting.value ?? "…"}:{saver.isRunning ? "saving" : "idle"}
    </p>
  );
}

const liveRuns = (): number => inspect().runs.filter((r) => !r.finished).length;

let root: Root | null = null;
let container: HTMLElement | null = null;
afterEach(async () => {
  await act(() => root?.unmount());
  root = null;
  container?.remove();
  container = null;
  started = finished = 0;
});

describe("React bindings under server rendering", () => {
  it("the server's markup hydrates without a mismatch; then the task runs, and unmounting ends everything", async () => {
    const clock = new MockClock();
    // Lazy, as the root's own runtime is: made before hydration, it owns no run until the first work.
    const runtime = new TrioRuntime({ name: "hydrated", clock, lazy: true });
    const tree = (
      <TrioRoot runtime={runtime}>
        <Page />
      </TrioRoot>
    );
    const html = renderToString(tree);
    container = document.createElement("div");
    container.innerHTML = html;
    document.body.append(container);
    const recoverable: unknown[] = [];
    const before = liveRuns();
    await act(() => {
      root = hydrateRoot(container!, tree, { onRecoverableError: (error) => recoverable.push(error) });
    });
    expect(recoverable).toEqual([]);
    expect(container.textContent).toBe("running:…:idle");
    expect(started).toBe(1);
    expect(liveRuns()).toBe(before + 1);
    await jump(clock, runtime, 1);
    expect(container.textContent).toBe("succeeded:hello from a task:idle");
    await act(() => root!.unmount());
    root = null;
    await jump(clock, runtime, 0);
    expect(finished).toBe(1);
    await runtime.close();
    expect(liveRuns()).toBe(before);
  });
});
