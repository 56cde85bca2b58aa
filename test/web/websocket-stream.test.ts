// webSocketByteStream: an open WebSocket as a Trio byte Stream, against the WebSocket test double.
// Each sendAll is one binary message; receiveSome hands out received bytes (text as UTF-8), splits
// a message across maxBytes, ends with an empty chunk on a normal close, raises on an abnormal one
// and after our close, and refuses two receivers (or senders) at once.
import { describe, expect, it } from "vitest";
import { BusyResourceError, ClosedResourceError, openNursery, type Operation } from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { WebSocketClosedError, openWebSocket, receiveLines, webSocketByteStream, type WebSocketByteStream } from "../../src/web/index.js";
import { bytes, raises, runMock, text } from "./helpers.js";
import { FakeServer } from "./websocket-fake.js";

function withStream<R>(server: FakeServer, body: (stream: WebSocketByteStream) => Operation<R>): Promise<R> {
  return runMock(() =>
    openWebSocket<R>("ws://example.test/bytes", { WebSocket: server.WebSocket }, function* (ws) {
      return yield* body(webSocketByteStream(ws));
    }),
  );
}

describe("webSocketByteStream", () => {
  it("sendAll sends one binary message per call", async () => {
    const server = new FakeServer();
    await withStream(server, function* (stream) {
      yield* stream.sendAll(bytes("abc"));
      yield* stream.sendAll(bytes("de"));
    });
    expect(server.last.sent.map((m) => text(m as Uint8Array))).toEqual(["abc", "de"]);
  });

  it("receiveSome splits a message over maxBytes, encodes text, and returns empty after a normal close", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.deliver(bytes("hello world"));
      s.deliver("é!");
      s.serverClose(1000);
    };
    const chunks = await withStream(server, function* (stream) {
      const out: string[] = [];
      out.push(text(yield* stream.receiveSome(5)));
      out.push(text(yield* stream.receiveSome(5)));
      out.push(text(yield* stream.receiveSome()));
      out.push(text(yield* stream.receiveSome()));
      out.push(`end ${(yield* stream.receiveSome()).length} ${(yield* stream.receiveSome()).length}`);
      return out;
    });
    expect(chunks).toEqual(["hello", " worl", "d", "é!", "end 0 0"]);
  });

  it("feeds the framing helpers: lines across messages", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.deliver("one\ntw");
      s.deliver(bytes("o\nthree\n"));
      s.serverClose(1000);
    };
    const lines = await withStream(server, function* (stream) {
      const out: string[] = [];
      yield* receiveLines(stream).forEach(function* (line) {
        out.push(line);
      });
      return out;
    });
    expect(lines).toEqual(["one", "two", "three"]);
  });

  it("an abnormal close is WebSocketClosedError; after close() it is ClosedResourceError", async () => {
    const server = new FakeServer();
    await withStream(server, function* (stream) {
      server.last.serverClose(1006, "", false);
      yield* raises(stream.receiveSome(), WebSocketClosedError);
    });
    const second = new FakeServer();
    second.onConnect = (s) => {
      s.accept();
      s.deliver(bytes("abcdef"));
    };
    await withStream(second, function* (stream) {
      expect(text(yield* stream.receiveSome(2))).toBe("ab");
      stream.close();
      yield* raises(stream.receiveSome(), ClosedResourceError);
      yield* raises(stream.sendAll(bytes("x")), ClosedResourceError);
    });
    expect(second.last.closeCalls[0]).toMatchObject({ code: 1000 });
  });

  it("two receivers at once: BusyResourceError; bad input names the fix", async () => {
    const server = new FakeServer();
    await withStream(server, function* (stream) {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* raises(stream.receiveSome(), ClosedResourceError);
        });
        yield* waitAllTasksBlocked();
        yield* raises(stream.receiveSome(), BusyResourceError);
        stream.close();
      });
      yield* raises(stream.sendAll("text" as unknown as Uint8Array), TypeError);
    });
    expect(() => webSocketByteStream({} as never)).toThrow(/needs the connection openWebSocket gives its block/);
  });
});
