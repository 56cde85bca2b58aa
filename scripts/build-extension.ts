/**
 * Builds the browser extension (devtools/extension/) into dist-extension/,
 * ready for chrome://extensions → "Load unpacked". Each script is one
 * self-contained file (content scripts cannot import modules), Preact
 * bundled in; the manifest and the HTML pages are copied as they are.
 *
 *   npm run build:extension
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const source = resolve(root, "devtools/extension");
/** Where the unpacked extension is written. */
export const EXTENSION_DIR = resolve(root, "dist-extension");

/** Builds the extension; returns its directory. */
export async function buildExtension(outDir = EXTENSION_DIR): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: ["background.ts", "content.ts", "devtools.ts", "panel.tsx"].map((f) => resolve(source, f)),
    outdir: outDir,
    bundle: true,
    format: "iife",
    target: "chrome110",
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: false,
    sourcemap: false,
    logLevel: "warning",
    // The panel is the development build: full error messages.
    define: { "process.env.NODE_ENV": '"development"' },
  });
  for (const file of ["manifest.json", "devtools.html", "panel.html"]) copyFileSync(resolve(source, file), resolve(outDir, file));
  return outDir;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = await buildExtension();
  console.log(`extension built in ${dir}`);
}
