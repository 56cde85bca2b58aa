#!/usr/bin/env node
// After `npm run build`: every file that package.json points at (main, types,
// each condition of each entry in `exports`) must exist. A missing `.d.ts`
// is otherwise only noticed by a consumer, as TS7016. And `typesVersions`
// (read only by moduleResolution node10, which ignores `exports`) must name
// each subpath's `types`, or those consumers get other types or none.
/* global console, process */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { manifestTargets } from "./manifest-targets.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));

const typesMap = pkg.typesVersions?.["*"] ?? {};
const drift = Object.entries(pkg.exports)
  .filter(([key]) => key !== "." && key !== "./package.json")
  .filter(([key, conditions]) => JSON.stringify(typesMap[key.slice(2)]) !== JSON.stringify([conditions.types]));
const strays = Object.keys(typesMap).filter((key) => pkg.exports[`./${key}`] === undefined);
if (drift.length > 0 || strays.length > 0) {
  for (const [key, conditions] of drift) console.error(`check-exports: typesVersions["*"]["${key.slice(2)}"] should be ["${conditions.types}"], the types of exports["${key}"].`);
  for (const key of strays) console.error(`check-exports: typesVersions["*"]["${key}"] names no entry of exports; remove it.`);
  process.exit(1);
}

const targets = manifestTargets(pkg);
const missing = targets.filter(([, path]) => !existsSync(resolve(root, path)));
if (missing.length > 0) {
  for (const [where, path] of missing) console.error(`check-exports: package.json ${where} names ${path}, which the build did not write.`);
  console.error("check-exports: fix the build (vite.config.ts, tsconfig.build.json) or the paths in package.json.");
  process.exit(1);
}
console.log(`check-exports: all ${targets.length} files named in package.json exist.`);
