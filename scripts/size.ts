/**
 * `npm run size`: what the package costs an app, against the budgets.
 *
 * Measured as a consumer would see it: the built package (package.json and
 * dist/, as the tarball ships them) is copied into node_modules of a
 * temporary app outside this repository, and Vite builds one tiny program
 * per row there, once with the `production` export condition and once with
 * `development` (Vite picks it from the mode, as in any app). The figure is
 * the minified JS of the build, gzipped at level 9, summed over its chunks.
 * Effection's and redux-saga's typical imports (devDependencies here) are
 * built the same way, for comparison. Sizes are deterministic, so a budget
 * exceeded makes the script exit 1.
 *
 *   npm run size                 build the package first, then measure
 *   npm run size -- --no-build   measure the dist/ already there
 *   npm run size -- --json       print the rows as JSON too
 *   npm run size -- --only=a,b   measure only the rows with these ids
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Rolldown } from "vite";
import { sizeRows, type Mode, type SizeRow } from "./size-rows.js";

const repo = resolve(import.meta.dirname, "..");
const args = new Set(process.argv.slice(2));
const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length).split(",");

/** One measured row in one mode. */
interface Measured {
  readonly row: SizeRow;
  readonly mode: Mode;
  readonly minified: number;
  readonly gzip: number;
}

/** A temporary app whose node_modules has the built package and the libraries compared. */
function makeApp(): string {
  const app = mkdtempSync(join(tmpdir(), "trio-asyncio-size-"));
  const home = join(app, "node_modules", "trio-asyncio");
  mkdirSync(home, { recursive: true });
  cpSync(join(repo, "package.json"), join(home, "package.json"));
  cpSync(join(repo, "dist"), join(home, "dist"), { recursive: true });
  // The libraries compared resolve from here to their own installed copies.
  for (const name of ["effection", "redux-saga"]) symlinkSync(join(repo, "node_modules", name), join(app, "node_modules", name), "dir");
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "size-app", private: true, type: "module" })}\n`);
  return app;
}

/** The JS chunks of a Vite app build of `file`. */
async function buildApp(app: string, file: string, mode: Mode, minify: boolean): Promise<Rolldown.OutputChunk[]> {
  const output = (await build({
    configFile: false,
    root: app,
    mode,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": JSON.stringify(mode) },
    resolve: { conditions: ["module", "browser", mode] },
    build: {
      write: false,
      minify,
      target: "es2022",
      modulePreload: false,
      rolldownOptions: { input: file, external: [/^node:/] },
    },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  return (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((o) => o.type === "chunk");
}

async function measure(app: string, row: SizeRow, mode: Mode): Promise<Measured> {
  const file = join(app, `${row.id}.js`);
  writeFileSync(file, row.source);
  if (row.excludes !== undefined) {
    const code = (await buildApp(app, file, mode, false)).map((chunk) => chunk.code).join("\n");
    const found = row.excludes.filter((name) => new RegExp(`\\bclass ${name}\\b|\\b${name}(\\$\\d+)? = class\\b`).test(code));
    if (found.length > 0) throw new Error(`"${row.name}" brings in ${found.join(", ")}, which it does not use: tree shaking per name is broken`);
  }
  const chunks = await buildApp(app, file, mode, true);
  let minified = 0;
  let gzip = 0;
  for (const chunk of chunks) {
    const bytes = Buffer.from(chunk.code);
    minified += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { row, mode, minified, gzip };
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(2)} KB`;

function table(results: Measured[]): { text: string; failed: Measured[] } {
  const failed: Measured[] = [];
  const lines = ["| row | mode | min | min+gz | budget |", "|---|---|---:|---:|---|"];
  for (const r of results) {
    let verdict = "";
    if (r.row.budget !== undefined) {
      const ok = r.gzip <= r.row.budget;
      // The budgets are for the production build; the development build is shown beside it.
      if (r.mode === "production") {
        verdict = `${ok ? "ok" : "OVER"} (≤ ${kb(r.row.budget)})`;
        if (!ok) failed.push(r);
      } else verdict = `(≤ ${kb(r.row.budget)} in production)`;
    }
    lines.push(`| ${r.row.name} | ${r.mode} | ${kb(r.minified)} | ${kb(r.gzip)} | ${verdict} |`);
  }
  return { text: lines.join("\n"), failed };
}

async function main(): Promise<void> {
  if (!args.has("--no-build")) {
    const built = spawnSync("npm", ["run", "build"], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
    if (built.status !== 0) throw new Error("npm run build failed; see above");
  }
  const app = makeApp();
  const results: Measured[] = [];
  try {
    for (const row of await sizeRows(repo)) {
      if (only !== undefined && !only.includes(row.id)) continue;
      for (const mode of ["production", "development"] as const) {
        if (row.modes !== undefined && !row.modes.includes(mode)) continue;
        results.push(await measure(app, row, mode));
      }
    }
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
  const { text, failed } = table(results);
  console.log("Min+gzip (level 9) of the JS of a Vite app build, KB = 1000 bytes.\n");
  console.log(text);
  if (args.has("--json")) {
    console.log(JSON.stringify(results.map((r) => ({ id: r.row.id, mode: r.mode, minified: r.minified, gzip: r.gzip, budget: r.row.budget ?? null }))));
  }
  if (failed.length > 0) {
    console.error(`\nsize: ${failed.length} budget(s) exceeded: ${failed.map((r) => `${r.row.name} (${kb(r.gzip)} > ${kb(r.row.budget ?? 0)})`).join("; ")}`);
    process.exitCode = 1;
  } else console.log("\nsize: every budget met.");
}

main().catch((error: unknown) => {
  console.error("size: the measurement itself failed:", error);
  process.exitCode = 1;
});
