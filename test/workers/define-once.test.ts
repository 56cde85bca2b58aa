/**
 * defineWorker counts a worker module as defined only once it listens: a
 * definition whose listen() fails leaves nothing behind, so the module may
 * call defineWorker again. Its own file: "defined" is per module instance,
 * and the default endpoint is faked on globalThis (a browser worker's scope).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { defineWorker } from "../../src/workers/index.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("defineWorker whose listen fails", () => {
  it("leaves the module undefined: the error says so, and a second defineWorker serves", async () => {
    const posted: unknown[] = [];
    const listeners: ((event: { data: unknown }) => void)[] = [];
    let refuse = true;
    vi.stubGlobal("WorkerGlobalScope", class {});
    vi.stubGlobal("postMessage", (data: unknown) => posted.push(data));
    vi.stubGlobal("addEventListener", (type: string, listener: (event: { data: unknown }) => void) => {
      if (refuse) throw new Error("no listeners today");
      if (type === "message") listeners.push(listener);
    });
    const ops = {
      *add(a: number, b: number) {
        return a + b;
      },
    };
    let first: unknown;
    try {
      defineWorker(ops);
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(TypeError);
    expect((first as Error).message).toBe(
      "defineWorker(): listening for the page's messages failed (Error: no listeners today), so nothing was defined; call defineWorker() again once the endpoint can listen (an endpoint of yours needs a working listen(listener)).",
    );
    expect(((first as Error).cause as Error).message).toBe("no listeners today");
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The failed definition started no run: nothing said "ready".
    expect(posted).toEqual([]);
    refuse = false;
    expect(defineWorker(ops)).toBe(ops);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(posted).toEqual([expect.objectContaining({ kind: "ready", operations: ["add"] })]);
    expect(listeners).toHaveLength(1);
    listeners[0]!({ data: { trioWorker: 1, kind: "call", id: 1, op: "add", args: [2, 3] } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(posted).toContainEqual(expect.objectContaining({ kind: "result", id: 1, value: 5 }));
  });
});
