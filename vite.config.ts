/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from "vite";
import { resolve } from "node:path";
import { demoApi } from "./demos/server/api.js";
import { demoWebSockets } from "./demos/server/ws-plugin.js";
import { errorCodes } from "./scripts/error-codes.js";
import { mangleProps, readTable } from "./scripts/mangle-props.js";

const here = import.meta.dirname;

// The facade's `asyncio` namespace (`export * as asyncio` in src/index.ts)
// stays a re-export of the `trio-asyncio/asyncio` entry in the built
// package instead of an object built inside the bundle: an app's bundler
// then keeps only the members it reads (`asyncio.sleep` alone does not ship
// the whole asyncio layer). Both names give the same module.
function asyncioNamespaceAsEntry(): Plugin {
  const facade = resolve(here, "src/index.ts");
  return {
    name: "trio-asyncio:asyncio-namespace",
    enforce: "pre",
    resolveId(source, importer) {
      return source === "./asyncio-namespace.js" && importer === facade ? { id: "./asyncio.js", external: true } : undefined;
    },
  };
}

// One config for the library build, the demos' dev server and the unit tests.
// `vite` (npm run dev) serves the demo pages with the local API; the
// package's own entry points resolve to the sources, so the demos always run
// the code in this tree.
export default defineConfig(({ command, mode }) => {
  const serving = command === "serve" && process.env.VITEST === undefined;
  // `vite build --mode package-production` writes the production build
  // (dist/prod, the `production` export condition): error messages become
  // codes that docs/errors.md decodes, and internal property names become
  // short ones (scripts/mangle-cache.json). Plain `vite build` writes the
  // development build (dist), with every message in full.
  const production = command === "build" && mode === "package-production";
  return {
  root: serving ? resolve(here, "demos") : here,
  plugins: serving
    ? [demoApi(), demoWebSockets()]
    : command === "build"
      ? [
          asyncioNamespaceAsEntry(),
          ...(production ? [errorCodes({ root: here, docs: resolve(here, "docs/errors.md") })] : []),
          ...(production && process.env.TRIO_MANGLE !== "off" ? [mangleProps(readTable(here))] : []),
        ]
      : [],
  resolve: {
    alias: [
      { find: /^trio-asyncio\/devtools$/, replacement: resolve(here, "devtools/index.ts") },
      { find: /^trio-asyncio\/preact$/, replacement: resolve(here, "src/preact/index.ts") },
      { find: /^trio-asyncio\/react$/, replacement: resolve(here, "src/react/index.ts") },
      { find: /^trio-asyncio\/workers$/, replacement: resolve(here, "src/workers/index.ts") },
      { find: /^trio-asyncio\/web$/, replacement: resolve(here, "src/web/index.ts") },
      { find: /^trio-asyncio\/testing$/, replacement: resolve(here, "src/testing/index.ts") },
      { find: /^trio-asyncio\/asyncio$/, replacement: resolve(here, "src/asyncio-namespace.ts") },
      { find: /^trio-asyncio$/, replacement: resolve(here, "src/index.ts") },
    ],
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  server: {
    port: 5173,
    strictPort: false,
    // The e2e run turns off hot reload: an edit during a run must not reload a page mid-test.
    hmr: process.env.TRIO_E2E === "1" ? false : undefined,
  },
  build: {
    target: "es2022",
    outDir: resolve(here, production ? "dist/prod" : "dist"),
    emptyOutDir: true,
    // No source maps in the package: the output is unminified and keeps its
    // names, so it reads as it is in a debugger; maps that embed the sources
    // more than doubled the package, and maps without them point at src/
    // files the package does not ship.
    sourcemap: false,
    minify: false,
    lib: {
      entry: {
        index: resolve(here, "src/index.ts"),
        testing: resolve(here, "src/testing/index.ts"),
        asyncio: resolve(here, "src/asyncio-namespace.ts"),
        workers: resolve(here, "src/workers/index.ts"),
        web: resolve(here, "src/web/index.ts"),
        devtools: resolve(here, "devtools/index.ts"),
        preact: resolve(here, "src/preact/index.ts"),
        react: resolve(here, "src/react/index.ts"),
      },
      formats: ["es"],
    },
    rolldownOptions: {
      external: [/^preact(\/|$)/, /^react(-dom)?(\/|$)/],
      // The entries share the runtime's state (the current task, the traps),
      // so that state lives in chunks they all import; name them plainly.
      output: { chunkFileNames: "shared-[hash].js" },
    },
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    setupFiles: ["test/setup-unhandled.ts"],
    environment: "node",
    testTimeout: 20_000,
    pool: "threads",
  },
  };
});
