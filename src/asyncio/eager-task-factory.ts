/**
 * Task factories that start every Task eagerly (Python 3.12+'s
 * `asyncio.eager_task_factory` and `create_eager_task_factory`), for
 * `loop.setTaskFactory`. Every Task the loop makes then runs its first step
 * inside `createTask`, including the ones `gather`, `ensureFuture` and
 * `TaskGroup` make for coroutines: a coroutine that never has to wait is
 * done when `createTask` returns, and costs no trip through the loop.
 */
import { describe } from "../core/errors.js";
import type { EventLoop, TaskFactory, TaskFactoryOptions } from "./event-loop.js";
import { Task, type TaskOptions } from "./task.js";
import type { Coroutine } from "./types.js";

/** A Task class (`Task` or a subclass of it), as `createEagerTaskFactory` takes it. */
export type TaskConstructor = new (coro: Coroutine<unknown>, options: TaskOptions) => Task<unknown>;

/**
 * A task factory that makes its Tasks with `TaskClass` and starts them
 * eagerly (Python's `asyncio.create_eager_task_factory`). A `createTask`
 * call that asks for `eagerStart: false` still gets a Task that starts at
 * the next loop iteration, as in Python 3.14.
 *
 * ```ts
 * loop.setTaskFactory(asyncio.createEagerTaskFactory(TracedTask));
 * ```
 */
export function createEagerTaskFactory(TaskClass: TaskConstructor): TaskFactory {
  if (typeof TaskClass !== "function") throw new TypeError(`createEagerTaskFactory(TaskClass) takes a Task class (Task or a subclass), got ${describe(TaskClass)}.`);
  return (loop, coro, options = {}) => new TaskClass(coro, { name: options.name, eagerStart: options.eagerStart ?? true, loop, context: options.context });
}

/**
 * The task factory that starts every Task eagerly (Python's
 * `asyncio.eager_task_factory`): `loop.setTaskFactory(asyncio.eagerTaskFactory)`.
 */
export function eagerTaskFactory(loop: EventLoop, coro: Coroutine<unknown>, options: TaskFactoryOptions = {}): Task<unknown> {
  return new Task(coro, { name: options.name, eagerStart: options.eagerStart ?? true, loop, context: options.context });
}
