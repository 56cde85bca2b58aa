/** What a finished run of a differential test left behind, as a problem line (none: it left nothing). */
import type { Runner } from "../../src/index.js";
import { leftovers } from "../../src/core/runner.js";

export function leftoverProblems(runner: Runner): string[] {
  const left = leftovers(runner);
  const clean = left.tasks === 0 && left.deadlines === 0 && !left.hostTimer && !left.idleTimer && left.idleWaiters === 0;
  return clean ? [] : [`leftovers ${JSON.stringify(left)}`];
}
