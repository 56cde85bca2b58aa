/**
 * Bad input to trio-asyncio/web, table-driven (see bad-input-table.ts), on
 * the main entry's harness: each row must raise the expected class with a
 * message naming the call and the fix, leave its run with nothing behind,
 * and leave the runtime usable.
 *
 * Then what a table row cannot see: hostile targets (an EventTarget, a
 * stream, a WebSocket whose methods throw) must not lose the error, hang the
 * task or leave a listener or an open socket behind, on every way out
 * including cancellation; a getter that throws on any option raises its
 * own error; and option objects without a prototype work.
 */
import { describe, expect, it } from "vitest";
import { aioAsTrio, asyncio, currentRun, moveOnAfter, openLoop, runWith, type Operation, type Runner } from "../../src/index.js";
import * as web from "../../src/web/index.js";
import {
  eventFuture,
  idleFuture,
  openEventChannel,
  openReconnectingWebSocket,
  openWebSocket,
  receiveChannelFromReadable,
  receiveLines,
  receiveStreamFromReadable,
  sendChannelFromWritable,
  sendStreamFromWritable,
  readableFromReceiveStream,
  StreamReader,
  waitEvent,
  waitIdle,
  webLock,
  openBroadcastChannel,
  WebSocketClosedError,
  type WebSocketConstructor,
} from "../../src/web/index.js";
import { MockClock } from "../../src/testing/index.js";
import { expectNothingLeft, expectUsable, provoke, unwrap, type Case } from "../bad-input/harness.js";
import { bad, cases, skipped, throwingGetters } from "./bad-input-table.js";
import { CountingTarget } from "./helpers.js";
import { FakeServer, type FakeWebSocket } from "./websocket-fake.js";
import { expectEveryExportCovered } from "../bad-input/coverage.js";
import { ENGINE_WORDS } from "../bad-input/hostile.js";
import { within } from "../core/helpers.js";

describe("coverage of trio-asyncio/web", () => {
  it("every value export of src/web/index.ts is in the table, or skipped with a reason", () => {
    expectEveryExportCovered(Object.keys(web), cases, skipped);
  });
});

async function check(c: Case): Promise<void> {
  const error = await provoke(c);
  expect(error, `${c.label}: ${String(error)}`).toBeInstanceOf(c.error);
  expect((error as Error).message).toMatch(c.message);
  // Never the engine's words for a value it could not handle.
  // (A message may quote the engine's as the cause, after naming the call.)
  expect((error as Error).message).not.toMatch(ENGINE_WORDS);
}

describe("bad inputs to trio-asyncio/web give clear errors, and leave nothing behind", () => {
  for (const c of cases) {
    it(`${c.covers[0]}: ${c.label} (${c.where})`, async () => {
      await check(c);
    });
  }
  it("afterwards the runtime is usable", async () => {
    await expectUsable();
  });
});

/** Runs `main` on an autojumping MockClock; returns what it raised (unwrapped) or returned, and checks the run left nothing. */
async function outcome(main: () => Operation<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  let runner: Runner | null = null;
  try {
    const value = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      runner = currentRun();
      return yield* main();
    });
    return { value };
  } catch (error) {
    return { error: unwrap(error) };
  } finally {
    if (runner !== null) expectNothingLeft(runner);
  }
}

/** A CountingTarget whose add/removeEventListener throw `boom` once told to. */
class HostileTarget extends CountingTarget {
  failAdd = false;
  failRemove = false;
  constructor(readonly boom: Error) {
    super();
  }
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    if (this.failAdd) throw this.boom;
    super.addEventListener(type, listener, options);
  }
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    if (this.failRemove) throw this.boom;
    super.removeEventListener(type, listener, options);
  }
}

/** Dispatches `type` on `target` from a host timer, after the task has started waiting. */
function fireLater(target: EventTarget, type: string, before: () => void = () => {}): void {
  setTimeout(() => {
    before();
    target.dispatchEvent(new Event(type));
  }, 1);
}

