/**
 * The devtools playground: a page running real, varied work so the panel
 * has something to show, and so the end-to-end tests and the panel-cost
 * benchmark drive a real page in a real browser.
 *
 * Normal mode runs the work and mounts the panel open. `?bench` mode runs
 * nothing by itself: `window.playground` lets the benchmark start a CPU
 * workload and open or close the panel in the same page.
 */
import {
  run,
  openNursery,
  sleep,
  sleepForever,
  moveOnAfter,
  checkpoint,
  currentStatistics,
  type RunStatistics,
  CancelScope,
  abortable,
  waitPromise,
  openLoop,
  aioAsTrio,
  asyncio,
  inspector,
  type Nursery,
  type Operation,
} from "../src/index.js";
import { mountDevtools, type MountedDevtools } from "../devtools/index.js";
import { frameGaps, mean, watchLongTasks } from "./shared/frame-stats.js";

const params = new URLSearchParams(location.search);
const benchMode = params.has("bench");
const logList = document.getElementById("log")!;
const statusEl = document.getElementById("status")!;
const ticksEl = document.getElementById("ticks")!;

function log(text: string): void {
  const li = document.createElement("li");
  li.textContent = text;
  li.dataset.testid = "log-entry";
  logList.appendChild(li);
  logList.scrollTop = logList.scrollHeight;
}

// ---- the work ------------------------------------------------------------

function* fetcher(i: number): Operation<void> {
  const name = `fetcher-${i}`;
  try {
    log(`${name} started`);
    const res = yield* abortable((signal) => fetch(`/api/playground/slow?ms=120000&tag=${name}`, { signal }));
    const body = yield* waitPromise(res.json());
    log(`${name} got ${JSON.stringify(body)}`);
  } finally {
    log(`${name} finally`);
  }
}

function* ticker(): Operation<void> {
  for (let n = 1; ; n++) {
    yield* sleep(0.5);
    ticksEl.textContent = String(n);
  }
}

function* deadlineWorker(): Operation<void> {
  for (;;) {
    yield* moveOnAfter(45, function* () {
      yield* sleepForever();
    });
    log("deadline-worker: its scope ended, starting again");
  }
}

function* shielded(): Operation<void> {
  yield* new CancelScope({ shield: true }).run(function* () {
    yield* sleep(3600);
  });
}

function* supervisor(): Operation<void> {
  try {
    yield* openNursery(function* (n) {
      n.startSoonNamed("crasher", function* () {
        yield* sleep(1);
        throw new Error("the playground's crasher failed on purpose");
      });
      n.startSoonNamed("crasher's sibling", function* () {
        yield* sleepForever();
      });
    });
  } catch (error) {
    log(`supervisor caught: ${String(error)}`);
  }
  yield* sleepForever();
}

function* blips(): Operation<void> {
  yield* openNursery(function* (n) {
    for (let i = 1; ; i++) {
      n.startSoonNamed(`blip-${i}`, function* () {
        yield* sleep(0.3);
      });
      yield* sleep(0.4);
    }
  });
}

function* asyncioHost(): Operation<void> {
  yield* openLoop(function* (loop) {
    yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
      const pending = loop.createFuture<string>();
      pending.addDoneCallback(function onPendingResolved() {});
      const worker = loop.createTask(
        (function* (): asyncio.Coroutine<void> {
          for (;;) yield* asyncio.sleep(0.7);
        })(),
        { name: "aio-worker" },
      );
      worker.addDoneCallback(function onWorkerDone() {});
      const waiter = loop.createTask(
        (function* (): asyncio.Coroutine<string> {
          return yield* pending;
        })(),
        { name: "aio-waiter" },
      );
      void waiter;
      yield* asyncio.sleep(3600);
    })();
  });
}

let crowd: Nursery | null = null;

function* crowdKeeper(): Operation<void> {
  yield* openNursery(function* (n) {
    crowd = n;
    yield* sleepForever();
  });
}

