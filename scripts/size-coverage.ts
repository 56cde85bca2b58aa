/**
 * `npx tsx scripts/size-coverage.ts <row id> [--top=N]`: how much of one
 * `npm run size` row's production program that program actually runs.
 *
 * Builds the row as scripts/size-attribute.ts does (its buildRow), loads it
 * in this process under V8 precise block coverage, calls `globalThis.go()`
 * when the row defines one and awaits it, then prints: the bundle's min and
 * min+gz; the bytes in blocks that never ran; the min+gz of what is left
 * once those are cut out (not a valid program, an approximate lower bound of
 * what this program needs); never-run bytes per source file; the largest
 * never-run functions, and the largest never-run blocks inside functions
 * that did run (error paths, argument checks).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { buildRow, decodeSegment, type BuiltChunk } from "./size-attribute.js";

/** A stretch of the minified code and the source position its mapping segment points at. */
interface Span {
  readonly start: number;
  readonly end: number;
  readonly source: string;
  /** 1-based line in the source; 0 when unmapped. */
  readonly line: number;
}

/** A range V8 reports, in string offsets of the chunk. */
interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}

/** One never-run stretch worth listing. */
interface Dead {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly chunk: BuiltChunk;
  readonly spans: readonly Span[];
}

/** The chunk cut into spans by its source map, covering every offset (gaps are "(unmapped)"). */
function spansOf(chunk: BuiltChunk): Span[] {
  const spans: Span[] = [];
  const lines = chunk.code.split("\n");
  let offset = 0;
  let sourceIndex = 0;
  let sourceLine = 0;
  chunk.map.mappings.split(";").forEach((mapping, lineNo) => {
    const text = lines[lineNo] ?? "";
    let column = 0;
    let owner = { source: "(unmapped)", line: 0 };
    let start = 0;
    for (const segment of mapping === "" ? [] : mapping.split(",")) {
      const fields = decodeSegment(segment);
      column += fields[0] ?? 0;
      if (column > start) spans.push({ start: offset + start, end: offset + column, ...owner });
      start = column;
      if (fields.length >= 4) {
        sourceIndex += fields[1] ?? 0;
        sourceLine += fields[2] ?? 0;
        owner = { source: chunk.map.sources[sourceIndex] ?? "(unmapped)", line: sourceLine + 1 };
      } else owner = { source: "(unmapped)", line: 0 };
    }
    // The line's newline goes with its last span.
    spans.push({ start: offset + start, end: offset + text.length + 1, ...owner });
    offset += text.length + 1;
  });
  return spans;
}

/** The span holding `offset` (spans are sorted and contiguous). */
function spanAt(spans: readonly Span[], offset: number): Span | undefined {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const span = spans[mid];
    if (span === undefined) break;
    if (offset < span.start) high = mid - 1;
    else if (offset >= span.end) low = mid + 1;
    else return span;
  }
  return undefined;
}

/** Each offset's execution count: ranges nest, so painting outer ranges first leaves the innermost count. */
function countsOf(length: number, ranges: readonly Range[]): Int32Array {
  // Offsets no function covers are never parsed as code by V8 (there are none in a module, but be safe).
  const counts = new Int32Array(length).fill(-1);
  const sorted = [...ranges].sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  for (const range of sorted) counts.fill(range.count, range.startOffset, Math.min(range.endOffset, length));
  return counts;
}

/** Outermost ranges among `ranges` (a range inside an earlier listed one is already counted). */
function outermost<T extends Range>(ranges: readonly T[]): T[] {
  const sorted = [...ranges].sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const kept: T[] = [];
  let end = -1;
  for (const range of sorted) {
    if (range.startOffset >= end) {
      kept.push(range);
      end = range.endOffset;
    }
  }
  return kept;
}

const bytes = (text: string): number => Buffer.byteLength(text);
const gz = (text: string): number => gzipSync(text, { level: 9 }).length;

