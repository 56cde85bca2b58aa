/**
 * The `asyncio` namespace of the facade: the asyncio layer plus its
 * standalone entry points (`asyncio.run`, `asyncio.Runner`), which live in
 * the bridges because they start a Trio run underneath. Only the facade may
 * join the layers like this.
 *
 * The same module is the `trio-asyncio/asyncio` entry, as named exports:
 * bundlers keep a namespace object (`export * as asyncio`) whole once it is
 * used, but drop the named exports an app does not import, so the subpath
 * is the tree-shakeable way in. Both give the very same objects.
 */
export * from "./asyncio/index.js";
export { asyncioRun as run, AsyncioRunner as Runner } from "./bridge/asyncio-run.js";
