/**
 * `npx tsx scripts/size-attribute.ts <row id> [development|production] [--dump=src/core/x.ts] [--out=file.js]`:
 * where the bytes of one `npm run size` row come from, per source file.
 *
 * Builds the row's program against the sources (src/, through the same
 * aliases and, in production, the same error-code rewrite and property
 * renaming as the package build), minified with a source map, then gives every byte of the output to
 * the source file its mapping segment points at. Prints, per file, the
 * minified bytes and the gzip of that file's bytes alone. Gzip is not
 * additive (shared words compress across files), so the per-file gzip
 * column sums to more than the whole; use it to rank files, and `npm run
 * size` for the figure itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Rolldown } from "vite";
import { errorCodes } from "./error-codes.js";
import { mangleModules, readTable } from "./mangle-props.js";
import { sizeRows, type Mode, type SizeRow } from "./size-rows.js";

const repo = resolve(import.meta.dirname, "..");

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The fields of one mapping segment (VLQ-decoded, still relative to the previous segment). */
export function decodeSegment(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`size-attribute: bad source map character ${JSON.stringify(char)}`);
    value += (digit & 31) << shift;
    if ((digit & 32) !== 0) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** Every byte of `code` given to a source (or "(unmapped)"), gathered per source. */
function attribute(code: string, map: Rolldown.SourceMap): Map<string, string> {
  const lines = code.split("\n");
  const parts = new Map<string, string[]>();
  const give = (source: string, text: string): void => {
    const list = parts.get(source);
    if (list === undefined) parts.set(source, [text]);
    else list.push(text);
  };
  let sourceIndex = 0;
  map.mappings.split(";").forEach((line, lineNo) => {
    const text = lines[lineNo] ?? "";
    let column = 0;
    let owner = "(unmapped)";
    let start = 0;
    for (const segment of line === "" ? [] : line.split(",")) {
      const fields = decodeSegment(segment);
      column += fields[0] ?? 0;
      give(owner, text.slice(start, column));
      start = column;
      if (fields.length >= 4) {
        sourceIndex += fields[1] ?? 0;
        owner = map.sources[sourceIndex] ?? "(unmapped)";
      }
    }
    give(owner, `${text.slice(start)}\n`);
  });
  return new Map([...parts].map(([source, list]) => [source, list.join("")]));
}

/** One output chunk of a row's build, its source map's sources made relative to the repository. */
export interface BuiltChunk {
  readonly fileName: string;
  readonly isEntry: boolean;
  readonly code: string;
  readonly map: Rolldown.SourceMap;
}

/** A row's program built as this script builds it (also used by size-coverage.ts). */
export interface BuiltRow {
  readonly row: SizeRow;
  readonly chunks: readonly BuiltChunk[];
}

/** Builds the row's program against the sources, minified with a source map. */
export async function buildRow(rowId: string | undefined, mode: Mode): Promise<BuiltRow> {
  const rows = await sizeRows(repo);
  const row = rows.find((r) => r.id === rowId);
  if (row === undefined) {
    const ids = rows.map((r) => r.id).join(", ");
    throw new Error(`size-attribute: no row "${rowId ?? ""}"; give one of: ${ids}`);
  }
  const app = mkdtempSync(join(tmpdir(), "trio-asyncio-attr-"));
  const outDir = "dist";
  try {
    const file = join(app, `${row.id}.js`);
    writeFileSync(file, row.source);
    const output = (await build({
      configFile: false,
      root: app,
      mode,
      logLevel: "silent",
      define: { "process.env.NODE_ENV": JSON.stringify(mode) },
      // The error page goes to the temporary folder: docs/errors.md is the package build's.
      plugins: mode === "production" ? [errorCodes({ root: repo, docs: join(app, "errors.md") }), mangleModules(readTable(repo))] : [],
      resolve: {
        alias: [
          { find: /^trio-asyncio\/asyncio$/, replacement: resolve(repo, "src/asyncio-namespace.ts") },
          { find: /^trio-asyncio\/testing$/, replacement: resolve(repo, "src/testing/index.ts") },
          { find: /^trio-asyncio$/, replacement: resolve(repo, "src/index.ts") },
        ],
      },
      build: { write: false, outDir, minify: true, sourcemap: true, target: "es2022", modulePreload: false, rolldownOptions: { input: file } },
    })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((o) => o.type === "chunk");
    return {
      row,
      chunks: chunks.map((chunk) => {
        if (chunk.map === null) throw new Error("size-attribute: the build gave no source map");
        // The sources are relative to where the chunk would be written (in a temporary folder gone once this returns).
        const sources = chunk.map.sources.map((source) => {
          const path = resolve(dirname(join(app, outDir, chunk.fileName)), source);
          return path.startsWith(app + sep) ? `(row) ${relative(app, path)}` : relative(repo, path);
        });
        return { fileName: chunk.fileName, isEntry: chunk.isEntry, code: chunk.code, map: Object.assign(chunk.map, { sources }) };
      }),
    };
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
  const [rowId, modeArg = "production"] = positional;
  /** `--dump=<source path>`: also print the minified code given to that source. */
  const dump = process.argv.find((arg) => arg.startsWith("--dump="))?.slice("--dump=".length);
  /** `--out=<file>`: also write the whole minified program there, to try changes on it. */
  const out = process.argv.find((arg) => arg.startsWith("--out="))?.slice("--out=".length);
  const mode: Mode = modeArg === "development" ? "development" : "production";
  const { row, chunks } = await buildRow(rowId, mode);
  const bySource = new Map<string, string>();
  let whole = "";
  for (const chunk of chunks) {
    whole += chunk.code;
    for (const [source, text] of attribute(chunk.code, chunk.map)) bySource.set(source, (bySource.get(source) ?? "") + text);
  }
  if (out !== undefined) writeFileSync(out, whole);
  const rows = [...bySource].map(([source, text]) => ({ source, min: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length }));
  rows.sort((a, b) => b.min - a.min);
  const lines = [`${row.name} (${mode}): min ${Buffer.byteLength(whole)} B, min+gz ${gzipSync(whole, { level: 9 }).length} B`, "", "| source | min B | gz alone B |", "|---|---:|---:|"];
  for (const r of rows) lines.push(`| ${r.source} | ${r.min} | ${r.gzip} |`);
  if (dump !== undefined) lines.push("", `${dump}:`, bySource.get(dump) ?? "(not in the build)");
  // One write: piped into head, further writes would fail with EPIPE.
  process.stdout.write(`${lines.join("\n")}\n`, () => undefined);
}

// Run as a command, not when size-coverage.ts imports buildRow.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
