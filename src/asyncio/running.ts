/**
 * What is running right now on the asyncio side: the loop whose callbacks
 * are being processed and the asyncio Task being stepped. Like the core's
 * current task, these are plain variables set around each step.
 */
import { asyncioContext, currentContext, type ContextMap } from "../core/context.js";
import { readProperty } from "../core/errors.js";
import { current, RuntimeError } from "../core/state.js";
import type { EventLoop } from "./event-loop.js";
import type { Future } from "./future.js";
import type { Task } from "./task.js";

/** The line a primitive's waiter Future waits in: what a dropped wait is taken out of. */
export interface WaiterLine {
  /** Typed `never`: each line holds its own kind of Future. */
  remove(waiter: never): boolean;
}

/**
 * `waiter`/`waiterLine`: the Future an asyncio primitive put in its line
 * during the current step, which the step is expected to yield (see
 * Task.runStep: one not yielded was dropped, and leaves its line).
 * `waiterUndo`: what else the dropped wait undoes (a Barrier's arrival).
 * `waiterLine` and `waiterUndo` are read only while `waiter` is set (left
 * stale otherwise: one store less per step that waits).
 */
export const running: {
  loop: EventLoop | null;
  task: Task<unknown> | null;
  waiter: Future<unknown> | null;
  waiterLine: WaiterLine | null;
  waiterUndo: (() => void) | undefined;
} = {
  loop: null,
  task: null,
  waiter: null,
  waiterLine: null,
  waiterUndo: undefined,
};

/** The loop running the current callback or asyncio task; raises if none. */
export function getRunningLoop(): EventLoop {
  const loop = running.loop;
  if (loop === null) {
    throw new RuntimeError(
      current.task !== null
        ? // The usual slip: asyncio code written straight into an openLoop block, whose body is a Trio task.
          "No asyncio loop is running here: this is a Trio task (the body of an openLoop block is Trio code too). From Trio code, call asyncio code through yield* aioAsTrio(fn)(...args) inside an openLoop block."
        : "No asyncio loop is running here. asyncio code runs inside openLoop(...) (from Trio code) or asyncio.run(main); from Trio code use aioAsTrio(fn).",
    );
  }
  return loop;
}

/**
 * @internal Looks like an EventLoop, read totally (the class is not
 * imported where this is needed: future.ts and functions.ts would make a
 * cycle with event-loop.ts).
 */
export function isLoop(value: unknown): value is EventLoop {
  return value !== null && typeof value === "object" && typeof readProperty(value, "createFuture") === "function" && typeof readProperty(value, "allTasks") === "function";
}

/** The asyncio Task being stepped, or null (Python's `asyncio.current_task()`). */
export function currentTask(): Task<unknown> | null {
  return running.task;
}

/**
 * @internal The core's `currentContext()`, with asyncio's own context read
 * here first. On the loop it is always set, so the hot paths never run the
 * core's branch that reads a Trio task: code optimized with it inlined
 * depends on the Trio Task class's map and was thrown away whenever a full
 * GC found no Trio task left (see keepShapes in event-loop.ts).
 */
export function loopContext(): ContextMap {
  const map = asyncioContext.map;
  return map !== undefined ? map : currentContext();
}
