/**
 * The page side's host callbacks never throw into the host, and never let
 * a caller go while its call still runs: a cancel the worker's postMessage
 * refuses, and events from a worker of the caller's that are not the
 * host's Event objects (no preventDefault, a `data` getter that throws).
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BrokenResourceError, Cancelled, moveOnAfter, openNursery, run } from "../../src/index.js";
import { openWorker, receiveFromPort, sendToPort, type BrowserWorkerLike } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { caught, fixtureUrl, tracker } from "./helpers.js";

describe("a worker whose postMessage refuses the cancel", () => {
  it("is terminated: the cancelled caller hears Cancelled once the worker has exited, and the other calls BrokenResourceError naming why", async () => {
    const t = await tracker("basic.worker");
    const worker = t.make();
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (msg: unknown, transfer?: never) => {
      if ((msg as { kind?: unknown }).kind === "cancel") throw new Error("cancel refused");
      post(msg, transfer);
    };
    let cancelledCaller: unknown;
    let other: unknown;
    let exitedWhenCancelled: boolean | undefined;
    await run(function* () {
      yield* openWorker<BasicOps>(worker, function* (w) {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            other = yield* caught(w.call("waitForCancel", ["other"]));
          });
          cancelledCaller = yield* caught(
            moveOnAfter(0.2, function* () {
              try {
                yield* w.call("waitForCancel", ["a"]);
              } catch (error) {
                exitedWhenCancelled = t.exited.has(worker);
                throw error;
              }
            }),
          );
        });
      });
    });
    // moveOnAfter took its Cancelled: the caller did not get the post's error.
    expect(cancelledCaller).toBeUndefined();
    expect(exitedWhenCancelled).toBe(true);
    expect(other).toBeInstanceOf(BrokenResourceError);
    expect((other as Error).message).toMatch(/^worker #\d+ was terminated: call "waitForCancel" was cancelled, and the worker could not be told \(its postMessage threw Error: cancel refused\)\.$/);
    expect(((other as Error).cause as Error).message).toBe("cancel refused");
    expect(t.alive).toBe(0);
  });
});

/** A worker_threads Worker dressed as a browser Worker whose events are plain objects, or have a `data` getter that throws. */
class PlainEventWorker implements BrowserWorkerLike {
  private readonly listeners = new Map<string, Set<(event: Event) => void>>();
  readonly thread: Worker;
  /** Set to make the next message event's `data` getter throw. */
  unreadableNext = false;

  constructor(url: URL) {
    this.thread = new Worker(url);
    this.thread.on("message", (data: unknown) => {
      if (this.unreadableNext && (data as { kind?: unknown }).kind === "result") {
        this.unreadableNext = false;
        this.dispatch("message", {
          get data(): unknown {
            throw new Error("data getter");
          },
        });
      } else {
        this.dispatch("message", { data });
      }
    });
    // No preventDefault: a plain object, as a hand-made worker might dispatch.
    this.thread.on("error", (error: Error) => this.dispatch("error", { error, message: error.message }));
  }

  private dispatch(type: string, event: object): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event as Event);
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    this.thread.postMessage(message, transfer as never);
  }

  terminate(): void {
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
}

describe("a browser-shaped worker whose events are not the host's", () => {
  it("an error event without preventDefault still fails the calls in flight (it used to throw into the dispatcher and leave them waiting)", async () => {
    const worker = new PlainEventWorker(await fixtureUrl("basic.worker"));
    let error: unknown;
    await run(function* () {
      yield* openWorker<BasicOps>(worker, function* (w) {
        // The worker crashes 10 ms in; without the error event reaching us the call would wait 2 s.
        yield* moveOnAfter(2, function* () {
          error = yield* caught(w.call("crashSoon", []));
        });
      });
    });
    expect(error).toBeInstanceOf(BrokenResourceError);
    expect((error as Error).message).toMatch(/failed outside any call \(Error: boom outside any call\)/);
  });

  it("a message event whose data cannot be read fails the worker with an error naming it (it used to throw into the dispatcher and leave the call waiting)", async () => {
    const worker = new PlainEventWorker(await fixtureUrl("basic.worker"));
    let error: unknown;
    await run(function* () {
      yield* openWorker<BasicOps>(worker, function* (w) {
        expect(yield* w.call("add", [1, 2])).toBe(3);
        worker.unreadableNext = true;
        yield* moveOnAfter(2, function* () {
          error = yield* caught(w.call("add", [3, 4]));
        });
      });
    });
    expect(error).toBeInstanceOf(BrokenResourceError);
    expect((error as Error).message).toMatch(/^worker #\d+ failed outside any call \(Error: a message event from the worker could not be read \(Error: data getter\)\), so it was terminated\.$/);
    expect(error).not.toBeInstanceOf(Cancelled);
  });
});

/** A worker_threads-shaped worker in this thread: ready at once, exits soon after terminate(), which returns `terminateResult`. */
class FakeNodeWorker {
  readonly threadId = 1;
  private readonly listeners = new Map<string, Set<(...args: never[]) => void>>();
  exited = false;

  constructor(private readonly terminateResult: () => unknown) {}

  on(event: string, listener: (...args: never[]) => void): this {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: (...args: never[]) => void): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  private emit(event: string, value: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (v: unknown) => void)(value);
  }

  postMessage(msg: unknown): void {
    if ((msg as { kind?: unknown }).kind === "hello") queueMicrotask(() => this.emit("message", { trioWorker: 1, kind: "ready", operations: [] }));
  }

  terminate(): unknown {
    setTimeout(() => {
      this.exited = true;
      this.emit("exit", 0);
    }, 1);
    return this.terminateResult();
  }
}

