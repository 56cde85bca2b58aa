/**
 * The worker side: `defineWorker({ parse, resize })` in a worker module.
 *
 * Why it is built so: the worker runs one `run()` for its whole life. Its
 * main task opens one nursery and keeps it open; the host's message
 * listener starts each call straight into that nursery as a Trio task.
 * (An earlier version passed messages through a memory channel to a
 * reading task, with a cancel scope per call: a task step, a wake and a
 * scope more per call, most of a trivial call's cost in the worker.) A
 * `cancel` message cancels that call's task alone (`Task.cancel`), so the
 * operation receives `Cancelled` at its next checkpoint and its `finally`
 * blocks run here, in the worker; the worker answers `cancelled` only once
 * the task has ended. An operation that never reaches a checkpoint cannot
 * be cancelled this way: the page terminates the worker after its grace
 * period. Messages are handled in the order they arrive, so a `cancel`
 * always finds the task of a call that arrived before it.
 */
import { checkReadable, describe, describeError, functionName, readProperty, isArrayValue } from "../core/errors.js";
import { openNursery, type Nursery } from "../core/nursery.js";
import { sleepForever } from "../core/operations.js";
import { run } from "../core/runner.js";
import type { Task } from "../core/task.js";
import type { Operation } from "../core/traps.js";
import { cancel, type CancelKind } from "../inspect/control.js";
import { subscribe } from "../inspect/subscribe.js";
import { cloneFailure, currentWorkerEndpoint, type WorkerEndpoint } from "./endpoint.js";
import {
  message,
  protocolVersionOf,
  PROTOCOL_VERSION,
  serializeThrown,
  isOnlyCancelled,
  describeField,
  isCallId,
  readField,
  type CancelledMessage,
  type ErrorMessage,
  type FatalMessage,
  type InspectorMessage,
  type ReadyMessage,
  type ResultMessage,
} from "./protocol.js";

/**
 * The operations a worker exports: generator functions, each run as a Trio
 * task per call. Arguments and results are structured-cloned.
 */
export type WorkerOperations = Record<string, (...args: never[]) => Operation<unknown>>;

/** Options of `defineWorker`. */
export interface DefineWorkerOptions {
  /** Where the page's messages come from; by default the worker this module runs in. */
  endpoint?: WorkerEndpoint | undefined;
}

const TRANSFER = Symbol("trio-asyncio.transfer");

/** How often a watched worker sends its inspector's changes to the page (ms). */
const INSPECTOR_INTERVAL_MS = 100;

/** A page tool's cancel of one of this worker's scopes or tasks; a stale or bad request does nothing. */
function cancelFromTool(what: unknown, id: unknown, reason: unknown): void {
  try {
    // cancel() checks the kind and the id itself (a TypeError for a bad one).
    cancel(what as CancelKind, id as number, typeof reason === "string" ? reason : undefined);
  } catch {
    // A malformed request from the page: nothing to cancel.
  }
}

// One defineWorker per worker: a second would answer every call twice.
let defined = false;

/** A result to be sent with a transfer list (see `withTransfer`). */
export interface TransferResult<T> {
  readonly [TRANSFER]: readonly Transferable[];
  readonly value: T;
}

/**
 * Returns `value` from a worker operation with `transfer` moved rather than
 * copied: `return withTransfer(pixels, [pixels.buffer])`. The page receives
 * `value`.
 */
export function withTransfer<T>(value: T, transfer: readonly Transferable[]): T {
  if (!isArrayValue(transfer)) throw new TypeError(`withTransfer(value, transfer) needs an array of transferables (ArrayBuffers, MessagePorts, ...), got ${describe(transfer)}.`);
  return { [TRANSFER]: transfer, value } satisfies TransferResult<T> as unknown as T;
}

function unwrapTransfer(value: unknown): [unknown, readonly unknown[]] {
  if (value === null || typeof value !== "object") return [value, []];
  try {
    if (TRANSFER in value) {
      const wrapped = value as TransferResult<unknown>;
      return [wrapped.value, wrapped[TRANSFER]];
    }
  } catch {
    // A revoked Proxy: not ours to unwrap; posting it fails with the clear message below.
  }
  return [value, []];
}

/**
 * Makes this module a worker that serves `operations` to the page that
 * opened it (`openWorker` / `openWorkerPool`). Returns `operations`, so the
 * module can export their type for the page: `export type Ops = typeof ops`.
 *
 * ```ts
 * const ops = defineWorker({
 *   *parse(text: string) { ...; return tree; },
 * });
 * export type Ops = typeof ops;
 * ```
 */
