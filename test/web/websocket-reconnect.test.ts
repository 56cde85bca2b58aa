// openReconnectingWebSocket against the WebSocket test double, on an autojumping MockClock: the
// backoff schedule (exponential, capped, with jitter from an injected random source), maxAttempts,
// the reset after a stable connection, what reconnects (a lost connection) and what does not (the
// body's own errors, the body returning), cancellation during the backoff, and bad input.
import { describe, expect, it } from "vitest";
import { EndOfChannel, currentRun, currentTime, moveOnAfter, openNursery, sleep, sleepForever, type Operation } from "../../src/index.js";
import { WebSocketClosedError, openReconnectingWebSocket, type ReconnectingWebSocketOptions, type WebSocketAttempt, type WebSocketConnection, type WebSocketRetry } from "../../src/web/index.js";
import { raises, runMock } from "./helpers.js";
import { FakeServer, type FakeWebSocket } from "./websocket-fake.js";

const URL_ = "ws://example.test/live";

/** A server whose sockets connect at the times recorded (run clock), refusing the first `refusals`. */
function refusingServer(refusals: number): { server: FakeServer; times: number[]; clock: { now: () => number } } {
  const server = new FakeServer();
  const times: number[] = [];
  const clock = { now: () => 0 };
  server.onConnect = (s) => {
    times.push(clock.now());
    if (times.length <= refusals) s.refuse();
    else s.accept();
  };
  return { server, times, clock };
}

function reconnecting<R>(
  server: FakeServer,
  options: ReconnectingWebSocketOptions,
  body: (ws: WebSocketConnection, attempt: WebSocketAttempt) => Operation<R>,
): Operation<R> {
  return openReconnectingWebSocket<R>(URL_, { WebSocket: server.WebSocket, ...options }, body);
}

/** The current run's clock, readable from host callbacks (the fake's handshakes run outside any task). */
function runClock(): () => number {
  const runner = currentRun();
  return () => runner.clock.currentTime();
}

const round = (xs: number[]) => xs.map((x) => Math.round(x * 1000) / 1000);

describe("openReconnectingWebSocket: the backoff schedule", () => {
  it("waits initialDelay, then factor times longer each failure in a row, capped at maxDelay (no jitter)", async () => {
    const { server, times, clock } = refusingServer(5);
    const retries: WebSocketRetry[] = [];
    const attempt = await runMock(function* () {
      clock.now = runClock();
      return yield* reconnecting(server, { initialDelay: 0.25, factor: 2, maxDelay: 1.5, jitter: 0, onRetry: (r) => retries.push(r) }, function* (_ws, a) {
        return a;
      });
    });
    // Waits 0.25, 0.5, 1, 1.5 (capped), 1.5 between the six attempts.
    expect(round(times)).toEqual([0, 0.25, 0.75, 1.75, 3.25, 4.75]);
    expect(retries.map((r) => [r.failures, r.delay])).toEqual([
      [1, 0.25],
      [2, 0.5],
      [3, 1],
      [4, 1.5],
      [5, 1.5],
    ]);
    expect(retries.every((r) => r.error instanceof WebSocketClosedError)).toBe(true);
    expect(attempt).toEqual({ connection: 1, failuresBefore: 5 });
    expect(server.liveListeners).toBe(0);
  });

  it("jitter takes a random fraction away: random() 0 waits the full delay, random() near 1 waits (1 - jitter) of it", async () => {
    const { server, times, clock } = refusingServer(3);
    const draws = [0, 0.999999, 0.5];
    await runMock(function* () {
      clock.now = runClock();
      yield* reconnecting(server, { initialDelay: 1, factor: 2, jitter: 0.5, random: () => draws.shift()! }, function* () {});
    });
    // Base delays 1, 2, 4; waits 1, 2 × (1 - 0.5 × 0.999999), 4 × 0.75.
    expect(round(times)).toEqual([0, 1, 2, 5]);
  });

  it("with the default jitter the waits stay within [base / 2, base]", async () => {
    const { server, clock } = refusingServer(6);
    const retries: WebSocketRetry[] = [];
    await runMock(function* () {
      clock.now = runClock();
      yield* reconnecting(server, { onRetry: (r) => retries.push(r) }, function* () {});
    });
    retries.forEach((r, i) => {
      const base = Math.min(30, 0.25 * 2 ** i);
      expect(r.delay).toBeGreaterThanOrEqual(base / 2);
      expect(r.delay).toBeLessThanOrEqual(base);
    });
    expect(retries).toHaveLength(6);
  });

  it("maxAttempts failures in a row raise the last error", async () => {
    const { server, times, clock } = refusingServer(Infinity);
    const error = await runMock(function* () {
      clock.now = runClock();
      return yield* raises(
        reconnecting(server, { maxAttempts: 3, jitter: 0 }, function* () {}),
        WebSocketClosedError,
      );
    });
    expect(times).toHaveLength(3);
    expect((error as WebSocketClosedError).code).toBe(1006);
    expect(server.liveListeners).toBe(0);
  });

  it("a connection that stayed open stableAfter seconds resets the backoff; a short one does not", async () => {
    const server = new FakeServer();
    const opened: number[] = [];
    // Connection lifetimes: drop after 1 s, 1 s, then 10 s (stable), then 1 s, then stay.
    const lifetimes = [1, 1, 10, 1];
    await runMock(function* () {
      yield* reconnecting(server, { initialDelay: 0.5, jitter: 0, stableAfter: 5 }, function* (ws, a) {
        opened.push(currentTime());
        const life = lifetimes[a.connection - 1];
        if (life === undefined) return;
        const socket = server.last;
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(life);
            socket.serverClose(1006, "", false);
          });
          yield* ws.receive();
        });
      });
    });
    // Waits after each drop: 0.5, 1 (growing), 0.5 (reset by the stable one), 1.
    expect(round(opened)).toEqual([0, 1.5, 3.5, 14, 16]);
    expect(server.liveListeners).toBe(0);
  });
});

