/**
 * The one thing a tool may do besides looking: cancel a scope, a task or an
 * asyncio Task by hand, with a reason, exactly as code would.
 */
import type { CancelScope } from "../core/cancel-scope.js";
import type { Runner } from "../core/runner.js";
import type { Task } from "../core/task.js";
import { describe } from "../core/errors.js";
import { liveLoops, liveRuns } from "./hooks.js";
import { remoteOwning } from "./remote.js";
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

/** What `cancel` can cancel: a Trio cancel scope, a Trio task, or an asyncio Task. */
export type CancelKind = "scope" | "task" | "asyncioTask";

interface AsyncioTaskLike {
  id: number;
  done(): boolean;
  cancel(msg?: string): boolean;
}

function findAsyncioTask(id: number): AsyncioTaskLike | undefined {
  for (const l of liveLoops) {
    for (const t of (l as { tasks: Set<AsyncioTaskLike> }).tasks) if (t.id === id) return t;
  }
  return undefined;
}

/**
 * Cancels the scope, task or asyncio Task with this id (`kind` picks which;
 * ids are those of the inspector's records: `ScopeRecord.id`,
 * `TaskRecord.id`, `FutureRecord.id` of a `kind: "Task"` record). An asyncio
 * Task is cancelled as `task.cancel(reason)` would: its coroutine sees
 * `CancelledError` with that message at its current await. Returns false if
 * nothing live has the id, or it could not be cancelled (a run's root scope,
 * an asyncio Task already done). A worker's records (listed while a
 * subscriber watches) are cancelled by the worker: this returns true once
 * the request is posted, and the worker's next update shows the outcome.
 */
export function cancel(kind: CancelKind, id: number, reason = "cancelled from the inspector"): boolean {
  if (kind !== "scope" && kind !== "task" && kind !== "asyncioTask") {
    throw new TypeError(`cancel(kind, id) takes kind "scope", "task" or "asyncioTask", got ${describe(kind)}.`);
  }
  if (typeof id !== "number" || !Number.isInteger(id)) throw new TypeError(`cancel(kind, id) needs an integer id, got ${describe(id)}.`);
  // A worker's record (negative ids): its worker cancels it, with its own inspector.
  const remote = remoteOwning(kind, id);
  if (remote !== undefined) return remote.cancel(kind, id, reason);
  if (kind === "asyncioTask") {
    const t = findAsyncioTask(id);
    if (t === undefined || t.done()) return false;
    return t.cancel(reason);
  }
  const found = find(id);
  if (kind === "scope") {
    if (found.scope === undefined || found.scope.isRoot) return false;
    found.scope.cancel(reason);
    return true;
  }
  if (found.task === undefined) return false;
  return found.task.cancel(reason);
}
