/**
 * The `asyncio` namespace of the facade: the asyncio layer plus its
 * standalone entry points (`asyncio.run`, `asyncio.Runner`), which live in
 * the bridges because they start a Trio run underneath. Only the facade may
 * join the layers like this.
 */
export * from "./asyncio/index.js";
export { asyncioRun as run, AsyncioRunner as Runner } from "./bridge/asyncio-run.js";
