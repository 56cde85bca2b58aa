/**
 * `npm run bench`: builds the suite, runs it in Node and in headless
 * Chromium, measures bundle sizes, judges the targets, prints the report.
 *
 * Flags:
 *   --quick            small sizes, few rounds: a smoke run (under a minute)
 *   --node-only        skip Chromium
 *   --browser-only     skip Node
 *   --json <file>      also write machine-readable results
 *   --filter a,b       only cases whose id contains a or b
 *   --slow             also run Effection at 100k tasks (minutes)
 *   --impl a,b         only implementations whose name starts with a or b
 *   --profile          (Node) run under --cpu-prof and print the top functions
 *   --serve            build the page and serve it for a manual run, nothing else
 *
 * Why it is built so: the measured code is bundled once by esbuild and
 * the very same bundle logic runs in a fresh `node --expose-gc` process and
 * in a page served to Chromium (with COOP/COEP headers, so the page's timer
 * has its fine resolution), driven by playwright-core. The driver does no
 * timing of its own except the click it sends during the responsiveness
 * benchmark.
 */
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { cpus, loadavg } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measureBundles, type BundleSize } from "./bundle-size.js";
import { printSummary, type Profile } from "./profile-summary.js";
import { BURST_START } from "./cases/responsiveness.js";
import { median, type MetricResult } from "./lib/harness.js";
import { formatBundles, formatResults, formatTargets } from "./lib/report.js";
import { judgeBundles, judgeRuntime, type TargetOutcome } from "./lib/targets.js";
import { attachWebSocketEcho } from "./lib/ws-echo.js";
import type { SuiteOptions, SuiteResult } from "./suite.js";
import { CHROMIUM_FLAGS } from "../e2e/chromium-flags.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
// Build output lives under node_modules/.cache: ignored by git, eslint and vitest alike.
const outDir = join(root, "node_modules/.cache/trio-bench");
const CHROMIUM = "/usr/bin/chromium";

interface Flags {
  quick: boolean;
  nodeOnly: boolean;
  browserOnly: boolean;
  json: string | undefined;
  filter: string[];
  slow: boolean;
  serve: boolean;
  impls: string[];
  profile: boolean;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { quick: false, nodeOnly: false, browserOnly: false, json: undefined, filter: [], slow: false, serve: false, impls: [], profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") flags.quick = true;
    else if (a === "--node-only") flags.nodeOnly = true;
    else if (a === "--browser-only") flags.browserOnly = true;
    else if (a === "--slow") flags.slow = true;
    else if (a === "--serve") flags.serve = true;
    else if (a === "--profile") flags.profile = true;
    else if (a === "--impl") flags.impls.push(...(argv[++i] ?? "").split(","));
    else if (a.startsWith("--impl=")) flags.impls.push(...a.slice(7).split(","));
    else if (a === "--json") flags.json = argv[++i];
    else if (a.startsWith("--json=")) flags.json = a.slice(7);
    else if (a === "--filter") flags.filter.push(...(argv[++i] ?? "").split(","));
    else if (a.startsWith("--filter=")) flags.filter.push(...a.slice(9).split(","));
    else {
      console.error(`unknown flag ${a}; see the comment at the top of bench/run.ts or bench/README.md`);
      process.exit(2);
    }
  }
  if (flags.json === undefined && argv.includes("--json")) {
    console.error("--json needs a file name: npm run bench -- --json out.json");
    process.exit(2);
  }
  if (flags.nodeOnly && flags.browserOnly) {
    console.error("--node-only and --browser-only exclude each other");
    process.exit(2);
  }
  return flags;
}