describe("hostile event targets", () => {
  it("waitEvent: addEventListener throws: its error is raised, nothing is added", async () => {
    const t = new HostileTarget(new Error("add refused"));
    t.failAdd = true;
    const r = await outcome(() => waitEvent(t, "x"));
    expect(r.error).toBe(t.boom);
    expect(t.live).toBe(0);
  });

  it("waitEvent: removeEventListener throws when the event comes: the task raises it (it used to wait forever)", async () => {
    const t = new HostileTarget(new Error("remove refused"));
    fireLater(t, "x", () => (t.failRemove = true));
    const r = await outcome(() => waitEvent(t, "x"));
    expect(r.error).toBe(t.boom);
    // The target refused the removal; later events are ignored all the same.
    t.dispatchEvent(new Event("x"));
    await expectUsable();
  });

  it("waitEvent: a filter error wins over a removeEventListener error", async () => {
    const t = new HostileTarget(new Error("remove refused"));
    const filterError = new Error("filter failed");
    fireLater(t, "x", () => (t.failRemove = true));
    const r = await outcome(() =>
      waitEvent(t, "x", {
        filter: () => {
          throw filterError;
        },
      }),
    );
    expect(r.error).toBe(filterError);
  });

  it("waitEvent: cancelled while removeEventListener throws: the error is raised, the run ends", async () => {
    const t = new HostileTarget(new Error("remove refused"));
    t.failRemove = true;
    const r = await outcome(() => moveOnAfter(1, () => waitEvent(t, "x")));
    expect(r.error).toBe(t.boom);
    await expectUsable();
  });

  it("waitEvent: cancelled mid-wait on a well-behaved target: the listener goes", async () => {
    const t = new CountingTarget();
    const r = await outcome(() => moveOnAfter(1, () => waitEvent(t, "x")));
    expect(r).toEqual({ value: undefined });
    expect(t.live).toBe(0);
  });

  it("openEventChannel: removeEventListener throws at the block's end: raised when the body returned, the body's error otherwise, Cancelled still reaches its scope", async () => {
    const t = new HostileTarget(new Error("remove refused"));
    const bodyError = new Error("body failed");
    const returned = await outcome(() =>
      openEventChannel(t, "x", function* () {
        t.failRemove = true;
        return 1;
      }),
    );
    expect(returned.error).toBe(t.boom);
    t.failRemove = false;
    const raised = await outcome(() =>
      openEventChannel(t, "x", function* () {
        t.failRemove = true;
        throw bodyError;
      }),
    );
    expect(raised.error).toBe(bodyError);
    t.failRemove = false;
    const cancelled = await outcome(() =>
      moveOnAfter(1, function* () {
        yield* openEventChannel(t, "x", function* (events) {
          t.failRemove = true;
          yield* events.receive();
        });
        return "not cancelled";
      }),
    );
    expect(cancelled).toEqual({ value: undefined });
    await expectUsable();
  });

  it("openEventChannel: addEventListener throws: raised, nothing added", async () => {
    const t = new HostileTarget(new Error("add refused"));
    t.failAdd = true;
    const r = await outcome(() => openEventChannel(t, "x", function* () {}));
    expect(r.error).toBe(t.boom);
    expect(t.live).toBe(0);
  });

  it("addEventListener adds the listener, then throws: waitEvent, openEventChannel and eventFuture raise its error and take the listener off (it stayed, and fed a channel no one read)", async () => {
    const boom = new Error("added, then refused");
    class AddsThenThrows extends CountingTarget {
      override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
        super.addEventListener(type, listener, options);
        throw boom;
      }
    }
    const ops: [string, (t: EventTarget) => Operation<unknown>][] = [
      ["waitEvent", (t) => waitEvent(t, "x")],
      ["openEventChannel", (t) => openEventChannel(t, "x", function* () {})],
      [
        "eventFuture",
        (t) =>
          aioAsTrio(function* (): asyncio.Coroutine<unknown> {
            return yield* eventFuture(t, "x");
          })(),
      ],
    ];
    for (const [name, op] of ops) {
      const t = new AddsThenThrows();
      const r = await outcome(() => (name === "eventFuture" ? openLoop(() => op(t)) : op(t)));
      expect(r.error, name).toBe(boom);
      expect(t.live, name).toBe(0);
    }
  });

  it("eventFuture: a filter that throws a value with no prototype or a revoked Proxy fails the Future (it used to hang)", async () => {
    for (const thrown of [Object.create(null) as object, revokedProxy()]) {
      const t = new CountingTarget();
      fireLater(t, "x");
      const r = await outcome(() =>
        openLoop(() =>
          aioAsTrio(function* (): asyncio.Coroutine<unknown> {
            return yield* eventFuture(t, "x", {
              filter: () => {
                throw thrown;
              },
            });
          })(),
        ),
      );
      expect(r.error).toBeInstanceOf(TypeError);
      expect((r.error as Error).message).toMatch(/eventFuture's filter threw (an object with no prototype|an object that cannot be inspected)/);
      expect(t.live).toBe(0);
    }
  });
});

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