export function defineWorker<Ops extends WorkerOperations>(operations: Ops, options: DefineWorkerOptions = {}): Ops {
  if (operations === null || typeof operations !== "object") {
    throw new TypeError(`defineWorker(operations) needs an object of generator functions ({ *parse(text) { ... } }), got ${describe(operations)}.`);
  }
  let names: string[];
  try {
    names = Object.keys(operations);
  } catch (cause) {
    throw new TypeError(`defineWorker(operations): the operations object cannot be read (${describeError(cause)}); pass a plain object of generator functions.`, { cause });
  }
  for (const name of names) {
    const op = operations[name];
    if (typeof op !== "function") {
      throw new TypeError(`defineWorker(operations): operation "${name}" must be a generator function (function* or *${name}() { ... }), got ${describe(op)}.`);
    }
    const kind = functionName(readProperty(op, "constructor"));
    if (kind === "AsyncFunction" || kind === "AsyncGeneratorFunction") {
      throw new TypeError(`defineWorker(operations): operation "${name}" is an ${kind === "AsyncFunction" ? "async function" : "async generator function"}; it must be a generator function (*${name}() { ... }). Await a Promise inside it with yield* waitPromise(p).`);
    }
  }
  if (options === null || typeof options !== "object") throw new TypeError(`defineWorker(operations, options): options must be an object ({ endpoint }) or left out, got ${describe(options)}.`);
  checkReadable("defineWorker(operations, options)", options);
  const given = options.endpoint;
  if (given !== undefined && (given === null || typeof given !== "object" || typeof readProperty(given, "postMessage") !== "function" || typeof readProperty(given, "listen") !== "function")) {
    throw new TypeError(`defineWorker(operations, options): options.endpoint must be a WorkerEndpoint (an object with postMessage(message, transfer) and listen(listener)), or left out inside a worker, got ${describe(given)}.`);
  }
  if (defined && given === undefined) {
    throw new TypeError("defineWorker() was already called in this worker; call it once, with all the operations in one object.");
  }
  const endpoint = given ?? currentWorkerEndpoint();
  if (endpoint === undefined) {
    throw new TypeError(
      "defineWorker() must run inside a worker: load this module with openWorker(url) or openWorkerPool(url, ...) (a module Worker in the browser, a worker_threads Worker in Node), or pass { endpoint }.",
    );
  }
  const server = new CallServer(endpoint, operations);
  try {
    endpoint.listen((data) => server.receive(data));
  } catch (error) {
    // Nothing was defined: no run starts, and a listener the endpoint kept anyway ignores what it hears.
    server.detach();
    throw new TypeError(
      `defineWorker(): listening for the page's messages failed (${describeError(error)}), so nothing was defined; call defineWorker() again once the endpoint can listen (an endpoint of yours needs a working listen(listener)).`,
      { cause: error },
    );
  }
  // Defined only once it listens: a definition that failed leaves the module free to try again.
  if (given === undefined) defined = true;
  run(serve, server, names).then(
    // The serving task never returns by itself: a tool cancelled it (the devtools panel can), or the
    // endpoint refused every answer (fail() has told the page already, if it could).
    // Nothing serves calls any more, so the page must stop waiting for answers.
    () => server.fail(new Error("the worker's serving task was cancelled (from a tool such as the devtools panel); it serves no more calls")),
    // A bug in the worker's own run: tell the page, which fails every call.
    (error: unknown) => server.fail(error),
  );
  return operations;
}

/** Starts the page's calls as tasks of the serving nursery, and cancels them. */
class CallServer {
  /** The nursery calls run in, while the worker's run serves. */
  nursery: Nursery | null = null;
  /** Each running call's task, by call id (a cancel message cancels the task alone). */
  readonly calls = new Map<number, Task>();
  /** Messages that came before the nursery opened (the page waits for `ready`, so normally none). */
  private early: unknown[] | null = [];

  constructor(
    readonly endpoint: WorkerEndpoint,
    readonly operations: WorkerOperations,
  ) {}

