/**
 * Records the fixtures of test/differential/trio: samples model programs
 * (test/model/program.ts) with a fixed seed, skips those the reference model
 * flags ambiguous (two timed events at one instant), runs the rest on real
 * Trio through interp.py (one python process, one JSON program per line),
 * and writes the programs with Trio's outcomes.
 *
 *   npx tsx scripts/differential/trio/record.ts            # writes test/differential/trio/fixtures.json
 *   npx tsx scripts/differential/trio/record.ts --compare --count 5000 --seed 7 [--strict] [--depth 6 --length 7]
 *       live: compares Trio, the model and the runtime and prints every divergence
 *       (--strict: the nursery-exit difference of interp.py is not set apart).
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
import { runModel, type Outcome } from "../../../test/model/model.js";
import { programArb, show, type Program, type ProgramOptions, type Stmt } from "../../../test/model/program.js";
import { runRuntime } from "../../../test/model/runtime.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");

/** The seed and sample size of the recorded fixtures (the test's header names them). */
export const RECORD_SEED = 20261206;
export const RECORD_COUNT = 700;

const sl = (d: number): Stmt => ({ k: "sleep", d });

/**
 * Hand-written programs recorded beside the sampled ones: each pins one
 * difference interp.py accounts for, which the sampler reaches only about
 * once in a thousand programs or never.
 */
export const PINNED: { name: string; program: Program }[] = [
  {
    name: "an empty nursery block in a cancelled scope (Trio 0.22: a full checkpoint at the end of the block; current Trio: none)",
    program: [
      {
        k: "scope",
        id: 1,
        deadline: null,
        shield: false,
        body: [sl(1), { k: "cancel", target: 1, nursery: false }, { k: "nursery", id: 2, body: [], children: [] }, { k: "mark", id: 3 }],
      },
      { k: "mark", id: 4 },
    ],
  },
  {
    name: "a parent waiting at the end of its nursery block is cancelled while its child is shielded (Trio 0.22: the nursery records a Cancelled; current Trio: not)",
    program: [
      {
        k: "scope",
        id: 1,
        deadline: null,
        shield: false,
        body: [
          {
            k: "nursery",
            id: 2,
            body: [sl(1), { k: "cancel", target: 1, nursery: false }],
            children: [[{ k: "scope", id: 3, deadline: null, shield: true, body: [sl(2), { k: "mark", id: 4 }] }]],
          },
          { k: "mark", id: 5 },
        ],
      },
    ],
  },
  {
    name: "a nursery in a child cancels the outer nursery and ends, its own child already done (sampled, seed 7)",
    program: [
      {
        k: "nursery",
        id: 1,
        children: [
          [sl(6.7392578125), sl(6.65625), sl(0.8759765625), { k: "raise", id: 2 }, { k: "mark", id: 3 }, sl(0.16015625)],
          [
            { k: "scope", id: 4, deadline: 1.0693359375, shield: true, body: [] },
            { k: "nursery", id: 5, children: [[sl(3.8837890625)]], body: [sl(3.779296875), sl(7.216796875), { k: "cancel", target: 1, nursery: true }] },
            { k: "mark", id: 6 },
          ],
        ],
        body: [],
      },
    ],
  },
  {
    name: "a catch around a nursery whose errors are all Cancelled (docs/semantics.md, nurseries rule 6: ours raises a plain Cancelled)",
    program: [
      {
        k: "scope",
        id: 1,
        deadline: null,
        shield: false,
        body: [
          {
            k: "catch",
            id: 2,
            body: [{ k: "nursery", id: 3, children: [[sl(5)]], body: [sl(1), { k: "cancel", target: 1, nursery: false }, sl(5)] }],
          },
          { k: "mark", id: 4 },
        ],
      },
    ],
  },
];

/** What Trio did with one program (see trio-driver.ts). */
export type TrioResult = SharedTrioResult<Outcome>;

/** Runs every program on Trio; throws if the interpreter crashed on one. */
export function runTrio(programs: readonly Program[]): TrioResult[] {
  return runTrioInterpreter<Program, Outcome>(join(here, "interp.py"), programs, show);
}

function sample(seed: number, count: number, options: ProgramOptions): Program[] {
  // Oversample, then keep the first `count` unambiguous programs.
  const all = fc.sample(programArb(options), { seed, numRuns: Math.ceil(count * 1.5) + 20 });
  const kept = all.filter((p) => !runModel(p).ambiguous).slice(0, count);
  if (kept.length < count) throw new Error(`only ${kept.length} unambiguous programs of ${all.length}`);
  return kept;
}

/** Outcomes compared as JSON values (Trio's caught/finallies keys are strings; times are plain numbers). */
const norm = (o: Outcome): unknown => JSON.parse(JSON.stringify(o));

async function main(): Promise<void> {
  const seed = Number(cliArg("seed") ?? RECORD_SEED);
  const count = Number(cliArg("count") ?? RECORD_COUNT);
  // --depth and --length explore beyond the model test's defaults (live only; the fixtures use the defaults).
  const options: ProgramOptions = sizeOptions();
  const programs = sample(seed, count, options);
  const trio = runTrio(programs);
  if (process.argv.includes("--compare")) {
    let modelDiffs = 0;
    let runtimeDiffs = 0;
    let nurseryExit = 0;
    const strict = process.argv.includes("--strict");
    for (let i = 0; i < programs.length; i++) {
      const p = programs[i]!;
      const r = trio[i]!;
      if (r.ours !== undefined) nurseryExit++;
      // --strict compares with Trio itself, the known nursery-exit difference included.
      const want = JSON.stringify(norm(strict ? r.trio : (r.ours ?? r.trio)));
      const model = JSON.stringify(norm(runModel(p).outcome));
      const runtime = JSON.stringify(norm((await runRuntime(p)).outcome));
      if (model !== want) modelDiffs++;
      if (runtime !== want) runtimeDiffs++;
      if (model !== want || runtime !== want) {
        console.log(`#${i} ${show(p)}\n  trio:    ${want}\n  model:   ${model}\n  runtime: ${runtime}\n  json:    ${JSON.stringify(p)}`);
      }
    }
    console.log(
      `${programs.length} programs (seed ${seed}): the nursery-exit difference shows in ${nurseryExit}; ` +
        `besides it${strict ? " (--strict: not set apart)" : ""}, the model differs from Trio on ${modelDiffs}, the runtime on ${runtimeDiffs}`,
    );
    return;
  }
  if (Object.keys(options).length > 0) throw new Error("--depth and --length are for --compare only");
  const pinned = runTrio(PINNED.map((p) => p.program));
  const fixtures = {
    seed,
    count,
    pinned: PINNED.map(({ name, program }, i) => ({ name, program, ...pinned[i]! })),
    programs: programs.map((program, i) => ({ program, ...trio[i]! })),
  };
  const out = join(root, "test", "differential", "trio", "fixtures.json");
  writeFileSync(out, JSON.stringify(fixtures) + "\n");
  console.log(`wrote ${programs.length} programs (seed ${seed}) and ${PINNED.length} pinned ones to ${out}`);
}

await main();
