/**
 * The devtools panel against hostile values and load (for
 * e2e/devtools-hostile.e2e.ts). Nothing runs by itself: `window.hostile`
 * starts runs whose names, cancel reasons, errors, waits and results are
 * hostile (HTML, control characters, a megabyte of text, revoked Proxies,
 * getters that throw, objects with no prototype, cyclic results), runs with
 * many tasks, deep nesting or fast churn, mounts the panel with a store the
 * test can read, and measures frames and long tasks.
 * `?expose=1` calls `exposeInspector()` for the browser extension.
 */
import { h, render } from "preact";
import {
  CancelScope,
  Event,
  aioAsTrio,
  asyncio,
  inspector,
  openLoop,
  openNursery,
  run,
  sleep,
  sleepForever,
  waitPromise,
  type Nursery,
  type Operation,
} from "../src/index.js";
import { DevtoolsPanel, exposeInspector, mountDevtools, type MountedDevtools } from "../devtools/index.js";
import { PanelStore } from "../devtools/store.js";
import { frameGaps, mean, watchLongTasks } from "./shared/frame-stats.js";

const statusEl = document.getElementById("status")!;
const panelEl = document.getElementById("panel")!;

/** Counts how often markup in a name or reason got parsed as HTML (it must stay 0). */
const HTML = `<img src=x onerror="window.__injected=(window.__injected||0)+1"><b>bold</b>`;
const CONTROL = "ctl\u0000\u0007\u001b[31m\n\r\t\u202Eevil\u2066end";
const MEGABYTE = "M".repeat(1 << 20);

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** A Proxy whose every trap throws. */
function trapsThrow(): object {
  const boom = () => {
    throw new Error("trap");
  };
  return new Proxy({}, { get: boom, getPrototypeOf: boom, ownKeys: boom, has: boom, getOwnPropertyDescriptor: boom });
}

function stackThrows(): Error {
  const e = new Error(`stack getter throws ${HTML}`);
  Object.defineProperty(e, "stack", {
    get() {
      throw new Error("the stack getter");
    },
  });
  return e;
}

function nameThrows(): Error {
  const e = new Error("name getter throws");
  Object.defineProperty(e, "name", {
    get() {
      throw new Error("the name getter");
    },
  });
  return e;
}

/** A generator function whose `name` getter throws. */
function namelessFn(): () => Operation<void> {
  const fn = function* (): Operation<void> {
    yield* hold.wait();
  };
  Object.defineProperty(fn, "name", {
    get() {
      throw new Error("the function's name getter");
    },
  });
  return fn;
}

let hold = new Event();

/** A subclass of asyncio Task whose methods throw when asked (a task factory makes it). */
class ThrowingTask<T> extends asyncio.Task<T> {
  override getName(): string {
    throw new Error("getName refuses");
  }
  override cancelling(): number {
    throw new Error("cancelling refuses");
  }
}

function* failing(): Operation<void> {
  yield* openNursery(function* (n) {
    n.startSoonNamed(`throws html ${HTML}`, function* () {
      throw new Error(`message ${HTML} ${CONTROL}`);
    });
    n.startSoonNamed("throws stack-getter", function* () {
      throw stackThrows();
    });
    n.startSoonNamed("throws name-getter", function* () {
      throw nameThrows();
    });
    n.startSoonNamed("throws revoked", function* () {
      throw revokedProxy();
    });
    n.startSoonNamed("throws no-prototype", function* () {
      throw Object.create(null);
    });
    n.startSoonNamed("throws megabyte", function* () {
      throw new Error(MEGABYTE);
    });
    n.startSoonNamed("returns cyclic", function* () {
      const cyclic: { self?: unknown } = {};
      cyclic.self = cyclic;
      return cyclic as never;
    });
    n.startSoonNamed("returns traps-throw", function* () {
      return trapsThrow() as never;
    });
  });
}

function* holding(n: Nursery): Operation<void> {
  n.startSoonNamed(HTML, () => hold.wait());
  n.startSoonNamed(CONTROL, () => hold.wait());
  n.startSoonNamed(`megabyte ${MEGABYTE}`, () => hold.wait());
  n.startSoon(namelessFn());
  n.startSoonNamed("cancelled html reason", function* () {
    const scope = new CancelScope({ name: `scope ${HTML}` });
    yield* scope.run(function* () {
      scope.cancel(`reason ${HTML} ${CONTROL} ${MEGABYTE}`);
      try {
        yield* sleepForever();
      } finally {
        // Cleaning up in a shielded scope: it stays listed, inside the cancelled scope.
        yield* new CancelScope({ shield: true }).run(() => hold.wait());
      }
    });
  });
  n.startSoonNamed("waits on a no-prototype thenable", function* () {
    const thenable = Object.assign(Object.create(null) as object, {
      then(resolve: (v: unknown) => void) {
        resolveThenable = resolve;
      },
    });
    yield* waitPromise(thenable as PromiseLike<unknown>);
  });
  n.startSoonNamed("waits labelled", function* () {
    yield* waitPromise(new Promise<void>((r) => (resolveLabelled = r)), { label: `GET ${HTML} ${CONTROL}` });
  });
  n.startSoonNamed("asyncio", function* () {
    yield* openLoop(function* (loop) {
      yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
        const cyclic = loop.createFuture<unknown>();
        const trapped = loop.createFuture<unknown>();
        const cb = function () {};
        Object.defineProperty(cb, "name", { value: HTML });
        cyclic.addDoneCallback(cb);
        const c: { self?: unknown } = {};
        c.self = c;
        loop.callSoon(() => cyclic.setResult(c));
        loop.callSoon(() => trapped.setResult(trapsThrow()));
        yield* cyclic;
        yield* trapped;
        loop.setTaskFactory((l, coro, options) => new ThrowingTask(coro, { ...options, loop: l }));
        loop.createTask(
          (function* (): asyncio.Coroutine<void> {
            yield* asyncio.sleep(3600);
          })(),
        );
        loop.setTaskFactory(null);
        const pending = loop.createFuture<void>();
        releaseFuture = () => pending.setResult(undefined);
        yield* pending;
      })();
    });
  });
}

