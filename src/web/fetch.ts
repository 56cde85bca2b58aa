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
import { describe, stringOf } from "../core/errors.js";
import { RuntimeError, requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import { checkOptions } from "./target.js";

interface SignalStatics {
  any?: (signals: AbortSignal[]) => AbortSignal;
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
  checkOptions("fetchOp(input, init)", init);
  const own = init.signal;
  if (own !== undefined && own !== null && !(typeof own === "object" && typeof own.addEventListener === "function" && "aborted" in own)) {
    throw new TypeError(`fetchOp(input, init): init.signal must be an AbortSignal, got ${describe(own)}.`);
  }
  return fetchBlock(input, init);
}

function* fetchBlock(input: RequestInfo | URL, init: RequestInit): Operation<Response> {
  const task = requireTask("fetchOp()");
  if (typeof fetch !== "function") {
    throw new RuntimeError("fetchOp() needs the global fetch (browsers, workers, Node 18+).");
  }
  const scopeSignal = task.scope.signal;
  let signal = scopeSignal;
  const own = init.signal;
  if (own !== undefined && own !== null) {
    const any = (AbortSignal as unknown as SignalStatics).any;
    if (typeof any !== "function") {
      throw new RuntimeError(
        "fetchOp(input, { signal }) needs AbortSignal.any to join your signal with the scope's; leave init.signal out and wrap the call in withAbortSignal(signal, ...) instead.",
      );
    }
    signal = any.call(AbortSignal, [scopeSignal, own]);
  }
  return yield* abortable(() => fetch(input, { ...init, signal }), { label: fetchLabel(input, init) });
}

/**
 * "GET /api/search?q=ab": what the devtools show a task waiting on. The URL
 * is the one given (relative stays relative); a Request gives its own
 * method and URL unless `init.method` overrides the method.
 */
function fetchLabel(input: RequestInfo | URL, init: RequestInit): string {
  const request = typeof Request === "function" && input instanceof Request ? input : null;
  const method = typeof init.method === "string" ? init.method.toUpperCase() : (request?.method ?? "GET");
  const url = request !== null ? request.url : stringOf(input);
  return `${method} ${url}`;
}
