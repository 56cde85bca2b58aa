/**
 * The WebSocket echo the Chromium suite's page talks to (`/ws-echo` on the
 * page's own server, see bench/run.ts), for the WebSocket round-trip case.
 *
 * Why it is here and not the dev server's /api/ws/echo: the bench page is
 * served by run.ts's own HTTP server, not by Vite. It answers each message
 * at once, with nothing else on the connection, so what differs between the
 * implementations measured is the client side only.
 */
import type { Server } from "node:http";
import { WebSocketServer } from "ws";
import { WS_ECHO_PATH } from "../cases/websocket.js";

/** Serves the echo on `server`'s upgrade requests to `WS_ECHO_PATH`; closed with the server. */
export function attachWebSocketEcho(server: Server): void {
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://x").pathname !== WS_ECHO_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  server.on("close", () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });
}
