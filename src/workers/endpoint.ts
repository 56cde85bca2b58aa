/**
 * The two hosts of workers, given one shape.
 *
 * Why it is built so: a browser `Worker` and Node's `worker_threads` Worker
 * differ only in how they deliver events (`addEventListener` with events
 * vs. `on` with values) and in how termination ends (the browser stops the
 * worker at once and says nothing; Node stops the thread later and emits
 * `exit`). The protocol needs four things: post, receive, learn of a
 * failure, learn of the end. Everything above this file sees only those.
 * Node's module is reached through `process.getBuiltinModule`, never a
 * static import, so this file bundles for the browser unchanged.
 */
import { checkReadable, describe, describeError, isArrayValue, isError, readProperty } from "../core/errors.js";

/** The part of a browser `Worker` this layer uses (a real `Worker` fits). */
export interface BrowserWorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  terminate(): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** The part of a Node `worker_threads` Worker this layer uses (a real one fits). */
export interface NodeWorkerLike {
  postMessage(message: unknown, transferList?: readonly never[]): void;
  terminate(): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  readonly threadId: number;
}

/** A worker to talk to: a browser `Worker` or a Node `worker_threads` Worker. */
export type WorkerLike = BrowserWorkerLike | NodeWorkerLike;

/** What to start a worker from: its module URL, or a worker you made yourself. */
export type WorkerSource = string | URL | WorkerLike;

/** @internal What the page-side connection hears from its worker. */
export interface PortEvents {
  message(data: unknown): void;
  /** The worker failed (failed to load, threw outside any call, or a message could not be read). */
  error(error: unknown): void;
  /** The worker has stopped, after `terminate()` or on its own. Called once. */
  exit(): void;
}

/** @internal The page's end of a worker, whatever the host. */
export interface PagePort {
  post(message: unknown, transfer: readonly unknown[]): void;
  /** Stops the worker; `exit` follows (at once in the browser, when the thread is gone in Node). */
  terminate(): void;
}

function isNodeWorker(worker: WorkerLike): worker is NodeWorkerLike {
  return typeof (worker as { on?: unknown }).on === "function" && typeof (worker as { off?: unknown }).off === "function";
}

/** @internal True if `value` looks like a worker of either host. */
export function isWorkerLike(value: unknown): value is WorkerLike {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  const post = readProperty(v, "postMessage");
  const terminate = readProperty(v, "terminate");
  return typeof post === "function" && typeof terminate === "function" && (typeof readProperty(v, "on") === "function" || typeof readProperty(v, "addEventListener") === "function");
}

/**
 * @internal The host's timers as they were when this module loaded. A
 * worker computes in real time, so the grace, start and exit timers must
 * not be a test's fake ones (vi.useFakeTimers, installed later): a
 * cancelled caller would wait until the test advanced them.
 */
export const realSetTimeout = globalThis.setTimeout;
/** @internal See realSetTimeout. */
export const realClearTimeout = globalThis.clearTimeout;

/**
 * How long Node may take to stop a terminated worker's thread before it
 * counts as gone. A thread blocked in a synchronous native call (execSync,
 * a blocking read) stops only when that call returns, maybe never; it runs
 * no more JavaScript once terminate() was asked, so its callers need not
 * wait for it.
 */
const EXIT_WAIT_MS = 1000;

