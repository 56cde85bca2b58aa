/**
 * `fetchFuture`: `fetch` for asyncio code, as a Future whose cancellation
 * aborts the request on the wire.
 *
 * Why it is built so: the request runs as `fetchOp` in a Trio task on the
 * loop's nursery (through `trioAsAio`), so the Future is that task's, and
 * cancelling it (directly, through `waitFor`'s timeout, or by cancelling the
 * Task awaiting it) cancels the task's scope, which aborts the request; the
 * loop's end cancels it too, so no request outlives the loop. A Future ends
 * when its value is there, so the body is part of the value when you ask
 * for it (`read: "json"` and the others): cancelling then aborts the whole
 * exchange, headers and body. With the default `read: "response"` the
 * Future ends at the headers and the body is yours to read (and to cancel
 * with `response.body.cancel()`).
 */
import { waitPromise } from "../bridge/promise.js";
import { trioAsAio, type TrioFuture } from "../bridge/trio-as-aio.js";
import { describe, readProperty } from "../core/errors.js";
import type { Operation } from "../core/traps.js";
import { checkFetchInit, fetchLabel, fetchOp } from "./fetch.js";
import { checkOptions, isThenable } from "./target.js";

/** What `fetchFuture` reads before its Future is done. */
export type FetchRead = "response" | "json" | "text" | "arrayBuffer" | "blob";

/** Options of `fetchFuture`. */
export interface FetchFutureOptions<R extends FetchRead = FetchRead> {
  /**
   * `"response"` (the default): the Future is done with the Response once
   * the headers are in. `"json"`, `"text"`, `"arrayBuffer"`, `"blob"`: it is
   * done with the body read so, and cancelling it aborts the body's
   * download too.
   */
  read?: R | undefined;
}

/** The value of `fetchFuture`'s Future for each `read`. */
export interface FetchReadResult {
  /** `read: "response"`: the Response, its body not read. */
  response: Response;
  /** `read: "json"`: the body parsed as JSON. */
  json: unknown;
  /** `read: "text"`: the body as text. */
  text: string;
  /** `read: "arrayBuffer"`: the body's bytes. */
  arrayBuffer: ArrayBuffer;
  /** `read: "blob"`: the body as a Blob. */
  blob: Blob;
}

const READS: readonly string[] = ["response", "json", "text", "arrayBuffer", "blob"];

/**
 * `fetch(input, init)` as an asyncio Future, from code running on the loop.
 * Cancelling the Future (or a Task awaiting it, or `waitFor`'s timeout)
 * aborts the request, and so does the loop's end. HTTP errors (404, 500) are
 * responses, as with `fetch`; a network failure or a body that does not
 * parse is the Future's exception.
 *
 * ```ts
 * function* loadUser(): asyncio.Coroutine<unknown> {
 *   return yield* asyncio.waitFor(fetchFuture("/api/user/42", {}, { read: "json" }), 5);
 * }
 * ```
 *
 * An `init.signal` of your own still works: the request is aborted by
 * whichever aborts first (then the Future's exception is fetch's AbortError).
 */
export function fetchFuture<R extends FetchRead = "response">(input: RequestInfo | URL, init: RequestInit = {}, options: FetchFutureOptions<R> = {}): TrioFuture<FetchReadResult[R]> {
  checkFetchInit("fetchFuture(input, init)", init);
  checkOptions("fetchFuture(input, init, options)", options);
  const read = options.read ?? "response";
  if (!READS.includes(read)) {
    throw new TypeError(`fetchFuture's read option is "response", "json", "text", "arrayBuffer" or "blob", got ${describe(read)}.`);
  }
  return trioAsAio(fetchAndRead)(input, init, read) as TrioFuture<FetchReadResult[R]>;
}

function* fetchAndRead(input: RequestInfo | URL, init: RequestInit, read: FetchRead): Operation<unknown> {
  const response = yield* fetchOp(input, init);
  if (read === "response") return response;
  const method = readProperty(response, read);
  if (typeof method !== "function") {
    throw new TypeError(`fetchFuture(input, init, { read: "${read}" }): fetch resolved to ${describe(response)}, which has no ${read}() method; a fetch polyfill or mock must resolve to a Response.`);
  }
  const body: unknown = method.call(response);
  if (!isThenable(body)) {
    throw new TypeError(`fetchFuture(input, init, { read: "${read}" }): the response's ${read}() returned ${describe(body)}, not a Promise; a fetch polyfill or mock must resolve to a Response, whose ${read}() returns one.`);
  }
  // In the same scope as the request: cancelling aborts the download as well.
  return yield* waitPromise(body, { label: `${read}() of ${fetchLabel(input, init)}` });
}
