// The asyncio flavour of frames, idle time, fetch and Web Locks: frameFuture, idleFuture,
// hostTurnFuture, fetchFuture and withWebLock. Each is a Future (or a coroutine) whose every
// way of ending withdraws what it asked the host for: the frame or idle callback, the request on
// the wire (the server sees the connection close), the lock request in the queue.
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { asyncio, asyncioRun } from "../../src/index.js";
import { fetchFuture, frameFuture, hostTurnFuture, idleFuture, openEventChannel, withWebLock } from "../../src/web/index.js";
import { fakeCallbacks, httpServer, installLocks } from "./helpers.js";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function caughtName(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return "nothing thrown";
}

describe("frameFuture", () => {
  it("is done with the frame's timestamp; cancel() and waitFor's timeout cancel the frame request", async () => {
    const raf = fakeCallbacks<number>();
    vi.stubGlobal("requestAnimationFrame", raf.request);
    vi.stubGlobal("cancelAnimationFrame", raf.cancel);
    const got = await asyncioRun(
      (function* () {
        const frame = frameFuture();
        asyncio.getRunningLoop().callSoon(() => raf.fireAll(16.5));
        const time = yield* frame;
        const cancelled = frameFuture();
        cancelled.cancel();
        yield* asyncio.sleep(0);
        const afterCancel = raf.pending.size;
        let timeout = "";
        try {
          yield* asyncio.waitFor(frameFuture(), 0.01);
        } catch (error) {
          timeout = (error as Error).name;
        }
        yield* asyncio.sleep(0);
        return { time, afterCancel, timeout, left: raf.pending.size, cancels: raf.cancel.mock.calls.length };
      })(),
    );
    expect(got).toEqual({ time: 16.5, afterCancel: 0, timeout: "TimeoutError", left: 0, cancels: 2 });
  });

  it("a cancelled Task awaiting it cancels the frame request", async () => {
    const raf = fakeCallbacks<number>();
    vi.stubGlobal("requestAnimationFrame", raf.request);
    vi.stubGlobal("cancelAnimationFrame", raf.cancel);
    const left = await asyncioRun(
      (function* () {
        const task = asyncio.createTask(
          (function* () {
            yield* frameFuture();
          })(),
        );
        yield* asyncio.sleep(0);
        expect(raf.pending.size).toBe(1);
        task.cancel();
        yield* asyncio.wait([task]);
        yield* asyncio.sleep(0);
        return raf.pending.size;
      })(),
    );
    expect(left).toBe(0);
  });

  it("without requestAnimationFrame: a RuntimeError naming the alternatives", async () => {
    const message = await asyncioRun(
      (function* () {
        return caughtName(() => frameFuture());
      })(),
    );
    expect(message).toMatch(/^RuntimeError: frameFuture\(\) needs requestAnimationFrame.*hostTurnFuture\(\) or asyncio\.sleep\(\)/);
  });
});

describe("idleFuture", () => {
  it("passes the timeout in milliseconds, is done with the IdleDeadline, and cancel() cancels the callback", async () => {
    const ric = fakeCallbacks<IdleDeadline>();
    vi.stubGlobal("requestIdleCallback", ric.request);
    vi.stubGlobal("cancelIdleCallback", ric.cancel);
    const deadline = { didTimeout: true, timeRemaining: () => 0 };
    const got = await asyncioRun(
      (function* () {
        const idle = idleFuture({ timeout: 0.5 });
        asyncio.getRunningLoop().callSoon(() => ric.fireAll(deadline));
        const seen = yield* idle;
        const cancelled = idleFuture();
        cancelled.cancel();
        yield* asyncio.sleep(0);
        return { same: seen === deadline, options: ric.requests, left: ric.pending.size };
      })(),
    );
    expect(got).toEqual({ same: true, options: [{ timeout: 500 }, undefined], left: 0 });
  });

  it("falls back to a short timer where requestIdleCallback is missing", async () => {
    const remaining = await asyncioRun(
      (function* () {
        const deadline = yield* idleFuture();
        return { didTimeout: deadline.didTimeout, budget: deadline.timeRemaining() };
      })(),
    );
    expect(remaining.didTimeout).toBe(false);
    expect(remaining.budget).toBeGreaterThan(0);
    expect(remaining.budget).toBeLessThanOrEqual(50);
  });

  it("refuses a bad timeout and a loop that is not an EventLoop", async () => {
    const got = await asyncioRun(
      (function* () {
        return [caughtName(() => idleFuture({ timeout: -1 })), caughtName(() => idleFuture({ loop: {} as never })), caughtName(() => hostTurnFuture(null as never))];
      })(),
    );
    expect(got[0]).toMatch(/^TypeError: idleFuture\(options\): timeout is a non-negative number of seconds, got number -1/);
    expect(got[1]).toMatch(/^TypeError: idleFuture\(options\): loop must be an asyncio EventLoop/);
    expect(got[2]).toMatch(/^TypeError: hostTurnFuture\(options\) takes an options object/);
  });
});

