// The consumer's worker module, built alone and unminified (classes keep their names), with
// the production condition as an app's production build: see consumer-check's bundle step.
import { defineConfig } from "vite";
import { resolve } from "node:path";

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  logLevel: "warn",
  build: {
    outDir: resolve(here, "dist-worker"),
    emptyOutDir: true,
    minify: false,
    rolldownOptions: { input: resolve(here, "worker-module.ts"), preserveEntrySignatures: false },
  },
});
