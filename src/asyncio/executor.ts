/**
 * Executors for `loop.runInExecutor` and `asyncio.toThread`.
 *
 * Why it is built so: in Python an executor runs a function on a thread.
 * In a browser the threads are Web Workers, and a function cannot cross to
 * one: work is named, an operation a worker module exports. The asyncio
 * layer only knows this interface; the workers layer
 * (`trio-asyncio/workers`) implements it with `WorkerExecutor` over a
 * worker pool. The loop makes no default executor of its own, because a
 * worker needs a module URL that only the application knows: the default
 * is the one set on the loop, else the innermost worker pool block's.
 */
import { TaskLocal } from "../core/context.js";
import type { EventLoop } from "./event-loop.js";
import type { Future } from "./future.js";
import { getRunningLoop } from "./running.js";
import type { Coroutine } from "./types.js";

/** What `loop.runInExecutor` runs work on (`WorkerExecutor` from `trio-asyncio/workers`). */
export interface Executor {
  /** Starts operation `name(...args)` for `loop` and returns the Future of its result. */
  submit(loop: EventLoop, name: string, args: readonly unknown[]): Future<unknown>;
}

/**
 * @internal The executor of the innermost block that provides one (an
 * `openWorkerPool` block): the default of `runInExecutor(null, ...)` when
 * the loop has none of its own, and of Trio's `toThread.runSync`.
 */
export const contextExecutor = new TaskLocal<Executor>("default executor");

/**
 * Python's `asyncio.to_thread`: runs operation `name(...args)` on the
 * running loop's default executor (`loop.setDefaultExecutor`, else the
 * pool of the innermost `openWorkerPool` block) and returns its result. The operation sees the caller's context.
 */
export function* toThread<T = unknown>(name: string, ...args: unknown[]): Coroutine<T> {
  return yield* getRunningLoop().runInExecutor<T>(null, name, ...args);
}
