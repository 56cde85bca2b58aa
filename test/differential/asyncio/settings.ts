/** Shared by the recorder and the test: how fixtures are sampled, and which programs are left out. */
import type { Program } from "./dsl.js";

export const RECORD_SEED = 20261206;
export const RECORD_COUNT = 2000;

/**
 * Programs that once diverged are recorded besides the sample so the test
 * keeps guarding them. They are kept literally, with why each diverged, in
 * ./regressions.json (appended to by hand, from the program record.ts
 * --compare prints): sampling indexes would not survive a change of the DSL.
 */
export const REGRESSIONS_FILE = "regressions.json";

/** Programs left out of the comparison: none so far. */
export function EXCLUDED(_program: Program): boolean {
  return false;
}
