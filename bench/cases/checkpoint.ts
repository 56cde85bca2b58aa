/**
 * Benchmark 2: the cost of a checkpoint.
 *
 * `yield* checkpoint()` is the scheduler's unit of cooperation: it checks
 * for cancellation and lets others run. Its natural baseline is
 * `await Promise.resolve()`, the cheapest way for an async function to let
 * others run. Measured as N sequential checkpoints in one task, and the same
 * N spread over 100 concurrent tasks (which exercises the run queue). Effect's
 * `Effect.yieldNow` is shown for reference.
 */
import { Effect } from "effect";
import { checkpoint, openNursery, run, type Nursery, type Operation } from "../../src/index.js";
import { expectEqual, type Comparison, type Impl } from "../lib/harness.js";
import { label } from "./spawn.js";

const TASKS = 100;
/** How many tasks the "many" shape runs at once (100, or 10k/100k alive at once). */
let taskCount = TASKS;
let perTask = 0;
let done = 0;

// ---- ours ---------------------------------------------------------------------
function* checkpointLoop(n: number): Operation<void> {
  for (let i = 0; i < n; i++) yield* checkpoint();
  done += n;
}
function* checkpointMany(nursery: Nursery): Operation<void> {
  for (let t = 0; t < taskCount; t++) nursery.startSoon(checkpointLoop, perTask);
}
function* oursMany(): Operation<void> {
  yield* openNursery(checkpointMany);
}

// ---- await Promise.resolve() ---------------------------------------------------------
async function awaitLoop(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
  done += n;
}
function awaitMany(): Promise<void[]> {
  const all: Promise<void>[] = new Array(taskCount);
  for (let t = 0; t < taskCount; t++) all[t] = awaitLoop(perTask);
  return Promise.all(all);
}

// ---- the floor: generators stepped round-robin, no scheduler ------------------------
// What any generator-driven runtime pays at least: a task's generator resumed
// through one yield* of a shared iterator (as `yield* checkpoint()` is), from
// a plain array queue, with no cancellation, no clock, no bookkeeping. It
// shows how much of ours is the scheduler and how much is the generator
// protocol itself.
const FLOOR_YIELD: IteratorYieldResult<number> = Object.freeze({ value: 0, done: false });
const FLOOR_DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
let floorFlag = false;
const floorIterator = {
  next(): IteratorResult<number, undefined> {
    floorFlag = !floorFlag;
    return floorFlag ? FLOOR_YIELD : FLOOR_DONE;
  },
  [Symbol.iterator]() {
    return this;
  },
};
function* floorLoop(n: number): Generator<number, void> {
  for (let i = 0; i < n; i++) yield* floorIterator;
  done += n;
}
function floorRoundRobin(tasks: number): Promise<void> {
  const queue: Generator<number, void>[] = [];
  for (let t = 0; t < tasks; t++) queue.push(floorLoop(perTask));
  let head = 0;
  while (head < queue.length) {
    const g = queue[head++]!;
    if (g.next().done !== true) queue.push(g);
    if (head > 4096) {
      queue.splice(0, head);
      head = 0;
    }
  }
  return Promise.resolve();
}

// ---- Effect --------------------------------------------------------------------------
const effectYieldLoop = Effect.gen(function* () {
  for (let i = 0; i < perTask; i++) yield* Effect.yieldNow;
  done += perTask;
});
let taskIndexes: number[] = [];
const effectYieldMany = Effect.suspend(() => Effect.forEach(taskIndexes, () => effectYieldLoop, { concurrency: "unbounded", discard: true }));

function impl(name: string, total: number, body: () => PromiseLike<unknown>): Impl {
  return {
    name,
    run: async () => {
      done = 0;
      await body();
      expectEqual(`${name} checkpoints`, done, total);
    },
  };
}

/** Checkpoint comparisons: one task, then 100 tasks, for `n` checkpoints in all. */
export function checkpointComparisons(n: number, withEffect: boolean): Comparison[] {
  const one = (name: string, body: () => PromiseLike<unknown>) =>
    impl(name, n, () => {
      perTask = n;
      return body();
    });
  const many = (name: string, body: () => PromiseLike<unknown>) =>
    impl(name, n, () => {
      taskCount = TASKS;
      perTask = n / TASKS;
      taskIndexes = Array.from({ length: TASKS }, (_, i) => i);
      return body();
    });
  const effectOne = withEffect ? [one("effect yieldNow", () => Effect.runPromise(effectYieldLoop))] : [];
  const effectMany = withEffect ? [many("effect yieldNow", () => Effect.runPromise(effectYieldMany))] : [];
  return [
    {
      id: `checkpoint/1-task/${label(n)}`,
      title: `${label(n)} sequential checkpoints in one task`,
      impls: [
        one("ours", () => run(checkpointLoop, n)),
        one("await Promise.resolve()", () => awaitLoop(n)),
        one("floor: bare generator, no scheduler", () => floorRoundRobin(1)),
        ...effectOne,
      ],
    },
    {
      id: `checkpoint/100-tasks/${label(n)}`,
      title: `${label(n)} checkpoints spread over 100 tasks`,
      impls: [
        many("ours", () => run(oursMany)),
        many("await Promise.resolve()", awaitMany),
        many("floor: bare generators round-robin, no scheduler", () => floorRoundRobin(TASKS)),
        ...effectMany,
      ],
    },
  ];
}

/**
 * Many tasks alive at once, each looping on checkpoints (issue 17's shape):
 * `tasks` tasks of `each` checkpoints, `run()` included, against as many
 * async functions looping on `await Promise.resolve()`.
 */
export function checkpointAliveComparisons(taskCounts: readonly number[], each: number, withEffect: boolean): Comparison[] {
  return taskCounts.map((tasks) => {
    const total = tasks * each;
    const many = (name: string, body: () => PromiseLike<unknown>) =>
      impl(name, total, () => {
        taskCount = tasks;
        perTask = each;
        if (taskIndexes.length !== tasks) taskIndexes = Array.from({ length: tasks }, (_, i) => i);
        return body();
      });
    return {
      id: `checkpoint/${label(tasks)}-tasks/${label(total)}`,
      title: `${label(tasks)} tasks alive at once, ${each} checkpoints each, run() included`,
      impls: [
        many("ours", () => run(oursMany)),
        many("await Promise.resolve()", awaitMany),
        many("floor: bare generators round-robin, no scheduler", () => floorRoundRobin(tasks)),
        ...(withEffect ? [many("effect yieldNow", () => Effect.runPromise(effectYieldMany))] : []),
      ],
    };
  });
}
