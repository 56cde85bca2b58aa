// What the WebSocket e2e tests share: the dev server's socket counters (demos/server/ws-plugin.ts),
// and a page to run the library in, loaded from the sources through Vite's /@fs/ URLs.
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { openDemo } from "./helpers.js";

/** What the server counted since its last reset. */
export interface SocketStats {
  open: number;
  opened: number;
  closed: number;
  closes: Array<{ path: string; code: number; reason: string }>;
}

export async function socketStats(request: APIRequestContext): Promise<SocketStats> {
  return (await (await request.get("/api/ws/stats")).json()) as SocketStats;
}

/** Waits until the server has no socket open, then zeroes its counters. */
export async function quietServer(request: APIRequestContext): Promise<void> {
  await expect.poll(async () => (await socketStats(request)).open, { message: "sockets still open on the server" }).toBe(0);
  expect((await request.get("/api/ws/reset")).ok()).toBe(true);
}

const sourceUrl = (path: string) => `/@fs${fileURLToPath(new URL(path, import.meta.url))}`;
/** The library's entries as the page imports them. */
export const LIB = { core: sourceUrl("../src/index.ts"), web: sourceUrl("../src/web/index.ts") };

/** Opens a demo page without sockets of its own, to run the library in. */
export async function libraryPage(page: Page): Promise<void> {
  await openDemo(page, "/search/");
}