async function buildBundles(): Promise<void> {
  mkdirSync(join(outDir, "browser"), { recursive: true });
  const common = { bundle: true, format: "esm" as const, target: "es2022", sourcemap: "linked" as const, logLevel: "warning" as const, minify: false };
  await build({ ...common, entryPoints: [join(here, "node-entry.ts")], outfile: join(outDir, "node-suite.mjs"), platform: "node" });
  await build({ ...common, entryPoints: [join(here, "browser/main.ts")], outfile: join(outDir, "browser/suite.js"), platform: "browser", external: ["node:*"] });
  // The workers cases' module, next to each suite (found relative to the suite's URL).
  await build({ ...common, entryPoints: [join(here, "cases/workers.worker.ts")], outfile: join(outDir, "workers.worker.mjs"), platform: "node" });
  await build({ ...common, entryPoints: [join(here, "cases/workers.worker.ts")], outfile: join(outDir, "browser/workers.worker.js"), platform: "browser", external: ["node:*"] });
  copyFileSync(join(here, "browser/index.html"), join(outDir, "browser/index.html"));
}

function runNode(options: SuiteOptions, profileDir?: string): Promise<SuiteResult> {
  const resultFile = join(outDir, "node-result.json");
  const profiling = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", ...profiling, join(outDir, "node-suite.mjs"), JSON.stringify(options), resultFile], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`the Node suite exited with code ${code}`));
      else resolvePromise(JSON.parse(readFileSync(resultFile, "utf8")) as SuiteResult);
    });
  });
}

const mime: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json" };

function serve(dir: string, port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = join(dir, path === "/" ? "index.html" : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": mime[extname(file)] ?? "application/octet-stream",
      // Cross-origin isolation gives performance.now() its fine resolution.
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cache-control": "no-store",
    });
    res.end(readFileSync(file));
  });
  attachWebSocketEcho(server);
  return new Promise((ok) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const p = typeof address === "object" && address !== null ? address.port : port;
      ok({ server, url: `http://127.0.0.1:${p}/` });
    });
  });
}

interface BrowserRun {
  suite: SuiteResult;
  responsiveness: MetricResult[];
  version: string;
}

