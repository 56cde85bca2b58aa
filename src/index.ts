/**
 * trio-asyncio: Trio-style structured concurrency for the browser, with an
 * asyncio-compatible event loop on top. This file only re-exports the
 * public names.
 */
export * from "./core/index.js";
export * from "./bridge/index.js";
export * as asyncio from "./asyncio-namespace.js";
export * from "./sync/index.js";
export * as inspector from "./inspect/index.js";
