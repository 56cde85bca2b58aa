// openWebSocket against a test double (Node 20 has no global WebSocket; see websocket-fake.ts):
// ordering of messages both ways, the wait for open and its cancellation, the socket closed and
// every listener removed on each way out of the block, the peer's close as EndOfChannel or
// WebSocketClosedError, our close, send's backpressure on bufferedAmount, the receive buffer's
// overflow modes, and bad input.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BrokenResourceError,
  ClosedResourceError,
  EndOfChannel,
  RuntimeError,
  WouldBlock,
  currentTime,
  moveOnAfter,
  openNursery,
  sleep,
  type Operation,
} from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { WebSocketClosedError, openWebSocket, type WebSocketConnection, type WebSocketMessage } from "../../src/web/index.js";
import { raises, runMock, text } from "./helpers.js";
import { FakeServer } from "./websocket-fake.js";
import { within } from "../core/helpers.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const URL_ = "ws://example.test/chat";

/** Opens a socket on `server` for the length of `body`. */
function open<R>(server: FakeServer, body: (ws: WebSocketConnection) => Operation<R>, options: Parameters<typeof openWebSocket>[1] = {}): Operation<R> {
  return openWebSocket<R>(URL_, { WebSocket: server.WebSocket, ...options }, body);
}

describe("openWebSocket: opening", () => {
  it("runs the body only once the socket is open, with the URL, protocols and the chosen protocol", async () => {
    const server = new FakeServer();
    const log: string[] = [];
    server.onConnect = (s) => {
      log.push(`connect ${s.url} ${JSON.stringify(s.protocols)}`);
      s.accept("chat.v2");
    };
    await runMock(() =>
      open(
        server,
        function* (ws) {
          log.push(`body ${ws.protocol} ${server.last.readyState}`);
        },
        { protocols: ["chat.v2", "chat.v1"] },
      ),
    );
    expect(log).toEqual([`connect ${URL_} ["chat.v2","chat.v1"]`, "body chat.v2 1"]);
  });

  it("asks for binary messages as ArrayBuffers and hands them over as Uint8Array", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.deliver(new Uint8Array([1, 2, 3]));
      s.deliver("text");
    };
    const got = await runMock(() =>
      open(server, function* (ws) {
        return [yield* ws.receive(), yield* ws.receive()];
      }),
    );
    expect(server.last.binaryType).toBe("arraybuffer");
    expect(got[0]).toBeInstanceOf(Uint8Array);
    expect(Array.from(got[0] as Uint8Array)).toEqual([1, 2, 3]);
    expect(got[1]).toBe("text");
  });

  it("keeps messages that arrive in the same host turn as the open event, before the task resumes", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      for (let i = 0; i < 5; i++) s.deliver(`m${i}`);
    };
    const got = await runMock(() =>
      open(server, function* (ws) {
        const out: WebSocketMessage[] = [];
        for (let i = 0; i < 5; i++) out.push(yield* ws.receive());
        return out;
      }),
    );
    expect(got).toEqual(["m0", "m1", "m2", "m3", "m4"]);
  });

  it("raises WebSocketClosedError with the code when the socket closes while connecting; nothing is left", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => s.refuse();
    let ran = false;
    const error = await runMock(() =>
      raises(
        open(server, function* () {
          ran = true;
        }),
        WebSocketClosedError,
      ),
    );
    expect(ran).toBe(false);
    const e = error as WebSocketClosedError;
    expect(e).toBeInstanceOf(BrokenResourceError);
    expect([e.code, e.reason, e.wasClean, e.url]).toEqual([1006, "", false, URL_]);
    expect(e.message).toContain("Could not open the WebSocket to ws://example.test/chat");
    expect(e.message).toContain("code 1006");
    expect(server.liveListeners).toBe(0);
  });

  it("cancelled while connecting: closes the connecting socket, never runs the body, leaves no listener", async () => {
    const server = new FakeServer();
    server.onConnect = () => {}; // the server never answers
    let ran = false;
    await runMock(function* () {
      yield* moveOnAfter(5, function* () {
        yield* open(server, function* () {
          ran = true;
        });
      });
      expect(currentTime()).toBe(5);
    });
    expect(ran).toBe(false);
    expect(server.sockets).toHaveLength(1);
    expect(server.last.closeCalls).toEqual([{ code: 1000, reason: "cancelled", state: 0 }]);
    expect(server.liveListeners).toBe(0);
  });
});

