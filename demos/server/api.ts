/**
 * The demos' local API, served by the Vite dev server as a middleware: real
 * latency, streaming and failures, and counters of what happened on the
 * wire (requests started, finished, aborted, in flight) for the e2e tests.
 *
 * The routing table and counters live in registry.ts; endpoint files
 * register with `route(path, handler)` (re-exported here) and are imported
 * below, one line each.
 */
import type { Plugin } from "vite";
import { resetStats, routes, stats, track } from "./registry.js";
import "./endpoints.js";

export { route, count, dropConnection, type Handler, type WireStats, type PathStats } from "./registry.js";

routes.set("/api/stats", (_req, res) => {
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  res.end(JSON.stringify(stats));
});

routes.set("/api/stats/reset", (_req, res) => {
  resetStats();
  res.end("ok");
});

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
import "./playground-api.js";
