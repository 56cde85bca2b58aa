/**
 * The page's side of one worker: start it, call into it, cancel calls, and
 * terminate it.
 *
 * Why it is built so: a call parks the calling task, and the worker's answer
 * (a host message event) reschedules it, as `abortable` does for a Promise.
 * Cancelling the caller does not wake it: the abort function posts `cancel`,
 * answers `Abort.FAILED` (keep waiting) and arms a host timer for the grace
 * period. The caller is woken only by the worker's answer, or by the
 * worker's exit after the timer terminated it. So a caller's `Cancelled`
 * is raised only once the worker side has ended or been terminated: no
 * orphan work, whatever the worker does. The grace timer is a real-time
 * host timer, not the run's clock nor a test's fake timers: the worker
 * computes in real time, even when the page's run uses a MockClock.
 */
import { BrokenResourceError, ClosedResourceError, checkReadable, describe, describeError, isArrayValue, isInstance, readProperty } from "../core/errors.js";
import { current, requireTask } from "../core/state.js";
import { RemoteRun } from "../inspect/remote.js";
import { BLOCKED, beginWait, type Task } from "../core/task.js";
import { Abort, PARK, type Operation } from "../core/traps.js";
import { adaptWorker, checkTransfer, cloneFailure, createWorker, isWorkerLike, realClearTimeout, realSetTimeout, type PagePort, type WorkerSource } from "./endpoint.js";
import { WorkerDataCloneError, WorkerLoadError } from "./errors.js";
import {
  deserializeThrown,
  message,
  protocolVersionOf,
  PROTOCOL_VERSION,
  type CallMessage,
  type CancelMessage,
  type HelloMessage,
  type InspectCancelMessage,
  type InspectMessage,
  type SerializedThrown,
  describeField,
  isCallId,
  readField,
  Unreadable,
} from "./protocol.js";
import type { InspectorUpdate } from "../inspect/subscribe.js";

/** The names in a `ready` message's list of operations, or undefined if it is no list that can be read. */
function operationNames(list: unknown): string[] | undefined {
  if (!isArrayValue(list)) return undefined;
  try {
    return list.filter((n) => typeof n === "string");
  } catch {
    return undefined; // a Proxy whose traps throw
  }
}

/** Options shared by `openWorker` and `openWorkerPool`. */
export interface WorkerOptions {
  /**
   * Seconds a cancelled call may take to stop (its worker-side `finally`
   * included) before the worker is terminated. Default 1. 0 terminates at
   * once; Infinity never terminates (a worker stuck in a loop then hangs
   * the caller). A cancelled caller waits at most this plus 1 s: a Node
   * thread stuck in a native call, which terminate() cannot stop, counts
   * as gone 1 s after it.
   */
  graceSeconds?: number | undefined;
  /** Seconds to wait for the worker to load and call `defineWorker`. Default 30. */
  startSeconds?: number | undefined;
  /** A name for messages (and the browser Worker's name). */
  name?: string | undefined;
}

/** Options of one call. */
export interface CallOptions {
  /** Objects to move to the worker rather than copy (ArrayBuffers, MessagePorts, ...). */
  transfer?: readonly Transferable[] | undefined;
}

/** @internal Checks options; returns them with defaults. */
export function checkWorkerOptions(what: string, options: unknown): Required<Omit<WorkerOptions, "name">> & { name: string | undefined } {
  if (options === null || typeof options !== "object") throw new TypeError(`${what}: options must be an object, got ${describe(options)}.`);
  checkReadable(what, options);
  const o = options as WorkerOptions;
  const seconds = (key: "graceSeconds" | "startSeconds", fallback: number) => {
    const value = o[key];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new TypeError(`${what}: options.${key} must be a number of seconds >= 0 (or Infinity), got ${describe(value)}.`);
    }
    return value;
  };
  if (o.name !== undefined && typeof o.name !== "string") throw new TypeError(`${what}: options.name must be a string, got ${describe(o.name)}.`);
  return { graceSeconds: seconds("graceSeconds", 1), startSeconds: seconds("startSeconds", 30), name: o.name };
}

// The longest delay a host timer keeps (2^31 - 1 ms, about 24.8 days): a longer one fires at once.
const MAX_TIMER_MS = 0x7fffffff;

type State = "starting" | "ready" | "stopping" | "exited";

