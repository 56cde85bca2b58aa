/**
 * The React bindings: `<TrioRoot>` and the hooks that tie Trio work to a
 * component's lifetime. The same model and names as the Preact bindings,
 * over the same framework-free component layer.
 *
 * Why it is built so, where React differs from Preact:
 * - React may render a component and throw the render away (StrictMode
 *   renders twice; a concurrent render can be dropped), and a dropped
 *   render never gets an effect cleanup. So a render only makes objects
 *   that own nothing yet: the root's `TrioRuntime` is `lazy` (its run starts
 *   with its first work), a `ScopedNursery` its host task with its first task, and a
 *   `TaskPolicy` is plain bookkeeping. Work starts in effects and handlers.
 * - React may clean an effect up and set it up again for the same
 *   component (StrictMode does, at once, in development). So a cleanup
 *   releases a `MountLease` instead of closing: the close comes a microtask
 *   later unless the remount takes the lease back. Nothing is closed, so
 *   nothing is started twice.
 * - If a component comes back after its lease ran out (a subtree hidden by
 *   `<Activity>` and shown again), it gets fresh nurseries and policies on
 *   its next render: the old ones are closed for good, as Trio nurseries are.
 * - The policy's state is read with `useSyncExternalStore`, so a concurrent
 *   render never shows two different states of one policy.
 *
 * No JSX here: the file builds with any JSX setting (the package's own JSX
 * source is Preact).
 */
import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useReducer,
  useRef,
  useSyncExternalStore,
  type ReactElement,
  type ReactNode,
} from "react";
import type { Operation } from "../core/index.js";
import { describe } from "../core/errors.js";
import { locateNurseryElement } from "./element.js";
import {
  MountLease,
  ScopedNursery,
  TaskPolicy,
  TrioRuntime,
  hookPolicyName,
  requireRuntime,
  rootRuntime,
  rootRuntimeOptions,
  taskOptions,
  taskResult,
  type HandlerEvent,
  type TaskInstance,
  type TaskPolicyHandle,
  type TaskPolicyOptions,
  type TaskPolicyState,
  type TaskResult,
  type TrioRuntimeOptions,
} from "../components/index.js";

export type { TaskPolicyHandle, TaskResult };

const RuntimeContext = createContext<TrioRuntime | null>(null);
RuntimeContext.displayName = "TrioRuntime";

/** Props of `<TrioRoot>` (`lazy` is left out: a root's own runtime is always lazy). */
export interface TrioRootProps extends Omit<TrioRuntimeOptions, "lazy"> {
  /** Use this runtime instead of making one (the root then does not close it on unmount). */
  runtime?: TrioRuntime | undefined;
  /** The components whose hooks run in this root. */
  children?: ReactNode | undefined;
}

function useForceRender(): () => void {
  const [, force] = useReducer((n: number) => n + 1, 0);
  return force as () => void;
}

interface OwnedRuntime {
  runtime: TrioRuntime;
  /** Null when the runtime came from props: the root does not close it. */
  lease: MountLease | null;
}

function ownRuntime(props: TrioRootProps): OwnedRuntime {
  if (props.runtime !== undefined) return { runtime: rootRuntime(props.runtime), lease: null };
  // Lazy: made in render, it owns no run until its first work.
  const runtime = new TrioRuntime({ ...rootRuntimeOptions(props), lazy: true });
  return { runtime, lease: new MountLease(() => void runtime.close()) };
}

/**
 * Owns one long-lived run for the components below it; their hooks start
 * their work there. Unmounting the root cancels all of it and ends the run.
 * Options (`name`, `clock`, `timeSlice`, `onError`, `runtime`) are read once,
 * at mount. The root's own runtime is always lazy: it owns no run until the
 * first work (so a server render or a render that never mounts starts none).
 */
export function TrioRoot(props: TrioRootProps): ReactElement {
  const force = useForceRender();
  const ref = useRef<OwnedRuntime | null>(null);
  // A runtime owns no run until work starts, so making it in render is free.
  if (ref.current === null || ref.current.lease?.closed === true) ref.current = ownRuntime(props);
  const { runtime, lease } = ref.current;
  useEffect(() => {
    if (lease === null) return;
    lease.acquire();
    // Shown again after the lease ran out: render again with a fresh runtime.
    if (lease.closed) force();
    return () => lease.release();
  }, [lease, force]);
  return createElement(RuntimeContext.Provider, { value: runtime }, props.children);
}

/** The runtime of the nearest `<TrioRoot>`; throws a clear error if there is none. */
export function useTrioRuntime(): TrioRuntime {
  return useRuntimeFor("useTrioRuntime()");
}

/** `useTrioRuntime`, whose error names `hook`: the hook the app called, not the one inside it that needed the root. */
function useRuntimeFor(hook: string): TrioRuntime {
  return requireRuntime(useContext(RuntimeContext), hook);
}

interface LeasedNursery {
  nursery: ScopedNursery;
  lease: MountLease;
}

