/**
 * Which task is running right now.
 *
 * The scheduler steps one task at a time, synchronously, so while a task's
 * generator runs, "the current task" is simply a variable the scheduler sets
 * before the step and clears after it. Every operation reads it to find its
 * task, cancel scope and run; no trap round-trip is needed for that.
 */
import type { Task } from "./task.js";

/** `foreign` names the other flavour's code running now (an asyncio task), for error messages. */
export const current: { task: Task | null; foreign: string | null } = { task: null, foreign: null };

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