async function runBrowser(options: SuiteOptions): Promise<BrowserRun> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}; install it (apt-get install chromium) or use --node-only.`);
  const { chromium } = await import("playwright-core");
  const { server, url } = await serve(join(outDir, "browser"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      ...CHROMIUM_FLAGS,
      "--js-flags=--expose-gc",
      "--enable-precise-memory-info",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    page.on("console", (msg) => {
      const text = msg.text();
      if (text.startsWith("bench:log ")) console.error(text.slice(10));
      else if (text === BURST_START) void page.mouse.click(100, 100).catch(() => undefined);
      else if (msg.type() === "error" || msg.type() === "warning") console.error(`[page ${msg.type()}] ${text}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => typeof window.__bench === "object");
    const isolated = await page.evaluate(() => crossOriginIsolated);
    if (!isolated) console.error("warning: the page is not cross-origin isolated; timer resolution is coarse");
    const suite = await page.evaluate((o) => window.__bench.runSuite(o), options);
    const responsiveness: MetricResult[] = [];
    const wanted = options.filter === undefined || options.filter.length === 0 || options.filter.some((f) => "responsiveness".includes(f) || f.includes("responsiveness"));
    if (wanted) {
      console.error("  responsiveness (100k burst; Effection at 10k; asyncio: 100k callSoon, 10k createTask, 10k done callbacks, 20k busy callbacks):");
      const rounds = options.quick ? 1 : 3;
      // Effection never yields during its burst and needs ~0.5 ms per task: one round, 10k tasks.
      const all: [string, number, number][] = [
        ["ours", 100_000, rounds],
        ["ours, spawner checkpoints every 1k", 100_000, rounds],
        ["raw microtasks", 100_000, rounds],
        ["effect", 100_000, rounds],
        ["effection", options.quick ? 2_000 : 10_000, 1],
        ["asyncio callSoon", 100_000, rounds],
        ["asyncio createTask", 10_000, rounds],
        ["asyncio done callbacks", 10_000, rounds],
        ["asyncio callSoon, busy callbacks", 20_000, rounds],
      ];
      // --impl picks rows here too (by name prefix).
      const only = options.impls ?? [];
      const impls = only.length === 0 ? all : all.filter(([name]) => only.some((o) => name.startsWith(o)));
      for (const [name, n, implRounds] of impls) {
        const samples: Record<string, number>[] = [];
        try {
          for (let r = 0; r < implRounds; r++) {
            samples.push(await page.evaluate(([impl, size]) => window.__bench.measureBurst(impl, size), [name, n] as [string, number]));
          }
        } catch (error) {
          suite.errors.push({ id: `responsiveness/${name}`, message: String(error) });
          continue;
        }
        const values: Record<string, number> = { tasks: n };
        for (const key of Object.keys(samples[0]!)) values[key] = median(samples.map((s) => s[key]!));
        console.error(`  responsiveness/${name}: ${Object.entries(values).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(", ")}`);
        responsiveness.push({
          kind: "metric",
          id: `responsiveness/${name}`,
          title: `${name}: frames and input during a burst of ${n} tasks (median of ${implRounds})`,
          unit: "ms",
          values,
        });
      }
    }
    return { suite, responsiveness, version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const t0 = performance.now();
  const load = loadavg()[0]!;
  if (load > cpus().length * 0.75) {
    console.error(`warning: load average ${load.toFixed(1)} on ${cpus().length} CPUs: other processes compete, expect noisy ratios`);
  }
  console.error("building bundles...");
  await buildBundles();
  if (flags.serve) {
    const { url } = await serve(join(outDir, "browser"), 5178);
    console.error(`serving the benchmark page at ${url} (Ctrl-C to stop)`);
    return;
  }
  const options: SuiteOptions = { env: "node", quick: flags.quick, filter: flags.filter, slow: flags.slow, impls: flags.impls };
  if (flags.profile) {
    const dir = join(outDir, `profile-${Date.now()}`);
    console.error("Node, under --cpu-prof:");
    await runNode(options, dir);
    const file = join(dir, readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!);
    console.log(`\nprofile: ${file}`);
    printSummary(JSON.parse(readFileSync(file, "utf8")) as Profile, 30, "");
    return;
  }
  const report: string[] = [];
  const targets: TargetOutcome[] = [];
  const json: Record<string, unknown> = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      quick: flags.quick,
      filter: flags.filter,
      loadAverageAtStart: loadavg(),
    },
  };
  if (!flags.browserOnly) {
    console.error("Node:");
    const node = await runNode(options);
    json.node = node;
    report.push(formatResults(`Node ${process.version}`, node.results));
    targets.push(...judgeRuntime("node", node.results));
  }
  if (!flags.nodeOnly) {
    console.error("Chromium:");
    const b = await runBrowser({ ...options, env: "browser" });
    const results = [...b.suite.results, ...b.responsiveness];
    json.browser = { ...b.suite, results, version: b.version };
    (json.meta as Record<string, unknown>).chromium = b.version;
    report.push(formatResults(`Chromium ${b.version} (headless)`, results));
    targets.push(...judgeRuntime("browser", results));
  }
  if (flags.filter.length === 0 || flags.filter.some((f) => "bundle".includes(f))) {
    const sizes: BundleSize[] = await measureBundles(root);
    json.bundles = sizes;
    report.push(formatBundles(sizes));
    targets.push(...judgeBundles(sizes));
  }
  json.targets = targets;
  const errors = [...((json.node as SuiteResult | undefined)?.errors ?? []), ...((json.browser as SuiteResult | undefined)?.errors ?? [])];
  json.errors = errors;
  report.push(formatTargets(targets));
  if (errors.length > 0) report.push("## errors\n" + errors.map((e) => `- ${e.id}: ${e.message}`).join("\n"));
  console.log("\n" + report.join("\n\n"));
  const seconds = (performance.now() - t0) / 1000;
  (json.meta as Record<string, unknown>).seconds = seconds;
  (json.meta as Record<string, unknown>).loadAverageAtEnd = loadavg();
  console.log(`\n(total ${seconds.toFixed(0)} s)`);
  if (flags.json !== undefined) {
    writeFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), flags.json), JSON.stringify(json, null, 2));
    console.error(`wrote ${flags.json}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
