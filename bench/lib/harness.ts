/**
 * The measuring core of the benchmark suite, shared by Node and Chromium.
 *
 * Why it is built so: absolute times vary with the machine and its load, so
 * every figure we judge is a ratio between implementations measured in the
 * same process, interleaved (A, B, C, then C, B, A, ...) so that drift in
 * CPU frequency, GC pressure or a noisy neighbour hits all of them alike.
 * Each round yields one sample per implementation, and a ratio is computed
 * per round (same round, same conditions); we report the median and the
 * min/max of those per-round ratios. A warm-up round or two comes first so
 * that every implementation is optimised before it is timed.
 *
 * This module touches no Node or DOM API beyond `performance.now()` and an
 * optional `gc()` (Node `--expose-gc`, Chromium `--js-flags=--expose-gc`).
 */

/** One implementation of a workload. Returns its own duration in ms when it excludes setup, else nothing. */
export interface Impl {
  readonly name: string;
  readonly run: () => Promise<number | void>;
}

/** A workload measured across implementations. The first implementation is ours (the subject). */
export interface Comparison {
  readonly id: string;
  readonly title: string;
  readonly impls: readonly Impl[];
  /** Rounds to time (after warm-up). */
  readonly rounds?: number;
  readonly warmup?: number;
  /**
   * A full GC before every sample (warm-up included), outside the timing, as
   * a page collects between bursts of work: V8 may then drop optimized code
   * and type feedback of classes with no live instance, so each sample
   * starts colder. See `forcedGc`.
   */
  readonly gcEachSample?: boolean;
}

/** A non-timed measurement (percentiles, memory, frame gaps): named numbers. */
export interface Metric {
  readonly id: string;
  readonly title: string;
  /** Unit of every value, for display. */
  readonly unit: string;
  readonly measure: () => Promise<Record<string, number>>;
}

/** Statistics of one implementation's samples, in ms. */
export interface SampleStats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number[];
}

/** Result of one comparison. */
export interface ComparisonResult {
  readonly kind: "comparison";
  readonly id: string;
  readonly title: string;
  readonly subject: string;
  readonly impls: Record<string, SampleStats>;
  /** Per-round ratio time(other) / time(subject): > 1 means the subject is faster. */
  readonly vsSubject: Record<string, RatioStats>;
  /** Per-round ratios for every ordered pair, keyed "a/b" = time(a) / time(b). */
  readonly pairs: Record<string, RatioStats>;
}

/** Median and range of per-round ratios. */
export interface RatioStats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Result of one metric. */
export interface MetricResult {
  readonly kind: "metric";
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly values: Record<string, number>;
}

/** How many rounds by default. */
export interface RunSettings {
  readonly rounds: number;
  readonly warmup: number;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0..100) by nearest rank of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function ratioStats(values: readonly number[]): RatioStats {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Collects garbage if the host lets us, so one sample's garbage is not collected during the next. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") gc();
}

/** A macrotask pause: lets timers, I/O and (in a page) rendering run between samples. */
export function pause(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function timeOnce(impl: Impl, gc: boolean): Promise<number> {
  await pause();
  if (gc) collectGarbage();
  const t0 = performance.now();
  const own = await impl.run();
  const t1 = performance.now();
  return typeof own === "number" ? own : t1 - t0;
}

/** Runs a comparison: warm-up, then interleaved rounds (order reversed every other round). */
export async function runComparison(c: Comparison, settings: RunSettings): Promise<ComparisonResult> {
  const impls = c.impls;
  const rounds = Math.max(1, c.rounds ?? settings.rounds);
  const warmup = c.warmup ?? settings.warmup;
  collectGarbage();
  for (let w = 0; w < warmup; w++) {
    for (const impl of impls) await timeOnce(impl, c.gcEachSample === true);
  }
  const samples: number[][] = impls.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = impls.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) samples[i]!.push(await timeOnce(impls[i]!, c.gcEachSample === true));
  }
  const stats: Record<string, SampleStats> = {};
  impls.forEach((impl, i) => {
    const s = samples[i]!;
    stats[impl.name] = { median: median(s), min: Math.min(...s), max: Math.max(...s), samples: s };
  });
  const pairs: Record<string, RatioStats> = {};
  for (let a = 0; a < impls.length; a++) {
    for (let b = 0; b < impls.length; b++) {
      if (a === b) continue;
      const per = samples[a]!.map((t, r) => t / Math.max(samples[b]![r]!, 1e-6));
      pairs[`${impls[a]!.name}/${impls[b]!.name}`] = ratioStats(per);
    }
  }
  const subject = impls[0]!.name;
  const vsSubject: Record<string, RatioStats> = {};
  for (const impl of impls.slice(1)) vsSubject[impl.name] = pairs[`${impl.name}/${subject}`]!;
  const line = impls.map((impl) => `${impl.name} ${stats[impl.name]!.median.toFixed(2)}ms`).join(", ");
  settings.log(`  ${c.id}: ${line}`);
  return { kind: "comparison", id: c.id, title: c.title, subject, impls: stats, vsSubject, pairs };
}

/**
 * The forced-GC variant of a comparison: id `gc/<id>`, a full GC before
 * every sample. Without `gc()` exposed it would measure nothing different,
 * so it then fails loudly rather than report the plain figures twice.
 */
export function forcedGc(c: Comparison): Comparison {
  return {
    ...c,
    id: `gc/${c.id}`,
    title: `${c.title}, full GC before each sample`,
    gcEachSample: true,
    impls: c.impls.map((impl) => ({
      name: impl.name,
      run: () => {
        if (typeof (globalThis as { gc?: unknown }).gc !== "function") throw new Error("forced-GC variant needs gc(): run with node --expose-gc / --js-flags=--expose-gc");
        return impl.run();
      },
    })),
  };
}

/** Runs a metric. */
export async function runMetric(m: Metric, settings: RunSettings): Promise<MetricResult> {
  collectGarbage();
  await pause();
  const values = await m.measure();
  settings.log(`  ${m.id}: ${Object.entries(values).map(([k, v]) => `${k}=${formatNumber(v)}`).join(", ")}`);
  return { kind: "metric", id: m.id, title: m.title, unit: m.unit, values };
}

/** Short display of a number. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** Throws if a benchmark did not do its work: a broken benchmark must not report a fast time. */
export function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`benchmark check failed: ${what}: expected ${String(expected)}, got ${String(actual)}`);
}
