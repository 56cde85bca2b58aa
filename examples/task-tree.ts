/**
 * A small, realistic program on the public API, narrated as it runs:
 * a dashboard loads several resources at once under a time budget, one
 * slow call gets a hard deadline, and a background session is shut down
 * by hand with a cleanup that must not be interrupted.
 *
 * It prints the live task tree at a few moments (walked from `currentRun()`
 * through the same public fields a devtools panel would read) and, at the
 * end, every cancellation with the task it hit and the reason it carried.
 *
 * Run it with `npm run demo` (or `npx tsx examples/task-tree.ts`). It ends
 * by itself in about half a second of real time. Pass `--virtual` to run on
 * a MockClock instead: the same story with exact times and no real waiting.
 *
 * Task functions are hoisted `function*` declarations on purpose: inline
 * generator closures are slower (see the README).
 */
import {
  CancelScope,
  Cancelled,
  TooSlowError,
  abortable,
  currentRun,
  currentTask,
  currentTime,
  failAfter,
  moveOnAfter,
  openNursery,
  runWith,
  sleep,
  type Nursery,
  type Operation,
  type RunOptions,
  type Task,
  type TaskStatus,
} from "../src/index.js";
import { MockClock } from "../src/testing/index.js";

// ---- what happened, for the final report ---------------------------------

interface CancelRecord {
  at: number;
  task: string;
  reason: string | undefined;
}
const cancellations: CancelRecord[] = [];
let t0 = 0;

/** Seconds since the program started, for the narration. */
function since(): string {
  return `${(currentTime() - t0).toFixed(2)}s`;
}

function say(message: string): void {
  console.log(`[${since()}] ${message}`);
}

/** Runs `op`; if it is cancelled, notes which task and why, then lets the Cancelled go on. */
function* noteCancel<T>(op: Operation<T>): Operation<T> {
  try {
    return yield* op;
  } catch (error) {
    if (error instanceof Cancelled) {
      cancellations.push({ at: currentTime() - t0, task: currentTask().name, reason: error.reason });
    }
    throw error; // never swallow Cancelled: the scope that caused it absorbs it
  }
}

// ---- the task tree -------------------------------------------------------

/** One line describing a cancel scope: id, shield, deadline, cancel state. */
function scopeLabel(scope: CancelScope, now: number): string {
  const parts = [`scope #${scope.id}`];
  if (scope.shield) parts.push("shielded");
  if (scope.deadline !== Infinity) parts.push(`deadline in ${(scope.deadline - now).toFixed(2)}s`);
  if (scope.cancelCalled) parts.push(`CANCELLED (${scope.cancelReason ?? "no reason"})`);
  return parts.join(", ");
}

/**
 * Prints a task, then the scopes it entered itself (outermost first), each
 * nested in the previous one; a scope that belongs to one of the task's
 * nurseries is printed as that nursery, with its children below it.
 */
function printTask(task: Task, indent: string, now: number, out: string[]): void {
  out.push(`${indent}task ${task.name}  [${task.status}]`);
  // task.cancelScopes runs innermost first up to the root; the task's own
  // scopes are those below the scope of the nursery it lives in.
  const boundary = task.parentNursery?.cancelScope ?? null;
  const own: CancelScope[] = [];
  for (const scope of task.cancelScopes) {
    if (scope === boundary) break;
    own.push(scope);
  }
  own.reverse();
  let pad = indent + "  ";
  for (const scope of own) {
    const nursery = task.childNurseries.find((n) => n.cancelScope === scope);
    if (nursery === undefined) {
      out.push(`${pad}${scopeLabel(scope, now)}`);
    } else {
      printNursery(nursery, pad, now, out);
    }
    pad += "  ";
  }
}

function printNursery(nursery: Nursery, indent: string, now: number, out: string[]): void {
  out.push(`${indent}nursery (${nursery.childTasks.size} running) in ${scopeLabel(nursery.cancelScope, now)}`);
  for (const child of nursery.childTasks) printTask(child, indent + "  ", now, out);
}

/** Prints the whole live tree of the current run, from its main task. */
function printTree(title: string): void {
  const runner = currentRun();
  const out = [`\n[${since()}] task tree: ${title}`];
  if (runner.main !== null) printTask(runner.main, "  ", currentTime(), out);
  console.log(out.join("\n") + "\n");
}

