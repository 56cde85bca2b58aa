// webLock and openBroadcastChannel. Node has BroadcastChannel, so those tests use the real one;
// Node has no navigator.locks, so webLock runs against a small stand-in LockManager (installed
// per test) that queues requests as the Web Locks standard does: FIFO per name, shared holders
// together, an aborted request leaving the queue, ifAvailable answering null.
import { afterEach, describe, expect, it, vi } from "vitest";
import { CancelScope, ClosedResourceError, RuntimeError, moveOnAfter, openNursery, run, sleep, waitPromise, type Operation } from "../../src/index.js";
import { openBroadcastChannel, webLock, type BroadcastSendChannel } from "../../src/web/index.js";
import { installLocks, runMock, type Mode } from "./helpers.js";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** Lets the lock manager's promise callbacks run. */
function* settle() {
  for (let i = 0; i < 3; i++) yield* waitPromise(new Promise((r) => setImmediate(r)));
}

describe("webLock (navigator.locks is browser-only: a stand-in LockManager here)", () => {
  it("exclusive: the second holder waits until the first body ends; the lock is then released", async () => {
    const locks = installLocks();
    const order: string[] = [];
    await run(function* () {
      yield* openNursery(function* (n) {
        for (const who of ["a", "b"]) {
          n.startSoon(function* () {
            yield* webLock("res", function* (lock) {
              expect(lock).toEqual({ name: "res", mode: "exclusive" });
              order.push(`${who} in`);
              yield* sleep(0.02);
              order.push(`${who} out`);
            });
          });
        }
      });
      yield* settle();
    });
    expect(order).toEqual(["a in", "a out", "b in", "b out"]);
    expect(locks.held.size).toBe(0);
  });

  it("shared holders hold it together", async () => {
    const locks = installLocks();
    let inside = 0;
    let most = 0;
    await run(function* () {
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3; i++) {
          n.startSoon(function* () {
            yield* webLock("res", function* () {
              most = Math.max(most, ++inside);
              yield* sleep(0.02);
              inside--;
            }, { mode: "shared" });
          });
        }
      });
      yield* settle();
    });
    expect(most).toBe(3);
    expect(locks.held.size).toBe(0);
  });

  it("a cancelled waiter leaves the queue; a body cancelled or raising releases the lock", async () => {
    const locks = installLocks();
    await run(function* () {
      const holder = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* holder.run(() => webLock("res", () => sleep(10)));
        });
        yield* settle();
        expect(locks.held.get("res")?.count).toBe(1);
        const waited = yield* moveOnAfter(0.05, () => webLock("res", function* () {
          return "got it";
        }));
        expect(waited).toBeUndefined();
        expect(locks.aborted).toBe(1);
        expect(locks.queue.length).toBe(0);
        holder.cancel();
      });
      yield* settle();
      expect(locks.held.size).toBe(0);
      let caught: unknown;
      try {
        yield* webLock("res", function* () {
          throw new Error("body failed");
        });
      } catch (error) {
        caught = error;
      }
      expect(String(caught)).toMatch(/body failed/);
      yield* settle();
      expect(locks.held.size).toBe(0);
    });
  });

  it("ifAvailable runs the body with null when the lock is taken", async () => {
    installLocks();
    await run(function* () {
      yield* webLock("res", function* () {
        const inner = yield* webLock("res", function* (lock) {
          return lock;
        }, { ifAvailable: true });
        expect(inner).toBeNull();
      });
    });
  });

  it("refuses an unknown mode and bad input, and says when navigator.locks is missing", async () => {
    installLocks();
    const body = function* () {};
    expect(() => webLock("res", body, { mode: "write" as Mode })).toThrow(/"exclusive" or "shared"/);
    expect(() => webLock("", body)).toThrow(/lock name/);
    expect(() => webLock("-reserved", body)).toThrow(/reserved/);
    expect(() => webLock("res", null as never)).toThrow(/needs a body/);
    vi.stubGlobal("navigator", {});
    await runMock(function* () {
      let caught: unknown;
      try {
        yield* webLock("res", body);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RuntimeError);
      expect(String(caught)).toMatch(/navigator.locks/);
    });
  });
});