/** Loads the chunks from a temporary folder under coverage, runs `go` if the row has one, and returns each chunk's V8 ranges. */
async function cover(chunks: readonly BuiltChunk[]): Promise<Map<BuiltChunk, { functions: { functionName: string; ranges: Range[] }[] }>> {
  const folder = mkdtempSync(join(tmpdir(), "trio-asyncio-cov-"));
  const session = new Session();
  try {
    writeFileSync(join(folder, "package.json"), '{ "type": "module" }\n');
    const urls = new Map<string, BuiltChunk>();
    for (const chunk of chunks) {
      const file = join(folder, chunk.fileName);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, chunk.code);
      urls.set(pathToFileURL(file).href, chunk);
    }
    const entry = [...urls].find(([, chunk]) => chunk.isEntry);
    if (entry === undefined) throw new Error("size-coverage: the build has no entry chunk");
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
    await import(entry[0]);
    const go = (globalThis as { go?: unknown }).go;
    if (typeof go === "function") await (go as () => unknown)();
    const { result } = await session.post("Profiler.takePreciseCoverage");
    await session.post("Profiler.stopPreciseCoverage");
    const found = new Map<BuiltChunk, { functions: { functionName: string; ranges: Range[] }[] }>();
    for (const script of result) {
      const chunk = urls.get(script.url);
      if (chunk !== undefined) found.set(chunk, script);
    }
    for (const chunk of chunks) if (!found.has(chunk)) found.set(chunk, { functions: [] });
    return found;
  } finally {
    session.disconnect();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** `  1234 B  src/core/x.ts:12  name  first characters…` */
function deadLine(dead: Dead): string {
  const where = spanAt(dead.spans, dead.start);
  const place = where === undefined ? "?" : where.line > 0 ? `${where.source}:${where.line}` : where.source;
  const text = dead.chunk.code.slice(dead.start, dead.end);
  const head = text.slice(0, 48).replace(/\s+/g, " ");
  return `| ${bytes(text)} | ${place} | ${dead.name} | \`${head}${text.length > 48 ? "…" : ""}\` |`;
}

async function main(): Promise<void> {
  const [rowId] = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
  const top = Number(process.argv.find((arg) => arg.startsWith("--top="))?.slice("--top=".length) ?? 15);
  const { row, chunks } = await buildRow(rowId, "production");
  const coverage = await cover(chunks);

  let whole = "";
  let live = "";
  const perSource = new Map<string, { min: number; dead: number }>();
  const deadFunctions: Dead[] = [];
  const deadBlocks: Dead[] = [];
  for (const chunk of chunks) {
    const spans = spansOf(chunk);
    const functions = coverage.get(chunk)?.functions ?? [];
    const counts = countsOf(chunk.code.length, functions.flatMap((f) => f.ranges));
    whole += chunk.code;
    for (const span of spans) {
      const tally = perSource.get(span.source) ?? { min: 0, dead: 0 };
      perSource.set(span.source, tally);
      // Runs of the span that did or did not run.
      let from = span.start;
      for (let at = span.start; at <= span.end; at++) {
        if (at < span.end && (counts[at] === 0) === (counts[from] === 0)) continue;
        const text = chunk.code.slice(from, at);
        tally.min += bytes(text);
        if (counts[from] === 0) tally.dead += bytes(text);
        else live += text;
        from = at;
      }
    }
    // V8 gives a class with fields an initializer spanning the whole class: never run, the class was never constructed.
    const name = (f: { functionName: string }): string =>
      f.functionName === "<instance_members_initializer>" ? "(class never constructed)" : f.functionName || "(anonymous)";
    const deadFns = outermost(functions.filter((f) => f.ranges[0]?.count === 0).map((f) => ({ ...(f.ranges[0] as Range), name: name(f) })));
    for (const f of deadFns) deadFunctions.push({ start: f.startOffset, end: f.endOffset, name: f.name, chunk, spans });
    const blocks = functions
      .filter((f) => (f.ranges[0]?.count ?? 0) > 0)
      .flatMap((f) => f.ranges.slice(1).filter((r) => r.count === 0).map((r) => ({ ...r, name: `in ${name(f)}` })));
    // A never-run function inside a never-run block is part of that block, not listed twice.
    for (const b of outermost(blocks)) deadBlocks.push({ start: b.startOffset, end: b.endOffset, name: b.name, chunk, spans });
  }

  const size = (d: Dead): number => bytes(d.chunk.code.slice(d.start, d.end));
  const deadTotal = [...perSource.values()].reduce((sum, t) => sum + t.dead, 0);
  const min = bytes(whole);
  const percent = (part: number, all: number): string => `${((100 * part) / all).toFixed(1)}%`;
  const lines = [
    `${row.name} (production${typeof (globalThis as { go?: unknown }).go === "function" ? ", go() run" : ", loaded only"})`,
    `bundle: min ${min} B, min+gz ${gz(whole)} B`,
    `never executed: ${deadTotal} B of min (${percent(deadTotal, min)})`,
    `executed remainder (never-run blocks cut out): min ${bytes(live)} B, min+gz ${gz(live)} B`,
    "",
    "| source | min B | never run B | never run |",
    "|---|---:|---:|---:|",
    ...[...perSource]
      .sort(([, a], [, b]) => b.dead - a.dead || b.min - a.min)
      .map(([source, t]) => `| ${source} | ${t.min} | ${t.dead} | ${t.min === 0 ? "-" : percent(t.dead, t.min)} |`),
    "",
    `never-run functions (outermost; ${deadFunctions.length}, ${deadFunctions.reduce((s, d) => s + size(d), 0)} B), largest ${top}:`,
    "| B | where | V8 name | starts with |",
    "|---:|---|---|---|",
    ...deadFunctions.sort((a, b) => size(b) - size(a)).slice(0, top).map(deadLine),
    "",
    `never-run blocks inside functions that ran (${deadBlocks.length}, ${deadBlocks.reduce((s, d) => s + size(d), 0)} B), largest ${top}:`,
    "| B | where | function | starts with |",
    "|---:|---|---|---|",
    ...deadBlocks.sort((a, b) => size(b) - size(a)).slice(0, top).map(deadLine),
  ];
  // One write: piped into head, further writes would fail with EPIPE.
  process.stdout.write(`${lines.join("\n")}\n`, () => undefined);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
