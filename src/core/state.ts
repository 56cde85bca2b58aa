/**
 * Which task is running right now.
 *
 * The scheduler steps one task at a time, synchronously, so while a task's
 * generator runs, "the current task" is simply a variable the scheduler sets
 * before the step and clears after it. Every operation reads it to find its
 * task, cancel scope and run; no trap round-trip is needed for that.
 */
import type { Task } from "./task.js";

/**
 * `task` is the running task: the running run's `stepping`, read through
 * `runner`, which a batch sets once. A Task stored into this module object
 * at every step went through V8's write barrier stub whenever the task was
 * younger than the object (a run's tasks are, for a while), four times per
 * channel round trip; a store into the run, made with its tasks, does not.
 * `foreign` names the other flavour's code running now (an asyncio task),
 * for error messages; no Trio task is current then.
 */
class CurrentTask {
  runner: { readonly stepping: Task | null } | null = null;
  foreign: string | null = null;
  get task(): Task | null {
    const runner = this.runner;
    return runner === null || this.foreign !== null ? null : runner.stepping;
  }
}
export const current = new CurrentTask();

/** The running task, or a clear error naming the function that needed it. */
export function requireTask(what: string): Task {
  const task = current.task;
  if (task === null) {
    if (current.foreign !== null) {
      throw new RuntimeError(`${what} is a Trio operation, but it was used from ${current.foreign}. Wrap the Trio code with trioAsAio(fn) to call it from asyncio.`);
    }
    throw new RuntimeError(
      `${what} must be used inside a task of run(): call it with yield* from a generator ` +
        `function that run(), startSoon() or start() is running.`,
    );
  }
  return task;
}

/** Misuse of the runtime (Python's RuntimeError). */
export class RuntimeError extends Error {
  override get name(): string {
    return "RuntimeError";
  }
}
