/**
 * The bad-input table of trio-asyncio/workers (see test/bad-input/table.ts
 * for the main entry's): for every value export of src/workers/index.ts,
 * wrong kinds of arguments, NaN / negative / infinite durations and sizes,
 * option objects that are no options object (a revoked Proxy, a Proxy whose
 * traps throw), and hostile values thrown or returned by a worker
 * operation. Each row names the export(s) it covers, where it runs, the
 * error class expected, and a regex that must find both the mistake and the
 * fix in the message.
 *
 * Rows that start workers make them with the trackers of `fixtures`
 * (filled by `loadFixtures()` before the rows run), so bad-input.test.ts
 * can check after each row that every worker has exited, no listener of
 * ours is left on it, and no host timer of ours is armed.
 */
import { ClosedResourceError, RuntimeError, openLoop, openNursery, type Operation } from "../../src/index.js";
import {
  PortReceiveChannel,
  PortSendChannel,
  WorkerDataCloneError,
  WorkerExecutor,
  WorkerLoadError,
  defineWorker,
  openWorker,
  openWorkerPool,
  receiveFromPort,
  sendToPort,
  toThread,
  withTransfer,
  type MessagePortLike,
  type WorkerHandle,
  type WorkerPool,
} from "../../src/workers/index.js";
import { currentLoop } from "../../src/bridge/open-loop.js";
import type { Case } from "../bad-input/harness.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import type { HostileOps } from "./fixtures/hostile.worker.js";
import { tracker, type WorkerTracker } from "./helpers.js";
import { bad, revoked, type Any } from "../bad-input/hostile.js";
export { bad, revoked };


/** A Proxy whose every trap throws (getPrototypeOf included, so `instanceof` on it throws). */
export function trapsThrow(target: object = {}): object {
  const boom = (): never => {
    throw new Error("a trap that throws");
  };
  return new Proxy(target, { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom });
}

/** The fixture workers the rows start (set by `loadFixtures`). */
export const fixtures = {} as { basic: WorkerTracker; hostile: WorkerTracker; asyncOp: WorkerTracker };

export async function loadFixtures(): Promise<void> {
  fixtures.basic = await tracker("basic.worker");
  fixtures.hostile = await tracker("hostile.worker");
  fixtures.asyncOp = await tracker("async-op.worker");
}

const TYPE = TypeError;
const gen = function* (): Operation<void> {};

function withBasic<T>(body: (w: WorkerHandle<BasicOps>) => Operation<T>): Operation<T> {
  return openWorker<BasicOps, T>(fixtures.basic.make(), body);
}
function withHostile<T>(body: (w: WorkerHandle<HostileOps>) => Operation<T>): Operation<T> {
  return openWorker<HostileOps, T>(fixtures.hostile.make(), body);
}
function withPool<T>(body: (p: WorkerPool<BasicOps>) => Operation<T>): Operation<T> {
  return openWorkerPool<BasicOps, T>(() => fixtures.basic.make(), body, { size: 1 });
}

/** A row per value: `name: label` raises `error` with `message`. Values are made when the row runs. */
function rows(covers: string[], what: string, where: Case["where"], values: [string, () => unknown][], act: (v: Any) => unknown, error: Case["error"], message: RegExp): Case[] {
  return values.map(([label, make]) => ({ covers, label: `${what}: ${label}`, where, act: () => act(make()), error, message }));
}

/** Values that are no object of the kind wanted (a worker, a port, a caller): each refused by name, never by the engine. */
const notObjects: [string, () => unknown][] = [
  ["42", () => 42],
  ["null", () => null],
  ["a Symbol", () => Symbol("s")],
  ["a revoked Proxy", revoked],
  ["a Proxy whose traps throw", () => trapsThrow()],
  ["an object with no prototype", () => Object.create(null)],
];
/** Where a generator function is wanted. */
const notBodies: [string, () => unknown][] = [
  ["42", () => 42],
  ["a string", () => "body"],
  ["null", () => null],
  ["a called generator function (a generator)", () => gen()],
  ["a revoked Proxy", revoked],
];
/** Option objects that are no options object. */
const notOptions: [string, () => unknown][] = [
  ["42", () => 42],
  ["a string", () => "options"],
  ["null", () => null],
];
const unreadableOptions: [string, () => unknown][] = [
  ["a revoked Proxy", revoked],
  ["a Proxy whose traps throw", () => trapsThrow()],
];
/** Not a number of seconds >= 0. */
const notSeconds: [string, () => unknown][] = [
  ["NaN", () => NaN],
  ["-1", () => -1],
  ["-Infinity", () => -Infinity],
  ["a string", () => "1"],
  ["a BigInt", () => 1n],
  ["a revoked Proxy", revoked],
];
/** Not a whole number >= 1. */
const notCounts: [string, () => unknown][] = [
  ["0", () => 0],
  ["-1", () => -1],
  ["1.5", () => 1.5],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["a string", () => "2"],
  ["a BigInt", () => 2n],
];
/** Not an array. */
const notArrays: [string, () => unknown][] = [
  ["42", () => 42],
  ["a string", () => "ab"],
  ["null", () => null],
  ["a revoked Proxy", revoked],
  ["an object with no prototype", () => Object.create(null)],
];