describe("openReconnectingWebSocket: what reconnects", () => {
  it("the body returning ends it, with the body's value; the socket is closed", async () => {
    const server = new FakeServer();
    const value = await runMock(() =>
      reconnecting(server, {}, function* (ws) {
        yield* ws.send("hello");
        return "done";
      }),
    );
    expect(value).toBe("done");
    expect(server.sockets).toHaveLength(1);
    expect(server.last.closeCalls).toEqual([{ code: 1000, reason: "", state: 1 }]);
  });

  it("an error of the body's own is raised, without reconnecting", async () => {
    const server = new FakeServer();
    await runMock(() =>
      raises(
        reconnecting(server, {}, function* () {
          throw new RangeError("mine");
        }),
        RangeError,
      ),
    );
    expect(server.sockets).toHaveLength(1);
    expect(server.liveListeners).toBe(0);
  });

  it("a normal close by the server raising EndOfChannel out of the body reconnects too", async () => {
    const server = new FakeServer();
    const retries: WebSocketRetry[] = [];
    const got = await runMock(() =>
      reconnecting(server, { jitter: 0, onRetry: (r) => retries.push(r) }, function* (ws, a) {
        if (a.connection === 1) {
          server.last.serverClose(1000, "restarting");
          yield* ws.receive(); // raises EndOfChannel
        }
        return a.connection;
      }),
    );
    expect(got).toBe(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error).toBeInstanceOf(EndOfChannel);
  });

  it("a loss raised through the body's nursery (an ExceptionGroup) reconnects, and onRetry gets the close itself", async () => {
    const server = new FakeServer();
    const retries: WebSocketRetry[] = [];
    const got = await runMock(() =>
      reconnecting(server, { jitter: 0, onRetry: (r) => retries.push(r) }, function* (ws, a) {
        if (a.connection === 2) return "second";
        yield* openNursery(function* (n) {
          n.startSoon(sleepForever); // a sender, say: cancelled when the receiver fails
          server.last.serverClose(1012, "restart", true);
          yield* ws.receive();
        });
        return "first";
      }),
    );
    expect(got).toBe("second");
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error).toBeInstanceOf(WebSocketClosedError);
    expect((retries[0]!.error as WebSocketClosedError).code).toBe(1012);
  });

  it("a group mixing the loss with an error of the body's own is raised", async () => {
    const server = new FakeServer();
    const error = await runMock(() =>
      raises(
        reconnecting(server, {}, function* (ws) {
          yield* openNursery(function* (n) {
            n.startSoon(function* () {
              throw new RangeError("mine");
            });
            server.last.serverClose(1012, "restart", true);
            yield* ws.receive();
          });
        }),
        Error,
      ),
    );
    expect(error.constructor.name).toBe("ExceptionGroup");
    expect(server.sockets).toHaveLength(1);
  });

  it("an EndOfChannel the body raises itself, on an open socket, is the body's error", async () => {
    const server = new FakeServer();
    await runMock(() =>
      raises(
        reconnecting(server, {}, function* () {
          throw new EndOfChannel("some other channel ended");
        }),
        EndOfChannel,
      ),
    );
    expect(server.sockets).toHaveLength(1);
  });

  it("cancelled during the backoff: stops at once, opens nothing more, leaves nothing", async () => {
    const { server, times, clock } = refusingServer(Infinity);
    await runMock(function* () {
      clock.now = runClock();
      yield* moveOnAfter(1, () => reconnecting(server, { initialDelay: 0.4, jitter: 0 }, function* () {}));
      expect(currentTime()).toBe(1);
    });
    // Attempts at 0, 0.4, 1.2 would be next: cancelled at 1 while waiting.
    expect(round(times)).toEqual([0, 0.4]);
    expect(server.liveListeners).toBe(0);
  });

  it("cancelled while connected: the socket is closed as cancelled", async () => {
    const server = new FakeServer();
    await runMock(() =>
      moveOnAfter(2, () =>
        reconnecting(server, {}, function* () {
          yield* sleepForever();
        }),
      ),
    );
    expect(server.sockets).toHaveLength(1);
    expect((server.last as FakeWebSocket).closeCalls).toEqual([{ code: 1000, reason: "cancelled", state: 1 }]);
    expect(server.liveListeners).toBe(0);
  });
});

