/**
 * Benchmark 8: memory per suspended task.
 *
 * Start N tasks that park forever (ours: `sleepForever()`, with a hoisted
 * body and with an inline one, a closure per task; asyncio: Tasks waiting on
 * a Future each, hoisted and inline; Effection: `suspend()`, Effect:
 * `Effect.never`), wait until all are parked, and
 * divide the growth of the live heap by N. A full GC runs before each
 * reading, so only what the parked tasks keep alive is counted: the task
 * object, its generator, its entry in the nursery, and whatever the wait
 * allocated. Needs `gc()` (Node `--expose-gc`; Chromium
 * `--js-flags=--expose-gc`) and a precise heap reading (Node
 * `process.memoryUsage()`; Chromium `--enable-precise-memory-info`).
 */
import { Effect } from "effect";
import { run as effectionRun, sleep as effectionSleep, spawn as effectionSpawn, suspend, type Operation as EffectionOp } from "effection";
import { asyncio, checkpoint, openNursery, run, sleepForever, type Nursery, type Operation } from "../../src/index.js";
import { collectGarbage, expectEqual, median, type Metric } from "../lib/harness.js";

/** The live JS heap in bytes, or undefined where the host cannot tell. */
export function heapUsed(): number | undefined {
  const proc = (globalThis as { process?: { memoryUsage?: () => { heapUsed: number } } }).process;
  if (typeof proc?.memoryUsage === "function") return proc.memoryUsage().heapUsed;
  const mem = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return mem?.usedJSHeapSize;
}

let size = 0;
let parked = 0;
let before = 0;
let perTask = 0;

function measureBefore(): void {
  collectGarbage();
  before = heapUsed() ?? NaN;
}
function measureAfter(): void {
  collectGarbage();
  perTask = ((heapUsed() ?? NaN) - before) / size;
}

// ---- ours -------------------------------------------------------------------------
function* parkedTask(): Operation<void> {
  parked++;
  yield* sleepForever();
}
function* parkAll(nursery: Nursery): Operation<void> {
  measureBefore();
  for (let i = 0; i < size; i++) nursery.startSoon(parkedTask);
  yield* checkpoint();
  expectEqual("ours parked", parked, size);
  measureAfter();
  nursery.cancelScope.cancel();
}
function* oursMain(): Operation<void> {
  yield* openNursery(parkAll);
}

// The same with the body written inline: a new generator function (a closure) per task.
function* parkAllInline(nursery: Nursery): Operation<void> {
  measureBefore();
  for (let i = 0; i < size; i++) {
    nursery.startSoon(function* () {
      parked++;
      yield* sleepForever();
    });
  }
  yield* checkpoint();
  expectEqual("ours inline parked", parked, size);
  measureAfter();
  nursery.cancelScope.cancel();
}
function* oursInlineMain(): Operation<void> {
  yield* openNursery(parkAllInline);
}

// ---- asyncio: Tasks each waiting on a Future of their own; asyncio.run cancels them at the end ----
function* aioParked(): asyncio.Coroutine<void> {
  parked++;
  yield* asyncio.getRunningLoop().createFuture<void>();
}
function* aioMain(inline: boolean): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  measureBefore();
  for (let i = 0; i < size; i++) {
    loop.createTask(
      inline
        ? (function* (): asyncio.Coroutine<void> {
            parked++;
            yield* loop.createFuture<void>();
          })()
        : aioParked(),
    );
  }
  yield* asyncio.sleep(0); // runs after every task's first step
  expectEqual("asyncio parked", parked, size);
  measureAfter();
}

// ---- Effection -----------------------------------------------------------------------
function* effectionParked(): EffectionOp<void> {
  parked++;
  yield* suspend();
}
function* effectionMain(): EffectionOp<void> {
  measureBefore();
  for (let i = 0; i < size; i++) yield* effectionSpawn(effectionParked);
  while (parked < size) yield* effectionSleep(0);
  measureAfter();
}

// ---- Effect --------------------------------------------------------------------------------
const effectParked = Effect.gen(function* () {
  parked++;
  yield* Effect.never;
});
const effectMain = Effect.gen(function* () {
  measureBefore();
  for (let i = 0; i < size; i++) yield* Effect.forkChild(effectParked);
  while (parked < size) yield* Effect.yieldNow;
  measureAfter();
});

// ---- floors: bare generators suspended at a yield, no runtime ------------------------------
// What a parked generator costs before any scheduler's bookkeeping: hoisted,
// and made from a fresh closure each (V8 then also keeps a prototype object
// and a hidden class per closure). Started through the shared next(), as the
// runner starts tasks.
const sharedNext = Object.getPrototypeOf(function* () {}.prototype).next as (this: Generator) => unknown;
let floorKept: Generator[] = [];
function* bareParked(): Generator<void, void> {
  parked++;
  yield;
}
function floorMain(inline: boolean): Promise<void> {
  measureBefore();
  floorKept = new Array<Generator>(size);
  for (let i = 0; i < size; i++) {
    const gen = inline
      ? (function* (): Generator<void, void> {
          parked++;
          yield;
        })()
      : bareParked();
    sharedNext.call(gen);
    floorKept[i] = gen;
  }
  expectEqual("floor parked", parked, size);
  measureAfter();
  floorKept = [];
  return Promise.resolve();
}

const impls: [string, () => PromiseLike<unknown>][] = [
  ["floor: bare generator", () => floorMain(false)],
  ["floor: bare inline generator", () => floorMain(true)],
  ["ours", () => run(oursMain)],
  ["ours inline", () => run(oursInlineMain)],
  ["asyncio", () => asyncio.run(aioMain(false))],
  ["asyncio inline", () => asyncio.run(aioMain(true))],
  ["effection", () => effectionRun(effectionMain)],
  ["effect", () => Effect.runPromise(effectMain)],
];

/** Bytes per parked task, median of `rounds` rounds, for each library. */
export function memoryMetric(n: number, rounds: number): Metric {
  return {
    id: `memory/${n}`,
    title: `heap per suspended task (${n} parked tasks)`,
    unit: "bytes",
    measure: async () => {
      if (heapUsed() === undefined || typeof (globalThis as { gc?: unknown }).gc !== "function") {
        return { unavailable: NaN };
      }
      const per: Record<string, number[]> = {};
      for (let r = 0; r < rounds; r++) {
        for (const [name, body] of r % 2 === 0 ? impls : [...impls].reverse()) {
          size = n;
          parked = 0;
          await body();
          (per[name] ??= []).push(perTask);
        }
      }
      const out: Record<string, number> = {};
      for (const [name] of impls) out[name] = median(per[name]!);
      return out;
    },
  };
}
