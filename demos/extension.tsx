/**
 * The devtools extension demo: a small, steady task tree (no short-lived
 * tasks, so two panels can be compared row for row), the in-page panel,
 * and `exposeInspector()` so the browser extension's panel can show it.
 * `?expose=later` waits for the "Expose the inspector" button instead;
 * `?crowd=N` adds N idle tasks and `?inpage=0` leaves the in-page panel out
 * (bench/extension-cost.ts measures the extension's cost with them).
 */
import { inspector, run, openNursery, sleep, moveOnAfter, sleepForever, abortable, waitPromise, openLoop, aioAsTrio, asyncio, type Operation } from "../src/index.js";
import { exposeInspector, mountDevtools, type ExposedInspector } from "../devtools/index.js";
import { frameGaps, mean, watchLongTasks } from "./shared/frame-stats.js";

const logList = document.getElementById("log")!;
const statusEl = document.getElementById("status")!;
const exposedEl = document.getElementById("exposed")!;

function log(text: string): void {
  const li = document.createElement("li");
  li.textContent = text;
  logList.appendChild(li);
}

function* fetcher(i: number): Operation<void> {
  const name = `fetcher-${i}`;
  try {
    const res = yield* abortable((signal) => fetch(`/api/playground/slow?ms=120000&tag=${name}`, { signal }));
    log(`${name} got ${JSON.stringify(yield* waitPromise(res.json()))}`);
  } finally {
    log(`${name} finally`);
  }
}

function* ticker(): Operation<void> {
  for (;;) yield* sleep(0.5);
}

function* deadlineWorker(): Operation<void> {
  for (;;) yield* moveOnAfter(45, sleepForever);
}

function* asyncioHost(): Operation<void> {
  yield* openLoop(function* (loop) {
    yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
      loop.createTask(
        (function* (): asyncio.Coroutine<void> {
          for (;;) yield* asyncio.sleep(0.7);
        })(),
        { name: "aio-worker" },
      );
      yield* asyncio.sleep(3600);
    })();
  });
}

const params = new URLSearchParams(location.search);
const crowd = Number(params.get("crowd") ?? 0);

function* main(): Operation<void> {
  yield* openNursery(function* (n) {
    if (crowd > 0)
      n.startSoonNamed("crowd", function* () {
        yield* openNursery(function* (c) {
          for (let i = 0; i < crowd; i++) c.startSoonNamed(`idle-${i}`, sleepForever);
        });
      });
    for (let i = 1; i <= 3; i++) n.startSoonNamed(`fetcher-${i}`, fetcher, i);
    n.startSoonNamed("ticker", ticker);
    n.startSoonNamed("deadline-worker", deadlineWorker);
    n.startSoonNamed("asyncio-host", asyncioHost);
    statusEl.textContent = "running";
  });
}

let exposed: ExposedInspector | null = null;
const expose = (): void => {
  exposed ??= exposeInspector();
  exposedEl.textContent = "exposed";
};
document.getElementById("expose")!.addEventListener("click", expose);
document.getElementById("unexpose")!.addEventListener("click", () => {
  exposed?.dispose();
  exposed = null;
  exposedEl.textContent = "not exposed";
});

/** Frame intervals and main-thread tasks over 50 ms (long tasks) in a window of `ms`. */
export interface FrameStats {
  frames: number;
  frameMeanMs: number;
  longTasks: number;
  longestTaskMs: number;
}

async function measure(ms: number): Promise<FrameStats> {
  const stop = watchLongTasks();
  const { gaps } = await frameGaps(ms);
  const long = stop();
  return { frames: gaps.length, frameMeanMs: mean(gaps), longTasks: long.length, longestTaskMs: Math.max(0, ...long) };
}

// For the e2e test and the bench: how many inspector subscriptions the page
// has (the in-page panel's, and the extension's while it watches), and frame figures.
(globalThis as { extensionDemo?: { subscribers(): number; measure(ms: number): Promise<FrameStats> } }).extensionDemo = {
  subscribers: () => inspector.subscriberCount(),
  measure,
};

if (params.get("expose") !== "later") expose();
if (params.get("inpage") !== "0") mountDevtools({ initiallyOpen: true, dock: "bottom", storageKey: "extension-demo" });
run(main).catch((error: unknown) => {
  statusEl.textContent = `failed: ${String(error)}`;
  console.error(error);
});
