/**
 * Retrying an operation with backoff.
 *
 * A retry loop is a few lines, and front-end code writes it again and again
 * (a flaky endpoint, a token refresh, a reconnect), so it is easy to get one
 * rule wrong: a cancellation is never an attempt that failed. A loop that
 * catches everything and sleeps would treat "the user left the page" as a
 * flaky request; the next `sleep` raises `Cancelled` again (cancellation is
 * level-triggered), but the code in between (logging, a retry counter, the
 * predicate) has already run as if the attempt had failed. Here, once the
 * task is cancelled, or an attempt raises `Cancelled`, the error goes up
 * untouched and nothing else runs.
 *
 * Waits grow geometrically (`delay`, `delay * factor`, ... at most
 * `maxDelay`), with optional jitter taken off each wait, so that clients that
 * failed together do not retry together. Each attempt may have its own
 * deadline; a deadline that passes counts as a failed attempt
 * (`TooSlowError`), and the request it was waiting on is aborted as any
 * cancelled operation is.
 *
 * When the attempts run out, the last attempt's error is raised as it was
 * (what callers match on); the earlier ones were seen by `onRetry`. If
 * `retryIf` or `onRetry` itself throws, both that error and the attempt's
 * reach the caller, in an `ExceptionGroup`.
 */
import { Cancelled, ExceptionGroup, TooSlowError, checkReadable, describe, ignoreRefusedPromise, isGeneratorLike, isInstance, readProperty } from "./errors.js";
import { requireTask } from "./state.js";
import { callTaskFunction, checkFunction } from "./nursery.js";
import { CancelScope } from "./cancel-scope.js";
import { sleep } from "./operations.js";
import type { Operation } from "./traps.js";

/** Options of {@link retry}. Times are in seconds. */
export interface RetryOptions {
  /** How many attempts in all, the first included: a whole number ≥ 1, or `Infinity` (default 3). */
  attempts?: number | undefined;
  /** The wait before the second attempt (default 0.1). */
  delay?: number | undefined;
  /** Each wait is the one before times this: ≥ 1, and 1 keeps the wait constant (default 2). */
  factor?: number | undefined;
  /** No wait is longer than this (default `Infinity`). */
  maxDelay?: number | undefined;
  /**
   * The fraction of each wait that may be taken off at random, from 0 (none,
   * the default) to 1 ("full jitter": anywhere from 0 to the whole wait).
   */
  jitter?: number | undefined;
  /**
   * A deadline for each attempt, in seconds: an attempt still running then is
   * cancelled and counts as failed, with `TooSlowError`. The default is none.
   */
  attemptTimeout?: number | undefined;
  /**
   * Whether to retry after `error`, raised by attempt number `attempt`
   * (1-based). The default retries every error. A cancellation is never
   * retried and never shown here. Called synchronously: a Promise or a
   * generator as the answer (an async or function* predicate) is refused
   * with a `TypeError`, raised with the attempt's error.
   */
  retryIf?: ((error: unknown, attempt: number) => boolean) | undefined;
  /** Called before each wait, to log or count: the error, the attempt that raised it, and the wait in seconds. */
  onRetry?: ((error: unknown, attempt: number, delay: number) => void) | undefined;
}

interface Policy {
  attempts: number;
  delay: number;
  factor: number;
  maxDelay: number;
  jitter: number;
  attemptTimeout: number | undefined;
  retryIf: ((error: unknown, attempt: number) => boolean) | undefined;
  onRetry: ((error: unknown, attempt: number, delay: number) => void) | undefined;
}

const WHAT = "retry(attempt, options)";