  /** The host's message listener: never throws into the host. */
  receive(data: unknown): void {
    if (protocolVersionOf(data) !== PROTOCOL_VERSION) return; // not ours
    if (this.early !== null) {
      this.early.push(data);
      return;
    }
    const nursery = this.nursery;
    if (nursery === null) return; // the run has failed; the page heard "fatal"
    // Every field is read totally: an endpoint of the caller's can deliver anything (a getter that throws,
    // a Proxy), and nothing may throw into the host's listener.
    const msg = data as object;
    const kind = readProperty(msg, "kind");
    if (kind === "call") {
      const id = readField(msg, "id");
      if (!isCallId(id)) return; // names no call: there is no one to answer
      const op = readField(msg, "op");
      const args = readField(msg, "args");
      if (typeof op !== "string" || !isArrayValue(args)) {
        const error = new TypeError(`Call #${id} from the page cannot be served: it needs an operation name (a string) and arguments (an array); its "op" field ${describeField(op)} and its "args" field ${describeField(args)}. Build the worker and the page with the same trio-asyncio.`);
        this.answer(id, typeof op === "string" ? op : "?", { kind: "error", error });
        return;
      }
      try {
        this.calls.set(id, nursery.startSoonNamed(`worker call ${op} #${id}`, serveCall, this, { id, op, args }));
      } catch (error) {
        // The nursery closed under a failing run, before the page heard "fatal".
        this.answer(id, op, { kind: "error", error });
      }
    } else if (kind === "cancel") {
      // A call that already ended has no task here: its answer is on its way.
      const id = readField(msg, "id");
      const reason = readField(msg, "reason");
      if (isCallId(id)) this.calls.get(id)?.cancel(typeof reason === "string" ? reason : "the caller was cancelled");
    } else if (kind === "hello") {
      // The page listens now; its first "ready" may have come before it did.
      // If the endpoint refuses it, the page's startSeconds (or its next hello) tells.
      tryPost(this.endpoint, message<ReadyMessage>({ kind: "ready", operations: Object.keys(this.operations) }), []);
    } else if (kind === "inspect") {
      this.watch(readField(msg, "watch") === true);
    } else if (kind === "inspectCancel") {
      cancelFromTool(readField(msg, "what"), readField(msg, "id"), readField(msg, "reason"));
    }
  }

  private unsubscribe: (() => void) | null = null;

  /** Sends this worker's inspector updates to the page while it watches (a panel is open there). */
  private watch(on: boolean): void {
    if (on === (this.unsubscribe !== null)) return;
    if (!on) {
      this.unsubscribe?.();
      this.unsubscribe = null;
      return;
    }
    const timeOrigin = performance.timeOrigin;
    this.unsubscribe = subscribe(
      (update) => {
        try {
          this.endpoint.postMessage(message<InspectorMessage>({ kind: "inspector", update, timeOrigin }), []);
        } catch {
          // A record that cannot be cloned (a user's value in a label?) costs this update, not the worker.
        }
      },
      // A few updates a second is what a panel shows; frames mean nothing in a worker.
      { scheduleFrame: (flush) => void setTimeout(flush, INSPECTOR_INTERVAL_MS) },
    );
  }

  /** The endpoint could not listen: this server never serves, and keeps nothing it hears. */
  detach(): void {
    this.failed = true;
    this.early = null;
  }

  /** The serving nursery is open: handle what came before it. */
  open(nursery: Nursery): void {
    if (this.failed) return; // the endpoint refused the answers of calls that came early
    this.nursery = nursery;
    const early = this.early ?? [];
    this.early = null;
    for (const data of early) this.receive(data);
  }

  /** Whether the worker has reported itself done for (`fail`). */
  private failed = false;

  /**
   * The worker serves no more calls: tells the page (`fatal`, which fails
   * its calls and terminates this worker) if the endpoint takes it, and
   * cancels the calls still running, whose `finally` blocks run. Once:
   * the run's end after it reports nothing more. Never throws; it runs from
   * the host's listener and from the run's settlement, where a throw would
   * be an unhandled rejection.
   */
  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const nursery = this.nursery;
    this.nursery = null;
    this.early = null;
    // Nobody will read this worker's inspector any more (the page terminates it, or cannot hear it).
    this.watch(false);
    tryPost(this.endpoint, message<FatalMessage>({ kind: "fatal", error: serializeThrown(error) }), []);
    try {
      nursery?.cancelScope.cancel("the worker serves no more calls");
    } catch {
      // cancel() with a string reason does not throw; nothing more to do if it did
    }
  }

  /**
   * Posts the answer to call `id` (operation `name`). If the endpoint
   * refuses it (a value that cannot be cloned, a closed port, a host
   * postMessage that throws), the call is answered with an error saying
   * so; if the endpoint refuses that too, nothing can reach the page and
   * the worker reports itself done for (`fail`). Never throws.
   */
  answer(id: number, name: string, outcome: Outcome): void {
    let refused: unknown;
    if (outcome.kind === "result") {
      const [value, transfer] = unwrapTransfer(outcome.value);
      refused = tryPost(this.endpoint, message<ResultMessage>({ kind: "result", id, value }), transfer);
      if (refused === undefined) return;
      // The value's fault (it cannot be cloned, or reading it throws), or the endpoint's (a closed port, a host that throws)?
      const failure = cloneFailure(refused);
      outcome = {
        kind: "error",
        error: new TypeError(
          failure === undefined && clones(value)
            ? `The result of worker operation "${name}" (call #${id}) could not be sent to the page: the worker's postMessage threw ${describeError(refused)}.`
            : `Worker operation "${name}" returned ${describe(value)}, which cannot be sent to the page (${failure ?? describeError(refused)}). Return plain data (objects, arrays, strings, numbers, typed arrays), and list buffers to move with withTransfer(value, [buffer]).`,
          { cause: refused },
        ),
      };
    } else if (outcome.kind === "cancelled") {
      refused = tryPost(this.endpoint, message<CancelledMessage>({ kind: "cancelled", id }), []);
      if (refused === undefined) return;
      outcome = { kind: "error", error: new TypeError(`Worker operation "${name}" (call #${id}) was cancelled, but its "cancelled" answer could not be sent to the page: the worker's postMessage threw ${describeError(refused)}.`, { cause: refused }) };
    } else {
      refused = tryPost(this.endpoint, message<ErrorMessage>({ kind: "error", id, error: serializeThrown(outcome.error) }), []);
      if (refused === undefined) return;
      outcome = { kind: "error", error: new TypeError(`The error raised by worker operation "${name}" (call #${id}) could not be sent to the page (the worker's postMessage threw ${describeError(refused)}); it raised ${describeError(outcome.error)}.`, { cause: refused }) };
    }
    // The error in its place, then the same as plain text only (no cause records that could be refused too).
    const error = outcome.error as Error;
    refused = tryPost(this.endpoint, message<ErrorMessage>({ kind: "error", id, error: serializeThrown(error) }), []);
    if (refused === undefined) return;
    const bare = { error: { name: error.name, message: error.message, stack: undefined } };
    refused = tryPost(this.endpoint, message<ErrorMessage>({ kind: "error", id, error: bare }), []);
    if (refused === undefined) return;
    this.fail(new Error(`the answer to call #${id} (operation "${name}") could not be sent to the page, nor an error in its place: the worker's postMessage threw ${describeError(refused)}. It serves no more calls.`, { cause: refused }));
  }
}

