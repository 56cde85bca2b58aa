/**
 * Model-based fuzzing of nurseries and cancel scopes: random programs
 * (program.ts) run by the reference model (model.ts) and by the runtime
 * (runtime.ts) on an autojumping MockClock must agree exactly: which
 * finally blocks ran, which errors came out, which scopes caught their
 * cancellation, which marks were reached, what each catch swallowed, and the
 * virtual time at the end. And the runtime must leave nothing behind.
 *
 * Seeds: each run picks a random seed and prints it; set MODEL_SEED (and
 * MODEL_PATH, both printed by fast-check on failure) to replay a failure,
 * MODEL_RUNS to run more programs. The hand-written examples pin the model
 * itself to known Trio semantics, and the meta-tests show the comparison
 * fails when the runtime's translation is broken on purpose.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runModel, type Outcome } from "./model.js";
import { programArb, show, type Program } from "./program.js";
import { runRuntime, type Mutation } from "./runtime.js";
import { leftovers } from "../../src/core/runner.js";

const seed = process.env.MODEL_SEED !== undefined ? Number(process.env.MODEL_SEED) : Math.floor(Math.random() * 2 ** 31);
const path = process.env.MODEL_PATH;
const numRuns = Number(process.env.MODEL_RUNS ?? "300");

function params(runs: number = numRuns): fc.Parameters<[Program]> {
  return { seed, numRuns: runs, ...(path !== undefined ? { path } : {}) };
}

function expectLeftNothing(runner: Awaited<ReturnType<typeof runRuntime>>["runner"]): void {
  expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
}

describe("the reference model on hand-written programs (known Trio semantics)", () => {
  const examples: { name: string; program: Program; expected: Partial<Outcome> }[] = [
    {
      name: "a deadline cancels the sleep and the scope catches it",
      program: [{ k: "scope", id: 1, deadline: 1, shield: false, body: [{ k: "sleep", d: 5 }, { k: "mark", id: 2 }] }, { k: "mark", id: 3 }],
      expected: { ok: true, caught: { 1: true }, marks: [3], endTime: 1 },
    },
    {
      name: "a failing child cancels its sibling, whose finally runs; the error comes out alone",
      program: [
        {
          k: "nursery",
          id: 1,
          body: [],
          children: [
            [{ k: "sleep", d: 1 }, { k: "raise", id: 2 }],
            [{ k: "try", id: 3, body: [{ k: "sleep", d: 5 }, { k: "mark", id: 4 }], fin: [{ k: "mark", id: 5 }] }],
          ],
        },
      ],
      expected: { ok: false, errors: [2], cancelledEscaped: false, finallies: { 3: 1 }, marks: [5], endTime: 1 },
    },
    {
      name: "a shield lets cleanup finish; the outer scope catches the cancellation afterwards",
      program: [
        {
          k: "scope",
          id: 1,
          deadline: 1,
          shield: false,
          body: [
            { k: "scope", id: 2, deadline: null, shield: true, body: [{ k: "sleep", d: 3 }, { k: "mark", id: 3 }] },
            { k: "mark", id: 4 },
            { k: "sleep", d: 1 },
            { k: "mark", id: 5 },
          ],
        },
      ],
      expected: { ok: true, caught: { 1: true, 2: false }, marks: [3, 4], endTime: 3 },
    },
    {
      name: "an inner scope does not catch a cancellation that belongs to a cancelled outer scope",
      program: [
        {
          k: "scope",
          id: 1,
          deadline: 2,
          shield: false,
          body: [{ k: "scope", id: 2, deadline: null, shield: false, body: [{ k: "sleep", d: 1 }, { k: "cancel", target: 2, nursery: false }, { k: "sleep", d: 1 }] }],
        },
      ],
      // Scope 2 is cancelled at 1 and catches at once: the outer deadline (2) has not passed yet.
      expected: { ok: true, caught: { 1: false, 2: true }, endTime: 1 },
    },
    {
      name: "an error raised in a finally while cancelled replaces the Cancelled; the scope does not absorb it",
      program: [
        {
          k: "scope",
          id: 1,
          deadline: 1,
          shield: false,
          body: [{ k: "try", id: 2, body: [{ k: "sleep", d: 5 }], fin: [{ k: "raise", id: 3 }] }],
        },
      ],
      expected: { ok: false, errors: [3], finallies: { 2: 1 }, caught: { 1: false }, endTime: 1 },
    },
    {
      name: "a catch swallows a group with a Cancelled inside; the next sleep is cancelled again (level-triggered)",
      program: [
        {
          k: "scope",
          id: 1,
          deadline: 4,
          shield: false,
          body: [
            {
              k: "catch",
              id: 2,
              body: [{ k: "nursery", id: 3, body: [{ k: "sleep", d: 10 }], children: [[{ k: "sleep", d: 2 }, { k: "raise", id: 4 }]] }],
            },
            { k: "mark", id: 5 },
            { k: "sleep", d: 10 },
            { k: "mark", id: 6 },
          ],
        },
      ],
      // At 2 the child fails; the nursery cancels its body and absorbs that Cancelled, so the catch sees error 4 alone.
      expected: { ok: true, swallowed: { 2: [4] }, marks: [5], caught: { 1: true }, endTime: 4 },
    },
  ];

  for (const ex of examples) {
    it(ex.name, async () => {
      const { outcome, ambiguous } = runModel(ex.program);
      expect(ambiguous).toBe(false);
      expect(outcome).toMatchObject(ex.expected);
      const real = await runRuntime(ex.program);
      expect(real.outcome).toEqual(outcome);
      expectLeftNothing(real.runner);
    });
  }
});

describe(`model-based fuzzing (seed ${seed}, ${numRuns} programs)`, () => {
  it("the runtime agrees with the model on random programs, and leaves nothing behind", async () => {
    console.info(`model fuzzing: seed ${seed}${path !== undefined ? `, path ${path}` : ""} (replay with MODEL_SEED=${seed})`);
    let compared = 0;
    let failing = 0;
    await fc.assert(
      fc.asyncProperty(programArb(), async (program) => {
        const { outcome: expected, ambiguous } = runModel(program);
        fc.pre(!ambiguous);
        const { outcome, runner } = await runRuntime(program);
        compared++;
        if (!expected.ok) failing++;
        expect(outcome.cancelledEscaped, show(program)).toBe(false);
        for (const count of Object.values(outcome.finallies)) expect(count).toBe(1);
        expect(outcome, show(program)).toEqual(expected);
        expectLeftNothing(runner);
      }),
      params(),
    );
    // The generator exercises both outcomes, not just one.
    expect(compared).toBeGreaterThan(numRuns / 2);
    expect(failing).toBeGreaterThan(0);
    expect(failing).toBeLessThan(compared);
  }, 120_000);

  it("a seed reproduces the same programs", () => {
    const a = fc.sample(programArb(), { seed, numRuns: 20 });
    const b = fc.sample(programArb(), { seed, numRuns: 20 });
    expect(b).toEqual(a);
  });
});

describe("the comparison can fail: deliberately broken translations are caught", () => {
  const mutations: Exclude<Mutation, "none">[] = ["ignore-shield", "skip-finally", "swallow-all"];
  const broken = (mutation: Mutation) =>
    fc.asyncProperty(programArb(), async (program) => {
      const { outcome: expected, ambiguous } = runModel(program);
      fc.pre(!ambiguous);
      const { outcome } = await runRuntime(program, mutation);
      expect(outcome).toEqual(expected);
    });

  for (const mutation of mutations) {
    it(`${mutation} is detected, and the failure replays from its seed and path`, async () => {
      const result = await fc.check(broken(mutation), { seed, numRuns: 2000 });
      expect(result.failed).toBe(true);
      // What fast-check prints on failure is enough to replay exactly that counterexample.
      const replay = await fc.check(broken(mutation), { seed: result.seed, path: result.counterexamplePath!, numRuns: 1 });
      expect(replay.failed).toBe(true);
      expect(replay.counterexample).toEqual(result.counterexample);
    }, 120_000);
  }
});
