/**
 * trio-asyncio: Trio-style structured concurrency for the browser, with an
 * asyncio-compatible event loop on top. This file only re-exports the
 * public names.
 */
export * from "./core/index.js";
export * from "./bridge/index.js";
/** The asyncio layer as one namespace (`asyncio.sleep`, `asyncio.gather`...); also the `trio-asyncio/asyncio` entry. */
export * as asyncio from "./asyncio-namespace.js";
export * from "./sync/index.js";
/** Read-only views of live runs for tools such as the devtools panel (`inspector.subscribe`...). */
export * as inspector from "./inspect/index.js";
