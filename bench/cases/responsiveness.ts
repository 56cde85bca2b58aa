/**
 * Benchmark 7 (Chromium only): does the page stay responsive during a burst
 * of 100k tiny tasks?
 *
 * While the burst runs (the spawn-and-join workload of benchmark 1), a
 * requestAnimationFrame loop records every frame, and the driver sends a
 * real mouse click (through the DevTools protocol, so the browser queues it
 * like user input) as soon as the page announces the burst. Reported:
 * - the largest gap between two frames around the burst (16.7 ms means no
 *   frame was missed; a burst that never yields shows its whole length);
 * - the click's input delay: from the event's timestamp (when the browser
 *   received it) to the moment its handler ran.
 * Raw microtasks (async functions + Promise.all) never yield to the
 * browser, which is the point of the comparison. A second "ours" variant
 * checkpoints every 1000 spawns, to separate the runtime's time slicing
 * from the one long step in which the body spawns 100k tasks.
 *
 * The asyncio rows run the same kind of burst on an asyncio loop (in
 * `openLoop`): N `loop.callSoon` callbacks at once, N `loop.createTask` of
 * a one-step coroutine, and one Future with N done callbacks. Each is one
 * loop iteration (CPython's `_run_once` rule): the loop must cut it where
 * the run's time slice ends, or the page freezes for the whole iteration.
 * With callbacks that do nothing, scheduling the burst (one step, which
 * nothing can cut) costs more than running it, so a fourth row gives each
 * of its callbacks some work ("busy callbacks"): there the iteration is
 * what would freeze the page.
 */
import { Effect } from "effect";
import { run as effectionRun, spawn as effectionSpawn, type Operation as EffectionOp, type Task as EffectionTask } from "effection";
import { aioAsTrio, asyncio, checkpoint, openLoop, openNursery, run, type Nursery, type Operation } from "../../src/index.js";
import { expectEqual } from "../lib/harness.js";

/** The console line that tells the driver to click now. */
export const BURST_START = "bench:burst-start";

let size = 0;
let counter = 0;

function* tiny(): Operation<void> {
  counter++;
}
function* spawnAll(nursery: Nursery): Operation<void> {
  for (let i = 0; i < size; i++) nursery.startSoon(tiny);
}
function* oursMain(): Operation<void> {
  yield* openNursery(spawnAll);
}
// The same burst, but the spawning body checkpoints every 1000 spawns: it
// shows how much of the frame gap is the single step that spawns 100k tasks.
function* spawnAllChunked(nursery: Nursery): Operation<void> {
  for (let i = 0; i < size; i++) {
    nursery.startSoon(tiny);
    if (i % 1000 === 999) yield* checkpoint();
  }
}
function* oursChunkedMain(): Operation<void> {
  yield* openNursery(spawnAllChunked);
}
function* effectionTiny(): EffectionOp<void> {
  counter++;
}
function* effectionMain(): EffectionOp<void> {
  const tasks: EffectionTask<void>[] = new Array(size);
  for (let i = 0; i < size; i++) tasks[i] = yield* effectionSpawn(effectionTiny);
  for (let i = 0; i < size; i++) yield* tasks[i]!;
}
const effectTiny = Effect.gen(function* () {
  counter++;
});
let items: number[] = [];
const effectMain = Effect.suspend(() => Effect.forEach(items, () => effectTiny, { concurrency: "unbounded", discard: true }));
async function asyncTiny(): Promise<void> {
  counter++;
}
function asyncMain(): Promise<void[]> {
  const promises: Promise<void>[] = new Array(size);
  for (let i = 0; i < size; i++) promises[i] = asyncTiny();
  return Promise.all(promises);
}