/** How a call ended, for `CallServer.answer`. */
type Outcome = { readonly kind: "result"; readonly value: unknown } | { readonly kind: "error"; readonly error: unknown } | { readonly kind: "cancelled" };

/** Whether `value` alone can be cloned (no transfer list: that would move its buffers). */
function clones(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Posts `msg`; returns what the endpoint threw (undefined if it took it). Never throws. */
function tryPost(endpoint: WorkerEndpoint, msg: unknown, transfer: readonly unknown[]): unknown {
  try {
    endpoint.postMessage(msg, transfer);
    return undefined;
  } catch (error) {
    // A host may throw anything, undefined included: never mistake a refusal for success.
    return error === undefined ? new Error("postMessage threw undefined") : error;
  }
}

function* serve(server: CallServer, names: string[]): Operation<void> {
  yield* openNursery(function* (nursery: Nursery) {
    server.open(nursery);
    server.endpoint.postMessage(message<ReadyMessage>({ kind: "ready", operations: names }), []);
    yield* sleepForever();
  });
}

/** A call as read from its message. */
interface ServedCall {
  readonly id: number;
  readonly op: string;
  readonly args: readonly unknown[];
}

function* serveCall(server: CallServer, msg: ServedCall): Operation<void> {
  const { operations } = server;
  const { id, op: name } = msg;
  let outcome: Outcome;
  try {
    const op = Object.prototype.hasOwnProperty.call(operations, name) ? operations[name] : undefined;
    if (op === undefined) {
      throw new TypeError(`This worker has no operation "${name}"; it defines ${Object.keys(operations).map((n) => `"${n}"`).join(", ") || "none"}.`);
    }
    const gen = (op as (...args: unknown[]) => unknown)(...msg.args);
    // What a plain function returned may be anything (a revoked Proxy): read it totally.
    if (gen === null || typeof gen !== "object" || typeof readProperty(gen, "next") !== "function" || typeof readProperty(gen, Symbol.iterator) !== "function") {
      if (gen !== null && typeof gen === "object" && typeof readProperty(gen, "then") === "function") {
        throw new TypeError(`Worker operation "${name}" must be a generator function (function*), but it returned ${describe(gen)}. Await a Promise inside it with yield* waitPromise(p).`);
      }
      throw new TypeError(`Worker operation "${name}" must be a generator function (function*), but it returned ${describe(gen)}.`);
    }
    outcome = { kind: "result", value: yield* gen as Operation<unknown> };
  } catch (error) {
    // The page's cancel (Task.cancel) raises Cancelled here, at the operation's checkpoint.
    outcome = isOnlyCancelled(error) ? { kind: "cancelled" } : { kind: "error", error };
  } finally {
    server.calls.delete(id);
  }
  // Total: an answer the endpoint refuses never fails this task (and with it the serving nursery and every other call).
  server.answer(id, name, outcome);
}
