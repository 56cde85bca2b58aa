#!/usr/bin/env node
// After `npm run build`: every file that package.json points at (main, types,
// each condition of each entry in `exports`) must exist. A missing `.d.ts`
// is otherwise only noticed by a consumer, as TS7016.
/* global console, process */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { manifestTargets } from "./manifest-targets.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));

const targets = manifestTargets(pkg);
const missing = targets.filter(([, path]) => !existsSync(resolve(root, path)));
if (missing.length > 0) {
  for (const [where, path] of missing) console.error(`check-exports: package.json ${where} names ${path}, which the build did not write.`);
  console.error("check-exports: fix the build (vite.config.ts, tsconfig.build.json) or the paths in package.json.");
  process.exit(1);
}
console.log(`check-exports: all ${targets.length} files named in package.json exist.`);
