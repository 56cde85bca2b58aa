/**
 * What the hooks of every binding (Preact, React) return, and the small
 * pieces of their logic that know no framework: one definition, so the
 * adapters cannot drift apart.
 */
import { checkReadable, describe, functionName, isArrayValue, isInstance } from "../core/errors.js";
import { RuntimeError } from "../core/index.js";
import { policyName, type InstanceState, type TaskInstance, type TaskPolicy, type TaskPolicyOptions, type TaskPolicyState } from "./policy.js";
import { TrioRuntime, checkFn, type HandlerEvent, type TrioRuntimeOptions } from "./runtime.js";

/**
 * What `useTaskPolicy` returns: the policy's state plus its controls. The
 * controls are plain functions, stable across renders, that can be passed
 * on as they are (`onClick={h.cancelAll}`).
 */
export type TaskPolicyHandle<A extends unknown[], T> = TaskPolicyState<T> & {
  /** Performs the task (see `TaskPolicy.perform`). A handler's event becomes the first argument. */
  readonly perform: (...args: A) => TaskInstance<T>;
  /** Cancels running instances and drops queued ones; an event in place of the reason stands for none. */
  readonly cancelAll: (reason?: string | HandlerEvent) => void;
  /** The policy object itself, for code outside the component. */
  policy: TaskPolicy<A, T>;
};

/** What `useTask` returns. */
export interface TaskResult<T> {
  /** "running" while the current run is going (or waiting for the previous one's cleanup), then how it ended. */
  status: "running" | InstanceState;
  /** The value of the latest run that succeeded (kept while a restart runs). */
  value: T | undefined;
  /** The error of the latest run, if it failed (cleared when a later run succeeds). */
  error: unknown;
  /** True while a run is going. */
  isRunning: boolean;
  /** Runs the task again now, cancelling the current run (whose `finally` runs first). Stable across renders. */
  restart(): void;
}

/** The options of the runtime a `<TrioRoot>` makes: the ones among its props that were given. */
export function rootRuntimeOptions(props: TrioRuntimeOptions): TrioRuntimeOptions {
  const options: TrioRuntimeOptions = {};
  if (props.name !== undefined) options.name = props.name;
  if (props.clock !== undefined) options.clock = props.clock;
  if (props.timeSlice !== undefined) options.timeSlice = props.timeSlice;
  if (props.onError !== undefined) options.onError = props.onError;
  return options;
}

/** What a binding's `useTrioRuntime` returns: the context's runtime; throws a clear error if there is none. */
export function requireRuntime(runtime: TrioRuntime | null, hook = "This hook"): TrioRuntime {
  if (runtime === null) {
    throw new RuntimeError(`${hook} needs a <TrioRoot> above the component: wrap your app in <TrioRoot>…</TrioRoot>.`);
  }
  return runtime;
}

/** A `<TrioRoot runtime>` prop: a `TrioRuntime`; throws a clear error for anything else. */
export function rootRuntime(runtime: unknown): TrioRuntime {
  if (!isInstance(runtime, TrioRuntime)) {
    throw new TypeError(`<TrioRoot runtime={…}> takes a TrioRuntime (new TrioRuntime({ name, clock })), got ${describe(runtime)}; or leave the prop out and the root makes its own.`);
  }
  return runtime;
}

/** Checks a hook's options argument: an object that can be read. */
function checkHookOptions(what: string, options: unknown, example: string): void {
  if (options === null || typeof options !== "object") throw new TypeError(`${what} takes an options object such as ${example}, or nothing; got ${describe(options)}.`);
  checkReadable(what, options);
}

/** `useTaskPolicy`'s checks of its arguments; returns the instances' task name. */
export function hookPolicyName(fn: unknown, options: unknown): string {
  checkFn("useTaskPolicy(fn, options)", fn);
  checkHookOptions("useTaskPolicy(fn, options)", options, '{ policy: "restartable" }');
  return policyName(fn as { readonly name: string }, options as TaskPolicyOptions);
}

/** `useTask`'s policy options (restartable, one run at a time); throws the error a binding's `useTask` gives for a bad fn, deps or options. */
export function taskOptions(fn: unknown, deps: unknown, options: unknown): TaskPolicyOptions {
  checkFn("useTask(fn, deps)", fn);
  if (!isArrayValue(deps)) throw new TypeError(`useTask(fn, deps) needs a deps array, as useEffect does ([] to run once); got ${describe(deps)}.`);
  checkHookOptions("useTask(fn, deps, options)", options, '{ name: "load" }');
  const given = (options as { name?: unknown }).name;
  if (given !== undefined && typeof given !== "string") throw new TypeError(`useTask(fn, deps, { name }) takes a string (the task's name, for tools), got ${describe(given)}.`);
  const name = given ?? functionName(fn) ?? "useTask";
  return { policy: "restartable", maxConcurrency: 1, name, scopeName: `useTask ${name}` };
}

// One restart per (stable) perform: a new function on every render would
// make an effect that lists restart in its deps run, and restart, on every
// render, which re-renders: a loop.
const restarts = new WeakMap<() => unknown, () => void>();

/** `useTask`'s result, from its restartable policy's state; `perform` is the hook's stable perform. */
export function taskResult<T>(state: TaskPolicyState<T>, perform: () => unknown): TaskResult<T> {
  const last = state.last;
  const status = last === null || last.state === "queued" ? "running" : last.state;
  let restart = restarts.get(perform);
  if (restart === undefined) {
    restart = () => void perform();
    restarts.set(perform, restart);
  }
  return { status, value: state.lastValue, error: state.lastError, isRunning: status === "running", restart };
}
