/**
 * The bad-input table of the component layer (src/components/index.ts, the
 * framework-free runtime and task policies that trio-asyncio/preact and
 * trio-asyncio/react re-export and build their hooks from): wrong kinds of
 * arguments (an async or a plain function, a generator object, a revoked
 * Proxy where a generator function belongs), bad policy names and policy
 * objects, bad deps, bad option objects, and hostile options (a revoked
 * Proxy, a Proxy whose traps throw). Each row names the export(s) it
 * covers, the error class, and a regex that must find both the mistake and
 * the fix in the message. The rows run outside any run: every call here is
 * a plain function call a component or a test makes.
 *
 * Also shared with the binding tables (test/preact, test/react): the
 * hostile values themselves.
 */
import { MockClock } from "../../src/testing/index.js";
import { MountLease, TaskPolicy, TrioRuntime, hookPolicyName, requireRuntime, rootRuntime, taskOptions, taskPolicy, type ScopedNursery } from "../../src/components/index.js";
import { RuntimeError, sleep, type Operation } from "../../src/core/index.js";
import { bad, revoked } from "../bad-input/hostile.js";
export { bad, revoked };

// Deliberately wrong inputs, typed loosely so the compiler lets them through.
type Any = any;

/** A Proxy whose every trap throws. */
export function trapsThrow(): Any {
  const boom = (trap: string) => () => {
    throw new Error(`the ${trap} trap`);
  };
  return new Proxy({}, { get: boom("get"), ownKeys: boom("ownKeys"), getPrototypeOf: boom("getPrototypeOf"), has: boom("has"), getOwnPropertyDescriptor: boom("getOwnPropertyDescriptor") });
}

/** An Error whose `message` getter throws. */
export function messageThrows(): Error {
  const e = new Error("never read");
  Object.defineProperty(e, "message", {
    get() {
      throw new Error("the message getter");
    },
  });
  return e;
}

/** The hostile values a task body may throw. */
export const hostileThrows: [string, () => unknown][] = [
  ["a revoked Proxy", () => revoked()],
  ["an object with no prototype", () => Object.create(null)],
  ["an Error whose message getter throws", messageThrows],
];

export const asyncFn = async function fetchThing(): Promise<number> {
  return 1;
};
export function* genFn(): Operation<void> {
  yield* sleep(1);
}

/** One bad input to the component layer. */
export interface UiCase {
  readonly covers: readonly string[];
  readonly label: string;
  readonly act: () => unknown;
  readonly error: abstract new (...args: never[]) => Error;
  readonly message: RegExp;
}

const TYPE = TypeError;
const RANGE = RangeError;

/** A lazy runtime owns no run, so rows may make one and never close it. */
const lazy = (): TrioRuntime => new TrioRuntime({ lazy: true, clock: new MockClock() });
const nursery = (): ScopedNursery => lazy().openNursery("rows");

