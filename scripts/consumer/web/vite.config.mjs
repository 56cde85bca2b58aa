// The consumer's Vite build: three pages, the devtools page, the Preact app
// and the React app (whose files set their JSX source with a pragma).
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
      input: { main: resolve(here, "index.html"), preact: resolve(here, "preact.html"), react: resolve(here, "react.html") },
    },
  },
});
