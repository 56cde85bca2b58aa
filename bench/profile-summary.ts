/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions
 * with the most self time, and the most total (inclusive) time, so a MISS in
 * the benchmark report can be traced to the code that is hot.
 *
 * Usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--filter src/]
 *
 * Why it is built so: the profile is a call tree of nodes with hit counts
 * and sampled time deltas; self time of a node is its hits x the sampling
 * interval. We aggregate nodes by function name + location, and compute
 * inclusive time by walking each sample's stack once (a function that
 * recurses is counted once per sample).
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
/** The parts of a V8 .cpuprofile we read. */
export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** One row of the summary. */
export interface ProfileRow {
  name: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

function frameKey(f: CallFrame): string {
  const file = f.url.replace(/^file:\/\//, "").replace(/.*\/(node_modules|src|bench)\//, "$1/");
  return `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`.trim();
}

/** Aggregates self and total time per function. */
export function summarise(profile: Profile): ProfileRow[] {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    all += dt;
    let id: number | undefined = samples[i]!;
    const leaf = byId.get(id)!;
    const leafKey = frameKey(leaf.callFrame);
    self.set(leafKey, (self.get(leafKey) ?? 0) + dt);
    const seen = new Set<string>();
    while (id !== undefined) {
      const key = frameKey(byId.get(id)!.callFrame);
      if (!seen.has(key)) {
        seen.add(key);
        total.set(key, (total.get(key) ?? 0) + dt);
      }
      id = parent.get(id);
    }
  }
  const rows: ProfileRow[] = [];
  for (const [name, ms] of total) {
    const s = self.get(name) ?? 0;
    rows.push({ name, selfMs: s, selfPct: (100 * s) / all, totalMs: ms, totalPct: (100 * ms) / all });
  }
  return rows;
}

/** Prints the top self-time and total-time functions. */
export function printSummary(profile: Profile, top: number, filter: string): void {
  const rows = summarise(profile).filter((r) => r.name.includes(filter));
  const show = (title: string, sorted: ProfileRow[]) => {
    console.log(`\n${title}`);
    console.log("  self ms  self%   total%  function");
    for (const r of sorted.slice(0, top)) {
      console.log(`${r.selfMs.toFixed(1).padStart(9)} ${r.selfPct.toFixed(1).padStart(6)} ${r.totalPct.toFixed(1).padStart(8)}  ${r.name}`);
    }
  };
  show("Top self time", [...rows].sort((a, b) => b.selfMs - a.selfMs));
  show("Top total time", [...rows].sort((a, b) => b.totalMs - a.totalMs));
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith("--") && !["--top", "--filter"].includes(args[i - 1] ?? ""));
  if (file === undefined) {
    console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--filter text]");
    process.exit(2);
  }
  const topIdx = args.indexOf("--top");
  const filterIdx = args.indexOf("--filter");
  printSummary(JSON.parse(readFileSync(file, "utf8")) as Profile, topIdx >= 0 ? Number(args[topIdx + 1]) : 25, filterIdx >= 0 ? args[filterIdx + 1]! : "");
}

if (process.argv[1] !== undefined && /profile-summary\.[tj]s$/.test(process.argv[1])) main();