/** @internal Wraps a worker of either host; `events` hears from it until it exits. */
export function adaptWorker(worker: WorkerLike, events: PortEvents): PagePort {
  let exited = false;
  const exitOnce = () => {
    if (exited) return;
    exited = true;
    events.exit();
  };
  if (isNodeWorker(worker)) {
    const onMessage = (data: unknown) => events.message(data);
    const onError = (error: unknown) => events.error(error);
    const onMessageError = (error: unknown) => events.error(error);
    let exitTimer: ReturnType<typeof setTimeout> | undefined;
    const onExit = () => {
      realClearTimeout(exitTimer);
      // Our exit, whatever the worker says: a throw here would go to the host's dispatch, and the
      // connection would wait for this exit forever. A listener it keeps on an exited worker never fires.
      removeAll(worker, ours);
      exitOnce();
    };
    const ours = [["message", onMessage], ["error", onError], ["messageerror", onMessageError], ["exit", onExit]] as const;
    try {
      for (const [event, listener] of ours) worker.on(event, listener);
    } catch (error) {
      // A worker that refuses a listener: take back the ones it took, and stop it (it is ours to end).
      removeAll(worker, ours);
      stopQuietly(worker);
      throw error;
    }
    return {
      post: (message, transfer) => worker.postMessage(message, transfer as readonly never[]),
      terminate: () => {
        // Node ends the thread asynchronously and then emits "exit".
        let done: PromiseLike<unknown> | undefined;
        try {
          done = worker.terminate() as PromiseLike<unknown> | undefined;
        } catch (error) {
          // It will not say it exited: our listeners go now, or they stay on a worker we count as gone.
          removeAll(worker, ours);
          throw error;
        }
        observeQuietly(done);
        // A thread stuck in native code: let it go after EXIT_WAIT_MS. Our listeners stay until
        // its real exit (onExit takes them off); unref'd, it no longer keeps the process alive.
        exitTimer ??= realSetTimeout(() => {
          try {
            const unref = readProperty(worker, "unref");
            if (typeof unref === "function") unref.call(worker);
          } catch {
            // not a real worker_threads Worker: nothing to unref
          }
          exitOnce();
        }, EXIT_WAIT_MS);
      },
    };
  }
  // The events are read totally: a worker of the caller's may dispatch anything (a plain object, a getter
  // that throws), and a throw here would go to the host, not to the calls waiting for this worker.
  const onMessage = (event: Event) => {
    let data: unknown;
    try {
      data = (event as MessageEvent).data;
    } catch (error) {
      events.error(new Error(`a message event from the worker could not be read (${describeError(error)})`, { cause: error }));
      return;
    }
    events.message(data);
  };
  const onError = (event: Event) => {
    // A module that fails to load gives a bare Event; an uncaught error an
    // ErrorEvent, whose `error` is null across the worker boundary.
    const preventDefault = readProperty(event, "preventDefault");
    try {
      if (typeof preventDefault === "function") preventDefault.call(event);
    } catch {
      // not an Event of the host's: nothing to prevent
    }
    const error = readProperty(event, "error");
    const message = readProperty(event, "message");
    events.error(error ?? (typeof message === "string" && message !== "" ? errorFromMessage(message) : new Error("the worker script failed to load or to evaluate")));
  };
  const onMessageError = () => events.error(new Error("a message from the worker could not be deserialized"));
  const ours = [["message", onMessage], ["error", onError], ["messageerror", onMessageError]] as const;
  try {
    for (const [event, listener] of ours) worker.addEventListener(event, listener);
  } catch (error) {
    removeAll(worker, ours);
    stopQuietly(worker);
    throw error;
  }
  return {
    post: (message, transfer) => worker.postMessage(message, transfer as Transferable[]),
    terminate: () => {
      // The browser stops the worker at once and emits nothing: we say it.
      try {
        worker.terminate();
      } finally {
        // Stopped, or counted as gone (see WorkerConnection.terminate): it keeps no listener of ours
        // that it lets go. One it refuses to drop cannot reach a connection that has exited.
        removeAll(worker, ours);
      }
      queueMicrotask(exitOnce);
    },
  };
}

/**
 * Takes our listeners off a worker of either host, each whatever the one
 * before did; a removal it refuses is skipped (the worker is being set
 * aside or has stopped, and the connection ignores what it hears after).
 */
function removeAll(worker: WorkerLike, listeners: readonly (readonly [string, (...args: never[]) => void])[]): void {
  for (const [event, listener] of listeners) {
    try {
      if (isNodeWorker(worker)) worker.off(event, listener);
      else worker.removeEventListener(event, listener as (event: Event) => void);
    } catch {
      // it refuses: nothing more to do
    }
  }
}

/** @internal Terminates a worker that could not be set up; its own failure to stop is not the caller's problem. */
export function stopQuietly(worker: WorkerLike): void {
  try {
    observeQuietly(worker.terminate());
  } catch {
    // nothing more to do
  }
}

/**
 * What a worker's terminate() returned, observed: a Promise's rejection is
 * handled (never an unhandled rejection), and a thenable whose `then`
 * cannot be read or throws is ignored. The worker was told to stop either
 * way; its exit says when it has. Never throws.
 */
function observeQuietly(done: unknown): void {
  if (done === null || (typeof done !== "object" && typeof done !== "function")) return;
  try {
    const then = readProperty(done, "then");
    if (typeof then === "function") then.call(done, undefined, () => {});
  } catch {
    // a thenable whose then() throws: nothing to observe
  }
}