describe("hostTurnFuture", () => {
  it("is done after a turn of the host: after the loop's own ready callbacks and after a setImmediate queued before it", async () => {
    const order = await asyncioRun(
      (function* () {
        const seen: string[] = [];
        setImmediate(() => seen.push("immediate"));
        const turn = hostTurnFuture();
        asyncio.getRunningLoop().callSoon(() => seen.push("callSoon"));
        yield* turn;
        seen.push("turn");
        return seen;
      })(),
    );
    expect(order).toEqual(["callSoon", "immediate", "turn"]);
  });

  it("cancel() withdraws the host turn", async () => {
    const clear = vi.spyOn(globalThis, "clearImmediate");
    await asyncioRun(
      (function* () {
        hostTurnFuture().cancel();
        yield* asyncio.sleep(0);
      })(),
    );
    expect(clear).toHaveBeenCalledTimes(1);
  });
});

// ---- fetchFuture, against a real server ----------------------------------------------------

const closes: string[] = [];
let onClose: () => void = () => {};

function routes(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "";
  res.on("close", () => {
    closes.push(url);
    onClose();
  });
  if (url.startsWith("/hang")) return;
  if (url === "/slow-body") {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"partial": ');
    return; // the body never ends
  }
  if (url === "/json") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"id": 42}');
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("nope");
}

/** Resolves when the server has seen `n` connections close in all. */
function closed(n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (closes.length >= n) resolve();
    };
    onClose = check;
    check();
  });
}

const server = httpServer(routes);