/**
 * A nursery that lives exactly as long as the component: tasks started with
 * `startSoon` are cancelled when it unmounts. The handle is stable across
 * renders (and across StrictMode's remount) and safe to use from event
 * handlers.
 */
export function useNursery(name = "component"): ScopedNursery {
  if (typeof name !== "string") throw new TypeError(`useNursery(name) needs a string name (for tools), got ${describe(name)}.`);
  return useNurseryFor(name, "useNursery()");
}

/** `useNursery`, for the hooks built on it (see useRuntimeFor). */
function useNurseryFor(name: string, hook: string): ScopedNursery {
  const runtime = useRuntimeFor(hook);
  const force = useForceRender();
  const ref = useRef<LeasedNursery | null>(null);
  let held = ref.current;
  if (held === null || held.nursery.runtime !== runtime || (held.lease.closed && !runtime.closed)) {
    const nursery = runtime.openNursery(name);
    // For the devtools: this component's tasks belong to its DOM element.
    locateNurseryElement(nursery);
    held = { nursery, lease: new MountLease(() => nursery.close("the component unmounted")) };
    ref.current = held;
  }
  const { nursery, lease } = held;
  useEffect(() => {
    lease.acquire();
    if (lease.closed && !nursery.runtime.closed) force();
    return () => lease.release();
  }, [lease, nursery, force]);
  return nursery;
}

interface HeldPolicy<A extends unknown[], T> {
  owner: ScopedNursery;
  policy: TaskPolicy<A, T>;
  lease: MountLease;
}

/**
 * A task with a concurrency policy (ember-concurrency style), owned by the
 * component: `const search = useTaskPolicy(searchOp, { policy: "restartable" })`,
 * then `search.perform(q)`, and render `search.isRunning`, `search.lastValue`.
 * Re-renders on every state change; everything is cancelled on unmount.
 * The options are read once; the function may change between renders (the
 * latest committed one is used by later performs).
 */
export function useTaskPolicy<A extends unknown[], T>(fn: (...args: A) => Operation<T>, options: TaskPolicyOptions = {}): TaskPolicyHandle<A, T> {
  return useTaskPolicyFor(fn, options, "useTaskPolicy()");
}

/** `useTaskPolicy`, for useTask (see useRuntimeFor). */
function useTaskPolicyFor<A extends unknown[], T>(fn: (...args: A) => Operation<T>, options: TaskPolicyOptions, hook: string): TaskPolicyHandle<A, T> {
  const name = hookPolicyName(fn, options);
  const owner = useNurseryFor(`${name} scope`, hook);
  const fnRef = useRef(fn);
  // After commit, before any effect of this commit may perform.
  useLayoutEffect(() => {
    fnRef.current = fn;
  });
  const ref = useRef<HeldPolicy<A, T> | null>(null);
  let held = ref.current;
  if (held === null || held.owner !== owner) {
    const policy = new TaskPolicy<A, T>(owner, (...args: A) => fnRef.current(...args), { ...options, name });
    held = { owner, policy, lease: new MountLease(() => policy.close("the component unmounted")) };
    ref.current = held;
  }
  const { policy, lease } = held;
  useEffect(() => {
    lease.acquire();
    return () => lease.release();
  }, [lease]);
  // Stable across renders, and always aimed at the current policy.
  const perform = useCallback((...args: A): TaskInstance<T> => ref.current!.policy.perform(...args), []);
  const cancelAll = useCallback((reason?: string | HandlerEvent): void => ref.current!.policy.cancelAll(reason), []);
  const subscribe = useCallback((onChange: () => void) => policy.subscribe(onChange), [policy]);
  const getState = useCallback((): TaskPolicyState<T> => policy.state, [policy]);
  const state = useSyncExternalStore(subscribe, getState, getState);
  return { ...state, perform, cancelAll, policy };
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/**
 * Runs a Trio operation for the component's lifetime: started on mount,
 * restarted when `deps` change (the old run is cancelled, its `finally`
 * runs, then the new one starts), cancelled on unmount. StrictMode's
 * remount does not start it a second time.
 */
export function useTask<T>(fn: () => Operation<T>, deps: readonly unknown[], options: { name?: string } = {}): TaskResult<T> {
  const handle = useTaskPolicyFor(fn, taskOptions(fn, deps, options), "useTask()");
  const perform = handle.perform;
  const policy = handle.policy;
  const started = useRef<{ deps: readonly unknown[]; policy: TaskPolicy<[], T>; instance: TaskInstance<T> } | null>(null);
  useEffect(() => {
    const last = started.current;
    // The same deps and the same policy again means the same component set
    // up again (StrictMode's remount): the run it started is still the right
    // one, unless it was cancelled meanwhile. A component that came back
    // after its lease ran out (<Activity> shown again) has a fresh policy,
    // which has run nothing yet, even if the old run had ended.
    if (last !== null && last.policy === policy && sameDeps(last.deps, deps) && last.instance.state !== "cancelled" && last.instance.state !== "dropped") return;
    started.current = { deps, policy, instance: perform() };
  }, [policy, ...deps]); // the caller's deps decide when to restart
  return taskResult(handle, perform);
}
