/**
 * Differential test against real Trio: the model programs of test/model
 * (program.ts), run by our runtime (test/model/runtime.ts) and by our
 * reference model (test/model/model.ts), must end exactly as Trio ends
 * them (Trio 0.22, recorded, with one rule that later Trio changed applied
 * as current Trio has it: see below). The model test only compares our two implementations, which could
 * share a misconception; this one compares both with Trio.
 *
 * Where the fixtures come from: fixtures.json holds programs sampled with
 * the model test's arbitrary at a fixed seed (the model's ambiguous ones
 * skipped), a few hand-written "pinned" ones, and what Trio did with each,
 * recorded by scripts/differential/trio/interp.py (a Python interpreter of
 * the same program data, on trio.testing.MockClock(autojump_threshold=0) and
 * strict exception groups). CI has no Trio, so it runs the recording only.
 * Regenerate (needs python3 with trio 0.22) with
 *
 *   npx tsx scripts/differential/trio/record.ts
 *
 * and compare a larger live sample, printing every divergence, with
 *
 *   npx tsx scripts/differential/trio/record.ts --compare --count 5000 --seed 7
 *
 * Each fixture has `trio` (what Trio 0.22 did) and, only where it
 * differs, `ours`: what Trio does with the end of a nursery block made no
 * cancel point, as current Trio releases do (python-trio/trio#1457) and as
 * ours is (docs/semantics.md, "Checkpoints", the row "end of
 * `openNursery`"; interp.py's module comment explains). We must equal
 * `ours ?? trio`, and must differ from `trio` where `ours` is given, so a
 * change that brings back Trio 0.22's cancel point is caught.
 */
import { describe, expect, it } from "vitest";
import { runModel, type Outcome } from "../../model/model.js";
import { show, type Program } from "../../model/program.js";
import { runRuntime } from "../../model/runtime.js";
import fixtures from "./fixtures.json" with { type: "json" };
import { leftoverProblems } from "../leftovers.js";

interface Fixture {
  program: Program;
  trio: Outcome;
  ours?: Outcome;
}

const sampled = fixtures.programs as unknown as Fixture[];
const pinned = fixtures.pinned as unknown as (Fixture & { name: string })[];

/** Runs one program on the model and the runtime; returns the mismatches with what we must equal. */
async function compare(f: Fixture): Promise<string[]> {
  const want = f.ours ?? f.trio;
  const { outcome: model, ambiguous } = runModel(f.program);
  const { outcome: runtime, runner } = await runRuntime(f.program);
  const problems: string[] = [];
  const same = (a: Outcome, b: Outcome) => JSON.stringify(a) === JSON.stringify(JSON.parse(JSON.stringify(b)));
  if (ambiguous) problems.push("the model flags it ambiguous");
  if (!same(want, model)) problems.push(`model ${JSON.stringify(model)}`);
  if (!same(want, runtime)) problems.push(`runtime ${JSON.stringify(runtime)}`);
  if (f.ours !== undefined && same(f.trio, runtime)) problems.push("the runtime now makes the end of a nursery block a cancel point, as Trio 0.22 did and current Trio no longer does (python-trio/trio#1457)");
  problems.push(...leftoverProblems(runner));
  return problems.length === 0 ? [] : [`${show(f.program)}\n  want ${JSON.stringify(want)}${f.ours !== undefined ? ` (Trio itself: ${JSON.stringify(f.trio)})` : ""}\n  ${problems.join("\n  ")}`];
}

describe("our runtime and model against Trio 0.22 (recorded)", () => {
  it(`the recording holds ${fixtures.count} sampled programs (seed ${fixtures.seed}) of both outcomes`, () => {
    expect(sampled).toHaveLength(fixtures.count);
    const failing = sampled.filter((f) => !f.trio.ok).length;
    expect(failing).toBeGreaterThan(sampled.length / 10);
    expect(failing).toBeLessThan(sampled.length - sampled.length / 10);
    expect(sampled.filter((f) => Object.values(f.trio.caught).some(Boolean)).length).toBeGreaterThan(0);
    expect(sampled.filter((f) => Object.keys(f.trio.swallowed).length > 0).length).toBeGreaterThan(0);
    // A Cancelled never escapes a run: every scope that cancels absorbs.
    expect(sampled.filter((f) => f.trio.cancelledEscaped)).toEqual([]);
  });

  it("every sampled program ends as in Trio, on the runtime and on the model", async () => {
    const failures: string[] = [];
    for (const f of sampled) failures.push(...(await compare(f)));
    expect(failures).toEqual([]);
  }, 120_000);

  for (const f of pinned) {
    it(`pinned: ${f.name}`, async () => {
      expect(await compare(f)).toEqual([]);
    });
  }

  it("the pinned nursery-exit programs do show the difference (they are not vacuous)", () => {
    expect(pinned.filter((f) => f.ours !== undefined).length).toBe(3);
  });
});
