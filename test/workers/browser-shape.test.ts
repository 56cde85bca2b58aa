/**
 * The browser side of the adapter: a Worker that speaks with
 * addEventListener/MessageEvent and ends silently on terminate(). Here it is
 * a worker_threads Worker dressed as a browser Worker, so the same fixtures
 * run through the browser code path.
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Cancelled, moveOnAfter, run } from "../../src/index.js";
import { openWorker, openWorkerPool, WorkerLoadError, type BrowserWorkerLike } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { fixtureUrl } from "./helpers.js";

class BrowserShapedWorker implements BrowserWorkerLike {
  private readonly listeners = new Map<string, Set<(event: Event) => void>>();
  readonly thread: Worker;
  terminated = false;
  exited = false;

  /** @param errorCrosses false: like Chromium, the ErrorEvent has `error: null` and only the text "Uncaught Name: message". */
  constructor(url: URL, errorCrosses = true) {
    this.thread = new Worker(url);
    this.thread.on("message", (data: unknown) => this.dispatch("message", Object.assign(new Event("message"), { data })));
    this.thread.on("error", (error: Error) =>
      this.dispatch("error", Object.assign(new Event("error"), errorCrosses ? { error, message: error.message } : { error: null, message: `Uncaught ${error.name}: ${error.message}` })),
    );
    this.thread.on("exit", () => (this.exited = true));
  }

  private dispatch(type: string, event: Event): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    this.thread.postMessage(message, transfer as never);
  }

  terminate(): void {
    this.terminated = true;
    void this.thread.terminate();
  }

  addEventListener(type: string, listener: (event: Event) => void): void {
    let set = this.listeners.get(type);
    if (set === undefined) this.listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: string, listener: (event: Event) => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  get listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}

describe("a browser-shaped Worker", () => {
  it("round trip, cancellation past the grace period, and no listener left", async () => {
    const url = await fixtureUrl("basic.worker");
    const made: BrowserShapedWorker[] = [];
    let caught: unknown;
    await run(function* () {
      yield* openWorkerPool<BasicOps>(
        () => {
          const w = new BrowserShapedWorker(url);
          made.push(w);
          return w;
        },
        function* (pool) {
          expect(yield* pool.call("add", [2, 2])).toBe(4);
          yield* moveOnAfter(0.1, function* () {
            try {
              yield* pool.call("spin", ["b"]);
            } catch (e) {
              caught = e;
              throw e;
            }
          });
          expect(made[0]!.terminated).toBe(true);
          expect(yield* pool.call("add", [3, 3])).toBe(6);
        },
        { size: 1, graceSeconds: 0.1 },
      );
    });
    expect(caught).toBeInstanceOf(Cancelled);
    expect(made).toHaveLength(2);
    for (const w of made) {
      expect(w.terminated).toBe(true);
      expect(w.listenerCount).toBe(0);
    }
    // Let the threads finish stopping before the test ends.
    while (!made.every((w) => w.exited)) await new Promise((r) => setTimeout(r, 5));
  });

  it("an error event while loading is a WorkerLoadError", async () => {
    const url = await fixtureUrl("throws-on-load.worker");
    const w = new BrowserShapedWorker(url);
    let error: unknown;
    try {
      await run(function* () {
        yield* openWorker(w, function* () {});
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(w.terminated).toBe(true);
    while (!w.exited) await new Promise((r) => setTimeout(r, 5));
  });

  it("an ErrorEvent with only its text (as in Chromium) names the error without the 'Uncaught' prefix", async () => {
    const url = await fixtureUrl("throws-on-load.worker");
    const w = new BrowserShapedWorker(url, false);
    let error: unknown;
    try {
      await run(function* () {
        yield* openWorker(w, function* () {});
      });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(/failed to load: SyntaxError: this worker module is broken on purpose\. Check/);
    expect(((error as Error).cause as Error).name).toBe("SyntaxError");
    while (!w.exited) await new Promise((r) => setTimeout(r, 5));
  });
});