/** A port stand-in for checks made before the port is used; it refuses nothing. */
export function fakePort(): MessagePortLike & { listeners: Set<unknown>; closed: boolean; removeEventListener(type: string, listener: unknown): void } {
  const port = {
    listeners: new Set<unknown>(),
    closed: false,
    postMessage() {},
    close() {
      port.closed = true;
    },
    addEventListener(_type: string, listener: unknown) {
      port.listeners.add(listener);
    },
    removeEventListener(_type: string, listener: unknown) {
      port.listeners.delete(listener);
    },
  };
  return port;
}

/** Opens a real MessageChannel, receives on one end and runs `body` on a sender of the other. */
function* withPortSender(body: (out: PortSendChannel<unknown>) => Operation<void>): Operation<void> {
  const { port1, port2 } = new MessageChannel() as unknown as { port1: MessagePortLike; port2: MessagePortLike };
  yield* openNursery(function* (nursery) {
    nursery.startSoon(() =>
      receiveFromPort<unknown>(port1, function* (input) {
        try {
          for (;;) yield* input.receive();
        } catch {
          // the sender ended, one way or another
        }
      }),
    );
    yield* sendToPort(port2, body);
  });
}

const WORKER_SOURCE = /worker #\d+: the worker must be a module URL \(string or URL\) or a Worker \(browser or worker_threads\), got/;
const CALL_NAME = /\.call\(.*\): the operation name must be a string, got/;
const CALL_ARGS = /\.call\(.*\): the arguments must be an array \(call\(name, \[a, b\], options\)\), got/;
const CALL_OPTIONS = /\.call\("echo"\): options must be an object \(\{ transfer: \[\.\.\.\] \}\) or left out, got/;
const CALL_UNREADABLE = /\.call\("echo"\): the options object cannot be read \(.*\); pass a plain object/;
const CALL_TRANSFER = /\.call\("echo"\): options\.transfer must be an array of transferables, got/;
const TRANSFER_REFUSED = /\.call\("echo"\): options\.transfer cannot be used \(.*\)\. List only objects that can be moved \(ArrayBuffers, MessagePorts, \.\.\.\), each once\. Nothing was sent/;