describe("openWebSocket: the block closes the socket on every way out", () => {
  it("returns the body's value and closes with 1000 and no reason", async () => {
    const server = new FakeServer();
    const value = await runMock(() =>
      open(server, function* (ws) {
        expect(server.last.live).toBe(4);
        yield* ws.send("hi");
        return 42;
      }),
    );
    expect(value).toBe(42);
    expect(server.last.closeCalls).toEqual([{ code: 1000, reason: "", state: 1 }]);
    expect(server.liveListeners).toBe(0);
  });

  it("the body raising: the error goes through, the socket is closed with reason \"error\"", async () => {
    const server = new FakeServer();
    await runMock(() => checkRaises(server, new Error("oops")));
  });

  it("cancelled in the body: the socket is closed with reason \"cancelled\", a blocked receiver is unwound", async () => {
    const server = new FakeServer();
    await runMock(function* () {
      yield* moveOnAfter(3, () =>
        open(server, function* (ws) {
          yield* ws.receive();
        }),
      );
    });
    expect(server.last.closeCalls).toEqual([{ code: 1000, reason: "cancelled", state: 1 }]);
    expect(server.liveListeners).toBe(0);
  });

  it("a connection handed out of its block can no longer be used", async () => {
    const server = new FakeServer();
    await runMock(function* () {
      const ws = yield* open(server, function* (ws) {
        return ws;
      });
      yield* raises(ws.send("late"), ClosedResourceError);
      yield* raises(ws.receive(), ClosedResourceError);
      expect(ws.closed).toBe(true);
      expect(ws.statistics().listening).toBe(false);
    });
    expect(server.last.sent).toEqual([]);
  });
});

function* checkRaises(server: FakeServer, oops: Error): Operation<void> {
  let caught: unknown;
  try {
    yield* open(server, function* () {
      throw oops;
    });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBe(oops);
  expect(server.last.closeCalls).toEqual([{ code: 1000, reason: "error", state: 1 }]);
  expect(server.liveListeners).toBe(0);
}

describe("openWebSocket: sending and receiving", () => {
  it("sends text and bytes in order, copying nothing the caller must keep", async () => {
    const server = new FakeServer();
    await runMock(() =>
      open(server, function* (ws) {
        yield* ws.send("one");
        yield* ws.send(new Uint8Array([7, 8]));
        ws.sendNowait("three");
        yield* ws.send(new Uint16Array([1]).buffer);
        expect(ws.statistics().sent).toBe(4);
      }),
    );
    const sent = server.last.sent;
    expect(sent[0]).toBe("one");
    expect(Array.from(sent[1] as Uint8Array)).toEqual([7, 8]);
    expect(sent[2]).toBe("three");
    expect((sent[3] as Uint8Array).length).toBe(2);
  });

  it("an echo round trip, receiving in a second task while the first sends", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      const send = s.send.bind(s);
      s.send = (data) => {
        send(data);
        queueMicrotask(() => s.deliver(`echo ${String(data)}`));
      };
    };
    const got = await runMock(() =>
      open(server, function* (ws) {
        const out: WebSocketMessage[] = [];
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            for (let i = 0; i < 10; i++) out.push(yield* ws.receive());
          });
          for (let i = 0; i < 10; i++) yield* ws.send(String(i));
        });
        return out;
      }),
    );
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `echo ${i}`));
  });

  it("receiveNowait raises WouldBlock when nothing waits", async () => {
    const server = new FakeServer();
    await runMock(() =>
      open(server, function* (ws) {
        expect(() => ws.receiveNowait()).toThrow(WouldBlock);
        server.last.deliver("x");
        expect(ws.receiveNowait()).toBe("x");
      }),
    );
  });
});

