/**
 * The one shape behind `withLock`, `withSemaphore` and `withToken`: acquire,
 * run the body, release however the body ends. The body's generator is made
 * before acquiring, so a bad body is rejected without touching the resource;
 * if acquiring fails (cancelled while waiting), that generator is closed
 * unstarted.
 */
import { callTaskFunction } from "../core/nursery.js";
import { requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";

/** @internal */
export function* holding<T>(what: string, acquire: () => Operation<void>, release: () => void, body: () => Operation<T>): Operation<T> {
  requireTask(what);
  const coro = callTaskFunction(what, body, []);
  try {
    yield* acquire();
  } catch (error) {
    coro.return(undefined as T);
    throw error;
  }
  try {
    return yield* coro;
  } finally {
    release();
  }
}