function* main(): Operation<void> {
  yield* openNursery(function* (n) {
    for (let i = 1; i <= 3; i++) n.startSoonNamed(`fetcher-${i}`, fetcher, i);
    n.startSoonNamed("ticker", ticker);
    n.startSoonNamed("deadline-worker", deadlineWorker);
    n.startSoonNamed("shielded", shielded);
    n.startSoonNamed("supervisor", supervisor);
    n.startSoonNamed("blips", blips);
    n.startSoonNamed("asyncio-host", asyncioHost);
    n.startSoonNamed("crowd", crowdKeeper);
    statusEl.textContent = "running";
  });
}

document.getElementById("spawn-crowd")!.addEventListener("click", () => {
  const n = crowd;
  if (n === null) return;
  for (let i = 0; i < 10_000; i++) n.startSoonNamed(`sleeper-${i}`, sleepForever);
  statusEl.textContent = "running (+10,000 tasks)";
});

document.getElementById("cancel-crowd")!.addEventListener("click", () => {
  // Restart the keeper's nursery: cancel it and open a new one.
  const n = crowd;
  if (n === null) return;
  for (const t of n.childTasks) t.cancel("cancelled from the page");
  statusEl.textContent = "running";
});

// ---- bench mode ------------------------------------------------------------

/** Frame and throughput figures over a measuring window. */
export interface Measurement {
  frames: number;
  frameMeanMs: number;
  frameP95Ms: number;
  stepsPerSecond: number;
}

/** What the benchmark drives (bench mode only). */
export interface PlaygroundControl {
  /** Starts `busy` tasks that checkpoint in a loop and `idle` sleeping tasks. */
  startLoad(busy: number, idle: number): void;
  stopLoad(): Promise<void>;
  mountPanel(): void;
  unmountPanel(): void;
  /** Mounts a closed panel that records while closed (recordWhileClosed). */
  mountRecorder(): void;
  unmountRecorder(): void;
  /** Measures animation frame intervals and scheduler steps for `ms` milliseconds. */
  measure(ms: number): Promise<Measurement>;
  /**
   * Opens the panel (it must be unmounted) and measures what opening costs:
   * the inspector's walk alone, the time to the first tree rows, the longest
   * main-thread task while opening, and the longest one over `idleMs` of the
   * open panel afterwards (and over the same time before, panel closed).
   */
  measureOpen(idleMs: number): Promise<OpenMeasurement>;
}

/** What opening the panel costs (bench mode). */
export interface OpenMeasurement {
  /** One `inspector.inspect()` walk of the page's tasks, in ms. */
  walkMs: number;
  /** From the mount call to the first task rows in the tree, in ms. */
  firstRowsMs: number;
  /** Rows in the tree then. */
  rows: number;
  /**
   * The work of the first frame after the mount (its animation-frame callbacks, style, layout
   * and paint), in ms: from the start of that frame to a message posted from it. Added to
   * `firstRowsMs` it is the main thread's work until the rows are painted, the wait for the
   * frame's turn (vsync) left out.
   */
  firstFrameMs: number;
  /** The longest main-thread task (Long Tasks API, ≥ 50 ms) from the mount to the first rows, or 0. */
  longestWhileOpeningMs: number;
  /** The longest main-thread task over `idleMs` with the panel open, or 0. */
  longestWhileOpenMs: number;
  /** The same over `idleMs` before, with the panel closed. */
  longestWhileClosedMs: number;
}

/**
 * Times the next frame's work: a frame callback registered now runs first in that frame; a
 * message it posts is handled once the frame's rendering (style, layout, paint) is done.
 */
function nextFrameWork(): Promise<number> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const start = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve(performance.now() - start);
      };
      channel.port2.postMessage(null);
    });
  });
}

/** Collects long tasks (≥ 50 ms) until stopped; returns the longest (0 for none). */
function watchLongest(): () => number {
  const stop = watchLongTasks();
  return () => Math.max(0, ...stop());
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves when task rows first appear in the panel's tree (a MutationObserver on its shadow
 * root, so the time is when they enter the DOM, not the next frame after): the time and the
 * row count.
 */
