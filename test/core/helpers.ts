/**
 * Small helpers shared by the core tests: a run on an autojumping MockClock,
 * a way to capture what a run rejects with, and a one-shot event built only
 * from the core's wait/wake pair (so core tests do not depend on src/sync).
 */
import { Abort, Cancelled, ExceptionGroup, currentRun, currentTask, runWith, waitTaskRescheduled, type Instrument, type Operation, type Runner, type Task } from "../../src/core/index.js";
import { TaskState } from "../../src/core/task.js";
import { MockClock } from "../../src/testing/index.js";

/** A MockClock that jumps to the next deadline as soon as the run is idle. */
export function autojumpClock(): MockClock {
  return new MockClock({ autojumpThreshold: 0 });
}

/** Runs `main` on a fresh autojumping MockClock. */
export function runMock<T>(main: () => Operation<T>, clock: MockClock = autojumpClock()): Promise<T> {
  return runWith({ clock }, main);
}

/** Runs `main` on a MockClock and also returns the runner, for leftovers(). */
export async function runKeep<T>(
  main: () => Operation<T>,
  clock: MockClock = autojumpClock(),
): Promise<{ runner: Runner; ok: boolean; value: unknown }> {
  let runner: Runner | null = null;
  const p = runWith({ clock }, function* () {
    runner = currentRun();
    return yield* main();
  });
  let ok = true;
  let value: unknown;
  try {
    value = await p;
  } catch (error) {
    ok = false;
    value = error;
  }
  if (runner === null) throw new Error("runKeep: main never ran");
  return { runner, ok, value };
}

/** Resolves with what `p` rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    const v = await p;
    throw new Error(`expected a rejection, got ${String(v)}`);
  } catch (error) {
    return error;
  }
}

/** Every hook an instrument may have, in the order Instrument declares them. */
export const INSTRUMENT_HOOKS = [
  "beforeRun",
  "afterRun",
  "taskSpawned",
  "taskScheduled",
  "beforeTaskStep",
  "afterTaskStep",
  "taskExited",
  "beforeIoWait",
  "afterIoWait",
] as const satisfies readonly (keyof Instrument)[];

/** Settles as `p` does, or fails the test if `p` is still pending after `ms` of real time: a wedged run must not hang the suite. */
export function within<T>(p: Promise<T>, ms = 2000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms: something is wedged`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Settles as `p` does, or answers "hang" after 1 s of real time (for tests that assert a run does not hang). */
export function settled<T>(p: Promise<T>): Promise<T | "hang"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), 1000)));
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

/** Every leaf of an error tree, in order. */
export function leaves(error: unknown): unknown[] {
  return error instanceof ExceptionGroup ? error.exceptions.flatMap(leaves) : [error];
}

/** A one-shot event: tasks wait for it, anyone sets it. */
export class TestEvent {
  private waiters = new Set<Task>();
  isSet = false;

  set(): void {
    if (this.isSet) return;
    this.isSet = true;
    for (const task of this.waiters) task.runner.reschedule(task, undefined, false);
    this.waiters.clear();
  }

  *wait(): Operation<void> {
    if (this.isSet) return;
    const task = currentTask();
    this.waiters.add(task);
    yield* waitTaskRescheduled(() => {
      this.waiters.delete(task);
      return Abort.SUCCEEDED;
    });
  }
}

/** True if the task is parked. */
export function isBlocked(task: Task): boolean {
  return task.state === TaskState.BLOCKED;
}

/** Lets microtasks and one macrotask pass (for code outside the run). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A signal that forwards to a real AbortController's signal and records
 * each listener removed, for checking that nothing is left listening.
 */
export function recordingSignal(): { controller: AbortController; removed: unknown[]; signal: AbortSignal } {
  const controller = new AbortController();
  const removed: unknown[] = [];
  const signal = {
    get aborted() {
      return controller.signal.aborted;
    },
    addEventListener(type: string, fn: () => void) {
      controller.signal.addEventListener(type, fn);
    },
    removeEventListener(type: string, fn: () => void) {
      removed.push(fn);
      controller.signal.removeEventListener(type, fn);
    },
  } as unknown as AbortSignal;
  return { controller, removed, signal };
}

/** A signal that never aborts and whose `method` throws `message`: a hostile signal for cancelOn. */
export function refusingSignal(method: "addEventListener" | "removeEventListener", message: string): AbortSignal {
  const refuse = () => {
    throw new Error(message);
  };
  return { aborted: false, addEventListener: () => {}, removeEventListener: () => {}, [method]: refuse } as unknown as AbortSignal;
}

/** Runs `op`, expecting Cancelled; returns it (swallowed). */
export function* cancelledBy(op: Operation<unknown>): Operation<Cancelled> {
  try {
    yield* op;
  } catch (error) {
    if (error instanceof Cancelled) return error;
    throw error;
  }
  throw new Error("expected Cancelled");
}
