// The consumer's Vite build: two pages, the devtools page and the Preact app.
import { defineConfig } from "vite";
import { resolve } from "node:path";

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: resolve(here, "dist"),
    emptyOutDir: true,
    rolldownOptions: {
      input: { main: resolve(here, "index.html"), preact: resolve(here, "preact.html") },
    },
  },
});
