/**
 * Records the fixtures of test/differential/trio-sync: samples primitives
 * programs (test/differential/trio-sync/program.ts) with a fixed seed, runs
 * them on real Trio through interp.py (one python process, one JSON program
 * per line) and on our runtime, skips those either flags ambiguous (two
 * timers at one instant), and writes the rest with Trio's outcomes.
 *
 *   npx tsx scripts/differential/trio-sync/record.ts
 *       writes test/differential/trio-sync/fixtures.json
 *   npx tsx scripts/differential/trio-sync/record.ts --compare --count 3000 --seed 7 [--strict] [--depth 4 --length 6]
 *       live: compares Trio and the runtime and prints every divergence
 *       (--strict: against Trio 0.22 itself, the version differences of interp.py not set apart).
 *
 * Needs python3 with trio 0.22 (`python3 -c "import trio"`), or
 * TRIO_PYTHON naming a Python that has it (TRIO_PYTHON=/usr/bin/python3 for
 * Debian's python3-trio). CI has no Trio and runs only the recorded fixtures.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { cliArg, runTrioInterpreter, sizeOptions, type TrioResult as SharedTrioResult } from "../trio-driver.js";
import { programArb, show, type Program, type ProgramOptions } from "../../../test/differential/trio-sync/program.js";
import { runRuntime, type Outcome } from "../../../test/differential/trio-sync/runtime.js";
import { PINNED } from "../../../test/differential/trio-sync/pinned.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");

export const RECORD_SEED = 20261207;
export const RECORD_COUNT = 520;

/** What Trio did with one program (see trio-driver.ts). */
export type TrioResult = SharedTrioResult<Outcome>;

/** Runs every program on Trio; throws if the interpreter crashed on one. */
export function runTrio(programs: readonly Program[]): TrioResult[] {
  return runTrioInterpreter<Program, Outcome>(join(here, "interp.py"), programs, show);
}

const key = (o: Outcome): string => JSON.stringify({ log: o.log, result: o.result, endTime: o.endTime });

async function main(): Promise<void> {
  const seed = Number(cliArg("seed") ?? RECORD_SEED);
  const count = Number(cliArg("count") ?? RECORD_COUNT);
  const options: ProgramOptions = sizeOptions();
  const compare = process.argv.includes("--compare");
  const strict = process.argv.includes("--strict");
  const all = fc.sample(programArb(options), { seed, numRuns: Math.ceil(count * 1.3) + 20 });
  const trio = runTrio(all);
  const kept: { program: Program; r: TrioResult }[] = [];
  let diffs = 0;
  let versionDiffs = 0;
  for (let i = 0; i < all.length && kept.length < count; i++) {
    const p = all[i]!;
    const r = trio[i]!;
    const { outcome } = await runRuntime(p);
    if (r.trio.ambiguous || (r.ours?.ambiguous ?? false) || outcome.ambiguous) continue;
    kept.push({ program: p, r });
    if (!compare) continue;
    if (r.ours !== undefined) versionDiffs++;
    const want = strict ? r.trio : (r.ours ?? r.trio);
    if (key(want) !== key(outcome)) {
      diffs++;
      console.log(`#${i} ${show(p)}\n  trio:    ${key(want)}\n  runtime: ${key(outcome)}\n  json:    ${JSON.stringify(p)}`);
    }
  }
  if (kept.length < count) throw new Error(`only ${kept.length} unambiguous programs of ${all.length}`);
  if (compare) {
    console.log(`${kept.length} programs (seed ${seed}): Trio 0.22 and current Trio differ on ${versionDiffs}; the runtime differs from Trio${strict ? " 0.22" : ""} on ${diffs}`);
    return;
  }
  if (Object.keys(options).length > 0) throw new Error("--depth and --length are for --compare only");
  const pinned = runTrio(PINNED.map((p) => p.program));
  for (let i = 0; i < PINNED.length; i++) {
    const { outcome } = await runRuntime(PINNED[i]!.program);
    const r = pinned[i]!;
    if (r.trio.ambiguous || (r.ours?.ambiguous ?? false) || outcome.ambiguous) throw new Error(`pinned program "${PINNED[i]!.name}" is ambiguous`);
    if (key(r.ours ?? r.trio) !== key(outcome)) console.log(`pinned "${PINNED[i]!.name}" differs:\n  trio:    ${key(r.ours ?? r.trio)}\n  runtime: ${key(outcome)}`);
  }
  const strip = (o: Outcome) => ({ log: o.log, result: o.result, endTime: o.endTime });
  const entry = (r: TrioResult) => ({ trio: strip(r.trio), ...(r.ours === undefined ? {} : { ours: strip(r.ours) }) });
  const fixtures = {
    seed,
    count,
    pinned: PINNED.map(({ name, program }, i) => ({ name, program, ...entry(pinned[i]!) })),
    programs: kept.map(({ program, r }) => ({ program, ...entry(r) })),
  };
  const out = join(root, "test", "differential", "trio-sync", "fixtures.json");
  writeFileSync(out, JSON.stringify(fixtures) + "\n");
  console.log(`wrote ${kept.length} programs (seed ${seed}) and ${PINNED.length} pinned ones to ${out}`);
}

await main();