describe("fetchFuture", () => {
  it("is done with the Response by default, with the parsed body under read; HTTP errors are responses", async () => {
    const got = await asyncioRun(
      (function* () {
        const response = yield* fetchFuture(`${server.url}/json`);
        const json = yield* fetchFuture(`${server.url}/json`, {}, { read: "json" });
        const text = yield* fetchFuture(`${server.url}/missing`, { method: "POST" }, { read: "text" });
        return { status: response.status, json, text, body: yield* asyncio.wrapPromise(response.json()) };
      })(),
    );
    expect(got).toEqual({ status: 200, json: { id: 42 }, text: "nope", body: { id: 42 } });
  });

  it("waitFor's timeout aborts the request on the wire while the headers are awaited", async () => {
    const before = closes.length;
    const seen = closed(before + 1);
    const name = await asyncioRun(
      (function* () {
        try {
          yield* asyncio.waitFor(fetchFuture(`${server.url}/hang`), 0.05);
        } catch (error) {
          return (error as Error).name;
        }
        return "no timeout";
      })(),
    );
    await seen;
    expect(name).toBe("TimeoutError");
    expect(closes.slice(before)).toEqual(["/hang"]);
  });

  it("with read, cancelling aborts the body's download too", async () => {
    const before = closes.length;
    const seen = closed(before + 1);
    const outcome = await asyncioRun(
      (function* () {
        const future = fetchFuture(`${server.url}/slow-body`, {}, { read: "json" });
        yield* asyncio.sleep(0.1); // the headers are in; the body hangs
        future.cancel();
        try {
          yield* future;
        } catch (error) {
          return (error as Error).name;
        }
        return "not cancelled";
      })(),
    );
    await seen;
    expect(outcome).toBe("CancelledError");
    expect(closes.slice(before)).toEqual(["/slow-body"]);
  });

  it("the loop's end aborts a request nobody awaits", async () => {
    const before = closes.length;
    const seen = closed(before + 1);
    await asyncioRun(
      (function* () {
        fetchFuture(`${server.url}/hang?forgotten`);
        yield* asyncio.sleep(0.05);
      })(),
    );
    await seen;
    expect(closes.slice(before)).toEqual(["/hang?forgotten"]);
  });

  it("an init.signal of your own aborts it too; bad arguments get clear errors", async () => {
    const got = await asyncioRun(
      (function* () {
        const own = new AbortController();
        const future = fetchFuture(`${server.url}/hang?own`, { signal: own.signal });
        yield* asyncio.sleep(0.02);
        own.abort();
        let aborted = "";
        try {
          yield* future;
        } catch (error) {
          aborted = (error as Error).name;
        }
        return {
          aborted,
          read: caughtName(() => fetchFuture(server.url, {}, { read: "xml" as never })),
          signal: caughtName(() => fetchFuture(server.url, { signal: "stop" as never })),
        };
      })(),
    );
    expect(got.aborted).toBe("AbortError");
    expect(got.read).toMatch(/^TypeError: fetchFuture's read option is "response", "json", "text", "arrayBuffer" or "blob", got "xml"/);
    expect(got.signal).toMatch(/^TypeError: fetchFuture\(input, init\): init\.signal must be an AbortSignal/);
  });
});

describe("fetchFuture with a fetch mock", () => {
  it("a body reader that returns no Promise: a TypeError naming fetchFuture and read (it named waitPromise)", async () => {
    vi.stubGlobal("fetch", () => Promise.resolve({ json: () => ({ parsed: "at once" }) }));
    const error = await asyncioRun(
      (function* () {
        try {
          yield* fetchFuture("/api", {}, { read: "json" });
          return "no error";
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      })(),
    );
    expect(error).toMatch(/^TypeError: fetchFuture\(input, init, \{ read: "json" \}\): the response's json\(\) returned an object, not a Promise; a fetch polyfill or mock must resolve to a Response/);
  });
});

describe("withWebLock (a stand-in LockManager: Node has no navigator.locks)", () => {
  it("holds the lock for the coroutine and releases it however it ends", async () => {
    const locks = installLocks();
    const got = await asyncioRun(
      (function* () {
        const seen: string[] = [];
        const value = yield* withWebLock("cache", function* (lock) {
          seen.push(`${lock?.name}:${lock?.mode}:${locks.held.get("cache")?.count}`);
          yield* asyncio.sleep(0);
          return 7;
        });
        yield* asyncio.sleep(0.01);
        seen.push(`after return: ${locks.held.size}`);
        try {
          yield* withWebLock("cache", function* () {
            throw new Error("body failed");
          });
        } catch (error) {
          seen.push((error as Error).message);
        }
        yield* asyncio.sleep(0.01);
        seen.push(`after raise: ${locks.held.size}`);
        return { value, seen };
      })(),
    );
    expect(got).toEqual({ value: 7, seen: ["cache:exclusive:1", "after return: 0", "body failed", "after raise: 0"] });
  });

  it("a cancelled waiter leaves the queue, and the holder's cancellation releases the lock", async () => {
    const locks = installLocks();
    const got = await asyncioRun(
      (function* () {
        const holder = asyncio.createTask(withWebLock("cache", () => asyncio.sleep(3600)));
        yield* asyncio.sleep(0.01);
        const waiter = asyncio.createTask(withWebLock("cache", () => asyncio.sleep(0)));
        yield* asyncio.sleep(0.01);
        const queued = locks.queue.length;
        waiter.cancel();
        yield* asyncio.wait([waiter]);
        yield* asyncio.sleep(0.01);
        const afterWaiter = { queue: locks.queue.length, aborted: locks.aborted, held: locks.held.size };
        holder.cancel();
        yield* asyncio.wait([holder]);
        yield* asyncio.sleep(0.01);
        return { queued, afterWaiter, heldAtEnd: locks.held.size, waiter: waiter.cancelled(), holder: holder.cancelled() };
      })(),
    );
    expect(got).toEqual({ queued: 1, afterWaiter: { queue: 0, aborted: 1, held: 1 }, heldAtEnd: 0, waiter: true, holder: true });
  });

  it("a stand-in request that returns no Promise: a TypeError naming withWebLock (it was the engine's), and its late grant is released (it was held for ever)", async () => {
    const held: Array<Promise<unknown>> = [];
    vi.stubGlobal("navigator", {
      locks: {
        request(name: string, options: { mode: string }, callback: (lock: unknown) => Promise<unknown>) {
          setTimeout(() => held.push(callback({ name, mode: options.mode })), 1);
          return undefined;
        },
      },
    });
    const got = await asyncioRun(
      (function* () {
        let message = "nothing thrown";
        try {
          yield* withWebLock("x", function* () {});
        } catch (error) {
          message = `${(error as Error).name}: ${(error as Error).message}`;
        }
        yield* asyncio.sleep(0.01);
        return message;
      })(),
    );
    expect(got).toMatch(/^TypeError: withWebLock\(\): navigator\.locks\.request\(\) returned undefined, not a Promise/);
    expect(held).toHaveLength(1);
    expect(await Promise.race([held[0]!.then(() => "released"), new Promise((r) => setTimeout(() => r("held"), 50))])).toBe("released");
  });

  it("ifAvailable gives null at once when the lock is taken; bad arguments and a missing navigator.locks get clear errors", async () => {
    installLocks();
    const got = await asyncioRun(
      (function* () {
        const holder = asyncio.createTask(withWebLock("cache", () => asyncio.sleep(3600)));
        yield* asyncio.sleep(0.01);
        const whenTaken = yield* withWebLock("cache", function* (lock) {
          return lock;
        }, { ifAvailable: true });
        holder.cancel();
        yield* asyncio.wait([holder]);
        return {
          whenTaken,
          name: caughtName(() => withWebLock("", function* () {})),
          mode: caughtName(() => withWebLock("x", function* () {}, { mode: "read" as never })),
          body: caughtName(() => withWebLock("x", null as never)),
        };
      })(),
    );
    expect(got.whenTaken).toBeNull();
    expect(got.name).toMatch(/^TypeError: withWebLock\(name, body\) needs a lock name/);
    expect(got.mode).toMatch(/^TypeError: withWebLock's mode must be "exclusive" or "shared", got "read"/);
    expect(got.body).toMatch(/^TypeError: withWebLock\(name, body\) needs a body/);
    vi.stubGlobal("navigator", {});
    const missing = await asyncioRun(
      (function* () {
        try {
          yield* withWebLock("x", function* () {});
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
        return "nothing thrown";
      })(),
    );
    expect(missing).toMatch(/^RuntimeError: withWebLock\(\) needs navigator\.locks.*use an asyncio\.Lock/);
  });
});

describe("options that cannot be read (a revoked Proxy) get a TypeError naming the call", () => {
  function revoked(): never {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy as never;
  }

  it("in the asyncio helpers, the Trio helpers and as a loop or a fetch input", async () => {
    const got = await asyncioRun(
      (function* () {
        return [
          caughtName(() => frameFuture(revoked())),
          caughtName(() => idleFuture(revoked())),
          caughtName(() => fetchFuture(server.url, revoked())),
          caughtName(() => fetchFuture(server.url, {}, revoked())),
          caughtName(() => withWebLock("x", function* () {}, revoked())),
          caughtName(() => openEventChannel(new EventTarget(), "x", revoked(), function* () {})),
          caughtName(() => frameFuture({ loop: revoked() })),
        ];
      })(),
    );
    expect(got[0]).toMatch(/^TypeError: frameFuture\(options\): the options object cannot be read/);
    expect(got[1]).toMatch(/^TypeError: idleFuture\(options\): the options object cannot be read/);
    expect(got[2]).toMatch(/^TypeError: fetchFuture\(input, init\): the options object cannot be read/);
    expect(got[3]).toMatch(/^TypeError: fetchFuture\(input, init, options\): the options object cannot be read/);
    expect(got[4]).toMatch(/^TypeError: withWebLock\(name, body, options\): the options object cannot be read/);
    expect(got[5]).toMatch(/^TypeError: openEventChannel\(target, type, options, body\): the options object cannot be read/);
    expect(got[6]).toMatch(/^TypeError: frameFuture\(options\): loop must be an asyncio EventLoop .*revoked Proxy/);
    // A revoked Proxy as fetch's input: the Future fails with fetch's own TypeError, after the label could not be read.
    const input = await asyncioRun(
      (function* () {
        try {
          yield* fetchFuture(revoked());
        } catch (error) {
          return (error as Error).name;
        }
        return "no error";
      })(),
    );
    expect(input).toBe("TypeError");
  });
});
