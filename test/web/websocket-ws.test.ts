// openWebSocket over a real connection in Node: Node 20 has no WebSocket of its own, so the
// client is the `ws` package's class passed as `{ WebSocket }` (which also checks that it fits
// WebSocketConstructor), against a `ws` server on a free local port. The real protocol decides
// the close codes here: a terminated TCP connection is 1006, a server close carries its code.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { EndOfChannel, moveOnAfter, run, type Operation } from "../../src/index.js";
import { WebSocketClosedError, openWebSocket, type WebSocketConnection, type WebSocketConstructor } from "../../src/web/index.js";
import { raises } from "./helpers.js";

let server: WebSocketServer;
let url: string;
const serverCloses: Array<{ code: number; reason: string }> = [];

beforeEach(async () => {
  serverCloses.length = 0;
  server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("expected a port");
  url = `ws://127.0.0.1:${address.port}`;
  server.on("connection", (socket, request) => {
    const path = request.url ?? "/";
    socket.on("close", (code, reason) => serverCloses.push({ code, reason: reason.toString() }));
    socket.on("message", (data, isBinary) => {
      const text = data.toString();
      if (path === "/drop") socket.terminate();
      else if (path === "/close") socket.close(4002, `closing after ${text}`);
      else socket.send(data, { binary: isBinary });
    });
  });
});

afterEach(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// Typed as the option is: the ws class must fit it without a cast.
const Ctor: WebSocketConstructor = WebSocket;

function open<R>(path: string, body: (ws: WebSocketConnection) => Operation<R>): Operation<R> {
  return openWebSocket(url + path, { WebSocket: Ctor }, body);
}

async function closesSeen(n: number): Promise<Array<{ code: number; reason: string }>> {
  await expect.poll(() => serverCloses.length).toBe(n);
  return serverCloses;
}

describe("openWebSocket with the ws package in Node", () => {
  it("echoes text and bytes, and closes with 1000 when the block returns", async () => {
    const got = await run(() =>
      open("/echo", function* (ws) {
        yield* ws.send("hello");
        const a = yield* ws.receive();
        yield* ws.send(new Uint8Array([9, 8, 7]));
        const b = yield* ws.receive();
        return [a, b instanceof Uint8Array ? Array.from(b) : b];
      }),
    );
    expect(got).toEqual(["hello", [9, 8, 7]]);
    expect(await closesSeen(1)).toEqual([{ code: 1000, reason: "" }]);
  });

  it("a cancelled block closes the socket: the server sees 1000 \"cancelled\"", async () => {
    await run(() =>
      moveOnAfter(0.2, () =>
        open("/echo", function* (ws) {
          yield* ws.receive();
        }),
      ),
    );
    expect(await closesSeen(1)).toEqual([{ code: 1000, reason: "cancelled" }]);
  });

  it("a dropped TCP connection is WebSocketClosedError 1006, not clean", async () => {
    const e = await run(() =>
      open("/drop", function* (ws) {
        yield* ws.send("x");
        return yield* raises(ws.receive(), WebSocketClosedError);
      }),
    );
    expect([(e as WebSocketClosedError).code, (e as WebSocketClosedError).wasClean]).toEqual([1006, false]);
  });

  it("a server close with an application code carries it; a refused connection fails to open", async () => {
    const e = await run(() =>
      open("/close", function* (ws) {
        yield* ws.send("one");
        return yield* raises(ws.receive(), WebSocketClosedError);
      }),
    );
    expect([(e as WebSocketClosedError).code, (e as WebSocketClosedError).reason, (e as WebSocketClosedError).wasClean]).toEqual([4002, "closing after one", true]);
    const refused = await run(() => raises(openWebSocket("ws://127.0.0.1:1/", { WebSocket: Ctor }, function* () {}), WebSocketClosedError));
    expect(refused.message).toContain("Could not open the WebSocket to ws://127.0.0.1:1/");
    expect((refused as WebSocketClosedError).code).toBe(1006);
  });

  it("a normal close by the server ends the channel", async () => {
    server.on("connection", (socket) => socket.close(1000, "bye"));
    await run(() =>
      open("/quiet", function* (ws) {
        yield* raises(ws.receive(), EndOfChannel);
        expect(ws.closeInfo).toEqual({ code: 1000, reason: "bye", wasClean: true, by: "peer" });
      }),
    );
  });
});
