/**
 * `openWorker`: one worker that lives exactly as long as a block of Trio
 * code, like `openLoop` for an asyncio loop.
 *
 * Why a block: the worker is a resource with a lifetime, and the block is
 * how this library ties lifetimes to code. When the block ends (normally,
 * by an error or by cancellation) the worker is terminated and the block
 * returns only once it has exited, so nothing is left running.
 */
import { CancelScope } from "../core/cancel-scope.js";
import { describe, isArrayValue, isInstance } from "../core/errors.js";
import { callTaskFunction, checkFunction } from "../core/nursery.js";
import { current, requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { waitPromise } from "../bridge/promise.js";
import { isWorkerLike, stopQuietly, type WorkerSource } from "./endpoint.js";
import { closingAfter, withCleanupError } from "./cleanup.js";
import { checkWorkerOptions, WorkerConnection, type CallOptions, type WorkerOptions } from "./connection.js";
import type { WorkerOperations } from "./define-worker.js";

/** The arguments of operation `K` of a worker's operations. */
export type OperationArgs<Ops extends WorkerOperations, K extends keyof Ops> = Parameters<Ops[K]>;
/** The result of operation `K` of a worker's operations. */
export type OperationResult<Ops extends WorkerOperations, K extends keyof Ops> = ReturnType<Ops[K]> extends Operation<infer R> ? R : never;

/** What can make calls into workers: one worker, or a pool. */
export interface WorkerCaller<Ops extends WorkerOperations = WorkerOperations> {
  /**
   * Runs operation `name` in the worker with `args` (structured-cloned; the
   * objects in `options.transfer` are moved) and returns its result, or
   * raises its error (rebuilt with the worker's name, message and stack; an
   * ExceptionGroup stays a group). Cancelling the caller cancels the call
   * in the worker; the caller's `Cancelled` is raised once the worker side
   * has ended, or the worker was terminated after the grace period.
   */
  call<K extends keyof Ops & string>(name: K, args: OperationArgs<Ops, K>, options?: CallOptions): Operation<OperationResult<Ops, K>>;
  /** The worker's operation names. */
  readonly operations: readonly string[];
}

/** @internal Checks an operation name before anything is posted. */
export function checkOperation(what: string, name: unknown, operations: readonly string[]): void {
  if (typeof name === "function") {
    throw new TypeError(`${what}: the operation name must be a string, got ${describe(name)}. A function cannot cross to a worker: define it in the worker module (defineWorker({ *name(...) { ... } })) and pass its name.`);
  }
  if (typeof name !== "string") throw new TypeError(`${what}: the operation name must be a string, got ${describe(name)}.`);
  if (!operations.includes(name)) {
    const known = operations.map((n) => `"${n}"`).join(", ") || "none";
    throw new TypeError(`${what}: the worker has no operation "${name}"; it defines ${known}. Add it to the worker's defineWorker({ ... }) or fix the name.`);
  }
}

/** @internal */
export function checkArgs(what: string, args: unknown): readonly unknown[] {
  if (!isArrayValue(args)) throw new TypeError(`${what}: the arguments must be an array (call(name, [a, b], options)), got ${describe(args)}.`);
  return args;
}

/** One worker, open for the duration of an `openWorker` block. */
export class WorkerHandle<Ops extends WorkerOperations = WorkerOperations> implements WorkerCaller<Ops> {
  /** @internal */
  constructor(private readonly connection: WorkerConnection) {}

  get operations(): readonly string[] {
    return this.connection.operations;
  }

  /** False once the worker was terminated or exited. */
  get alive(): boolean {
    return this.connection.alive;
  }

  *call<K extends keyof Ops & string>(name: K, args: OperationArgs<Ops, K>, options?: CallOptions): Operation<OperationResult<Ops, K>> {
    const what = `${this.connection.label}.call(${describe(name)})`;
    requireTask(what);
    checkArgs(what, args);
    if (this.connection.alive) checkOperation(what, name, this.connection.operations);
    return (yield* this.connection.call(name, args, options, what)) as OperationResult<Ops, K>;
  }

  toString(): string {
    return `<${this.connection.label}>`;
  }
}

/**
 * @internal Terminates connections and waits, shielded, until all have exited.
 * Returns the error of a worker whose terminate() failed (none: empty), for
 * the block to raise (see cleanup.ts).
 */
export function* closeConnections(connections: Iterable<WorkerConnection>): Operation<Error[]> {
  const all = [...connections];
  for (const c of all) c.terminate(null);
  yield* new CancelScope({ shield: true }).run(function* () {
    for (const c of all) yield* waitPromise(c.exited);
  });
  const failed = all.find((c) => c.terminateError !== null)?.terminateError;
  return failed === undefined || failed === null ? [] : [failed];
}

let nextWorkerNumber = 1;

/**
 * Opens a worker running a module that calls `defineWorker`, waits until it
 * is ready, runs `body(worker)` and returns its result. On exit the worker
 * is terminated, and `openWorker` returns once it has exited.
 *
 * ```ts
 * yield* openWorker<ParserOps>(new URL("./parser.worker.js", import.meta.url), function* (worker) {
 *   const tree = yield* worker.call("parse", [text]);
 * });
 * ```
 *
 * `source` is the module's URL (a module Worker in the browser, a
 * `worker_threads` Worker in Node) or a worker you made yourself.
 */
export function* openWorker<Ops extends WorkerOperations = WorkerOperations, T = void>(
  source: WorkerSource,
  body: (worker: WorkerHandle<Ops>) => Operation<T>,
  options: WorkerOptions = {},
): Operation<T> {
  let checked: ReturnType<typeof checkWorkerOptions>;
  try {
    requireTask("openWorker()");
    if (typeof body !== "function") throw new TypeError(`openWorker(source, body) needs a generator function as body (function* (worker) { ... }), got ${describe(body)}.`);
    checkFunction("openWorker(source, body)", body); // an async body: refused before a worker starts
    checked = checkWorkerOptions("openWorker()", options);
  } catch (error) {
    // A worker handed over is the block's from this call on: refused, it is not left running.
    const cleanup = yield* discardWorker(source);
    throw cleanup.length === 0 ? error : withCleanupError("openWorker()", error, cleanup);
  }
  const { graceSeconds, startSeconds, name } = checked;
  const connection = new WorkerConnection(source, name ?? `worker #${nextWorkerNumber++}`, graceSeconds, startSeconds);
  return yield* closingAfter(
    connection.label,
    function* () {
      yield* connection.waitReady();
      return yield* callTaskFunction("openWorker(source, body)", body, [new WorkerHandle<Ops>(connection)]);
    },
    () => closeConnections([connection]),
  );
}

/**
 * Terminates a worker handed to an `openWorker` that refused its other
 * arguments, and waits (shielded) until it has exited; returns the error
 * of a terminate() that failed. Outside a task nothing can wait: it is
 * terminated, and exits soon after.
 */
function* discardWorker(source: unknown): Operation<Error[]> {
  if (typeof source === "string" || isInstance(source, URL) || !isWorkerLike(source)) return []; // nothing was made
  if (current.task === null) {
    stopQuietly(source);
    return [];
  }
  let connection: WorkerConnection;
  try {
    connection = new WorkerConnection(source, `worker #${nextWorkerNumber++}`, 0, Infinity);
  } catch {
    return []; // it refused a listener: it was terminated and its listeners removed
  }
  return yield* closeConnections([connection]);
}
