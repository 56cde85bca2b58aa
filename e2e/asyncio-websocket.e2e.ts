// The asyncio flavour of the WebSocket (openWebSocketStreams: StreamReader/StreamWriter) in
// Chromium with the real WebSocket, against the dev server's endpoints
// (demos/server/ws-plugin.ts). The library is loaded into a demo page from the sources, as in
// websocket.e2e.ts, and run with asyncio.run. Each test ends by checking, in the page and on the
// server, that no task, listener or socket is left.
import { expect, test } from "@playwright/test";
import { collectErrors, expectNothingLeft, VIEWPORT } from "./helpers.js";
import { LIB, libraryPage, quietServer, socketStats } from "./websocket-server.js";

test.use({ viewport: VIEWPORT });

test("asyncio streams over Chromium's WebSocket: lines and exact reads, close and waitClosed (the server sees 1000), errors and the end", async ({ page, request }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  await quietServer(request);
  const result = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    const url = (path: string) => {
      const u = new URL(path, location.href);
      u.protocol = "ws:";
      return u.href;
    };
    const encode = (s: string) => new TextEncoder().encode(s);
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return core.asyncioRun(
      (function* () {
        // An echo: lines written in pieces come back as a byte stream.
        const [reader, writer] = yield* web.openWebSocketStreams(url("/api/ws/echo?latency=5"));
        writer.write(encode("alpha\nbe"));
        writer.write(encode("ta\nxyz"));
        yield* writer.drain();
        const lines = [decode(yield* reader.readline()), decode(yield* reader.readline())];
        const exact = decode(yield* reader.readexactly(3));
        writer.close();
        yield* writer.waitClosed();

        // A server that closes normally after two messages: the reader's end.
        const [r2, w2] = yield* web.openWebSocketStreams(url("/api/ws/echo?closeAfter=2"));
        w2.write(encode("one "));
        w2.write(encode("two"));
        const all = decode(yield* r2.read());
        yield* w2.waitClosed();
        const atEof = r2.atEof();

        // A server that drops the connection: reads raise WebSocketClosedError (1006).
        const [r3, w3] = yield* web.openWebSocketStreams(url("/api/ws/echo?dropAfter=1"));
        w3.write(encode("x"));
        let dropped = "";
        try {
          yield* r3.readexactly(10);
        } catch (error) {
          dropped = error instanceof web.IncompleteReadError ? "incomplete" : error instanceof web.WebSocketClosedError ? `closed ${error.code}` : String(error);
        }
        yield* w3.waitClosed();
        return { lines, exact, all, atEof, dropped };
      })(),
    );
  }, LIB);
  expect(result).toEqual({ lines: ["alpha\n", "beta\n"], exact: "xyz", all: "one two", atEof: true, dropped: "closed 1006" });
  await expect.poll(async () => (await socketStats(request)).open).toBe(0);
  const stats = await socketStats(request);
  expect(stats.opened).toBe(3);
  expect(stats.closes[0]).toEqual({ path: "/api/ws/echo", code: 1000, reason: "" }); // our close()
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("drain pushes back on bufferedAmount while the server reads nothing; leaving the loop closes a socket left open", async ({ page, request }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  await quietServer(request);
  const result = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    const u = new URL("/api/ws/sink?pauseMs=1500", location.href);
    u.protocol = "ws:";
    const CHUNK = 256 * 1024;
    const MARK = 512 * 1024;
    return core.asyncioRun(
      (function* () {
        const [, writer] = yield* web.openWebSocketStreams(u, { highWaterMark: MARK });
        const chunk = new Uint8Array(CHUNK);
        let maxBuffered = 0;
        const t0 = performance.now();
        for (let i = 0; i < 32; i++) {
          writer.write(chunk);
          maxBuffered = Math.max(maxBuffered, writer.getExtraInfo("bufferedAmount") as number);
          yield* writer.drain();
        }
        // Not closed: asyncio.run's end closes it.
        return { maxBuffered, ms: performance.now() - t0, limit: MARK + CHUNK };
      })(),
    );
  }, LIB);
  expect(result.maxBuffered).toBeGreaterThan(0);
  expect(result.maxBuffered).toBeLessThanOrEqual(result.limit);
  expect(result.ms).toBeGreaterThan(500);
  await expect.poll(async () => (await socketStats(request)).closes).toEqual([{ path: "/api/ws/sink", code: 1000, reason: "cancelled" }]);
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});
