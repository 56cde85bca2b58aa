/**
 * `openReconnectingWebSocket`: `openWebSocket` in a loop, with exponential
 * backoff between attempts, as the feed demo reconnects its stream.
 *
 * Why it is built so: each connection is an ordinary `openWebSocket` block,
 * so everything it guarantees (closed on exit, no listener left) holds per
 * connection, and the waits between attempts are plain `sleep`s, so
 * cancelling at any moment stops everything. Only the loss of the
 * connection reconnects (it could not open, or the peer closed it while
 * the body was using it); any other error of the body is the body's and is
 * raised. Jitter spreads the clients of a restarted server apart, the cap
 * bounds the wait, and a connection that stayed open long enough resets
 * the backoff, so a blip after an hour starts again from the first delay.
 */
import { EndOfChannel, ExceptionGroup, describe, leavesOf } from "../core/errors.js";
import { currentTime, sleep } from "../core/operations.js";
import type { Operation } from "../core/traps.js";
import { checkBody, checkOptions } from "./target.js";
import { WebSocketClosedError, openWebSocketChecked, type OpenWebSocketOptions, type SocketCaller, type WebSocketConnection } from "./websocket.js";

/** What the socket's errors name (see SocketCaller). */
const RECONNECTING: SocketCaller = { name: "openReconnectingWebSocket", call: "openReconnectingWebSocket(url, options, body)", withClass: "openReconnectingWebSocket(url, { WebSocket }, body)" };

/** A wait before the next attempt, as `onRetry` reports it. */
export interface WebSocketRetry {
  /** Failed attempts in a row so far (1 after the first failure). */
  readonly failures: number;
  /** Seconds to wait before the next attempt. */
  readonly delay: number;
  /**
   * Why the last attempt ended: a `WebSocketClosedError`, or `EndOfChannel`
   * after a normal close by the server (the first of them, when the body's
   * nursery raised several).
   */
  readonly error: Error;
}

/** What the body of `openReconnectingWebSocket` learns about its connection. */
export interface WebSocketAttempt {
  /** How many connections have opened so far, this one included (1 for the first). */
  readonly connection: number;
  /** Failed attempts just before this one (0 if the previous one did not fail). */
  readonly failuresBefore: number;
}

/** Options of `openReconnectingWebSocket`: `openWebSocket`'s, and the backoff. */
export interface ReconnectingWebSocketOptions extends OpenWebSocketOptions {
  /** Seconds to wait after the first failure (default 0.25). */
  initialDelay?: number | undefined;
  /** The wait is multiplied by this after each further failure in a row (default 2). */
  factor?: number | undefined;
  /** The longest wait, in seconds (default 30). */
  maxDelay?: number | undefined;
  /**
   * The fraction of each wait taken away at random, from 0 (no jitter) to 1
   * (anywhere between 0 and the full wait); default 0.5.
   */
  jitter?: number | undefined;
  /** How many attempts in a row may fail before the last error is raised (default `Infinity`). */
  maxAttempts?: number | undefined;
  /** Seconds a connection must stay open for the backoff to start again from `initialDelay` (default 5). */
  stableAfter?: number | undefined;
  /** Called before each wait, for a status line ("reconnecting in 2 s"). It must not throw. */
  onRetry?: ((retry: WebSocketRetry) => void) | undefined;
  /** The random source of the jitter, returning [0, 1) (default `Math.random`); for tests. */
  random?: (() => number) | undefined;
}

function checkNumber(what: string, value: unknown, fallback: number, ok: (n: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || !ok(value)) {
    throw new RangeError(`openReconnectingWebSocket's ${what} must be ${expected}, got ${describe(value)}.`);
  }
  return value;
}

function checkFunction(what: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`openReconnectingWebSocket's ${what} must be a function (or left out), got ${describe(value)}.`);
  }
}

/**
 * Runs `body` on a WebSocket to `url`, opening a new one whenever the
 * connection is lost, until `body` returns (its result is returned) or
 * raises an error of its own (raised). A lost connection is one that could
 * not open, or that the server or network closed while `body` used it (so
 * `receive` or `send` raised `WebSocketClosedError`, or `EndOfChannel`
 * after a normal close). Between attempts it waits `initialDelay`, then
 * `factor` times longer each failure in a row, at most `maxDelay`, less a
 * random `jitter` fraction; a connection open for `stableAfter` seconds
 * resets that. After `maxAttempts` failures in a row the last error is
 * raised. Cancellable at any point; each connection is closed as its block
 * ends.
 *
 * ```ts
 * yield* openReconnectingWebSocket("/chat", { onRetry: (r) => status(`retry in ${r.delay} s`) }, function* (ws) {
 *   yield* ws.send(JSON.stringify({ join: "lobby" }));
 *   for (;;) show(yield* ws.receive()); // the server dropping us raises, and we reconnect
 * });
 * ```
 */
