/**
 * The demo API's routing table and wire counters, in a module of their own
 * so that endpoint files can `import { route } from "./api.js"` while api.ts
 * imports them: this module is evaluated first, whatever the import cycle.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Counters of one path. */
export interface PathStats {
  /** Requests that arrived. */
  started: number;
  /** Responses sent completely. */
  finished: number;
  /** Requests the client gave up on (the connection closed before the response was complete). */
  aborted: number;
  /** Connections the server dropped on purpose (the feed's simulated outages). */
  dropped: number;
  /** Requests in progress now. */
  inFlight: number;
  /** The most requests in progress at once since the last reset. */
  maxInFlight: number;
}

/** What the server saw, exposed at /api/stats for the e2e tests. */
export interface WireStats extends PathStats {
  byPath: Record<string, PathStats>;
  /** Free-form counters the endpoints keep (events sent, pauses for backpressure…). */
  counters: Record<string, number>;
}

function emptyPath(): PathStats {
  return { started: 0, finished: 0, aborted: 0, dropped: 0, inFlight: 0, maxInFlight: 0 };
}

/** The counters; mutated in place. */
export const stats: WireStats = { ...emptyPath(), byPath: {}, counters: {} };

/** A request handler: answer `res`; `url` is the parsed request URL. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** The routing table, by exact path. */
export const routes = new Map<string, Handler>();

/** Adds a route (the demos' own endpoints register here). */
export function route(path: string, handler: Handler): void {
  routes.set(path, handler);
}

let epoch = 0;

/** Zeroes every counter. Requests still in flight from before are no longer counted at all. */
export function resetStats(): void {
  epoch++;
  Object.assign(stats, emptyPath(), { byPath: {}, counters: {} });
}

/** Adds `n` to the free-form counter `name`. */
export function count(name: string, n = 1): void {
  stats.counters[name] = (stats.counters[name] ?? 0) + n;
}

const droppedByServer = new WeakSet<ServerResponse>();

/** Closes the connection on purpose, counted as `dropped` rather than `aborted`. */
export function dropConnection(res: ServerResponse): void {
  droppedByServer.add(res);
  res.destroy();
}

/** Counts a request's life on the wire: started, then finished, aborted or dropped. */
export function track(_req: IncomingMessage, res: ServerResponse, path: string): void {
  const entry = (stats.byPath[path] ??= emptyPath());
  const mine = epoch;
  stats.started++;
  entry.started++;
  stats.inFlight++;
  entry.inFlight++;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  entry.maxInFlight = Math.max(entry.maxInFlight, entry.inFlight);
  let done = false;
  const end = (how: "finished" | "aborted" | "dropped") => {
    if (done || mine !== epoch) return;
    done = true;
    stats[how]++;
    entry[how]++;
    stats.inFlight--;
    entry.inFlight--;
  };
  res.on("finish", () => end("finished"));
  res.on("close", () => end(droppedByServer.has(res) ? "dropped" : "aborted"));
}
