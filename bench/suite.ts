/**
 * The benchmark plan, shared by Node and the Chromium page: which
 * comparisons and metrics run, at which sizes, with how many rounds.
 *
 * Why it is built so: one plan for both hosts keeps their numbers
 * comparable; sizes differ only where a host or a library cannot afford
 * them (documented in bench/README.md). A failing benchmark is recorded
 * and the suite goes on, so one broken case never hides the others.
 */
import { asyncioComparisons } from "./cases/asyncio.js";
import { cancelComparisons } from "./cases/cancel.js";
import { channelComparisons, channelEffectComparison } from "./cases/channel.js";
import { checkpointAliveComparisons, checkpointComparisons } from "./cases/checkpoint.js";
import { memoryMetric } from "./cases/memory.js";
import { spawnComparisons, spawnEffectionComparisons, spawnInlineComparisons } from "./cases/spawn.js";
import { dueTimerMetric, timerMetric } from "./cases/timers.js";
import { webEventComparisons, webStreamComparisons } from "./cases/web.js";
import { webSocketRoundTripComparison } from "./cases/websocket.js";
import { workerCancelMetric, workerRoundTripComparison, workerThroughputComparison } from "./cases/workers.js";
import { forcedGc, runComparison, runMetric, type Comparison, type ComparisonResult, type Metric, type MetricResult } from "./lib/harness.js";

/** What to run. */
export interface SuiteOptions {
  readonly env: "node" | "browser";
  /** Smaller sizes and fewer rounds: a smoke run. */
  readonly quick: boolean;
  /** Only cases whose id contains one of these. */
  readonly filter?: readonly string[];
  /** Also run the very slow cases (Effection at 100k tasks). */
  readonly slow?: boolean;
  /** Only these implementations (by name prefix), for profiling one of them. */
  readonly impls?: readonly string[];
}

/** What came out. */
export interface SuiteResult {
  readonly env: "node" | "browser";
  readonly results: (ComparisonResult | MetricResult)[];
  readonly errors: { id: string; message: string }[];
  readonly seconds: number;
}

type Case = { kind: "comparison"; c: Comparison } | { kind: "metric"; m: Metric };

