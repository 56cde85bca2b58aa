/**
 * Runs in Node from the installed tarball: the Trio core, the asyncio layer
 * and the testing entry, each with a result the check asserts. Compiled by
 * tsc (moduleResolution node16) and run as plain JavaScript.
 */
import { run, runWith, openNursery, sleep, moveOnAfter, CancelScope, Cancelled, currentTime, openLoop, aioAsTrio, asyncio, asyncioRun, type Operation } from "trio-asyncio";
import { MockClock, waitAllTasksBlocked } from "trio-asyncio/testing";
import * as asyncioSubpath from "trio-asyncio/asyncio";

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`consumer node app: ${what}`);
}

// The Trio core: a nursery waits for its children, a cancel scope cancelled by
// hand reaches a sleeping child, and its finally block runs.
const log: string[] = [];
function* worker(name: string, seconds: number): Operation<string> {
  try {
    yield* sleep(seconds);
    log.push(`${name} done`);
    return name;
  } catch (error) {
    if (error instanceof Cancelled) log.push(`${name} cancelled`);
    throw error;
  } finally {
    log.push(`${name} finally`);
  }
}

const core = await run(function* (): Operation<string> {
  const scope = new CancelScope();
  yield* openNursery(function* (n) {
    n.startSoon(worker, "fast", 0.01);
    n.startSoon(function* () {
      yield* scope.run(function* () {
        yield* worker("slow", 60);
      });
    });
    n.startSoon(function* () {
      yield* sleep(0.02);
      scope.cancel("no longer needed");
    });
  });
  const timedOut = yield* moveOnAfter(0.01, function* () {
    yield* sleep(60);
    return "too late";
  });
  return `${scope.cancelledCaught} ${String(timedOut)}`;
});
check(core === "true undefined", `core result was ${core}`);
check(
  log.join(",") === "fast done,fast finally,slow cancelled,slow finally",
  `core log was ${log.join(",")}`,
);
console.log("node: Trio core ok");

// The asyncio layer inside a Trio run, through the bridge.
function* double(x: number): asyncio.Coroutine<number> {
  yield* asyncio.sleep(0.01);
  return 2 * x;
}
function* gatherAll(): asyncio.Coroutine<number[]> {
  return yield* asyncio.gather(double(1), double(2), double(3));
}
const bridged = await run(function* () {
  return yield* openLoop(function* () {
    return yield* aioAsTrio(gatherAll)();
  });
});
check(bridged.join(",") === "2,4,6", `asyncio gather through openLoop gave ${bridged.join(",")}`);
check((await asyncioRun(gatherAll())).join(",") === "2,4,6", "asyncioRun(gatherAll()) gave another result");
check(asyncio.run === asyncioRun, "asyncio.run is not asyncioRun");
// The subpath is the same layer as the namespace (one copy of its state), name for name.
for (const name of Object.keys(asyncio) as (keyof typeof asyncio)[]) {
  check(asyncioSubpath[name] === asyncio[name], `trio-asyncio/asyncio's ${name} is not asyncio.${name}`);
}
check(Object.keys(asyncioSubpath).length === Object.keys(asyncio).length, "trio-asyncio/asyncio and the asyncio namespace export different names");
function* viaSubpath(): asyncioSubpath.Coroutine<number[]> {
  const queue = new asyncioSubpath.Queue<number>();
  yield* queue.put(5);
  return yield* asyncioSubpath.gather(queue.get(), double(3));
}
check((await asyncioSubpath.run(viaSubpath())).join(",") === "5,6", "trio-asyncio/asyncio's run(gather(...)) gave another result");
console.log("node: asyncio layer ok");

// The testing entry: a MockClock that autojumps makes an hour pass at once,
// and waitAllTasksBlocked sees the tasks of a run started from the root entry.
const clock = new MockClock({ autojumpThreshold: 0 });
const started = Date.now();
const mocked = await runWith({ clock }, function* () {
  let seen = false;
  yield* openNursery(function* (n) {
    n.startSoon(function* () {
      yield* sleep(3600);
    });
    n.startSoon(function* () {
      yield* waitAllTasksBlocked();
      seen = true;
    });
  });
  return { seen, now: currentTime() };
});
check(mocked.seen, "waitAllTasksBlocked never returned");
check(mocked.now >= 3600, `the mock clock reads ${mocked.now}, not >= 3600`);
check(Date.now() - started < 5000, "the mock clock waited in real time");
console.log("node: testing entry ok");

// Which build ran: the production one (--conditions=production) says a code
// where the development one says the whole message.
let badInput = "";
try {
  await run(42 as unknown as () => Operation<void>);
} catch (error) {
  badInput = String(error);
}
check(badInput !== "", "run(42) did not fail");
console.log(`node: ${/TA-[0-9a-z]{5}/.test(badInput) ? "production" : "development"} build (${badInput})`);
