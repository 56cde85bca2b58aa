/**
 * Benchmark: workers. A trivial call's round trip against a raw
 * `postMessage` round trip to the same worker; the latency from cancelling
 * a call that spins without checkpoints to the caller's `Cancelled` (the
 * grace period plus the termination); and a CPU-bound batch on 1, 2 and 4
 * workers against the same batch on the main thread.
 *
 * Why it is built so: each timed part excludes starting the workers (an
 * implementation returns its own duration), so the figures are the cost of
 * calls, not of thread start-up. The worker module is bundled by run.ts
 * next to the suite (workers.worker.mjs for Node, workers.worker.js in the
 * page), and found relative to the suite's own URL.
 */
import { CancelScope, openNursery, run, sleep } from "../../src/index.js";
import { adaptWorker, createWorker, type PagePort } from "../../src/workers/endpoint.js";
import { openWorker, openWorkerPool } from "../../src/workers/index.js";
import { expectEqual, median, type Comparison, type Impl, type Metric } from "../lib/harness.js";
import { crunch } from "./crunch.js";
import type { BenchOps } from "./workers.worker.js";

/** The bundled worker module's URL for this host. */
function workerUrl(env: "node" | "browser"): URL {
  return env === "node" ? new URL("./workers.worker.mjs", import.meta.url) : new URL("./workers.worker.js", import.meta.url);
}

function isOurs(data: unknown, kind: string): boolean {
  return data !== null && typeof data === "object" && (data as { kind?: unknown }).kind === kind && "trioWorker" in data;
}

/** A raw worker of the bench module: its port, once it is ready, and a promise of its exit. */
async function rawWorker(url: URL, onData: (data: unknown) => void): Promise<{ port: PagePort; exited: Promise<void> }> {
  let ready!: () => void;
  let failed!: (error: unknown) => void;
  let exited!: () => void;
  const readyP = new Promise<void>((resolve, reject) => ((ready = resolve), (failed = reject)));
  const exitP = new Promise<void>((resolve) => (exited = resolve));
  const port = adaptWorker(createWorker(url, undefined), {
    message: (data) => (isOurs(data, "ready") ? ready() : onData(data)),
    error: (error) => failed(error),
    exit: () => exited(),
  });
  await readyP;
  return { port, exited: exitP };
}

// ---- round trip ----------------------------------------------------------------------------
// A new worker is a new isolate whose code starts in the interpreter and takes a few thousand
// calls to be optimized. The main case makes untimed calls on each fresh worker first, for both
// implementations, and measures a call in a worker that has been serving a while, as a pool's
// workers are; the "fresh" case times a new worker's first calls, the JIT's warm-up included
// (the raw echo's worker-side code is one line, so it warms at once).
async function oursRoundTrip(url: URL, n: number, warmCalls: number): Promise<number> {
  let elapsed = 0;
  await run(function* () {
    yield* openWorker<BenchOps>(url, function* (worker) {
      for (let i = 0; i < warmCalls; i++) yield* worker.call("echo", [i]);
      const t0 = performance.now();
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (yield* worker.call("echo", [i])) as number;
      elapsed = performance.now() - t0;
      expectEqual("ours echoed sum", sum, (n * (n - 1)) / 2);
    });
  });
  return elapsed;
}

async function rawRoundTrip(url: URL, n: number, warmCalls: number): Promise<number> {
  let reply: (value: number) => void = () => {};
  const { port, exited } = await rawWorker(url, (data) => {
    if (data !== null && typeof data === "object" && "raw" in data) reply((data as { raw: number }).raw);
  });
  const ask = (i: number) =>
    new Promise<number>((resolve) => {
      reply = resolve;
      port.post({ raw: i }, []);
    });
  for (let i = 0; i < warmCalls; i++) await ask(i);
  const t0 = performance.now();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await ask(i);
  const elapsed = performance.now() - t0;
  expectEqual("raw echoed sum", sum, (n * (n - 1)) / 2);
  port.terminate();
  await exited;
  return elapsed;
}

/**
 * One trivial call, round trip, against raw postMessage on the same kind of
 * worker: after `warmCalls` untimed calls on each new worker, or (`fresh`)
 * a new worker's first calls.
 */
