/**
 * `waitAllTasksBlocked`: block until every other task of the run is blocked,
 * i.e. the program has settled. Tests use it to reach a known state without
 * sleeping for arbitrary times.
 */
import { describe } from "../core/errors.js";
import { idleWatch } from "../core/idle.js";
import { requireTask } from "../core/state.js";
import { PARK, type Operation } from "../core/traps.js";

/**
 * Returns once no task of the run has been runnable for `cushion` real
 * seconds (default 0: as soon as the run is idle). Several waiters wake
 * smallest cushion first; waiters with the same cushion wake together,
 * oldest first.
 */
export function* waitAllTasksBlocked(cushion = 0): Operation<void> {
  if (typeof cushion !== "number" || !(cushion >= 0)) {
    throw new RangeError(`waitAllTasksBlocked(cushion) takes a number of seconds >= 0, got ${describe(cushion)}.`);
  }
  const task = requireTask("waitAllTasksBlocked()");
  // A Runner always has an idle watch to give (idleWatch installs it on first use).
  idleWatch(task.runner)!.addWaiter(task, cushion);
  yield PARK;
}
