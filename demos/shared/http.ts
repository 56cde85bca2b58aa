/**
 * The demos' one way to reach the network: every request is
 * `abortable(signal => fetch(url, { signal }))`, so cancelling the task that
 * waits for it aborts the request on the wire. The label ("GET /api/search?q=ab")
 * is what the devtools show the task waiting on.
 */
import { abortable, type Operation } from "../../src/index.js";

/** A response with an error status. */
export class HttpError extends Error {
  constructor(
    /** The HTTP status. */
    readonly status: number,
    url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
  }
  override get name(): string {
    return "HttpError";
  }
}

async function readJson<T>(response: Response, url: string): Promise<T> {
  if (!response.ok) {
    await response.body?.cancel();
    throw new HttpError(response.status, url);
  }
  return (await response.json()) as T;
}

/** GETs `url` and parses the JSON body; cancelling aborts the request (headers or body). */
export function* getJson<T>(url: string): Operation<T> {
  return yield* abortable((signal) => fetch(url, { signal }).then((r) => readJson<T>(r, url)), { label: `GET ${url}` });
}

/** GETs `url` and returns the Response once its headers have arrived (for streaming bodies). */
export function* getStream(url: string): Operation<Response> {
  const response = yield* abortable((signal) => fetch(url, { signal, headers: { accept: "text/event-stream" } }), { label: `GET ${url}` });
  if (!response.ok || response.body === null) {
    discardBody(response);
    throw new HttpError(response.status, url);
  }
  return response;
}

function discardBody(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}
