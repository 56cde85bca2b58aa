/**
 * Benchmark 4: cancel a scope holding N sleeping tasks and wait until every
 * `finally` has run.
 *
 * Only the cancellation is timed (each implementation returns its own
 * duration): from the call that cancels (cancelScope.cancel(), task.halt(),
 * Fiber.interrupt) to the moment the scope has closed with every cleanup
 * done. The tasks are first started and put to sleep for a long time.
 * Each library sleeps the way its docs show, so Effection and Effect each
 * hold one host timer per sleeper, while ours keeps one deadline heap.
 */
import { Effect, Fiber } from "effect";
import { run as effectionRun, sleep as effectionSleep, spawn as effectionSpawn, suspend, type Operation as EffectionOp } from "effection";
import { checkpoint, openNursery, run, sleep, type Nursery, type Operation } from "../../src/index.js";
import { expectEqual, type Comparison, type Impl } from "../lib/harness.js";
import { label } from "./spawn.js";

let size = 0;
let started = 0;
let finals = 0;
let elapsed = 0;

// ---- ours --------------------------------------------------------------------------
function* sleeper(): Operation<void> {
  started++;
  try {
    yield* sleep(10_000);
  } finally {
    finals++;
  }
}
function* holder(nursery: Nursery): Operation<void> {
  for (let i = 0; i < size; i++) nursery.startSoon(sleeper);
  yield* checkpoint(); // the children run first (FIFO) and go to sleep
  expectEqual("ours sleepers started", started, size);
  elapsed = performance.now();
  nursery.cancelScope.cancel();
}
function* oursMain(): Operation<void> {
  yield* openNursery(holder);
  elapsed = performance.now() - elapsed;
}

// ---- Effection -------------------------------------------------------------------------
function* effectionSleeper(): EffectionOp<void> {
  started++;
  try {
    yield* effectionSleep(10_000_000);
  } finally {
    finals++;
  }
}
function* effectionHolder(): EffectionOp<void> {
  for (let i = 0; i < size; i++) yield* effectionSpawn(effectionSleeper);
  yield* suspend();
}
function* effectionMain(): EffectionOp<void> {
  const task = yield* effectionSpawn(effectionHolder);
  while (started < size) yield* effectionSleep(0);
  elapsed = performance.now();
  yield* task.halt();
  elapsed = performance.now() - elapsed;
}

// ---- Effect -------------------------------------------------------------------------------
const effectSleeper = Effect.gen(function* () {
  started++;
  yield* Effect.sleep("10000 seconds");
}).pipe(
  Effect.ensuring(
    Effect.sync(() => {
      finals++;
    }),
  ),
);
let items: number[] = [];
const effectHolder = Effect.suspend(() => Effect.forEach(items, () => effectSleeper, { concurrency: "unbounded", discard: true }));
const effectMain = Effect.gen(function* () {
  const fiber = yield* Effect.forkChild(effectHolder);
  while (started < size) yield* Effect.yieldNow;
  elapsed = performance.now();
  yield* Fiber.interrupt(fiber);
  elapsed = performance.now() - elapsed;
});

function impl(name: string, n: number, body: () => PromiseLike<unknown>): Impl {
  return {
    name,
    run: async () => {
      size = n;
      started = 0;
      finals = 0;
      if (items.length !== n) items = Array.from({ length: n }, (_, i) => i);
      await body();
      expectEqual(`${name} finally blocks run`, finals, n);
      return elapsed;
    },
  };
}

/** Cancel comparisons for each size. */
export function cancelComparisons(sizes: readonly number[]): Comparison[] {
  return sizes.map((n) => ({
    id: `cancel/${label(n)}`,
    title: `cancel a scope of ${label(n)} sleeping tasks, until every finally ran`,
    impls: [
      impl("ours", n, () => run(oursMain)),
      impl("effection", n, () => effectionRun(effectionMain)),
      impl("effect", n, () => Effect.runPromise(effectMain)),
    ],
  }));
}
