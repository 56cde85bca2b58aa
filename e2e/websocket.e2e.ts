// openWebSocket and openReconnectingWebSocket with Chromium's real WebSocket, against the dev
// server's endpoints (demos/server/ws-plugin.ts), which count what the server saw. The library is
// loaded into a demo page from the sources (Vite's /@fs/ URLs, the same modules the page runs),
// and the chat demo is driven through its UI with two members. Each test ends by checking, in
// the page and on the server, that no task, listener or socket is left.
import { expect, test, type Page } from "@playwright/test";
import { collectErrors, expectNothingLeft, openDemo, screenshot, VIEWPORT } from "./helpers.js";
import { LIB, libraryPage, quietServer, socketStats } from "./websocket-server.js";

test.use({ viewport: VIEWPORT });

test("openWebSocket in Chromium: text and binary round trips, then the block closes the socket with 1000", async ({ page, request }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  await quietServer(request);
  const result = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    const url = new URL("/api/ws/echo?latency=5", location.href);
    url.protocol = "ws:";
    return core.run(function* () {
      return yield* web.openWebSocket(url, function* (ws) {
        const texts: string[] = [];
        for (let i = 0; i < 5; i++) {
          yield* ws.send(`m${i}`);
          texts.push((yield* ws.receive()) as string);
        }
        yield* ws.send(new Uint8Array([1, 2, 250]));
        const bytes = yield* ws.receive();
        return { texts, bytes: bytes instanceof Uint8Array ? Array.from(bytes) : String(bytes), stats: ws.statistics() };
      });
    });
  }, LIB);
  expect(result.texts).toEqual(["m0", "m1", "m2", "m3", "m4"]);
  expect(result.bytes).toEqual([1, 2, 250]);
  expect(result.stats).toMatchObject({ received: 6, sent: 6, buffered: 0, listening: true });
  await expect.poll(async () => (await socketStats(request)).closes).toEqual([{ path: "/api/ws/echo", code: 1000, reason: "" }]);
  expect(await socketStats(request)).toMatchObject({ open: 0, opened: 1, closed: 1 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("cancelling a task blocked in receive closes the socket: the server sees 1000 \"cancelled\"", async ({ page, request }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  await quietServer(request);
  const seen = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    const url = new URL("/api/ws/echo", location.href);
    url.protocol = "ws:";
    const seen: string[] = [];
    // Cancelled once the task is blocked in receive, not after a fixed time (the connection and
    // the echo can take long on a loaded machine).
    const scope = new core.CancelScope();
    const blocked = new core.Event();
    await core.run(function* () {
      yield* core.openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() =>
            web.openWebSocket(url, function* (ws) {
              yield* ws.send("ping");
              seen.push((yield* ws.receive()) as string);
              seen.push("waiting");
              blocked.set();
              yield* ws.receive(); // nothing more comes: cancelled here
              seen.push("never");
            }),
          );
          seen.push("cancelled");
        });
        yield* blocked.wait();
        scope.cancel();
      });
    });
    return seen;
  }, LIB);
  expect(seen).toEqual(["ping", "waiting", "cancelled"]);
  await expect.poll(async () => (await socketStats(request)).closes).toEqual([{ path: "/api/ws/echo", code: 1000, reason: "cancelled" }]);
  expect((await socketStats(request)).open).toBe(0);
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("the server's closes surface as errors, and openReconnectingWebSocket reconnects after drops", async ({ page, request }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  await quietServer(request);
  const result = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    const at = (path: string) => {
      const url = new URL(path, location.href);
      url.protocol = "ws:";
      return url.href;
    };
    return core.run(function* () {
      // A clean close with an application code: WebSocketClosedError with code, reason, wasClean.
      const closed = yield* web.openWebSocket(at("/api/ws/echo?closeAfter=1&code=4001&reason=bye"), function* (ws) {
        yield* ws.send("one");
        const echoed = yield* ws.receive();
        try {
          yield* ws.receive();
          return "no error";
        } catch (error) {
          if (!(error instanceof web.WebSocketClosedError)) throw error;
          return `${String(echoed)} ${error.code} ${error.reason} ${error.wasClean}`;
        }
      });
      // The server drops the TCP connection after two echoes: reconnect, three times.
      const echoes: string[] = [];
      const delays: number[] = [];
      const connections = yield* web.openReconnectingWebSocket(
        at("/api/ws/echo?dropAfter=2"),
        { initialDelay: 0.05, jitter: 0, onRetry: (r) => delays.push(r.delay) },
        function* (ws, attempt) {
          for (;;) {
            yield* ws.send(`c${attempt.connection}`);
            echoes.push((yield* ws.receive()) as string);
            if (echoes.length === 6) return attempt.connection;
          }
        },
      );
      // Every connection dropped by the server's /api/ws/drop, from inside the body.
      const dropped: string[] = [];
      yield* web.openReconnectingWebSocket(at("/api/ws/echo"), { initialDelay: 0.05, jitter: 0 }, function* (ws, attempt) {
        if (attempt.connection === 1) {
          yield* core.waitPromise(fetch("/api/ws/drop"));
          try {
            yield* ws.receive();
          } catch (error) {
            dropped.push(error instanceof web.WebSocketClosedError ? `dropped ${error.code} ${error.wasClean}` : String(error));
            throw error;
          }
        }
        dropped.push(`connection ${attempt.connection}`);
      });
      return { closed, echoes, delays, connections, dropped };
    });
  }, LIB);
  expect(result.closed).toBe("one 4001 bye true");
  expect(result.echoes).toEqual(["c1", "c1", "c2", "c2", "c3", "c3"]);
  expect(result.connections).toBe(3);
  expect(result.delays).toEqual([0.05, 0.1]); // short-lived connections: the failure streak goes on
  expect(result.dropped).toEqual(["dropped 1006 false", "connection 2"]);
  await expect.poll(async () => (await socketStats(request)).open).toBe(0);
  const stats = await socketStats(request);
  expect(stats.opened).toBe(6);
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("send pushes back on bufferedAmount while the server reads nothing, and every byte arrives", async ({ page, request }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  await quietServer(request);
  const result = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    const url = new URL("/api/ws/sink?pauseMs=1500", location.href);
    url.protocol = "ws:";
    const CHUNK = 256 * 1024;
    const COUNT = 64;
    const MARK = 512 * 1024;
    return core.run(function* () {
      return yield* web.openWebSocket(url, { highWaterMark: MARK }, function* (ws) {
        const chunk = new Uint8Array(CHUNK);
        let maxBuffered = 0;
        const t0 = performance.now();
        for (let i = 0; i < COUNT; i++) {
          yield* ws.send(chunk);
          maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
        }
        const sendMs = performance.now() - t0;
        yield* ws.send("count");
        const answer = (yield* ws.receive()) as string;
        return { maxBuffered, sendMs, answer, limit: MARK + CHUNK, total: CHUNK * COUNT };
      });
    });
  }, LIB);
  // Never more than the mark plus the one message sent on top of it, while the raw socket would hold all 16 MiB.
  expect(result.maxBuffered).toBeGreaterThan(0);
  expect(result.maxBuffered).toBeLessThanOrEqual(result.limit);
  expect(result.sendMs).toBeGreaterThan(500);
  expect(result.answer).toBe(`received ${result.total}`);
  await expect.poll(async () => (await socketStats(request)).open).toBe(0);
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

