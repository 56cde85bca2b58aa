/**
 * Benchmark 1: spawn and join N tiny tasks in one nursery.
 *
 * Every library runs the same workload: start N tasks whose body is a
 * generator that bumps a counter and returns, then wait for all of them.
 * Each is written the way its documentation shows (Trio nursery +
 * startSoon; Effection spawn + join; Effect forEach with unbounded
 * concurrency, and forkChild + Fiber.join; async functions + Promise.all).
 * Task functions are hoisted (module level), as the docs recommend, and the
 * size is read from a module variable so nothing allocates a closure per run.
 */
import { Effect, Fiber } from "effect";
import { run as effectionRun, spawn as effectionSpawn, type Operation as EffectionOp, type Task as EffectionTask } from "effection";
import { openNursery, run, type Nursery, type Operation } from "../../src/index.js";
import { expectEqual, type Comparison, type Impl } from "../lib/harness.js";

let size = 0;
let counter = 0;

// ---- ours -------------------------------------------------------------------
function* tiny(): Operation<void> {
  counter++;
}
function* spawnAll(nursery: Nursery): Operation<void> {
  for (let i = 0; i < size; i++) nursery.startSoon(tiny);
}
function* oursMain(): Operation<void> {
  yield* openNursery(spawnAll);
}

// ---- Effection ----------------------------------------------------------------
function* effectionTiny(): EffectionOp<void> {
  counter++;
}
function* effectionMain(): EffectionOp<void> {
  const tasks: EffectionTask<void>[] = new Array(size);
  for (let i = 0; i < size; i++) tasks[i] = yield* effectionSpawn(effectionTiny);
  for (let i = 0; i < size; i++) yield* tasks[i]!;
}

// ---- Effect -------------------------------------------------------------------
const effectTiny = Effect.gen(function* () {
  counter++;
});
let items: number[] = [];
const effectTinyFn = () => effectTiny;
const effectForEach = Effect.suspend(() => Effect.forEach(items, effectTinyFn, { concurrency: "unbounded", discard: true }));
const effectForkJoin = Effect.gen(function* () {
  const fibers: Fiber.Fiber<void>[] = new Array(size);
  for (let i = 0; i < size; i++) fibers[i] = yield* Effect.forkChild(effectTiny);
  for (let i = 0; i < size; i++) yield* Fiber.join(fibers[i]!);
});

// ---- async functions ------------------------------------------------------------
async function asyncTiny(): Promise<void> {
  counter++;
}
function asyncMain(): Promise<void[]> {
  const promises: Promise<void>[] = new Array(size);
  for (let i = 0; i < size; i++) promises[i] = asyncTiny();
  return Promise.all(promises);
}

// ---- the floor: bare generators, no scheduler ------------------------------------------
// Make N generators and run each to its end, in a plain loop: the least any
// generator-driven runtime does per task, before tasks, nurseries or queues.
function floorMain(): Promise<void> {
  const gens: Operation<void>[] = new Array(size);
  for (let i = 0; i < size; i++) gens[i] = tiny();
  for (let i = 0; i < size; i++) gens[i]!.next();
  return Promise.resolve();
}

function impl(name: string, n: number, body: () => PromiseLike<unknown>): Impl {
  return {
    name,
    run: async () => {
      size = n;
      counter = 0;
      if (items.length !== n) items = Array.from({ length: n }, (_, i) => i);
      await body();
      expectEqual(`${name} spawn ${n}`, counter, n);
    },
  };
}

/**
 * The spawn+join comparisons, one per size. Effection is measured apart
 * (spawnEffectionComparisons): its samples take seconds and leave a heap
 * that the next samples in the same rounds pay for. Measured in one Node
 * process, 10k tasks, per-round medians: beside Effection's samples, Effect
 * forEach took 54 ms and ours 5.0 ms (10.7x); without them 6.8 ms and
 * 1.8 ms (3.2x), while async+Promise.all stayed at ~1 ms.
 */
export function spawnComparisons(sizes: readonly number[]): Comparison[] {
  return sizes.map((n) => ({
    id: `spawn-join/${label(n)}`,
    title: `spawn and join ${label(n)} tiny tasks`,
    impls: [
      impl("ours", n, () => run(oursMain)),
      impl("async+Promise.all", n, asyncMain),
      impl("floor: bare generators", n, floorMain),
      impl("effect", n, () => Effect.runPromise(effectForEach)),
      impl("effect-fork", n, () => Effect.runPromise(effectForkJoin)),
    ],
  }));
}

/** Spawn+join, ours against Effection alone (see spawnComparisons for why apart). */
export function spawnEffectionComparisons(sizes: readonly number[]): Comparison[] {
  return sizes.map((n) => ({
    id: `spawn-join/vs-effection/${label(n)}`,
    title: `spawn and join ${label(n)} tiny tasks: ours vs Effection alone`,
    impls: [impl("ours", n, () => run(oursMain)), impl("effection", n, () => effectionRun(effectionMain))],
  }));
}

// ---- inline bodies: a fresh closure per task, as users often write it ---------------------
function* oursInlineSpawn(nursery: Nursery): Operation<void> {
  for (let i = 0; i < size; i++) {
    nursery.startSoon(function* () {
      counter++;
    });
  }
}
function* oursInlineMain(): Operation<void> {
  yield* openNursery(oursInlineSpawn);
}
function asyncInlineMain(): Promise<void[]> {
  const promises: Promise<void>[] = new Array(size);
  for (let i = 0; i < size; i++) {
    promises[i] = (async () => {
      counter++;
    })();
  }
  return Promise.all(promises);
}
// The floor of this shape: a generator made from a fresh closure per task and
// run to its end in a plain loop, no scheduler. V8 gives each generator
// function its own prototype and hidden class, made when its first generator
// is, which is most of what an inline body costs any generator-driven runtime.
// Resumed through the shared next(), as the runner does (see generatorNext).
const sharedNext = Object.getPrototypeOf(function* () {}.prototype).next as (this: Operation<void>) => unknown;
function floorInlineMain(): Promise<void> {
  const gens: Operation<void>[] = new Array(size);
  for (let i = 0; i < size; i++) {
    gens[i] = (function* (): Operation<void> {
      counter++;
    })();
  }
  for (let i = 0; i < size; i++) sharedNext.call(gens[i]!);
  return Promise.resolve();
}
const effectInline = Effect.suspend(() =>
  Effect.forEach(
    items,
    () =>
      Effect.gen(function* () {
        counter++;
      }),
    { concurrency: "unbounded", discard: true },
  ),
);

/**
 * Spawn and join with the task body written inline (a new generator
 * function per task), `run()` included in the timing: issue 17's shape.
 * Effection is left out (seconds per sample at 10k).
 */
export function spawnInlineComparisons(sizes: readonly number[]): Comparison[] {
  return sizes.map((n) => ({
    id: `spawn-join-inline/${label(n)}`,
    title: `spawn and join ${label(n)} tasks with inline bodies (a closure per task), run() included`,
    impls: [
      impl("ours", n, () => run(oursInlineMain)),
      impl("async+Promise.all", n, asyncInlineMain),
      impl("floor: bare inline generators", n, floorInlineMain),
      impl("effect", n, () => Effect.runPromise(effectInline)),
    ],
  }));
}

/** 1000 -> "1k". */
export function label(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}
