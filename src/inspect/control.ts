/**
 * The one thing a tool may do besides looking: cancel a scope or a task by
 * hand, with a reason, exactly as code would.
 */
import type { CancelScope } from "../core/cancel-scope.js";
import type { Runner } from "../core/runner.js";
import type { Task } from "../core/task.js";
import { describe } from "../core/errors.js";
import { liveRuns } from "./hooks.js";
import { walkRun } from "./snapshot.js";

function find(id: number): { scope?: CancelScope; task?: Task } {
  for (const r of liveRuns) {
    let scope: CancelScope | undefined;
    let task: Task | undefined;
    walkRun(r as Runner, {
      task: (t) => {
        if (t.id === id) task = t;
      },
      nursery: () => {},
      scope: (s) => {
        if (s.id === id) scope = s;
      },
    });
    if (scope !== undefined || task !== undefined) return { ...(scope ? { scope } : {}), ...(task ? { task } : {}) };
  }
  return {};
}

/**
 * Cancels the scope or task with this id (ids are unique across scopes and
 * tasks of a kind; `kind` picks which). Returns false if nothing live has it.
 */
export function cancel(kind: "scope" | "task", id: number, reason = "cancelled from the inspector"): boolean {
  if (kind !== "scope" && kind !== "task") throw new TypeError('cancel(kind, id) takes kind "scope" or "task".');
  if (typeof id !== "number" || !Number.isInteger(id)) throw new TypeError(`cancel(kind, id) needs an integer id, got ${describe(id)}.`);
  const found = find(id);
  if (kind === "scope") {
    if (found.scope === undefined || found.scope.isRoot) return false;
    found.scope.cancel(reason);
    return true;
  }
  if (found.task === undefined) return false;
  return found.task.cancel(reason);
}
