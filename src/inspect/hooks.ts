/**
 * The hook through which the runtime reports to tools (the inspector, the
 * devtools panel). It sits below the core: the core only ever checks one
 * nullable field, so with no tool attached the runtime pays a single branch
 * at spawn, exit and batch boundaries, and nothing per step.
 */

/** Notified of run-level events while a tool is attached. */
export interface RuntimeObserver {
  runStarted?(runner: object): void;
  runFinished?(runner: object): void;
  taskSpawned?(task: object): void;
  taskExited?(task: object): void;
  scopeCancelled?(scope: object): void;
  /** A batch ran `steps` task steps between `start` and `end` (ms, performance.now()). */
  batch?(runner: object, start: number, end: number, steps: number): void;
}

/** The attached observer, or null. */
export const observer: { current: RuntimeObserver | null } = { current: null };

/** Runs that have started and not finished, for tools to enumerate. */
export const liveRuns = /* @__PURE__ */ new Set<object>();

/** asyncio loops that are open, for tools to enumerate. */
export const liveLoops = /* @__PURE__ */ new Set<object>();
