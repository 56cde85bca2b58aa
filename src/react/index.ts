/**
 * `trio-asyncio/react`: component-lifetime scopes and task policies for
 * React (19 and later): a thin adapter over the framework-free component
 * layer (`src/components/`), with the same names as `trio-asyncio/preact`.
 * A separate entry point, so the core never depends on React.
 *
 * The model: `<TrioRoot>` owns one long-lived run; every hook's work runs in
 * its own cancel scope and nursery inside that run, and unmounting is
 * `scope.cancel()`. StrictMode's double mount neither closes nor restarts
 * anything. See README.md in this folder.
 */
export { TrioRoot, useTrioRuntime, useNursery, useTaskPolicy, useTask, type TrioRootProps, type TaskPolicyHandle, type TaskResult } from "./hooks.js";
// The runtime and the policies are framework-free (src/components/); they
// are re-exported here so this entry has the same names as the Preact one.
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
