/**
 * Differential test against real Trio, second part: the primitives. The
 * first part (test/differential/trio) covers nurseries and cancel scopes;
 * this one covers nursery.start()/taskStatus.started() (in cancelled scopes,
 * children failing before started(), started() twice or never), memory
 * channels (buffer 0 to 2, clones, close on both sides, EndOfChannel,
 * BrokenResourceError, ClosedResourceError, WouldBlock), Event, Lock,
 * Semaphore (maxValue), CapacityLimiter (totalTokens changes, borrowers),
 * Condition, failAfter/moveOnAfter/TooSlowError, and outcomes with several
 * real errors (shielded finally blocks that raise after the first failure),
 * compared as order-insensitive ExceptionGroup trees.
 *
 * Programs are plain data (program.ts), run by runtime.ts on our runtime and
 * by scripts/differential/trio-sync/interp.py on Trio 0.22
 * (trio.testing.MockClock(autojump_threshold=0), strict_exception_groups).
 * Trio randomizes the order of tasks woken in one batch, so the programs
 * give every action an instant of its own (each follows a sleep; programs
 * in which two timers coincide are skipped when recording), and what is
 * compared is order-insensitive within an instant: the log sorted by
 * (time, task), each task's entries in their order, and error groups as
 * sorted trees.
 *
 * fixtures.json holds programs sampled with a fixed seed, the hand-written
 * ones of pinned.ts, and what Trio did with each. CI has no Trio, so it runs
 * the recording only. Regenerate (needs python3 with trio 0.22, or
 * TRIO_PYTHON naming a Python that has it) with
 *
 *   npx tsx scripts/differential/trio-sync/record.ts
 *
 * and compare a larger live sample, printing every divergence, with
 *
 *   npx tsx scripts/differential/trio-sync/record.ts --compare --count 3000 --seed 7
 *
 * Each fixture has `trio` (what Trio 0.22 did) and, only where it differs,
 * `ours`: what Trio does with current Trio's rules where they changed since
 * 0.22 (the end of a nursery block is no cancel point, python-trio/trio#1457;
 * start() raises a failing child's error unwrapped, #2611; totalTokens may
 * be 0, #3243; a Lock whose owner exits holding it breaks, 0.27.0, #3035)
 * and with our one deliberate difference found here (a
 * CapacityLimiter borrower already waiting in another task is refused).
 * interp.py's module comment explains each. We must equal `ours ?? trio`.
 */
import { describe, expect, it } from "vitest";
import { show, type Program } from "./program.js";
import { runRuntime, type Mutation, type Outcome } from "./runtime.js";
import fixtures from "./fixtures.json" with { type: "json" };
import { leftoverProblems } from "../leftovers.js";

type Recorded = Pick<Outcome, "log" | "result" | "endTime">;

interface Fixture {
  program: Program;
  trio: Recorded;
  ours?: Recorded;
}

const sampled = fixtures.programs as unknown as Fixture[];
const pinned = fixtures.pinned as unknown as (Fixture & { name: string })[];

const key = (o: Recorded): string => JSON.stringify({ log: o.log, result: o.result, endTime: o.endTime });

/** Runs one program on the runtime; returns the mismatches with what we must equal. */
async function compare(f: Fixture, mutate: Mutation = "none"): Promise<string[]> {
  const want = f.ours ?? f.trio;
  const { outcome, runner } = await runRuntime(f.program, mutate);
  const problems: string[] = [];
  if (outcome.ambiguous) problems.push("the runtime flags it ambiguous");
  if (key(outcome) !== key(want)) problems.push(`runtime ${key(outcome)}`);
  problems.push(...leftoverProblems(runner));
  return problems.length === 0 ? [] : [`${show(f.program)}\n  want ${key(want)}\n  ${problems.join("\n  ")}`];
}

describe("primitives on our runtime against Trio 0.22 (recorded)", () => {
  it(`the recording holds ${fixtures.count} sampled programs (seed ${fixtures.seed}) that exercise what they should`, () => {
    expect(sampled).toHaveLength(fixtures.count);
    const outcomes = sampled.map((f) => f.ours ?? f.trio);
    const logs = outcomes.map((o) => o.log.map((e) => e[2]).join("\n"));
    const count = (re: RegExp) => logs.filter((l) => re.test(l)).length;
    const failing = outcomes.filter((o) => o.result !== "ok").length;
    expect(failing).toBeGreaterThan(sampled.length / 10);
    expect(failing).toBeLessThan(sampled.length - sampled.length / 10);
    // Several real errors in one outcome (not only the first failure).
    expect(outcomes.filter((o) => (o.result.match(/E\d+|[A-Z][a-z]+Error|WouldBlock|EndOfChannel/g) ?? []).length >= 2).length).toBeGreaterThan(20);
    for (const re of [/EndOfChannel/, /BrokenResourceError/, /ClosedResourceError/, /WouldBlock/, /TooSlowError/, /ValueError/, /started#\d+ ok/, /start#\d+ err/, /with#/, /borrowed=/, /caught=true/]) {
      expect(count(re), String(re)).toBeGreaterThan(0);
    }
  });

  it("every sampled program ends as in Trio", async () => {
    const failures: string[] = [];
    for (const f of sampled) failures.push(...(await compare(f)));
    expect(failures).toEqual([]);
  }, 120_000);

  for (const f of pinned) {
    it(`pinned: ${f.name}`, async () => {
      expect(await compare(f)).toEqual([]);
    });
  }

  it("the recording has programs where Trio 0.22 differs from current Trio, and the pinned ones show each difference", () => {
    expect(sampled.filter((f) => f.ours !== undefined).length).toBeGreaterThan(0);
    expect(pinned.filter((f) => f.ours !== undefined).length).toBe(6); // two of them: a lock whose owner ends holding it
  });

  // The comparison can fail: a translation broken on purpose diverges.
  for (const mutate of ["fail-as-move", "nowait-blocks"] as const) {
    it(`a deliberately broken translation (${mutate}) diverges from Trio`, async () => {
      let diverging = 0;
      for (const f of [...pinned, ...sampled]) if ((await compare(f, mutate)).length > 0) diverging++;
      expect(diverging).toBeGreaterThan(0);
    }, 120_000);
  }
});
