/**
 * WebSocket message round trip (Chromium only: Node 20 has no WebSocket).
 *
 * One socket to the bench server's echo (bench/lib/ws-echo.ts); N times:
 * send a short text message and wait for its echo. Ours is `openWebSocket`
 * with `send` and `receive` in one task; the baseline is the least raw code
 * can do: `ws.send()` and an `onmessage` that resolves the Promise the loop
 * awaits. Each implementation times only its N round trips (the connection's
 * open and close are outside the timing), and checks every echo came back.
 */
import { run } from "../../src/index.js";
import { openWebSocket } from "../../src/web/index.js";
import { expectEqual, type Comparison, type Impl } from "../lib/harness.js";

/** The path of the bench server's echo (bench/lib/ws-echo.ts). */
export const WS_ECHO_PATH = "/ws-echo";

const MESSAGE = "ping 0123456789";

let trips = 0;
let checksum = 0;

function echoUrl(): string {
  return `ws://${location.host}${WS_ECHO_PATH}`;
}

async function oursRun(): Promise<number> {
  checksum = 0;
  let elapsed = 0;
  await run(() =>
    openWebSocket(echoUrl(), function* (ws) {
      const t0 = performance.now();
      for (let i = 0; i < trips; i++) {
        yield* ws.send(MESSAGE);
        checksum += ((yield* ws.receive()) as string).length;
      }
      elapsed = performance.now() - t0;
    }),
  );
  expectEqual("ours echoed characters", checksum, trips * MESSAGE.length);
  return elapsed;
}

async function rawRun(): Promise<number> {
  checksum = 0;
  const ws = new WebSocket(echoUrl());
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`could not open ${echoUrl()}`));
  });
  let answer: (data: string) => void = () => {};
  ws.onmessage = (event: MessageEvent<string>) => answer(event.data);
  const t0 = performance.now();
  for (let i = 0; i < trips; i++) {
    const echoed = new Promise<string>((resolve) => (answer = resolve));
    ws.send(MESSAGE);
    checksum += (await echoed).length;
  }
  const elapsed = performance.now() - t0;
  const closed = new Promise<void>((resolve) => (ws.onclose = () => resolve()));
  ws.close();
  await closed;
  expectEqual("raw echoed characters", checksum, trips * MESSAGE.length);
  return elapsed;
}

/** The comparison, at `n` round trips per sample. */
export function webSocketRoundTripComparison(n: number): Comparison {
  const impls: Impl[] = [
    {
      name: "ours",
      run: () => {
        trips = n;
        return oursRun();
      },
    },
    {
      name: "raw onmessage",
      run: () => {
        trips = n;
        return rawRun();
      },
    },
  ];
  return { id: `websocket/round-trip/${n}`, title: `WebSocket message round trip ×${n} (openWebSocket vs raw send + onmessage)`, impls };
}
