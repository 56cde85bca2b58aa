/**
 * Trio's `to_thread.run_sync`, on workers: `yield* toThread.runSync(name,
 * ...args)` runs a worker operation on the pool of the innermost
 * `openWorkerPool` block, the same default pool `asyncio.toThread` uses.
 *
 * Why a name and a pool: a function cannot cross to a worker, so the work
 * is an operation the worker module exports; and a worker needs a module
 * URL that only the application knows, so there is no pool until a block
 * opens one.
 */
import { describe } from "../core/errors.js";
import { RuntimeError, requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { contextExecutor } from "../asyncio/executor.js";
import { WorkerExecutor } from "./executor.js";

/** Runs work on the default worker pool (Trio's `trio.to_thread`). */
export const toThread = {
  /**
   * Runs operation `name(...args)` on the pool of the innermost
   * `openWorkerPool` block and returns its result. Cancellation follows
   * the workers' rule: the caller's `Cancelled` is raised once the worker
   * side has ended or the worker was terminated after the grace period.
   */
  *runSync<T = unknown>(name: string, ...args: unknown[]): Operation<T> {
    requireTask(`toThread.runSync(${describe(name)})`);
    // Trio's run_sync takes a function; here the work is named (checked before the pool, the likelier mistake).
    if (typeof name === "function") {
      throw new TypeError(`toThread.runSync(name, ...args) takes the name of a worker operation, got ${describe(name)}. A function cannot cross to a worker: define it in the worker module (defineWorker({ *name(...) { ... } })) and pass its name.`);
    }
    const executor = contextExecutor.get();
    if (!(executor instanceof WorkerExecutor)) {
      throw new RuntimeError(
        `toThread.runSync(${describe(name)}) runs on the pool of the innermost openWorkerPool block, and there is none here: call it inside yield* openWorkerPool(url, function* (pool) { ... }), or call pool.call(name, args) on a pool you hold.`,
      );
    }
    return (yield* executor.caller.call(name, args as never)) as T;
  },
};
