/**
 * Benchmark 9: bundle sizes, minified and gzipped, as an app would ship them.
 *
 * Each entry is bundled by esbuild (browser platform, ES2022, minified,
 * tree-shaken) from a small source: either "everything the package
 * exports" or a typical program's imports, so tree shaking counts. gzip at
 * level 9, as servers and CDNs serve it.
 */
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { resolve } from "node:path";

/** Sizes of one bundle, in bytes. */
export interface BundleSize {
  readonly name: string;
  readonly minified: number;
  readonly gzip: number;
}

/** The entries measured: name and source. `root` is the project directory. */
export function bundleEntries(root: string): { name: string; source: string }[] {
  const core = JSON.stringify(resolve(root, "src/core/index.ts"));
  const all = JSON.stringify(resolve(root, "src/index.ts"));
  return [
    { name: "ours: core (src/core, all exports)", source: `export * from ${core};` },
    { name: "ours: everything (src/index.ts)", source: `export * from ${all};` },
    {
      name: "ours: typical import",
      source: `import { run, openNursery, sleep, moveOnAfter, openMemoryChannel } from ${all};
export const go = () => run(function* () {
  const [tx, rx] = openMemoryChannel(0);
  yield* moveOnAfter(1, function* () {
    yield* openNursery(function* (n) {
      n.startSoon(function* () { yield* tx.send(1); });
      yield* rx.receive();
      yield* sleep(0.1);
    });
  });
});`,
    },
    { name: "effection: all exports", source: `export * from "effection";` },
    {
      name: "effection: typical import",
      source: `import { run, spawn, sleep, createChannel, each } from "effection";
export const go = () => run(function* () {
  const ch = createChannel();
  const t = yield* spawn(function* () { for (const v of yield* each(ch)) { console.log(v); yield* each.next(); } });
  yield* ch.send(1);
  yield* sleep(100);
  yield* t.halt();
});`,
    },
    {
      name: "effect: typical import",
      source: `import { Effect, Fiber, Queue } from "effect";
export const go = () => Effect.runPromise(Effect.gen(function* () {
  const q = yield* Queue.bounded(1);
  const f = yield* Effect.forkChild(Effect.gen(function* () { yield* Queue.offer(q, 1); }));
  yield* Effect.sleep("100 millis");
  yield* Fiber.join(f);
  return yield* Queue.take(q);
}));`,
    },
    {
      name: "redux-saga: typical import",
      source: `import createSagaMiddleware from "redux-saga";
import { call, put, fork, take, all, delay, cancel } from "redux-saga/effects";
export const middleware = createSagaMiddleware();
export function* saga() {
  const t = yield fork(function* () { yield delay(100); yield put({ type: "x" }); });
  yield take("y");
  yield cancel(t);
  yield all([call(() => 1)]);
}`,
    },
  ];
}

/** Bundles each entry and measures it. */
export async function measureBundles(root: string): Promise<BundleSize[]> {
  const out: BundleSize[] = [];
  for (const entry of bundleEntries(root)) {
    const result = await build({
      stdin: { contents: entry.source, resolveDir: root, loader: "ts", sourcefile: "entry.ts" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "silent",
      // Effection's main() imports node:process dynamically, for Node only.
      external: ["node:*"],
      define: { "process.env.NODE_ENV": '"production"' },
    });
    const code = result.outputFiles[0]!.contents;
    out.push({ name: entry.name, minified: code.length, gzip: gzipSync(code, { level: 9 }).length });
  }
  return out;
}
