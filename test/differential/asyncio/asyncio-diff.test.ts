/**
 * Differential test of the asyncio layer against CPython.
 *
 * fixtures.json holds programs of the DSL in ./dsl.ts (fast-check, the seed
 * and count in ./settings.ts) with the log CPython wrote running each one
 * (scripts/differential/asyncio/interp.py, on a virtual-time loop). This
 * test runs every program on our layer (./interp.ts, an autojumping
 * MockClock) and asks for the very same log: the order of events at each
 * instant included, since asyncio's ready queue is FIFO. A program that
 * deadlocks is compared up to the deadlock: CPython's loop raises when
 * nothing is ready and no timer is left, ours notices it with a far-off
 * watchdog timer (./interp.ts); both logs then end with a "stuck" line.
 *
 * CI needs no Python. To regenerate after changing the DSL, the
 * interpreters or settings.ts (needs python3, 3.11 or later):
 *
 *   npx tsx scripts/differential/asyncio/record.ts
 *
 * To look for divergences on fresh programs without recording:
 *
 *   npx tsx scripts/differential/asyncio/record.ts --compare 2000 --seed 5 [--deep]
 *
 * Where CPython 3.11 differs from the 3.12 we follow (or from 3.13, for
 * TaskGroup and uncancel()), or leaves an order unspecified, interp.py says
 * how it is pinned down (its header and the comments at Timeout312, gather,
 * Semaphore312, Condition312, as_completed, Task313, TaskGroup and call_at).
 * Past divergences are kept literally in ./regressions.json.
 *
 * Not covered, because CPython 3.11 (the Python recording here) lacks them:
 * eager tasks (eager_task_factory, 3.12) and Queue.shutdown (3.13). Writing
 * them out in interp.py would test our reading of the docs against itself,
 * so they are left to the unit tests in test/asyncio until a recording
 * Python has them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LogLine, Program } from "./dsl.js";
import { runProgram } from "./interp.js";

interface Fixtures {
  python: string;
  seed: number;
  count: number;
  cases: { program: Program; log: LogLine[] }[];
}

const fixtures = JSON.parse(readFileSync(new URL("./fixtures.json", import.meta.url), "utf8")) as Fixtures;

describe(`asyncio programs log what CPython logged (${fixtures.python}, seed ${fixtures.seed})`, () => {
  it("has a few hundred recorded programs", () => {
    expect(fixtures.cases.length).toBeGreaterThan(300);
  });

  it("every recorded program", async () => {
    const failures: string[] = [];
    for (let i = 0; i < fixtures.cases.length; i++) {
      const { program, log } = fixtures.cases[i]!;
      let got: LogLine[] | string;
      try {
        got = await runProgram(program);
      } catch (error) {
        got = `threw ${String(error)}`;
      }
      if (JSON.stringify(got) !== JSON.stringify(log)) {
        failures.push(`case ${i}: ${JSON.stringify(program)}\n  cpython: ${JSON.stringify(log)}\n  ours:    ${JSON.stringify(got)}`);
        if (failures.length >= 3) break;
      }
    }
    expect(failures.join("\n")).toBe("");
  }, 120_000);
});
