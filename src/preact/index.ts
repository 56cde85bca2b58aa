/**
 * `trio-asyncio/preact`: component-lifetime scopes and task policies for
 * Preact: a thin adapter over the framework-free component layer
 * (`src/components/`). A separate entry point, so the core never depends on
 * Preact.
 *
 * The model: `<TrioRoot>` owns one long-lived run; every hook's work runs in
 * its own cancel scope and nursery inside that run, and unmounting is
 * `scope.cancel()`. See README.md in this folder.
 */
export { TrioRoot, useTrioRuntime, useNursery, useTaskPolicy, useTask, type TrioRootProps, type TaskPolicyHandle, type TaskResult } from "./hooks.js";
// The runtime and the policies are framework-free (src/components/); they
// are re-exported here so this entry keeps its public names.
export {
  TrioRuntime,
  ScopedNursery,
  ReporterError,
  type TrioRuntimeOptions,
  type TaskSpawner,
  type ErrorReporter,
  type HandlerEvent,
  taskPolicy,
  TaskPolicy,
  TaskInstance,
  TaskInstanceCancelled,
  type PolicyName,
  type TaskPolicyOptions,
  type TaskPolicyState,
  type InstanceState,
} from "../components/index.js";