// Host timers as this module uses them (numbers in the browser, objects in Node).
type Timer = ReturnType<typeof setTimeout>;

/** One call in flight. */
class PendingCall {
  /** The caller's Cancelled, once it was cancelled; raised when the worker side has ended. */
  cancelled: Error | null = null;
  /** The grace timer, armed when the caller is cancelled; disarmed by the answer. */
  graceTimer: Timer | undefined = undefined;
  constructor(
    readonly id: number,
    readonly op: string,
    readonly task: Task,
    private readonly label: string,
  ) {}

  /** What the inspector shows the caller waiting on. */
  toString(): string {
    return `${this.label}: call "${this.op}" #${this.id}${this.cancelled === null ? "" : " (cancelled, waiting for the worker)"}`;
  }
}

/** A waiter for the worker's `ready` (or its exit). */
class StartWait {
  cancelled: Error | null = null;
  constructor(
    readonly task: Task,
    private readonly label: string,
  ) {}

  toString(): string {
    return `${this.label}: starting`;
  }
}


/** @internal The page's connection to one worker. */
export class WorkerConnection {
  private state: State = "starting";
  private readonly port: PagePort;
  private readonly pending = new Map<number, PendingCall>();
  private readonly timers = new Set<Timer>();
  private starter: StartWait | null = null;
  private nextId = 1;
  /** The worker's operations, known once it is ready. */
  operations: readonly string[] = [];
  /** True once the worker was ready (a pool replaces only such workers). */
  wasReady = false;
  /** Why the worker stopped or failed, for the errors of calls it strands. */
  private failure: Error | null = null;
  /** Whether `close()` (the owner) stopped it, rather than a failure or the grace period. */
  private closedByOwner = false;
  readonly exited: Promise<void>;
  private markExited!: () => void;
  /** Called once when the worker has exited (the pool replaces it). */
  onExit: ((connection: WorkerConnection) => void) | null = null;
  /** The worker's run in this thread's inspector, once it is ready. */
  private remote: RemoteRun | null = null;
  /** The task that opened the worker: the inspector shows the worker's run under it. */
  private readonly hostTaskId: number | null = current.task?.id ?? null;

