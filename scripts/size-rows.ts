/**
 * The programs `npm run size` builds, one per row, with their budgets.
 *
 * Each is a tiny app that really uses what it imports (an app build keeps no
 * unused export), so the figure is what that import costs. Kept apart from
 * the measuring in size.ts so the rows read as a list.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The package condition a row is built with. */
export type Mode = "production" | "development";

/** A program to build and measure. */
export interface SizeRow {
  /** File name in the temporary app. */
  readonly id: string;
  /** What the row measures, as printed. */
  readonly name: string;
  /** The program: ES module source importing from node_modules. */
  readonly source: string;
  /** Most min+gzip bytes allowed in production; none for rows shown for comparison. */
  readonly budget?: number;
  /** The modes to build (both unless given): other libraries have no such conditions. */
  readonly modes?: readonly Mode[];
  /** Classes of the package this program must not bring in (checked in an unminified build, where classes keep their names). */
  readonly excludes?: readonly string[];
}

const KB = 1000;

/** The value names the core (src/core/index.ts) exports, read from the source so the row follows it. */
async function coreNames(repo: string): Promise<string[]> {
  const core = (await import(pathToFileURL(resolve(repo, "src/core/index.ts")).href)) as Record<string, unknown>;
  return Object.keys(core).sort();
}

/** Every row, in print order. */
export async function sizeRows(repo: string): Promise<SizeRow[]> {
  const core = await coreNames(repo);
  return [
    {
      id: "trio-minimal",
      name: "run, openNursery, moveOnAfter, sleep",
      budget: 6 * KB,
      // What only some programs need stays out of the core's classes: instruments come with
      // runWith's option or addInstrument, the idle watch and MockClock with the testing entry.
      excludes: ["Instruments", "IdleWatch", "MockClock"],
      source: `import { run, openNursery, moveOnAfter, sleep } from "trio-asyncio";
globalThis.go = () => run(function* () {
  yield* moveOnAfter(1, function* () {
    yield* openNursery(function* (n) {
      n.startSoon(function* () { yield* sleep(0.1); });
    });
  });
});
`,
    },
    {
      id: "trio-core",
      name: `all of the core (${core.length} exports of src/core)`,
      budget: 9 * KB,
      excludes: ["IdleWatch", "MockClock"],
      source: `import { ${core.join(", ")} } from "trio-asyncio";
globalThis.core = [${core.join(", ")}];
`,
    },
    {
      id: "asyncio-namespace",
      name: "asyncio.sleep + openLoop + aioAsTrio (namespace)",
      budget: 10 * KB,
      // The namespace is a re-export of the asyncio entry in the built package, so it shakes per name too.
      excludes: ["Barrier", "TaskGroup", "PriorityQueue"],
      source: `import { run, openLoop, aioAsTrio, asyncio } from "trio-asyncio";
globalThis.go = () => run(function* () {
  return yield* openLoop(function* () {
    return yield* aioAsTrio(function* () { yield* asyncio.sleep(0.1); return 1; })();
  });
});
`,
    },
    {
      id: "asyncio-subpath",
      name: "sleep from trio-asyncio/asyncio + openLoop + aioAsTrio",
      budget: 10 * KB,
      excludes: ["Barrier", "TaskGroup", "PriorityQueue"],
      source: `import { run, openLoop, aioAsTrio } from "trio-asyncio";
import { sleep } from "trio-asyncio/asyncio";
globalThis.go = () => run(function* () {
  return yield* openLoop(function* () {
    return yield* aioAsTrio(function* () { yield* sleep(0.1); return 1; })();
  });
});
`,
    },
    {
      id: "worker-module",
      name: "a worker module: defineWorker + checkpoint",
      // A worker needs the core, the protocol and the inspector's feed (the page's panel shows the
      // worker's tasks), never the asyncio loop: a module-level statement in a shared chunk that
      // names a loop class would bring it in, as one did for a day (issue 13's stop 23).
      excludes: ["EventLoop", "Future", "TaskGroup"],
      source: `import { defineWorker } from "trio-asyncio/workers";
import { checkpoint } from "trio-asyncio";
globalThis.define = () => defineWorker({ *parse(text) { yield* checkpoint(); return text.length; } });
`,
    },
    {
      id: "everything",
      name: "everything the main entry exports",
      source: `import * as all from "trio-asyncio";
globalThis.all = all;
`,
    },
    {
      id: "effection-typical",
      name: "Effection: typical import",
      modes: ["production"],
      source: `import { run, spawn, sleep, createChannel, each } from "effection";
globalThis.go = () => run(function* () {
  const ch = createChannel();
  const t = yield* spawn(function* () { for (const v of yield* each(ch)) { console.log(v); yield* each.next(); } });
  yield* ch.send(1);
  yield* sleep(100);
  yield* t.halt();
});
`,
    },
    {
      id: "redux-saga-typical",
      name: "redux-saga: typical import",
      modes: ["production"],
      source: `import createSagaMiddleware from "redux-saga";
import { call, put, fork, take, all, delay, cancel } from "redux-saga/effects";
globalThis.middleware = createSagaMiddleware();
globalThis.saga = function* saga() {
  const t = yield fork(function* () { yield delay(100); yield put({ type: "x" }); });
  yield take("y");
  yield cancel(t);
  yield all([call(() => 1)]);
};
`,
    },
  ];
}
