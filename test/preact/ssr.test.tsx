// @vitest-environment happy-dom
/**
 * Server rendering and hydration with Preact: markup rendered by
 * preact-render-to-string (which starts no run and no task: see
 * ssr-server.test.tsx) hydrates on the client, reusing the server's DOM
 * nodes, after which the work starts as it does for a client render, and
 * unmounting ends it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { h, hydrate, render } from "preact";
import { act } from "preact/test-utils";
import { renderToString } from "preact-render-to-string";
import { MockClock } from "../../src/testing/index.js";
import { counts, liveRuns, makePage } from "../components/ssr-page.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, useTaskPolicy } from "../../src/preact/index.js";
import { settled } from "../components/helpers.js";

const Page = makePage(h, { useTask, useTaskPolicy, useNursery });

let container: HTMLElement | null = null;
afterEach(async () => {
  if (container !== null) await act(() => render(null, container!));
  container?.remove();
  container = null;
  counts.started = counts.finished = 0;
});

describe("Preact bindings: server markup, then hydration", () => {
  it("hydrates the server's markup in place; then the task runs, and unmounting ends everything", async () => {
    const clock = new MockClock();
    // Lazy, as the root's own runtime is: it owns no run until the first work.
    const runtime = new TrioRuntime({ name: "hydrated", clock, lazy: true });
    const tree = (
      <TrioRoot runtime={runtime}>
        <Page />
      </TrioRoot>
    );
    const html = renderToString(tree);
    expect(html).toBe("<p>running:…:idle</p>");
    expect(counts.started).toBe(0);
    container = document.createElement("div");
    container.innerHTML = html;
    document.body.append(container);
    const serverParagraph = container.querySelector("p");
    const before = liveRuns();
    await act(() => hydrate(tree, container!));
    expect(container.querySelector("p")).toBe(serverParagraph); // reused, not replaced
    expect(container.textContent).toBe("running:…:idle");
    expect(counts.started).toBe(1);
    expect(liveRuns()).toBe(before + 1);
    await act(async () => {
      clock.jump(1);
      await settled(runtime);
    });
    expect(container.textContent).toBe("succeeded:hello from a task:idle");
    await act(() => render(null, container!));
    await act(async () => {
      clock.jump(0);
      await settled(runtime);
    });
    expect(counts.finished).toBe(1);
    await runtime.close();
    expect(liveRuns()).toBe(before);
  });
});