describe("webLock with a LockManager stand-in whose request returns no Promise", () => {
  /** navigator.locks whose request queues the callback (granted a moment later) but returns `answer`; records what each callback returned. */
  function lateGranter(answer: unknown): Array<Promise<unknown>> {
    const held: Array<Promise<unknown>> = [];
    vi.stubGlobal("navigator", {
      locks: {
        request(name: string, options: { mode: Mode }, callback: (lock: unknown) => Promise<unknown>) {
          setTimeout(() => held.push(callback({ name, mode: options.mode })), 1);
          return answer;
        },
      },
    });
    return held;
  }

  it("a TypeError names webLock and navigator.locks.request (it was the engine's \"catch is not a function\"), and a late grant is released", async () => {
    for (const answer of [undefined, 42, {}]) {
      const held = lateGranter(answer);
      let caught: unknown;
      let ran = false;
      await runMock(function* () {
        try {
          yield* webLock("res", function* () {
            ran = true;
          });
        } catch (error) {
          caught = error;
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(caught).toBeInstanceOf(TypeError);
      expect((caught as Error).message).toMatch(/^webLock\(\): navigator\.locks\.request\(\) returned .*, not a Promise; navigator\.locks must be the platform's LockManager/);
      expect(ran).toBe(false);
      expect(held).toHaveLength(1);
      await held[0]; // released: the Promise the Lock Manager holds the lock by has settled
    }
  });

  it("a stand-in that returns a thenable (not a Promise) works", async () => {
    const locks = installLocks();
    const request = locks.request.bind(locks);
    vi.stubGlobal("navigator", { locks: { request: (...args: Parameters<typeof request>) => ({ then: (a: never, b: never) => request(...args).then(a, b) }) } });
    expect(await runMock(() => webLock("res", function* (lock) {
      return lock?.mode;
    }))).toBe("exclusive");
    expect(locks.held.size).toBe(0);
  });
});

describe("openBroadcastChannel (Node's real BroadcastChannel)", () => {
  it("one side's messages reach the other (not itself), and both channels are closed at the end", async () => {
    const close = vi.spyOn(BroadcastChannel.prototype, "close");
    const got: unknown[] = [];
    await run(function* () {
      yield* openNursery(function* (n) {
        const ready = new CancelScope();
        n.startSoon(function* () {
          yield* openBroadcastChannel<{ n: number }, void>("room", function* (_send, receive) {
            ready.cancel(); // the listener is on: the other side may send
            for (let i = 0; i < 3; i++) got.push(yield* receive.receive());
          });
        });
        yield* ready.run(() => sleep(10));
        yield* openBroadcastChannel<{ n: number }, void>("room", function* (send, receive) {
          for (let i = 0; i < 3; i++) yield* send.send({ n: i });
          const echo = yield* moveOnAfter(0.05, () => receive.receive());
          expect(echo).toBeUndefined(); // a channel does not hear its own messages
        });
      });
    });
    expect(got).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(close).toHaveBeenCalledTimes(2);
  });

  it("the channel closes when the body is cancelled; sending after close is ClosedResourceError", async () => {
    const close = vi.spyOn(BroadcastChannel.prototype, "close");
    let kept!: { sendNowait(m: string): void };
    await runMock(function* () {
      yield* moveOnAfter(1, () =>
        openBroadcastChannel<string, void>("room2", function* (send, receive) {
          kept = send;
          yield* receive.receive();
        }),
      );
    });
    expect(close).toHaveBeenCalledTimes(1);
    expect(() => kept.sendNowait("late")).toThrow(ClosedResourceError);
  });

  it("a BroadcastChannel whose close() throws: raised when the body returned, the body's error otherwise (close's used to replace it); the listener goes either way", async () => {
    const closeError = new Error("close refused");
    const bodyError = new Error("body failed");
    let live = 0;
    class Refusing extends EventTarget {
      constructor(readonly name: string) {
        super();
      }
      override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void {
        live++;
        super.addEventListener(...args);
      }
      override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void {
        live--;
        super.removeEventListener(...args);
      }
      postMessage(): void {
        throw new DOMException("could not be cloned", "DataCloneError");
      }
      close(): void {
        throw closeError;
      }
    }
    vi.stubGlobal("BroadcastChannel", Refusing);
    const outcome = (body: (send: BroadcastSendChannel<unknown>) => Operation<void>) =>
      runMock(function* () {
        try {
          yield* openBroadcastChannel("n", body);
        } catch (error) {
          return error;
        }
        return "nothing raised";
      });
    expect(await outcome(function* () {})).toBe(closeError);
    expect(await outcome(function* () {
      throw bodyError;
    })).toBe(bodyError);
    expect(((await outcome((send) => send.send(() => 1))) as DOMException).name).toBe("DataCloneError");
    expect(live).toBe(0);
  });

  it("refuses bad input", () => {
    expect(() => openBroadcastChannel(5 as never, function* () {})).toThrow(/channel name/);
    expect(() => openBroadcastChannel("x", {} as never)).toThrow(/needs a body/);
    expect(() => openBroadcastChannel("x", { overflow: "spill" as never }, function* () {})).toThrow(/"drop-oldest", "drop-newest" or "block"/);
    expect(() => openBroadcastChannel("x", 3 as never, function* () {})).toThrow(/options object/);
  });
});
