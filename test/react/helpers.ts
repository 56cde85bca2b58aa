/**
 * Helpers shared by the React binding tests: one React root per test, the
 * runtimes a test made closed after it, and the waits that let a runtime
 * settle while React flushes renders and effects inside act().
 */
import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { inspect } from "../../src/inspect/index.js";
import type { MockClock } from "../../src/testing/index.js";
import type { TrioRuntime } from "../../src/react/index.js";
import { settled } from "../components/helpers.js";

// Tells React that this is a test environment where act() is used.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
const runtimes: TrioRuntime[] = [];

/** Renders `node` into `target` (one React root per test, made by the first render). */
export function render(node: ReactNode, target: HTMLElement): void {
  root ??= createRoot(target);
  root.render(node);
}

/** Unmounts the test's React root, inside act(). */
export async function unmount(): Promise<void> {
  await act(() => root!.unmount());
  root = null;
}

/** Returns `runtime`, to be closed after the test. */
export function closedAfterTest(runtime: TrioRuntime): TrioRuntime {
  runtimes.push(runtime);
  return runtime;
}

/** For afterEach: unmounts the root (if still mounted), then closes the test's runtimes. */
export async function cleanup(): Promise<void> {
  await act(() => root?.unmount());
  root = null;
  for (const r of runtimes.splice(0)) await r.close();
}

/** Lets the runtime settle and React flush renders and effects, a few rounds. */
export async function flush(runtime: TrioRuntime): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await act(async () => {
      await settled(runtime);
    });
  }
}

/** Moves the mock clock inside act(), so the re-renders it causes are flushed there. */
export async function jump(clock: MockClock, runtime: TrioRuntime, seconds: number): Promise<void> {
  await act(async () => {
    clock.jump(seconds);
    await settled(runtime);
  });
}

/** Tasks of the runtime's run other than its main task, by name, sorted. */
export function hookTasks(runtime: TrioRuntime): string[] {
  const runId = runtime.runner?.id;
  return inspect()
    .tasks.filter((t) => t.runId === runId && t.nurseryId !== null)
    .map((t) => t.name)
    .sort();
}
