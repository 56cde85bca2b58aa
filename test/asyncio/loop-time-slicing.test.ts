/**
 * The asyncio loop keeps the host responsive: one loop iteration (CPython's
 * `_run_once`: every callback ready when it began) may be longer than the
 * run's time slice, so it is cut where the slice runs out and continues in
 * a later host batch, with CPython's ordering intact:
 * - the callbacks of an iteration run in the order they were scheduled;
 * - callbacks scheduled during an iteration run in a later iteration, even
 *   when the iteration itself was cut in pieces;
 * - timers that came due join the ready queue at the start of an
 *   iteration, in deadline order, never in the middle of one.
 *
 * Each test watches the host from outside: a chain of `setImmediate`
 * callbacks (the macrotasks a page's paint and input would be) records how
 * far the burst had got each time the host had a turn. A burst the loop
 * ran in one host callback shows only "nothing yet" and "all done".
 */
import { afterEach, describe, expect, it } from "vitest";
import { currentRun, runWith, type Runner } from "../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../src/bridge/index.js";
import type { EventLoop } from "../../src/asyncio/event-loop.js";
import { sleep } from "../../src/asyncio/index.js";
import type { Coroutine } from "../../src/asyncio/types.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

/** A short slice, so that even a fast machine needs several batches for these bursts. */
const SLICE = 0.001;

/** Runs `main(loop)` as an asyncio Task in a fresh loop, in a run with a 1 ms time slice. */
async function runSliced<T>(main: (loop: EventLoop, runner: Runner) => Coroutine<T>, clock?: MockClock): Promise<{ value: T; runner: Runner }> {
  let runner: Runner | null = null;
  const value = await runWith({ timeSlice: SLICE, ...(clock === undefined ? {} : { clock }) }, function* () {
    const run = (runner = currentRun());
    return yield* openLoop(function* (loop) {
      return yield* aioAsTrio(main)(loop, run);
    });
  });
  return { value, runner: runner! };
}

/** Records `progress()` at every host macrotask turn until stopped. */
class HostTurns {
  readonly seen: number[] = [];
  private stopped = false;
  constructor(private readonly progress: () => number) {
    const turn = () => {
      if (this.stopped) return;
      this.seen.push(this.progress());
      setImmediate(turn);
    };
    setImmediate(turn);
    probes.add(this);
  }
  stop(): void {
    this.stopped = true;
    probes.delete(this);
  }
  /** The host had a turn after some of the `total` jobs ran and before all of them had. */
  sawMidway(total: number): boolean {
    return this.seen.some((n) => n > 0 && n < total);
  }
}

const probes = new Set<HostTurns>();
afterEach(() => {
  for (const p of probes) p.stop();
});

/** True if `log` is 0, 1, ..., n-1. */
function inOrder(log: readonly number[], n: number): boolean {
  if (log.length !== n) return false;
  for (let i = 0; i < n; i++) if (log[i] !== i) return false;
  return true;
}