function firstRows(): Promise<{ at: number; rows: number }> {
  const count = () => document.querySelector("[data-trio-asyncio-devtools]")?.shadowRoot?.querySelectorAll('[role="treeitem"]').length ?? 0;
  return new Promise((resolve) => {
    const now = count();
    if (now > 0) {
      resolve({ at: performance.now(), rows: now });
      return;
    }
    const shadow = document.querySelector("[data-trio-asyncio-devtools]")?.shadowRoot;
    if (shadow === null || shadow === undefined) throw new Error("measureOpen: the panel has no shadow root yet");
    const observer = new MutationObserver(() => {
      const rows = count();
      if (rows === 0) return;
      observer.disconnect();
      resolve({ at: performance.now(), rows });
    });
    observer.observe(shadow, { childList: true, subtree: true });
  });
}

let panel: MountedDevtools | null = null;
let recorder: MountedDevtools | null = null;

if (benchMode) {
  let cancel: CancelScope | null = null;
  let done: Promise<void> = Promise.resolve();
  let stats: RunStatistics | null = null;
  const control: PlaygroundControl = {
    startLoad(busy, idle) {
      done = run(function* () {
        stats = currentStatistics();
        yield* new CancelScope().run(function* (scope) {
          cancel = scope;
          yield* openNursery(function* (n) {
            for (let i = 0; i < idle; i++) n.startSoonNamed(`idle-${i}`, sleepForever);
            for (let i = 0; i < busy; i++)
              n.startSoonNamed(`busy-${i}`, function* () {
                for (;;) yield* checkpoint();
              });
          });
        });
      });
    },
    async stopLoad() {
      (cancel as CancelScope | null)?.cancel("bench over");
      await done;
      cancel = null;
      stats = null;
    },
    mountPanel() {
      panel ??= mountDevtools({ initiallyOpen: true, storageKey: "devtools-playground-bench" });
    },
    unmountPanel() {
      panel?.unmount();
      panel = null;
    },
    mountRecorder() {
      // Closed, recording from now on (its own storage key, so it stays closed).
      recorder ??= mountDevtools({ initiallyOpen: false, recordWhileClosed: true, storageKey: "devtools-playground-bench-recorder" });
    },
    unmountRecorder() {
      recorder?.unmount();
      recorder = null;
    },
    async measure(ms) {
      const steps0 = stats?.steps ?? 0;
      const { gaps, elapsedMs } = await frameGaps(ms);
      const sorted = [...gaps].sort((a, b) => a - b);
      return {
        frames: sorted.length,
        frameMeanMs: mean(sorted),
        frameP95Ms: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
        stepsPerSecond: (((stats?.steps ?? 0) - steps0) / elapsedMs) * 1000,
      };
    },
    async measureOpen(idleMs) {
      const closedWatch = watchLongest();
      await pause(idleMs);
      const longestWhileClosedMs = closedWatch();
      const w0 = performance.now();
      inspector.inspect();
      const walkMs = performance.now() - w0;
      const openingWatch = watchLongest();
      const frame = nextFrameWork();
      const t0 = performance.now();
      control.mountPanel();
      const shown = await firstRows();
      const firstFrameMs = await frame;
      // Long task entries arrive after the task: give the observer a frame.
      await pause(100);
      const longestWhileOpeningMs = openingWatch();
      const openWatch = watchLongest();
      await pause(idleMs);
      const longestWhileOpenMs = openWatch();
      control.unmountPanel();
      return { walkMs, firstRowsMs: shown.at - t0, rows: shown.rows, firstFrameMs, longestWhileOpeningMs, longestWhileOpenMs, longestWhileClosedMs };
    },
  };
  (globalThis as { playground?: PlaygroundControl }).playground = control;
  statusEl.textContent = "bench mode";
} else {
  // ?record: the panel starts closed but records from page load (recordWhileClosed).
  panel = new URLSearchParams(location.search).has("record")
    ? mountDevtools({ recordWhileClosed: true, storageKey: "devtools-playground-record" })
    : mountDevtools({ initiallyOpen: true, storageKey: "devtools-playground" });
  run(main).catch((error: unknown) => {
    statusEl.textContent = `failed: ${String(error)}`;
    console.error(error);
  });
}