describe("openReconnectingWebSocket: bad input", () => {
  const server = new FakeServer();
  const body = function* () {};
  it("names the option and the accepted values", () => {
    const bad: Array<[ReconnectingWebSocketOptions, RegExp]> = [
      [{ initialDelay: -1 }, /initialDelay must be a number of seconds >= 0/],
      [{ factor: 0.5 }, /factor must be a number >= 1/],
      [{ maxDelay: Infinity }, /maxDelay/],
      [{ jitter: 2 }, /jitter must be a fraction from 0 to 1/],
      [{ maxAttempts: 0 }, /maxAttempts must be an integer >= 1, or Infinity/],
      [{ maxAttempts: 1.5 }, /maxAttempts/],
      [{ stableAfter: Number.NaN }, /stableAfter/],
      [{ onRetry: 3 as unknown as () => void }, /onRetry must be a function/],
      [{ random: "x" as unknown as () => number }, /random must be a function/],
      [{ highWaterMark: -1 }, /highWaterMark/],
    ];
    for (const [options, message] of bad) {
      expect(() => reconnecting(server, options, body)).toThrow(message);
    }
    expect(() => openReconnectingWebSocket(URL_, { WebSocket: server.WebSocket }, undefined as unknown as typeof body)).toThrow(/needs a body/);
    expect(server.sockets).toHaveLength(0);
  });
});

describe("openReconnectingWebSocket: a random source that returns no fraction", () => {
  it("raises a RangeError naming random and what it returned (NaN used to be blamed on sleep, and -3 stretched the wait past maxDelay); the socket is gone", async () => {
    for (const value of [NaN, 1, 5, -3, "0.5"]) {
      const { server } = refusingServer(1);
      const error = await runMock(() => raises(reconnecting(server, { random: () => value as number }, function* () {}), RangeError));
      expect(error.message).toMatch(/^openReconnectingWebSocket's random must return a number from 0 \(included\) to 1 \(excluded\), as Math\.random does; it returned /);
      expect(server.sockets).toHaveLength(1);
      expect(server.liveListeners).toBe(0);
    }
  });
});
