/**
 * Hostile values passed as ARGUMENTS and OPTIONS to the public methods of
 * the asyncio layer (the bad-input table covers wrong kinds of values per
 * export, and test/bridge/hostile-values-asyncio covers hostile values that
 * user code throws, returns or yields).
 *
 * The values: revoked Proxies (object and function), Proxies whose every
 * trap throws, objects whose getters throw (then, next, name, message,
 * valueOf, toString, Symbol.toPrimitive, Symbol.iterator and the option
 * names), objects without a prototype, number-likes whose valueOf throws,
 * iterables whose iterator throws, BigInt and Symbol where numbers and
 * strings go, and NaN / ±Infinity / -0 durations.
 *
 * The rule: a clear error of the class CPython would raise, whose message
 * names the mistake and the fix, never the engine's own words, never a hang,
 * never a half-done state (a lost item, a stray timer or callback, a Task
 * left pending or started behind the caller's back), and the run settles
 * with nothing left over. A getter that throws may throw its own error (as
 * everywhere in the library), but must leave nothing half-done.
 */
import { describe, expect, it, vi } from "vitest";
import { RuntimeError, asyncio } from "../../src/index.js";
import { expectNothingLeft, expectUsable, provoke, type Case } from "../bad-input/harness.js";
import { bad, ENGINE_WORDS, revoked, type Any } from "../bad-input/hostile.js";
import { runAioKeep } from "./helpers.js";

// ---- the hostile values -------------------------------------------------------------

const HOSTILE = /hostile/;

function boom(): never {
  throw new Error("hostile trap or getter");
}

/** A Proxy (of a function if `fn`) whose every trap throws. */
function trapsThrow(fn = false): Any {
  const handler = new Proxy({}, { get: () => boom });
  return new Proxy(fn ? function target() {} : {}, handler);
}

/** An object whose every interesting property is a getter that throws. */
function getterBomb(): Any {
  const o = {};
  const keys: PropertyKey[] = ["then", "next", "throw", "return", "name", "message", "valueOf", "toString", "constructor", Symbol.toPrimitive, Symbol.iterator];
  for (const k of keys) Object.defineProperty(o, k, { get: boom, enumerable: true });
  return o;
}

/** An options object whose given options are getters that throw. */
function optionBomb(...names: string[]): Any {
  const o = {};
  for (const k of names) Object.defineProperty(o, k, { get: boom, enumerable: true });
  return o;
}

/** A plain object with one non-enumerable getter that throws (Object.keys does not list it). */
function hidden(key: PropertyKey): Any {
  return Object.defineProperty({}, key, { get: boom, enumerable: false });
}

const nullProto = (): Any => Object.create(null);
const numberLike = (): Any => ({ valueOf: boom, [Symbol.toPrimitive]: boom, toString: boom });
const thenGetterThrows = (): Any => ({
  get then() {
    return boom();
  },
});
const iteratorThrows = (): Any => ({
  [Symbol.iterator]() {
    throw new Error("hostile iterator");
  },
});
const iteratorNotObject = (): Any => ({ [Symbol.iterator]: () => 42 });

/** The values where an object, a function or a coroutine goes. */
const objects: [string, () => Any][] = [
  ["a revoked Proxy", () => revoked()],
  ["a revoked function Proxy", () => revoked(true)],
  ["a Proxy whose traps throw", () => trapsThrow()],
  ["a function Proxy whose traps throw", () => trapsThrow(true)],
  ["an object whose getters throw", getterBomb],
  ["an object with no prototype", nullProto],
  ["a thenable whose then getter throws", thenGetterThrows],
];
/** The values where a number goes. */
const numbers: [string, () => Any][] = [
  ["a BigInt", () => 1n],
  ["a Symbol", () => Symbol("s")],
  ["a number-like whose valueOf throws", numberLike],
  ["a revoked Proxy", () => revoked()],
  ["a Proxy whose traps throw", () => trapsThrow()],
  ["an object with no prototype", nullProto],
];

const loop = (): asyncio.EventLoop => asyncio.getRunningLoop();
const TYPE = TypeError;
const VALUE = asyncio.ValueError;

function* aioCoro(): asyncio.Coroutine<void> {
  yield* asyncio.sleep(1);
}

function rows(covers: string, what: string, values: [string, () => Any][], act: (v: Any) => unknown, error: Case["error"], message: RegExp): Case[] {
  return values.map(([label, v]) => ({ covers: [covers], label: `${what} with ${label}`, where: "aio", act: () => act(v()), error, message }));
}

// ---- the table ------------------------------------------------------------------------

const NOT_CALLBACK = /needs a function to call, got .*(cannot be inspected|function|object|Symbol|bigint)/;
const NOT_CALLABLE_PROXY = /cannot be called: reading it threw \(a revoked Proxy\?\)\. Pass a plain function/;

