/**
 * The demos' local API, served by the Vite dev server as a middleware: real
 * latency, streaming and failures, and counters of what happened on the
 * wire (requests started, finished, aborted) for the end-to-end tests.
 */
import type { Plugin } from "vite";
import type { IncomingMessage, ServerResponse } from "node:http";

/** What the server saw, exposed at /api/stats for the e2e tests. */
export interface WireStats {
  started: number;
  finished: number;
  aborted: number;
  byPath: Record<string, { started: number; finished: number; aborted: number }>;
}

const stats: WireStats = { started: 0, finished: 0, aborted: 0, byPath: {} };

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const routes = new Map<string, Handler>();

routes.set("/api/stats", (_req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(stats));
});

routes.set("/api/stats/reset", (_req, res) => {
  stats.started = stats.finished = stats.aborted = 0;
  stats.byPath = {};
  res.end("ok");
});

/** Adds a route (the demos' own endpoints register here). */
export function route(path: string, handler: Handler): void {
  routes.set(path, handler);
}

/** @internal Counts a request's life on the wire. */
export function track(req: IncomingMessage, res: ServerResponse, path: string): void {
  const entry = (stats.byPath[path] ??= { started: 0, finished: 0, aborted: 0 });
  stats.started++;
  entry.started++;
  let done = false;
  res.on("finish", () => {
    if (done) return;
    done = true;
    stats.finished++;
    entry.finished++;
  });
  res.on("close", () => {
    if (done) return;
    done = true;
    stats.aborted++;
    entry.aborted++;
  });
}

/** The Vite plugin that mounts the API. */
export function demoApi(): Plugin {
  return {
    name: "trio-asyncio-demo-api",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const handler = routes.get(url.pathname);
        if (handler === undefined) return next();
        if (!url.pathname.startsWith("/api/stats")) track(req, res, url.pathname);
        handler(req, res, url);
      });
    },
  };
}
