/**
 * Compile-time checks of openWebSocket's `{ WebSocket }` option, run by
 * `tsc -p tsconfig.json` (never executed): the browser's WebSocket class and
 * the `ws` package's both fit `WebSocketConstructor` without a cast, and a
 * class that lacks what openWebSocket uses does not.
 */
import { WebSocket as WsWebSocket } from "ws";
import type { WebSocketConstructor } from "../../src/web/index.js";

export const browserClass: WebSocketConstructor = globalThis.WebSocket;
export const wsClass: WebSocketConstructor = WsWebSocket;

class NoBufferedAmount {
  readyState = 0;
  protocol = "";
  extensions = "";
  binaryType = "arraybuffer";
  constructor(readonly url: string) {}
  send(_data: string): void {}
  close(): void {}
  addEventListener(): void {}
  removeEventListener(): void {}
}
// @ts-expect-error bufferedAmount is missing: send's backpressure reads it
export const incomplete: WebSocketConstructor = NoBufferedAmount;
