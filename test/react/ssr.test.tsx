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
import { act, createElement } from "react";
import { renderToString } from "react-dom/server";
import { hydrateRoot, type Root } from "react-dom/client";
import { MockClock } from "../../src/testing/index.js";
import { counts, liveRuns, makePage } from "../components/ssr-page.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, useTaskPolicy } from "../../src/react/index.js";
import { jump } from "./helpers.js";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const Page = makePage(createElement, { useTask, useTaskPolicy, useNursery });

let root: Root | null = null;
let container: HTMLElement | null = null;
afterEach(async () => {
  await act(() => root?.unmount());
  root = null;
  container?.remove();
  container = null;
  counts.started = counts.finished = 0;
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
    expect(counts.started).toBe(1);
    expect(liveRuns()).toBe(before + 1);
    await jump(clock, runtime, 1);
    expect(container.textContent).toBe("succeeded:hello from a task:idle");
    await act(() => root!.unmount());
    root = null;
    await jump(clock, runtime, 0);
    expect(counts.finished).toBe(1);
    await runtime.close();
    expect(liveRuns()).toBe(before);
  });
});
