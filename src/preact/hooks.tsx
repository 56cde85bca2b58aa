/**
 * The Preact bindings: `<TrioRoot>` and the hooks that tie Trio work to a
 * component's lifetime.
 *
 * Why it is built so: a hook's work must start after the component has
 * mounted and end, really end, when it unmounts. Each hook therefore owns a
 * `ScopedNursery` (a cancel scope and a nursery in the root's run), opened
 * in an effect and closed in that effect's cleanup. Everything else (which
 * instance to cancel when deps change, what to show) is the policy engine's
 * job, shared with plain Trio code; the hooks only subscribe to its state to
 * re-render.
 */
import { createContext, type ComponentChildren, type JSX } from "preact";
import { useContext, useEffect, useReducer, useRef, useState } from "preact/hooks";
import type { Operation } from "../core/index.js";
import { describe } from "../core/errors.js";
import {
  ScopedNursery,
  TaskPolicy,
  TrioRuntime,
  hookPolicyName,
  requireRuntime,
  rootRuntime,
  rootRuntimeOptions,
  taskOptions,
  taskResult,
  type TaskPolicyHandle,
  type TaskPolicyOptions,
  type TaskPolicyState,
  type TaskResult,
  type TrioRuntimeOptions,
} from "../components/index.js";
import { locateNurseryElement, trackRenderingComponent } from "./element.js";

export type { TaskPolicyHandle, TaskResult };

const RuntimeContext = createContext<TrioRuntime | null>(null);

/** Props of `<TrioRoot>` (`lazy` is left out: a root's own runtime is always lazy). */
export interface TrioRootProps extends Omit<TrioRuntimeOptions, "lazy"> {
  /** Use this runtime instead of making one (the root then does not close it on unmount). */
  runtime?: TrioRuntime | undefined;
  /** The components whose hooks run in this root. */
  children?: ComponentChildren | undefined;
}

/**
 * Owns one long-lived run for the components below it; their hooks start
 * their work there. Unmounting the root cancels all of it and ends the run.
 * Options (`name`, `clock`, `timeSlice`, `onError`, `runtime`) are read once,
 * at mount. The root's own runtime is always lazy: it owns no run until the
 * first work (so a server render or a render that never mounts starts none).
 */
export function TrioRoot(props: TrioRootProps): JSX.Element {
  trackRenderingComponent();
  const [owned] = useState(() => {
    if (props.runtime !== undefined) return { runtime: rootRuntime(props.runtime), owned: false };
    // Lazy: its run starts with the first work, which starts in effects. A
    // render that never mounts (a server render, prerendering) owns no run.
    return { runtime: new TrioRuntime({ ...rootRuntimeOptions(props), lazy: true }), owned: true };
  });
  useEffect(
    () => () => {
      if (owned.owned) void owned.runtime.close();
    },
    [owned],
  );
  return <RuntimeContext.Provider value={owned.runtime}>{props.children}</RuntimeContext.Provider>;
}

/** The runtime of the nearest `<TrioRoot>`; throws a clear error if there is none. */
export function useTrioRuntime(): TrioRuntime {
  return useRuntimeFor("useTrioRuntime()");
}

/** `useTrioRuntime`, whose error names `hook`: the hook the app called, not the one inside it that needed the root. */
function useRuntimeFor(hook: string): TrioRuntime {
  return requireRuntime(useContext(RuntimeContext), hook);
}

/**
 * A nursery that lives exactly as long as the component: tasks started with
 * `startSoon` are cancelled when it unmounts. The handle is stable across
 * renders and safe to use from event handlers.
 */
export function useNursery(name = "component"): ScopedNursery {
  if (typeof name !== "string") throw new TypeError(`useNursery(name) needs a string name (for tools), got ${describe(name)}.`);
  return useNurseryFor(name, "useNursery()");
}

/** `useNursery`, for the hooks built on it (see useRuntimeFor). */
function useNurseryFor(name: string, hook: string): ScopedNursery {
  const runtime = useRuntimeFor(hook);
  const ref = useRef<ScopedNursery | null>(null);
  if (ref.current === null) {
    ref.current = runtime.openNursery(name);
    // For the devtools: this component's tasks belong to its DOM element.
    locateNurseryElement(ref.current);
  }
  const nursery = ref.current;
  useEffect(() => () => nursery.close("the component unmounted"), [nursery]);
  return nursery;
}

function useSubscription<A extends unknown[], T>(policy: TaskPolicy<A, T>): TaskPolicyState<T> {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const state = policy.state;
  const rendered = useRef(state);
  rendered.current = state;
  useEffect(() => {
    const unsubscribe = policy.subscribe(() => {
      if (policy.state !== rendered.current) force(undefined);
    });
    // Something may have changed between this render and the subscription.
    if (policy.state !== rendered.current) force(undefined);
    return unsubscribe;
  }, [policy]);
  return state;
}

/**
 * A task with a concurrency policy (ember-concurrency style), owned by the
 * component: `const search = useTaskPolicy(searchOp, { policy: "restartable" })`,
 * then `search.perform(q)`, and render `search.isRunning`, `search.lastValue`.
 * Re-renders on every state change; everything is cancelled on unmount.
 * The options are read once; the function may change between renders (the
 * latest one is used by later performs).
 */
export function useTaskPolicy<A extends unknown[], T>(fn: (...args: A) => Operation<T>, options: TaskPolicyOptions = {}): TaskPolicyHandle<A, T> {
  return useTaskPolicyFor(fn, options, "useTaskPolicy()");
}

/** `useTaskPolicy`, for useTask (see useRuntimeFor). */
function useTaskPolicyFor<A extends unknown[], T>(fn: (...args: A) => Operation<T>, options: TaskPolicyOptions, hook: string): TaskPolicyHandle<A, T> {
  const name = hookPolicyName(fn, options);
  const owner = useNurseryFor(`${name} scope`, hook);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const ref = useRef<TaskPolicy<A, T> | null>(null);
  // Preact never replaces the policy: its own bound methods are the handle's stable controls.
  ref.current ??= new TaskPolicy<A, T>(owner, (...args: A) => fnRef.current(...args), { ...options, name });
  const policy = ref.current;
  const { perform, cancelAll } = policy;
  useEffect(() => () => policy.close("the component unmounted"), [policy]);
  const state = useSubscription(policy);
  return { ...state, perform, cancelAll, policy };
}

/**
 * Runs a Trio operation for the component's lifetime: started on mount,
 * restarted when `deps` change (the old run is cancelled, its `finally`
 * runs, then the new one starts), cancelled on unmount.
 */
export function useTask<T>(fn: () => Operation<T>, deps: readonly unknown[], options: { name?: string } = {}): TaskResult<T> {
  const handle = useTaskPolicyFor(fn, taskOptions(fn, deps, options), "useTask()");
  const perform = handle.perform;
  useEffect(() => {
    perform();
  }, deps); // the caller's deps decide when to restart
  return taskResult(handle, perform);
}