  constructor(
    source: WorkerSource,
    readonly label: string,
    private readonly graceSeconds: number,
    private readonly startSeconds: number,
  ) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    let worker;
    if (typeof source === "string" || isInstance(source, URL)) {
      try {
        worker = createWorker(source, label);
      } catch (error) {
        throw new WorkerLoadError(`${label} could not be created from ${describe(String(source))}: ${describeError(error)}. Check the URL (relative URLs resolve against the page, or the working directory in Node).`, { cause: error });
      }
    } else if (isWorkerLike(source)) {
      worker = source;
    } else {
      throw new TypeError(`${label}: the worker must be a module URL (string or URL) or a Worker (browser or worker_threads), got ${describe(source)}.`);
    }
    try {
      this.port = adaptWorker(worker, {
        message: (data) => this.onMessage(data),
        error: (error) => this.onError(error),
        exit: () => this.onExited(),
      });
    } catch (error) {
      throw new TypeError(`${label}: the worker could not be set up (${describeError(error)}), so it was terminated and its listeners removed. Pass a Worker (browser or worker_threads) whose on/off or addEventListener/removeEventListener work.`, { cause: error });
    }
    // A worker made earlier may have said "ready" before we listened: ask it again (a duplicate is ignored).
    try {
      this.port.post(message<HelloMessage>({ kind: "hello" }), []);
    } catch {
      // A worker that refuses messages fails its calls with their own errors.
    }
    if (startSeconds !== Infinity) {
      this.after(startSeconds, () => {
        if (this.state === "starting") this.terminate(new WorkerLoadError(`${label} did not call defineWorker() within ${startSeconds} s of starting. Make sure the module calls defineWorker({ ... }) when it loads (raise options.startSeconds for a slow start).`));
      });
    }
  }

  /** True until the worker is terminated or has exited. */
  get alive(): boolean {
    return this.state === "starting" || this.state === "ready";
  }

  /** Runs `fn` after `seconds` of real time; a delay longer than a host timer keeps is never (undefined). */
  private after(seconds: number, fn: () => void): Timer | undefined {
    if (seconds * 1000 > MAX_TIMER_MS) return undefined;
    const timer = realSetTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, seconds * 1000);
    this.timers.add(timer);
    return timer;
  }

  /**
   * Waits until the worker is ready. Cancelling terminates it, and returns
   * once it has exited; with `keep` (a pool's worker, which outlives the
   * caller) cancelling only ends the wait: the worker goes on starting, for
   * its owner to use or close.
   */
  *waitReady(keep = false): Operation<void> {
    const task = requireTask(`${this.label}: waiting for the worker to start`);
    if (this.state === "ready") return;
    if (this.state !== "starting") throw this.deadError("start");
    const wait = new StartWait(task, this.label);
    beginWait(task, (raiseCancel) => {
      if (keep) {
        // Nothing of the caller's runs in the worker yet: it may leave at once.
        this.starter = null;
        return Abort.SUCCEEDED;
      }
      wait.cancelled = raiseCancel();
      this.terminate(null);
      return Abort.FAILED; // woken by the exit
    });
    this.starter = wait;
    task.waitingOn = wait;
    yield PARK;
  }

  /** Calls operation `op` in the worker; see `WorkerHandle.call`. */
  *call(op: string, args: readonly unknown[], options: CallOptions | undefined, what: string): Operation<unknown> {
    const task = requireTask(what);
    if (this.state !== "ready") throw this.deadError("call");
    const transfer = checkTransfer(what, options);
    if (task.scope.effective) {
      // Already cancelled: raise at once, nothing posted (as a checkpoint would).
      throw task.scope.effectiveCancelled();
    }
    const id = this.nextId++;
    const call = new PendingCall(id, op, task, this.label);
    // Before the call is posted: a wait this task dropped is undone first.
    beginWait(task, (raiseCancel) => {
      call.cancelled = raiseCancel();
      this.cancelCall(call);
      return Abort.FAILED; // woken by the worker's answer, or its exit
    });
    try {
      this.port.post(message<CallMessage>({ kind: "call", id, op, args }), transfer);
    } catch (error) {
      task.abortFn = null; // nothing was posted: nothing to undo
      throw cloneError(what, args, transfer, error);
    }
    this.pending.set(id, call);
    task.waitingOn = call;
    return yield PARK;
  }

  private cancelCall(call: PendingCall): void {
    if (this.state !== "ready") return; // stopping already: the exit wakes the caller
    if (this.graceSeconds === 0) {
      this.terminate(new BrokenResourceError(`${this.label} was terminated: call "${call.op}" was cancelled and the grace period is 0.`));
      return;
    }
    const reason = call.cancelled?.message;
    try {
      this.port.post(message<CancelMessage>({ kind: "cancel", id: call.id, reason: reason === "" ? undefined : reason }), []);
    } catch (error) {
      // This runs in the caller's abort function: a throw there would wake the caller with the error while
      // its call still runs in the worker. The worker cannot be told, so only termination stops the call.
      this.terminate(new BrokenResourceError(`${this.label} was terminated: call "${call.op}" was cancelled, and the worker could not be told (its postMessage threw ${describeError(error)}).`, { cause: error }));
      return;
    }
    if (this.graceSeconds !== Infinity) {
      call.graceTimer = this.after(this.graceSeconds, () => {
        if (this.pending.get(call.id) === call) {
          this.terminate(new BrokenResourceError(`${this.label} was terminated: call "${call.op}" was cancelled and did not stop within the grace period of ${this.graceSeconds} s (a loop without checkpoints?).`));
        }
      });
    }
  }

  /**
   * Terminates the worker. Calls in flight end once it has exited: a
   * cancelled one with its Cancelled, any other with `why` (or
   * ClosedResourceError when the owner closed it).
   */
  terminate(why: Error | null): void {
    if (!this.alive) return;
    if (why === null) this.closedByOwner = true;
    else this.failure ??= why;
    this.state = "stopping";
    this.clearTimers();
    try {
      this.port.terminate();
    } catch (error) {
      // A worker whose terminate() throws will not say it exited: count it as gone (its callers
      // wake, nothing waits for it), and let the owner's block raise the error (terminateError).
      this.terminateError = new TypeError(`${this.label}: its terminate() failed (${describeError(error)}), so it may still be running. Pass a Worker (browser or worker_threads) whose terminate() works.`, { cause: error });
      this.onExited();
    }
  }

  /** @internal Why terminate() failed, for the block that closes this worker to raise. */
  terminateError: TypeError | null = null;

  /** Posts a message of the inspector's while the worker runs; never throws (tools call this). */
  private postIfReady(msg: object): void {
    if (this.state !== "ready") return;
    try {
      this.port.post(msg, []);
    } catch {
      // the worker is going away: its exit removes its run from the inspector
    }
  }

  private clearTimers(): void {
    for (const timer of this.timers) realClearTimeout(timer);
    this.timers.clear();
  }

  private onMessage(data: unknown): void {
    const version = protocolVersionOf(data);
    if (version === undefined) return; // something else the worker posted
    if (version !== PROTOCOL_VERSION) {
      this.terminate(new WorkerLoadError(`${this.label} speaks version ${version} of the worker protocol, this page version ${PROTOCOL_VERSION}: build the worker and the page with the same trio-asyncio.`));
      return;
    }
    // Every field is read totally: a worker handed over by the caller can deliver anything (a getter that
    // throws, a Proxy), and nothing may throw into the host's listener.
    const msg = data as object;
    const kind = readProperty(msg, "kind");
    switch (kind) {
      case "ready": {
        if (this.state !== "starting") return;
        const list = readField(msg, "operations");
        const operations = operationNames(list);
        if (operations === undefined) {
          this.terminate(new WorkerLoadError(`${this.label} said it was ready, but its list of operations ${describeField(list)}, not an array of names. Build the worker and the page with the same trio-asyncio.`));
          return;
        }
        this.operations = operations;
        this.state = "ready";
        this.wasReady = true;
        this.clearTimers();
        this.remote = new RemoteRun(this.label, this.hostTaskId, {
          watch: (watch) => this.postIfReady(message<InspectMessage>({ kind: "inspect", watch })),
          cancel: (what, id, reason) => this.postIfReady(message<InspectCancelMessage>({ kind: "inspectCancel", what, id, reason })),
        });
        this.wakeStarter(undefined, false);
        return;
      }
      case "result":
      case "error":
      case "cancelled": {
        const id = readField(msg, "id");
        if (!isCallId(id)) {
          // An answer to no call we can name: the call it was meant for would wait forever.
          this.terminate(new BrokenResourceError(`${this.label} sent a "${kind}" answer whose call id ${describeField(id)}, not a call number, so it was terminated (a call waiting for that answer would have waited forever). Build the worker and the page with the same trio-asyncio.`));
          return;
        }
        const call = this.pending.get(id);
        if (call === undefined) return; // an answer to a call already settled
        if (kind === "cancelled") {
          this.settle(id, call.cancelled ?? new BrokenResourceError(`${this.label}: call "${call.op}" was cancelled inside the worker, not by its caller.`), true);
          return;
        }
        const field = readField(msg, kind === "result" ? "value" : "error");
        if (isInstance(field, Unreadable)) {
          this.settle(id, new TypeError(`${this.label}: the answer to call "${call.op}" cannot be read (${describeError(field.error)}). Build the worker and the page with the same trio-asyncio.`, { cause: field.error }), true);
        } else if (kind === "result") {
          this.settle(id, field, false);
        } else {
          this.settle(id, deserializeThrown(field as SerializedThrown), true);
        }
        return;
      }
      case "inspector": {
        const update = readProperty(msg, "update");
        const timeOrigin = readProperty(msg, "timeOrigin");
        if (update !== null && typeof update === "object" && typeof timeOrigin === "number") {
          try {
            this.remote?.apply(update as InspectorUpdate, timeOrigin - performance.timeOrigin);
          } catch {
            // A malformed update (another build's worker?) costs its records in the panel, not the calls.
          }
        }
        return;
      }
      case "fatal":
        this.terminate(new BrokenResourceError(`${this.label} failed outside any call (a bug in the worker's runtime), so it was terminated.`, { cause: deserializeThrown(readProperty(msg, "error") as SerializedThrown) }));
        return;
      default:
        return; // a kind of a later minor version: ignored
    }
  }

  private onError(error: unknown): void {
    if (this.state === "starting") {
      const detail = describeError(error);
      // Chromium and Firefox word a module's `import` in a classic worker so.
      if (/outside a module|may only appear at top level of a module/.test(detail)) {
        this.terminate(new WorkerLoadError(`${this.label} failed to load: ${detail}. It was started as a classic script: make it a module worker, new Worker(url, { type: "module" }).`, { cause: error }));
        return;
      }
      this.terminate(new WorkerLoadError(`${this.label} failed to load: ${detail}. Check the module URL, that it loads in a worker (no DOM), and that it calls defineWorker({ ... }).`, { cause: error }));
    } else {
      this.terminate(new BrokenResourceError(`${this.label} failed outside any call (${describeError(error)}), so it was terminated.`, { cause: error }));
    }
  }

  private onExited(): void {
    if (this.state === "exited") return;
    if (this.state === "starting" || this.state === "ready") {
      this.failure ??= this.state === "starting" ? new WorkerLoadError(`${this.label} exited before it called defineWorker({ ... }). Make sure the module calls it when it loads.`) : new BrokenResourceError(`${this.label} exited on its own while calls were in flight.`);
    }
    this.state = "exited";
    this.clearTimers();
    this.remote?.dispose();
    this.remote = null;
    // Rule: a cancelled caller gets its Cancelled now, when nothing of its call runs any more.
    this.wakeStarter(this.starter?.cancelled ?? this.deadError("start"), true);
    for (const call of [...this.pending.values()]) this.settle(call.id, call.cancelled ?? this.deadError("call"), true);
    this.markExited();
    this.onExit?.(this);
  }

  private wakeStarter(value: unknown, throws: boolean): void {
    const wait = this.starter;
    if (wait === null) return;
    this.starter = null;
    const task = wait.task;
    if (task.state === BLOCKED && task.waitingOn === wait) task.runner.reschedule(task, value, throws);
  }

  private settle(id: number, value: unknown, throws: boolean): void {
    const call = this.pending.get(id);
    if (call === undefined) return;
    this.pending.delete(id);
    if (call.graceTimer !== undefined) {
      realClearTimeout(call.graceTimer);
      this.timers.delete(call.graceTimer);
    }
    const task = call.task;
    if (task.state === BLOCKED && task.waitingOn === call) task.runner.reschedule(task, value, throws);
  }

  /** The error for using a worker that is not (or no longer) running. */
  private deadError(what: "start" | "call"): Error {
    if (this.closedByOwner) {
      return new ClosedResourceError(`${this.label} is closed: its openWorker/openWorkerPool block has ended. Make calls inside the block.`);
    }
    if (this.failure !== null) return this.failure;
    return new BrokenResourceError(`${this.label} has stopped; cannot ${what}.`);
  }
}