export function workerRoundTripComparison(env: "node" | "browser", n: number, warmCalls: number): Comparison {
  const url = workerUrl(env);
  const fresh = warmCalls <= 1;
  return {
    id: fresh ? `workers/round-trip-fresh/${n}` : `workers/round-trip/${n}`,
    title: fresh
      ? `a new worker's first ${n} sequential calls (echo a number) vs raw postMessage round trips (JIT warm-up included)`
      : `${n} sequential worker calls (echo a number) after ${warmCalls} untimed ones, vs raw postMessage round trips`,
    impls: [
      { name: "ours", run: () => oursRoundTrip(url, n, warmCalls) },
      { name: "raw postMessage", run: () => rawRoundTrip(url, n, warmCalls) },
    ],
  };
}

// ---- cancel a spinning call -------------------------------------------------------------------
/** From `scope.cancel()` to the caller's Cancelled, for a call that spins without checkpoints. */
export function workerCancelMetric(env: "node" | "browser", rounds: number, graceSeconds: number): Metric {
  const url = workerUrl(env);
  return {
    id: "workers/cancel-spinning",
    title: `cancel a call spinning without checkpoints (grace ${graceSeconds * 1000} ms): cancel() to the caller's Cancelled, ${rounds} rounds`,
    unit: "ms",
    measure: async () => {
      const latencies: number[] = [];
      for (let r = 0; r < rounds; r++) {
        let spinning = false;
        // The worker object is made here, to hear the spin say it started.
        const worker = createWorker(url, undefined);
        adaptWorker(worker, {
          message: (data) => {
            if (data !== null && typeof data === "object" && "spinning" in data) spinning = true;
          },
          error: () => {},
          exit: () => {},
        });
        let cancelAt = 0;
        await run(function* () {
          yield* openWorker<BenchOps>(
            worker,
            function* (w) {
              const scope = new CancelScope();
              yield* openNursery(function* (nursery) {
                nursery.startSoon(function* () {
                  while (!spinning) yield* sleep(0.002);
                  cancelAt = performance.now();
                  scope.cancel();
                });
                yield* scope.run(() => w.call("spin", []));
              });
              latencies.push(performance.now() - cancelAt);
            },
            { graceSeconds },
          );
        });
      }
      const grace = graceSeconds * 1000;
      return {
        "grace": grace,
        "median": median(latencies),
        "max": Math.max(...latencies),
        "median over grace": median(latencies) - grace,
        "max over grace": Math.max(...latencies) - grace,
      };
    },
  };
}

// ---- throughput ----------------------------------------------------------------------------------
function expected(chunks: number, iterations: number): number {
  let sum = 0;
  for (let i = 0; i < chunks; i++) sum += crunch(i, iterations);
  return sum;
}

function poolImpl(url: URL, size: number, chunks: number, iterations: number, want: () => number): Impl {
  return {
    name: `${size} worker${size === 1 ? "" : "s"}`,
    run: async () => {
      let elapsed = 0;
      await run(function* () {
        yield* openWorkerPool<BenchOps>(
          url,
          function* (pool) {
            // Warm every worker (its JIT) outside the timing.
            yield* openNursery(function* (nursery) {
              for (let i = 0; i < size; i++) nursery.startSoon(() => pool.call("crunch", [i, 1000]));
            });
            let sum = 0;
            const t0 = performance.now();
            yield* openNursery(function* (nursery) {
              for (let i = 0; i < chunks; i++) {
                nursery.startSoon(function* () {
                  const value = yield* pool.call("crunch", [i, iterations]);
                  sum += value;
                });
              }
            });
            elapsed = performance.now() - t0;
            expectEqual(`${size} workers' checksum`, sum, want());
          },
          { size },
        );
      });
      return elapsed;
    },
  };
}

/** A CPU-bound batch on 4, 2 and 1 workers and on the main thread. */
export function workerThroughputComparison(env: "node" | "browser", chunks: number, iterations: number): Comparison {
  const url = workerUrl(env);
  let want: number | undefined;
  const wanted = () => (want ??= expected(chunks, iterations));
  return {
    id: `workers/throughput/${chunks}x${iterations}`,
    title: `a batch of ${chunks} CPU-bound chunks (${iterations} iterations each) on 4, 2, 1 workers vs the main thread`,
    impls: [
      poolImpl(url, 4, chunks, iterations, wanted),
      poolImpl(url, 2, chunks, iterations, wanted),
      poolImpl(url, 1, chunks, iterations, wanted),
      {
        name: "main thread",
        run: async () => {
          const t0 = performance.now();
          let sum = 0;
          for (let i = 0; i < chunks; i++) sum += crunch(i, iterations);
          const elapsed = performance.now() - t0;
          expectEqual("main thread checksum", sum, wanted());
          return elapsed;
        },
      },
    ],
  };
}