/** The plan for one host. */
export function plan(options: SuiteOptions): Case[] {
  const q = options.quick;
  const cases: Case[] = [];
  const comparisons = (list: Comparison[]) => list.forEach((c) => cases.push({ kind: "comparison", c }));
  const metric = (m: Metric) => cases.push({ kind: "metric", m });

  // 1. spawn + join. Effection needs ~0.1-0.5 ms per task (measured), so it runs
  // at 1k and 10k (1 warm-up, 7 rounds), and at 100k only with --slow.
  const spawnSizes = q ? [1000, 10000] : [1000, 10000, 100000];
  // Effection in a comparison of its own: its multi-second samples left a
  // heap that inflated the next samples of the others (see spawnComparisons).
  const effectionSizes = spawnSizes.filter((n) => n <= 10000 || options.slow === true);
  for (const n of spawnSizes) {
    const rounds = n >= 10000 ? (q ? 2 : 7) : undefined;
    const warmup = n >= 10000 ? (q ? 0 : 1) : undefined;
    cases.push({ kind: "comparison", c: { ...spawnComparisons([n])[0]!, rounds, warmup } });
    if (effectionSizes.includes(n)) cases.push({ kind: "comparison", c: { ...spawnEffectionComparisons([n])[0]!, rounds, warmup } });
  }
  // In a page, Effect's default scheduler yields on setTimeout(0), clamped to
  // 4 ms by browsers: Effect.yieldNow and every Queue hand-off cost ~4-10 ms
  // there (measured: 20k yieldNow = 115 s). So in the page, Effect is left out
  // of the checkpoint figures and meets our channels in a separate, short
  // ping-pong.
  const browser = options.env === "browser";
  // issue 17's shapes: inline bodies (a closure per task), run() included
  comparisons(spawnInlineComparisons([10000]).map((c) => ({ ...c, rounds: q ? 2 : 7, warmup: q ? 0 : 1 })));
  // 2. checkpoints
  comparisons(checkpointComparisons(q ? 20000 : 100000, !browser));
  // issue 17's shapes: 10k and 100k tasks alive at once, each looping on checkpoints (Effect at 10k only: seconds per sample at 100k)
  comparisons(checkpointAliveComparisons([10000], q ? 5 : 10, !browser).map((c) => ({ ...c, rounds: q ? 2 : 7, warmup: 1 })));
  if (!q) comparisons(checkpointAliveComparisons([100000], 10, false).map((c) => ({ ...c, rounds: 5, warmup: 1 })));
  // 3. channels
  comparisons(channelComparisons(q ? 2000 : 5000, { effection: true, effect: !browser }));
  if (browser) comparisons([{ ...channelEffectComparison(q ? 50 : 200), rounds: q ? 2 : 5, warmup: 1 }]);
  // 4. cancellation
  // Effection needs ~1-5 s to start 10k sleepers (not timed, but it takes the time), so fewer rounds.
  comparisons(cancelComparisons(q ? [2000] : [10000]).map((c) => ({ ...c, rounds: q ? 2 : 7, warmup: q ? 0 : 1 })));
  // 5. timers, and a due timer under a busy loop
  metric(timerMetric(q ? 200 : 1000, q ? 1 : 3));
  // issue 17's shape: 10k sleepers, Trio tasks and asyncio Tasks against setTimeout, with max
  metric(timerMetric(10000, q ? 1 : 3, true));
  metric(dueTimerMetric(q ? 20 : 100));
  // 6. asyncio
  comparisons(asyncioComparisons(q ? { callbacks: 20000, futures: 5000, pingPong: 2000, gather: 2000 } : { callbacks: 100000, futures: 20000, pingPong: 10000, gather: 10000 }));
  // 7. workers: a trivial call vs raw postMessage, cancelling a spinning call, a CPU batch on 1/2/4 workers
  comparisons([
    workerRoundTripComparison(options.env, q ? 500 : 2000, 3000),
    workerRoundTripComparison(options.env, 500, 1),
    { ...workerThroughputComparison(options.env, 16, q ? 1_000_000 : 3_000_000), rounds: q ? 3 : 5, warmup: 1 },
  ]);
  metric(workerCancelMetric(options.env, q ? 3 : 7, 0.1));
  // 8. memory
  metric(memoryMetric(q ? 2000 : 5000, q ? 1 : 3));
  // 9. a WebSocket message round trip vs raw send + onmessage, in the page only (Node 20 has no WebSocket), against run.ts's echo
  if (browser) comparisons([webSocketRoundTripComparison(q ? 200 : 1000)]);
  // 10. the web layer: events through openEventChannel vs a raw listener, a ReadableStream through our adapters vs pipeTo
  comparisons(webEventComparisons(q ? 2000 : 10000));
  comparisons(webStreamComparisons(q ? 500 : 2000, [1024, 64 * 1024]));

  // Forced-GC variants (id gc/<id>) of issue 17's rows: a full GC before every sample, as the
  // issue's outside harness does, so each row has its ratio with and without it.
  const gcRows = ["spawn-join/10k", "spawn-join-inline/10k", "checkpoint/100-tasks/", "checkpoint/10k-tasks/", "channel/buffered/", "cancel/", "asyncio/gather/", "asyncio/run-create-gather/"];
  for (const k of [...cases]) {
    if (k.kind === "comparison" && gcRows.some((r) => k.c.id.startsWith(r))) {
      cases.push({ kind: "comparison", c: { ...forcedGc(k.c), rounds: q ? 2 : 5, warmup: 1 } });
    }
  }

  const only = options.impls;
  const kept = only === undefined || only.length === 0 ? cases : cases.flatMap((k): Case[] => {
    if (k.kind === "metric") return [];
    const impls = k.c.impls.filter((i) => only.some((o) => i.name.startsWith(o)));
    return impls.length > 0 ? [{ kind: "comparison", c: { ...k.c, impls } }] : [];
  });
  const filter = options.filter;
  if (filter === undefined || filter.length === 0) return kept;
  return kept.filter((k) => {
    const id = k.kind === "comparison" ? k.c.id : k.m.id;
    return filter.some((f) => id.includes(f));
  });
}

/** Runs the plan. */
export async function runSuite(options: SuiteOptions, log: (line: string) => void): Promise<SuiteResult> {
  const t0 = performance.now();
  const settings = { rounds: options.quick ? 3 : 9, warmup: options.quick ? 1 : 2, log };
  const results: (ComparisonResult | MetricResult)[] = [];
  const errors: { id: string; message: string }[] = [];
  for (const k of plan(options)) {
    const id = k.kind === "comparison" ? k.c.id : k.m.id;
    const started = performance.now();
    try {
      results.push(k.kind === "comparison" ? await runComparison(k.c, settings) : await runMetric(k.m, settings));
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      errors.push({ id, message });
      log(`  ${id}: FAILED ${message}`);
    }
    log(`    (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  return { env: options.env, results, errors, seconds: (performance.now() - t0) / 1000 };
}
