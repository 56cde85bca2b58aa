/**
 * `withWebLock`: a Web Lock held for the length of an asyncio coroutine,
 * the asyncio flavour of `webLock` (as `async with lock:` holds an
 * asyncio Lock).
 *
 * Why it is built so: the Lock Manager holds a lock while the Promise its
 * callback returned is pending, so the grant settles a Future the coroutine
 * awaits and is handed a Promise that the coroutine's `finally` settles,
 * however the body ends. Cancelling the waiting Task cancels that Future,
 * and the `finally` aborts the request, so a cancelled waiter leaves the
 * queue at once; a grant that arrives after the waiter has gone finds the
 * Future done and is released at once.
 */
import type { Coroutine } from "../asyncio/types.js";
import { getRunningLoop } from "../asyncio/running.js";
import { describe, isError } from "../core/errors.js";
import { bodyOperation } from "./target.js";
import { checkWebLockArgs, lockManager, requestLock, type WebLockInfo, type WebLockOptions } from "./locks.js";

/**
 * Runs the asyncio coroutine `body(lock)` while holding the Web Lock
 * `name`, and returns what it returns. Waiting for the lock is cancellable
 * (the request leaves the queue); the lock is released when `body`
 * returns, raises, or is cancelled. With `ifAvailable`, `body` gets `null`
 * at once when the lock is taken.
 *
 * ```ts
 * function* refresh(): asyncio.Coroutine<void> {
 *   yield* withWebLock("sync-cache", function* () {
 *     yield* refreshCache(); // no other tab refreshes at the same time
 *   });
 * }
 * ```
 *
 * Needs `navigator.locks` (browsers, in secure contexts, and their workers).
 */
export function withWebLock<T>(name: string, body: (lock: WebLockInfo | null) => Coroutine<T>, options: WebLockOptions = {}): Coroutine<T> {
  const mode = checkWebLockArgs("withWebLock(name, body, options)", "function* (lock) { ... }", name, body, options);
  return holdForCoroutine(name, body, mode, options.ifAvailable === true);
}

function* holdForCoroutine<T>(name: string, body: (lock: WebLockInfo | null) => Coroutine<T>, mode: "exclusive" | "shared", ifAvailable: boolean): Coroutine<T> {
  const locks = lockManager("withWebLock()", "an asyncio.Lock");
  const loop = getRunningLoop();
  const granted = loop.createFuture<WebLockInfo | null>();
  const controller = new AbortController();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  try {
    // In the try: a request refused after it queued the callback still finds the lock released.
    const request = requestLock("withWebLock()", locks, name, ifAvailable ? { mode, ifAvailable } : { mode, signal: controller.signal }, (lock) => {
      // The waiter has gone (cancelled): let the lock go at once.
      if (granted.done()) return Promise.resolve();
      granted.setResult(lock);
      return held;
    });
    // Rejects before the grant only (aborted, or a request the browser refuses); afterwards it settles with the body.
    request.catch((error: unknown) => {
      if (!granted.done()) granted.setException(isError(error) ? error : new TypeError(`navigator.locks.request failed with ${describe(error)}.`));
    });
    const lock = yield* granted;
    // The same check as the Trio flavour's: a coroutine is a generator too.
    return yield* (bodyOperation<T>("withWebLock(name, body)", "function* (lock) { ... }", body(lock)) as unknown as Coroutine<T>);
  } finally {
    release();
    // Not granted yet (cancelled while waiting: the Future may be cancelled already): leave the
    // queue. After a grant, aborting does nothing.
    granted.cancel();
    controller.abort();
  }
}
