/**
 * Helpers for the component-layer and binding tests: a run on an autojumping MockClock
 * that also checks nothing is left over, runtimes on their own MockClock
 * closed after each test, and a way for plain test code to wait until a
 * TrioRuntime's tasks have all settled.
 */
import { currentRun, currentTime, runWith, sleep, type Operation, type Runner } from "../../src/core/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { TrioRuntime, type ErrorReporter } from "../../src/components/index.js";
import { leftovers } from "../../src/core/runner.js";

/** Runs `main` on a fresh autojumping MockClock; asserts the run left nothing behind. */
export async function runClean<T>(main: () => Operation<T>, clock = new MockClock({ autojumpThreshold: 0 })): Promise<T> {
  let runner: Runner | null = null;
  const value = await runWith({ clock }, function* () {
    runner = currentRun();
    return yield* main();
  });
  const left = leftovers((runner as Runner | null)!);
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

const open: TrioRuntime[] = [];

/** A runtime named `name` on its own MockClock, reporting to `onError`; `closeTestRuntimes()` closes it. */
export function testRuntime(name: string, onError: ErrorReporter): { rt: TrioRuntime; clock: MockClock } {
  const clock = new MockClock();
  const rt = new TrioRuntime({ name, clock, onError });
  open.push(rt);
  return { rt, clock };
}

/** For afterEach: closes every runtime `testRuntime()` made. */
export async function closeTestRuntimes(): Promise<void> {
  for (const rt of open.splice(0)) await rt.close();
}

/** An onError reporter that records each error as "source: error" in `errors`. */
export function recordErrors(errors: string[]): ErrorReporter {
  return (e, source) => {
    errors.push(`${source}: ${String(e)}`);
  };
}

/** Sleeps `seconds`, logging "done label" if it got there and "finally label" in any case. */
export function* mark(log: string[], label: string, seconds: number): Operation<void> {
  try {
    yield* sleep(seconds);
    log.push(`done ${label}`);
  } finally {
    log.push(`finally ${label}`);
  }
}