// ---- the program's tasks -------------------------------------------------

/** A fake HTTP call: takes `latency` seconds, cancellable at the sleep. */
function* fetchJson(path: string, latency: number): Operation<string> {
  yield* noteCancel(sleep(latency));
  say(`fetched ${path}`);
  return `{"path":"${path}"}`;
}

/**
 * A fake call through a Promise API that accepts an AbortSignal, as `fetch`
 * does: when the task is cancelled the signal aborts and the timer is cleared.
 */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

let useVirtualTime = false;

function* fetchViaPromise(path: string, latency: number): Operation<void> {
  // With a MockClock, host timers do not follow virtual time: sleep instead.
  if (useVirtualTime) yield* noteCancel(sleep(latency));
  else yield* noteCancel(abortable((signal) => delay(latency * 1000, signal)));
  say(`fetched ${path} (Promise API)`);
}

/** A long-lived session: heartbeats until cancelled, then logs out under a shield. */
function* session(user: string, status: TaskStatus<string>): Operation<void> {
  const token = `token-of-${user}`;
  status.started(token);
  try {
    for (;;) yield* noteCancel(sleep(0.1));
  } finally {
    // We are cancelled here; a plain sleep would raise at once. The shield
    // lets the cleanup wait, and a deadline keeps the cleanup bounded.
    yield* new CancelScope({ shield: true, relativeDeadline: 0.5 }).run(function* () {
      say(`session: logging out ${user} (shielded cleanup)`);
      printTree("during the shielded cleanup");
      yield* sleep(0.05);
      say(`session: logged out ${user}`);
    });
  }
}

// ---- the program ---------------------------------------------------------

function* loadDashboard(): Operation<void> {
  say("1) loading the dashboard with a 0.25 s budget (moveOnAfter)");
  const complete = yield* moveOnAfter(0.25, function* () {
    yield* openNursery(function* (n) {
      n.startSoonNamed("fetch /user", fetchJson, "/user", 0.05);
      n.startSoonNamed("fetch /news", fetchJson, "/news", 0.15);
      n.startSoonNamed("fetch /stats", fetchViaPromise, "/stats", 0.4);
      n.startSoonNamed("fetch /ads", fetchJson, "/ads", 0.8);
      yield* sleep(0.1);
      printTree("dashboard half loaded");
    });
    return true;
  });
  // moveOnAfter returns undefined when its deadline cut the body short.
  say(`dashboard: ${complete === undefined ? "budget ran out, the slow parts were cancelled" : "everything arrived in time"}`);
}

function* slowReport(): Operation<void> {
  say("2) a report that must arrive within 0.1 s (failAfter)");
  try {
    yield* failAfter(0.1, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("fetch /report", fetchJson, "/report", 0.3);
      });
    });
  } catch (error) {
    if (!(error instanceof TooSlowError)) throw error;
    say(`report: caught ${error.name}: ${error.message}`);
  }
}

function* shutDownSession(): Operation<void> {
  say("3) a background session, until the user navigates away");
  yield* openNursery(function* (n) {
    const token = yield* n.start(session, "ada");
    say(`session started with ${token}`);
    yield* sleep(0.15);
    printTree("session running in the background");
    n.cancelScope.cancel("user navigated away");
  });
}

function* main(): Operation<void> {
  t0 = currentTime();
  yield* loadDashboard();
  yield* slowReport();
  yield* shutDownSession();
  printTree("all done: only main is left");
  console.log("cancellations:");
  for (const c of cancellations) {
    console.log(`  ${c.at.toFixed(2)}s  ${c.task.padEnd(14)} reason: ${c.reason ?? "(none)"}`);
  }
}

useVirtualTime = process.argv.includes("--virtual");
const options: RunOptions = useVirtualTime ? { clock: new MockClock({ autojumpThreshold: 0 }), name: "demo" } : { name: "demo" };
const startedAt = performance.now();
runWith(options, main).then(
  () => console.log(`\nfinished in ${(performance.now() - startedAt).toFixed(0)} ms of real time`),
  (error: unknown) => {
    console.error("the demo failed:", error);
    process.exitCode = 1;
  },
);
