/**
 * The bad-input rows of the UI bindings' own exports (`<TrioRoot>` and the
 * hooks), shared by test/preact/bad-input.test.tsx and
 * test/react/bad-input.test.tsx: the two entries have the same names and
 * must give the same errors. A row is a hook call made while a component
 * renders, below a `<TrioRoot>` (with a test runtime, or with the row's own
 * props) or below none; the binding's test renders it under an error
 * boundary and checks what reached the boundary.
 */
import { RuntimeError, sleep, type Operation } from "../../src/core/index.js";
import { asyncFn, bad, genFn, revoked, trapsThrow } from "./bad-input-table.js";

/** The binding's exports a row may call (both entries have these). */
export interface HookApi {
  useTrioRuntime(): unknown;
  useNursery(name?: string): unknown;
  useTaskPolicy(fn: unknown, options?: unknown): unknown;
  useTask(fn: unknown, deps: unknown, options?: unknown): unknown;
}

export interface HookCase {
  readonly covers: readonly string[];
  readonly label: string;
  /** "none": no <TrioRoot> above; else the root's props besides children (default: the test's runtime). */
  readonly root?: "none" | Record<string, unknown>;
  /** Called while the component renders. */
  readonly body: (api: HookApi) => void;
  readonly error: abstract new (...args: never[]) => Error;
  readonly message: RegExp;
}

const TYPE = TypeError;
/** The no-root error, naming the hook the app called (not the one inside it that needed the root). */
const noRoot = (hook: string): RegExp => new RegExp(`^${hook.replace(/[()]/g, "\\$&")} needs a <TrioRoot> above the component: wrap your app in <TrioRoot>…</TrioRoot>`);
function* op(): Operation<number> {
  yield* sleep(1);
  return 1;
}

