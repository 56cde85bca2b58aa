/**
 * Executors for `loop.runInExecutor` and `asyncio.toThread`.
 *
 * Why it is built so: in Python an executor runs a function on a thread.
 * In a browser the threads are Web Workers, and a function cannot cross to
 * one: work is named, an operation a worker module exports. The asyncio
 * layer only knows this interface; the workers layer
 * (`trio-asyncio/workers`) implements it with `WorkerExecutor` over a
 * worker pool, and the loop keeps no default of its own, because a worker
 * needs a module URL that only the application knows.
 */
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
 * Python's `asyncio.to_thread`: runs operation `name(...args)` on the
 * running loop's default executor (see `loop.setDefaultExecutor`) and
 * returns its result. The operation sees the caller's context.
 */
export function* toThread<T = unknown>(name: string, ...args: unknown[]): Coroutine<T> {
  return yield* getRunningLoop().runInExecutor<T>(null, name, ...args);
}
