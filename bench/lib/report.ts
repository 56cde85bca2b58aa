/**
 * Text report of a benchmark run: one table per comparison, the metrics,
 * bundle sizes and the target verdicts, as Markdown tables (readable in a
 * terminal, pasteable in an issue).
 */
import type { BundleSize } from "../bundle-size.js";
import { formatNumber, type ComparisonResult, type MetricResult } from "./harness.js";
import type { TargetOutcome } from "./targets.js";

type Result = ComparisonResult | MetricResult;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function ratio(median: number, min: number, max: number): string {
  return `${formatNumber(median)}x [${formatNumber(min)}–${formatNumber(max)}]`;
}

/** One host's comparisons and metrics. */
export function formatResults(env: string, results: readonly Result[]): string {
  const parts: string[] = [`## ${env}`];
  for (const r of results) {
    if (r.kind === "comparison") {
      const rows = Object.entries(r.impls).map(([name, s]) => {
        const vs = r.vsSubject[name];
        return [name, formatNumber(s.median), `${formatNumber(s.min)}–${formatNumber(s.max)}`, vs ? ratio(vs.median, vs.min, vs.max) : "1 (subject)"];
      });
      parts.push(`\n### ${r.id}: ${r.title}\n` + table(["impl", "median ms", "min–max ms", `time / time(${r.subject})`], rows));
    } else {
      const rows = Object.entries(r.values).map(([k, v]) => [k, formatNumber(v)]);
      parts.push(`\n### ${r.id}: ${r.title}\n` + table(["measure", r.unit], rows));
    }
  }
  return parts.join("\n");
}

/** Bundle sizes. */
export function formatBundles(sizes: readonly BundleSize[]): string {
  const rows = sizes.map((s) => [s.name, (s.minified / 1024).toFixed(1), (s.gzip / 1024).toFixed(2)]);
  return "## bundle sizes (esbuild, minified; gzip -9)\n" + table(["bundle", "min KB", "min+gz KB"], rows);
}

/** The verdicts. */
export function formatTargets(outcomes: readonly TargetOutcome[]): string {
  const rows = outcomes.map((o) => {
    if (o.status === "n/a") return [o.status, o.env, o.label, "not measured in this run", `${o.op} ${formatNumber(o.limit)}${o.unit === "x" ? "x" : ` ${o.unit}`}`];
    const value = o.unit === "x" ? ratio(o.value, o.range?.[0] ?? NaN, o.range?.[1] ?? NaN) : `${formatNumber(o.value)} ${o.unit}`;
    return [o.status, o.env, o.label, value, `${o.op} ${formatNumber(o.limit)}${o.unit === "x" ? "x" : ` ${o.unit}`}`];
  });
  return "## targets\n" + table(["", "host", "target", "measured (median [min–max])", "limit"], rows);
}
