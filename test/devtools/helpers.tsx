/**
 * Shared helpers of the devtools component tests: manual animation frames
 * for the inspector feed, rendering into happy-dom under `act`, waiting for
 * a live run to reach a state, and synthetic inspector updates (for sizes
 * a real run would make slow, like 10,000 tasks).
 */
import { render, type ComponentChild } from "preact";
import { act } from "preact/test-utils";
import type { inspector } from "../../src/index.js";
import type { InspectorSource } from "../../devtools/source.js";

/** Frames that run only when the test says so. */
export function manualFrames() {
  const pending: (() => void)[] = [];
  return {
    scheduleFrame: (flush: () => void) => void pending.push(flush),
    runFrame(): number {
      const list = pending.splice(0);
      for (const f of list) f();
      return list.length;
    },
  };
}

/** Renders into a fresh container attached to the document. */
export async function mount(vnode: ComponentChild): Promise<{ container: HTMLElement; unmount: () => Promise<void> }> {
  const container = document.createElement("div");
  document.body.appendChild(container);
  await act(() => render(vnode, container));
  return {
    container,
    unmount: async () => {
      await act(() => render(null, container));
      container.remove();
    },
  };
}

/** Lets the runtime's host callbacks run (real macrotasks), then renders what changed. */
export async function settle(frames?: { runFrame(): number }): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
    frames?.runFrame();
  });
}

/** Polls `cond`, running a frame between tries, until it holds (or fails after `tries`). */
export async function until(cond: () => boolean, frames?: { runFrame(): number }, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (cond()) return;
    await settle(frames);
  }
  throw new Error(`condition not reached: ${cond.toString()}`);
}

/** A task record with defaults. */
export function taskRec(id: number, over: Partial<inspector.TaskRecord> = {}): inspector.TaskRecord {
  const blocked = (over.status ?? "blocked") === "blocked";
  return { id, runId: 1, name: `task-${id}`, status: "blocked", system: false, nurseryId: null, parentTaskId: null, scopeIds: [], waitingOn: null, blockedSince: blocked ? 0 : null, ...over };
}

/** A scope record with defaults. */
export function scopeRec(id: number, over: Partial<inspector.ScopeRecord> = {}): inspector.ScopeRecord {
  return {
    id,
    runId: 1,
    parentId: null,
    ownerTaskId: null,
    nursery: false,
    deadline: null,
    timeLeft: null,
    shield: false,
    cancelCalled: false,
    cancelReason: null,
    cancelled: false,
    ...over,
  };
}

/** An update with nothing in it but what is given. */
export function update(over: Partial<inspector.InspectorUpdate> = {}): inspector.InspectorUpdate {
  const none = () => ({ upserted: [], removed: [] });
  return {
    at: 0,
    runs: none(),
    tasks: none(),
    nurseries: none(),
    scopes: none(),
    loops: none(),
    futures: none(),
    events: [],
    batches: [],
    ...over,
  };
}

/** A run with a main task whose nursery (scope 100) holds `n` blocked tasks (ids 2..n+1). */
export function bigSnapshot(n: number): inspector.Snapshot {
  const tasks: inspector.TaskRecord[] = [taskRec(1, { name: "main", status: "blocked", scopeIds: [1] })];
  const children: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = i + 2;
    children.push(id);
    tasks.push(taskRec(id, { name: `worker-${i}`, nurseryId: 100, parentTaskId: 1, scopeIds: [100, 1], waitingOn: { kind: "sleep", label: "sleep until 5.000", deadline: 5 } }));
  }
  return {
    takenAt: 0,
    runs: [{ id: 1, name: "big-run", finished: false, time: 0, mainTaskId: 1, statistics: { tasksSpawned: n + 1, tasksExited: 0, steps: 0, batches: 0, sliceOverruns: 0 } }],
    tasks,
    nurseries: [{ id: 100, runId: 1, parentTaskId: 1, childTaskIds: children }],
    scopes: [scopeRec(1), scopeRec(100, { parentId: 1, ownerTaskId: 1, nursery: true })],
    loops: [],
    futures: [],
  };
}

/** A source that delivers what the test pushes, and records cancel calls. */
export function fakeSource() {
  const listeners = new Set<(u: inspector.InspectorUpdate) => void>();
  const cancels: [string, number][] = [];
  let subscribed = 0;
  const source: InspectorSource = {
    subscribe(listener) {
      subscribed++;
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    cancel(kind, id) {
      cancels.push([kind, id]);
      return true;
    },
    creationStack: () => undefined,
  };
  return {
    source,
    cancels,
    listeners,
    /** How many times the panel subscribed. */
    subscriptions: () => subscribed,
    async push(u: inspector.InspectorUpdate) {
      await act(() => {
        for (const l of listeners) l(u);
      });
    },
  };
}