export const cases: UiCase[] = [
  // ---- TrioRuntime ------------------------------------------------------------
  { covers: ["TrioRuntime"], label: "options 5", act: () => new TrioRuntime(bad(5)), error: TYPE, message: /new TrioRuntime\(options\) takes an options object such as \{ name, clock, onError \}, got number 5/ },
  { covers: ["TrioRuntime"], label: "options a revoked Proxy", act: () => new TrioRuntime(revoked()), error: TYPE, message: /new TrioRuntime\(options\): the options object cannot be read .*pass a plain object/ },
  { covers: ["TrioRuntime"], label: "options a Proxy whose traps throw", act: () => new TrioRuntime(trapsThrow()), error: TYPE, message: /new TrioRuntime\(options\): the options object cannot be read \(the ownKeys trap\); pass a plain object/ },
  { covers: ["TrioRuntime"], label: "name a Symbol", act: () => new TrioRuntime(bad({ name: Symbol("root"), lazy: true })), error: TYPE, message: /new TrioRuntime\(options\): name must be a string \(the run's name, for tools\), got symbol Symbol\(root\)/ },
  { covers: ["TrioRuntime"], label: "name 42", act: () => new TrioRuntime(bad({ name: 42, lazy: true })), error: TYPE, message: /name must be a string .*got number 42/ },
  { covers: ["TrioRuntime"], label: "clock 5", act: () => new TrioRuntime(bad({ clock: 5 })), error: TYPE, message: /new TrioRuntime\(options\): clock must be a Clock \(with currentTime\), such as new MockClock\(\), or left out; got number 5/ },
  { covers: ["TrioRuntime"], label: "clock a revoked Proxy", act: () => new TrioRuntime(bad({ clock: revoked(), lazy: true })), error: TYPE, message: /clock must be a Clock .*got an object that cannot be inspected \(a revoked Proxy\?\)/ },
  ...[-1, 0, NaN, Infinity, "5"].map((v): UiCase => ({ covers: ["TrioRuntime"], label: `timeSlice ${String(v)}`, act: () => new TrioRuntime(bad({ timeSlice: v })), error: RANGE, message: /new TrioRuntime\(options\): timeSlice is in seconds and must be a positive finite number \(default 0\.005\), or left out/ })),
  { covers: ["TrioRuntime"], label: "onError 5", act: () => new TrioRuntime(bad({ onError: 5, lazy: true })), error: TYPE, message: /onError must be a function \(error, source\) => void, or left out .*got number 5/ },
  { covers: ["TrioRuntime"], label: "lazy \"yes\"", act: () => new TrioRuntime(bad({ lazy: "yes" })), error: TYPE, message: /lazy must be true or false, got "yes"/ },
  { covers: ["TrioRuntime"], label: "spawn(name, async function)", act: () => lazy().spawn("x", bad(asyncFn)), error: TYPE, message: /TrioRuntime\.spawn\(name, fn\) got an async function; tasks are generator functions: write function\*/ },
  { covers: ["TrioRuntime"], label: "spawn(name, a generator object)", act: () => lazy().spawn("x", bad(genFn())), error: TYPE, message: /TrioRuntime\.spawn\(name, fn\) needs a generator function \(function\*\), got an object\. This is a generator object, the function's call: pass the generator function itself \(op, not op\(\)\)/ },
  { covers: ["TrioRuntime"], label: "spawn(name, a revoked Proxy function)", act: () => lazy().spawn("x", revoked(true)), error: TYPE, message: /TrioRuntime\.spawn\(name, fn\) needs a generator function \(function\*\), got a function that cannot be called \(a revoked Proxy\?\)/ },
  { covers: ["TrioRuntime"], label: "spawn(Symbol, fn)", act: () => lazy().spawn(bad(Symbol("n")), genFn), error: TYPE, message: /TrioRuntime\.spawn\(name, fn\) needs a string name, got symbol Symbol\(n\)/ },
  { covers: ["TrioRuntime"], label: "openNursery(name, onError 5)", act: () => lazy().openNursery("n", bad(5)), error: TYPE, message: /TrioRuntime\.openNursery\(name, onError\): onError must be a function \(error, source\) => void, or left out; got number 5/ },
  { covers: ["TrioRuntime"], label: "close(reason 5)", act: () => lazy().close(bad(5)), error: TYPE, message: /TrioRuntime\.close\(reason\) takes a string reason .*got number 5/ },

  // ---- ScopedNursery ------------------------------------------------------------
  { covers: ["ScopedNursery"], label: "openNursery(a revoked Proxy for a name)", act: () => lazy().openNursery(revoked()), error: TYPE, message: /ScopedNursery\(name\) needs a string name, got an object that cannot be inspected/ },
  { covers: ["ScopedNursery"], label: "startSoon(a revoked Proxy function)", act: () => nursery().startSoon(revoked(true)), error: TYPE, message: /startSoon\(fn\) needs a generator function \(function\*\), got a function that cannot be called \(a revoked Proxy\?\)/ },
  { covers: ["ScopedNursery"], label: "startSoon(a generator object)", act: () => nursery().startSoon(bad(genFn())), error: TYPE, message: /startSoon\(fn\) needs a generator function.*pass the generator function itself \(op, not op\(\)\)/ },
  { covers: ["ScopedNursery"], label: "startSoon(async function)", act: () => nursery().startSoon(bad(asyncFn)), error: TYPE, message: /startSoon\(fn\) got an async function.*yield\* waitPromise\(p\)/ },
  { covers: ["ScopedNursery"], label: "startSoonNamed(42, fn)", act: () => nursery().startSoonNamed(bad(42), genFn), error: TYPE, message: /startSoonNamed\(name, fn\) needs a string name, got number 42/ },
  { covers: ["ScopedNursery"], label: "cancelAll(a revoked Proxy)", act: () => nursery().cancelAll(revoked()), error: TYPE, message: /ScopedNursery\.cancelAll\(reason\) takes a string reason .*or nothing; got an object that cannot be inspected/ },
  { covers: ["ScopedNursery"], label: "close(42)", act: () => nursery().close(bad(42)), error: TYPE, message: /ScopedNursery\.close\(reason\) takes a string reason .*got number 42/ },

  // ---- taskPolicy / TaskPolicy ------------------------------------------------------
  { covers: ["taskPolicy"], label: "owner a revoked Proxy", act: () => taskPolicy(revoked(), genFn), error: TYPE, message: /taskPolicy\(owner, fn, options\) needs an owner that can start tasks: a Nursery, or the ScopedNursery of useNursery\(\); got an object that cannot be inspected/ },
  { covers: ["taskPolicy"], label: "owner a Proxy whose traps throw", act: () => taskPolicy(trapsThrow(), genFn), error: TYPE, message: /needs an owner that can start tasks.*got an object that cannot be inspected/ },
  { covers: ["taskPolicy"], label: "owner {}", act: () => taskPolicy(bad({}), genFn), error: TYPE, message: /needs an owner that can start tasks.*got an object\./ },
  { covers: ["taskPolicy"], label: "fn an async function", act: () => taskPolicy(nursery(), bad(asyncFn)), error: TYPE, message: /taskPolicy\(owner, fn, options\) got an async function; tasks are generator functions: write function\*/ },
  { covers: ["taskPolicy"], label: "fn a generator object", act: () => taskPolicy(nursery(), bad(genFn())), error: TYPE, message: /taskPolicy\(owner, fn, options\) needs a generator function.*got an object\. This is a generator object.*\(op, not op\(\)\)/ },
  { covers: ["taskPolicy"], label: "fn a revoked Proxy function", act: () => taskPolicy(nursery(), revoked(true)), error: TYPE, message: /taskPolicy\(owner, fn, options\) needs a generator function \(function\*\), got a function that cannot be called/ },
  { covers: ["taskPolicy"], label: "fn undefined", act: () => taskPolicy(nursery(), bad(undefined)), error: TYPE, message: /taskPolicy\(owner, fn, options\) needs a generator function \(function\*\), got undefined/ },
  { covers: ["taskPolicy"], label: "options null", act: () => taskPolicy(nursery(), genFn, bad(null)), error: TYPE, message: /taskPolicy\(owner, fn, options\) takes an options object such as \{ policy: "restartable" \}, got null/ },
  { covers: ["taskPolicy"], label: "options a revoked Proxy", act: () => taskPolicy(nursery(), genFn, revoked()), error: TYPE, message: /taskPolicy\(owner, fn, options\): the options object cannot be read .*pass a plain object/ },
  { covers: ["taskPolicy"], label: "policy \"latest\" (a typo)", act: () => taskPolicy(nursery(), genFn, bad({ policy: "latest" })), error: RANGE, message: /Unknown task policy "latest"; use one of "unbounded", "restartable", "drop", "enqueue", "keepLatest"/ },
  { covers: ["taskPolicy"], label: "policy a Symbol", act: () => taskPolicy(nursery(), genFn, bad({ policy: Symbol("drop") })), error: TYPE, message: /taskPolicy\(owner, fn, \{ policy \}\) takes a policy name, one of "unbounded", .*"keepLatest"; got symbol Symbol\(drop\)/ },
  { covers: ["taskPolicy"], label: "policy a BigInt", act: () => taskPolicy(nursery(), genFn, bad({ policy: 1n })), error: TYPE, message: /takes a policy name, one of .*; got bigint 1/ },
  { covers: ["taskPolicy"], label: "policy an object", act: () => taskPolicy(nursery(), genFn, bad({ policy: { name: "drop" } })), error: TYPE, message: /takes a policy name, one of .*; got an object/ },
  { covers: ["taskPolicy"], label: "maxConcurrency an object with no prototype", act: () => taskPolicy(nursery(), genFn, bad({ policy: "enqueue", maxConcurrency: Object.create(null) })), error: RANGE, message: /maxConcurrency must be a positive integer \(or Infinity\), got an object with no prototype/ },
  { covers: ["taskPolicy"], label: "maxConcurrency 1.5", act: () => taskPolicy(nursery(), genFn, { policy: "enqueue", maxConcurrency: 1.5 }), error: RANGE, message: /maxConcurrency must be a positive integer \(or Infinity\), got number 1\.5/ },
  { covers: ["taskPolicy"], label: "name a Symbol", act: () => taskPolicy(nursery(), genFn, bad({ name: Symbol("n") })), error: TYPE, message: /taskPolicy\(owner, fn, \{ name \}\) takes a string \(the instances' task name, for tools\), got symbol Symbol\(n\)/ },
  { covers: ["TaskPolicy"], label: "new TaskPolicy(owner, fn, {}) with a BigInt policy", act: () => new TaskPolicy(nursery(), genFn, bad({ policy: 2n })), error: TYPE, message: /takes a policy name.*got bigint 2/ },
  { covers: ["TaskPolicy"], label: "subscribe(5)", act: () => taskPolicy(nursery(), genFn).subscribe(bad(5)), error: TYPE, message: /TaskPolicy\.subscribe\(listener\) needs a function \(\) => void, called after every change of state; got number 5/ },
  { covers: ["TaskPolicy"], label: "cancelAll(5)", act: () => taskPolicy(nursery(), genFn).cancelAll(bad(5)), error: TYPE, message: /TaskPolicy\.cancelAll\(reason\) takes a string reason .*or nothing; got number 5/ },
  { covers: ["TaskPolicy"], label: "close(a revoked Proxy)", act: () => taskPolicy(nursery(), genFn).close(revoked()), error: TYPE, message: /TaskPolicy\.close\(reason\) takes a string reason .*got an object that cannot be inspected/ },
  { covers: ["TaskInstance"], label: "instance.cancel(5)", act: () => taskPolicy(nursery(), genFn).perform().cancel(bad(5)), error: TYPE, message: /TaskInstance\.cancel\(reason\) takes a string reason .*got number 5/ },

  // ---- the bindings' shared pieces ----------------------------------------------------
  { covers: ["MountLease"], label: "new MountLease(5)", act: () => new MountLease(bad(5)), error: TYPE, message: /new MountLease\(close\) needs the function that closes the resource/ },
  { covers: ["requireRuntime"], label: "no <TrioRoot> above", act: () => requireRuntime(null), error: RuntimeError, message: /This hook needs a <TrioRoot> above the component: wrap your app in <TrioRoot>/ },
  { covers: ["rootRuntime"], label: "<TrioRoot runtime={5}>", act: () => rootRuntime(5), error: TYPE, message: /<TrioRoot runtime=\{…\}> takes a TrioRuntime \(new TrioRuntime\(\{ name, clock \}\)\), got number 5; or leave the prop out and the root makes its own/ },
  { covers: ["rootRuntime"], label: "<TrioRoot runtime={a revoked Proxy}>", act: () => rootRuntime(revoked()), error: TYPE, message: /<TrioRoot runtime=\{…\}> takes a TrioRuntime .*got an object that cannot be inspected/ },
  { covers: ["hookPolicyName"], label: "useTaskPolicy(async function)", act: () => hookPolicyName(asyncFn, {}), error: TYPE, message: /useTaskPolicy\(fn, options\) got an async function; tasks are generator functions/ },
  { covers: ["hookPolicyName"], label: "useTaskPolicy(42)", act: () => hookPolicyName(42, {}), error: TYPE, message: /useTaskPolicy\(fn, options\) needs a generator function \(function\*\), got number 42/ },
  { covers: ["hookPolicyName"], label: "useTaskPolicy(fn, null)", act: () => hookPolicyName(genFn, null), error: TYPE, message: /useTaskPolicy\(fn, options\) takes an options object such as \{ policy: "restartable" \}, or nothing; got null/ },
  { covers: ["hookPolicyName"], label: "useTaskPolicy(fn, a revoked Proxy)", act: () => hookPolicyName(genFn, revoked()), error: TYPE, message: /useTaskPolicy\(fn, options\): the options object cannot be read .*pass a plain object/ },
  { covers: ["taskOptions"], label: "useTask(fn, a revoked Proxy for deps)", act: () => taskOptions(genFn, revoked(), {}), error: TYPE, message: /useTask\(fn, deps\) needs a deps array, as useEffect does \(\[\] to run once\); got an object that cannot be inspected/ },
  { covers: ["taskOptions"], label: "useTask(fn, \"q\")", act: () => taskOptions(genFn, "q", {}), error: TYPE, message: /useTask\(fn, deps\) needs a deps array, as useEffect does \(\[\] to run once\); got "q"/ },
  { covers: ["taskOptions"], label: "useTask(fn, [], null)", act: () => taskOptions(genFn, [], null), error: TYPE, message: /useTask\(fn, deps, options\) takes an options object such as \{ name: "load" \}, or nothing; got null/ },
  { covers: ["taskOptions"], label: "useTask(fn, [], { name: 5 })", act: () => taskOptions(genFn, [], { name: 5 }), error: TYPE, message: /useTask\(fn, deps, \{ name \}\) takes a string \(the task's name, for tools\), got number 5/ },
  { covers: ["taskOptions"], label: "useTask(a generator object, [])", act: () => taskOptions(genFn(), [], {}), error: TYPE, message: /useTask\(fn, deps\) needs a generator function.*\(op, not op\(\)\)/ },
  { covers: ["taskOptions"], label: "useTask(async function, [])", act: () => taskOptions(asyncFn, [], {}), error: TYPE, message: /useTask\(fn, deps\) got an async function/ },
];

/** Exports with no input to get wrong, with the reason. */
export const skipped: Record<string, string> = {
  ReporterError: "an error class the runtime constructs itself (a reporter threw)",
  TaskInstanceCancelled: "an error class the runtime constructs itself (an awaited instance was cancelled)",
  policyName: "reads only options that taskPolicy and hookPolicyName have checked (their rows)",
  rootRuntimeOptions: "copies the props object the framework made; each value is checked by new TrioRuntime (its rows)",
  taskResult: "maps a TaskPolicy's own state object, never user input",
};
