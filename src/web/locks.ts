/**
 * `webLock`: a Web Lock (`navigator.locks.request`), held for the length of
 * a block, so it is shared with the page's other tasks, other tabs and
 * workers of the same origin.
 *
 * Why it is built so: the Lock Manager holds a lock while the Promise its
 * callback returned is pending, so we hand it a Promise that we settle when
 * the block ends, however it ends (return, error, cancellation). Waiting
 * for the grant goes through `abortable` with the request's signal, so a
 * cancelled waiter leaves the queue at once; a grant that wins the race
 * with the abort is released by the same `finally`.
 */
import { abortable } from "../bridge/promise.js";
import { describe } from "../core/errors.js";
import { RuntimeError } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { bodyOperation, checkBody, checkOptions, isThenable } from "./target.js";

/** A granted Web Lock, as `navigator.locks.request` reports it. */
export interface WebLockInfo {
  /** The lock's name, as given to `webLock`. */
  readonly name: string;
  /** How it is held: `"exclusive"` or `"shared"`. */
  readonly mode: "exclusive" | "shared";
}

/** Options of `webLock`. */
export interface WebLockOptions {
  /** "exclusive" (the default): one holder; "shared": any number of shared holders, no exclusive one. */
  mode?: "exclusive" | "shared" | undefined;
  /** Do not wait: if the lock is taken, run the body at once with `null` instead of the lock. */
  ifAvailable?: boolean | undefined;
}

/** @internal The part of `navigator.locks` we use. */
export interface LockManagerLike {
  request(
    name: string,
    options: { mode: "exclusive" | "shared"; signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: WebLockInfo | null) => Promise<unknown>,
  ): Promise<unknown>;
}

const MODES: readonly string[] = ["exclusive", "shared"];

/**
 * Runs `body` while holding the Web Lock `name` and returns what it
 * returns. Waiting for the lock is cancellable (the request leaves the
 * queue); the lock is released when `body` returns, raises, or is
 * cancelled.
 *
 * ```ts
 * yield* webLock("sync-cache", function* () {
 *   yield* refreshCache(); // no other tab refreshes at the same time
 * });
 * ```
 *
 * Needs `navigator.locks` (browsers, in secure contexts, and their workers).
 */
export function webLock<T>(name: string, body: (lock: WebLockInfo | null) => Operation<T>, options: WebLockOptions = {}): Operation<T> {
  const mode = checkWebLockArgs("webLock(name, body, options)", "function* (lock) { ... }", name, body, options);
  return holdWebLock(name, body, mode, options.ifAvailable === true);
}

/**
 * @internal Checks a Web Lock's name, body and options (both flavours share
 * it); returns the mode. `what` names the call, as "webLock(name, body, options)".
 */
export function checkWebLockArgs(what: string, example: string, name: unknown, body: unknown, options: WebLockOptions): "exclusive" | "shared" {
  const fn = what.slice(0, what.indexOf("("));
  if (typeof name !== "string" || name === "" || name.startsWith("-")) {
    throw new TypeError(`${fn}(name, body) needs a lock name: a non-empty string not starting with "-" (reserved), got ${describe(name)}.`);
  }
  checkBody(`${fn}(name, body)`, example, body);
  checkOptions(what, options);
  const mode = options.mode ?? "exclusive";
  if (!MODES.includes(mode)) {
    throw new TypeError(`${fn}'s mode must be "exclusive" or "shared", got ${describe(mode)}.`);
  }
  return mode;
}

/** @internal The page's LockManager; `what` names the call for the error where there is none. */
export function lockManager(what: string, instead: string): LockManagerLike {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (locks === undefined || locks === null || typeof locks.request !== "function") {
    throw new RuntimeError(`${what} needs navigator.locks (the Web Locks API of browsers, in secure contexts); it is missing here. In Node or an insecure page, use ${instead} for locking within the page.`);
  }
  return locks;
}

/**
 * @internal `locks.request(...)`, whose answer must be a Promise or
 * thenable (both flavours wait on it): anything else is a TypeError naming
 * `what`, not the engine's "catch is not a function".
 */
export function requestLock(
  what: string,
  locks: LockManagerLike,
  name: string,
  options: Parameters<LockManagerLike["request"]>[1],
  callback: Parameters<LockManagerLike["request"]>[2],
): Promise<unknown> {
  const request: unknown = locks.request(name, options, callback);
  if (!isThenable(request)) {
    throw new TypeError(`${what}: navigator.locks.request() returned ${describe(request)}, not a Promise; navigator.locks must be the platform's LockManager, or a stand-in whose request returns a Promise.`);
  }
  // A thenable of a stand-in, as a Promise of this realm (its catch is ours to call).
  return Promise.resolve(request);
}

function* holdWebLock<T>(name: string, body: (lock: WebLockInfo | null) => Operation<T>, mode: "exclusive" | "shared", ifAvailable: boolean): Operation<T> {
  const locks = lockManager("webLock()", "a Lock from this library");
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let request: Promise<unknown> | undefined;
  try {
    const lock = yield* abortable(
      (signal) =>
        new Promise<WebLockInfo | null>((resolve, reject) => {
          request = requestLock("webLock()", locks, name, ifAvailable ? { mode, ifAvailable } : { mode, signal }, (lock) => {
            resolve(lock);
            return held;
          });
          // Rejects before the grant only (aborted, or a bad request); afterwards it settles with the body.
          request.catch(reject);
        }),
    );
    return yield* bodyOperation<T>("webLock(name, body)", "function* (lock) { ... }", body(lock));
  } finally {
    // Granted or not: a grant still on its way finds the Promise settled and releases at once.
    release();
    request?.catch(() => {});
  }
}
