/**
 * Soak: a mixed random workload run over and over for SOAK_SECONDS (default
 * 2), with the heap measured after a warm-up and again at the end.
 *
 * Why a separate script: an honest heap figure needs `global.gc`, which only
 * `node --expose-gc` provides, and vitest's workers cannot be given that
 * flag. soak.test.ts runs this file as
 * `node --expose-gc --import tsx test/stress/soak.ts` and checks the JSON
 * line it prints last. Every round is a whole run (Trio tasks, scopes,
 * channels, locks, an asyncio loop with tasks and timers, the bridges) on an
 * autojumping MockClock, seeded from SOAK_SEED plus the round number, and
 * must leave nothing behind; the first round that does stops the soak with
 * its seed.
 */
import {
  Cancelled,
  Event,
  ExceptionGroup,
  Lock,
  Semaphore,
  aioAsTrio,
  asyncio,
  checkpoint,
  currentRun,
  failAfter,
  inspector,
  moveOnAfter,
  openLoop,
  openMemoryChannel,
  openNursery,
  runWith,
  sleep,
  sleepForever,
  trioAsAio,
  waitPromise,
  TooSlowError,
  type Nursery,
  type Operation,
  type Runner,
} from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

const seconds = Number(process.env.SOAK_SECONDS ?? "2");
const baseSeed = Number(process.env.SOAK_SEED ?? "1");

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tally {
  tasks: number;
  finallies: number;
  errors: number;
  cancels: number;
  messages: number;
  aioTasks: number;
  timers: number;
}

function* trioJob(random: () => number, tally: Tally, shared: { lock: Lock; sem: Semaphore; event: Event }): Operation<void> {
  tally.tasks++;
  try {
    const kind = Math.floor(random() * 6);
    if (kind === 0) {
      yield* sleep(random() * 2);
    } else if (kind === 1) {
      const r = yield* moveOnAfter(random(), function* () {
        yield* sleepForever();
      });
      if (r === undefined) tally.cancels++;
    } else if (kind === 2) {
      try {
        yield* failAfter(0.5, function* () {
          yield* sleep(random() < 0.5 ? 0.1 : 1);
        });
      } catch (error) {
        if (!(error instanceof TooSlowError)) throw error;
        tally.errors++;
      }
    } else if (kind === 3) {
      yield* shared.lock.acquire();
      try {
        yield* checkpoint();
      } finally {
        shared.lock.release();
      }
    } else if (kind === 4) {
      yield* shared.sem.acquire();
      try {
        yield* sleep(0.01);
      } finally {
        shared.sem.release();
      }
    } else {
      yield* moveOnAfter(1, function* () {
        yield* shared.event.wait();
      });
    }
  } finally {
    tally.finallies++;
  }
}

function* channelJob(random: () => number, tally: Tally): Operation<void> {
  const [tx, rx] = openMemoryChannel<number>(Math.floor(random() * 3));
  const count = 1 + Math.floor(random() * 20);
  yield* openNursery(function* (n) {
    n.startSoon(function* () {
      try {
        for (let i = 0; i < count; i++) yield* tx.send(i);
      } finally {
        tx.close();
      }
    });
    n.startSoon(function* () {
      try {
        yield* rx.forEach(function* () {
          tally.messages++;
        });
      } finally {
        rx.close();
      }
    });
  });
}

function* failingNursery(tally: Tally): Operation<void> {
  try {
    yield* openNursery(function* (n: Nursery) {
      n.startSoon(function* () {
        yield* sleep(0.1);
        throw new Error("planned");
      });
      n.startSoon(function* () {
        yield* sleepForever();
      });
    });
  } catch (error) {
    if (!(error instanceof ExceptionGroup) || error.leaves().length !== 1) throw error;
    tally.errors++;
  }
}

