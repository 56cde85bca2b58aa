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
 */
import { Effect } from "effect";
import { run as effectionRun, spawn as effectionSpawn, type Operation as EffectionOp, type Task as EffectionTask } from "effection";
import { checkpoint, openNursery, run, type Nursery, type Operation } from "../../src/index.js";
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

/** The bursts, by name. */
export const bursts: Record<string, () => PromiseLike<unknown>> = {
  ours: () => run(oursMain),
  "ours, spawner checkpoints every 1k": () => run(oursChunkedMain),
  "raw microtasks": asyncMain,
  effection: () => effectionRun(effectionMain),
  effect: () => Effect.runPromise(effectMain),
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