async function joinChat(page: Page, name: string): Promise<void> {
  await openDemo(page, `/chat/?name=${name}`);
  await expect(page.getByTestId("chat-state")).toHaveText("connected");
}

test("chat demo: two members chat, both reconnect after the server drops them, leaving closes the socket", async ({ page, context, request }) => {
  const errors = collectErrors(page);
  await quietServer(request);
  await joinChat(page, "alice");
  const bob = await context.newPage();
  const bobErrors = collectErrors(bob);
  await joinChat(bob, "bob");
  await expect(page.getByTestId("users")).toHaveText("alice, bob");
  await expect(bob.getByTestId("users")).toHaveText("alice, bob");

  await page.getByLabel("message").fill("hello bob");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(bob.getByTestId("chat-lines")).toContainText("alice: hello bob");
  await expect(page.getByTestId("chat-lines")).toContainText("alice: hello bob");

  // The server drops every connection: both reconnect and rejoin.
  await page.getByRole("button", { name: "Drop every connection (server side)" }).click();
  for (const p of [page, bob]) {
    await expect(p.getByTestId("connections")).toHaveText("connections: 2");
    await expect(p.getByTestId("chat-state")).toHaveText("connected");
    await expect(p.getByTestId("chat-log")).toContainText("connection lost (code 1006, wasClean false); failure 1 in a row");
  }
  await expect(bob.getByTestId("users")).toHaveText("alice, bob");
  await bob.getByLabel("message").fill("back again");
  await bob.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("chat-lines")).toContainText("bob: back again");
  await screenshot(page, "chat");

  // Alice leaves: her socket closes with 1000 "cancelled", bob sees her go, nothing is left on her page.
  await page.getByRole("button", { name: "Leave the room" }).click();
  await expect(page.getByTestId("chat-left")).toBeVisible();
  await expect(bob.getByTestId("users")).toHaveText("bob");
  await expect.poll(async () => (await socketStats(request)).closes.filter((c) => c.code === 1000)).toEqual([{ path: "/api/ws/chat", code: 1000, reason: "cancelled" }]);
  await expectNothingLeft(page);
  await bob.getByRole("button", { name: "Leave the room" }).click();
  await expectNothingLeft(bob);
  await expect.poll(async () => (await socketStats(request)).open).toBe(0);
  const stats = await socketStats(request);
  // Two joins and two reconnections (plus the first page load's warm-up, when this test runs alone).
  expect(stats.opened).toBeGreaterThanOrEqual(4);
  expect(stats.closed).toBe(stats.opened);
  expect(errors).toEqual([]);
  expect(bobErrors).toEqual([]);
});
