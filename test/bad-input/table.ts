/**
 * The bad-input table: for every public function of src/index.ts, wrong
 * kinds of arguments, NaN / negative / infinite durations, closed nurseries
 * and loops, misuse outside a run, and the other flavour's values. Each row
 * names the export(s) it covers, where it runs, the error class expected,
 * and a regex that must find both the mistake and the fix in the message.
 *
 * Exports with no input to get wrong (constants, error classes, classes the
 * runtime constructs itself) are listed in `skipped` with the reason, so the
 * coverage test can demand that every export is accounted for.
 */
import {
  Abort,
  CancelScope,
  CapacityLimiter,
  Condition,
  ContextVar,
  LookupError,
  RunVar,
  ValueError,
  copyContext,
  ExceptionGroup,
  Lock,
  ParkingLot,
  Semaphore,
  StrictFIFOLock,
  AsyncioRunner,
  ClosedResourceError,
  EndOfChannel,
  RuntimeError,
  TrioInternalError,
  WouldBlock,
  abortable,
  addInstrument,
  aioAsTrio,
  aioIterAsTrio,
  asyncio,
  asyncioRun,
  chooseMacrotask,
  cancelShieldedCheckpoint,
  checkpoint,
  checkpointIfCancelled,
  currentCancelScope,
  currentEffectiveDeadline,
  currentLoop,
  currentRun,
  currentSignal,
  currentStatistics,
  currentTask,
  currentTime,
  failAfter,
  failAt,
  inspector,
  moveOnAfter,
  moveOnAt,
  openLoop,
  openMemoryChannel,
  openNursery,
  removeInstrument,
  retry,
  reschedule,
  run,
  runWith,
  sleep,
  sleepForever,
  sleepUntil,
  spawnSystemTask,
  staggeredRace,
  trioAsAio,
  trioIterAsAio,
  waitFuture,
  waitPromise,
  waitTaskRescheduled,
  withAbortSignal,
  Event,
  type Nursery,
  type Operation,
  type TaskStatus,
  MemoryReceiveStream,
  MemorySendStream,
  StapledStream,
  forEachChunk,
  memoryStreamOneWayPair,
  memoryStreamPair,
  memoryStreamPump,
} from "../../src/index.js";
import type { Case } from "./harness.js";
import { bad, revoked, type Any } from "./hostile.js";
import { CHECKPOINT, PARK, SHARED_PARK, SHARED_SCHEDULE_POINT } from "../../src/core/traps.js";

const asyncFn = async function fetchThing(): Promise<number> {
  return 1;
};
const plainFn = function notAGenerator(): number {
  return 5;
};
const promise = Promise.resolve(1);
function* trioOp(): Operation<void> {
  yield* sleep(1);
}
function* aioCoro(): asyncio.Coroutine<void> {
  yield* asyncio.sleep(1);
}

/** A generator function that yields a foreign value to whoever drives it. */
function yielding(value: unknown): () => Generator<unknown, void, unknown> {
  return function* () {
    yield value;
  };
}

const TYPE = TypeError;
const RANGE = RangeError;

/** Durations that are not numbers, or NaN. */
const notSeconds: [string, unknown][] = [
  ["a string", "1"],
  ["NaN", NaN],
  ["undefined", undefined],
  ["null", null],
  ["an object", {}],
];

function durationRows(name: string, call: (v: Any) => unknown, where: "trio" | "aio", message: RegExp, error: Case["error"] = TYPE): Case[] {
  return notSeconds.map(([label, v]) => ({ covers: [name], label: `${name}(${label})`, where, act: () => call(v), error, message }));
}

