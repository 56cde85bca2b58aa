/**
 * Records (or live-compares) the asyncio differential test's programs.
 *
 *   npx tsx scripts/differential/asyncio/record.ts             # write test/differential/asyncio/fixtures.json
 *   npx tsx scripts/differential/asyncio/record.ts --compare N [--seed S] [--deep]
 *                                                               # run N programs in CPython and here, print divergences
 *
 * Programs come from test/differential/asyncio/dsl.ts (fast-check, fixed
 * seed), plus the past divergences in regressions.json; CPython runs them all in one `python3 interp.py` process over JSON
 * lines. A program that deadlocks is compared up to the deadlock (its log
 * ends with [null, "main", "stuck"] on both sides); one CPython stops for
 * running past 10000 virtual seconds (none can, the DSL has no loops) is
 * left out.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { samplePrograms, type LogLine, type Program } from "../../../test/differential/asyncio/dsl.js";
import { EXCLUDED, RECORD_COUNT, RECORD_SEED, REGRESSIONS_FILE } from "../../../test/differential/asyncio/settings.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");

function runPython(programs: Program[]): ({ log: LogLine[] } | { skip: string })[] {
  const input = programs.map((p) => JSON.stringify(p)).join("\n") + "\n";
  const out = spawnSync("python3", [join(here, "interp.py")], { input, encoding: "utf8", maxBuffer: 1 << 28 });
  if (out.status !== 0) throw new Error(`interp.py failed (${String(out.status)}):\n${out.stderr}`);
  return out.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { log: LogLine[] } | { skip: string });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : RECORD_SEED;
  const compareAt = args.indexOf("--compare");
  if (compareAt >= 0) {
    const n = Number(args[compareAt + 1]);
    const { runProgram } = await import("../../../test/differential/asyncio/interp.js");
    const deepAt = args.indexOf("--deep");
    const programs = deepAt >= 0 ? samplePrograms(n, seed, 5, 6) : samplePrograms(n, seed);
    const expected = runPython(programs);
    let diverged = 0;
    let skipped = 0;
    for (let i = 0; i < programs.length; i++) {
      const e = expected[i]!;
      if ("skip" in e || EXCLUDED(programs[i]!)) {
        skipped++;
        continue;
      }
      let got: LogLine[] | string;
      try {
        got = await runProgram(programs[i]!);
      } catch (error) {
        got = `threw ${String(error)}`;
      }
      if (JSON.stringify(got) !== JSON.stringify(e.log)) {
        diverged++;
        console.log(`--- program ${i}: ${JSON.stringify(programs[i])}`);
        console.log(`cpython: ${JSON.stringify(e.log)}`);
        console.log(`ours:    ${JSON.stringify(got)}`);
      }
    }
    console.log(`${programs.length} programs, ${skipped} skipped, ${diverged} diverged`);
    return;
  }
  const programs = samplePrograms(RECORD_COUNT, seed);
  const regressions = JSON.parse(readFileSync(join(root, "test", "differential", "asyncio", REGRESSIONS_FILE), "utf8")) as { program: Program }[];
  for (const r of regressions) programs.push(r.program);
  const expected = runPython(programs);
  const cases: { program: Program; log: LogLine[] }[] = [];
  for (let i = 0; i < programs.length; i++) {
    const e = expected[i]!;
    if ("log" in e && !EXCLUDED(programs[i]!)) cases.push({ program: programs[i]!, log: e.log });
  }
  const file = join(root, "test", "differential", "asyncio", "fixtures.json");
  const python = spawnSync("python3", ["--version"], { encoding: "utf8" }).stdout.trim();
  writeFileSync(file, JSON.stringify({ python, seed, count: RECORD_COUNT, cases }) + "\n");
  console.log(`wrote ${cases.length} cases (of ${programs.length}, ${regressions.length} of them past divergences) to ${file}`);
}

await main();