export const hookCases: HookCase[] = [
  // ---- hooks used outside their root ----------------------------------------------
  { covers: ["useTrioRuntime"], label: "useTrioRuntime() with no <TrioRoot> above", root: "none", body: (api) => api.useTrioRuntime(), error: RuntimeError, message: noRoot("useTrioRuntime()") },
  { covers: ["useNursery"], label: "useNursery() with no <TrioRoot> above", root: "none", body: (api) => api.useNursery(), error: RuntimeError, message: noRoot("useNursery()") },
  { covers: ["useTaskPolicy"], label: "useTaskPolicy(fn) with no <TrioRoot> above", root: "none", body: (api) => api.useTaskPolicy(op), error: RuntimeError, message: noRoot("useTaskPolicy()") },
  { covers: ["useTask"], label: "useTask(fn, []) with no <TrioRoot> above", root: "none", body: (api) => api.useTask(op, []), error: RuntimeError, message: noRoot("useTask()") },

  // ---- <TrioRoot> props ----------------------------------------------------------------
  { covers: ["TrioRoot"], label: "runtime={5}", root: { runtime: 5 }, body: (api) => api.useNursery(), error: TYPE, message: /<TrioRoot runtime=\{…\}> takes a TrioRuntime \(new TrioRuntime\(\{ name, clock \}\)\), got number 5; or leave the prop out/ },
  { covers: ["TrioRoot"], label: "runtime={a revoked Proxy}", root: { runtime: revoked() }, body: () => {}, error: TYPE, message: /<TrioRoot runtime=\{…\}> takes a TrioRuntime .*got an object that cannot be inspected/ },
  { covers: ["TrioRoot"], label: "runtime={{ openNursery }} (a look-alike)", root: { runtime: { openNursery: () => null, closed: false } }, body: (api) => api.useNursery(), error: TYPE, message: /<TrioRoot runtime=\{…\}> takes a TrioRuntime .*got an object; or leave the prop out/ },
  { covers: ["TrioRoot"], label: "name={Symbol()}", root: { name: Symbol("root") }, body: (api) => api.useNursery(), error: TYPE, message: /new TrioRuntime\(options\): name must be a string \(the run's name, for tools\), got symbol Symbol\(root\)/ },
  { covers: ["TrioRoot"], label: "clock={5}", root: { clock: 5 }, body: (api) => api.useNursery(), error: TYPE, message: /new TrioRuntime\(options\): clock must be a Clock \(with currentTime\), such as new MockClock\(\)/ },
  { covers: ["TrioRoot"], label: "onError=\"log\"", root: { onError: "log" }, body: (api) => api.useNursery(), error: TYPE, message: /new TrioRuntime\(options\): onError must be a function \(error, source\) => void, or left out .*got "log"/ },
  { covers: ["TrioRoot"], label: "timeSlice={-1}", root: { timeSlice: -1 }, body: (api) => api.useNursery(), error: RangeError, message: /new TrioRuntime\(options\): timeSlice is in seconds and must be a positive finite number/ },

  // ---- useNursery --------------------------------------------------------------------------
  { covers: ["useNursery"], label: "useNursery(42)", body: (api) => api.useNursery(bad(42)), error: TYPE, message: /useNursery\(name\) needs a string name \(for tools\), got number 42/ },

  // ---- useTaskPolicy ---------------------------------------------------------------------
  { covers: ["useTaskPolicy"], label: "an async function", body: (api) => api.useTaskPolicy(asyncFn), error: TYPE, message: /useTaskPolicy\(fn, options\) got an async function; tasks are generator functions: write function\*/ },
  { covers: ["useTaskPolicy"], label: "a generator object (the call, not the function)", body: (api) => api.useTaskPolicy(genFn()), error: TYPE, message: /useTaskPolicy\(fn, options\) needs a generator function \(function\*\), got an object\. This is a generator object.*\(op, not op\(\)\)/ },
  { covers: ["useTaskPolicy"], label: "undefined", body: (api) => api.useTaskPolicy(undefined), error: TYPE, message: /useTaskPolicy\(fn, options\) needs a generator function \(function\*\), got undefined/ },
  { covers: ["useTaskPolicy"], label: "a revoked Proxy function", body: (api) => api.useTaskPolicy(revoked(true)), error: TYPE, message: /useTaskPolicy\(fn, options\) needs a generator function \(function\*\), got a function that cannot be called/ },
  { covers: ["useTaskPolicy"], label: "options null", body: (api) => api.useTaskPolicy(op, null), error: TYPE, message: /useTaskPolicy\(fn, options\) takes an options object such as \{ policy: "restartable" \}, or nothing; got null/ },
  { covers: ["useTaskPolicy"], label: "options a revoked Proxy", body: (api) => api.useTaskPolicy(op, revoked()), error: TYPE, message: /useTaskPolicy\(fn, options\): the options object cannot be read .*pass a plain object/ },
  { covers: ["useTaskPolicy"], label: "options a Proxy whose traps throw", body: (api) => api.useTaskPolicy(op, trapsThrow()), error: TYPE, message: /useTaskPolicy\(fn, options\): the options object cannot be read \(the ownKeys trap\)/ },
  { covers: ["useTaskPolicy"], label: "policy \"latest\" (a typo)", body: (api) => api.useTaskPolicy(op, { policy: "latest" }), error: RangeError, message: /Unknown task policy "latest"; use one of "unbounded", "restartable", "drop", "enqueue", "keepLatest"/ },
  { covers: ["useTaskPolicy"], label: "policy a Symbol", body: (api) => api.useTaskPolicy(op, { policy: Symbol("drop") }), error: TYPE, message: /taskPolicy\(owner, fn, \{ policy \}\) takes a policy name, one of .*; got symbol Symbol\(drop\)/ },
  { covers: ["useTaskPolicy"], label: "maxConcurrency 0", body: (api) => api.useTaskPolicy(op, { policy: "enqueue", maxConcurrency: 0 }), error: RangeError, message: /maxConcurrency must be a positive integer \(or Infinity\), got number 0/ },

  // ---- useTask ---------------------------------------------------------------------------------
  { covers: ["useTask"], label: "an async function", body: (api) => api.useTask(asyncFn, []), error: TYPE, message: /useTask\(fn, deps\) got an async function; tasks are generator functions: write function\*/ },
  { covers: ["useTask"], label: "a generator object", body: (api) => api.useTask(genFn(), []), error: TYPE, message: /useTask\(fn, deps\) needs a generator function \(function\*\), got an object\. This is a generator object/ },
  { covers: ["useTask"], label: "deps \"q\"", body: (api) => api.useTask(op, "q"), error: TYPE, message: /useTask\(fn, deps\) needs a deps array, as useEffect does \(\[\] to run once\); got "q"/ },
  { covers: ["useTask"], label: "deps a revoked Proxy", body: (api) => api.useTask(op, revoked()), error: TYPE, message: /useTask\(fn, deps\) needs a deps array.*got an object that cannot be inspected/ },
  { covers: ["useTask"], label: "options null", body: (api) => api.useTask(op, [], null), error: TYPE, message: /useTask\(fn, deps, options\) takes an options object such as \{ name: "load" \}, or nothing; got null/ },
  { covers: ["useTask"], label: "options with a name 5", body: (api) => api.useTask(op, [], { name: 5 }), error: TYPE, message: /useTask\(fn, deps, \{ name \}\) takes a string \(the task's name, for tools\), got number 5/ },
];

/** The component layer's exports each binding re-exports: their rows are in test/components/bad-input-table.ts. */
export const reexported = ["TrioRuntime", "ScopedNursery", "ReporterError", "taskPolicy", "TaskPolicy", "TaskInstance", "TaskInstanceCancelled"];
