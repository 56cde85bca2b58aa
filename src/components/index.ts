/**
 * The component layer: the framework-free runtime behind the UI bindings.
 * `trio-asyncio/preact` and `trio-asyncio/react` are thin adapters over it;
 * nothing here imports a UI framework.
 *
 * - `TrioRuntime`: one long-lived run per component tree;
 * - `ScopedNursery`: a nursery whose lifetime is a component's;
 * - `TaskPolicy`: a task with a concurrency policy (ember-concurrency style);
 * - `MountLease`: how an adapter ties these to effects that its framework
 *   may run, clean up and run again for the same component (React's
 *   StrictMode).
 */
export { TrioRuntime, ScopedNursery, type TrioRuntimeOptions, type TaskSpawner, type ErrorReporter, type HandlerEvent } from "./runtime.js";
export { ReporterError } from "./report.js";
export {
  policyName,
  taskPolicy,
  TaskPolicy,
  TaskInstance,
  TaskInstanceCancelled,
  type PolicyName,
  type TaskPolicyOptions,
  type TaskPolicyState,
  type InstanceState,
} from "./policy.js";
export { MountLease } from "./lease.js";
export { type ElementLocator } from "./element.js";
export { requireRuntime, rootRuntime, rootRuntimeOptions, hookPolicyName, taskOptions, taskResult, type TaskPolicyHandle, type TaskResult } from "./handles.js";
