/**
 * `trio-asyncio/preact`: component-lifetime scopes and task policies for
 * Preact. A separate entry point, so the core never depends on Preact.
 *
 * The model: `<TrioRoot>` owns one long-lived run; every hook's work runs in
 * its own cancel scope and nursery inside that run, and unmounting is
 * `scope.cancel()`. See README.md in this folder.
 */
export { TrioRoot, useTrioRuntime, useNursery, useTaskPolicy, useTask, type TrioRootProps, type TaskPolicyHandle, type TaskResult } from "./hooks.js";
export { TrioRuntime, ScopedNursery, type TrioRuntimeOptions, type TaskSpawner, type ErrorReporter } from "./runtime.js";
export { ReporterError } from "./report.js";
export {
  taskPolicy,
  TaskPolicy,
  TaskInstance,
  TaskInstanceCancelled,
  type PolicyName,
  type TaskPolicyOptions,
  type TaskPolicyState,
  type InstanceState,
} from "./policy.js";