export const cases: Case[] = [
  // ---- EventLoop ----
  ...rows("loop.callSoon", "callSoon", objects.filter(([l]) => !l.includes("function")), (v) => loop().callSoon(v), TYPE, NOT_CALLBACK),
  ...rows("loop.callSoon", "callSoon", [["a revoked function Proxy", () => revoked(true)], ["a function Proxy whose traps throw", () => trapsThrow(true)]], (v) => loop().callSoon(v), TYPE, NOT_CALLABLE_PROXY),
  ...rows("loop.callSoon", "callSoon", [["a Symbol", () => Symbol("s")], ["a BigInt", () => 1n]], (v) => loop().callSoon(v), TYPE, /callSoon\(\) needs a function to call, got (symbol Symbol\(s\)|bigint 1)/),
  ...rows("loop.callSoonThreadsafe", "callSoonThreadsafe", [["a revoked function Proxy", () => revoked(true)]], (v) => loop().callSoonThreadsafe(v), TYPE, NOT_CALLABLE_PROXY),
  ...rows("loop.callLater", "callLater's delay", numbers, (v) => loop().callLater(v, () => {}), TYPE, /callLater\(delay, callback\) needs a number of seconds, got/),
  ...rows("loop.callLater", "callLater's callback", [["a revoked function Proxy", () => revoked(true)]], (v) => loop().callLater(1, v), TYPE, NOT_CALLABLE_PROXY),
  ...rows("loop.callLater", "callLater's callback", [["a revoked Proxy", () => revoked()]], (v) => loop().callLater(1, v), TYPE, NOT_CALLBACK),
  ...rows("loop.callAt", "callAt's when", numbers, (v) => loop().callAt(v, () => {}), TYPE, /callAt\(when, callback\) needs a loop time in seconds, got/),
  ...rows("loop.callAt", "callAt's callback", [["a function Proxy whose traps throw", () => trapsThrow(true)]], (v) => loop().callAt(1, v), TYPE, NOT_CALLABLE_PROXY),
  ...rows("loop.createTask", "createTask", objects.filter(([l]) => !l.includes("function")), (v) => loop().createTask(v), TYPE, /An asyncio Task needs a coroutine \(the generator returned by calling a function\*\)/),
  ...rows("loop.createTask", "createTask's options", [["a revoked Proxy", () => revoked()], ["a Proxy whose traps throw", () => trapsThrow()]], (v) => loop().createTask(aioCoro(), v), TYPE, /createTask\(coro, options\): the options object cannot be read .*pass a plain object/),
  ...rows("loop.createTask", "createTask's options", [["an eagerStart getter that throws", () => optionBomb("eagerStart")], ["a name getter that throws", () => optionBomb("name")]], (v) => loop().createTask(aioCoro(), v), Error, HOSTILE),
  ...rows("loop.createTask", "createTask's name", [...objects, ["a Symbol", () => Symbol("s")]], (v) => loop().createTask(aioCoro(), { name: v }), TYPE, /createTask\(coro, \{ name \}\): a task name must be a string, got/),
  ...rows("loop.setExceptionHandler", "setExceptionHandler", objects.filter(([l]) => !l.includes("function")), (v) => loop().setExceptionHandler(v), TYPE, /setExceptionHandler\(handler\) takes a function \(loop, context\) => void, or null/),
  ...rows("loop.setTaskFactory", "setTaskFactory", objects.filter(([l]) => !l.includes("function")), (v) => loop().setTaskFactory(v), TYPE, /setTaskFactory\(factory\) takes a function or null/),
  ...rows("loop.setExceptionHandler", "setExceptionHandler", [["a revoked function Proxy", () => revoked(true)], ["a function Proxy whose traps throw", () => trapsThrow(true)]], (v) => loop().setExceptionHandler(v), TYPE, /setExceptionHandler\(handler\) takes a function or null, but this one cannot be called: reading it threw \(a revoked Proxy\?\)\. Pass a plain function \(loop, context\) => void/),
  ...rows("loop.setTaskFactory", "setTaskFactory", [["a revoked function Proxy", () => revoked(true)], ["a function Proxy whose traps throw", () => trapsThrow(true)]], (v) => loop().setTaskFactory(v), TYPE, /setTaskFactory\(factory\) takes a function or null, but this one cannot be called: reading it threw \(a revoked Proxy\?\)\. Pass a plain function \(loop, coro, options\) => Task/),
  ...rows("loop.slowCallbackDuration", "slowCallbackDuration =", [...numbers, ["a numeric string", () => "0.5"], ["null", () => null]], (v) => {
    loop().slowCallbackDuration = v;
  }, TYPE, /loop\.slowCallbackDuration must be a number of seconds >= 0 \(callbacks slower than this are reported in debug mode\), got/),
  ...rows("loop.slowCallbackDuration", "slowCallbackDuration =", [["NaN", () => NaN], ["-1", () => -1], ["-Infinity", () => -Infinity]], (v) => {
    loop().slowCallbackDuration = v;
  }, RangeError, /loop\.slowCallbackDuration must be a number of seconds >= 0 .*, got (NaN|-1|-Infinity); use 0 to report every callback, Infinity to report none/),
  ...rows("loop.callExceptionHandler", "callExceptionHandler", [["null", () => null], ["a Symbol", () => Symbol("s")], ["a string", () => "oops"]], (v) => loop().callExceptionHandler(v), TYPE, /callExceptionHandler\(context\) needs an object such as \{ message, exception \}, got/),
  ...rows("loop.callExceptionHandler", "callExceptionHandler", [["a revoked Proxy", () => revoked()], ["a Proxy whose traps throw", () => trapsThrow()]], (v) => loop().callExceptionHandler(v), TYPE, /callExceptionHandler\(context\): the options object cannot be read .*pass a plain object/),
  {
    covers: ["loop.callExceptionHandler"],
    label: "callExceptionHandler({ message: Symbol }) with a handler that throws",
    where: "aio",
    act: () => {
      loop().setExceptionHandler(() => {
        throw new Error("handler failed");
      });
      loop().callExceptionHandler({ message: bad(Symbol("m")) });
    },
    error: Error,
    message: /^The asyncio exception handler raised while handling: Symbol\(m\)$/,
  },
  ...rows("loop.defaultExceptionHandler", "defaultExceptionHandler", [["null", () => null], ["a Symbol", () => Symbol("s")]], (v) => loop().defaultExceptionHandler(v), TYPE, /defaultExceptionHandler\(context\) needs an object such as \{ message, exception \}, got/),
  {
    covers: ["loop.setTaskFactory"],
    label: "createTask(coro, a revoked Proxy) with a task factory",
    where: "aio",
    act: () => {
      loop().setTaskFactory((l, coro) => new asyncio.Task(coro, { loop: l }));
      loop().createTask(aioCoro(), revoked());
    },
    error: TYPE,
    message: /createTask\(coro, options\): the options object cannot be read .*pass a plain object/,
  },
  ...rows("loop.runInExecutor", "runInExecutor's executor", objects.filter(([l]) => !l.includes("function")), (v) => loop().runInExecutor(v, "work"), TYPE, /runInExecutor\(executor, \.\.\.\) takes an executor .* or null, got/),
  ...rows("loop.runInExecutor", "runInExecutor whose executor's submit() answers", [["a number", () => 42], ["a Promise", () => Promise.resolve(1)], ["a revoked Proxy", () => revoked()], ["a Proxy whose traps throw", () => trapsThrow()]], (v) => loop().runInExecutor({ submit: () => v }, "work"), TYPE, /^runInExecutor\(executor, "work"\): the executor's submit\(\) returned .*, not an asyncio Future\. An executor's submit\(loop, name, args\) must return a Future of that loop/),
  ...rows("loop.setDefaultExecutor", "setDefaultExecutor", objects, (v) => loop().setDefaultExecutor(v), TYPE, /setDefaultExecutor\(executor\) takes an executor .* or null, got/),

  // ---- Future and Task ----
  ...rows("Future.addDoneCallback", "addDoneCallback", [["a revoked function Proxy", () => revoked(true)], ["a function Proxy whose traps throw", () => trapsThrow(true)]], (v) => loop().createFuture().addDoneCallback(v), TYPE, NOT_CALLABLE_PROXY),
  ...rows("Future.addDoneCallback", "addDoneCallback", objects.filter(([l]) => !l.includes("function")), (v) => loop().createFuture().addDoneCallback(v), TYPE, NOT_CALLBACK),
  ...rows("Future", "new Future(options)", [["a revoked Proxy", () => revoked()], ["a Proxy whose traps throw", () => trapsThrow()]], (v) => new asyncio.Future(v), TYPE, /new Future\(options\): the options object cannot be read .*pass a plain object/),
  ...rows("Future", "new Future({ loop })", [["a number", () => 42], ...objects], (v) => new asyncio.Future({ loop: v }), TYPE, /new Future\(\{ loop \}\) takes an asyncio EventLoop \(or no loop, for the running one\), got/),
  ...rows("Task", "new Task(coro, { loop })", [["a number", () => 42], ["a revoked Proxy", () => revoked()]], (v) => new asyncio.Task(aioCoro(), { loop: v }), TYPE, /new Task\(\{ loop \}\) takes an asyncio EventLoop \(or no loop, for the running one\), got/),
  ...rows("Task.setName", "setName", [...objects, ["a Symbol", () => Symbol("s")]], (v) => asyncio.createTask(aioCoro()).setName(v), TYPE, /setName\(name\): a task name must be a string, got/),

  // ---- functions ----
  ...rows("asyncio.ensureFuture", "ensureFuture", objects.filter(([l]) => !l.includes("function")), (v) => asyncio.ensureFuture(v), TYPE, /ensureFuture\(\) needs an asyncio Future, a coroutine .* or a Promise; got/),
  ...rows("asyncio.ensureFuture", "ensureFuture's options", [["null", () => null], ["a revoked Proxy", () => revoked()], ["a Proxy whose traps throw", () => trapsThrow()]], (v) => asyncio.ensureFuture(aioCoro(), v), TYPE, /ensureFuture\(aw, options\)/),
  ...rows("asyncio.ensureFuture", "ensureFuture's loop", [["a number", () => 42], ["a revoked Proxy", () => revoked()]], (v) => asyncio.ensureFuture(aioCoro(), { loop: v }), TYPE, /ensureFuture\(aw, \{ loop \}\) takes an asyncio EventLoop/),
  ...rows("asyncio.isCoroutine", "isCoroutine", objects, (v) => {
    if (asyncio.isCoroutine(v)) throw new Error("a hostile value taken for a coroutine");
    throw new TypeError("not a coroutine, as expected");
  }, TYPE, /not a coroutine, as expected/),
  ...rows("asyncio.allTasks", "allTasks", [["a number", () => 42], ["a revoked Proxy", () => revoked()]], (v) => asyncio.allTasks(v), TYPE, /allTasks\(loop\) takes an asyncio EventLoop \(or nothing, for the running one\), got/),
  ...rows("asyncio.wrapPromise", "wrapPromise", objects.filter(([l]) => !l.includes("function")), (v) => asyncio.wrapPromise(v), TYPE, /wrapPromise\(promise\) needs a Promise or thenable, got/),
  ...rows("asyncio.shield", "shield", objects.filter(([l]) => !l.includes("function")), (v) => asyncio.shield(v), TYPE, /needs an asyncio Future, a coroutine .* or a Promise; got/),
  ...rows("asyncio.sleep", "sleep", numbers, (v) => asyncio.sleep(v), TYPE, /asyncio sleep\(delay\) needs a number of seconds, got/),

  // ---- gather, wait, waitFor, asCompleted ----
  ...rows("asyncio.gather", "gather", objects.filter(([l]) => !l.includes("function") && !l.includes("no prototype")), (v) => asyncio.gather(v, asyncio.sleep(0)), TYPE, /needs an asyncio Future, a coroutine .* or a Promise; got/),
  ...rows("asyncio.gather", "gather's second awaitable", [["a revoked Proxy", () => revoked()]], (v) => asyncio.gather(asyncio.sleep(0), v), TYPE, /needs an asyncio Future, a coroutine .* or a Promise; got an object that cannot be inspected/),
  ...rows("asyncio.gather", "gather's options", [["a returnExceptions getter that throws", () => optionBomb("returnExceptions")]], (v) => asyncio.gather(asyncio.sleep(0), v), Error, HOSTILE),
  ...rows("asyncio.gather", "gather's options", [["an unknown option on no prototype", () => Object.assign(nullProto(), { bad: 1 })]], (v) => asyncio.gather(asyncio.sleep(0), v), TYPE, /gather\(\): unknown option "bad"/),
  ...rows("asyncio.gather", "gather's returnExceptions", [["1", () => 1], ['"false"', () => "false"], ["null", () => null]], (v) => asyncio.gather(asyncio.sleep(0), { returnExceptions: v as boolean }), TYPE, /^gather\(\): returnExceptions must be true or false, got /),
  ...rows("asyncio.gather", "gather's lone argument", [["an object whose getters throw", getterBomb], ["a thenable whose then getter throws", thenGetterThrows]], (v) => asyncio.gather(v), TYPE, /^gather\(\): unknown option "then"; the only option is returnExceptions \(a plain object as the last argument is read as gather's options\)\. Pass the awaitables/),
  ...rows("asyncio.gather", "gather's lone argument", [["a hidden then getter that throws", () => hidden("then")]], (v) => asyncio.gather(v), TYPE, /^gather\(\): unknown option "then"; the only option is returnExceptions/),
  ...rows("asyncio.gather", "gather's last argument", [["a hidden Symbol.iterator getter that throws", () => hidden(Symbol.iterator)]], (v) => asyncio.gather(asyncio.sleep(0), v), TYPE, /^gather\(\): unknown option Symbol\(Symbol\.iterator\); the only option is returnExceptions/),
  ...rows("asyncio.gather", "gather's last argument", [["a plain-looking Proxy whose ownKeys trap throws", () => new Proxy({}, { ownKeys: boom })]], (v) => asyncio.gather(asyncio.sleep(0), v), TYPE, /^gather\(\): the last argument, an object, is read as gather's options, but its keys cannot be listed \(hostile trap or getter\); pass the awaitables/),
  ...rows("asyncio.gather", "gather's last argument", [["a plain iterable", () => ({ *[Symbol.iterator]() { yield asyncio.sleep(0); } })]], (v) => asyncio.gather(v), TYPE, /^gather\(\) takes the awaitables as separate arguments: write gather\(\.\.\.aws\)/),
  ...rows("asyncio.wait", "wait", objects.filter(([l]) => !l.includes("thenable")), (v) => asyncio.wait(v), TYPE, /wait\(\) expects an array \(or other iterable\) of awaitables/),
  ...rows("asyncio.wait", "wait", [["an iterable whose iterator throws", iteratorThrows], ["an iterable whose iterator is not an object", iteratorNotObject]], (v) => asyncio.wait(v), TYPE, /wait\(\) could not iterate its argument: .*Pass an array of Futures/),
  ...rows("asyncio.wait", "wait", [["a generator that throws an object with no prototype", () => (function* () { throw nullProto(); })()], ["a generator that throws a revoked Proxy", () => (function* () { throw revoked(); })()]], (v) => asyncio.wait(v), TYPE, /wait\(\) was given a generator, and iterating it raised: an? .*run it as a Task and pass the Task/),
  ...rows("asyncio.wait", "wait's items", objects, (v) => asyncio.wait([v]), TYPE, /wait\(\) takes asyncio Futures or Tasks only; wrap other awaitables with ensureFuture\(\)/),
  ...rows("asyncio.wait", "wait's options", [["null", () => null], ["a revoked Proxy", () => revoked()], ["a Proxy whose traps throw", () => trapsThrow()], ["a Symbol", () => Symbol("s")]], (v) => asyncio.wait([loop().createFuture()], v), TYPE, /wait\(fs, options\)/),
  ...rows("asyncio.wait", "wait's timeout", numbers, (v) => asyncio.wait([loop().createFuture()], { timeout: v }), TYPE, /wait\(fs, \{ timeout \}\) needs a number of seconds or null, got/),
  ...rows("asyncio.wait", "wait's returnWhen", [...objects, ["a Symbol", () => Symbol("s")]], (v) => asyncio.wait([loop().createFuture()], { returnWhen: v }), VALUE, /wait\(\): invalid returnWhen .*; use FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED/),
  ...rows("asyncio.wait", "wait's options", [["a timeout getter that throws", () => optionBomb("timeout")]], (v) => asyncio.wait([loop().createFuture()], v), Error, HOSTILE),
  ...rows("asyncio.waitFor", "waitFor", objects.filter(([l]) => !l.includes("function")), (v) => asyncio.waitFor(v, 1), TYPE, /waitFor\(\) needs an asyncio Future, a coroutine/),
  ...rows("asyncio.waitFor", "waitFor's timeout", numbers, (v) => asyncio.waitFor(loop().createFuture(), v), TYPE, /waitFor\(aw, timeout\) needs a number of seconds or null, got/),
  ...rows("asyncio.asCompleted", "asCompleted", objects.filter(([l]) => !l.includes("thenable")), (v) => asyncio.asCompleted(v), TYPE, /asCompleted\(\) expects an array \(or other iterable\) of awaitables/),
  ...rows("asyncio.asCompleted", "asCompleted", [["an iterable whose iterator throws", iteratorThrows], ["an iterable whose iterator is not an object", iteratorNotObject]], (v) => asyncio.asCompleted(v), TYPE, /asCompleted\(\) could not iterate its argument: .*Pass an array of Futures/),
  ...rows("asyncio.asCompleted", "asCompleted's items", objects.filter(([l]) => !l.includes("function")), (v) => asyncio.asCompleted([v]), TYPE, /needs an asyncio Future, a coroutine .* or a Promise; got/),
  ...rows("asyncio.asCompleted", "asCompleted's options", [["null", () => null], ["a revoked Proxy", () => revoked()], ["a Proxy whose traps throw", () => trapsThrow()]], (v) => asyncio.asCompleted([], v), TYPE, /asCompleted\(aws, options\)/),
  ...rows("asyncio.asCompleted", "asCompleted's timeout", numbers, (v) => asyncio.asCompleted([], { timeout: v }), TYPE, /asCompleted\(aws, \{ timeout \}\) needs a number of seconds or null, got/),

  // ---- timeouts and TaskGroup ----
  ...rows("asyncio.timeout", "timeout", numbers, (v) => asyncio.timeout(v), TYPE, /timeout\(delay\) needs a number of seconds \(or null for no deadline\), got/),
  ...rows("asyncio.timeoutAt", "timeoutAt", numbers, (v) => asyncio.timeoutAt(v), TYPE, /timeoutAt\(when\) needs a number of seconds \(or null for no deadline\), got/),
  ...rows("asyncio.Timeout", "Timeout.reschedule", numbers, (v) => asyncio.timeout(5).run(function* (cm) { cm.reschedule(v); }), TYPE, /reschedule\(when\) needs a number of seconds \(or null for no deadline\), got/),
  ...rows("asyncio.Timeout", "Timeout.run", [["a revoked function Proxy", () => revoked(true)], ["a function Proxy whose traps throw", () => trapsThrow(true)]], (v) => asyncio.timeout(5).run(v), TYPE, /Timeout\.run\(body\) needs a generator function.*cannot be called: reading it threw \(a revoked Proxy\?\)/),
  ...rows("asyncio.TaskGroup", "TaskGroup.run", [["a revoked function Proxy", () => revoked(true)], ["a function Proxy whose traps throw", () => trapsThrow(true)]], (v) => asyncio.TaskGroup.run(v), TYPE, /TaskGroup\.run\(body\) needs a generator function.*cannot be called: reading it threw \(a revoked Proxy\?\)/),
  ...rows("asyncio.TaskGroup", "TaskGroup.createTask", objects.filter(([l]) => !l.includes("function")), (v) => asyncio.TaskGroup.run(function* (tg) { tg.createTask(v); }), TYPE, /An asyncio Task needs a coroutine/),
  ...rows("asyncio.TaskGroup", "TaskGroup.createTask before run", objects, (v) => new asyncio.TaskGroup().createTask(v), RuntimeError, /TaskGroup.* has not been entered: call createTask\(\) inside TaskGroup\.run/),
  ...rows("asyncio.TaskGroup", "TaskGroup.createTask's options", [["a revoked Proxy", () => revoked()]], (v) => asyncio.TaskGroup.run(function* (tg) { tg.createTask(aioCoro(), v); }), TYPE, /createTask\(coro, options\): the options object cannot be read/),
  ...rows("asyncio.TaskGroup", "TaskGroup.createTask's options", [["an eagerStart getter that throws", () => optionBomb("eagerStart")]], (v) => asyncio.TaskGroup.run(function* (tg) { tg.createTask(aioCoro(), v); }), Error, HOSTILE),

  // ---- queues ----
  ...(["Queue", "LifoQueue", "PriorityQueue"] as const).flatMap((k) =>
    rows(`asyncio.${k}`, `new ${k}`, numbers, (v) => new asyncio[k](v), TYPE, new RegExp(`${k} maxsize must be a number >= 0 \\(0 means unbounded\\), got`)),
  ),
  ...rows("asyncio.Queue", "new Queue", [["NaN", () => NaN]], (v) => new asyncio.Queue(v), VALUE, /Queue maxsize must be a number >= 0 \(0 means unbounded\), got NaN/),
  ...rows("asyncio.Queue", "Queue.shutdown", objects, (v) => new asyncio.Queue().shutdown(v), TYPE, /Queue\.shutdown\(immediate\) takes a boolean \(default false\), got/),
  ...rows("asyncio.PriorityQueue", "new PriorityQueue's options", [["a revoked Proxy", () => revoked()], ["a Proxy whose traps throw", () => trapsThrow()]], (v) => new asyncio.PriorityQueue(0, v), TYPE, /new PriorityQueue\(maxsize, options\): the options object cannot be read/),
  ...rows("asyncio.PriorityQueue", "new PriorityQueue's key", objects.filter(([l]) => !l.includes("function")), (v) => new asyncio.PriorityQueue(0, { key: v }), TYPE, /PriorityQueue option key must be a function \(item\) => priority, got/),
  ...rows("asyncio.PriorityQueue", "PriorityQueue.putNowait", [...objects, ["a Symbol", () => Symbol("s")]], (v) => {
    const q = new asyncio.PriorityQueue<unknown>();
    q.putNowait(1);
    q.putNowait(v);
  }, TYPE, /PriorityQueue cannot order .* and .*: priorities are compared like Python values/),
  ...rows("asyncio.PriorityQueue", "PriorityQueue compare returning", [["a Symbol", () => Symbol("s")], ["a BigInt", () => 1n], ["a number-like whose valueOf throws", numberLike], ["a revoked Proxy", () => revoked()], ["NaN", () => NaN]], (v) => {
    const q = new asyncio.PriorityQueue<number>(0, { compare: () => v });
    q.putNowait(1);
    q.putNowait(2);
  }, TYPE, /PriorityQueue's compare\(a, b\) must return a number other than NaN \(negative if a comes out first, positive if b does\), got/),
  ...rows("asyncio.comparePriorities", "comparePriorities", objects, (v) => asyncio.comparePriorities(v, 1), TYPE, /PriorityQueue cannot order/),

  // ---- locks ----
  ...rows("asyncio.Condition", "new Condition", [...objects, ["a Symbol", () => Symbol("s")]], (v) => new asyncio.Condition(v), TYPE, /new Condition\(lock\) takes an asyncio Lock \(or nothing, to make its own\), got/),
  ...rows("asyncio.Lock", "Lock.withLock", [["a revoked function Proxy", () => revoked(true)]], (v) => new asyncio.Lock().withLock(v), TYPE, /withLock\(body\) needs a generator function.*cannot be called: reading it threw \(a revoked Proxy\?\)/),
  ...rows("asyncio.Condition", "Condition.waitFor", [["a revoked function Proxy", () => revoked(true)]], (v) => {
    const c = new asyncio.Condition();
    return c.withLock(() => c.waitFor(v));
  }, TYPE, /Condition\.waitFor\(predicate\) needs a function .*cannot be called: reading it threw \(a revoked Proxy\?\)/),
  ...rows("asyncio.Condition", "Condition.notify(n)", numbers, (v) => {
    const c = new asyncio.Condition();
    return c.withLock(function* () {
      c.notify(v);
    });
  }, TYPE, /Condition\.notify\(n\): n must be an integer >= 0, got/),
  ...(["Semaphore", "BoundedSemaphore"] as const).flatMap((k) =>
    rows(`asyncio.${k}`, `new ${k}`, numbers, (v) => new asyncio[k](v), TYPE, new RegExp(`${k} value must be an integer >= 0, got`)),
  ),
  ...rows("asyncio.Semaphore", "new Semaphore", [["NaN", () => NaN], ["Infinity", () => Infinity], ["-Infinity", () => -Infinity]], (v) => new asyncio.Semaphore(v), VALUE, /Semaphore value must be an integer >= 0, got (NaN|-?Infinity)/),
  ...rows("asyncio.Barrier", "new Barrier", numbers, (v) => new asyncio.Barrier(v), TYPE, /Barrier parties must be an integer >= 1, got/),
  ...rows("asyncio.Barrier", "new Barrier", [["NaN", () => NaN], ["Infinity", () => Infinity], ["-0", () => -0]], (v) => new asyncio.Barrier(v), VALUE, /Barrier parties must be an integer >= 1, got/),

  // ---- asyncio.run and Runner ----
  ...(
    [
      ["asyncio.run", (v: Any) => asyncio.run(v)],
      ["asyncio.Runner", (v: Any) => new asyncio.Runner().run(v)],
    ] as const
  ).flatMap(([name, call]) =>
    objects.map(([label, v]): Case => ({ covers: [name], label: `${name}(${label})`, where: "outside", act: () => call(v()), error: TYPE, message: /needs an asyncio coroutine \(the generator returned by calling a function\*\), got/ })),
  ),
  ...[
    ["a revoked Proxy", () => revoked()],
    ["a Proxy whose traps throw", () => trapsThrow()],
  ].flatMap(([label, v]) => [
    { covers: ["asyncio.run"], label: `asyncio.run(coro, ${label as string})`, where: "outside", act: () => asyncio.run(aioCoro(), (v as () => Any)()), error: TYPE, message: /asyncioRun\(\): the options object cannot be read .*pass a plain object/ } as Case,
    { covers: ["asyncio.Runner"], label: `new Runner(${label as string})`, where: "outside", act: () => new asyncio.Runner((v as () => Any)()), error: TYPE, message: /new AsyncioRunner\(\): the options object cannot be read .*pass a plain object/ } as Case,
  ]),
  { covers: ["asyncio.Runner"], label: "new Runner({ debug: a getter that throws })", where: "outside", act: () => new asyncio.Runner(optionBomb("debug")), error: Error, message: HOSTILE },
];

async function check(c: Case): Promise<void> {
  const error = await provoke(c);
  expect(error, `${c.label}: ${String(error)}`).toBeInstanceOf(c.error);
  const message = (error as Error).message;
  expect(message).toMatch(c.message);
  // The engine's words may appear only quoted as a cause, inside a message that names the mistake (checkReadable's).
  expect(message).not.toMatch(ENGINE_WORDS);
}

describe("hostile arguments and options to the asyncio layer give clear errors", () => {
  for (const c of cases) {
    it(`${c.covers[0]}: ${c.label} (${c.where})`, async () => {
      await check(c);
    });
  }
  it("the runtime is still usable afterwards", async () => {
    await expectUsable();
  });
});

// ---- nothing half-done ------------------------------------------------------------------

/** Runs `main` as an asyncio Task and checks the run left nothing. */
async function settle<T>(main: (loop: asyncio.EventLoop) => asyncio.Coroutine<T>): Promise<T> {
  const { runner, value } = await runAioKeep(main);
  expectNothingLeft(runner);
  return value;
}

function raised(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("it raised nothing");
}

describe("a refused call leaves nothing half-done", () => {
  it("createTask with an eagerStart getter that throws registers no task (shutdown does not hang)", async () => {
    const left = await settle(function* (loop) {
      const before = loop.allTasks().length;
      expect(raised(() => loop.createTask(aioCoro(), optionBomb("eagerStart")))).toMatchObject({ message: expect.stringMatching(HOSTILE) });
      return loop.allTasks().length - before;
    });
    expect(left).toBe(0);
  });

  it("gather(coro, hostile) runs none of the coroutines it was given, and leaves no callback on a given Future", async () => {
    const ran = await settle(function* (loop) {
      let ran = 0;
      const f = loop.createFuture<number>();
      function* work(): asyncio.Coroutine<void> {
        ran++;
        yield* asyncio.sleep(0);
      }
      // The hostile value is not last (the last argument is looked at first, as gather's options).
      const error = raised(() => asyncio.gather(work(), f, asyncio.wrapPromise(Promise.resolve(1)), revoked(), asyncio.sleep(0)));
      expect(error).toBeInstanceOf(TypeError);
      expect(f.pendingCallbacks).toEqual([]);
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      return ran;
    });
    expect(ran).toBe(0);
  });

  it("asCompleted([coro, hostile]) runs none of the coroutines it was given", async () => {
    const ran = await settle(function* () {
      let ran = 0;
      function* work(): asyncio.Coroutine<void> {
        ran++;
        yield* asyncio.sleep(0);
      }
      expect(raised(() => asyncio.asCompleted([work(), thenGetterThrows()]))).toBeInstanceOf(TypeError);
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      return ran;
    });
    expect(ran).toBe(0);
  });

  it("a PriorityQueue keeps every item when a hostile item cannot be ordered", async () => {
    const out = await settle(function* () {
      const q = new asyncio.PriorityQueue<unknown>();
      q.putNowait(2);
      q.putNowait(1);
      for (const v of [revoked(), trapsThrow(), Symbol("s"), getterBomb()]) expect(raised(() => q.putNowait(v))).toBeInstanceOf(TypeError);
      const items = [q.getNowait(), q.getNowait()];
      return { items, size: q.qsize() };
    });
    expect(out).toEqual({ items: [1, 2], size: 0 });
  });

  it("a blocked put() of an item a PriorityQueue refuses passes the room it was woken for to the next putter", async () => {
    const out = await settle(function* () {
      const q = new asyncio.PriorityQueue<unknown>(2);
      q.putNowait(1);
      q.putNowait(3); // full; after one get, the hostile item must be compared with this one
      const hostile = asyncio.createTask(q.put(revoked()));
      const good = asyncio.createTask(q.put(2));
      yield* asyncio.sleep(0);
      const first = q.getNowait();
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      const refused = hostile.done() && hostile.exception() instanceof TypeError;
      const goodDone = good.done();
      if (!goodDone) good.cancel();
      return { first, refused, goodDone, size: q.qsize() };
    });
    expect(out).toEqual({ first: 1, refused: true, goodDone: true, size: 2 });
  });

  it("a blocked get() that fails to take (compare returns a Symbol) passes the item it was woken for to the next getter", async () => {
    const out = await settle(function* () {
      let failNext = false;
      const q = new asyncio.PriorityQueue<number>(0, {
        compare: (a, b) => {
          if (!failNext) return a - b;
          failNext = false;
          return bad(Symbol("s"));
        },
      });
      const getters = [0, 1, 2, 3].map(() => asyncio.createTask(q.get()));
      yield* asyncio.sleep(0);
      // Each put wakes one getter: three items, three getters woken, the fourth still waits.
      for (const v of [1, 2, 3]) q.putNowait(v);
      failNext = true; // the first getter's take compares, and fails
      for (let i = 0; i < 4; i++) yield* asyncio.sleep(0);
      const outcome = getters.map((g) => (!g.done() ? "waiting" : g.exception() instanceof TypeError ? "refused" : g.result()));
      for (const g of getters) g.cancel();
      return { outcome, size: q.qsize() };
    });
    expect(out).toEqual({ outcome: ["refused", 1, 2, 3], size: 0 });
  });

  it("a PriorityQueue whose compare returns a Symbol keeps its items and can be drained", async () => {
    const out = await settle(function* () {
      let hostile = false;
      const q = new asyncio.PriorityQueue<number>(0, { compare: (a, b) => (hostile ? bad(Symbol("s")) : a - b) });
      q.putNowait(3);
      q.putNowait(1);
      q.putNowait(2);
      hostile = true;
      expect(raised(() => q.putNowait(0))).toBeInstanceOf(TypeError);
      expect(raised(() => q.getNowait())).toBeInstanceOf(TypeError);
      hostile = false;
      return [q.qsize(), q.getNowait(), q.getNowait(), q.getNowait()];
    });
    expect(out).toEqual([3, 1, 2, 3]);
  });

  it("a blocked get() whose take fails because compare returns NaN passes the item it was woken for to the next getter", async () => {
    const out = await settle(function* () {
      let failNext = false;
      const q = new asyncio.PriorityQueue<number>(0, {
        compare: (a, b) => {
          if (!failNext) return a - b;
          failNext = false;
          return NaN;
        },
      });
      const getters = [0, 1, 2, 3].map(() => asyncio.createTask(q.get()));
      yield* asyncio.sleep(0);
      for (const v of [1, 2, 3]) q.putNowait(v);
      failNext = true; // the first getter's take compares, gets NaN, and is refused rather than taking an arbitrary item
      for (let i = 0; i < 4; i++) yield* asyncio.sleep(0);
      const outcome = getters.map((g) => (!g.done() ? "waiting" : g.exception() instanceof TypeError ? "refused" : g.result()));
      for (const g of getters) g.cancel();
      return { outcome, size: q.qsize() };
    });
    expect(out).toEqual({ outcome: ["refused", 1, 2, 3], size: 0 });
  });

  it("a PriorityQueue whose compare returns NaN refuses the put and keeps its order", async () => {
    const out = await settle(function* () {
      let nan = false;
      const q = new asyncio.PriorityQueue<number>(0, { compare: (a, b) => (nan ? NaN : a - b) });
      q.putNowait(3);
      q.putNowait(2);
      nan = true;
      expect(raised(() => q.putNowait(1))).toBeInstanceOf(TypeError);
      nan = false;
      return [q.qsize(), q.getNowait(), q.getNowait()];
    });
    expect(out).toEqual([2, 2, 3]);
  });

  it("a refused setExceptionHandler / setTaskFactory keeps the handler and factory in place, and the loop goes on using them", async () => {
    const out = await settle(function* (loop) {
      const seen: string[] = [];
      const handler = (_l: asyncio.EventLoop, context: asyncio.ExceptionContext): void => {
        seen.push(`handler: ${context.message}`);
      };
      const factory: asyncio.TaskFactory = (l, coro, options) => {
        seen.push("factory");
        return new asyncio.Task(coro, { ...options, loop: l });
      };
      loop.setExceptionHandler(handler);
      loop.setTaskFactory(factory);
      for (const v of [revoked(true), trapsThrow(true)]) {
        expect(raised(() => loop.setExceptionHandler(v))).toBeInstanceOf(TypeError);
        expect(raised(() => loop.setTaskFactory(v))).toBeInstanceOf(TypeError);
      }
      const kept = loop.getExceptionHandler() === handler && loop.getTaskFactory() === factory;
      loop.callExceptionHandler({ message: "m" });
      yield* loop.createTask(aioCoro());
      loop.setExceptionHandler(null);
      loop.setTaskFactory(null);
      return { kept, seen };
    });
    expect(out).toEqual({ kept: true, seen: ["handler: m", "factory"] });
  });

  it("a refused slowCallbackDuration keeps the last good value, which debug mode goes on using", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const slow = (): number => warn.mock.calls.filter((c) => /^asyncio: executing .* took/.test(String(c[0]))).length;
    try {
      const out = await settle(function* (loop) {
        const initial = loop.slowCallbackDuration;
        loop.setDebug(true);
        loop.slowCallbackDuration = 0; // every callback is reported
        loop.callSoon(() => {});
        yield* asyncio.sleep(0);
        const atZero = slow();
        loop.slowCallbackDuration = Infinity; // none is
        for (const v of [NaN, -1, Symbol("s"), "0", revoked()]) expect(raised(() => (loop.slowCallbackDuration = v as number))).toBeInstanceOf(Error);
        const kept = loop.slowCallbackDuration;
        warn.mockClear();
        loop.callSoon(() => {});
        yield* asyncio.sleep(0);
        const atInfinity = slow();
        loop.setDebug(false);
        return { initial, reportedAtZero: atZero > 0, kept, atInfinity };
      });
      expect(out).toEqual({ initial: 0.1, reportedAtZero: true, kept: Infinity, atInfinity: 0 });
    } finally {
      warn.mockRestore();
    }
  });

  it("gather(coro, a plain object with a hidden then getter that throws) is refused and runs no coroutine, instead of taking the object as empty options", async () => {
    const ran = await settle(function* () {
      let ran = 0;
      function* work(): asyncio.Coroutine<void> {
        ran++;
        yield* asyncio.sleep(0);
      }
      expect(raised(() => asyncio.gather(work(), hidden("then")))).toBeInstanceOf(TypeError);
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      return ran;
    });
    expect(ran).toBe(0);
  });

  it("a Queue.put of a hostile value keeps it as is (items are opaque)", async () => {
    const out = await settle(function* () {
      const q = new asyncio.Queue<unknown>(1);
      const r = revoked();
      yield* q.put(r);
      const got = yield* q.get();
      return got === r;
    });
    expect(out).toBe(true);
  });

  it("Future.cancel(msg) with a hostile message: the Future's waiter gets a CancelledError with a readable message", async () => {
    const messages = await settle(function* (loop) {
      const out: string[] = [];
      for (const msg of [Symbol("m"), revoked(), nullProto(), getterBomb(), 1n, numberLike()]) {
        const f = loop.createFuture();
        expect(f.cancel(msg)).toBe(true);
        try {
          yield* f;
        } catch (error) {
          expect(error).toBeInstanceOf(asyncio.CancelledError);
          out.push((error as Error).message);
        }
        expect(raised(() => f.result())).toBeInstanceOf(asyncio.CancelledError);
      }
      return out;
    });
    expect(messages).toHaveLength(6);
    expect(messages[0]).toBe("Symbol(m)");
    expect(messages[4]).toBe("1");
    for (const m of messages) expect(m).not.toMatch(ENGINE_WORDS);
  });

  it("gather(...).cancel(hostile msg) cancels the children and settles", async () => {
    const out = await settle(function* () {
      const g = asyncio.gather(aioCoro(), aioCoro());
      expect(g.cancel(bad(Symbol("m")))).toBe(true);
      try {
        yield* g;
      } catch (error) {
        return [(error as Error).name, (error as Error).message];
      }
      return "not cancelled";
    });
    expect(out).toEqual(["CancelledError", "Symbol(m)"]);
  });

  it("Task.cancel(hostile msg) cancels with a readable message", async () => {
    const out = await settle(function* () {
      const t = asyncio.createTask(aioCoro());
      t.cancel(bad(revoked()));
      try {
        yield* t;
      } catch (error) {
        return (error as Error).message;
      }
      return "not cancelled";
    });
    expect(out).toMatch(/cannot be inspected/);
  });

  it("setException(a revoked Proxy) stores it, as any other non-Error value", async () => {
    const same = await settle(function* (loop) {
      const f = loop.createFuture();
      const r = revoked();
      f.setException(r);
      return f.exception() === r;
    });
    expect(same).toBe(true);
  });

  it("callSoon / callLater with a revoked function Proxy schedule nothing", async () => {
    const pending = await settle(function* (loop) {
      expect(raised(() => loop.callSoon(revoked(true)))).toBeInstanceOf(TypeError);
      expect(raised(() => loop.callLater(1, revoked(true)))).toBeInstanceOf(TypeError);
      return loop.pending;
    });
    expect(pending).toEqual({ ready: 0, timers: 0 });
  });

  it("a Condition refuses a hostile lock and still works with its own", async () => {
    const ok = await settle(function* () {
      expect(raised(() => new asyncio.Condition(revoked()))).toBeInstanceOf(TypeError);
      const c = new asyncio.Condition();
      yield* c.withLock(function* () {
        c.notifyAll();
      });
      return !c.locked();
    });
    expect(ok).toBe(true);
  });
});

describe("edge numbers that are accepted, with a defined meaning", () => {
  it("callLater(Infinity) never runs and leaves nothing once the loop ends; -Infinity and -0 run soon", async () => {
    const out = await settle(function* (loop) {
      const ran: string[] = [];
      const never = loop.callLater(Infinity, () => ran.push("inf"));
      loop.callLater(-Infinity, () => ran.push("-inf"));
      loop.callLater(-0, () => ran.push("-0"));
      loop.callAt(-Infinity, () => ran.push("at -inf"));
      yield* asyncio.sleep(10);
      return { ran, when: never.when() };
    });
    expect(out.ran).toEqual(["-inf", "at -inf", "-0"]); // in the order of their times, -Infinity before now
    expect(out.when).toBe(Infinity);
  });

  it("sleep(-0) and sleep(-Infinity) yield once; timeout(Infinity) never expires; timeout(-Infinity) and reschedule(-0) expire at once", async () => {
    const out = await settle(function* (loop) {
      yield* asyncio.sleep(-0);
      yield* asyncio.sleep(-Infinity);
      const r = yield* asyncio.timeout(Infinity).run(function* () {
        yield* asyncio.sleep(5);
        return "done";
      });
      const expired: string[] = [];
      for (const start of [-Infinity, 5]) {
        try {
          yield* asyncio.timeout(start).run(function* (cm) {
            if (start === 5) cm.reschedule(-0);
            yield* asyncio.sleep(1);
          });
        } catch (error) {
          expired.push((error as Error).name);
        }
      }
      return { r, expired, t: loop.time() };
    });
    expect(out.r).toBe("done");
    expect(out.expired).toEqual(["TimeoutError", "TimeoutError"]);
  });

  it("wait(fs, { timeout: -0 }) returns at once; waitFor(aw, -Infinity) times out; Queue(-0) and Queue(Infinity) are unbounded", async () => {
    const out = await settle(function* (loop) {
      const f = loop.createFuture();
      const [done, pending] = yield* asyncio.wait([f], { timeout: -0 });
      let timedOut = false;
      try {
        yield* asyncio.waitFor(aioCoro(), -Infinity);
      } catch (error) {
        timedOut = error instanceof asyncio.TimeoutError;
      }
      const q0 = new asyncio.Queue(-0);
      const qi = new asyncio.Queue(Infinity);
      for (let i = 0; i < 5; i++) {
        q0.putNowait(i);
        qi.putNowait(i);
      }
      f.cancel();
      return { done: done.size, pending: pending.size, timedOut, full: [q0.full(), qi.full()] };
    });
    expect(out).toEqual({ done: 0, pending: 1, timedOut: true, full: [false, false] });
  });

  it("wait / gather / asCompleted / asyncio.run take options with no prototype", async () => {
    const out = await settle(function* (loop) {
      const f = loop.createFuture<number>();
      loop.callSoon(() => f.setResult(7));
      const [done] = yield* asyncio.wait([f], Object.assign(nullProto(), { timeout: 5 }));
      const g = yield* asyncio.gather(f, Object.assign(nullProto(), { returnExceptions: true }));
      const results: unknown[] = [];
      for (const next of asyncio.asCompleted([f], Object.assign(nullProto(), { timeout: 5 }))) results.push(yield* next);
      return [done.size, g, results];
    });
    expect(out).toEqual([1, [7], [7]]);
    await expect(asyncio.run((function* () { return 3; })(), nullProto())).resolves.toBe(3);
  });

  it("a context whose message is a Symbol is logged by the default handler, not an engine error", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      await settle(function* (loop) {
        loop.setExceptionHandler((l, context) => l.defaultExceptionHandler(context));
        loop.callExceptionHandler({ message: bad(Symbol("m")) });
        loop.setExceptionHandler(null);
        loop.callExceptionHandler(nullProto());
      });
      expect(warn.mock.calls.map((c) => c[0])).toEqual(["asyncio: Symbol(m)", "asyncio: undefined"]);
    } finally {
      warn.mockRestore();
    }
  });

  it("a context whose exception cannot be read (a getter or a Proxy's get trap throws) fails the block through the default handler, not just a warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      for (const context of [
        Object.defineProperty({ message: "m" }, "exception", { get: boom, enumerable: true }),
        new Proxy({ message: "m", exception: new Error("e") }, { get: boom }),
      ]) {
        const error = await runAioKeep(function* (loop) {
          loop.callExceptionHandler(context as asyncio.ExceptionContext);
          yield* asyncio.sleep(1);
        }).then(
          () => "settled without an error",
          (e: unknown) => e,
        );
        const leaves = (error as { leaves?: () => unknown[] }).leaves?.() ?? [error];
        expect(leaves).toHaveLength(1);
        expect(leaves[0]).toBeInstanceOf(TypeError);
        expect((leaves[0] as Error).message).toMatch(/^defaultExceptionHandler\(context\): reading context\.exception threw \(hostile trap or getter\)\. Pass a plain object such as \{ message, exception \}\.$/);
        expect((leaves[0] as Error).cause).toMatchObject({ message: "hostile trap or getter" });
      }
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("setDebug(hostile) takes the value's truth, as Python's bool() would", async () => {
    const out = await settle(function* (loop) {
      const seen: boolean[] = [];
      for (const v of [revoked(), Symbol("s"), 0n, nullProto()]) {
        loop.setDebug(v);
        seen.push(loop.getDebug());
      }
      loop.setDebug(false);
      return seen;
    });
    expect(out).toEqual([true, true, false, true]);
  });
});