/** An Error from an ErrorEvent's text, "Uncaught TypeError: x" read as a TypeError-named "x". */
function errorFromMessage(message: string): Error {
  const match = /^Uncaught (\w*Error|\w*Exception): ([\s\S]*)$/.exec(message);
  if (match === null) return new Error(message);
  const error = new Error(match[2]);
  if (match[1] !== "Error") Object.defineProperty(error, "name", { value: match[1], configurable: true, writable: true });
  return error;
}

interface Host {
  Worker?: new (url: string | URL, options: { type: "module" | undefined; name?: string }) => BrowserWorkerLike;
  process?: ({ getBuiltinModule?: (id: string) => unknown }) | undefined;
}

function nodeWorkerThreads(): { Worker?: new (url: string | URL) => NodeWorkerLike; parentPort?: NodeParentPort | null } | undefined {
  const host = globalThis as Host;
  const get = host.process?.getBuiltinModule;
  if (typeof get !== "function") return undefined;
  try {
    return get("node:worker_threads") as ReturnType<typeof nodeWorkerThreads>;
  } catch {
    return undefined;
  }
}

/** @internal Starts a module worker from a URL: a browser `Worker`, or a `worker_threads` Worker in Node. */
export function createWorker(url: string | URL, name: string | undefined): WorkerLike {
  const host = globalThis as Host;
  if (typeof host.Worker === "function") return new host.Worker(url, name === undefined ? { type: "module" } : { type: "module", name });
  const threads = nodeWorkerThreads();
  if (threads?.Worker !== undefined) return new threads.Worker(url);
  throw new TypeError(`openWorker(${describe(url)}): this host has no Worker (neither a browser Worker nor Node's worker_threads); pass a worker object you made yourself.`);
}

/** The worker's end of the protocol, as `defineWorker` needs it. */
export interface WorkerEndpoint {
  /** Posts `message` to the page, moving the objects in `transfer`. */
  postMessage(message: unknown, transfer: readonly unknown[]): void;
  /** Calls `listener` with the data of each message from the page. */
  listen(listener: (data: unknown) => void): void;
}

interface NodeParentPort {
  postMessage(message: unknown, transferList?: readonly unknown[]): void;
  on(event: "message", listener: (value: unknown) => void): unknown;
}

interface WorkerScope {
  postMessage(message: unknown, transfer: unknown[]): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

/**
 * @internal The endpoint of the worker this code runs in: `self` in a
 * browser worker, `parentPort` in a `worker_threads` worker, or undefined
 * on a page or a main thread.
 */
export function currentWorkerEndpoint(): WorkerEndpoint | undefined {
  const scope = globalThis as unknown as Partial<WorkerScope> & { WorkerGlobalScope?: unknown };
  if (scope.WorkerGlobalScope !== undefined && typeof scope.postMessage === "function" && typeof scope.addEventListener === "function") {
    const s = scope as WorkerScope;
    return {
      postMessage: (message, transfer) => s.postMessage(message, transfer as unknown[]),
      listen: (listener) => s.addEventListener("message", (event) => listener(event.data)),
    };
  }
  const port = nodeWorkerThreads()?.parentPort;
  if (port !== undefined && port !== null) {
    return {
      postMessage: (message, transfer) => port.postMessage(message, transfer),
      listen: (listener) => port.on("message", listener),
    };
  }
  return undefined;
}

/**
 * @internal Checks the options of a post (nothing, or an object with an
 * array `transfer`), for a worker call and a port channel's send alike;
 * returns the transfer list.
 */
export function checkTransfer(what: string, options: unknown): readonly unknown[] {
  if (options === undefined) return [];
  if (options === null || typeof options !== "object") throw new TypeError(`${what}: options must be an object ({ transfer: [...] }) or left out, got ${describe(options)}.`);
  checkReadable(what, options);
  const transfer = (options as { transfer?: unknown }).transfer ?? [];
  if (!isArrayValue(transfer)) throw new TypeError(`${what}: options.transfer must be an array of transferables, got ${describe(transfer)}.`);
  return transfer;
}

/** @internal "DataCloneError: …" for a host's clone failure, or undefined if `error` is something else. */
export function cloneFailure(error: unknown): string | undefined {
  if (!isError(error) && !(error !== null && typeof error === "object")) return undefined;
  const name = readProperty(error as object, "name");
  return name === "DataCloneError" ? describeError(error) : undefined;
}