export const cases: Case[] = [
  // Byte streams (Trio's stream interfaces and memory streams).
  { covers: ["StapledStream"], label: "StapledStream with a non-stream first", where: "outside", act: () => new StapledStream(bad(42), memoryStreamOneWayPair()[1]), error: TYPE, message: /needs a SendStream first \(with sendAll\), got/ },
  { covers: ["StapledStream", "memoryStreamPair"], label: "StapledStream with a non-stream second", where: "outside", act: () => new StapledStream(memoryStreamPair()[0], bad("x")), error: TYPE, message: /needs a ReceiveStream second \(with receiveSome\)/ },
  { covers: ["forEachChunk"], label: "forEachChunk on a non-stream", where: "trio", act: () => forEachChunk(bad({}), function* () {}), error: TYPE, message: /forEachChunk\(stream, body\) needs a ReceiveStream \(with receiveSome\)/ },
  // ---- staggeredRace ---------------------------------------------------------------------
  { covers: ["staggeredRace"], label: "staggeredRace(42, 1)", where: "trio", act: () => staggeredRace(bad(42), 1), error: TYPE, message: /^staggeredRace\(attemptFns, delay\) takes an array \(or other iterable\) of generator functions, got number 42/ },
  { covers: ["staggeredRace"], label: "staggeredRace([async function], 1)", where: "trio", act: () => staggeredRace([bad(asyncFn)], 1), error: TYPE, message: /attempt 0 got an async function \(fetchThing\)\. Tasks are generator functions: write function\*/ },
  { covers: ["staggeredRace"], label: "staggeredRace([a generator object], 1)", where: "trio", act: () => staggeredRace([bad(trioOp())], 1), error: TYPE, message: /attempt 0 is a generator object, the function's call; pass the function itself/ },
  { covers: ["staggeredRace"], label: "staggeredRace([42], 1)", where: "trio", act: () => staggeredRace([bad(42)], 1), error: TYPE, message: /attempt 0 is number 42, not a generator function \(function\* \(\) \{ \.\.\. \}\)/ },
  { covers: ["staggeredRace"], label: "staggeredRace([() => promise], 1)", where: "trio", act: () => staggeredRace([bad(() => promise)], 1), error: TYPE, message: /attempt 0 \(anonymous\) returned a Promise, not a generator.*yield\* waitPromise\(p\)/ },
  { covers: ["staggeredRace"], label: "staggeredRace(fns) without a delay", where: "trio", act: () => staggeredRace([trioOp], bad(undefined)), error: TYPE, message: /needs a delay: a number of seconds, or null to start each attempt only when the one before fails/ },
  ...([["NaN", NaN], ["a string", "1"], ["an object", {}]] as const).map(
    ([label, v]): Case => ({ covers: ["staggeredRace"], label: `staggeredRace(fns, ${label})`, where: "trio", act: () => staggeredRace([trioOp], bad(v)), error: TYPE, message: /staggeredRace\(attemptFns, delay\) needs a number of seconds or null for delay, got/ }),
  ),
  { covers: ["staggeredRace"], label: "staggeredRace(fns, -1)", where: "trio", act: () => staggeredRace([trioOp], -1), error: RANGE, message: /needs a delay of 0 seconds or more \(or null\), got -1/ },
  { covers: ["staggeredRace"], label: "staggeredRace(fns, 1, 42)", where: "trio", act: () => staggeredRace([trioOp], 1, bad(42)), error: TYPE, message: /^staggeredRace\(attemptFns, delay, options\) takes an options object such as \{ onLoser: \(socket\) => socket\.close\(\) \}, got number 42/ },
  { covers: ["staggeredRace"], label: "staggeredRace(fns, 1, a revoked Proxy)", where: "trio", act: () => staggeredRace([trioOp], 1, bad(revoked())), error: TYPE, message: /^staggeredRace\(attemptFns, delay, options\): the options object cannot be read .*; pass a plain object/ },
  { covers: ["staggeredRace"], label: "staggeredRace(fns, 1, { onLoser: 42 })", where: "trio", act: () => staggeredRace([trioOp], 1, bad({ onLoser: 42 })), error: TYPE, message: /onLoser must be a function, called with each result the race drops, got number 42/ },
  { covers: ["staggeredRace"], label: "staggeredRace(fns, 1, { onLoser: a revoked Proxy of a function })", where: "trio", act: () => staggeredRace([trioOp], 1, bad({ onLoser: revoked(true) })), error: TYPE, message: /onLoser must be a function, called with each result the race drops, got function/ },
  { covers: ["staggeredRace"], label: "staggeredRace(fns, 1, { onLoser: function* })", where: "trio", act: () => staggeredRace([trioOp], 1, bad({ onLoser: trioOp })), error: TYPE, message: /onLoser is called synchronously, so a generator function's body would never run; release the result in a plain function, e\.g\. \(socket\) => socket\.close\(\)/ },
  { covers: ["forEachChunk"], label: "forEachChunk with a number for a body", where: "trio", act: () => forEachChunk(memoryStreamOneWayPair()[1], bad(42)), error: TYPE, message: /takes a generator function such as function\* \(chunk\)/ },
  { covers: ["MemorySendStream"], label: "MemorySendStream.getDataNowait(0)", where: "outside", act: () => new MemorySendStream().getDataNowait(0), error: TYPE, message: /maxBytes must be an integer of at least 1, or left out/ },
  { covers: ["MemoryReceiveStream"], label: "MemoryReceiveStream.receiveSome(1.5)", where: "trio", act: () => new MemoryReceiveStream().receiveSome(1.5), error: TYPE, message: /maxBytes must be an integer of at least 1, or left out/ },
  { covers: ["memoryStreamPump", "memoryStreamOneWayPair"], label: "memoryStreamPump with maxBytes -1", where: "outside", act: () => memoryStreamPump(new MemorySendStream(), new MemoryReceiveStream(), -1), error: TYPE, message: /maxBytes must be an integer of at least 1, or left out/ },
  // ---- runs -------------------------------------------------------------------
  { covers: ["run"], label: "run(async function)", where: "outside", act: () => run(bad(asyncFn)), error: TYPE, message: /async function.*function\*.*yield\*/ },
  { covers: ["run"], label: "run(plain function)", where: "outside", act: () => run(bad(plainFn)), error: TYPE, message: /returned number 5, not a generator.*function\*/ },
  { covers: ["run"], label: "run(undefined)", where: "outside", act: () => run(bad(undefined)), error: TYPE, message: /needs a generator function \(function\*\), got undefined/ },
  { covers: ["run"], label: "run(a generator object)", where: "outside", act: () => run(bad(trioOp())), error: TYPE, message: /needs a generator function \(function\*\), got a/ },
  { covers: ["runWith"], label: "runWith(null, main)", where: "outside", act: () => runWith(bad(null), trioOp), error: TYPE, message: /needs an options object first; use run\(main\)/ },
  { covers: ["runWith"], label: "runWith(a revoked Proxy, main)", where: "outside", act: () => runWith(bad(revoked()), trioOp), error: TYPE, message: /^runWith\(options, main, \.\.\.args\): the options object cannot be read .*; pass a plain object/ },
  { covers: ["runWith"], label: "runWith({ clock: a revoked Proxy })", where: "outside", act: () => runWith(bad({ clock: revoked() }), trioOp), error: TYPE, message: /options\.clock must be a Clock.*new MockClock\(\); got an object that cannot be inspected/ },
  { covers: ["asyncioRun"], label: "asyncioRun(coro, { clock: a revoked Proxy })", where: "outside", act: () => asyncioRun(aioCoro(), bad({ clock: revoked() })), error: TYPE, message: /options\.clock must be a Clock.*new MockClock\(\); got an object that cannot be inspected/ },
  { covers: ["runWith"], label: "runWith({ clock: 5 })", where: "outside", act: () => runWith(bad({ clock: 5 }), trioOp), error: TYPE, message: /options\.clock must be a Clock.*new MockClock\(\)/ },
  ...[NaN, -1, 0, Infinity, "5"].map(
    (v): Case => ({ covers: ["runWith"], label: `runWith({ timeSlice: ${String(v)} })`, where: "outside", act: () => runWith(bad({ timeSlice: v }), trioOp), error: RANGE, message: /timeSlice is in seconds and must be a positive finite number \(default 0\.005\)/ }),
  ),
  { covers: ["runWith"], label: "runWith({ instruments: {} })", where: "outside", act: () => runWith(bad({ instruments: {} }), trioOp), error: TYPE, message: /instruments must be an array of instrument objects/ },
  { covers: ["runWith", "addInstrument"], label: "runWith({ instruments: [null] })", where: "outside", act: () => runWith(bad({ instruments: [null] }), trioOp), error: TYPE, message: /instrument must be an object with hook methods/ },

  // ---- operations used outside any run ------------------------------------------
  ...(
    [
      ["checkpoint", () => checkpoint()],
      ["checkpointIfCancelled", () => checkpointIfCancelled()],
      ["cancelShieldedCheckpoint", () => cancelShieldedCheckpoint()],
      ["sleep", () => sleep(1)],
      ["sleepUntil", () => sleepUntil(1)],
      ["sleepForever", () => sleepForever()],
      ["currentTime", () => currentTime()],
      ["currentTask", () => currentTask()],
      ["currentRun", () => currentRun()],
      ["currentStatistics", () => currentStatistics()],
      ["currentCancelScope", () => currentCancelScope()],
      ["currentEffectiveDeadline", () => currentEffectiveDeadline()],
      ["currentSignal", () => currentSignal()],
      ["spawnSystemTask", () => spawnSystemTask(trioOp)],
      ["addInstrument", () => addInstrument({})],
      ["removeInstrument", () => removeInstrument({})],
      ["waitTaskRescheduled", () => waitTaskRescheduled(() => Abort.SUCCEEDED)],
      ["openNursery", () => openNursery(trioOp)],
      ["moveOnAfter", () => moveOnAfter(1, trioOp)],
      ["failAfter", () => failAfter(1, trioOp)],
      ["openLoop", () => openLoop(trioOp)],
      ["waitPromise", () => waitPromise(promise)],
      ["abortable", () => abortable(() => promise)],
      ["withAbortSignal", () => withAbortSignal(new AbortController().signal, trioOp)],
      ["Lock", () => new Lock().acquire()],
      ["Event", () => new Event().wait()],
    ] as [string, () => unknown][]
  ).map(
    ([name, act]): Case => ({ covers: [name], label: `${name} outside a run`, where: "outside", act, error: RuntimeError, message: /must be used inside a task of run\(\).*yield\*/ }),
  ),
  { covers: ["currentLoop"], label: "currentLoop() outside openLoop", where: "trio", act: () => currentLoop(), error: RuntimeError, message: /No asyncio loop here: wrap this code in yield\* openLoop/ },
  { covers: ["asyncio.getRunningLoop"], label: "getRunningLoop() outside asyncio code", where: "trio", act: () => asyncio.getRunningLoop(), error: RuntimeError, message: /No asyncio loop is running here.*openLoop.*aioAsTrio/ },

  // ---- the flavours mixed up --------------------------------------------------------
  { covers: ["sleep"], label: "a Trio operation inside asyncio code", where: "aio", act: () => sleep(1), error: RuntimeError, message: /sleep\(\) is a Trio operation, but it was used from the asyncio task.*trioAsAio/ },
  { covers: ["openNursery"], label: "openNursery inside asyncio code", where: "aio", act: () => openNursery(trioOp), error: RuntimeError, message: /Trio operation.*asyncio task.*trioAsAio/ },
  { covers: ["openLoop"], label: "openLoop inside asyncio code", where: "aio", act: () => openLoop(trioOp), error: RuntimeError, message: /Trio operation.*asyncio task.*trioAsAio/ },
  { covers: ["asyncio.sleep"], label: "an asyncio coroutine run in a Trio task", where: "trio", act: () => asyncio.sleep(1), error: RuntimeError, message: /No asyncio loop is running here.*aioAsTrio/ },
  { covers: ["trioAsAio"], label: "trioAsAio(asyncio coroutine function)", where: "aio", act: () => trioAsAio(bad(aioCoro))(), error: RuntimeError, message: /No asyncio loop is running here.*aioAsTrio/ },
  { covers: ["aioAsTrio"], label: "aioAsTrio(Trio operation function)", where: "trio", act: () => openLoop(() => aioAsTrio(bad(trioOp))()), error: RuntimeError, message: /Trio operation.*asyncio task.*trioAsAio/ },
  { covers: ["aioAsTrio"], label: "aioAsTrio(plain function)", where: "trio", act: () => openLoop(() => aioAsTrio(bad(plainFn))()), error: TYPE, message: /asyncio Task needs a coroutine \(the generator returned by calling a function\*\)/ },
  { covers: ["aioAsTrio"], label: "aioAsTrio(42)", where: "trio", act: () => aioAsTrio(bad(42)), error: TYPE, message: /aioAsTrio\(fn\) needs an asyncio coroutine function \(a function\* that yield\*s Futures\)/ },
  { covers: ["aioAsTrio"], label: "aioAsTrio(fn)() inside asyncio code", where: "aio", act: () => aioAsTrio(aioCoro)(), error: RuntimeError, message: /aioAsTrio\(aioCoro\)\(\) is for Trio code, but it was used from the asyncio task "[^"]+"\. .*call the coroutine function itself: yield\* aioCoro\(\.\.\.args\)/ },
  { covers: ["aioAsTrio"], label: "aioAsTrio(coro()) instead of aioAsTrio(coro)", where: "trio", act: () => aioAsTrio(bad(aioCoro())), error: TYPE, message: /aioAsTrio\(fn\) needs an asyncio coroutine function .*got an object\. This is a coroutine, the function's call: pass the function itself/ },
  { covers: ["aioAsTrio"], label: "aioAsTrio(fn)() outside openLoop", where: "trio", act: () => aioAsTrio(aioCoro)(), error: RuntimeError, message: /No asyncio loop here: wrap this code in yield\* openLoop/ },
  { covers: ["asyncio.sleep", "openLoop"], label: "asyncio code written straight into an openLoop block", where: "trio", act: () => openLoop(() => bad(asyncio.sleep(1))), error: RuntimeError, message: /No asyncio loop is running here: this is a Trio task \(the body of an openLoop block is Trio code too\)\. From Trio code, call asyncio code through yield\* aioAsTrio\(fn\)\(\.\.\.args\)/ },
  { covers: ["trioAsAio"], label: "trioAsAio(op()) instead of trioAsAio(op)", where: "trio", act: () => trioAsAio(bad(trioOp())), error: TYPE, message: /trioAsAio\(fn\) needs a Trio operation function .*got an object\. This is a generator object, the function's call: pass the function itself, trioAsAio\(op\)\(arg\)/ },
  { covers: ["trioAsAio"], label: "trioAsAio(an async function)", where: "trio", act: () => trioAsAio(bad(async () => 1)), error: TYPE, message: /^trioAsAio\(fn\) got an async function .*write function\* and use yield\*/ },
  {
    covers: ["aioAsTrio"],
    label: "aioAsTrio(a Future)",
    where: "trio",
    act: function* () {
      yield* openLoop(function* (loop) {
        const future = loop.createFuture();
        future.setResult(1);
        aioAsTrio(bad(future));
      });
    },
    error: TYPE,
    message: /^aioAsTrio\(fn\) needs an asyncio coroutine function, got a Future\. To wait for a Future from Trio code, use yield\* waitFuture\(future\)/,
  },
  { covers: ["aioAsTrio"], label: "aioAsTrio(a revoked Proxy of a function)", where: "trio", act: () => aioAsTrio(bad(revoked(true))), error: TYPE, message: /^aioAsTrio\(fn\) needs an asyncio coroutine function .*got a function that cannot be inspected.*Pass the function itself/ },
  { covers: ["trioAsAio"], label: "trioAsAio(a revoked Proxy)", where: "trio", act: () => trioAsAio(bad(revoked())), error: TYPE, message: /trioAsAio\(fn\) needs a Trio operation function .*got an object that cannot be inspected/ },
  { covers: ["trioAsAio"], label: "trioAsAio(42)", where: "trio", act: () => trioAsAio(bad(42)), error: TYPE, message: /trioAsAio\(fn\) needs a Trio operation function \(a function\* that yield\*s Trio operations\)/ },
  { covers: ["trioAsAio"], label: "trioAsAio(fn)() outside openLoop", where: "trio", act: () => trioAsAio(trioOp)(), error: RuntimeError, message: /No asyncio loop here: wrap this code in yield\* openLoop/ },
  { covers: ["waitFuture"], label: "waitFuture(a Promise)", where: "trio", act: () => waitFuture(bad(promise)), error: TYPE, message: /needs an asyncio Future or Task, got a Promise\. For a Promise use waitPromise\(p\)/ },
  { covers: ["waitFuture"], label: "waitFuture outside a run", where: "outside", act: () => waitFuture(bad(null)), error: RuntimeError, message: /waitFuture\(\) must be used inside a task of run\(\)/ },

  // ---- a task yields a foreign value ------------------------------------------------
  ...(
    [
      ["the number 42", 42, /yielded number 42, which the scheduler does not understand.*yield\* sleep\(1\)/],
      ["a Promise", promise, /yielded a Promise\. Wait for it with `yield\* waitPromise\(promise\)`/],
      ["a generator object", trioOp(), /yielded a generator object: write `yield\* operation\(\)`, not `yield operation\(\)`/],
    ] as [string, unknown, RegExp][]
  ).map(([label, value, message]): Case => ({ covers: ["run"], label: `a Trio task yields ${label}`, where: "trio", act: yielding(value), error: TYPE, message })),
  {
    covers: ["openLoop"],
    label: "a Trio task yields an asyncio Future",
    where: "trio",
    act: () => openLoop((loop) => bad(yielding(loop.createFuture())())),
    error: TYPE,
    message: /yielded an asyncio Future.*aioAsTrio\(fn\) inside openLoop/,
  },
  ...(
    [
      ["the number 42", 42, /yielded number 42, which a Task cannot wait on\. Wait with yield\* on Futures and coroutines \(e\.g\. yield\* sleep\(1\)\)/],
      ["a Promise", promise, /yielded a Promise\. Wrap it: yield\* wrapPromise\(promise\)/],
      ["a generator object", aioCoro(), /yielded a generator object: write `yield\* coro\(\)`, not `yield coro\(\)`/],
      ...[CHECKPOINT, PARK, SHARED_PARK, SHARED_SCHEDULE_POINT].map((trap): [string, unknown, RegExp] => [`the Trio trap ${String(trap)}`, trap, /yielded a Trio operation's trap\. Trio code runs in Trio tasks: call it from asyncio through yield\* trioAsAio\(fn\)/]),
    ] as [string, unknown, RegExp][]
  ).map(([label, value, message]): Case => ({ covers: ["aioAsTrio"], label: `an asyncio coroutine yields ${label}`, where: "aio", act: yielding(value), error: TYPE, message })),

  // ---- nurseries --------------------------------------------------------------------
  { covers: ["openNursery"], label: "openNursery(42)", where: "trio", act: () => openNursery(bad(42)), error: TYPE, message: /openNursery\(\) needs a generator function \(function\*\), got number 42/ },
  { covers: ["openNursery"], label: "openNursery(async function)", where: "trio", act: () => openNursery(bad(asyncFn)), error: TYPE, message: /got an async function.*write function\* and use yield\*/ },
  { covers: ["openNursery"], label: "openNursery(plain function)", where: "trio", act: () => openNursery(bad(plainFn)), error: TYPE, message: /returned number 5, not a generator.*function\*/ },
  {
    covers: ["openNursery", "Nursery"],
    label: "startSoon(async function)",
    where: "trio",
    act: () => openNursery((n) => bad(n.startSoon(bad(asyncFn)))),
    error: TYPE,
    message: /startSoon\(\) got an async function.*function\*/,
  },
  {
    covers: ["openNursery", "Nursery"],
    label: "startSoon(a revoked Proxy of a function)",
    where: "trio",
    act: () => openNursery((n) => bad(n.startSoon(revoked(true)))),
    error: TYPE,
    message: /startSoon\(\) needs a generator function \(function\*\), got a function that cannot be inspected \(a revoked Proxy\?\)\. Pass the function itself/,
  },
  { covers: ["retry"], label: "retry(a revoked Proxy of a function)", where: "trio", act: () => retry(revoked(true)), error: TYPE, message: /retry\(attempt\) needs a generator function \(function\*\), got a function that cannot be inspected/ },
  {
    covers: ["openNursery"],
    label: "startSoon(op()) instead of startSoon(op)",
    where: "trio",
    act: () => openNursery((n) => bad(n.startSoon(bad(trioOp())))),
    error: TYPE,
    message: /startSoon\(\) needs a generator function \(function\*\), got an object\. This is a generator object, the function's call: pass the function itself and its arguments apart \(op, arg rather than op\(arg\)\)/,
  },
  {
    covers: ["Nursery"],
    label: "startSoonNamed(1, fn)",
    where: "trio",
    act: () =>
      openNursery(function* (n) {
        n.startSoonNamed(bad(1), trioOp);
      }),
    error: TYPE,
    message: /startSoonNamed\(name, fn, \.\.\.args\) needs a string name first, got number 1/,
  },
  {
    covers: ["Nursery"],
    label: "startSoon on a closed nursery",
    where: "trio",
    act: function* () {
      let saved: Nursery | null = null;
      yield* openNursery(function* (n) {
        saved = n;
      });
      saved!.startSoon(trioOp);
    },
    error: RuntimeError,
    message: /startSoon\(\) on a closed nursery.*Start tasks while openNursery\(\.\.\.\) is still running/,
  },
  {
    covers: ["Nursery"],
    label: "start() on a closed nursery",
    where: "trio",
    act: function* () {
      let saved: Nursery | null = null;
      yield* openNursery(function* (n) {
        saved = n;
      });
      yield* saved!.start(bad(trioOp));
    },
    error: RuntimeError,
    message: /start\(\) on a closed nursery.*Start tasks while openNursery/,
  },
  {
    covers: ["Nursery", "TASK_STATUS_IGNORED"],
    label: "start() of a child that never calls started()",
    where: "trio",
    act: () =>
      openNursery(function* (n) {
        yield* n.start(bad(trioOp));
      }),
    error: RuntimeError,
    message: /returned without calling taskStatus\.started\(\)/,
  },
  {
    covers: ["Nursery"],
    label: "taskStatus.started() twice",
    where: "trio",
    act: () =>
      openNursery(function* (n) {
        yield* n.start(function* (status: TaskStatus) {
          status.started();
          status.started();
        });
      }),
    error: RuntimeError,
    message: /started\(\) was called twice; call it once, when the task is ready/,
  },
  { covers: ["spawnSystemTask"], label: "spawnSystemTask(42)", where: "trio", act: () => spawnSystemTask(bad(42)), error: TYPE, message: /spawnSystemTask\(\) needs a generator function \(function\*\), got number 42/ },

  // ---- durations -----------------------------------------------------------------------
  ...durationRows("sleep", (v) => sleep(v), "trio", /sleep\(seconds\) must be a number of seconds, got/),
  { covers: ["sleep"], label: "sleep(-1)", where: "trio", act: () => sleep(-1), error: RANGE, message: /sleep\(seconds\) must be non-negative, got -1/ },
  { covers: ["sleep"], label: "sleep(-Infinity)", where: "trio", act: () => sleep(-Infinity), error: RANGE, message: /sleep\(seconds\) must be non-negative, got -Infinity/ },
  ...durationRows("sleepUntil", (v) => sleepUntil(v), "trio", /sleepUntil\(deadline\) must be a number of seconds, got/),
  ...durationRows("moveOnAfter", (v) => moveOnAfter(v, trioOp), "trio", /moveOnAfter\(seconds\) must be a number of seconds, got/),
  { covers: ["moveOnAfter"], label: "moveOnAfter(-1)", where: "trio", act: () => moveOnAfter(-1, trioOp), error: RANGE, message: /moveOnAfter\(seconds\) must be non-negative, got -1/ },
  { covers: ["moveOnAfter"], label: "moveOnAfter(-Infinity)", where: "trio", act: () => moveOnAfter(-Infinity, trioOp), error: RANGE, message: /must be non-negative, got -Infinity/ },
  ...durationRows("failAfter", (v) => failAfter(v, trioOp), "trio", /failAfter\(seconds\) must be a number of seconds, got/),
  { covers: ["failAfter"], label: "failAfter(-0.5)", where: "trio", act: () => failAfter(-0.5, trioOp), error: RANGE, message: /failAfter\(seconds\) must be non-negative, got -0\.5/ },
  ...durationRows("moveOnAt", (v) => moveOnAt(v, trioOp), "trio", /moveOnAt\(deadline\) must be a number of seconds, got/),
  ...durationRows("failAt", (v) => failAt(v, trioOp), "trio", /failAt\(deadline\) must be a number of seconds, got/),
  { covers: ["moveOnAfter"], label: "moveOnAfter(1, 42)", where: "trio", act: () => moveOnAfter(1, bad(42)), error: TYPE, message: /moveOnAfter\(seconds, body\) needs a generator function \(function\*\), got number 42/ },
  { covers: ["moveOnAt"], label: "moveOnAt(1, async function)", where: "trio", act: () => moveOnAt(1, bad(asyncFn)), error: TYPE, message: /moveOnAt\(deadline, body\) got an async function.*function\*/ },
  { covers: ["failAfter"], label: "failAfter(1, a generator object)", where: "trio", act: () => failAfter(1, bad(trioOp())), error: TYPE, message: /failAfter\(seconds, body\) needs a generator function \(function\*\), got an object\. This is a generator object, the function's call: pass the function itself/ },
  { covers: ["failAt"], label: "failAt(1, 'x')", where: "trio", act: () => failAt(1, bad("x")), error: TYPE, message: /failAt\(deadline, body\) needs a generator function \(function\*\), got "x"/ },
  { covers: ["moveOnAfter"], label: "moveOnAfter(1, body, { name: 7 })", where: "trio", act: () => moveOnAfter(1, trioOp, { name: bad(7) }), error: TYPE, message: /moveOnAfter\(seconds, body, options\) takes a string name \(for tools\) in \{ name \}, got number/ },
  { covers: ["moveOnAt"], label: "moveOnAt(1, body, 'x')", where: "trio", act: () => moveOnAt(1, trioOp, bad("x")), error: TYPE, message: /moveOnAt\(deadline, body, options\) takes an options object such as \{ name: "search deadline" \}.*got string/ },
  { covers: ["failAfter"], label: "failAfter(1, body, { name: null })", where: "trio", act: () => failAfter(1, trioOp, { name: bad(null) }), error: TYPE, message: /failAfter\(seconds, body, options\) takes a string name \(for tools\) in \{ name \}, got null/ },
  // ---- retry ----------------------------------------------------------------------------
  { covers: ["retry"], label: "retry(async function)", where: "trio", act: () => retry(bad(asyncFn)), error: TYPE, message: /retry\(attempt\) got an async function.*function\*/ },
  { covers: ["retry"], label: "retry(plain function returning a Promise)", where: "trio", act: () => retry(bad(() => promise)), error: TYPE, message: /retry\(attempt\): .* returned a Promise, not a generator.*waitPromise/ },
  { covers: ["retry"], label: "retry(op, 'x')", where: "trio", act: () => retry(trioOp, bad("x")), error: TYPE, message: /retry\(attempt, options\) takes an options object such as \{ attempts: 5, delay: 0\.25 \}.*got "x"/ },
  { covers: ["retry"], label: "retry(op, a revoked Proxy)", where: "trio", act: () => retry(trioOp, bad(revoked())), error: TYPE, message: /^retry\(attempt, options\): the options object cannot be read .*; pass a plain object/ },
  ...[0, 1.5, NaN, -1].map(
    (v): Case => ({ covers: ["retry"], label: `retry(op, { attempts: ${String(v)} })`, where: "trio", act: () => retry(trioOp, bad({ attempts: v })), error: RANGE, message: /attempts must be a whole number ≥ 1, or Infinity, got/ }),
  ),
  { covers: ["retry"], label: "retry(op, { attempts: '3' })", where: "trio", act: () => retry(trioOp, bad({ attempts: "3" })), error: TYPE, message: /attempts must be a whole number ≥ 1, or Infinity, got "3"/ },
  { covers: ["retry"], label: "retry(op, { delay: -1 })", where: "trio", act: () => retry(trioOp, bad({ delay: -1 })), error: RANGE, message: /delay must be a finite number of seconds ≥ 0, got number -1/ },
  { covers: ["retry"], label: "retry(op, { delay: Infinity })", where: "trio", act: () => retry(trioOp, bad({ delay: Infinity })), error: RANGE, message: /delay must be a finite number of seconds ≥ 0, got number Infinity/ },
  { covers: ["retry"], label: "retry(op, { factor: 0.5 })", where: "trio", act: () => retry(trioOp, bad({ factor: 0.5 })), error: RANGE, message: /factor must be a finite number ≥ 1 \(1 keeps the wait constant\), got number 0\.5/ },
  { covers: ["retry"], label: "retry(op, { maxDelay: NaN })", where: "trio", act: () => retry(trioOp, bad({ maxDelay: NaN })), error: RANGE, message: /maxDelay must be a number of seconds ≥ 0 \(Infinity for no cap\), got NaN/ },
  { covers: ["retry"], label: "retry(op, { jitter: 2 })", where: "trio", act: () => retry(trioOp, bad({ jitter: 2 })), error: RANGE, message: /jitter must be a fraction from 0 to 1, got number 2/ },
  { covers: ["retry"], label: "retry(op, { attemptTimeout: 0 })", where: "trio", act: () => retry(trioOp, bad({ attemptTimeout: 0 })), error: RANGE, message: /attemptTimeout must be a number of seconds > 0, got number 0/ },
  { covers: ["retry"], label: "retry(op, { retryIf: true })", where: "trio", act: () => retry(trioOp, bad({ retryIf: true })), error: TYPE, message: /retryIf must be a function, got boolean true/ },
  { covers: ["retry"], label: "retry(op, { onRetry: 'log' })", where: "trio", act: () => retry(trioOp, bad({ onRetry: "log" })), error: TYPE, message: /onRetry must be a function, got "log"/ },
  { covers: ["failAt"], label: "failAt(1, body, 5)", where: "trio", act: () => failAt(1, trioOp, bad(5)), error: TYPE, message: /failAt\(deadline, body, options\) takes an options object such as \{ name: "search deadline" \}.*got number/ },

  // ---- cancel scopes -----------------------------------------------------------------------
  { covers: ["CancelScope"], label: "new CancelScope(null)", where: "outside", act: () => new CancelScope(bad(null)), error: TYPE, message: /takes an options object such as \{ deadline, relativeDeadline, shield \}/ },
  { covers: ["CancelScope"], label: "new CancelScope({ deadline: NaN })", where: "outside", act: () => new CancelScope({ deadline: NaN }), error: TYPE, message: /CancelScope deadline must be a number of seconds, got NaN/ },
  { covers: ["CancelScope"], label: "new CancelScope({ relativeDeadline: -1 })", where: "outside", act: () => new CancelScope({ relativeDeadline: -1 }), error: RANGE, message: /relativeDeadline must be non-negative/ },
  { covers: ["CancelScope"], label: "new CancelScope({ deadline, relativeDeadline })", where: "outside", act: () => new CancelScope({ deadline: 1, relativeDeadline: 1 }), error: TYPE, message: /either deadline or relativeDeadline, not both/ },
  { covers: ["CancelScope"], label: "scope.deadline = 'soon'", where: "outside", act: () => (new CancelScope().deadline = bad("soon")), error: TYPE, message: /CancelScope deadline must be a number of seconds, got "soon"/ },
  { covers: ["CancelScope"], label: "scope.shield = 'yes'", where: "outside", act: () => (new CancelScope().shield = bad("yes")), error: TYPE, message: /^CancelScope shield must be true or false, got "yes"\.$/ },
  { covers: ["CancelScope"], label: "scope.cancel(42)", where: "outside", act: () => new CancelScope().cancel(bad(42)), error: TYPE, message: /cancel\(reason\) takes a string reason, got number/ },
  { covers: ["CancelScope"], label: "cancelOn(a revoked Proxy)", where: "outside", act: () => new CancelScope().cancelOn(bad(revoked())), error: TYPE, message: /^cancelOn\(signal\) needs an AbortSignal \(for example controller\.signal\), got an object that cannot be inspected/ },
  { covers: ["CancelScope", "withAbortSignal"], label: "cancelOn(42)", where: "outside", act: () => new CancelScope().cancelOn(bad(42)), error: TYPE, message: /cancelOn\(signal\) needs an AbortSignal \(for example controller\.signal\)/ },
  { covers: ["withAbortSignal"], label: "withAbortSignal({}, body)", where: "trio", act: () => withAbortSignal(bad({}), trioOp), error: TYPE, message: /needs an AbortSignal \(for example controller\.signal\)/ },
  { covers: ["withAbortSignal"], label: "withAbortSignal(null, body) names the call", where: "trio", act: () => withAbortSignal(bad(null), trioOp), error: TYPE, message: /^withAbortSignal\(signal, body\) needs an AbortSignal \(for example controller\.signal\), got null\./ },
  { covers: ["withAbortSignal"], label: "withAbortSignal(a revoked Proxy, body)", where: "trio", act: () => withAbortSignal(revoked(), trioOp), error: TYPE, message: /^withAbortSignal\(signal, body\) needs an AbortSignal.*got an object that cannot be inspected/ },
  { covers: ["withAbortSignal"], label: "withAbortSignal(signal, async function) names the call", where: "trio", act: () => withAbortSignal(new AbortController().signal, bad(asyncFn)), error: TYPE, message: /^withAbortSignal\(signal, body\) got an async function.*function\*/ },
  {
    covers: ["CancelScope"],
    label: "a CancelScope entered twice",
    where: "trio",
    act: function* () {
      const scope = new CancelScope();
      yield* scope.run(trioOp);
      yield* scope.run(trioOp);
    },
    error: RuntimeError,
    message: /can only be entered once; make a new one for each use/,
  },
  {
    covers: ["CancelScope"],
    label: "a CancelScope entered in one run, reused in another",
    where: "trio",
    act: function* () {
      const scope = new CancelScope();
      yield* waitPromise(run(() => scope.run(trioOp)));
      yield* scope.run(trioOp);
    },
    error: RuntimeError,
    message: /can only be entered once; make a new one for each use/,
  },
  { covers: ["CancelScope"], label: "scope.run(async function)", where: "trio", act: () => new CancelScope().run(bad(asyncFn)), error: TYPE, message: /got an async function.*function\*/ },

  // ---- low-level wait/wake, instruments --------------------------------------------------------
  { covers: ["waitTaskRescheduled"], label: "waitTaskRescheduled(42)", where: "trio", act: () => waitTaskRescheduled(bad(42)), error: TYPE, message: /needs an abort function that returns Abort\.SUCCEEDED or Abort\.FAILED/ },
  { covers: ["waitTaskRescheduled"], label: "waitTaskRescheduled(a revoked Proxy of a function)", where: "trio", act: () => waitTaskRescheduled(bad(revoked(true))), error: TYPE, message: /needs an abort function that returns Abort\.SUCCEEDED or Abort\.FAILED/ },
  { covers: ["reschedule", "valueOutcome", "errorOutcome"], label: "reschedule(task, 42)", where: "trio", act: () => reschedule(currentTask(), bad(42)), error: TYPE, message: /takes an outcome such as valueOutcome\(v\) or errorOutcome\(e\)/ },
  { covers: ["reschedule"], label: "reschedule of a task that is not blocked", where: "trio", act: () => reschedule(currentTask()), error: TrioInternalError, message: /which is not blocked; every wait must be woken exactly once/ },
  { covers: ["addInstrument"], label: "addInstrument(null)", where: "trio", act: () => addInstrument(bad(null)), error: TYPE, message: /An instrument must be an object with hook methods \(taskSpawned/ },
  { covers: ["removeInstrument"], label: "removeInstrument of one not installed", where: "trio", act: () => removeInstrument({}), error: RANGE, message: /removeInstrument\(\): that instrument is not installed in this run/ },
  { covers: ["ExceptionGroup"], label: "new ExceptionGroup('x', [])", where: "outside", act: () => new ExceptionGroup("x", []), error: TYPE, message: /needs a non-empty array of errors as its second argument/ },
  { covers: ["ExceptionGroup"], label: "new ExceptionGroup('x', 'ab')", where: "outside", act: () => new ExceptionGroup("x", bad("ab")), error: TYPE, message: /needs a non-empty array of errors/ },
  { covers: ["ExceptionGroup"], label: "new ExceptionGroup('x', a revoked Proxy)", where: "outside", act: () => new ExceptionGroup("x", bad(revoked())), error: TYPE, message: /^ExceptionGroup needs a non-empty array of errors as its second argument\.$/ },
  { covers: ["ExceptionGroup"], label: "new ExceptionGroup(a revoked Proxy, [e])", where: "outside", act: () => new ExceptionGroup(bad(revoked()), [new Error("a")]), error: TYPE, message: /^ExceptionGroup needs a string message as its first argument, got an object that cannot be inspected \(a revoked Proxy\?\)\.$/ },
  { covers: ["ExceptionGroup"], label: "new ExceptionGroup(an object with no prototype, [e])", where: "outside", act: () => new ExceptionGroup(bad(Object.create(null)), [new Error("a")]), error: TYPE, message: /^ExceptionGroup needs a string message as its first argument, got an object with no prototype\.$/ },
  { covers: ["ExceptionGroup"], label: "ExceptionGroup.split([TypeError, Object])", where: "outside", act: () => new ExceptionGroup("x", [new Error("a")]).split([TypeError, bad(Object)]), error: TYPE, message: /split\(matcher\): item 1 of the array is function Object, not an error class; an array holds classes only, such as \[TypeError, RangeError\]/ },
  { covers: ["ExceptionGroup"], label: "ExceptionGroup.subgroup([TypeError, 42])", where: "outside", act: () => new ExceptionGroup("x", [new Error("a")]).subgroup([TypeError, bad(42)]), error: TYPE, message: /split\(matcher\) takes an error class \(or an array of them\) or a predicate function, got number 42/ },
  { covers: ["ExceptionGroup"], label: "ExceptionGroup.split(an array of 1001 classes)", where: "outside", act: () => new ExceptionGroup("x", [new Error("a")]).split(bad(new Array(1001).fill(TypeError))), error: RANGE, message: /split\(matcher\): the array holds more than 1000 items; pass at most 1000 error classes/ },

  // ---- Promises and signals ----------------------------------------------------------------
  { covers: ["waitPromise"], label: "waitPromise(42)", where: "trio", act: () => waitPromise(bad(42)), error: TYPE, message: /waitPromise\(promise\) needs a Promise or thenable, got number 42/ },
  { covers: ["abortable"], label: "abortable(42)", where: "trio", act: () => abortable(bad(42)), error: TYPE, message: /needs a function that takes an AbortSignal and returns a Promise, got number 42/ },
  { covers: ["abortable"], label: "abortable(work returning 42)", where: "trio", act: () => abortable(bad(() => 42)), error: TYPE, message: /work must return a Promise, but it returned number 42/ },
  { covers: ["waitPromise"], label: "waitPromise(p, { label: 42 })", where: "trio", act: () => waitPromise(promise, { label: bad(42) }), error: TYPE, message: /waitPromise\(promise, options\) takes a string label \(what the Promise is, for tools\) in \{ label \}, got number 42/ },
  { covers: ["abortable"], label: "abortable(work, 'GET /x')", where: "trio", act: () => abortable(() => promise, bad("GET /x")), error: TYPE, message: /abortable\(work, options\) takes an options object such as \{ label: "GET \/api\/user" \}, got "GET \/x"/ },

  // ---- loops ------------------------------------------------------------------------------------
  { covers: ["openLoop"], label: "openLoop(42)", where: "trio", act: () => openLoop(bad(42)), error: TYPE, message: /openLoop\(body\) needs a generator function \(function\* \(loop\)/ },
  { covers: ["openLoop"], label: "openLoop(an async function)", where: "trio", act: () => openLoop(bad(async () => 1)), error: TYPE, message: /^openLoop\(body\) got an async function .*write function\* and use yield\*/ },
  { covers: ["openLoop"], label: "openLoop(a revoked Proxy of a function)", where: "trio", act: () => openLoop(bad(revoked(true))), error: TYPE, message: /^openLoop\(body\) needs a generator function \(function\*\), got a function that cannot be inspected/ },
  {
    covers: ["openLoop", "asyncio.EventLoop"],
    label: "callSoon on a closed loop",
    where: "trio",
    act: function* () {
      let saved: asyncio.EventLoop | null = null;
      yield* openLoop(function* (loop) {
        saved = loop;
      });
      saved!.callSoon(() => {});
    },
    error: RuntimeError,
    message: /callSoon\(\) on a closed event loop: its openLoop\(\.\.\.\) block has ended\. Schedule work while the block runs/,
  },
  {
    covers: ["asyncio.EventLoop"],
    label: "createTask on a closed loop",
    where: "trio",
    act: function* () {
      let saved: asyncio.EventLoop | null = null;
      yield* openLoop(function* (loop) {
        saved = loop;
      });
      saved!.createTask(aioCoro());
    },
    error: RuntimeError,
    message: /createTask\(\) on a closed event loop.*Schedule work while the block runs/,
  },
  { covers: ["asyncio.EventLoop"], label: "loop.close() while it runs", where: "trio", act: () => openLoop((loop) => bad(loop.close())), error: RuntimeError, message: /Cannot close a running event loop: it closes by itself when its openLoop/ },
  { covers: ["asyncio.EventLoop"], label: "loop.callSoon(42)", where: "aio", act: () => asyncio.getRunningLoop().callSoon(bad(42)), error: TYPE, message: /callSoon\(\) needs a function to call, got number/ },
  ...durationRows("asyncio.EventLoop", (v) => asyncio.getRunningLoop().callLater(v, () => {}), "aio", /callLater\(delay, callback\) needs a number of seconds, got/).filter((c) => !c.label.includes("(null)") && !c.label.includes("(an object)") && !c.label.includes("(undefined)") ),
  { covers: ["asyncio.EventLoop"], label: "loop.callLater('1')", where: "aio", act: () => asyncio.getRunningLoop().callLater(bad("1"), () => {}), error: TYPE, message: /callLater\(delay, callback\) needs a number of seconds, got "1"\./ },
  { covers: ["asyncio.sleep"], label: "asyncio.sleep(a revoked Proxy)", where: "aio", act: () => asyncio.sleep(bad(revoked())), error: TYPE, message: /asyncio sleep\(delay\) needs a number of seconds, got an object that cannot be inspected/ },
  { covers: ["asyncio.EventLoop"], label: "loop.callAt(NaN)", where: "aio", act: () => asyncio.getRunningLoop().callAt(NaN, () => {}), error: TYPE, message: /callAt\(when, callback\) needs a loop time in seconds, got NaN/ },
  { covers: ["asyncio.EventLoop"], label: "loop.setExceptionHandler(42)", where: "aio", act: () => asyncio.getRunningLoop().setExceptionHandler(bad(42)), error: TYPE, message: /takes a function \(loop, context\) => void, or null/ },
  { covers: ["asyncio.createEagerTaskFactory"], label: "asyncio.createEagerTaskFactory(42)", where: "aio", act: () => asyncio.createEagerTaskFactory(bad(42)), error: TYPE, message: /^createEagerTaskFactory\(TaskClass\) takes a Task class \(Task or a subclass\), got number 42/ },
  { covers: ["asyncio.eagerTaskFactory"], label: "asyncio.eagerTaskFactory(loop, 42)", where: "aio", act: () => asyncio.eagerTaskFactory(asyncio.getRunningLoop(), bad(42)), error: TYPE, message: /^An asyncio Task needs a coroutine .*got number 42/ },
  { covers: ["asyncio.eagerTaskFactory"], label: "asyncio.eagerTaskFactory(42, coro)", where: "aio", act: () => asyncio.eagerTaskFactory(bad(42), aioCoro()), error: TYPE, message: /^new Task\(\{ loop \}\) takes an asyncio EventLoop .*got number 42/ },
  { covers: ["asyncio.EventLoop"], label: "loop.setTaskFactory(42)", where: "aio", act: () => asyncio.getRunningLoop().setTaskFactory(bad(42)), error: TYPE, message: /setTaskFactory\(factory\) takes a function or null/ },
  { covers: ["asyncio.EventLoop"], label: "loop.runForever() from asyncio code", where: "aio", act: () => asyncio.getRunningLoop().runForever(), error: RuntimeError, message: /runForever\(\) is a Trio operation: call it with yield\* from Trio code inside openLoop/ },
  { covers: ["asyncioRun"], label: "asyncioRun(42)", where: "outside", act: () => asyncioRun(bad(42)), error: TYPE, message: /asyncioRun\(main\) needs an asyncio coroutine \(the generator returned by calling a function\*\), got number 42/ },
  { covers: ["asyncioRun"], label: "asyncioRun(a function)", where: "outside", act: () => asyncioRun(bad(aioCoro)), error: TYPE, message: /You passed a function: call it, e\.g\. asyncioRun\(main\(\)\)/ },
  { covers: ["asyncioRun"], label: "asyncioRun(coro, 'x')", where: "outside", act: () => asyncioRun(aioCoro(), bad("x")), error: TYPE, message: /options must be an object such as \{ debug, clock \}/ },
  { covers: ["asyncioRun"], label: "asyncioRun inside a running loop", where: "aio", act: () => asyncioRun(aioCoro()), error: RuntimeError, message: /cannot be called from a running event loop: in asyncio code, yield\* the coroutine/ },
  { covers: ["asyncio.run"], label: "asyncio.run(a function)", where: "outside", act: () => asyncio.run(bad(aioCoro)), error: TYPE, message: /You passed a function: call it, e\.g\. asyncioRun\(main\(\)\)/ },
  { covers: ["asyncio.Runner"], label: "new asyncio.Runner(null)", where: "outside", act: () => new asyncio.Runner(bad(null)), error: TYPE, message: /options must be an object such as \{ debug, clock \}/ },
  { covers: ["AsyncioRunner"], label: "new AsyncioRunner('x')", where: "outside", act: () => new AsyncioRunner(bad("x")), error: TYPE, message: /options must be an object such as \{ debug, clock \}/ },
  { covers: ["aioIterAsTrio", "AioIterReceiver"], label: "aioIterAsTrio(42)", where: "outside", act: () => aioIterAsTrio(bad(42)), error: TYPE, message: /needs an asyncio async iterator: an object whose next\(\) is a coroutine function, got number 42/ },
  { covers: ["trioIterAsAio", "TrioIterAio"], label: "trioIterAsAio(42)", where: "outside", act: () => trioIterAsAio(bad(42)), error: TYPE, message: /needs a Trio receive channel \(an object with receive\(\)\), got number 42/ },
  { covers: ["aioIterAsTrio"], label: "aioIterAsTrio(a revoked Proxy)", where: "outside", act: () => aioIterAsTrio(bad(revoked())), error: TYPE, message: /aioIterAsTrio\(iterator\) needs an asyncio async iterator.*got an object that cannot be inspected/ },
  { covers: ["trioIterAsAio"], label: "trioIterAsAio(a revoked Proxy)", where: "outside", act: () => trioIterAsAio(bad(revoked())), error: TYPE, message: /trioIterAsAio\(receiver\) needs a Trio receive channel.*got an object that cannot be inspected/ },
  {
    covers: ["waitFuture"],
    label: "waitFuture(a pending Future of a closed loop)",
    where: "trio",
    act: function* () {
      let saved: asyncio.Future<unknown> | null = null;
      yield* openLoop(function* (loop) {
        saved = loop.createFuture();
      });
      yield* waitFuture(saved!);
    },
    error: RuntimeError,
    message: /waitFuture\(future\): the Future is pending on a closed event loop.*Wait for a loop's Futures while its block runs/,
  },

  // ---- sync primitives ---------------------------------------------------------------------------
  { covers: ["openMemoryChannel", "MemorySendChannel", "MemoryReceiveChannel"], label: "openMemoryChannel('x')", where: "outside", act: () => openMemoryChannel(bad("x")), error: TYPE, message: /takes a number: 0 for an unbuffered channel, a positive integer, or Infinity/ },
  ...[-1, 1.5, NaN].map((v): Case => ({ covers: ["openMemoryChannel"], label: `openMemoryChannel(${v})`, where: "outside", act: () => openMemoryChannel(v), error: RANGE, message: /needs a non-negative integer or Infinity, got/ })),
  {
    covers: ["MemorySendChannel"],
    label: "send on a closed send channel",
    where: "trio",
    act: function* () {
      const [tx] = openMemoryChannel<number>(1);
      tx.close();
      yield* tx.send(1);
    },
    error: ClosedResourceError,
    message: /send\(\) on a send channel that was closed: this handle can no longer be used/,
  },
  {
    covers: ["MemoryReceiveChannel"],
    label: "receive after every sender closed",
    where: "trio",
    act: function* () {
      const [tx, rx] = openMemoryChannel<number>(1);
      tx.close();
      yield* rx.receive();
    },
    error: EndOfChannel,
    message: /Every send handle of the channel was closed/,
  },
  {
    covers: ["MemoryReceiveChannel"],
    label: "forEach(42)",
    where: "trio",
    act: () => openMemoryChannel<number>(1)[1].forEach(bad(42)),
    error: TYPE,
    message: /forEach\(body\) takes a generator function such as function\* \(value\)/,
  },
  { covers: ["MemorySendChannel"], label: "sendNowait on a full channel", where: "outside", act: () => openMemoryChannel<number>(0)[0].sendNowait(1), error: WouldBlock, message: /buffer is full.*use yield\* send\(value\) to wait for room/ },
  { covers: ["ParkingLot"], label: "unpark({ count: -1 })", where: "outside", act: () => new ParkingLot().unpark({ count: -1 }), error: RANGE, message: /needs a count that is a non-negative integer or Infinity, got -1/ },
  { covers: ["ParkingLot"], label: "unpark('x')", where: "outside", act: () => new ParkingLot().unpark(bad("x")), error: TYPE, message: /takes an options object such as \{ count: 2 \}/ },
  { covers: ["ParkingLot"], label: "repark(42)", where: "outside", act: () => new ParkingLot().repark(bad(42)), error: TYPE, message: /repark\(newLot\) needs a ParkingLot to move tasks to, got number 42/ },
  { covers: ["Lock", "StrictFIFOLock"], label: "Lock.release() not held", where: "trio", act: () => new Lock().release(), error: RuntimeError, message: /Lock\.release\(\): the lock is not held\. Release only after a successful acquire\(\)/ },
  {
    covers: ["Lock"],
    label: "Lock acquired twice by one task",
    where: "trio",
    act: function* () {
      const lock = new Lock();
      yield* lock.acquire();
      yield* lock.acquire();
    },
    error: RuntimeError,
    message: /already holds the lock, so waiting for it would deadlock.*release it first/,
  },
  { covers: ["StrictFIFOLock"], label: "StrictFIFOLock.release() not held", where: "trio", act: () => new StrictFIFOLock().release(), error: RuntimeError, message: /release\(\): the lock is not held\. Release only after a successful acquire\(\)/ },
  { covers: ["Semaphore"], label: "new Semaphore(-1)", where: "outside", act: () => new Semaphore(-1), error: RANGE, message: /initialValue must be a non-negative integer, got -1/ },
  { covers: ["Semaphore"], label: "new Semaphore('x')", where: "outside", act: () => new Semaphore(bad("x")), error: TYPE, message: /must be a non-negative integer, got "x"/ },
  { covers: ["Semaphore"], label: "new Semaphore(2, { maxValue: 1 })", where: "outside", act: () => new Semaphore(2, { maxValue: 1 }), error: RANGE, message: /maxValue \(1\) must be at least initialValue \(2\)/ },
  { covers: ["Semaphore"], label: "Semaphore released past maxValue", where: "trio", act: () => new Semaphore(1, { maxValue: 1 }).release(), error: RANGE, message: /released too many times.*Release only permits you acquired/ },
  { covers: ["CapacityLimiter"], label: "new CapacityLimiter(-1)", where: "outside", act: () => new CapacityLimiter(-1), error: RANGE, message: /totalTokens must be at least 0 \(or Infinity\), got -1/ },
  { covers: ["CapacityLimiter"], label: "new CapacityLimiter('x')", where: "outside", act: () => new CapacityLimiter(bad("x")), error: TYPE, message: /totalTokens must be a non-negative integer or Infinity, got "x"/ },
  { covers: ["CapacityLimiter"], label: "CapacityLimiter.release() not held", where: "trio", act: () => new CapacityLimiter(1).release(), error: RuntimeError, message: /holds none of the limiter's tokens\. Release only a token that was acquired, once/ },
  { covers: ["CapacityLimiter"], label: "acquireOnBehalfOfNowait(undefined)", where: "trio", act: () => new CapacityLimiter(1).acquireOnBehalfOfNowait(undefined), error: TYPE, message: /needs a borrower \(any value that identifies who holds the token\), got undefined/ },
  { covers: ["Condition"], label: "new Condition(42)", where: "outside", act: () => new Condition(bad(42)), error: TYPE, message: /new Condition\(lock\) takes a Lock \(or nothing, to make its own\), got number 42/ },
  { covers: ["Condition"], label: "Condition.wait() without the lock", where: "trio", act: () => new Condition().wait(), error: RuntimeError, message: /must hold the condition's lock; acquire it first/ },
  { covers: ["Condition"], label: "Condition.notify() without the lock", where: "trio", act: () => new Condition().notify(), error: RuntimeError, message: /must hold the condition's lock; acquire it first/ },
  { covers: ["ContextVar"], label: "ContextVar.run outside a run", where: "outside", act: () => new ContextVar("x").run(1, trioOp), error: RuntimeError, message: /ContextVar\(x\)\.run\(\) must be used inside a task of run\(\)/ },
  { covers: ["ContextVar"], label: "ContextVar.set outside a run", where: "outside", act: () => new ContextVar("x").set(1), error: RuntimeError, message: /ContextVar\(x\)\.set\(\) must be used inside a task of run\(\)/ },
  { covers: ["ContextVar", "Token"], label: "ContextVar.reset(42)", where: "trio", act: () => new ContextVar("x").reset(bad(42)), error: TYPE, message: /ContextVar\(x\)\.reset\(token\) needs the Token that ContextVar\(x\)\.set\(value\) returned, got number 42/ },
  { covers: ["ContextVar", "ValueError"], label: "ContextVar.reset(a token of another variable)", where: "trio", act: () => new ContextVar("x").reset(bad(new ContextVar("y").set(1))), error: ValueError, message: /the token was made by ContextVar\(y\)\.set\(\); reset it with that variable/ },
  { covers: ["Context", "copyContext"], label: "copyContext().run(42)", where: "outside", act: () => copyContext().run(bad(42)), error: TYPE, message: /Context\.run\(fn, \.\.\.args\) needs a function to call, got number 42/ },
  { covers: ["RunVar"], label: "new RunVar(42)", where: "outside", act: () => new RunVar(bad(42)), error: TYPE, message: /new RunVar\(name, defaultValue\?\) needs a string name, got number 42/ },
  { covers: ["RunVar"], label: "RunVar.get outside a run", where: "outside", act: () => new RunVar("x").get(), error: RuntimeError, message: /RunVar\(x\)\.get\(\) must be used inside run\(\)/ },
  { covers: ["RunVar", "LookupError"], label: "RunVar.get() with no value and no default", where: "trio", act: () => new RunVar("x").get(), error: LookupError, message: /RunVar\(x\) has no value in this run and no default: set\(\) it first/ },
  { covers: ["RunVar", "RunVarToken"], label: "RunVar.reset(null)", where: "trio", act: () => new RunVar("x").reset(bad(null)), error: TYPE, message: /RunVar\(x\)\.reset\(token\) needs the token that RunVar\(x\)\.set\(value\) returned, got null/ },

  // ---- inspector ---------------------------------------------------------------------------------
  { covers: ["inspector.subscribe"], label: "subscribe(42)", where: "outside", act: () => inspector.subscribe(bad(42)), error: TYPE, message: /subscribe\(listener\) needs a function that receives InspectorUpdate objects/ },
  { covers: ["inspector.cancel"], label: "cancel('thread', 1)", where: "outside", act: () => inspector.cancel(bad("thread"), 1), error: TYPE, message: /cancel\(kind, id\) takes kind "scope", "task" or "asyncioTask", got "thread"/ },
  { covers: ["inspector.cancel"], label: "cancel('task', 1.5)", where: "outside", act: () => inspector.cancel("task", 1.5), error: TYPE, message: /cancel\(kind, id\) needs an integer id, got number 1\.5/ },

  // ---- asyncio --------------------------------------------------------------------------------------
  ...durationRows("asyncio.sleep", (v) => asyncio.sleep(v), "aio", /asyncio sleep\(delay\) needs a number of seconds, got/).filter((c) => c.label.includes("string")),
  { covers: ["asyncio.sleep"], label: "asyncio.sleep(NaN)", where: "aio", act: () => asyncio.sleep(NaN), error: asyncio.ValueError, message: /Invalid delay: NaN \(not a number\)/ },
  { covers: ["asyncio.wrapPromise"], label: "wrapPromise(42)", where: "aio", act: () => asyncio.wrapPromise(bad(42)), error: TYPE, message: /wrapPromise\(promise\) needs a Promise or thenable/ },
  { covers: ["asyncio.wrapPromise"], label: "wrapPromise outside a loop", where: "trio", act: () => asyncio.wrapPromise(promise), error: RuntimeError, message: /No asyncio loop is running here.*aioAsTrio/ },
  { covers: ["asyncio.createTask", "asyncio.Task"], label: "createTask(a coroutine function)", where: "aio", act: () => asyncio.createTask(bad(aioCoro)), error: TYPE, message: /call it to get the coroutine, e\.g\. createTask\(main\(\)\) rather than createTask\(main\)/ },
  { covers: ["asyncio.createTask", "asyncio.Task"], label: "createTask(a Promise)", where: "aio", act: () => asyncio.createTask(bad(promise)), error: TYPE, message: /You passed a Promise: asyncio coroutines are generator functions \(function\*\)/ },
  { covers: ["asyncio.createTask"], label: "createTask(coro, { context: {} })", where: "aio", act: () => asyncio.createTask(aioCoro(), bad({ context: {} })), error: TYPE, message: /createTask\(coro, \{ context \}\) takes a Context \(from copyContext\(\) or task\.getContext\(\)\), got/ },
  { covers: ["asyncio.createTask"], label: "createTask outside a loop", where: "trio", act: () => asyncio.createTask(aioCoro()), error: RuntimeError, message: /No asyncio loop is running here/ },
  { covers: ["asyncio.ensureFuture"], label: "ensureFuture(42)", where: "aio", act: () => asyncio.ensureFuture(bad(42)), error: TYPE, message: /needs an asyncio Future, a coroutine \(the generator a function\* returns\) or a Promise; got number 42/ },
  { covers: ["asyncio.ensureFuture"], label: "ensureFuture(a coroutine function)", where: "aio", act: () => asyncio.ensureFuture(bad(aioCoro)), error: TYPE, message: /You passed a function: call it to get the coroutine/ },
  { covers: ["asyncio.allTasks"], label: "allTasks() outside a loop", where: "trio", act: () => asyncio.allTasks(), error: RuntimeError, message: /No asyncio loop is running here/ },
  { covers: ["asyncio.Future"], label: "new Future() outside a loop", where: "trio", act: () => new asyncio.Future(), error: RuntimeError, message: /No asyncio loop is running here/ },
  { covers: ["asyncio.Future"], label: "setException(undefined)", where: "aio", act: () => asyncio.getRunningLoop().createFuture().setException(undefined), error: TYPE, message: /setException\(\) needs an error object; got undefined/ },
  { covers: ["asyncio.Future", "asyncio.CancelledError"], label: "setException(CancelledError)", where: "aio", act: () => asyncio.getRunningLoop().createFuture().setException(new asyncio.CancelledError()), error: TYPE, message: /setException\(CancelledError\) is not allowed: call cancel\(\) to cancel a Future/ },
  {
    covers: ["asyncio.Future", "asyncio.InvalidStateError"],
    label: "setResult twice",
    where: "aio",
    act: () => {
      const f = asyncio.getRunningLoop().createFuture<number>();
      f.setResult(1);
      f.setResult(2);
    },
    error: asyncio.InvalidStateError,
    message: /setResult\(\) on a Future that is already FINISHED/,
  },
  { covers: ["asyncio.Future"], label: "result() of a pending Future", where: "aio", act: () => asyncio.getRunningLoop().createFuture().result(), error: asyncio.InvalidStateError, message: /Result is not set/ },
  { covers: ["asyncio.Future"], label: "addDoneCallback(42)", where: "aio", act: () => asyncio.getRunningLoop().createFuture().addDoneCallback(bad(42)), error: TYPE, message: /addDoneCallback\(\) needs a function to call, got number/ },
  { covers: ["asyncio.Task"], label: "task.setResult()", where: "aio", act: () => asyncio.createTask(aioCoro()).setResult(undefined), error: RuntimeError, message: /Task does not support setResult\(\): a Task's result is what its coroutine returns/ },
  {
    covers: ["asyncio.Future"],
    label: "awaiting a Future of another loop",
    where: "trio",
    act: function* () {
      let other: asyncio.Future<number> | null = null;
      yield* openLoop(function* (loop) {
        other = loop.createFuture<number>();
      });
      yield* openLoop(() =>
        aioAsTrio(function* (): asyncio.Coroutine<number> {
          return yield* other!;
        })(),
      );
    },
    error: RuntimeError,
    message: /awaited a Future attached to a different loop/,
  },
  { covers: ["asyncio.gather"], label: "gather(42)", where: "aio", act: () => asyncio.gather(bad(42)), error: TYPE, message: /^gather\(\) needs an asyncio Future, a coroutine \(the generator a function\* returns\) or a Promise; got number 42/ },
  { covers: ["asyncio.gather"], label: "gather(aw, { bad: 1 })", where: "aio", act: () => asyncio.gather(aioCoro(), bad({ bad: 1 })), error: TYPE, message: /gather\(\): unknown option "bad"; the only option is returnExceptions/ },
  { covers: ["asyncio.wait"], label: "wait(a single Future)", where: "aio", act: () => asyncio.wait(bad(asyncio.getRunningLoop().createFuture())), error: TYPE, message: /wait\(\) expects an array \(or other iterable\) of awaitables, not a single one: write wait\(\[x\]\)/ },
  { covers: ["asyncio.wait", "asyncio.ValueError"], label: "wait([])", where: "aio", act: () => asyncio.wait([]), error: asyncio.ValueError, message: /the set of Tasks\/Futures is empty/ },
  { covers: ["asyncio.wait"], label: "wait([coroutine])", where: "aio", act: () => asyncio.wait([bad(aioCoro())]), error: TYPE, message: /passing coroutines is forbidden; wrap each in a Task first: wait\(\[createTask\(work\(\)\)\]\)/ },
  { covers: ["asyncio.wait"], label: "wait(fs, { returnWhen: 'SOON' })", where: "aio", act: () => asyncio.wait([asyncio.getRunningLoop().createFuture()], bad({ returnWhen: "SOON" })), error: asyncio.ValueError, message: /invalid returnWhen SOON; use FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED/ },
  { covers: ["asyncio.wait"], label: "wait(fs, { timeout: NaN })", where: "aio", act: () => asyncio.wait([asyncio.getRunningLoop().createFuture()], { timeout: NaN }), error: TYPE, message: /wait\(fs, \{ timeout \}\) needs a number of seconds or null, got NaN/ },
  { covers: ["asyncio.waitFor"], label: "waitFor(aw) without a timeout", where: "aio", act: () => asyncio.waitFor(aioCoro(), bad(undefined)), error: TYPE, message: /waitFor\(aw, timeout\) needs a timeout: a number of seconds, or null for none/ },
  { covers: ["asyncio.waitFor"], label: "waitFor(aw, NaN)", where: "aio", act: () => asyncio.waitFor(aioCoro(), NaN), error: TYPE, message: /waitFor\(aw, timeout\) needs a number of seconds or null, got NaN/ },
  { covers: ["asyncio.waitFor"], label: "waitFor(42, 1)", where: "aio", act: () => asyncio.waitFor(bad(42), 1), error: TYPE, message: /waitFor\(\) needs an asyncio Future, a coroutine/ },
  { covers: ["asyncio.asCompleted"], label: "asCompleted(a single Future)", where: "aio", act: () => asyncio.asCompleted(bad(asyncio.getRunningLoop().createFuture())), error: TYPE, message: /asCompleted\(\) expects an array \(or other iterable\) of awaitables, not a single one/ },
  { covers: ["asyncio.asCompleted"], label: "asCompleted([], { timeout: 'x' })", where: "aio", act: () => asyncio.asCompleted([], bad({ timeout: "x" })), error: TYPE, message: /asCompleted\(aws, \{ timeout \}\) needs a number of seconds or null, got "x"/ },
  { covers: ["asyncio.shield"], label: "shield(42)", where: "aio", act: () => asyncio.shield(bad(42)), error: TYPE, message: /^shield\(aw\) needs an asyncio Future, a coroutine/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace(42, 1)", where: "aio", act: () => asyncio.staggeredRace(bad(42), 1), error: TYPE, message: /^staggeredRace\(coroFns, delay\) takes an array \(or other iterable\) of functions that return coroutines, got number 42/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace([a coroutine], 1)", where: "aio", act: () => asyncio.staggeredRace([bad(aioCoro())], 1), error: TYPE, message: /item 0 is a coroutine \(a generator object\), not a function that makes one; pass the function: \(\) => work\(url\)/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace([42], 1)", where: "aio", act: () => asyncio.staggeredRace([bad(42)], 1), error: TYPE, message: /item 0 is number 42; pass functions that return a coroutine, a Future or a Promise/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace([() => 42], 1)", where: "aio", act: () => asyncio.staggeredRace([bad(() => 42)], 1), error: TYPE, message: /item 0 \(anonymous\) returned number 42, not a coroutine, Future or Promise; a function\* or an async function will do/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace(fns) without a delay", where: "aio", act: () => asyncio.staggeredRace([aioCoro], bad(undefined)), error: TYPE, message: /^staggeredRace\(coroFns, delay\) needs a delay: a number of seconds, or null/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace(fns, NaN)", where: "aio", act: () => asyncio.staggeredRace([aioCoro], NaN), error: TYPE, message: /^staggeredRace\(coroFns, delay\) needs a number of seconds or null for delay, got NaN/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace(fns, -1)", where: "aio", act: () => asyncio.staggeredRace([aioCoro], -1), error: RANGE, message: /^staggeredRace\(coroFns, delay\) needs a delay of 0 seconds or more \(or null\), got -1/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace(fns, 1, 42)", where: "aio", act: () => asyncio.staggeredRace([aioCoro], 1, bad(42)), error: TYPE, message: /^staggeredRace\(coroFns, delay, options\) takes an options object such as \{ onLoser: \(socket\) => socket\.close\(\) \}, got number 42/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace(fns, 1, { onLoser: 42 })", where: "aio", act: () => asyncio.staggeredRace([aioCoro], 1, bad({ onLoser: 42 })), error: TYPE, message: /^staggeredRace\(coroFns, delay, options\): onLoser must be a function, called with each result the race drops, got number 42/ },
  { covers: ["asyncio.staggeredRace"], label: "staggeredRace(fns, 1, { onLoser: function* })", where: "aio", act: () => asyncio.staggeredRace([aioCoro], 1, bad({ onLoser: aioCoro })), error: TYPE, message: /onLoser is called synchronously, so a generator function's body would never run/ },
  { covers: ["asyncio.timeout"], label: "timeout('x')", where: "aio", act: () => asyncio.timeout(bad("x")), error: TYPE, message: /timeout\(delay\) needs a number of seconds \(or null for no deadline\), got "x"/ },
  { covers: ["asyncio.timeout"], label: "timeout(NaN)", where: "aio", act: () => asyncio.timeout(NaN), error: TYPE, message: /timeout\(delay\) needs a number of seconds \(or null for no deadline\), got NaN/ },
  { covers: ["asyncio.timeoutAt", "asyncio.Timeout"], label: "timeoutAt(NaN)", where: "aio", act: () => asyncio.timeoutAt(NaN), error: TYPE, message: /timeoutAt\(when\) needs a number of seconds.*got NaN/ },
  { covers: ["asyncio.Timeout"], label: "new Timeout('x')", where: "outside", act: () => new asyncio.Timeout(bad("x")), error: TYPE, message: /Timeout\(when\) needs a number of seconds \(or null for no deadline\)/ },
  { covers: ["asyncio.Timeout"], label: "Timeout.run(42)", where: "aio", act: () => asyncio.timeout(1).run(bad(42)), error: TYPE, message: /Timeout\.run\(body\) needs a generator function: run\(function\* \(cm\)/ },
  { covers: ["asyncio.Timeout"], label: "Timeout.reschedule() before entering", where: "aio", act: () => asyncio.timeout(1).reschedule(2), error: RuntimeError, message: /Timeout has not been entered: call reschedule\(\) inside its run\(\.\.\.\) block/ },
  {
    covers: ["asyncio.Timeout"],
    label: "a Timeout run twice",
    where: "aio",
    act: function* (): asyncio.Coroutine<void> {
      const t = asyncio.timeout(5);
      yield* t.run(aioCoro);
      yield* t.run(aioCoro);
    },
    error: RuntimeError,
    message: /Timeout has already been entered: make a new one for each block/,
  },
  { covers: ["asyncio.TaskGroup"], label: "TaskGroup.run(42)", where: "aio", act: () => asyncio.TaskGroup.run(bad(42)), error: TYPE, message: /TaskGroup\.run\(body\) needs a generator function: run\(function\* \(tg\)/ },
  {
    covers: ["asyncio.TaskGroup"],
    label: "TaskGroup.createTask after the block",
    where: "aio",
    act: function* (): asyncio.Coroutine<void> {
      let saved: asyncio.TaskGroup | null = null;
      yield* asyncio.TaskGroup.run(function* (tg) {
        saved = tg;
      });
      saved!.createTask(aioCoro());
    },
    error: RuntimeError,
    message: /is finished: it cannot take new tasks/,
  },
  ...(["Queue", "LifoQueue", "PriorityQueue"] as const).map(
    (k): Case => ({ covers: [`asyncio.${k}`], label: `new ${k}(-1)`, where: "aio", act: () => new asyncio[k](-1), error: asyncio.ValueError, message: /maxsize must be a number >= 0 \(0 means unbounded\), got -1/ }),
  ),
  { covers: ["asyncio.Queue"], label: "new Queue('x')", where: "outside", act: () => new asyncio.Queue(bad("x")), error: TYPE, message: /Queue maxsize must be a number >= 0 \(0 means unbounded\), got "x"/ },
  { covers: ["asyncio.Queue"], label: "taskDone() too many times", where: "aio", act: () => new asyncio.Queue().taskDone(), error: asyncio.ValueError, message: /taskDone\(\) called too many times: call it once per item taken with get\(\)/ },
  { covers: ["asyncio.Queue"], label: "shutdown('yes')", where: "aio", act: () => new asyncio.Queue().shutdown(bad("yes")), error: TYPE, message: /shutdown\(immediate\) takes a boolean \(default false\)/ },
  { covers: ["asyncio.Queue", "asyncio.QueueEmpty"], label: "getNowait() on an empty queue", where: "aio", act: () => new asyncio.Queue().getNowait(), error: asyncio.QueueEmpty, message: /Queue is empty: use yield\* queue\.get\(\) to wait for an item/ },
  {
    covers: ["asyncio.Queue", "asyncio.QueueFull"],
    label: "putNowait() on a full queue",
    where: "aio",
    act: () => {
      const q = new asyncio.Queue<number>(1);
      q.putNowait(1);
      q.putNowait(2);
    },
    error: asyncio.QueueFull,
    message: /Queue is full \(maxsize 1\): use yield\* queue\.put\(item\) to wait for room/,
  },
  {
    covers: ["asyncio.Queue", "asyncio.QueueShutDown"],
    label: "put() on a shut-down queue",
    where: "aio",
    act: function* (): asyncio.Coroutine<void> {
      const q = new asyncio.Queue<number>();
      q.shutdown();
      yield* q.put(1);
    },
    error: asyncio.QueueShutDown,
    message: /shut down/i,
  },
  { covers: ["asyncio.PriorityQueue"], label: "new PriorityQueue(0, { key: 42 })", where: "aio", act: () => new asyncio.PriorityQueue(0, bad({ key: 42 })), error: TYPE, message: /PriorityQueue option key must be a function \(item\) => priority, got 42/ },
  { covers: ["asyncio.PriorityQueue"], label: "new PriorityQueue(0, { key, compare })", where: "aio", act: () => new asyncio.PriorityQueue(0, bad({ key: () => 1, compare: () => 0 })), error: TYPE, message: /takes either a key or a compare option, not both/ },
  { covers: ["asyncio.comparePriorities"], label: "comparePriorities({}, {})", where: "outside", act: () => asyncio.comparePriorities({}, {}), error: TYPE, message: /PriorityQueue cannot order an object and an object.*\{ key: \(item\) => item\.priority \}/ },
  { covers: ["asyncio.Lock"], label: "asyncio Lock.release() unlocked", where: "aio", act: () => new asyncio.Lock().release(), error: RuntimeError, message: /Lock is not acquired: release\(\) was called more often than acquire\(\)/ },
  { covers: ["asyncio.Semaphore"], label: "new asyncio.Semaphore(-1)", where: "outside", act: () => new asyncio.Semaphore(-1), error: asyncio.ValueError, message: /Semaphore value must be an integer >= 0, got -1/ },
  {
    covers: ["asyncio.BoundedSemaphore"],
    label: "BoundedSemaphore released too often",
    where: "aio",
    act: () => new asyncio.BoundedSemaphore(1).release(),
    error: asyncio.ValueError,
    message: /released too many times.*release\(\) must match an acquire\(\)/,
  },
  { covers: ["asyncio.Barrier"], label: "new Barrier(0)", where: "outside", act: () => new asyncio.Barrier(0), error: asyncio.ValueError, message: /Barrier parties must be an integer >= 1, got 0/ },
  {
    covers: ["asyncio.Barrier", "asyncio.BrokenBarrierError"],
    label: "wait() on an aborted Barrier",
    where: "aio",
    act: function* (): asyncio.Coroutine<void> {
      const b = new asyncio.Barrier(2);
      yield* b.abort();
      yield* b.wait();
    },
    error: asyncio.BrokenBarrierError,
    message: /Barrier aborted: abort\(\) was called; reset\(\) it to use it again/,
  },
  { covers: ["asyncio.Condition"], label: "new asyncio.Condition(42)", where: "outside", act: () => new asyncio.Condition(bad(42)), error: TYPE, message: /new Condition\(lock\) takes an asyncio Lock \(or nothing, to make its own\)/ },
  { covers: ["asyncio.Condition"], label: "asyncio Condition.wait() without the lock", where: "aio", act: () => new asyncio.Condition().wait(), error: RuntimeError, message: /Condition\.wait\(\) needs the lock: acquire it first/ },
  {
    covers: ["asyncio.Event"],
    label: "an asyncio Event used on two loops",
    where: "trio",
    act: function* () {
      const e = new asyncio.Event();
      const waitOn = () => waitShort(e);
      yield* openLoop(() => aioAsTrio(waitOn)());
      yield* openLoop(() => aioAsTrio(waitOn)());
    },
    error: RuntimeError,
    message: /is bound to a different event loop.*Create one per openLoop\(\.\.\.\) block/,
  },
];

/** Waits on an asyncio Event for a short while, ignoring the timeout. */
function* waitShort(e: asyncio.Event): asyncio.Coroutine<void> {
  try {
    yield* asyncio.waitFor(e.wait(), 0.1);
  } catch (error) {
    if (!(error instanceof asyncio.TimeoutError)) throw error;
  }
}

/**
 * Exports with no input that can be wrong, or that only the runtime
 * constructs, with the reason. Every other export must appear in `cases`.
 */
export const skipped: Record<string, string> = {
  "asyncio.toThread": "runInExecutor(null, ...) under another name; its bad input (no default executor, unknown operation) is tested in test/workers/to-thread.test.ts and executor.test.ts",
  TaskState: "a constant",
  TASK_STATUS_IGNORED: "a constant; used via startSoon (covered under Nursery)",
  Runner: "constructed by run()/runWith() only; its options are covered under runWith",
  Task: "constructed by the runtime only (startSoon, start, run)",
  Nursery: "constructed by openNursery only; its methods are covered in rows labelled Nursery",
  ChildTasks: "a read-only view handed out by nursery.childTasks; takes no input",
  TrioFuture: "constructed by trioAsAio only",
  AioIterReceiver: "constructed by aioIterAsTrio (covered)",
  TrioIterAio: "constructed by trioIterAsAio (covered)",
  SystemClock: "takes no input",
  ContextVar: "covered: ContextVar.run outside a run",
  RuntimeError: "an error class",
  Cancelled: "an error class, raised by the runtime",
  TooSlowError: "an error class",
  BrokenResourceError: "an error class",
  ClosedResourceError: "an error class",
  EndOfChannel: "an error class",
  WouldBlock: "an error class",
  BusyResourceError: "an error class",
  RunFinishedError: "an error class",
  TrioInternalError: "an error class",
  TrioError: "an error class",
  valueOutcome: "accepts any value",
  errorOutcome: "accepts any value",
  isCancelled: "a predicate: accepts any value",
  "asyncio.Handle": "constructed by callSoon only",
  "asyncio.TimerHandle": "constructed by callLater/callAt only",
  "asyncio.GatheringFuture": "constructed by gather only",
  "asyncio.currentTask": "takes no input; null outside a Task",
  "asyncio.isCoroutine": "a predicate: accepts any value",
  "asyncio.isFuture": "a predicate: accepts any value",
  "asyncio.FIRST_COMPLETED": "a constant",
  "asyncio.FIRST_EXCEPTION": "a constant",
  "asyncio.ALL_COMPLETED": "a constant",
  "asyncio.TimeoutError": "an error class",
  "asyncio.AsyncioError": "an error class",
  "inspector.inspect": "takes no input",
  "inspector.subscriberCount": "takes no input",
  "inspector.creationStack": "accepts any id; unknown ids give undefined",
  "inspector.elementOf": "accepts any id; unknown ids (or tasks no binding placed) give null",
  "inspector.tasksByElement": "takes no input",
};

/**
 * Rows that found bugs: each of these gave an unclear error (a TypeError
 * from deep inside, or a wedged run) until it was fixed. Kept apart so the
 * history is visible; they run like every other row.
 */
export const regressions: Case[] = [
  {
    covers: ["reschedule"],
    label: "reschedule(null)",
    where: "trio",
    act: () => reschedule(bad(null)),
    error: TYPE,
    message: /reschedule\(task, outcome\) needs a Task \(the one that called waitTaskRescheduled\), got null/,
  },
  {
    covers: ["ContextVar"],
    label: "ContextVar.run(value, 42)",
    where: "trio",
    act: () => new ContextVar("x").run(1, bad(42)),
    error: TYPE,
    message: /ContextVar\(x\)\.run\(value, body\) needs a generator function as body, got number 42\.$/,
  },
  {
    covers: ["ExceptionGroup"],
    label: "ExceptionGroup.split(42)",
    where: "outside",
    act: () => new ExceptionGroup("x", [new Error("a")]).split(bad(42)),
    error: TYPE,
    message: /split\(matcher\) takes an error class \(or an array of them\) or a predicate function, got number 42/,
  },
  {
    covers: ["inspector.toTree"],
    label: "toTree(null)",
    where: "outside",
    act: () => inspector.toTree(bad(null)),
    error: TYPE,
    message: /toTree\(snapshot\) needs a snapshot from inspect\(\)/,
  },
  {
    covers: ["chooseMacrotask"],
    label: "chooseMacrotask(null)",
    where: "outside",
    act: () => chooseMacrotask(bad(null)),
    error: TYPE,
    message: /chooseMacrotask\(host\) needs an object of host globals \(such as globalThis\)/,
  },
  {
    covers: ["openLoop"],
    label: "openLoop driven from inside an asyncio callback",
    where: "trio",
    act: () =>
      openLoop(function* (loop) {
        loop.callSoon(() => {
          openLoop(trioOp).next();
        });
        yield* sleep(1);
      }),
    error: RuntimeError,
    message: /openLoop\(\) cannot be called from asyncio code \(a Task or a loop callback\).*Call it from a Trio task/,
  },
  {
    covers: ["waitTaskRescheduled", "Abort"],
    label: "an abort function that returns neither Abort.SUCCEEDED nor Abort.FAILED",
    where: "trio",
    act: () => moveOnAfter(1, () => waitTaskRescheduled(bad(() => undefined))),
    error: TYPE,
    message: /An abort function returned undefined; it must return Abort\.SUCCEEDED or Abort\.FAILED/,
  },
];
