/**
 * The `asyncio` namespace of the facade: the asyncio layer plus its
 * standalone entry points (`asyncio.run`, `asyncio.Runner`), which live in
 * the bridges because they start a Trio run underneath. Only the facade may
 * join the layers like this.
 *
 * The same module is the `trio-asyncio/asyncio` entry, as named exports.
 * In the built package the facade's `asyncio` namespace is a re-export of
 * that entry (see vite.config.ts), not an object made inside the bundle, so
 * an app's bundler keeps only the members it reads either way. Both give
 * the very same objects.
 */
export * from "./asyncio/index.js";
export { asyncioRun as run, AsyncioRunner as Runner } from "./bridge/asyncio-run.js";