// At most this many arguments are cloned one by one to name the one at fault: `args` may be a Proxy
// claiming a length of 2^30 (the search took an hour; the post itself had failed at once).
const MAX_ARGS_SEARCHED = 1000;

function cloneError(what: string, args: readonly unknown[], transfer: readonly unknown[], error: unknown): unknown {
  // Find the argument at fault, to name it: only on this failure path. Read totally: args may be a hostile Proxy.
  let which: string | undefined;
  const length = readProperty(args, "length");
  const n = typeof length === "number" ? length : 0;
  for (let i = 0; i < Math.min(n, MAX_ARGS_SEARCHED); i++) {
    const arg = readProperty(args, i);
    try {
      structuredClone(arg);
    } catch (argError) {
      if (cloneFailure(argError) === undefined) return error; // a getter of the argument threw: its own error
      which = `argument ${i} (${describe(arg)})`;
      break;
    }
  }
  if (which === undefined && readProperty(transfer, "length") !== 0) {
    return new WorkerDataCloneError(
      `${what}: options.transfer cannot be used (${describeError(error)}). List only objects that can be moved (ArrayBuffers, MessagePorts, ...), each once. Nothing was sent.`,
      { cause: error },
    );
  }
  const failure = cloneFailure(error);
  if (failure === undefined) return error;
  // Each argument clones alone: the list itself does not (a Proxy, or a property besides its items).
  if (which === undefined && n <= MAX_ARGS_SEARCHED) which = "the arguments array itself (a Proxy, or a property besides its items?)";
  return new WorkerDataCloneError(
    `${what}: ${which ?? "an argument"} cannot be sent to the worker (${failure}). Arguments are structured-cloned: pass plain data (objects, arrays, strings, numbers, typed arrays, Maps, Sets; no functions, DOM nodes or class methods), and list ArrayBuffers or MessagePorts to move in { transfer: [...] }. Nothing was sent.`,
    { cause: error },
  );
}