let resolveThenable: ((v: unknown) => void) | null = null;
let resolveLabelled: (() => void) | null = null;
let releaseFuture: (() => void) | null = null;

/** The hostile run: what it returns sums up its outcome, to compare with and without the panel. */
async function hostileRun(): Promise<string> {
  hold = new Event();
  return run(function* () {
    let failure = "";
    yield* openNursery(function* (n) {
      yield* holding(n);
      n.startSoonNamed("failing", function* () {
        try {
          yield* failing();
        } catch (error) {
          const leaves = (error as { exceptions?: unknown[] }).exceptions ?? [];
          failure = `${leaves.length} errors`;
        }
      });
    });
    return `held and released; ${failure}`;
  }).then(
    (v) => v,
    (e: unknown) => `failed: ${String(e)}`,
  );
}

let hostileOutcome: Promise<string> | null = null;

function release(): void {
  hold.set();
  resolveThenable?.(1);
  resolveLabelled?.();
  releaseFuture?.();
}

// ---- load -------------------------------------------------------------------------------

let loadScope: CancelScope | null = null;
let loadDone: Promise<unknown> | null = null;
/** Task objects spawned by the churn, to see that nothing keeps them alive once they ended. */
let spawned = 0;
let finalized = 0;
const registry = new FinalizationRegistry<void>(() => void finalized++);

function* nested(depth: number): Operation<void> {
  if (depth === 0) return yield* sleepForever();
  yield* openNursery(function* (n) {
    n.startSoonNamed(`level-${depth}`, nested, depth - 1);
  });
}

interface LoadOptions {
  idle?: number;
  depth?: number;
  /** Tasks spawned (and ended) per second. */
  churn?: number;
}

function startLoad(options: LoadOptions): void {
  const scope = new CancelScope({ name: "load" });
  loadScope = scope;
  loadDone = run(function* () {
    yield* scope.run(function* () {
      yield* openNursery(function* (n) {
        if (options.idle)
          n.startSoonNamed("idle", function* () {
            yield* openNursery(function* (c) {
              for (let i = 0; i < options.idle!; i++) c.startSoonNamed(`idle-${i}`, sleepForever);
            });
          });
        if (options.depth) n.startSoonNamed("nested", nested, options.depth);
        if (options.churn) {
          const perTick = Math.max(1, Math.round(options.churn / 100));
          n.startSoonNamed("churn", function* () {
            yield* openNursery(function* (c) {
              for (let tick = 0; ; tick++) {
                for (let i = 0; i < perTick; i++) {
                  const t = c.startSoonNamed(`blip-${tick}-${i}`, sleep, 0.02);
                  spawned++;
                  registry.register(t, undefined);
                }
                yield* sleep(0.01);
              }
            });
          });
        }
      });
    });
  });
  loadDone.catch(() => {});
}

async function stopLoad(): Promise<void> {
  loadScope?.cancel("stop load");
  await loadDone;
  loadScope = null;
}

// ---- the panel ----------------------------------------------------------------------------

let store: PanelStore | null = null;
let mounted: MountedDevtools | null = null;

function mountPanel(): void {
  store = new PanelStore();
  render(h(DevtoolsPanel, { store, fallbackTreeHeight: 400 }), panelEl);
}

function unmountPanel(): void {
  render(null, panelEl);
}

function counts() {
  const s = store;
  return {
    subscribers: inspector.subscriberCount(),
    storeTasks: s?.tasks.size ?? 0,
    storeRuns: s?.runs.size ?? 0,
    storeScopes: s?.scopes.size ?? 0,
    storeNurseries: s?.nurseries.size ?? 0,
    storeExited: s?.exited.size ?? 0,
    storeErrored: s?.errored.size ?? 0,
    storeEvents: s?.live.events.length ?? 0,
    storeBatches: s?.live.batches.length ?? 0,
    spawned,
    finalized,
    injected: (window as { __injected?: number }).__injected ?? 0,
  };
}

async function measure(ms: number) {
  const stop = watchLongTasks();
  const { gaps } = await frameGaps(ms);
  const longTasks = stop();
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    frames: gaps.length,
    meanGap: mean(gaps),
    p95Gap: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    maxGap: sorted[sorted.length - 1] ?? 0,
    longTasks,
  };
}

const api = {
  startHostile(): void {
    hostileOutcome = hostileRun();
  },
  release,
  outcome: (): Promise<string> | null => hostileOutcome,
  startLoad,
  stopLoad,
  mountPanel,
  unmountPanel,
  mountFloating(): void {
    mounted = mountDevtools({ initiallyOpen: true, storageKey: "hostile-e2e" });
  },
  unmountFloating(): void {
    mounted?.unmount();
    mounted = null;
  },
  counts,
  measure,
  store: () => store,
};
(window as unknown as { hostile: typeof api }).hostile = api;

if (new URLSearchParams(location.search).get("expose") === "1") {
  exposeInspector();
  hostileOutcome = hostileRun();
  startLoad({ idle: 50 });
}
statusEl.textContent = "ready";
