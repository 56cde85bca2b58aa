/**
 * The devtools panel's entry point (`trio-asyncio/devtools`). It is a
 * separate entry so the core never pays for it: load it lazily with
 * `import("trio-asyncio/devtools")` and call `mountDevtools()`.
 *
 * It only uses the public inspector API (`inspector.*` from the package).
 */
export { mountDevtools, type MountOptions, type MountedDevtools } from "./mount.js";
export { DevtoolsPanel, type DevtoolsPanelProps } from "./panel.js";
export { exposeInspector, type ExposeOptions, type ExposedInspector } from "./expose.js";
