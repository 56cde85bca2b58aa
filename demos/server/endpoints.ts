/**
 * The demos' endpoints: real latency, failures and a streaming feed, so the
 * demos show what cancellation does on the wire. Every delayed answer stops
 * its timer when the client goes away, so an aborted request costs the
 * server nothing and shows up as `aborted` in /api/stats.
 */
import type { ServerResponse } from "node:http";
import { flakyOutcome } from "./flaky-plan.js";
import { count, dropConnection, route } from "./registry.js";

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  res.end(JSON.stringify(body));
}

/** Runs `fn` after `ms`, unless the client hangs up first. */
function later(res: ServerResponse, ms: number, fn: () => void): void {
  const timer = setTimeout(fn, ms);
  res.on("close", () => clearTimeout(timer));
}

function numberParam(url: URL, name: string, fallback: number, min = 0, max = 600_000): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

// ---- 1. search-as-you-type -------------------------------------------------

const WORDS = (
  "abort accept actor adapter aggregate alarm alias allocate anchor apply arena array async atomic attach await " +
  "backoff barrier batch bind block bound branch bridge broadcast buffer burst cache callback cancel capacity " +
  "channel checkpoint child clock close coalesce commit concurrency condition context coroutine counter cursor " +
  "deadline debounce defer delay deque detach dispatch drain drop duplex effect emit enqueue event executor " +
  "fan fence fetch fiber filter finally flush fork frame future gather generator graph group guard handle " +
  "handler heap idle inspect instrument interrupt iterator join keepalive keepLatest latch latency lease " +
  "limiter listener lock loop mailbox memory microtask monitor mutex nursery observer offload operation " +
  "outcome park pipe poll pool post promise protocol queue quota race reactor receive reconnect release " +
  "reschedule resolve restartable retry runner scheduler scope select semaphore send shield signal sleep " +
  "slice spawn stream supervisor suspend task throttle ticket timeout timer token trap trio unpark wait " +
  "waker watchdog window worker yield"
).split(" ");

route("/api/search", (_req, res, url) => {
  const q = (url.searchParams.get("q") ?? "").trim().toLowerCase();
  const latency = numberParam(url, "latency", 350);
  later(res, latency, () => {
    const results = q === "" ? [] : WORDS.filter((w) => w.toLowerCase().includes(q)).slice(0, 12);
    count("search.answered");
    json(res, 200, { q, results });
  });
});

// ---- 2. parallel loader ------------------------------------------------------

route("/api/resource", (_req, res, url) => {
  const id = numberParam(url, "id", 0, 0, 1e9);
  // Varied but deterministic per id: 150..399 ms unless the test asks otherwise.
  const latency = numberParam(url, "latency", 150 + ((id * 37) % 250));
  later(res, latency, () => json(res, 200, { id, bytes: 1000 + ((id * 7919) % 9000) }));
});

// ---- 3. retry with backoff -----------------------------------------------

route("/api/flaky", (_req, res, url) => {
  const seed = numberParam(url, "seed", 1, -1e9, 1e9);
  const attempt = numberParam(url, "attempt", 1, 1, 1e6);
  const outcome = flakyOutcome(seed, attempt);
  count(`flaky.${outcome}`);
  if (outcome === "fail") later(res, 80, () => json(res, 503, { seed, attempt, error: "service unavailable" }));
  else if (outcome === "slow") later(res, numberParam(url, "slowMs", 8000), () => json(res, 200, { seed, attempt, value: "late" }));
  else later(res, 80, () => json(res, 200, { seed, attempt, value: `answer ${seed}.${attempt}` }));
});

// ---- 4. live feed (Server-Sent Events) -------------------------------------

route("/api/feed", (req, res, url) => {
  const header = req.headers["last-event-id"];
  const lastId = numberParam(url, "lastEventId", typeof header === "string" ? Number(header) || 0 : 0, 0, 1e12);
  const interval = numberParam(url, "interval", 150, 1, 60_000);
  const dropAfter = numberParam(url, "dropAfter", 0, 0, 1e9);
  res.statusCode = 200;
  res.setHeader("content-type", "text/event-stream");
  res.setHeader("cache-control", "no-store");
  res.setHeader("connection", "keep-alive");
  res.flushHeaders();
  count("feed.connections");
  let id = lastId;
  let sent = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  res.on("close", () => {
    closed = true;
    if (timer !== null) clearTimeout(timer);
  });
  const tick = () => {
    timer = null;
    if (closed) return;
    if (dropAfter > 0 && sent >= dropAfter) {
      count("feed.drops");
      dropConnection(res);
      return;
    }
    id++;
    sent++;
    count("feed.events");
    const ok = res.write(`id: ${id}\nevent: tick\ndata: ${JSON.stringify({ id, value: Math.round(50 + 40 * Math.sin(id / 5)) })}\n\n`);
    if (ok) timer = setTimeout(tick, interval);
    else {
      // The client is not reading: wait until the socket drains (backpressure).
      count("feed.pauses");
      res.once("drain", () => {
        timer = setTimeout(tick, interval);
      });
    }
  };
  res.write(`retry: 1000\n: connected, resuming after ${lastId}\n\n`);
  timer = setTimeout(tick, interval);
});

// ---- 5. the legacy asyncio module's backend ---------------------------------

route("/api/legacy", (_req, res, url) => {
  const job = numberParam(url, "job", 0, 0, 1e9);
  const latency = numberParam(url, "latency", 300 + ((job * 53) % 400));
  later(res, latency, () => json(res, 200, { job, checksum: (job * 2654435761) % 100000 }));
});
