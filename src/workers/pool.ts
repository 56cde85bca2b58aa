/**
 * `openWorkerPool`: N workers of one module for the duration of a block,
 * with a `CapacityLimiter` admitting one call per worker at a time.
 *
 * Why it is built so: a worker that was terminated (its cancelled call
 * spun past the grace period, or it crashed) is replaced at once, so the
 * pool keeps its size; a worker that never managed to start is not
 * replaced in a loop, and the next call that finds no idle worker starts
 * one itself (raising the load error to that caller). A caller cancelled
 * while its worker starts leaves it starting, back in the pool: starting
 * a worker costs far more than waiting for one. Closing the pool
 * terminates every worker, wakes callers waiting for a token (they get
 * ClosedResourceError), and returns once all workers have exited.
 */
import { ClosedResourceError, describe, isInstance } from "../core/errors.js";
import { callTaskFunction, checkFunction } from "../core/nursery.js";
import { requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { CapacityLimiter } from "../sync/capacity-limiter.js";
import { contextExecutor } from "../asyncio/executor.js";
import { isWorkerLike, type WorkerLike } from "./endpoint.js";
import { checkWorkerOptions, WorkerConnection, type CallOptions, type WorkerOptions } from "./connection.js";
import { closingAfter } from "./cleanup.js";
import { WorkerExecutor } from "./executor.js";
import type { WorkerOperations } from "./define-worker.js";
import { checkArgs, checkOperation, closeConnections, type OperationArgs, type OperationResult, type WorkerCaller } from "./open-worker.js";

/** What a pool starts its workers from: a module URL, or a function that makes a worker. */
export type WorkerPoolSource = string | URL | (() => WorkerLike);

/** Options of `openWorkerPool`. */
export interface WorkerPoolOptions extends WorkerOptions {
  /** How many workers (and so calls at once). Default 2. */
  size?: number | undefined;
}

/** A borrower of the pool's limiter: one per call, so statistics list the calls. */
class PoolCall {
  constructor(readonly op: string) {}
  toString(): string {
    return `<pool call ${this.op}>`;
  }
}

let nextPoolNumber = 1;

/**
 * The most workers one pool starts. Each is a thread with its own heap (a
 * few MB at least); more than the cores gives no speed, and a size far above
 * any machine's core count is a mistake (a count of items, of bytes?), which
 * would otherwise start that many threads before the first call.
 */
const MAX_POOL_SIZE = 256;

/** A pool of workers of one module, open for the duration of an `openWorkerPool` block. */
export class WorkerPool<Ops extends WorkerOperations = WorkerOperations> implements WorkerCaller<Ops> {
  /** Admits one call per worker; its statistics list the calls in flight and waiting. */
  readonly limiter: CapacityLimiter;
  private readonly idle: WorkerConnection[] = [];
  private readonly all = new Set<WorkerConnection>();
  private closed = false;
  private spawned = 0;
  private _operations: readonly string[] = [];

  /** @internal */
  constructor(
    private readonly source: WorkerPoolSource,
    /** How many workers the pool runs at most (its `CapacityLimiter`'s total). */
    readonly size: number,
    private readonly label: string,
    private readonly graceSeconds: number,
    private readonly startSeconds: number,
  ) {
    this.limiter = new CapacityLimiter(size);
  }

  get operations(): readonly string[] {
    return this._operations;
  }

  /** How many workers are running (starting or ready). */
  get workerCount(): number {
    return this.all.size;
  }

  /** How many workers were started so far, replacements included. */
  get workersStarted(): number {
    return this.spawned;
  }

  /** True once the pool's block has ended. */
  get isClosed(): boolean {
    return this.closed;
  }

  *call<K extends keyof Ops & string>(name: K, args: OperationArgs<Ops, K>, options?: CallOptions): Operation<OperationResult<Ops, K>> {
    const what = `${this.label}.call(${describe(name)})`;
    requireTask(what);
    checkArgs(what, args);
    if (this.closed) throw this.closedError(what);
    checkOperation(what, name, this._operations);
    const borrower = new PoolCall(name);
    yield* this.limiter.acquireOnBehalfOf(borrower);
    try {
      if (this.closed) throw this.closedError(what);
      const connection = this.idle.pop() ?? this.spawn();
      try {
        // A caller cancelled while its worker starts leaves it starting: it goes back to the pool, not to waste.
        yield* connection.waitReady(true);
        return (yield* connection.call(name, args, options, what)) as OperationResult<Ops, K>;
      } finally {
        if (connection.alive && !this.closed) this.idle.push(connection);
      }
    } finally {
      this.limiter.releaseOnBehalfOf(borrower);
    }
  }

  private closedError(what: string): ClosedResourceError {
    return new ClosedResourceError(`${what}: the pool is closed (its openWorkerPool block has ended). Make calls inside the block.`);
  }

  /** @internal Starts one worker (not yet ready). */
  spawn(): WorkerConnection {
    let source: string | URL | WorkerLike = this.source as string | URL;
    if (typeof this.source === "function") {
      const made = this.source();
      if (!isWorkerLike(made)) throw new TypeError(`${this.label}: the worker factory must return a Worker (browser or worker_threads), got ${describe(made)}.`);
      source = made;
    }
    this.spawned++;
    const connection = new WorkerConnection(source, `${this.label} worker #${this.spawned}`, this.graceSeconds, this.startSeconds);
    this.all.add(connection);
    connection.onExit = (c) => this.onWorkerExit(c);
    return connection;
  }

  private onWorkerExit(connection: WorkerConnection): void {
    this.all.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    // Replace a worker that had started; one that failed to load would fail again.
    if (this.closed || !connection.wasReady || this.all.size >= this.size) return;
    try {
      this.idle.push(this.spawn());
    } catch {
      // The next call that finds no idle worker starts one and raises this error.
    }
  }

  /** @internal Starts the first workers and waits until all are ready. */
  *start(): Operation<void> {
    for (let i = 0; i < this.size; i++) this.idle.push(this.spawn());
    for (const connection of [...this.idle]) yield* connection.waitReady();
    this._operations = this.idle[0]?.operations ?? [];
  }

  /** @internal Terminates every worker and waits until all have exited; returns a terminate() failure (none: empty). */
  *close(): Operation<Error[]> {
    this.closed = true;
    this.idle.length = 0;
    // Callers waiting for a token are let through, to find the pool closed.
    this.limiter.totalTokens = Infinity;
    return yield* closeConnections(this.all);
  }

  toString(): string {
    return `<${this.label}: ${this.all.size} workers${this.closed ? ", closed" : ""}>`;
  }
}

/**
 * Opens a pool of `options.size` workers running a module that calls
 * `defineWorker`, waits until all are ready, runs `body(pool)` and returns
 * its result. On exit every worker is terminated, and `openWorkerPool`
 * returns once all have exited. Inside the block the pool is the default
 * of `toThread.runSync` and `asyncio.toThread` (the innermost pool wins).
 *
 * ```ts
 * yield* openWorkerPool<SearchOps>(new URL("./search.worker.js", import.meta.url), function* (pool) {
 *   const hits = yield* pool.call("search", [query]);
 * }, { size: 4 });
 * ```
 */
export function* openWorkerPool<Ops extends WorkerOperations = WorkerOperations, T = void>(
  source: WorkerPoolSource,
  body: (pool: WorkerPool<Ops>) => Operation<T>,
  options: WorkerPoolOptions = {},
): Operation<T> {
  requireTask("openWorkerPool()");
  if (typeof body !== "function") throw new TypeError(`openWorkerPool(source, body) needs a generator function as body (function* (pool) { ... }), got ${describe(body)}.`);
  checkFunction("openWorkerPool(source, body)", body); // an async body: refused before the workers start
  const { graceSeconds, startSeconds, name } = checkWorkerOptions("openWorkerPool()", options);
  const size = options.size ?? 2;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) {
    throw new TypeError(`openWorkerPool(): options.size must be a whole number of workers >= 1, got ${describe(size)}.`);
  }
  if (size > MAX_POOL_SIZE) {
    throw new RangeError(
      `openWorkerPool(): options.size ${size} is more than the ${MAX_POOL_SIZE} workers a pool may start: each worker is a thread with its own heap, and workers beyond the machine's cores only wait for them. Use about as many as navigator.hardwareConcurrency (os.availableParallelism() in Node).`,
    );
  }
  if (typeof source !== "string" && !isInstance(source, URL) && typeof source !== "function") {
    throw new TypeError(`openWorkerPool(source): source must be a module URL (string or URL) or a function that returns a Worker, got ${describe(source)}.`);
  }
  const label = name ?? `worker pool #${nextPoolNumber++}`;
  const pool = new WorkerPool<Ops>(source, size, label, graceSeconds, startSeconds);
  return yield* closingAfter(
    label,
    function* () {
      yield* pool.start();
      // The innermost pool is the default for toThread.runSync and asyncio.toThread.
      return yield* contextExecutor.run(new WorkerExecutor(pool), () => callTaskFunction("openWorkerPool(source, body)", body, [pool]));
    },
    () => pool.close(),
  );
}