export const cases: Case[] = [
  // ---- openWorker ---------------------------------------------------------------------
  ...rows(["openWorker"], "openWorker source", "trio", notObjects, (s) => openWorker(s, gen), TYPE, WORKER_SOURCE),
  { covers: ["openWorker"], label: "openWorker: an object with postMessage but no terminate", where: "trio", act: () => openWorker(bad({ postMessage() {}, on() {} }), gen), error: TYPE, message: WORKER_SOURCE },
  { covers: ["openWorker"], label: "openWorker: a relative path without ./", where: "trio", act: () => openWorker("worker.mjs", gen), error: WorkerLoadError, message: /worker #\d+ could not be created from "worker\.mjs": .*Check the URL/ },
  { covers: ["openWorker"], label: "openWorker: a module URL that does not exist", where: "trio", act: () => openWorker(new URL("file:///nonexistent/worker.mjs"), gen), error: WorkerLoadError, message: /worker #\d+ failed to load: .*Check the module URL/ },
  ...rows(["openWorker"], "openWorker body", "trio", notBodies, (b) => openWorker(fixtures.basic.url, b), TYPE, /openWorker\(source, body\) needs a generator function as body \(function\* \(worker\) \{ \.\.\. \}\), got/),
  { covers: ["openWorker"], label: "openWorker: an async function as body", where: "trio", act: () => openWorker(fixtures.basic.make(), bad(async () => 1)), error: TYPE, message: /openWorker\(source, body\) got an async function \(anonymous\)\. Tasks are generator functions: write function\* .*yield\* waitPromise\(p\)/ },
  // Refused before the worker starts: a worker that cannot load must not hide the slip behind a WorkerLoadError.
  { covers: ["openWorker"], label: "openWorker: an async function as body, for a module that does not exist", where: "trio", act: () => openWorker(new URL("file:///nonexistent/worker.mjs"), bad(async () => 1)), error: TYPE, message: /openWorker\(source, body\) got an async function \(anonymous\)/ },
  { covers: ["openWorkerPool"], label: "openWorkerPool: an async function as body, for a module that does not exist", where: "trio", act: () => openWorkerPool(new URL("file:///nonexistent/worker.mjs"), bad(async () => 1), { size: 1 }), error: TYPE, message: /openWorkerPool\(source, body\) got an async function \(anonymous\)/ },
  ...rows(["openWorker"], "openWorker options", "trio", notOptions, (o) => openWorker(fixtures.basic.url, gen, o), TYPE, /openWorker\(\): options must be an object, got/),
  ...rows(["openWorker"], "openWorker options", "trio", unreadableOptions, (o) => openWorker(fixtures.basic.url, gen, o), TYPE, /openWorker\(\): the options object cannot be read \(.*\); pass a plain object/),
  ...rows(["openWorker"], "openWorker graceSeconds", "trio", notSeconds, (s) => openWorker(fixtures.basic.url, gen, { graceSeconds: s }), TYPE, /openWorker\(\): options\.graceSeconds must be a number of seconds >= 0 \(or Infinity\), got/),
  ...rows(["openWorker"], "openWorker startSeconds", "trio", notSeconds, (s) => openWorker(fixtures.basic.url, gen, { startSeconds: s }), TYPE, /openWorker\(\): options\.startSeconds must be a number of seconds >= 0 \(or Infinity\), got/),
  ...rows(["openWorker"], "openWorker name", "trio", [["42", () => 42], ["a Symbol", () => Symbol("n")], ["a revoked Proxy", revoked]], (n) => openWorker(fixtures.basic.url, gen, { name: n }), TYPE, /openWorker\(\): options\.name must be a string, got/),
  // A worker handed over is openWorker's from the call on: refused, it must have exited (it used to be left running).
  ...rows(["openWorker"], "openWorker(a worker made by the caller) body", "trio", notBodies, (b) => openWorker(fixtures.basic.make(), b), TYPE, /openWorker\(source, body\) needs a generator function as body \(function\* \(worker\) \{ \.\.\. \}\), got/),
  ...rows(["openWorker"], "openWorker(a worker made by the caller) options", "trio", notOptions, (o) => openWorker(fixtures.basic.make(), gen, o), TYPE, /openWorker\(\): options must be an object, got/),
  ...rows(["openWorker"], "openWorker(a worker made by the caller) options", "trio", unreadableOptions, (o) => openWorker(fixtures.basic.make(), gen, o), TYPE, /openWorker\(\): the options object cannot be read \(.*\); pass a plain object/),
  ...rows(["openWorker"], "openWorker(a worker made by the caller) graceSeconds", "trio", [["-1", () => -1]], (s) => openWorker(fixtures.basic.make(), gen, { graceSeconds: s }), TYPE, /openWorker\(\): options\.graceSeconds must be a number of seconds >= 0 \(or Infinity\), got/),
  { covers: ["openWorker"], label: "openWorker outside a run", where: "outside", act: () => openWorker("./w.mjs", gen), error: RuntimeError, message: /openWorker\(\) must be used inside a task of run\(\)/ },

  // ---- WorkerHandle.call ------------------------------------------------------------
  ...rows(["WorkerHandle", "openWorker"], "WorkerHandle.call name", "trio", [["42", () => 42], ["a Symbol", () => Symbol("op")], ["a revoked Proxy", revoked], ["null", () => null]], (n) => withBasic((w) => w.call(n, [] as never)), TYPE, CALL_NAME),
  { covers: ["WorkerHandle"], label: "WorkerHandle.call: a generator function instead of a name", where: "trio", act: () => withBasic((w) => w.call(bad(function* add() {}), bad([]))), error: TYPE, message: /\.call\(function add\): the operation name must be a string, got function add\. A function cannot cross to a worker: define it in the worker module \(defineWorker\(\{ \*name\(\.\.\.\) \{ \.\.\. \} \}\)\) and pass its name/ },
  { covers: ["WorkerHandle"], label: "WorkerHandle.call: an unknown operation", where: "trio", act: () => withBasic((w) => w.call(bad("parse"), bad([]))), error: TYPE, message: /\.call\("parse"\): the worker has no operation "parse"; it defines "echo", "add", .*Add it to the worker's defineWorker\(\{ \.\.\. \}\) or fix the name/ },
  ...rows(["WorkerHandle"], "WorkerHandle.call args", "trio", notArrays, (a) => withBasic((w) => w.call("add", a)), TYPE, CALL_ARGS),
  { covers: ["WorkerHandle"], label: "WorkerHandle.call: a function as argument", where: "trio", act: () => withBasic((w) => w.call("echo", [bad(() => 1)])), error: WorkerDataCloneError, message: /\.call\("echo"\): argument 0 \(function .*\) cannot be sent to the worker \(DataCloneError: .*\)\. Arguments are structured-cloned: pass plain data .*\{ transfer: \[\.\.\.\] \}\. Nothing was sent/ },
  { covers: ["WorkerHandle"], label: "WorkerHandle.call: a revoked Proxy as argument", where: "trio", act: () => withBasic((w) => w.call("echo", [revoked()])), error: WorkerDataCloneError, message: /\.call\("echo"\): argument 0 \(an object that cannot be inspected \(a revoked Proxy\?\)\) cannot be sent to the worker.*Nothing was sent/ },
  { covers: ["WorkerHandle"], label: "WorkerHandle.call: a Proxy whose traps throw as argument", where: "trio", act: () => withBasic((w) => w.call("echo", [trapsThrow()])), error: WorkerDataCloneError, message: /\.call\("echo"\): argument 0 \(an object that cannot be inspected.*\) cannot be sent to the worker/ },
  { covers: ["WorkerHandle"], label: "WorkerHandle.call: the arguments array is a Proxy whose traps throw", where: "trio", act: () => withBasic((w) => w.call("echo", bad(trapsThrow([1])))), error: WorkerDataCloneError, message: /\.call\("echo"\): the arguments array itself \(a Proxy, or a property besides its items\?\) cannot be sent to the worker \(DataCloneError: .*\)\. Arguments are structured-cloned/ },
  ...rows(["WorkerHandle"], "WorkerHandle.call options", "trio", notOptions, (o) => withBasic((w) => w.call("echo", [1], o)), TYPE, CALL_OPTIONS),
  ...rows(["WorkerHandle"], "WorkerHandle.call options", "trio", unreadableOptions, (o) => withBasic((w) => w.call("echo", [1], o)), TYPE, CALL_UNREADABLE),
  ...rows(["WorkerHandle"], "WorkerHandle.call transfer", "trio", [["42", () => 42], ["a string", () => "buf"], ["a revoked Proxy", revoked]], (t) => withBasic((w) => w.call("echo", [1], { transfer: t })), TYPE, CALL_TRANSFER),
  ...rows(["WorkerHandle"], "WorkerHandle.call transfer", "trio", [["[42]", () => [42]], ["the same buffer twice", () => { const b = new ArrayBuffer(4); return [b, b]; }], ["[a revoked Proxy]", () => [revoked()]]], (t) => withBasic((w) => w.call("echo", [1], { transfer: t })), WorkerDataCloneError, TRANSFER_REFUSED),
  { covers: ["WorkerHandle"], label: "WorkerHandle.call after the block", where: "trio", act: function* () { const w = yield* withBasic(function* (w) { return w; }); yield* w.call("add", [1, 2]); }, error: ClosedResourceError, message: /worker #\d+ is closed: its openWorker\/openWorkerPool block has ended\. Make calls inside the block/ },

  // ---- values a worker operation throws or returns ----------------------------------
  { covers: ["defineWorker", "WorkerHandle"], label: "an operation throws a revoked Proxy", where: "trio", act: () => withHostile((w) => w.call("throwRevoked", [])), error: Error, message: /^The worker threw an object that cannot be inspected \(a revoked Proxy\?\), which cannot be sent to the page: throw an Error \(or plain data\) instead\.$/ },
  { covers: ["defineWorker"], label: "an operation throws a Proxy whose traps throw", where: "trio", act: () => withHostile((w) => w.call("throwTrapsThrow", [])), error: Error, message: /^The worker threw an object that cannot be inspected.*which cannot be sent to the page: throw an Error/ },
  { covers: ["defineWorker"], label: "an operation returns an object whose getter throws", where: "trio", act: () => withHostile((w) => w.call("returnThrowingGetter", [])), error: TYPE, message: /Worker operation "returnThrowingGetter" returned an object, which cannot be sent to the page \(Error: result getter\)\. Return plain data/ },
  { covers: ["defineWorker"], label: "an operation returns a Proxy whose traps throw", where: "trio", act: () => withHostile((w) => w.call("returnTrapsThrow", [])), error: TYPE, message: /Worker operation "returnTrapsThrow" returned an object that cannot be inspected.*which cannot be sent to the page \(DataCloneError: .*\)\. Return plain data/ },
  { covers: ["withTransfer"], label: "withTransfer(value, a revoked Proxy) in an operation", where: "trio", act: () => withHostile((w) => w.call("transferRevoked", [])), error: TYPE, message: /withTransfer\(value, transfer\) needs an array of transferables \(ArrayBuffers, MessagePorts, \.\.\.\), got an object that cannot be inspected/ },
  { covers: ["defineWorker"], label: "a plain-function operation returns a revoked Proxy", where: "trio", act: () => withHostile((w) => w.call("plainReturnsRevoked", [])), error: TYPE, message: /Worker operation "plainReturnsRevoked" must be a generator function \(function\*\), but it returned an object that cannot be inspected/ },
  { covers: ["defineWorker"], label: "a plain-function operation returns a Promise", where: "trio", act: () => withHostile((w) => w.call("plainReturnsPromise", [])), error: TYPE, message: /Worker operation "plainReturnsPromise" must be a generator function \(function\*\), but it returned a Promise\. Await a Promise inside it with yield\* waitPromise\(p\)/ },
  { covers: ["defineWorker"], label: "a plain-function operation returns an async generator", where: "trio", act: () => withHostile((w) => w.call("plainReturnsAsyncGenerator", [])), error: TYPE, message: /Worker operation "plainReturnsAsyncGenerator" must be a generator function \(function\*\), but it returned an object\./ },
  { covers: ["defineWorker", "WorkerLoadError"], label: "a worker module with an async generator operation", where: "trio", act: () => openWorker(fixtures.asyncOp.make(), gen), error: WorkerLoadError, message: /failed to load: TypeError: defineWorker\(operations\): operation "stream" is an async generator function; it must be a generator function \(\*stream\(\) \{ \.\.\. \}\)/ },

  // ---- openWorkerPool and WorkerPool.call --------------------------------------------
  ...rows(["openWorkerPool"], "openWorkerPool source", "trio", notObjects, (s) => openWorkerPool(s, gen), TYPE, /openWorkerPool\(source\): source must be a module URL \(string or URL\) or a function that returns a Worker, got/),
  ...rows(["openWorkerPool"], "openWorkerPool factory returns", "trio", [["42", () => 42], ["a revoked Proxy", revoked], ["a Promise (an async factory)", () => Promise.resolve(1)]], (made) => openWorkerPool(() => made, gen, { size: 1 }), TYPE, /worker pool #\d+: the worker factory must return a Worker \(browser or worker_threads\), got/),
  ...rows(["openWorkerPool"], "openWorkerPool body", "trio", notBodies, (b) => openWorkerPool(fixtures.basic.url, b), TYPE, /openWorkerPool\(source, body\) needs a generator function as body \(function\* \(pool\) \{ \.\.\. \}\), got/),
  ...rows(["openWorkerPool"], "openWorkerPool options", "trio", notOptions, (o) => openWorkerPool(fixtures.basic.url, gen, o), TYPE, /openWorkerPool\(\): options must be an object, got/),
  ...rows(["openWorkerPool"], "openWorkerPool options", "trio", unreadableOptions, (o) => openWorkerPool(fixtures.basic.url, gen, o), TYPE, /openWorkerPool\(\): the options object cannot be read \(.*\); pass a plain object/),
  ...rows(["openWorkerPool"], "openWorkerPool size", "trio", notCounts, (n) => openWorkerPool(fixtures.basic.url, gen, { size: n }), TYPE, /openWorkerPool\(\): options\.size must be a whole number of workers >= 1, got/),
  // A path that cannot start even one worker: without the bound the rows would start one and fail with WorkerLoadError, never a million.
  ...rows(["openWorkerPool"], "openWorkerPool size", "trio", [["257", () => 257], ["1e6", () => 1e6], ["Number.MAX_SAFE_INTEGER", () => Number.MAX_SAFE_INTEGER]], (n) => openWorkerPool("worker.mjs", gen, { size: n }), RangeError, /^openWorkerPool\(\): options\.size \d+ is more than the 256 workers a pool may start: each worker is a thread with its own heap, .*Use about as many as navigator\.hardwareConcurrency/),
  ...rows(["openWorkerPool"], "openWorkerPool graceSeconds", "trio", notSeconds, (s) => openWorkerPool(fixtures.basic.url, gen, { graceSeconds: s }), TYPE, /openWorkerPool\(\): options\.graceSeconds must be a number of seconds >= 0 \(or Infinity\), got/),
  ...rows(["openWorkerPool"], "openWorkerPool startSeconds", "trio", notSeconds, (s) => openWorkerPool(fixtures.basic.url, gen, { startSeconds: s }), TYPE, /openWorkerPool\(\): options\.startSeconds must be a number of seconds >= 0 \(or Infinity\), got/),
  { covers: ["openWorkerPool"], label: "openWorkerPool outside a run", where: "outside", act: () => openWorkerPool("./w.mjs", gen), error: RuntimeError, message: /openWorkerPool\(\) must be used inside a task of run\(\)/ },
  ...rows(["WorkerPool"], "WorkerPool.call name", "trio", [["42", () => 42], ["a revoked Proxy", revoked]], (n) => withPool((p) => p.call(n, [] as never)), TYPE, CALL_NAME),
  ...rows(["WorkerPool"], "WorkerPool.call args", "trio", notArrays, (a) => withPool((p) => p.call("add", a)), TYPE, CALL_ARGS),
  ...rows(["WorkerPool"], "WorkerPool.call options", "trio", notOptions, (o) => withPool((p) => p.call("echo", [1], o)), TYPE, CALL_OPTIONS),
  ...rows(["WorkerPool"], "WorkerPool.call options", "trio", unreadableOptions, (o) => withPool((p) => p.call("echo", [1], o)), TYPE, CALL_UNREADABLE),
  ...rows(["WorkerPool"], "WorkerPool.call transfer", "trio", [["[42]", () => [42]]], (t) => withPool((p) => p.call("echo", [1], { transfer: t })), WorkerDataCloneError, TRANSFER_REFUSED),
  { covers: ["WorkerPool"], label: "WorkerPool.call: a revoked Proxy as argument", where: "trio", act: () => withPool((p) => p.call("echo", [revoked()])), error: WorkerDataCloneError, message: /argument 0 \(an object that cannot be inspected \(a revoked Proxy\?\)\) cannot be sent to the worker/ },
  { covers: ["WorkerPool"], label: "WorkerPool.call after the block", where: "trio", act: function* () { const p = yield* withPool(function* (p) { return p; }); yield* p.call("add", [1, 2]); }, error: ClosedResourceError, message: /worker pool #\d+\.call\("add"\): the pool is closed \(its openWorkerPool block has ended\)\. Make calls inside the block/ },

  // ---- WorkerExecutor and toThread ----------------------------------------------------
  ...rows(["WorkerExecutor"], "new WorkerExecutor", "outside", [...notObjects, ["an object with call but no operations", () => ({ call() {} })], ["an object whose call is 1", () => ({ call: 1, operations: [] })]], (c) => new WorkerExecutor(c), TYPE, /new WorkerExecutor\(pool\) needs a WorkerPool or WorkerHandle \(from openWorkerPool\/openWorker\), got/),
  { covers: ["WorkerExecutor"], label: "WorkerExecutor.submit: an unknown operation", where: "trio", act: () => withPool((p) => openLoop(function* () { new WorkerExecutor(bad(p)).submit(currentLoop(), "parse", []); })), error: TYPE, message: /runInExecutor\(executor, "parse"\): the worker has no operation "parse"; it defines .*defineWorker/ },
  { covers: ["WorkerExecutor"], label: "WorkerExecutor.submit: a name that is not a string", where: "trio", act: () => withPool((p) => openLoop(function* () { new WorkerExecutor(bad(p)).submit(currentLoop(), bad(revoked()), []); })), error: TYPE, message: /runInExecutor\(executor, an object that cannot be inspected.*\): the operation name must be a string/ },
  { covers: ["toThread"], label: "toThread.runSync: a generator function instead of a name (Trio's run_sync takes a function)", where: "trio", act: () => toThread.runSync(bad(function* parse() {})), error: TYPE, message: /toThread\.runSync\(name, \.\.\.args\) takes the name of a worker operation, got function parse\. A function cannot cross to a worker: define it in the worker module/ },
  { covers: ["toThread"], label: "toThread.runSync: a plain function in a pool", where: "trio", act: () => withPool(() => toThread.runSync(bad(() => 1))), error: TYPE, message: /toThread\.runSync\(name, \.\.\.args\) takes the name of a worker operation, got function .*A function cannot cross to a worker/ },
  { covers: ["toThread"], label: "toThread.runSync outside a pool", where: "trio", act: () => toThread.runSync("add", 1, 2), error: RuntimeError, message: /toThread\.runSync\("add"\) runs on the pool of the innermost openWorkerPool block, and there is none here: call it inside yield\* openWorkerPool/ },
  { covers: ["toThread"], label: "toThread.runSync outside a run", where: "outside", act: () => toThread.runSync("add"), error: RuntimeError, message: /toThread\.runSync\("add"\) must be used inside a task of run\(\)/ },
  ...rows(["toThread"], "toThread.runSync name", "trio", [["42", () => 42], ["a revoked Proxy", revoked]], (n) => withPool(() => toThread.runSync(n)), TYPE, /\.call\(.*\): the operation name must be a string, got/),

  // ---- defineWorker (in this thread, with an endpoint where one is needed) -------------
  ...rows(["defineWorker"], "defineWorker operations", "outside", [["42", () => 42], ["null", () => null], ["a string", () => "ops"], ["a generator function", () => gen]], (o) => defineWorker(o, { endpoint: endpoint() }), TYPE, /defineWorker\(operations\) needs an object of generator functions \(\{ \*parse\(text\) \{ \.\.\. \} \}\), got/),
  ...rows(["defineWorker"], "defineWorker operations", "outside", unreadableOptions, (o) => defineWorker(bad(o), { endpoint: endpoint() }), TYPE, /defineWorker\(operations\): the operations object cannot be read \(.*\); pass a plain object of generator functions/),
  ...rows(["defineWorker"], "defineWorker operation", "outside", [["42", () => 42], ["a called generator function", () => gen()], ["a revoked Proxy", revoked]], (op) => defineWorker(bad({ parse: op }), { endpoint: endpoint() }), TYPE, /defineWorker\(operations\): operation "parse" must be a generator function \(function\* or \*parse\(\) \{ \.\.\. \}\), got/),
  { covers: ["defineWorker"], label: "defineWorker: an async function as operation", where: "outside", act: () => defineWorker(bad({ parse: async () => 1 }), { endpoint: endpoint() }), error: TYPE, message: /defineWorker\(operations\): operation "parse" is an async function; it must be a generator function \(\*parse\(\) \{ \.\.\. \}\)\. Await a Promise inside it with yield\* waitPromise\(p\)/ },
  { covers: ["defineWorker"], label: "defineWorker: an async generator function as operation", where: "outside", act: () => defineWorker(bad({ async *parse() {} }), { endpoint: endpoint() }), error: TYPE, message: /operation "parse" is an async generator function; it must be a generator function/ },
  ...rows(["defineWorker"], "defineWorker options", "outside", notOptions, (o) => defineWorker({ *parse() {} }, o), TYPE, /defineWorker\(operations, options\): options must be an object \(\{ endpoint \}\) or left out, got/),
  ...rows(["defineWorker"], "defineWorker options", "outside", unreadableOptions, (o) => defineWorker({ *parse() {} }, o), TYPE, /defineWorker\(operations, options\): the options object cannot be read/),
  ...rows(["defineWorker"], "defineWorker endpoint", "outside", [...notObjects.filter(([l]) => l !== "null"), ["null", () => null], ["an object without listen", () => ({ postMessage() {} })]], (e) => defineWorker({ *parse() {} }, { endpoint: e }), TYPE, /defineWorker\(operations, options\): options\.endpoint must be a WorkerEndpoint \(an object with postMessage\(message, transfer\) and listen\(listener\)\), or left out inside a worker, got/),
  // (No row for defineWorker() without an endpoint: vitest runs this file in a worker thread, whose parentPort it would take.)

  // ---- withTransfer -----------------------------------------------------------------------
  ...rows(["withTransfer"], "withTransfer transfer", "outside", notArrays, (t) => withTransfer(1, t), TYPE, /withTransfer\(value, transfer\) needs an array of transferables \(ArrayBuffers, MessagePorts, \.\.\.\), got/),

  // ---- channels across a port -------------------------------------------------------------
  ...rows(["receiveFromPort"], "receiveFromPort port", "trio", notObjects, (p) => receiveFromPort(p, gen), TYPE, /receiveFromPort\(port, body\) needs a MessagePort \(one end of a new MessageChannel\(\), the other end transferred to the other side\), got/),
  ...rows(["receiveFromPort"], "receiveFromPort body", "trio", notBodies, (b) => receiveFromPort(fakePort(), b), TYPE, /receiveFromPort\(port, body\) needs a generator function as body \(function\* \(channel\) \{ \.\.\. \}\), got/),
  ...rows(["receiveFromPort"], "receiveFromPort options", "trio", notOptions, (o) => receiveFromPort(fakePort(), gen, o), TYPE, /receiveFromPort\(port, body\): options must be an object, got/),
  ...rows(["receiveFromPort"], "receiveFromPort options", "trio", unreadableOptions, (o) => receiveFromPort(fakePort(), gen, o), TYPE, /receiveFromPort\(port, body\): the options object cannot be read \(.*\); pass a plain object/),
  ...rows(["receiveFromPort"], "receiveFromPort credits", "trio", notCounts, (n) => receiveFromPort(fakePort(), gen, { credits: n }), TYPE, /receiveFromPort\(port, body\): options\.credits must be a whole number of items >= 1 \(how far the sender may run ahead\), got/),
  { covers: ["PortReceiveChannel"], label: "PortReceiveChannel.receive after the block", where: "trio", act: function* () { let kept: PortReceiveChannel<unknown> | undefined; yield* receiveFromPort(fakePort(), function* (c) { kept = c; }); yield* kept!.receive(); }, error: ClosedResourceError, message: /port channel #\d+ \(receiving\): receive\(\) after its receiveFromPort block ended\. Receive inside the block/ },
  ...rows(["sendToPort"], "sendToPort port", "trio", notObjects, (p) => sendToPort(p, gen), TYPE, /sendToPort\(port, body\) needs a MessagePort \(one end of a new MessageChannel\(\).*\), got/),
  ...rows(["sendToPort"], "sendToPort body", "trio", notBodies, (b) => sendToPort(fakePort(), b), TYPE, /sendToPort\(port, body\) needs a generator function as body \(function\* \(channel\) \{ \.\.\. \}\), got/),
  ...rows(["PortSendChannel"], "PortSendChannel.send options", "trio", notOptions, (o) => sendToPort(fakePort(), (out) => out.send(1, o)), TYPE, /port channel #\d+ \(sending\)\.send\(value, options\): options must be an object \(\{ transfer: \[\.\.\.\] \}\) or left out, got/),
  ...rows(["PortSendChannel"], "PortSendChannel.send options", "trio", unreadableOptions, (o) => sendToPort(fakePort(), (out) => out.send(1, o)), TYPE, /\(sending\)\.send\(value, options\): the options object cannot be read \(.*\); pass a plain object/),
  ...rows(["PortSendChannel"], "PortSendChannel.send transfer", "trio", [["42", () => 42], ["a revoked Proxy", revoked]], (t) => sendToPort(fakePort(), (out) => out.send(1, { transfer: t })), TYPE, /\(sending\)\.send\(value, options\): options\.transfer must be an array of transferables, got/),
  { covers: ["PortSendChannel"], label: "PortSendChannel.send: transfer [42]", where: "trio", act: () => withPortSender((out) => out.send(1, { transfer: [bad(42)] })), error: TYPE, message: /\(sending\)\.send\(value, options\): options\.transfer cannot be used \(TypeError: .*\)\. List only objects that can be moved/ },
  { covers: ["PortSendChannel"], label: "PortSendChannel.send: a revoked Proxy", where: "trio", act: () => withPortSender((out) => out.send(revoked())), error: TYPE, message: /\(sending\)\.send\(an object that cannot be inspected \(a revoked Proxy\?\)\): the value cannot be sent across the port \(DataCloneError: .*\)\. Send plain data/ },
  { covers: ["PortSendChannel"], label: "PortSendChannel.send after the block", where: "trio", act: function* () { let kept: PortSendChannel<number> | undefined; yield* sendToPort<number>(fakePort(), function* (c) { kept = c; }); yield* kept!.send(1); }, error: ClosedResourceError, message: /port channel #\d+ \(sending\): send\(\) after its sendToPort block ended\. Send inside the block/ },
];

/** A worker endpoint stand-in, for defineWorker's checks (each row here fails before it is used). */
function endpoint(): { postMessage(): void; listen(): void } {
  return { postMessage() {}, listen() {} };
}

/** Exports with no input to get wrong, with the reason. */
export const skipped: Record<string, string> = {
  PROTOCOL_VERSION: "a constant (the worker protocol's version number)",
  WorkerDataCloneError: "an error class the calls raise (rows above expect it)",
};
