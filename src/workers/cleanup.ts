/**
 * A block that owns something (a worker, a pool, a port) closes it on
 * every way out, and closing can fail too: a port refuses to drop our
 * listener or to close, a worker's terminate() throws. No error may be
 * lost, and none may hide another. So, as a nursery raises its body's
 * error with its children's, a block that was raising raises its error and
 * the cleanup's together in an ExceptionGroup, its own first; a `Cancelled`
 * among them still reaches its scope, which takes it out of the group and
 * lets the cleanup errors go on. A block that was returning raises what
 * closing failed with instead of returning.
 */
import { ExceptionGroup, describeError } from "../core/errors.js";
import type { Operation } from "../core/traps.js";

/** @internal `closingAfter`'s argument to `close` when the body did not raise. */
export const RETURNED: unique symbol = Symbol("the block returned");

/** @internal What a block raises when its cleanup failed while it was already raising `raised`. */
export function withCleanupError(what: string, raised: unknown, cleanups: readonly unknown[]): ExceptionGroup {
  return new ExceptionGroup(`${what}: the block raised, and its cleanup failed too (${cleanups.map(describeError).join("; ")})`, [raised, ...cleanups]);
}

/** What a block that was returning raises when its cleanup failed: the one error, or all in a group. */
function cleanupFailure(what: string, cleanups: readonly unknown[]): unknown {
  return cleanups.length === 1 ? cleanups[0] : new ExceptionGroup(`${what}: its cleanup failed in ${cleanups.length} ways`, cleanups);
}

/**
 * @internal Runs `body`, then `close` on every way out: `close(error)` if
 * the body raised, `close(RETURNED)` otherwise (also when the block is
 * abandoned). `close` returns what closing failed with (none: empty), and
 * the block raises it as the module comment says.
 */
export function* closingAfter<T>(label: string, body: () => Operation<T>, close: (raised: unknown) => Operation<readonly unknown[]>): Operation<T> {
  let result: T;
  // What closing returned: undefined until closed.
  let cleanup: readonly unknown[] | undefined;
  try {
    result = yield* body();
  } catch (error) {
    cleanup = yield* close(error);
    // The block's error and the cleanup's leave together: neither is lost.
    throw cleanup.length === 0 ? error : withCleanupError(label, error, cleanup);
  } finally {
    if (cleanup === undefined) cleanup = yield* close(RETURNED);
  }
  if (cleanup.length > 0) throw cleanupFailure(label, cleanup);
  return result;
}