export function openReconnectingWebSocket<R>(
  url: string | URL,
  body: (connection: WebSocketConnection, attempt: WebSocketAttempt) => Operation<R>,
): Operation<R>;
export function openReconnectingWebSocket<R>(
  url: string | URL,
  options: ReconnectingWebSocketOptions,
  body: (connection: WebSocketConnection, attempt: WebSocketAttempt) => Operation<R>,
): Operation<R>;
export function openReconnectingWebSocket<R>(
  url: string | URL,
  optionsOrBody: ReconnectingWebSocketOptions | ((connection: WebSocketConnection, attempt: WebSocketAttempt) => Operation<R>),
  maybeBody?: (connection: WebSocketConnection, attempt: WebSocketAttempt) => Operation<R>,
): Operation<R> {
  // Left out, or passed as undefined: no options.
  const options = typeof optionsOrBody === "function" || optionsOrBody === undefined ? {} : optionsOrBody;
  const body = typeof optionsOrBody === "function" ? optionsOrBody : maybeBody;
  checkOptions("openReconnectingWebSocket(url, options, body)", options);
  checkBody("openReconnectingWebSocket(url, body)", "function* (ws, attempt) { ... }", body);
  const backoff: Backoff = {
    initialDelay: checkNumber("initialDelay", options.initialDelay, 0.25, (n) => n >= 0 && n < Infinity, "a number of seconds >= 0"),
    factor: checkNumber("factor", options.factor, 2, (n) => n >= 1 && n < Infinity, "a number >= 1"),
    maxDelay: checkNumber("maxDelay", options.maxDelay, 30, (n) => n >= 0 && n < Infinity, "a number of seconds >= 0"),
    jitter: checkNumber("jitter", options.jitter, 0.5, (n) => n >= 0 && n <= 1, "a fraction from 0 to 1"),
    maxAttempts: checkNumber("maxAttempts", options.maxAttempts, Infinity, (n) => n >= 1 && (n === Infinity || Number.isInteger(n)), "an integer >= 1, or Infinity"),
    stableAfter: checkNumber("stableAfter", options.stableAfter, 5, (n) => n >= 0 && n < Infinity, "a number of seconds >= 0"),
    onRetry: options.onRetry,
    random: options.random ?? Math.random,
  };
  checkFunction("onRetry", options.onRetry);
  checkFunction("random", options.random);
  const socketOptions: OpenWebSocketOptions = {
    protocols: options.protocols,
    WebSocket: options.WebSocket,
    maxBuffer: options.maxBuffer,
    overflow: options.overflow,
    highWaterMark: options.highWaterMark,
    drainInterval: options.drainInterval,
  };
  // Checks the socket's options now, not at the first attempt (the block made here is dropped).
  openWebSocketChecked(RECONNECTING, url, socketOptions, body as (connection: WebSocketConnection) => Operation<R>);
  return reconnectLoop(url, socketOptions, backoff, body);
}

interface Backoff {
  initialDelay: number;
  factor: number;
  maxDelay: number;
  jitter: number;
  maxAttempts: number;
  stableAfter: number;
  onRetry: ((retry: WebSocketRetry) => void) | undefined;
  random: () => number;
}

/** What `random` returned, checked: a NaN or out-of-range value would reach `sleep` as a bad delay, blamed on it. */
function randomFraction(random: () => number): number {
  const r = random();
  if (typeof r !== "number" || !(r >= 0 && r < 1)) {
    throw new RangeError(`openReconnectingWebSocket's random must return a number from 0 (included) to 1 (excluded), as Math.random does; it returned ${describe(r)}.`);
  }
  return r;
}

/** @internal The wait after `failures` failures in a row, before jitter. */
export function backoffDelay(backoff: Pick<Backoff, "initialDelay" | "factor" | "maxDelay">, failures: number): number {
  return Math.min(backoff.maxDelay, backoff.initialDelay * backoff.factor ** (failures - 1));
}

function* reconnectLoop<R>(
  url: string | URL,
  socketOptions: OpenWebSocketOptions,
  backoff: Backoff,
  body: (connection: WebSocketConnection, attempt: WebSocketAttempt) => Operation<R>,
): Operation<R> {
  let failures = 0;
  let connections = 0;
  for (;;) {
    let connection: WebSocketConnection | null = null;
    let openedAt = 0;
    try {
      return yield* openWebSocketChecked<R>(RECONNECTING, url, socketOptions, function* (ws) {
        connection = ws;
        openedAt = currentTime();
        connections++;
        const attempt: WebSocketAttempt = { connection: connections, failuresBefore: failures };
        return yield* body(ws, attempt);
      });
    } catch (error) {
      const loss = lostConnection(error, connection);
      if (loss === undefined) throw error;
      if (connection !== null && currentTime() - openedAt >= backoff.stableAfter) failures = 0;
      failures++;
      if (failures >= backoff.maxAttempts) throw error;
      const base = backoffDelay(backoff, failures);
      const delay = base * (1 - backoff.jitter * randomFraction(backoff.random));
      backoff.onRetry?.({ failures, delay, error: loss });
      yield* sleep(delay);
    }
  }
}

/**
 * The loss to report if `error` ending an attempt means the connection was
 * lost (and not that the body failed), else undefined. A body that receives
 * in one task and sends in another gets the loss as an ExceptionGroup from
 * its nursery: it counts when every error in it is the loss, and is
 * reported as its first, the close that started it.
 */
function lostConnection(error: unknown, connection: WebSocketConnection | null): Error | undefined {
  // The body never ran: the socket closed while connecting.
  if (connection === null) return error instanceof WebSocketClosedError ? error : undefined;
  const info = (connection as WebSocketConnection).closeInfo;
  if (info === null || info.by !== "peer") return undefined;
  // Read totally: the body's Proxy of a group whose traps throw is its own error, raised as it is.
  const errors = error instanceof ExceptionGroup ? leavesOf(error) : [error];
  if (errors === undefined) return undefined;
  return errors.length > 0 && errors.every((e) => e instanceof WebSocketClosedError || e instanceof EndOfChannel) ? (errors[0] as Error) : undefined;
}
