/**
 * Test helpers for the workers layer: fixture workers on Node's worker_threads.
 *
 * Why it is built so: a worker_threads Worker needs a JavaScript entry; it
 * cannot load our TypeScript fixtures itself. tsx's loader works (a .mjs
 * bootstrap that calls tsx's register() and imports the fixture) but takes
 * over a second per worker on this machine. Bundling each fixture once per
 * test file with esbuild (a devDependency) takes ~0.4 s, and then a worker
 * starts in ~0.1 s; the bundle holds its own copy of the runtime, exactly
 * as a worker built by Vite does in a browser.
 */
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll } from "vitest";
import type { Operation } from "../../src/index.js";

const outDir = mkdtempSync(join(tmpdir(), "trio-workers-"));
const bundles = new Map<string, Promise<URL>>();
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** The URL of fixture `name` (test/workers/fixtures/<name>.ts), bundled to one .mjs file. */
export function fixtureUrl(name: string): Promise<URL> {
  let url = bundles.get(name);
  if (url === undefined) {
    const outfile = join(outDir, `${name}.mjs`);
    url = build({
      entryPoints: [join(import.meta.dirname, "fixtures", `${name}.ts`)],
      bundle: true,
      format: "esm",
      platform: "node",
      target: "es2022",
      outfile,
      logLevel: "error",
    }).then(() => pathToFileURL(outfile));
    bundles.set(name, url);
  }
  return url;
}

/** Makes worker_threads Workers of one fixture and records each one's exit. */
export class WorkerTracker {
  readonly workers: Worker[] = [];
  readonly exited = new Set<Worker>();
  /** Everything the fixtures posted besides the protocol (their `log(...)` lines), in order. */
  readonly logs: unknown[] = [];
  /** Events in the order they happened (logs, exits, and what tests add). */
  readonly events: string[] = [];

  constructor(readonly url: URL) {}

  /** A new worker (use as a pool's factory: `() => tracker.make()`). */
  make(): Worker {
    const worker = new Worker(this.url);
    const n = this.workers.push(worker);
    worker.on("message", (data: unknown) => {
      if (data !== null && typeof data === "object" && "log" in data) {
        this.logs.push((data as { log: unknown }).log);
        this.events.push(`log:${String((data as { log: unknown }).log)}`);
      }
    });
    worker.on("exit", () => {
      this.exited.add(worker);
      this.events.push(`exit:${n}`);
    });
    return worker;
  }

  /** How many of the workers made have not exited. */
  get alive(): number {
    return this.workers.length - this.exited.size;
  }
}

/** A tracker for fixture `name`. */
export async function tracker(name: string): Promise<WorkerTracker> {
  return new WorkerTracker(await fixtureUrl(name));
}

/** Runs `op` and returns what it raised (undefined if it returned). */
export function* caught(op: Operation<unknown>): Operation<unknown> {
  try {
    yield* op;
  } catch (error) {
    return error;
  }
  return undefined;
}
