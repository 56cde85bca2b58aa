/**
 * Frames and idle time: `nextFrame`, `waitIdle`, `yieldToHost`.
 *
 * Why it is built so: each one parks the task on the core's wait/wake pair
 * and asks the host for one callback; cancelling the task cancels that
 * callback (`cancelAnimationFrame`, `cancelIdleCallback`, `clearTimeout`),
 * so nothing fires after the task has moved on. The host functions are read
 * from `globalThis` at each call, not at import, so the module costs nothing
 * where they are missing and tests can install stand-ins.
 */
import { describe } from "../core/errors.js";
import { RuntimeError, requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { checkOptions, waitHostCallback, type HostRequest } from "./target.js";

interface FrameHost {
  requestAnimationFrame?: ((cb: (time: number) => void) => number) | undefined;
  cancelAnimationFrame?: ((id: number) => void) | undefined;
  requestIdleCallback?: ((cb: (deadline: IdleDeadline) => void, options?: { timeout?: number }) => number) | undefined;
  cancelIdleCallback?: ((id: number) => void) | undefined;
  scheduler?: ({ yield?: () => Promise<unknown> }) | undefined;
  MessageChannel?: typeof MessageChannel | undefined;
  setImmediate?: ((cb: () => void) => unknown) | undefined;
  clearImmediate?: ((id: unknown) => void) | undefined;
}

function host(): FrameHost {
  return globalThis as unknown as FrameHost;
}

/**
 * Waits for the next animation frame and returns its timestamp (the
 * `requestAnimationFrame` callback's argument, in milliseconds). Cancelling
 * the task cancels the frame request.
 *
 * Needs `requestAnimationFrame` (a window); a worker or Node gets a
 * RuntimeError that names the alternatives.
 */
export function* nextFrame(): Operation<number> {
  const task = requireTask("nextFrame()");
  return yield* waitHostCallback<number>(task, "animation frame", frameRequest("nextFrame()", "yieldToHost() or sleep()"));
}

/**
 * @internal Asks for the next animation frame (the Trio and asyncio flavours
 * share it); throws where there is no `requestAnimationFrame`.
 */
export function frameRequest(what: string, instead: string): HostRequest {
  const { requestAnimationFrame: request, cancelAnimationFrame: cancel } = host();
  if (typeof request !== "function" || typeof cancel !== "function") {
    throw new RuntimeError(`${what} needs requestAnimationFrame and cancelAnimationFrame (a browser window); in a worker or Node, use ${instead}.`);
  }
  return (answer) => {
    const id = request.call(globalThis, (time) => answer(time));
    return () => cancel.call(globalThis, id);
  };
}

/** Options of `waitIdle`. */
export interface WaitIdleOptions {
  /**
   * At most this many seconds (as everywhere in this library) before the
   * callback runs even if the host never gets idle; the deadline then has
   * `didTimeout` true. Default: no limit.
   */
  timeout?: number | undefined;
}

/** How long the fallback pretends an idle period lasts, in ms (the longest one the spec allows). */
const FALLBACK_IDLE_MS = 50;

/**
 * Waits until the host is idle (`requestIdleCallback`) and returns the
 * `IdleDeadline`: `timeRemaining()` says how many milliseconds of the idle
 * period are left when the task reads it. Where `requestIdleCallback` is
 * missing (Safari, Node) it falls back to a short `setTimeout` and a 50 ms
 * budget. Cancelling the task cancels the callback.
 */
export function waitIdle(options: WaitIdleOptions = {}): Operation<IdleDeadline> {
  const timeout = checkIdleTimeout("waitIdle(options)", options);
  return waitIdleOp(timeout);
}

/** @internal Checks the options of an idle wait; returns the timeout in seconds, or undefined. */
export function checkIdleTimeout(what: string, options: WaitIdleOptions): number | undefined {
  checkOptions(what, options);
  const timeout = options.timeout;
  if (timeout !== undefined && (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0)) {
    throw new TypeError(`${what}: timeout is a non-negative number of seconds, got ${describe(timeout)}.`);
  }
  return timeout;
}

function* waitIdleOp(timeout: number | undefined): Operation<IdleDeadline> {
  const task = requireTask("waitIdle()");
  return yield* waitHostCallback<IdleDeadline>(task, "idle callback", idleRequest(timeout));
}

/** The longest timeout requestIdleCallback takes, in ms (an unsigned long: a longer one wraps around). */
const MAX_IDLE_TIMEOUT_MS = 2 ** 32 - 1;

/**
 * requestIdleCallback's options for `timeout` seconds. Whole milliseconds, at
 * least 1: the browser truncates, and a timeout of 0 ms means no limit, so
 * 0.0004 s (or 0) would have waited for idle time however long it took.
 */
function idleOptions(timeout: number | undefined): { timeout: number } | undefined {
  if (timeout === undefined) return undefined;
  const ms = Math.max(1, Math.ceil(timeout * 1000));
  return ms > MAX_IDLE_TIMEOUT_MS ? undefined : { timeout: ms };
}

/** @internal Asks for an idle callback, with the setTimeout fallback (both flavours share it). */
export function idleRequest(timeout: number | undefined): HostRequest {
  const { requestIdleCallback: request, cancelIdleCallback: cancel } = host();
  return (answer) => {
    if (typeof request === "function" && typeof cancel === "function") {
      const id = request.call(globalThis, (deadline) => answer(deadline), idleOptions(timeout));
      return () => cancel.call(globalThis, id);
    }
    const timer = setTimeout(() => {
      const start = performance.now();
      answer({ didTimeout: false, timeRemaining: () => Math.max(0, FALLBACK_IDLE_MS - (performance.now() - start)) });
    }, 1);
    return () => clearTimeout(timer);
  };
}

/**
 * Lets the host run its pending work (input, rendering, other tasks) before
 * continuing: `scheduler.yield()` where present, else one macrotask
 * (`setImmediate` in Node, else a `MessageChannel` message; `setTimeout(0)` as a last resort). Unlike `checkpoint()`,
 * which only lets this run's other tasks go, it leaves the current host
 * task. Cancellable: a cancelled task stops waiting at once (a
 * `scheduler.yield()` Promise then settles unobserved).
 */
export function* yieldToHost(): Operation<void> {
  const task = requireTask("yieldToHost()");
  yield* waitHostCallback<void>(task, "host", hostTurnRequest);
}

/** @internal Asks for one turn of the host (both flavours share it). */
export const hostTurnRequest: HostRequest = (answer) => {
  const h = host();
  const done = () => answer(undefined);
  const schedulerYield = h.scheduler?.yield;
  if (typeof schedulerYield === "function") {
    Promise.resolve(schedulerYield.call(h.scheduler)).then(done, (error: unknown) => answer(error, true));
    return () => {};
  }
  if (typeof h.setImmediate === "function") {
    // Node (and old Edge): Node drains a thousand port messages per wakeup, so a macrotask there is setImmediate.
    const id = h.setImmediate(done);
    return () => h.clearImmediate?.(id);
  }
  if (typeof h.MessageChannel === "function") {
    const channel = new h.MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      done();
    };
    channel.port2.postMessage(null);
    // A closed port drops the message, and an open one would keep the host alive.
    return () => channel.port1.close();
  }
  const timer = setTimeout(done, 0);
  return () => clearTimeout(timer);
};
