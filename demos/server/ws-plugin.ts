/**
 * The demos' WebSocket endpoints, mounted on the Vite dev server's own HTTP
 * server (its `upgrade` event; Vite's HMR socket keeps its own protocol):
 *
 * - `/api/ws/echo`: sends every message back. `?latency=ms` delays each
 *   echo; `?dropAfter=n` drops the TCP connection (no close frame: the
 *   client sees 1006) after n messages; `?closeAfter=n&code=c&reason=r`
 *   closes cleanly instead.
 * - `/api/ws/sink?pauseMs=n`: a slow consumer that reads nothing for n ms
 *   (so the client's `bufferedAmount` grows), then answers "count" with the
 *   bytes it received.
 * - `/api/ws/chat?name=x`: a chat room with presence: each text message
 *   `{ "text": ... }` is broadcast to every member as `{ type: "chat", from,
 *   text }`, and `{ type: "presence", users }` goes to all on each join and
 *   leave.
 * - `GET /api/ws/stats`: what the server saw (connections open, opened,
 *   closed, per path, and the last closes with their code and reason), so
 *   the e2e tests can check that no socket is left open.
 * - `GET /api/ws/drop`: drops every open connection (as a server restart or
 *   a network cut would); `GET /api/ws/reset` zeroes the counters.
 *
 * Why a plugin of its own, beside the HTTP API in api.ts: a WebSocket is
 * not a request/response middleware, and the counters differ. It uses the
 * `ws` package (a devDependency) in `noServer` mode.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Plugin } from "vite";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

/** One path's counters. */
export interface SocketPathStats {
  open: number;
  opened: number;
  closed: number;
  messages: number;
}

/** What `/api/ws/stats` answers. */
export interface SocketStats extends SocketPathStats {
  byPath: Record<string, SocketPathStats>;
  /** The latest closes (newest last), at most 20. */
  closes: Array<{ path: string; code: number; reason: string }>;
}

const stats: SocketStats = { open: 0, opened: 0, closed: 0, messages: 0, byPath: {}, closes: [] };

function resetStats(): void {
  Object.assign(stats, { opened: stats.open, closed: 0, messages: 0, closes: [] });
  for (const [path, s] of Object.entries(stats.byPath)) stats.byPath[path] = { open: s.open, opened: s.open, closed: 0, messages: 0 };
}

function pathStats(path: string): SocketPathStats {
  return (stats.byPath[path] ??= { open: 0, opened: 0, closed: 0, messages: 0 });
}

/** Every open server-side socket, to drop them all. */
const live = new Set<WebSocket>();

function track(ws: WebSocket, path: string): void {
  const s = pathStats(path);
  live.add(ws);
  stats.open++;
  stats.opened++;
  s.open++;
  s.opened++;
  ws.on("message", () => {
    stats.messages++;
    s.messages++;
  });
  ws.on("close", (code, reason) => {
    live.delete(ws);
    stats.open--;
    stats.closed++;
    s.open--;
    s.closed++;
    stats.closes = [...stats.closes.slice(-19), { path, code, reason: reason.toString() }];
  });
}

function numberParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function echo(ws: WebSocket, url: URL): void {
  const latency = numberParam(url, "latency") ?? 0;
  const dropAfter = numberParam(url, "dropAfter");
  const closeAfter = numberParam(url, "closeAfter");
  const code = numberParam(url, "code") ?? 1000;
  const reason = url.searchParams.get("reason") ?? "";
  let count = 0;
  ws.on("message", (data: RawData, isBinary: boolean) => {
    count++;
    const n = count;
    const answer = () => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(data, { binary: isBinary });
      if (dropAfter !== undefined && n >= dropAfter) ws.terminate();
      else if (closeAfter !== undefined && n >= closeAfter) ws.close(code, reason);
    };
    if (latency > 0) setTimeout(answer, latency);
    else answer();
  });
}

const members = new Map<WebSocket, string>();

function broadcast(message: unknown): void {
  const text = JSON.stringify(message);
  for (const ws of members.keys()) if (ws.readyState === ws.OPEN) ws.send(text);
}

function presence(): void {
  broadcast({ type: "presence", users: [...members.values()].sort() });
}

function chat(ws: WebSocket, url: URL): void {
  const name = (url.searchParams.get("name") ?? "").slice(0, 40) || `guest-${stats.opened}`;
  members.set(ws, name);
  presence();
  ws.on("message", (data: RawData, isBinary: boolean) => {
    if (isBinary) return;
    let text: unknown;
    try {
      text = (JSON.parse(data.toString()) as { text?: unknown }).text;
    } catch {
      return;
    }
    if (typeof text === "string") broadcast({ type: "chat", from: name, text: text.slice(0, 500) });
  });
  ws.on("close", () => {
    members.delete(ws);
    presence();
  });
}

/**
 * A slow consumer: reads nothing for `?pauseMs=` after the connection opens
 * (the TCP window fills, and then the client's `bufferedAmount` grows), then
 * reads on; the text message "count" is answered with the binary bytes
 * received so far.
 */
function sink(ws: WebSocket, url: URL): void {
  const pauseMs = numberParam(url, "pauseMs") ?? 1000;
  let received = 0;
  ws.pause();
  setTimeout(() => ws.resume(), pauseMs);
  ws.on("message", (data: RawData, isBinary: boolean) => {
    if (isBinary) received += Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
    else if (data.toString() === "count") ws.send(`received ${received}`);
  });
}

const ENDPOINTS: Record<string, (ws: WebSocket, url: URL) => void> = {
  "/api/ws/echo": echo,
  "/api/ws/chat": chat,
  "/api/ws/sink": sink,
};

/** The Vite plugin that mounts the WebSocket endpoints and their counters. */
export function demoWebSockets(): Plugin {
  return {
    name: "trio-asyncio-demo-websockets",
    configureServer(server) {
      const wss = new WebSocketServer({ noServer: true });
      const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        if (!url.pathname.startsWith("/api/ws/")) return; // Vite's HMR socket, or nobody's
        const endpoint = ENDPOINTS[url.pathname];
        if (endpoint === undefined) {
          socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n");
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          track(ws, url.pathname);
          endpoint(ws, url);
        });
      };
      server.httpServer?.on("upgrade", onUpgrade);
      server.httpServer?.on("close", () => {
        for (const ws of live) ws.terminate();
        wss.close();
      });
      server.middlewares.use((req, res, next) => {
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        if (path === "/api/ws/stats") {
          res.setHeader("content-type", "application/json");
          res.setHeader("cache-control", "no-store");
          res.end(JSON.stringify(stats));
        } else if (path === "/api/ws/drop") {
          const dropped = live.size;
          for (const ws of live) ws.terminate();
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ dropped }));
        } else if (path === "/api/ws/reset") {
          resetStats();
          res.end("ok");
        } else {
          next();
        }
      });
    },
  };
}