describe("openWebSocket: closes", () => {
  it("a normal close by the server: the messages before it are received, then EndOfChannel; forEach returns", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.deliver("a");
      s.deliver("b");
      s.serverClose(1000, "bye");
    };
    const seen: WebSocketMessage[] = [];
    await runMock(() =>
      open(server, function* (ws) {
        yield* ws.forEach(function* (m) {
          seen.push(m);
        });
        expect(ws.closeInfo).toEqual({ code: 1000, reason: "bye", wasClean: true, by: "peer" });
        const end = yield* raises(ws.receive(), EndOfChannel);
        expect(end.message).toContain('code 1000 (normal closure), reason "bye"');
        expect(yield* ws.receiveOrEnd()).toEqual({ done: true });
        // Sending after the peer closed is a broken resource, not a silent drop.
        yield* raises(ws.send("late"), BrokenResourceError);
      }),
    );
    expect(seen).toEqual(["a", "b"]);
    expect(server.liveListeners).toBe(0);
    // Already closed by the server: the block's end does not close it again.
    expect(server.last.closeCalls).toEqual([]);
  });

  it("an abnormal close wakes a blocked receiver with WebSocketClosedError (code, reason, wasClean); send raises it too", async () => {
    const server = new FakeServer();
    await runMock(() =>
      open(server, function* (ws) {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* waitAllTasksBlocked();
            server.last.serverClose(1011, "boom", false);
          });
          const e = (yield* raises(ws.receive(), WebSocketClosedError)) as WebSocketClosedError;
          expect([e.code, e.reason, e.wasClean]).toEqual([1011, "boom", false]);
          expect(e.message).toContain("code 1011 (internal server error)");
          expect(e.message).toContain("error event");
        });
        yield* raises(ws.send("x"), WebSocketClosedError);
        yield* raises(ws.receive(), WebSocketClosedError);
        expect(yield* raises(ws.receiveOrEnd(), WebSocketClosedError)).toBeInstanceOf(BrokenResourceError);
      }),
    );
    expect(server.liveListeners).toBe(0);
  });

  it("a clean close with an application code is an error too (only 1000 is the normal end)", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.serverClose(4001, "kicked");
    };
    await runMock(() =>
      open(server, function* (ws) {
        const e = (yield* raises(
          ws.forEach(function* () {}),
          WebSocketClosedError,
        )) as WebSocketClosedError;
        expect([e.code, e.reason, e.wasClean]).toEqual([4001, "kicked", true]);
      }),
    );
  });

  it("close(code, reason) on our side: receivers get ClosedResourceError at once; aclose waits for the handshake", async () => {
    const server = new FakeServer();
    server.answerCloses = false;
    await runMock(() =>
      open(server, function* (ws) {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* raises(ws.receive(), ClosedResourceError);
          });
          yield* waitAllTasksBlocked();
          ws.close(4000, "done here");
        });
        expect(server.last.closeCalls).toEqual([{ code: 4000, reason: "done here", state: 1 }]);
        yield* raises(ws.send("x"), ClosedResourceError);
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(2);
            server.last.finishClose(4000, "done here", true);
          });
          const info = yield* ws.aclose();
          expect(currentTime()).toBe(2);
          expect(info).toEqual({ code: 4000, reason: "done here", wasClean: true, by: "us" });
        });
      }),
    );
    expect(server.last.closeCalls).toHaveLength(1); // close() is idempotent, the block does not close again
    expect(server.liveListeners).toBe(0);
  });

  it("aclose is cancellable; the listeners still go with the block", async () => {
    const server = new FakeServer();
    server.answerCloses = false;
    await runMock(() =>
      open(server, function* (ws) {
        yield* moveOnAfter(1, () => ws.aclose());
        expect(ws.closeInfo).toBe(null);
      }),
    );
    expect(server.liveListeners).toBe(0);
  });
});

describe("openWebSocket: backpressure", () => {
  it("send waits while bufferedAmount is above highWaterMark, and sends once it drains", async () => {
    const server = new FakeServer();
    await runMock(() =>
      open(
        server,
        function* (ws) {
          const socket = server.last;
          socket.bufferedAmount = 150;
          yield* openNursery(function* (n) {
            n.startSoon(function* () {
              yield* sleep(1);
              expect(socket.sent).toEqual([]); // still waiting
              socket.bufferedAmount = 100; // at the mark: room
            });
            yield* ws.send("after drain");
            expect(currentTime()).toBeGreaterThanOrEqual(1);
            expect(currentTime()).toBeLessThan(1.2);
          });
          expect(socket.sent).toEqual(["after drain"]);
          // sendNowait ignores the mark.
          socket.bufferedAmount = 10_000;
          ws.sendNowait("now");
          expect(socket.sent).toEqual(["after drain", "now"]);
        },
        { highWaterMark: 100, drainInterval: 0.1 },
      ),
    );
  });

  it("a send cancelled while it waits for room has sent nothing", async () => {
    const server = new FakeServer();
    await runMock(() =>
      open(
        server,
        function* (ws) {
          server.last.bufferedAmount = 1;
          yield* moveOnAfter(0.5, () => ws.send("never"));
          yield* moveOnAfter(0.5, () => ws.waitSendAllMightNotBlock());
          server.last.bufferedAmount = 0;
          yield* ws.waitSendAllMightNotBlock();
        },
        { highWaterMark: 0 },
      ),
    );
    expect(server.last.sent).toEqual([]);
  });

  it("a socket with no numeric bufferedAmount (a minimal stand-in): send goes on (it used to poll for ever)", async () => {
    for (const amount of [undefined, NaN, "lots"]) {
      const server = new FakeServer();
      await within(
        runMock(() =>
          open(server, function* (ws) {
            (server.last as { bufferedAmount: unknown }).bufferedAmount = amount;
            yield* ws.send("sent");
            yield* ws.waitSendAllMightNotBlock();
          }),
        ),
      );
      expect(server.last.sent).toEqual(["sent"]);
    }
  });

  it("maxBuffer with drop-oldest keeps the latest messages and counts the overflow", async () => {
    const server = new FakeServer();
    await runMock(() =>
      open(
        server,
        function* (ws) {
          for (let i = 0; i < 5; i++) server.last.deliver(`m${i}`);
          expect(ws.statistics()).toMatchObject({ buffered: 2, overflowed: 3, received: 5 });
          expect([yield* ws.receive(), yield* ws.receive()]).toEqual(["m3", "m4"]);
        },
        { maxBuffer: 2, overflow: "drop-oldest" },
      ),
    );
  });

  it("drop-newest keeps the first ones; the default keeps everything", async () => {
    const server = new FakeServer();
    const [dropNewest, keepAll] = await runMock(function* () {
      const a = yield* open(
        server,
        function* (ws) {
          for (let i = 0; i < 4; i++) server.last.deliver(`m${i}`);
          return [yield* ws.receive(), yield* ws.receive(), ws.statistics().buffered];
        },
        { maxBuffer: 2, overflow: "drop-newest" },
      );
      const b = yield* open(server, function* (ws) {
        for (let i = 0; i < 4; i++) server.last.deliver(`m${i}`);
        return [ws.statistics().buffered, ws.statistics().overflowed];
      });
      return [a, b];
    });
    expect(dropNewest).toEqual(["m0", "m1", 0]);
    expect(keepAll).toEqual([4, 0]);
  });
});

