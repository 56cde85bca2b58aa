/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { resolve } from "node:path";

// One config for the library build and the unit tests.
export default defineConfig({
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: {
      entry: {
        index: resolve(import.meta.dirname, "src/index.ts"),
        testing: resolve(import.meta.dirname, "src/testing/index.ts"),
      },
      formats: ["es"],
    },
    rolldownOptions: {
      // Both entries share the runtime's state (the current task, the traps),
      // so that state lives in one chunk that both import; name it plainly.
      output: { chunkFileNames: "shared-[hash].js" },
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    pool: "threads",
  },
});
