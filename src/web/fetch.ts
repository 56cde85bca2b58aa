/**
 * `fetchOp`: `fetch` as an operation whose request is aborted on the wire
 * when its cancel scope is cancelled.
 *
 * Why the scope's signal rather than one made for the call: the Response
 * body is read after `fetchOp` has returned, and it must be aborted too when
 * the scope is cancelled during the read. The scope's AbortSignal (made
 * lazily by the core, aborted by the same walk that cancels tasks) covers
 * both, with no listener of our own. `abortable` does the waiting, so a
 * cancelled task waits until the aborted `fetch` has settled and then raises
 * `Cancelled`.
 */
import { abortable } from "../bridge/promise.js";
import { describe, readProperty, stringOf } from "../core/errors.js";
import { RuntimeError, requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { checkOptions, hasMethods, isThenable } from "./target.js";

interface SignalStatics {
  any?: ((signals: AbortSignal[]) => AbortSignal) | undefined;
}

/**
 * `fetch(input, init)`, bound to the current cancel scope: cancelling the
 * scope aborts the request, while it waits for the response headers and
 * while the body is read afterwards (in the same scope). Returns the
 * Response; HTTP errors (404, 500) are responses, as with `fetch`.
 *
 * ```ts
 * yield* moveOnAfter(5, function* () {
 *   const response = yield* fetchOp("/api/user/42");
 *   user = yield* waitPromise(response.json());
 * });
 * ```
 *
 * An `init.signal` of your own still works: the request is aborted by
 * whichever of the two aborts first (then `fetch`'s own AbortError is
 * raised, not `Cancelled`).
 */
export function fetchOp(input: RequestInfo | URL, init: RequestInit = {}): Operation<Response> {
  checkFetchInit("fetchOp(input, init)", init);
  return fetchBlock(input, init);
}

/** @internal Checks `fetch`'s init as far as we read it (both flavours share it). */
export function checkFetchInit(what: string, init: RequestInit): void {
  checkOptions(what, init);
  const own = init.signal;
  // Read with hasMethods and readProperty: a revoked Proxy is refused by name, not by the engine.
  if (own !== undefined && own !== null && !(typeof own === "object" && hasMethods(own, "addEventListener") && typeof readProperty(own, "aborted") === "boolean")) {
    throw new TypeError(`${what}: init.signal must be an AbortSignal, got ${describe(own)}.`);
  }
}

/** @internal The global fetch, or a RuntimeError naming where it exists. */
export function globalFetch(what: string): typeof fetch {
  if (typeof fetch !== "function") {
    throw new RuntimeError(`${what} needs the global fetch (browsers, workers, Node 18+).`);
  }
  return fetch;
}

/**
 * @internal The signal a request is sent with: `ours`, joined with
 * `init.signal` when the caller gave one (aborted by whichever aborts
 * first). `instead` says what to do where `AbortSignal.any` is missing.
 */
export function requestSignal(what: string, ours: AbortSignal, init: RequestInit, instead: string): AbortSignal {
  const own = init.signal;
  if (own === undefined || own === null) return ours;
  const any = (AbortSignal as unknown as SignalStatics).any;
  if (typeof any !== "function") {
    throw new RuntimeError(`${what} needs AbortSignal.any to join your signal with ours; leave init.signal out and ${instead}.`);
  }
  return any.call(AbortSignal, [ours, own]);
}

function* fetchBlock(input: RequestInfo | URL, init: RequestInit): Operation<Response> {
  const task = requireTask("fetchOp()");
  const fetchFn = globalFetch("fetchOp()");
  const signal = requestSignal("fetchOp(input, { signal })", task.scope.signal, init, "wrap the call in withAbortSignal(signal, ...) instead");
  return yield* abortable(() => promiseOf(fetchFn(input, { ...init, signal })), { label: fetchLabel(input, init) });
}

// What fetch returned, if a Promise (or thenable): a polyfill's or mock's other answer is refused by name, not as abortable's.
function promiseOf(answer: unknown): PromiseLike<Response> {
  if (!isThenable(answer)) {
    throw new TypeError(`fetchOp(): the global fetch returned ${describe(answer)}, not a Promise of a Response; a fetch polyfill or mock must return one, as the platform's fetch does.`);
  }
  return answer as PromiseLike<Response>;
}

/**
 * @internal "GET /api/search?q=ab": what the devtools show a task waiting on. The URL
 * is the one given (relative stays relative); a Request gives its own
 * method and URL unless `init.method` overrides the method.
 */
export function fetchLabel(input: RequestInfo | URL, init: RequestInit): string {
  const request = isRequest(input) ? input : null;
  const method = typeof init.method === "string" ? init.method.toUpperCase() : (request?.method ?? "GET");
  const url = request !== null ? request.url : stringOf(input);
  return `${method} ${url}`;
}

// instanceof Request, total: a revoked Proxy is no Request (fetch then refuses it with its own error).
function isRequest(value: unknown): value is Request {
  try {
    return typeof Request === "function" && value instanceof Request;
  } catch {
    return false;
  }
}