describe("a Node-shaped worker whose terminate() returns a hostile thenable", () => {
  for (const [label, result] of [
    ["whose then getter throws", () => ({ get then(): unknown { throw new Error("then getter"); } })],
    ["whose then() throws", () => ({ then() { throw new Error("then call"); } })],
  ] as const) {
    it(`${label}: the worker was told to stop, so the block ends normally once it has exited (no "terminate() failed", no unhandled rejection)`, async () => {
      const worker = new FakeNodeWorker(result);
      await run(function* () {
        yield* openWorker(worker, function* () {});
      });
      expect(worker.exited).toBe(true);
    });
  }
});

describe("a port whose message event cannot be read", () => {
  /** A port stand-in that dispatches, on demand, a message event whose `data` getter throws. */
  function unreadablePort() {
    const listeners = new Set<(event: unknown) => void>();
    return {
      postMessage() {},
      close() {},
      addEventListener(_type: string, listener: (event: unknown) => void) {
        listeners.add(listener);
      },
      removeEventListener(_type: string, listener: (event: unknown) => void) {
        listeners.delete(listener);
      },
      dispatchUnreadable() {
        const event = {
          get data(): unknown {
            throw new Error("data getter");
          },
        };
        for (const listener of [...listeners]) listener(event);
      },
    };
  }

  it("the receiver's receive raises BrokenResourceError naming it (it used to throw into the host and leave receive waiting)", async () => {
    const port = unreadablePort();
    let error: unknown;
    await run(function* () {
      yield* receiveFromPort(port, function* (channel) {
        setTimeout(() => port.dispatchUnreadable(), 1);
        yield* moveOnAfter(2, function* () {
          error = yield* caught(channel.receive());
        });
      });
    });
    expect(error).toBeInstanceOf(BrokenResourceError);
    expect((error as Error).message).toMatch(/a message from the sender cannot be read \(its message event cannot be read \(Error: data getter\)\)/);
  });

  it("the sender's waiting send raises BrokenResourceError naming it (it used to throw into the host and leave send waiting)", async () => {
    const port = unreadablePort();
    let error: unknown;
    await run(function* () {
      yield* sendToPort(port, function* (channel) {
        setTimeout(() => port.dispatchUnreadable(), 1);
        yield* moveOnAfter(2, function* () {
          error = yield* caught(channel.send(1)); // no credit yet: it waits
        });
      });
    });
    expect(error).toBeInstanceOf(BrokenResourceError);
    expect((error as Error).message).toMatch(/a message from the receiver cannot be read \(its message event cannot be read \(Error: data getter\)\)/);
  });
});

describe("a worker that refuses to drop our listeners once it is done", () => {
  /** Resolves to "returned" when `done` settles, or "hung" after `ms`. */
  function within(done: Promise<unknown>, ms: number): Promise<string> {
    return Promise.race([done.then(() => "returned"), new Promise<string>((resolve) => setTimeout(() => resolve("hung"), ms))]);
  }

  it("Node-shaped, its off() throws: its exit still ends the block (the throw went into the host's exit dispatch, and the block waited forever)", async () => {
    const worker = new FakeNodeWorker(() => undefined);
    const off = worker.off.bind(worker);
    let refused = 0;
    worker.off = (event: string, listener: (...args: never[]) => void) => {
      if (event === "message") {
        refused++;
        throw new Error("off refused");
      }
      return off(event, listener);
    };
    const done = run(function* () {
      yield* openWorker(worker, function* () {});
    });
    expect(await within(done, 1000)).toBe("returned");
    expect(worker.exited).toBe(true);
    expect(refused).toBe(1);
  });

  it("browser-shaped, its removeEventListener throws after terminate() worked: the block ends normally, and the listeners it would drop are gone (the block raised 'its terminate() failed')", async () => {
    const worker = new PlainEventWorker(await fixtureUrl("basic.worker"));
    const remove = worker.removeEventListener.bind(worker);
    worker.removeEventListener = (type: string, listener: (event: Event) => void) => {
      if (type === "message") throw new Error("remove refused");
      remove(type, listener);
    };
    const counts = () => Object.fromEntries(["message", "error", "messageerror"].map((type) => [type, (worker as unknown as { listeners: Map<string, Set<unknown>> }).listeners.get(type)?.size ?? 0]));
    let error: unknown;
    await run(function* () {
      error = yield* caught(openWorker<BasicOps>(worker, function* (w) {
        expect(yield* w.call("add", [1, 2])).toBe(3);
      }));
    });
    expect(error).toBeUndefined();
    expect(counts()).toEqual({ message: 1, error: 0, messageerror: 0 });
    await worker.thread.terminate();
  });
});