// ---- asyncio bursts: each schedules `size` jobs in one go and waits for the last.
let allDone: asyncio.Future<void> | null = null;
function countAndFinish(): void {
  if (++counter === size) allDone!.setResult(undefined);
}
function* aioCallSoonBurst(): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  allDone = loop.createFuture<void>();
  for (let i = 0; i < size; i++) loop.callSoon(countAndFinish);
  yield* allDone;
}
// About 2-4 µs of arithmetic per callback (a linear congruential generator), the same on every run.
// The result goes somewhere, so the optimiser cannot drop the work.
const sink = { value: 0 };
function busyCallback(): void {
  let x = counter;
  for (let i = 0; i < 2000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  sink.value ^= x;
  countAndFinish();
}
function* aioBusyCallSoonBurst(): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  allDone = loop.createFuture<void>();
  for (let i = 0; i < size; i++) loop.callSoon(busyCallback);
  yield* allDone;
}
function* aioTiny(): asyncio.Coroutine<void> {
  counter++;
}
function* aioCreateTaskBurst(): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const tasks: asyncio.Task<void>[] = new Array(size);
  for (let i = 0; i < size; i++) tasks[i] = loop.createTask(aioTiny());
  for (let i = 0; i < size; i++) yield* tasks[i]!;
}
function* aioDoneCallbackStorm(): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  allDone = loop.createFuture<void>();
  const future = loop.createFuture<void>();
  for (let i = 0; i < size; i++) future.addDoneCallback(countAndFinish);
  future.setResult(undefined);
  yield* allDone;
}
const aioCallSoonOp = aioAsTrio(aioCallSoonBurst);
const aioCreateTaskOp = aioAsTrio(aioCreateTaskBurst);
const aioDoneStormOp = aioAsTrio(aioDoneCallbackStorm);
const aioBusyCallSoonOp = aioAsTrio(aioBusyCallSoonBurst);
function inLoop(op: () => Operation<void>): () => Promise<void> {
  return () =>
    run(function* aioBurstHost() {
      yield* openLoop(op);
    });
}

/** The bursts, by name. */
export const bursts: Record<string, () => PromiseLike<unknown>> = {
  ours: () => run(oursMain),
  "ours, spawner checkpoints every 1k": () => run(oursChunkedMain),
  "raw microtasks": asyncMain,
  effection: () => effectionRun(effectionMain),
  effect: () => Effect.runPromise(effectMain),
  "asyncio callSoon": inLoop(aioCallSoonOp),
  "asyncio createTask": inLoop(aioCreateTaskOp),
  "asyncio done callbacks": inLoop(aioDoneStormOp),
  "asyncio callSoon, busy callbacks": inLoop(aioBusyCallSoonOp),
};

function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
}

/** Runs one burst of `n` tasks with `name`'s implementation and measures frames and a click. */
export async function measureBurst(name: string, n: number): Promise<Record<string, number>> {
  const body = bursts[name];
  if (body === undefined) throw new Error(`unknown burst implementation ${name}`);
  let button = document.getElementById("click-target");
  if (button === null) {
    button = document.createElement("button");
    button.id = "click-target";
    button.textContent = "click target";
    button.style.cssText = "position:fixed;left:0;top:0;width:200px;height:200px";
    document.body.appendChild(button);
  }
  let clickHandledAt = NaN;
  let clickStamp = NaN;
  const onClick = (ev: MouseEvent) => {
    clickHandledAt = performance.now();
    clickStamp = ev.timeStamp;
  };
  button.addEventListener("click", onClick);
  const frames: number[] = [];
  let frameLoop = true;
  const onFrame = () => {
    frames.push(performance.now());
    if (frameLoop) requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
  for (let i = 0; i < 4; i++) await nextFrame();
  size = n;
  counter = 0;
  if (items.length !== n) items = Array.from({ length: n }, (_, i) => i);
  console.log(BURST_START);
  const start = performance.now();
  await body();
  const end = performance.now();
  expectEqual(`${name} burst`, counter, n);
  // Let the click arrive if it has not yet, and a few frames after the burst.
  const waitUntil = performance.now() + 1000;
  while (Number.isNaN(clickHandledAt) && performance.now() < waitUntil) await nextFrame();
  for (let i = 0; i < 3; i++) await nextFrame();
  frameLoop = false;
  button.removeEventListener("click", onClick);
  let maxGap = 0;
  for (let i = 1; i < frames.length; i++) {
    if (frames[i]! < start) continue;
    if (frames[i - 1]! > end) break;
    maxGap = Math.max(maxGap, frames[i]! - frames[i - 1]!);
  }
  return {
    "burst ms": end - start,
    "max frame gap": maxGap,
    "click delay": clickHandledAt - clickStamp,
    "click landed mid-burst": clickStamp >= start && clickStamp <= end ? 1 : 0,
  };
}
