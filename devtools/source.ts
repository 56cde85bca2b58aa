/**
 * What the panel needs from the runtime, as an interface: by default the
 * public inspector API, but tests (and tools replaying recorded sessions)
 * can hand the panel any object with the same three functions.
 */
import { inspector } from "../src/index.js";

/** The slice of the inspector API the panel uses. */
export interface InspectorSource {
  /** See `inspector.subscribe`. */
  subscribe(listener: (update: inspector.InspectorUpdate) => void, options?: inspector.SubscribeOptions): () => void;
  /** See `inspector.cancel`. */
  cancel(kind: inspector.CancelKind, id: number, reason?: string): boolean;
  /** See `inspector.creationStack`. */
  creationStack(taskId: number): string | undefined;
  /**
   * See `inspector.elementOf`. Optional: only a source in the page itself
   * can hand out DOM elements; without it the panel neither outlines a
   * task's component nor offers "pick element".
   */
  elementOf?(taskId: number): Element | null;
  /** See `inspector.tasksByElement` (optional, as `elementOf`). */
  tasksByElement?(): Map<Element, number[]>;
}

/** The live runtime's inspector. */
export const liveSource: InspectorSource = {
  subscribe: (listener, options) => inspector.subscribe(listener, options),
  cancel: (kind, id, reason) => inspector.cancel(kind, id, reason),
  creationStack: (taskId) => inspector.creationStack(taskId),
  elementOf: (taskId) => inspector.elementOf(taskId),
  tasksByElement: () => inspector.tasksByElement(),
};
