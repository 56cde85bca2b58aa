/**
 * The devtools playground's endpoint: an answer that takes as long as asked
 * (default a minute), so the playground always has fetches in flight for the
 * panel to show and cancel. The timer stops when the client hangs up, and
 * the hang-up is what /api/stats counts as `aborted`.
 */
import { route } from "./registry.js";

route("/api/playground/slow", (_req, res, url) => {
  const ms = Math.min(600_000, Math.max(0, Number(url.searchParams.get("ms") ?? "60000") || 0));
  const timer = setTimeout(() => {
    if (res.destroyed || res.writableEnded) return;
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    res.end(JSON.stringify({ waited: ms, tag: url.searchParams.get("tag") }));
  }, ms);
  res.on("close", () => clearTimeout(timer));
});