describe("the loop's ready queue is time-sliced", () => {
  it("a burst of 100k callSoon callbacks is split across host batches, without reordering", async () => {
    const N = 100_000;
    const log: number[] = [];
    const record = (i: number) => {
      log.push(i);
    };
    const probe = new HostTurns(() => log.length);
    await runSliced(function* (loop, runner) {
      const overrunsBefore = runner.statistics.sliceOverruns;
      const iterationsBefore = loop.statistics.iterations;
      for (let i = 0; i < N; i++) loop.callSoon(record, i);
      const done = loop.createFuture<void>();
      loop.callSoon(() => done.setResult());
      yield* done;
      probe.stop();
      // One iteration ran the whole burst (CPython's rule), however many batches it took.
      expect(loop.statistics.iterations - iterationsBefore).toBeLessThanOrEqual(3);
      expect(runner.statistics.sliceOverruns - overrunsBefore).toBeGreaterThan(1);
    });
    expect(inOrder(log, N)).toBe(true);
    expect(probe.sawMidway(N)).toBe(true);
  });

  it("callbacks scheduled during a split iteration run in a later iteration, after all of it", async () => {
    const N = 50_000;
    const log: string[] = [];
    let parents = 0;
    const probe = new HostTurns(() => parents);
    await runSliced(function* (loop) {
      const iterationOf: number[] = [];
      const child = (i: number) => {
        log.push(`child ${i}`);
        iterationOf.push(loop.statistics.iterations);
      };
      const parent = (i: number) => {
        parents++;
        iterationOf.push(loop.statistics.iterations);
        // A few parents schedule a child: CPython runs it in the next iteration.
        if (i % 10_000 === 0) {
          log.push(`parent ${i}`);
          loop.callSoon(child, i);
        }
      };
      for (let i = 0; i < N; i++) loop.callSoon(parent, i);
      const done = loop.createFuture<void>();
      loop.callSoon(() => loop.callSoon(() => done.setResult()));
      yield* done;
      probe.stop();
      const parentIterations = new Set(iterationOf.slice(0, N));
      expect(parentIterations.size).toBe(1);
      const [parentIteration] = parentIterations;
      for (const it of iterationOf.slice(N)) expect(it).toBeGreaterThan(parentIteration!);
    });
    expect(log).toEqual([
      "parent 0",
      "parent 10000",
      "parent 20000",
      "parent 30000",
      "parent 40000",
      "child 0",
      "child 10000",
      "child 20000",
      "child 30000",
      "child 40000",
    ]);
    expect(probe.sawMidway(N)).toBe(true);
  });

  it("timers that come due during a split iteration wait for the next one, in deadline order", async () => {
    // Time moves only by jump(): the clock jumps past every timer's deadline
    // in the middle of the burst, which the host has meanwhile cut in pieces.
    const clock = new MockClock();
    const N = 60_000;
    const log: string[] = [];
    let ran = 0;
    const probe = new HostTurns(() => ran);
    await runSliced(function* (loop) {
      const t0 = loop.time();
      // Scheduled out of deadline order; one is cancelled.
      loop.callAt(t0 + 3, () => log.push("timer 3"));
      loop.callAt(t0 + 1, () => log.push("timer 1"));
      const dropped = loop.callAt(t0 + 1.5, () => log.push("timer 1.5 (cancelled)"));
      loop.callAt(t0 + 2, () => log.push("timer 2"));
      loop.callAt(t0 + 1, () => log.push("timer 1, second"));
      const step = (i: number) => {
        ran++;
        if (i === N / 2) {
          clock.jump(10);
          dropped.cancel();
          loop.callSoon(() => log.push("scheduled mid-burst"));
        }
      };
      for (let i = 0; i < N; i++) loop.callSoon(step, i);
      loop.callSoon(() => log.push(`burst done: ${ran}`));
      yield* sleep(5);
      probe.stop();
    }, clock);
    expect(log).toEqual([`burst done: ${N}`, "scheduled mid-burst", "timer 1", "timer 1, second", "timer 2", "timer 3"]);
    expect(probe.sawMidway(N)).toBe(true);
  });

  it("a burst of 10k createTask is split across host batches; the tasks step in creation order", async () => {
    const N = 10_000;
    const log: number[] = [];
    function* tiny(i: number): Coroutine<void> {
      log.push(i);
      yield* sleep(0);
      log.push(N + i);
    }
    const probe = new HostTurns(() => log.length);
    await runSliced(function* (loop) {
      const tasks = [];
      for (let i = 0; i < N; i++) tasks.push(loop.createTask(tiny(i)));
      for (const t of tasks) yield* t;
      probe.stop();
    });
    // Every first step (in creation order), then every second step (in the same order).
    expect(inOrder(log, 2 * N)).toBe(true);
    expect(probe.sawMidway(N)).toBe(true);
  });

  it("a Future with 10k done callbacks runs them across host batches, in registration order", async () => {
    const N = 10_000;
    const log: number[] = [];
    const probe = new HostTurns(() => log.length);
    await runSliced(function* (loop) {
      const future = loop.createFuture<string>();
      for (let i = 0; i < N; i++) {
        future.addDoneCallback((f) => {
          if (f.result() === "done") log.push(i);
        });
      }
      future.setResult("done");
      while (log.length < N) yield* sleep(0);
      probe.stop();
    });
    expect(inOrder(log, N)).toBe(true);
    expect(probe.sawMidway(N)).toBe(true);
  });

  it("heavy callbacks: the host gets a turn every few callbacks, not only after the whole iteration", async () => {
    // Twenty callbacks of 2 ms each in one iteration, with the default 5 ms
    // slice: the host must get a turn every few callbacks, not after the
    // whole 40 ms iteration.
    let ran = 0;
    const probe = new HostTurns(() => ran);
    let runner: Runner | null = null;
    await runWith({ timeSlice: 0.005 }, function* () {
      runner = currentRun();
      yield* openLoop(function* (loop) {
        const heavy = () => {
          const until = performance.now() + 2;
          while (performance.now() < until) {
            // busy
          }
          ran++;
        };
        const before = currentRun().statistics.sliceOverruns;
        yield* aioAsTrio(function* () {
          for (let i = 0; i < 20; i++) loop.callSoon(heavy);
          yield* sleep(0);
          yield* sleep(0);
        })();
        expect(currentRun().statistics.sliceOverruns - before).toBeGreaterThanOrEqual(4);
      });
    });
    probe.stop();
    expect(ran).toBe(20);
    // At least four turns of the host fell inside the burst.
    expect(new Set(probe.seen.filter((n) => n > 0 && n < 20)).size).toBeGreaterThanOrEqual(4);
    expect(leftovers(runner!).tasks).toBe(0);
  });

  it("the loop still makes progress when the time slice is tiny", async () => {
    // Each host step of the loop runs at least some callbacks, whatever is left of the slice.
    const N = 2_000;
    let ran = 0;
    await runWith({ timeSlice: 1e-9 }, function* () {
      yield* openLoop(function* (loop) {
        yield* aioAsTrio(function* () {
          for (let i = 0; i < N; i++) loop.callSoon(() => ran++);
          yield* sleep(0);
        })();
      });
    });
    expect(ran).toBe(N);
  });
});
