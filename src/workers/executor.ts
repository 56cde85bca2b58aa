/**
 * `WorkerExecutor`: workers for asyncio code, through `loop.runInExecutor`
 * and `asyncio.toThread`.
 *
 * Why it is built so: the work runs as a Trio task of the openLoop block
 * (`trioAsAio`), and that task makes an ordinary worker call. So asyncio
 * code gets the same cancellation rule as Trio code: cancelling the Future
 * cancels the call in the worker, and the Future turns cancelled only once
 * the worker side has ended or the worker was terminated after its grace
 * period.
 */
import { describe, readProperty, isArrayValue } from "../core/errors.js";
import type { Operation } from "../core/traps.js";
import type { EventLoop } from "../asyncio/event-loop.js";
import type { Executor } from "../asyncio/executor.js";
import type { Future } from "../asyncio/future.js";
import { currentLoop } from "../bridge/open-loop.js";
import { trioAsAio } from "../bridge/trio-as-aio.js";
import type { WorkerOperations } from "./define-worker.js";
import { checkOperation, type WorkerCaller, type WorkerHandle } from "./open-worker.js";
import type { WorkerPool } from "./pool.js";

function* callWorker(caller: WorkerCaller, name: string, args: readonly unknown[]): Operation<unknown> {
  return yield* caller.call(name, args as never);
}

// Pure: made once here, dropped with WorkerExecutor by an app that does not use it (a plain call
// at module level would keep the asyncio bridge, Future and all, in every worker's bundle).
const callWorkerFromAio = /* @__PURE__ */ trioAsAio(callWorker);

/**
 * An executor for `loop.runInExecutor(executor, name, ...args)` that runs
 * worker operations on a pool (or one worker). Set it as the loop's default
 * with `loop.setDefaultExecutor(executor)` for `asyncio.toThread`.
 *
 * ```ts
 * yield* openWorkerPool<Ops>(url, function* (pool) {
 *   yield* openLoop(function* (loop) {
 *     loop.setDefaultExecutor(new WorkerExecutor(pool));
 *     yield* aioAsTrio(function* () {
 *       const tree = yield* asyncio.toThread("parse", text);
 *     })();
 *   });
 * });
 * ```
 */
export class WorkerExecutor<Ops extends WorkerOperations = WorkerOperations> implements Executor {
  /** The pool, worker or caller the executor's calls go to. */
  readonly caller: WorkerCaller<Ops>;
  // The pool and handle types are named so that `new WorkerExecutor(pool)` infers
  // the operations of a typed pool; from WorkerCaller<Ops> alone (whose `call`
  // is generic) nothing is inferred, and a typed pool was refused.
  constructor(caller: WorkerPool<Ops> | WorkerHandle<Ops> | WorkerCaller<Ops>) {
    this.caller = caller;
    if (caller === null || typeof caller !== "object" || typeof readProperty(caller, "call") !== "function" || !isArrayValue(readProperty(caller, "operations"))) {
      throw new TypeError(`new WorkerExecutor(pool) needs a WorkerPool or WorkerHandle (from openWorkerPool/openWorker), got ${describe(caller)}.`);
    }
  }

  submit(loop: EventLoop, name: string, args: readonly unknown[]): Future<unknown> {
    const what = `runInExecutor(executor, ${describe(name)})`;
    if (currentLoop() !== loop) {
      throw new TypeError(`${what}: the loop must be the one running here (the openLoop block's loop).`);
    }
    // Checked now, so a wrong name raises where it was written, not in the Future.
    checkOperation(what, name, this.caller.operations);
    return callWorkerFromAio(this.caller as WorkerCaller, name, [...args]);
  }
}
