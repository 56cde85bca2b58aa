/**
 * The page the server-rendering tests of both bindings render
 * (test/preact/ssr*.test.tsx, test/react/ssr*.test.tsx): a root with
 * useTask, useTaskPolicy and useNursery, and counters of what its work did.
 * Built with the binding's own createElement and hooks, so one definition
 * serves Preact and React.
 */
import { sleep, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";

/** What the page's task did: started and finished (its finally ran). Reset by each test. */
export const counts = { started: 0, finished: 0 };

function* loadGreeting(): Operation<string> {
  counts.started++;
  try {
    yield* sleep(1);
    return "hello from a task";
  } finally {
    counts.finished++;
  }
}

function* save(text: string): Operation<string> {
  yield* sleep(1);
  return text;
}

/** Runs not finished yet, of every runtime. */
export const liveRuns = (): number => inspect().runs.filter((r) => !r.finished).length;

/** The hooks the page uses, as either binding exports them. */
export interface PageHooks {
  useTask(fn: () => Operation<string>, deps: readonly unknown[]): { status: string; value: string | undefined };
  useTaskPolicy(fn: (text: string) => Operation<string>, options: { policy: "restartable" }): { isRunning: boolean };
  useNursery(name?: string): unknown;
}

/** The page component: one paragraph, "status:value:saver", so the markup is the same in both bindings. */
export function makePage<E>(h: (type: "p", props: null, text: string) => E, hooks: PageHooks): () => E {
  return function Page(): E {
    const greeting = hooks.useTask(loadGreeting, []);
    const saver = hooks.useTaskPolicy(save, { policy: "restartable" });
    hooks.useNursery("page");
    return h("p", null, `${greeting.status}:${greeting.value ?? "…"}:${saver.isRunning ? "saving" : "idle"}`);
  };
}
