/**
 * `openLoop`: an asyncio event loop that lives exactly as long as a block of
 * Trio code.
 *
 * The loop runs in a Trio task of a nursery opened for the block. That host
 * task is shielded: when the block is cancelled or fails, the loop keeps
 * running long enough to cancel its asyncio tasks and let their `finally`
 * blocks finish, however long they wait, then it stops. This is the
 * `asyncio.run` shutdown, done in structured form. The block's result is
 * returned only after everything the loop started has ended.
 *
 * Errors nobody handled (a callback raised, a task's or a trioAsAio
 * Future's exception was never retrieved) go to the loop's exception
 * handler; the default one raises them in the block's nursery, so they come
 * out of `openLoop` in an ExceptionGroup.
 */
import { CancelScope } from "../core/cancel-scope.js";
import { TaskLocal } from "../core/context.js";
import { checkReadable, describe } from "../core/errors.js";
import { callTaskFunction, checkFunction, openNursery } from "../core/nursery.js";
import { currentRun } from "../core/operations.js";
import { requireTask, RuntimeError } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { EventLoop } from "../asyncio/event-loop.js";
import { running } from "../asyncio/running.js";

/** @internal The loop of the enclosing openLoop block, for Trio code. */
export const loopVar = new TaskLocal<EventLoop>("asyncio loop");

/** Options of `openLoop`. */
export interface OpenLoopOptions {
  /** Debug mode: creation stacks, slow callbacks, pending tasks at exit. */
  debug?: boolean | undefined;
}

/**
 * @internal `debug` of openLoop's, asyncioRun's and AsyncioRunner's
 * options: true, false or left out. Anything else is refused rather than
 * read as false (debug: "yes" or 1 would otherwise turn nothing on).
 */
export function debugOption(what: string, options: object): boolean {
  // A plain read after checkReadable, as for every option: a getter that throws raises its own error.
  const debug = (options as { debug?: unknown }).debug;
  if (debug !== undefined && typeof debug !== "boolean") {
    throw new TypeError(`${what}: debug must be true or false (or left out), got ${describe(debug)}.`);
  }
  return debug === true;
}

function* hostLoop(loop: EventLoop): Operation<void> {
  yield* new CancelScope({ shield: true }).run(() => loop.hostLoop());
}

function* shutdownLoop(loop: EventLoop): Operation<void> {
  yield* new CancelScope({ shield: true }).run(() => loop.shutdown());
}

/**
 * Runs `body(loop)` with an asyncio loop and returns its result. On exit
 * (normal, error or cancellation) the loop's tasks are cancelled and
 * awaited, then the Trio tasks started by trioAsAio; callbacks already
 * queued run, timers not yet due are dropped, and the loop closes. Errors
 * of the body and unhandled asyncio errors are raised together as an
 * ExceptionGroup.
 *
 * ```ts
 * yield* openLoop(function* (loop) {
 *   const page = yield* aioAsTrio(fetchPage)(url);
 * });
 * ```
 */
export function* openLoop<T>(body: (loop: EventLoop) => Operation<T>, options: OpenLoopOptions = {}): Operation<T> {
  requireTask("openLoop()");
  if (running.task !== null || running.loop !== null) {
    throw new RuntimeError("openLoop() cannot be called from asyncio code (a Task or a loop callback); it opens a loop for Trio code. Call it from a Trio task.");
  }
  if (typeof body !== "function") throw new TypeError("openLoop(body) needs a generator function (function* (loop) { ... }).");
  // An async function or a revoked Proxy is named now, before a loop opens.
  checkFunction("openLoop(body)", body);
  if (options === null || typeof options !== "object") {
    throw new TypeError(`openLoop(body, options): options must be an object such as { debug: true }, got ${describe(options)}.`);
  }
  checkReadable("openLoop(body, options)", options);
  const debug = debugOption("openLoop(body, options)", options);
  const runner = currentRun();
  const result = yield* openNursery(function* (nursery) {
    const loop = new EventLoop(runner, nursery, { debug });
    nursery.startSoonNamed(`asyncio loop #${loop.id}`, hostLoop, loop);
    // Code that steps openLoop by hand and drops it never runs the finally
    // below, and the shielded host task would keep the run waiting: close
    // the loop from a task of its own, where the host task went.
    let raised: { error: unknown } | null = null;
    nursery.onDrop = (home) => {
      loop.nursery = home;
      home.startSoonNamed(`asyncio loop #${loop.id} shutdown`, shutdownLoop, loop);
      // The body raised, and the block was dropped while it closed the loop:
      // that error lives only in the dropped frame. Hand it to the nursery,
      // whose errors go with the task's outcome.
      if (raised !== null) nursery.addError(raised.error, "the openLoop body");
    };
    try {
      // callTaskFunction: a plain function that returns no generator is named, not an engine error at yield*.
      return yield* loopVar.run(loop, () => callTaskFunction("openLoop(body)", body, [loop]));
    } catch (error) {
      raised = { error };
      throw error;
    } finally {
      yield* shutdownLoop(loop);
    }
  });
  return result as T;
}

/** The loop of the enclosing openLoop block (from Trio code), or the running loop (from asyncio code). */
export function currentLoop(): EventLoop {
  const loop = running.loop ?? loopVar.get();
  if (loop === undefined) {
    throw new RuntimeError("No asyncio loop here: wrap this code in yield* openLoop(function* (loop) { ... }).");
  }
  return loop;
}