function* asyncioJob(random: () => number, tally: Tally): Operation<void> {
  yield* openLoop(function* (loop) {
    const timerCount = Math.floor(random() * 20);
    for (let i = 0; i < timerCount; i++) {
      const h = loop.callLater(random() * 3, () => {
        tally.timers++;
      });
      if (random() < 0.3) h.cancel();
    }
    loop.createTask(
      (function* (): asyncio.Coroutine<void> {
        yield* asyncio.sleep(1e6); // cancelled when the block ends
      })(),
    );
    const results = yield* aioAsTrio(function* (): asyncio.Coroutine<number> {
      const tasks: asyncio.Task<number>[] = [];
      const n = 1 + Math.floor(random() * 10);
      for (let i = 0; i < n; i++) {
        tasks.push(
          asyncio.createTask(
            (function* (): asyncio.Coroutine<number> {
              tally.aioTasks++;
              yield* asyncio.sleep(random());
              return i;
            })(),
          ),
        );
      }
      let sum = 0;
      for (const v of yield* asyncio.gather(...tasks)) sum += v;
      try {
        yield* asyncio.waitFor(asyncio.sleep(5), 0.5);
      } catch (error) {
        if (!(error instanceof asyncio.TimeoutError)) throw error;
        tally.errors++;
      }
      sum += yield* trioAsAio(function* (): Operation<number> {
        yield* sleep(0.1);
        return 1;
      })();
      return sum;
    })();
    if (typeof results !== "number") throw new Error("bad asyncio result");
    yield* waitPromise(Promise.resolve(1));
  });
}

function* round(random: () => number, tally: Tally): Operation<void> {
  const shared = { lock: new Lock(), sem: new Semaphore(2), event: new Event() };
  yield* openNursery(function* (n) {
    const jobs = 5 + Math.floor(random() * 30);
    for (let i = 0; i < jobs; i++) n.startSoon(trioJob, random, tally, shared);
    n.startSoon(channelJob, random, tally);
    n.startSoon(failingNursery, tally);
    n.startSoon(asyncioJob, random, tally);
    n.startSoon(function* () {
      yield* sleep(0.5);
      shared.event.set();
    });
    if (random() < 0.2) {
      // Cancel the whole round's nursery part-way: everything must still unwind.
      n.startSoon(function* () {
        yield* sleep(random() * 2);
        n.cancelScope.cancel("soak: cancel the round");
      });
    }
  });
}

/** One WeakRef per measured round's runner: a run that stays reachable after the soak is a leak. */
const runnerRefs: WeakRef<Runner>[] = [];

async function runRound(seed: number, tally: Tally, track: boolean): Promise<void> {
  const random = prng(seed);
  let runner: Runner | null = null;
  await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
    runner = currentRun();
    if (track) runnerRefs.push(new WeakRef(runner));
    try {
      yield* round(random, tally);
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
    }
  });
  const left = ((runner as Runner | null) === null ? undefined : leftovers((runner as Runner | null)!));
  if (left === undefined || left.tasks !== 0 || left.deadlines !== 0 || left.hostTimer || left.idleTimer || left.idleWaiters !== 0) {
    throw new Error(`soak round with seed ${seed} left something behind: ${JSON.stringify(left)}`);
  }
}

function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("soak.ts needs node --expose-gc");
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function settle(): Promise<void> {
  // Let host callbacks of finished runs (timers, immediates) drain before measuring.
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function main(): Promise<void> {
  const tally: Tally = { tasks: 0, finallies: 0, errors: 0, cancels: 0, messages: 0, aioTasks: 0, timers: 0 };
  let rounds = 0;
  // Warm up: JIT, inline caches and module-level state reach their steady size.
  const warmUntil = performance.now() + Math.min(1000, seconds * 500);
  while (performance.now() < warmUntil || rounds < 20) await runRound(baseSeed + rounds++, tally, false);
  await settle();
  const heapBefore = heap();
  const started = performance.now();
  const end = started + seconds * 1000;
  const measuredFrom = rounds;
  while (performance.now() < end) await runRound(baseSeed + rounds++, tally, true);
  await settle();
  const heapAfter = heap();
  await settle(); // FinalizationRegistry callbacks and WeakRef clearing happen after the collection
  heap();
  const runnersAlive = runnerRefs.filter((r) => r.deref() !== undefined).length;
  const snapshot = inspector.inspect();
  if (tally.tasks !== tally.finallies) throw new Error(`tasks ${tally.tasks} != finallies ${tally.finallies}`);
  const report = {
    seconds: (performance.now() - started) / 1000,
    rounds,
    measuredRounds: rounds - measuredFrom,
    heapBefore,
    heapAfter,
    runnersAlive,
    liveRuns: snapshot.runs.length,
    liveLoops: snapshot.loops.length,
    ...tally,
  };
  console.log(JSON.stringify(report));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
