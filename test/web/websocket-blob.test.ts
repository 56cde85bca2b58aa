// A WebSocket (or stand-in) that ignores binaryType = "arraybuffer" and delivers Blobs: openWebSocket
// reads each Blob's bytes and hands them over as a Uint8Array, in the order the messages came (the
// ones after a Blob, and the close, wait for it); data that is neither text, bytes nor a Blob is an
// error naming the cause, raised after the messages before it; a block that ends while a Blob is
// being read leaves nothing behind. webSocketByteStream used to drop such messages silently.
import { describe, expect, it } from "vitest";
import { EndOfChannel, moveOnAfter, type Operation } from "../../src/index.js";
import { openWebSocket, receiveLines, webSocketByteStream, type WebSocketConnection, type WebSocketMessage } from "../../src/web/index.js";
import { raises, runMock, text } from "./helpers.js";
import { FakeServer, type FakeWebSocket } from "./websocket-fake.js";

const URL_ = "ws://example.test/blobs";

function open<R>(server: FakeServer, body: (ws: WebSocketConnection) => Operation<R>): Promise<R> {
  return runMock(() => openWebSocket<R>(URL_, { WebSocket: server.WebSocket }, body));
}

/** A message event carrying `data` as it is, as a socket that ignores binaryType sends it. */
function deliverRaw(socket: FakeWebSocket, data: unknown): void {
  socket.dispatchEvent(new MessageEvent("message", { data }));
}

const shown = (m: WebSocketMessage) => (typeof m === "string" ? m : `bytes ${text(m)}`);

describe("openWebSocket: a socket that delivers Blobs", () => {
  it("hands each Blob over as bytes, in order with the other messages; the close waits for them", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      deliverRaw(s, "a");
      deliverRaw(s, new Blob(["bc"]));
      deliverRaw(s, "d");
      deliverRaw(s, new Blob(["é"]));
      s.deliver(new TextEncoder().encode("f"));
      s.serverClose(1000, "bye");
    };
    const seen: string[] = [];
    await open(server, function* (ws) {
      yield* ws.forEach(function* (m) {
        expect(typeof m === "string" || m instanceof Uint8Array).toBe(true);
        seen.push(shown(m));
      });
      yield* raises(ws.receive(), EndOfChannel);
      expect(ws.statistics().received).toBe(5);
    });
    expect(seen).toEqual(["a", "bytes bc", "d", "bytes é", "bytes f"]);
    expect(server.liveListeners).toBe(0);
  });

  it("webSocketByteStream takes the Blobs' bytes instead of dropping them", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      deliverRaw(s, new Blob(["one\ntw"]));
      deliverRaw(s, "o\n");
      deliverRaw(s, new Blob(["three\n"]));
      s.serverClose(1000);
    };
    const lines = await open(server, function* (ws) {
      const out: string[] = [];
      yield* receiveLines(webSocketByteStream(ws)).forEach(function* (line) {
        out.push(line);
      });
      return out;
    });
    expect(lines).toEqual(["one", "two", "three"]);
  });

  it("data that is neither text, bytes nor a Blob: a TypeError naming binaryType, after the messages before it", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      deliverRaw(s, "first");
      deliverRaw(s, { not: "bytes" });
      deliverRaw(s, "after");
    };
    await open(server, function* (ws) {
      expect(yield* ws.receive()).toBe("first");
      const error = yield* raises(ws.receive(), TypeError);
      expect(error.message).toMatch(/The WebSocket to ws:\/\/example\.test\/blobs delivered a message that is neither text nor bytes \(an object\): its socket ignored binaryType = "arraybuffer"/);
      // It stays raised: the connection cannot be trusted to be in step any more.
      yield* raises(ws.receive(), TypeError);
    });
    expect(server.liveListeners).toBe(0);
  });

  it("a Blob that cannot be read: a TypeError with the read's error as cause", async () => {
    const server = new FakeServer();
    const failure = new Error("disk gone");
    const broken = Object.assign(new Blob(["x"]), { arrayBuffer: () => Promise.reject(failure) });
    server.onConnect = (s) => {
      s.accept();
      deliverRaw(s, broken);
    };
    await open(server, function* (ws) {
      const error = yield* raises(ws.receive(), TypeError);
      expect(error.message).toMatch(/delivered a Blob whose bytes could not be read \(disk gone\)/);
      expect(error.cause).toBe(failure);
    });
  });

  it("the block ending while a Blob is read: nothing is left, and the late bytes go nowhere", async () => {
    const server = new FakeServer();
    let finish: (b: ArrayBuffer) => void = () => {};
    const slow = Object.assign(new Blob(["late"]), { arrayBuffer: () => new Promise<ArrayBuffer>((resolve) => (finish = resolve)) });
    server.onConnect = (s) => {
      s.accept();
      deliverRaw(s, slow);
      deliverRaw(s, "behind it");
    };
    let handle: WebSocketConnection | null = null;
    await open(server, function* (ws) {
      handle = ws;
      yield* moveOnAfter(1, () => ws.receive());
    });
    expect(server.liveListeners).toBe(0);
    expect(server.last.closeCalls).toEqual([{ code: 1000, reason: "", state: 1 }]);
    finish(new TextEncoder().encode("late").buffer);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(handle!.statistics().buffered).toBe(0);
  });
});
