/**
 * Helpers for the component-layer and binding tests: a run on an autojumping MockClock
 * that also checks nothing is left over, and a way for plain test code to
 * wait until a TrioRuntime's tasks have all settled.
 */
import { currentRun, currentTime, runWith, type Operation, type Runner } from "../../src/core/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import type { TrioRuntime } from "../../src/components/index.js";

/** Runs `main` on a fresh autojumping MockClock; asserts the run left nothing behind. */
export async function runClean<T>(main: () => Operation<T>, clock = new MockClock({ autojumpThreshold: 0 })): Promise<T> {
  let runner: Runner | null = null;
  const value = await runWith({ clock }, function* () {
    runner = currentRun();
    return yield* main();
  });
  const left = (runner as Runner | null)!.leftovers();
  if (left.tasks !== 0 || left.deadlines !== 0 || left.hostTimer || left.idleTimer || left.idleWaiters !== 0) {
    throw new Error(`the run left something behind: ${JSON.stringify(left)}`);
  }
  return value;
}

/** A log of events with the (mock) time each happened at. */
export class TimeLog {
  readonly entries: string[] = [];
  /** Records `what` at the current run time (call from inside a task). */
  add(what: string): void {
    this.entries.push(`${currentTime()}:${what}`);
  }
}

function* settleOp(resolve: () => void): Operation<void> {
  yield* waitAllTasksBlocked();
  resolve();
}

/**
 * Resolves once every task of the runtime's run is blocked (the runtime has
 * settled), by running a tiny task in it.
 */
export function settled(runtime: TrioRuntime): Promise<void> {
  return new Promise<void>((resolve) => runtime.spawn("settled", settleOp, resolve));
}