function numberOption(name: string, value: unknown, fallback: number, ok: (n: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") throw new TypeError(`${WHAT}: ${name} must be ${rule}, got ${describe(value)}.`);
  if (!ok(value)) throw new RangeError(`${WHAT}: ${name} must be ${rule}, got ${Number.isNaN(value) ? "NaN" : describe(value)}.`);
  return value;
}

function functionOption<F>(name: string, value: unknown): F | undefined {
  if (value === undefined || typeof value === "function") return value as F | undefined;
  throw new TypeError(`${WHAT}: ${name} must be a function, got ${describe(value)}.`);
}

function readPolicy(options: RetryOptions | undefined): Policy {
  if (options === undefined) options = {};
  else if (options === null || typeof options !== "object") {
    throw new TypeError(`${WHAT} takes an options object such as { attempts: 5, delay: 0.25 } as its second argument, got ${describe(options)}.`);
  }
  checkReadable(WHAT, options);
  const finite = (n: number) => Number.isFinite(n);
  return {
    attempts: numberOption("attempts", options.attempts, 3, (n) => n === Infinity || (Number.isInteger(n) && n >= 1), "a whole number ≥ 1, or Infinity"),
    delay: numberOption("delay", options.delay, 0.1, (n) => finite(n) && n >= 0, "a finite number of seconds ≥ 0"),
    factor: numberOption("factor", options.factor, 2, (n) => finite(n) && n >= 1, "a finite number ≥ 1 (1 keeps the wait constant)"),
    maxDelay: numberOption("maxDelay", options.maxDelay, Infinity, (n) => n >= 0, "a number of seconds ≥ 0 (Infinity for no cap)"),
    jitter: numberOption("jitter", options.jitter, 0, (n) => n >= 0 && n <= 1, "a fraction from 0 to 1"),
    attemptTimeout: options.attemptTimeout === undefined ? undefined : numberOption("attemptTimeout", options.attemptTimeout, 0, (n) => n > 0, "a number of seconds > 0"),
    retryIf: functionOption("retryIf", options.retryIf),
    onRetry: functionOption("onRetry", options.onRetry),
  };
}

/**
 * Runs `attempt(1)`, and after a failure waits and runs `attempt(2)`, and so
 * on, until one succeeds (its result is returned) or the attempts run out
 * (the last error is raised). A cancellation is never retried: it goes up at
 * once, and `retryIf`/`onRetry` do not see it.
 *
 * ```ts
 * const user = yield* retry(() => fetchJson("/api/user"), { attempts: 5, delay: 0.25, maxDelay: 4, attemptTimeout: 2 });
 * ```
 *
 * @param attempt A generator function, given the attempt's number (1-based).
 */
export function retry<T>(attempt: (attemptNumber: number) => Operation<T>, options?: RetryOptions): Operation<T> {
  checkFunction("retry(attempt)", attempt);
  return retryLoop(attempt, readPolicy(options));
}

function* retryLoop<T>(attempt: (attemptNumber: number) => Operation<T>, policy: Policy): Operation<T> {
  const task = requireTask("retry()");
  let wait = policy.delay;
  for (let n = 1; ; n++) {
    // Outside the try: a function that makes no generator is a slip to fix, not a failed attempt.
    const op = callTaskFunction("retry(attempt)", attempt, [n]);
    try {
      return policy.attemptTimeout === undefined ? yield* op : yield* attemptWithin(policy.attemptTimeout, n, op);
    } catch (error) {
      // Never retry a cancellation: neither one the attempt raised nor one
      // pending for this task (an attempt may have turned it into another error).
      if (isInstance(error, Cancelled) || task.scope.effective) throw error;
      if (n >= policy.attempts) throw error;
      const pause = Math.min(wait, policy.maxDelay) * (1 - policy.jitter * Math.random());
      try {
        if (policy.retryIf !== undefined) {
          const answer: unknown = policy.retryIf(error, n);
          // An async (or function*) predicate answers with an object, which would always read as "retry".
          const kind = isThenable(answer) ? "a Promise" : isGeneratorLike(answer) ? "a generator object" : null;
          if (kind !== null) {
            ignoreRefusedPromise(answer);
            throw new TypeError(`retry(): retryIf returned ${kind}, not true or false: it is called synchronously (an async predicate's answer would always read as "retry"); decide without awaiting, e.g. (error) => error instanceof HttpError && error.status >= 500.`, { cause: error });
          }
          if (!answer) throw error;
        }
        policy.onRetry?.(error, n, pause);
      } catch (hookError) {
        if (hookError === error) throw error;
        throw new ExceptionGroup(`retry(): a retryIf or onRetry callback threw while handling the error of attempt ${n}`, [hookError, error]);
      }
      wait *= policy.factor;
      yield* sleep(pause);
    }
  }
}

/** True for an object or function with a callable `then`, read totally. */
function isThenable(value: unknown): boolean {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof readProperty(value, "then") === "function";
}

/**
 * One attempt under its deadline. Not `failAfter`: its TooSlowError says only
 * that "the deadline" passed, and what a user reads (in onRetry's log, or as
 * the error raised at the end) should name the attempt and the option.
 */
function* attemptWithin<T>(seconds: number, n: number, op: Operation<T>): Operation<T> {
  const scope = new CancelScope({ relativeDeadline: seconds });
  const result = yield* scope.run(() => op);
  if (scope.cancelledCaught) {
    throw new TooSlowError(`retry(): attempt ${n} took longer than its attemptTimeout of ${seconds} s, so it was cancelled and counts as failed.`);
  }
  return result as T;
}
