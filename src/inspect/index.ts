/** The inspector: snapshots, a live change feed, and manual cancellation. */
export {
  inspect,
  toTree,
  type Snapshot,
  type TaskRecord,
  type ScopeRecord,
  type NurseryRecord,
  type RunRecord,
  type LoopRecord,
  type FutureRecord,
  type WaitInfo,
  type TaskTreeNode,
} from "./snapshot.js";
export {
  subscribe,
  creationStack,
  subscriberCount,
  type InspectorUpdate,
  type TimelineEvent,
  type BatchRecord,
  type Changes,
  type SubscribeOptions,
} from "./subscribe.js";
export { cancel, type CancelKind } from "./control.js";
export { elementOf, tasksByElement } from "./elements.js";