describe("hostile streams", () => {
  const boom = new Error("no reader for you");
  const cases: [string, () => unknown, RegExp][] = [
    ["receiveStreamFromReadable", () => receiveStreamFromReadable(Object.assign(new ReadableStream(), { getReader: () => { throw boom; } })), /receiveStreamFromReadable\(readable\): the stream's getReader\(\) failed \(no reader for you\); pass a stream whose getReader\(\) works/],
    ["receiveChannelFromReadable", () => receiveChannelFromReadable(Object.assign(new ReadableStream(), { getReader: () => { throw boom; } })), /receiveChannelFromReadable\(readable\): the stream's getReader\(\) failed/],
    ["sendStreamFromWritable", () => sendStreamFromWritable(Object.assign(new WritableStream(), { getWriter: () => { throw boom; } })), /sendStreamFromWritable\(writable\): the stream's getWriter\(\) failed/],
    ["sendChannelFromWritable", () => sendChannelFromWritable(Object.assign(new WritableStream(), { getWriter: () => { throw boom; } })), /sendChannelFromWritable\(writable\): the stream's getWriter\(\) failed/],
  ];
  for (const [name, act, message] of cases) {
    it(`${name}: a stream whose lock method throws gives a TypeError naming the call, with the stream's error as cause`, () => {
      let error: unknown;
      try {
        act();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).cause).toBe(boom);
    });
  }
});

describe("stream-likes whose reader or writer methods return no Promise", () => {
  const chunk = new Uint8Array([1]);
  const reader = (value: unknown) => ({ read: () => Promise.resolve({ done: false, value }), cancel: () => 42, releaseLock() {} });
  const writer = { desiredSize: 1, ready: Promise.resolve(), write: () => undefined, close: () => 42, abort: () => null, releaseLock() {} };
  const readable = (value: unknown) => bad({ locked: false, getReader: () => reader(value) });
  const writable = () => bad({ locked: false, getWriter: () => writer });
  it("close, abort and sends go on (they threw the engine's \"catch is not a function\")", async () => {
    const r = await outcome(function* () {
      const bytesIn = receiveStreamFromReadable(readable(chunk));
      expect(yield* bytesIn.receiveSome()).toEqual(chunk);
      bytesIn.close();
      const valuesIn = receiveChannelFromReadable(readable("v"));
      expect(yield* valuesIn.receive()).toBe("v");
      valuesIn.close();
      const bytesOut = sendStreamFromWritable(writable());
      yield* bytesOut.sendAll(chunk);
      bytesOut.close();
      const valuesOut = sendChannelFromWritable(writable());
      yield* valuesOut.send("v");
      valuesOut.sendNowait("w");
      valuesOut.close();
      sendChannelFromWritable(writable()).abort();
      return "done";
    });
    expect(r).toEqual({ value: "done" });
  });
});

/** A FakeServer whose sockets are changed by `patch` (a method that throws...). */
function hostileServer(patch: (socket: FakeWebSocket) => void): FakeServer {
  const server = new FakeServer();
  const Base = server.WebSocket;
  // Patched in the constructor, so the first listener already meets it.
  (server as { WebSocket: unknown }).WebSocket = class extends Base {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      patch(this);
    }
  };
  return server;
}

describe("hostile WebSockets", () => {
  it("addEventListener throws on the third listener: TypeError naming openWebSocket; the two added go and the socket is closed", async () => {
    const boom = new Error("listener refused");
    const server = hostileServer((socket) => {
      let n = 0;
      const add = socket.addEventListener.bind(socket);
      socket.addEventListener = (...args: Parameters<FakeWebSocket["addEventListener"]>) => {
        if (++n === 3) throw boom;
        add(...args);
      };
    });
    const r = await outcome(() => openWebSocket("ws://x", { WebSocket: server.WebSocket }, function* () {}));
    expect(r.error).toBeInstanceOf(TypeError);
    expect((r.error as Error).message).toMatch(/openWebSocket\(url\): the socket could not be set up \(listener refused\), so it was closed\. Pass a WebSocket class/);
    expect((r.error as Error).cause).toBe(boom);
    expect(server.liveListeners).toBe(0);
    expect(server.last.closeCalls.length).toBe(1);
  });

  it("addEventListener adds the listener, then throws: TypeError naming openWebSocket; that listener goes too (it stayed) and the socket is closed", async () => {
    const boom = new Error("added, then refused");
    const server = hostileServer((socket) => {
      let n = 0;
      const add = socket.addEventListener.bind(socket);
      socket.addEventListener = (...args: Parameters<FakeWebSocket["addEventListener"]>) => {
        add(...args);
        if (++n === 2) throw boom;
      };
    });
    const r = await outcome(() => openWebSocket("ws://x", { WebSocket: server.WebSocket }, function* () {}));
    expect((r.error as Error).cause).toBe(boom);
    expect(server.liveListeners).toBe(0);
    expect(server.last.closeCalls.length).toBe(1);
  });

  it("a WebSocket class that makes no socket: TypeError naming openWebSocket", async () => {
    const r = await outcome(() => openWebSocket("ws://x", { WebSocket: bad(function NotASocket() {}) as WebSocketConstructor }, function* () {}));
    expect(r.error).toBeInstanceOf(TypeError);
    expect((r.error as Error).message).toMatch(/openWebSocket\(url\): the WebSocket class made a NotASocket, without addEventListener, removeEventListener, send and close\. Pass a WebSocket class/);
  });

  it("the WebSocket option is not a class: TypeError (it used to say the global WebSocket was missing)", async () => {
    for (const v of [42, "ws", null, Symbol("w"), revokedProxy()]) {
      const r = await outcome(() => openWebSocket("ws://x", { WebSocket: bad(v) }, function* () {}));
      expect(r.error).toBeInstanceOf(TypeError);
      expect((r.error as Error).message).toMatch(/openWebSocket's WebSocket option must be a WebSocket class \(or left out for the global one\), got/);
    }
  });

  it("send throws: its error is raised; the socket is closed and its listeners removed", async () => {
    const boom = new Error("send refused");
    const server = hostileServer((socket) => {
      socket.send = () => {
        throw boom;
      };
    });
    const r = await outcome(() => openWebSocket("ws://x", { WebSocket: server.WebSocket }, (ws) => ws.send("hi")));
    expect(r.error).toBe(boom);
    expect(server.liveListeners).toBe(0);
    expect(server.last.readyState).toBe(3);
  });

  it("close throws at the block's end: raised when the body returned, the body's error otherwise; the listeners go either way", async () => {
    const boom = new Error("close refused");
    const bodyError = new Error("body failed");
    const server = hostileServer((socket) => {
      socket.close = () => {
        throw boom;
      };
    });
    const returned = await outcome(() => openWebSocket("ws://x", { WebSocket: server.WebSocket }, function* () {}));
    expect(returned.error).toBe(boom);
    expect(server.liveListeners).toBe(0);
    const raised = await outcome(() =>
      openWebSocket("ws://x", { WebSocket: server.WebSocket }, function* () {
        throw bodyError;
      }),
    );
    expect(raised.error).toBe(bodyError);
    expect(server.liveListeners).toBe(0);
    const cancelled = await outcome(() =>
      moveOnAfter(1, function* () {
        yield* openWebSocket("ws://x", { WebSocket: server.WebSocket }, (ws) => ws.receive());
        return "not cancelled";
      }),
    );
    expect(cancelled).toEqual({ value: undefined });
    expect(server.liveListeners).toBe(0);
    await expectUsable();
  });

  it("the peer closes while removeEventListener throws: receive raises the close (it used to hang, the error lost in the dispatch); the other listeners go; the error is raised at the block's end", async () => {
    const boom = new Error("remove refused");
    const server = hostileServer((socket) => {
      const remove = socket.removeEventListener.bind(socket);
      socket.removeEventListener = (...args: Parameters<FakeWebSocket["removeEventListener"]>) => {
        if (args[0] === "open") throw boom;
        remove(...args);
      };
    });
    const closeAfter = (code: number) => setTimeout(() => server.last.serverClose(code, "bye"), 1);
    const abnormal = await within(outcome(() => openWebSocket("ws://x", { WebSocket: server.WebSocket }, (ws) => (closeAfter(1011), ws.receive()))));
    expect(abnormal.error).toBeInstanceOf(WebSocketClosedError);
    expect((abnormal.error as WebSocketClosedError).code).toBe(1011);
    // Only the listener whose removal threw is left.
    expect(server.liveListeners).toBe(1);
    const normal = await within(
      outcome(() =>
        openWebSocket("ws://x", { WebSocket: server.WebSocket }, function* (ws) {
          closeAfter(1000);
          return yield* ws.receiveOrEnd();
        }),
      ),
    );
    expect(normal.error).toBe(boom);
    expect(server.liveListeners).toBe(2);
  });

  it("cancelled while connecting, and while receiving: the socket is closed, no listener is left", async () => {
    const server = new FakeServer();
    server.onConnect = () => {};
    expect(await outcome(() => moveOnAfter(1, () => openWebSocket("ws://x", { WebSocket: server.WebSocket }, function* () {})))).toEqual({ value: undefined });
    expect(server.liveListeners).toBe(0);
    expect(server.last.readyState).toBe(3);
    const open = new FakeServer();
    expect(await outcome(() => moveOnAfter(1, () => openWebSocket("ws://x", { WebSocket: open.WebSocket }, (ws) => ws.receive())))).toEqual({ value: undefined });
    expect(open.liveListeners).toBe(0);
    expect(open.last.readyState).toBe(3);
  });
});

describe("a getter that throws, on any option, raises its own error and leaves nothing", () => {
  const fake = new FakeServer();
  const gen = function* (): Operation<void> {};
  const calls: [string, readonly string[], (options: object) => unknown][] = [
    ["waitEvent", ["filter", "passive", "capture"], (o) => waitEvent(new EventTarget(), "x", bad(o))],
    ["openEventChannel", ["maxBuffer", "overflow", "passive", "capture"], (o) => openEventChannel(new EventTarget(), "x", bad(o), gen)],
    ["waitIdle", ["timeout"], (o) => waitIdle(bad(o))],
    ["sendStreamFromWritable", ["copy"], (o) => sendStreamFromWritable(new WritableStream(), bad(o))],
    ["readableFromReceiveStream", ["chunkSize"], (o) => readableFromReceiveStream(receiveStreamFromReadable(new ReadableStream()), bad(o), gen)],
    ["receiveLines", ["maxLineLength", "encoding"], (o) => receiveLines(receiveStreamFromReadable(new ReadableStream()), bad(o))],
    ["webLock", ["mode"], (o) => webLock("l", gen, bad(o))],
    ["openBroadcastChannel", ["maxBuffer", "overflow"], (o) => openBroadcastChannel("n", bad(o), gen)],
    ["openWebSocket", ["protocols", "maxBuffer", "overflow", "highWaterMark", "drainInterval", "WebSocket"], (o) => openWebSocket("ws://x", bad(o), gen)],
    ["openReconnectingWebSocket", ["initialDelay", "factor", "maxDelay", "jitter", "maxAttempts", "stableAfter", "onRetry", "random", "WebSocket"], (o) => openReconnectingWebSocket("ws://x", bad(o), gen)],
  ];
  for (const [name, keys, call] of calls) {
    it(`${name}: ${keys.join(", ")}`, async () => {
      for (const key of keys) {
        const boom = new Error(`the ${key} getter`);
        const options = Object.assign(throwingGetters([key], boom), key === "WebSocket" ? {} : { WebSocket: fake.WebSocket });
        const r = await outcome(function* () {
          const op = call(options);
          if (op !== null && typeof op === "object" && "next" in op) yield* op as Operation<unknown>;
        });
        expect(r.error, key).toBe(boom);
      }
    });
  }
  it("asyncio flavour: StreamReader, eventFuture, idleFuture", async () => {
    const made: [string, (o: object) => unknown][] = [
      ["limit", (o) => new StreamReader(bad(o))],
      ["loop", (o) => new StreamReader(bad(o))],
      ["filter", (o) => eventFuture(new EventTarget(), "x", bad(o))],
      ["timeout", (o) => idleFuture(bad(o))],
    ];
    for (const [key, make] of made) {
      const boom = new Error(`the ${key} getter`);
      const r = await outcome(() =>
        openLoop(() =>
          aioAsTrio(function* (): asyncio.Coroutine<void> {
            make(throwingGetters([key], boom));
          })(),
        ),
      );
      expect(r.error, key).toBe(boom);
    }
  });
});

describe("option objects without a prototype work", () => {
  const opts = <T extends object>(fields: T): T => Object.assign(Object.create(null) as T, fields);

  it("waitEvent, openEventChannel, waitIdle, receiveLines, sendStreamFromWritable", async () => {
    const t = new CountingTarget();
    const r = await outcome(function* () {
      fireLater(t, "x");
      const event = yield* waitEvent(t, "x", opts({ filter: () => true, passive: true }));
      const none = yield* openEventChannel(t, "x", opts({ maxBuffer: 1, overflow: "drop-oldest" as const }), function* (events) {
        return events.statistics().maxBuffer;
      });
      const idle = yield* waitIdle(opts({ timeout: 1 }));
      const stream = receiveStreamFromReadable(new ReadableStream());
      receiveLines(stream, opts({ maxLineLength: 10, encoding: "utf-8" }));
      sendStreamFromWritable(new WritableStream(), opts({ copy: false })).close();
      stream.close();
      return [event.type, none, typeof idle.timeRemaining];
    });
    expect(r).toEqual({ value: ["x", 1, "function"] });
    expect(t.live).toBe(0);
  });

  it("openWebSocket and openReconnectingWebSocket", async () => {
    const server = new FakeServer();
    const r = await outcome(function* () {
      const a = yield* openWebSocket("ws://x", opts({ WebSocket: server.WebSocket, highWaterMark: 10 }), function* (ws) {
        return ws.url;
      });
      const b = yield* openReconnectingWebSocket("ws://y", opts({ WebSocket: server.WebSocket, maxAttempts: 2 }), function* (ws, attempt) {
        return `${ws.url} ${attempt.connection}`;
      });
      return [a, b];
    });
    expect(r).toEqual({ value: ["ws://x", "ws://y 1"] });
    expect(server.liveListeners).toBe(0);
  });

  it("StreamReader and eventFuture", async () => {
    const t = new CountingTarget();
    const r = await outcome(() =>
      openLoop(() =>
        aioAsTrio(function* (): asyncio.Coroutine<unknown> {
          const reader = new StreamReader(opts({ limit: 16 }));
          reader.feedData(new TextEncoder().encode("hi\n"));
          const line = yield* reader.readline();
          fireLater(t, "x");
          const event = yield* eventFuture(t, "x", opts({ filter: () => true }));
          return [reader.limit, line.length, event.type];
        })(),
      ),
    );
    expect(r).toEqual({ value: [16, 3, "x"] });
    expect(t.live).toBe(0);
  });

  it("options passed as undefined before the body mean no options (it used to read undefined.maxBuffer)", async () => {
    const server = new FakeServer();
    const r = await outcome(function* () {
      const a = yield* openEventChannel(new EventTarget(), "x", bad(undefined), function* () {
        return "channel";
      });
      const b = yield* readableFromReceiveStream(receiveStreamFromReadable(new ReadableStream()), bad(undefined), function* () {
        return "readable";
      });
      // No global WebSocket in Node 20: the error proves the options were read as none.
      let c = "";
      try {
        yield* openWebSocket("ws://x", bad(undefined), function* () {});
      } catch (error) {
        c = (error as Error).message.slice(0, 40);
      }
      let d = "";
      try {
        yield* openReconnectingWebSocket("ws://x", bad(undefined), function* () {});
      } catch (error) {
        d = (error as Error).message.slice(0, 52);
      }
      return [a, b, c, d, server.sockets.length];
    });
    // Each names the call the user wrote (the reconnecting socket used to say openWebSocket).
    expect(r).toEqual({ value: ["channel", "readable", "openWebSocket() needs a WebSocket class:", "openReconnectingWebSocket() needs a WebSocket class:", 0] });
  });
});
