/**
 * A watched worker stops sending its inspector's updates when it stops
 * serving, on each way it can: it reports fatal (nothing it answers can
 * reach the page), or its serving task was cancelled (from a tool). Its
 * subscription to its own inspector goes, so no flush timer or observer is
 * left running for a page that will never read them. Driven in this thread
 * through the endpoint option: the worker's inspector is this thread's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { inspector } from "../../src/index.js";
import { subscriberCount } from "../../src/inspect/subscribe.js";
import { defineWorker } from "../../src/workers/index.js";

interface Posted {
  kind: string;
}

/** An endpoint in this thread that refuses every post once `closed` is set. */
function endpoint() {
  const state = { closed: false, posted: [] as Posted[], attempts: [] as string[] };
  let listener: ((data: unknown) => void) | null = null;
  return {
    state,
    endpoint: {
      postMessage(data: unknown) {
        state.attempts.push((data as Posted).kind);
        if (state.closed) throw new Error("the port is closed");
        state.posted.push(data as Posted);
      },
      listen(l: (data: unknown) => void) {
        listener = l;
      },
    },
    deliver(data: unknown) {
      listener!(data);
    },
  };
}

const msg = (body: object) => ({ trioWorker: 1, ...body });

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).toBe(true);
}

afterEach(() => {
  // A failing test must not leave its subscription to the next one.
  expect(subscriberCount()).toBe(0);
});

describe("a watched worker that stops serving", () => {
  it("reports fatal: its inspector subscription ends, and it posts no more updates", async () => {
    const fake = endpoint();
    defineWorker(
      {
        *add(a: number, b: number) {
          return a + b;
        },
      },
      { endpoint: fake.endpoint },
    );
    await until(() => fake.state.posted.some((m) => m.kind === "ready"));
    fake.deliver(msg({ kind: "inspect", watch: true }));
    expect(subscriberCount()).toBe(1);
    await until(() => fake.state.posted.some((m) => m.kind === "inspector"));
    // Nothing can reach the page any more: the answer is refused, and so is every error in its place.
    fake.state.closed = true;
    fake.deliver(msg({ kind: "call", id: 1, op: "add", args: [1, 2] }));
    await until(() => fake.state.attempts.includes("fatal"));
    expect(subscriberCount()).toBe(0);
    const tried = fake.state.attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.state.attempts.slice(tried)).toEqual([]);
  });

  it("its serving task is cancelled from a tool: its inspector subscription ends with it", async () => {
    const fake = endpoint();
    defineWorker(
      {
        *add(a: number, b: number) {
          return a + b;
        },
      },
      { endpoint: fake.endpoint },
    );
    await until(() => fake.state.posted.some((m) => m.kind === "ready"));
    fake.deliver(msg({ kind: "inspect", watch: true }));
    expect(subscriberCount()).toBe(1);
    const serving = inspector.inspect().tasks.find((t) => t.name === "serve");
    expect(serving).toBeDefined();
    fake.deliver(msg({ kind: "inspectCancel", what: "task", id: serving!.id, reason: "from the panel" }));
    await until(() => fake.state.posted.some((m) => m.kind === "fatal"));
    expect(subscriberCount()).toBe(0);
  });
});