describe("openWebSocket: bad input", () => {
  const server = new FakeServer();
  const body = function* () {};

  it("names what was wrong", async () => {
    expect(() => openWebSocket(42 as unknown as string, body)).toThrow(/needs a URL/);
    expect(() => openWebSocket(URL_, { WebSocket: server.WebSocket, protocols: [1] as unknown as string[] }, body)).toThrow(/protocols must be a string or an array of strings/);
    expect(() => openWebSocket(URL_, { WebSocket: server.WebSocket, maxBuffer: -1 }, body)).toThrow(RangeError);
    expect(() => openWebSocket(URL_, { WebSocket: server.WebSocket, overflow: "drop" as "block" }, body)).toThrow(/overflow/);
    expect(() => openWebSocket(URL_, { WebSocket: server.WebSocket, highWaterMark: -5 }, body)).toThrow(/highWaterMark/);
    expect(() => openWebSocket(URL_, { WebSocket: server.WebSocket, drainInterval: 0 }, body)).toThrow(/drainInterval/);
    expect(() => openWebSocket(URL_, { WebSocket: server.WebSocket }, undefined as unknown as typeof body)).toThrow(/needs a body/);
    expect(() => openWebSocket(URL_, null as unknown as object, body)).toThrow(/options object/);
    expect(server.sockets).toHaveLength(0);
  });

  it("without a WebSocket class: RuntimeError naming the { WebSocket } option", () => {
    vi.stubGlobal("WebSocket", undefined);
    expect(() => openWebSocket(URL_, body)).toThrow(RuntimeError);
    expect(() => openWebSocket(URL_, body)).toThrow(/openWebSocket\(url, \{ WebSocket \}, body\)/);
  });

  it("a URL the WebSocket class refuses: TypeError with the cause", async () => {
    class Refusing {
      constructor(url: string) {
        throw new SyntaxError(`The URL '${url}' is invalid.`);
      }
    }
    const e = await runMock(() => raises(openWebSocket("nope", { WebSocket: Refusing as unknown as typeof server.WebSocket }, body), TypeError));
    expect(e.message).toContain('new WebSocket("nope") refused it');
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  it("bad messages and close arguments", async () => {
    const s = new FakeServer();
    await runMock(() =>
      open(s, function* (ws) {
        yield* raises(ws.send({ a: 1 } as unknown as string), TypeError);
        expect(() => ws.sendNowait(null as unknown as string)).toThrow(/a string \(a text message\) or bytes/);
        expect(() => ws.close(1001)).toThrow(/1000 \(normal closure\) or an application code from 3000 to 4999/);
        expect(() => ws.close(1000, "x".repeat(124))).toThrow(/at most 123 bytes/);
        expect(() => ws.close(1000, 5 as unknown as string)).toThrow(TypeError);
        expect(ws.closed).toBe(false);
      }),
    );
    expect(s.last.sent).toEqual([]);
  });
});

describe("openWebSocket: bytes", () => {
  it("binary messages decode as the bytes sent", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.deliver(new TextEncoder().encode("héllo"));
    };
    const got = await runMock(() =>
      open(server, function* (ws) {
        return yield* ws.receive();
      }),
    );
    expect(text(got as Uint8Array)).toBe("héllo");
  });
});
