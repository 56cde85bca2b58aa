/**
 * Conformance with Trio's test_threads.py (trio/_tests/), mapped onto
 * `toThread.runSync` and the default worker pool (docs/workers.md). Each
 * test names the Trio test it follows; the code and wording are ours.
 *
 * Where the design differs on purpose:
 * - Work runs on workers, not threads: there is no shared memory, so
 *   arguments and results are copies, and the work is named (an operation
 *   of the worker module) rather than a function.
 * - There is no `abandon_on_cancel`: a cancelled caller always waits for
 *   the worker side to end (its `finally` included), or for the worker to
 *   be terminated after the grace period. So no work outlives its caller,
 *   and the pool's token is held until then, as Trio holds the limiter's
 *   token until an abandoned thread really finishes.
 * - There is no `limiter=` argument: the pool's own `CapacityLimiter`
 *   admits the calls, one per worker.
 *
 * Not ported: the from_thread tests (a worker cannot call back into the
 * page's run; streaming goes through port channels instead), thread names
 * in the OS, KeyboardInterrupt, the custom and failing limiter objects
 * (there is no limiter argument), and the contextvars tests (a worker has
 * its own run and its own context: nothing of the page's crosses).
 */
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BrokenResourceError, Cancelled, CancelScope, ClosedResourceError, ExceptionGroup, TooSlowError, currentTime, failAfter, openNursery, run, runWith, sleep, type Nursery, type Operation } from "../../src/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { openWorkerPool, toThread, type WorkerPool } from "../../src/workers/index.js";
import type { BasicOps } from "../workers/fixtures/basic.worker.js";
import { caught, tracker, WorkerTracker } from "../workers/helpers.js";
import type { ErrorOps } from "./fixtures/errors.worker.js";

/** Waits (real time) until `done()` holds, checking every 10 ms. */
function* until(done: () => boolean): Operation<void> {
  while (!done()) yield* sleep(0.01);
}

/** How many calls were in their worker at once, from the fixture's `<tag>:started` / `<tag>:finally` logs. */
function highWater(t: WorkerTracker): number {
  let running = 0;
  let high = 0;
  for (const line of t.logs) {
    if (String(line).endsWith(":started")) high = Math.max(high, ++running);
    else if (String(line).endsWith(":finally")) running--;
  }
  return high;
}

describe("Trio test_threads, on the default worker pool", () => {
  // test_run_in_worker_thread
  it("a result comes back, and errors cross rebuilt: built-in classes as themselves, others as Error with their name", async () => {
    const t = await tracker("basic.worker");
    const out = await run(function* () {
      return yield* openWorkerPool<BasicOps, unknown[]>(() => t.make(), function* () {
        const sum = yield* toThread.runSync<number>("add", 1, 2);
        // No shared memory: the worker gets and returns copies.
        const sent = { list: [1, 2] };
        const echoed = yield* toThread.runSync<typeof sent>("echo", sent);
        const error = yield* caught(toThread.runSync("fail", "bad input"));
        const group = yield* caught(toThread.runSync("failGroup"));
        const thrown = yield* caught(toThread.runSync("throwString"));
        return [sum, sent, echoed, error, group, thrown];
      }, { size: 1 });
    });
    const [sum, sent, echoed, error, group, thrown] = out;
    expect(sum).toBe(3);
    expect(echoed).toEqual(sent);
    expect(echoed).not.toBe(sent);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe("bad input");
    const cause = (error as Error).cause as Error;
    expect(cause).toBeInstanceOf(Error);
    expect([cause.name, cause.message]).toEqual(["ParseError", "the root cause"]);
    expect(group).toBeInstanceOf(ExceptionGroup);
    const [eType, eOther] = (group as ExceptionGroup).split(TypeError);
    expect(eType?.exceptions.map((e) => (e as Error).message)).toEqual(["first"]);
    expect(eOther?.exceptions).toHaveLength(1);
    expect(thrown).toBe("a plain string");
    expect(t.alive).toBe(0);
  });

  // test_run_in_worker_thread_cancellation, abandon_on_cancel=True part. We never abandon: the cancelled
  // task leaves only once the worker ran the call's finally, and the worker is kept (it checkpointed).
  it("a cancelled caller leaves only after the worker side ended; the worker is not terminated", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* (pool) {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            t.events.push("start");
            try {
              yield* toThread.runSync("waitForCancel", "c");
            } finally {
              t.events.push("exit");
            }
          });
          yield* until(() => t.logs.includes("c:started"));
          expect(t.events).toEqual(["start", "log:c:started"]);
          nursery.cancelScope.cancel();
        });
        expect(t.events).toEqual(["start", "log:c:started", "log:c:finally", "exit"]);
        expect(pool.limiter.borrowedTokens).toBe(0);
        // The same worker serves the next call.
        expect(yield* toThread.runSync<number>("add", 2, 2)).toBe(4);
        expect([pool.workersStarted, t.exited.size]).toEqual([1, 0]);
      }, { size: 1 });
    });
  });

  // test_run_in_worker_thread_cancellation, abandon_on_cancel=False part: the cancelled call keeps running
  // while the caller checkpoints in a shield, and a call that finishes anyway returns its value; the
  // Cancelled comes at the next checkpoint.
  it("while the worker's cleanup runs the caller stays parked; a call that returns anyway gives its value, then Cancelled", async () => {
    const t = await tracker("basic.worker");
    const record: string[] = [];
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* () {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            record.push("start");
            try {
              yield* toThread.runSync("waitForCancel", "w");
            } finally {
              record.push("exit");
            }
          });
          yield* until(() => t.logs.includes("w:started"));
          nursery.cancelScope.cancel();
          yield* new CancelScope({ shield: true }).run(function* () {
            for (let i = 0; i < 10; i++) yield* sleep(0);
          });
          // The worker's finally sleeps 0.15 s: still running.
          expect(record).toEqual(["start"]);
        });
        expect(record).toEqual(["start", "exit"]);

        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            const value = yield* toThread.runSync<string>("cancelToValue");
            record.push(`value ${value}`);
            const e = yield* caught(sleep(0));
            record.push(e instanceof Cancelled ? "then Cancelled" : `then ${String(e)}`);
          });
          yield* until(() => t.logs.includes("cancelToValue:started"));
          nursery.cancelScope.cancel();
        });
      }, { size: 1 });
    });
    expect(record.slice(2)).toEqual(["value caught", "then Cancelled"]);
  });

  // test_run_in_worker_thread_cancellation, last part: cancelled before the call, the call is a checkpoint
  it("a call made inside an already cancelled scope raises Cancelled, takes no token and posts nothing", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* (pool) {
        const scope = new CancelScope();
        yield* scope.run(function* () {
          scope.cancel();
          yield* toThread.runSync("waitForCancel", "never");
        });
        expect(scope.cancelledCaught).toBe(true);
        expect(pool.limiter.statistics().borrowers).toEqual([]);
        // A call posted now is answered after anything posted before: nothing was.
        expect(yield* toThread.runSync<number>("add", 1, 1)).toBe(2);
        expect(t.logs).toEqual([]);
      }, { size: 1 });
    });
  });

  // test_run_in_worker_thread_abandoned: Trio lets an abandoned thread finish after run() returned and
  // checks nothing is printed. Ours leaves nothing behind: run() returns once the spinning worker was
  // terminated and has exited, and no error escapes.
  it("a run cancelled around a call that never checkpoints returns only once its worker has exited", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* () {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            try {
              yield* toThread.runSync("spin", "s");
            } catch (e) {
              t.events.push(e instanceof Cancelled ? "caller:Cancelled" : `caller:${String(e)}`);
              throw e;
            }
          });
          yield* until(() => t.logs.includes("s:spinning"));
          nursery.cancelScope.cancel();
        });
      }, { size: 1, graceSeconds: 0.1 });
    });
    expect(t.events.slice(0, 3)).toEqual(["log:s:spinning", "exit:1", "caller:Cancelled"]);
    expect(t.alive).toBe(0);
  });

  // test_run_in_worker_thread_limiter, cancel=False, MAX in a smaller range (each worker is a thread)
  for (const max of [1, 3]) {
    it(`pool size ${max}: of ${2 * max} concurrent calls, ${max} run and ${max} wait for a token; all complete on ${max} workers`, async () => {
      const t = await tracker("basic.worker");
      const results: number[] = [];
      await run(function* () {
        yield* openWorkerPool<BasicOps>(() => t.make(), function* (pool) {
          yield* openNursery(function* (nursery) {
            for (let i = 0; i < 2 * max; i++) {
              nursery.startSoon(function* () {
                results.push(yield* toThread.runSync<number>("sleepThenAdd", 0.2, i, 100));
              });
              yield* waitAllTasksBlocked();
            }
            const stats = pool.limiter.statistics();
            expect([stats.borrowedTokens, stats.tasksWaiting]).toEqual([max, max]);
          });
          // One call per worker at a time, and no worker beyond the size: at most `max` ran at once.
          expect(pool.workersStarted).toBe(max);
          expect(pool.limiter.borrowedTokens).toBe(0);
        }, { size: max });
      });
      expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * max }, (_, i) => 100 + i));
    });
  }

  // test_run_in_worker_thread_limiter, cancel=True: cancelled calls must not give their token back
  // before their work ended, so nobody sneaks past the limit. Each call is cancelled as soon as it
  // runs in its worker (Trio's thread cancels its own scope); its finally there takes 0.15 s.
  for (const max of [1, 3]) {
    it(`pool size ${max}: calls cancelled once running keep their token through the worker's cleanup; never more than ${max} at once`, async () => {
      const t = await tracker("basic.worker");
      const count = 2 * max;
      const outcomes: string[] = [];
      await run(function* () {
        yield* openWorkerPool<BasicOps>(() => t.make(), function* (pool) {
          const scopes: CancelScope[] = [];
          yield* openNursery(function* (nursery) {
            for (let i = 0; i < count; i++) {
              const scope = new CancelScope();
              scopes.push(scope);
              nursery.startSoon(function* () {
                yield* scope.run(() => toThread.runSync("waitForCancel", `${i}`));
                outcomes.push(scope.cancelledCaught ? "cancelled" : "returned");
              });
            }
            yield* waitAllTasksBlocked();
            let checkedFirstBatch = false;
            while (outcomes.length < count) {
              for (let i = 0; i < count; i++) if (t.logs.includes(`${i}:started`)) scopes[i]!.cancel();
              if (!checkedFirstBatch && t.logs.filter((l) => String(l).endsWith(":started")).length === max) {
                // The first calls were cancelled, and their cleanup is still running in the workers.
                const stats = pool.limiter.statistics();
                expect([stats.borrowedTokens, stats.tasksWaiting]).toEqual([max, max]);
                checkedFirstBatch = true;
              }
              expect(pool.limiter.borrowedTokens).toBeLessThanOrEqual(max);
              yield* sleep(0.01);
            }
            expect(checkedFirstBatch).toBe(true);
          });
          expect(pool.limiter.borrowedTokens).toBe(0);
          expect(pool.workersStarted).toBe(max);
        }, { size: max });
      });
      expect(outcomes).toEqual(Array.from({ length: count }, () => "cancelled"));
      expect(t.logs.filter((l) => String(l).endsWith(":finally"))).toHaveLength(count);
      expect(highWater(t)).toBe(max);
    });
  }

  // test_run_in_worker_thread_limiter (the limiter token of an abandoned thread is released only when the
  // thread finishes): a call that never checkpoints holds its token through the grace period; after the
  // termination the waiting call gets it and runs on the replacement worker.
  it("a spinning call's token is held until its worker was terminated; the next caller then runs on the replacement", async () => {
    const t = await tracker("basic.worker");
    const record: string[] = [];
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* (pool) {
        yield* openNursery(function* (nursery) {
          const scope = new CancelScope();
          nursery.startSoon(function* () {
            yield* scope.run(() => toThread.runSync("spin", "p"));
            // Its token went straight to the waiter.
            record.push(`spinner left, tokens held by ${pool.limiter.statistics().borrowers.map(String).join()}`);
          });
          yield* until(() => t.logs.includes("p:spinning"));
          nursery.startSoon(function* () {
            const sum = yield* toThread.runSync<number>("add", 20, 22);
            record.push(`waiter got ${sum} on worker #${pool.workersStarted}`);
          });
          yield* waitAllTasksBlocked();
          scope.cancel();
          yield* sleep(0.05); // within the grace period
          const stats = pool.limiter.statistics();
          expect([stats.borrowedTokens, stats.tasksWaiting]).toEqual([1, 1]);
          expect(t.exited.size).toBe(0);
        });
        expect(t.exited.has(t.workers[0]!)).toBe(true);
      }, { size: 1, graceSeconds: 0.2 });
    });
    expect(record).toEqual(["spinner left, tokens held by <pool call add>", "waiter got 42 on worker #2"]);
    expect(t.alive).toBe(0);
  });

  // test_run_in_worker_thread_limiter with use_default_limiter (changing the default limiter's total):
  // lowering the pool limiter's totalTokens admits fewer calls at once.
  it("lowering the pool limiter's totalTokens admits fewer calls; its statistics name each call", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* (pool) {
        pool.limiter.totalTokens = 1;
        yield* openNursery(function* (nursery) {
          nursery.startSoon(() => toThread.runSync("sleepThenAdd", 0.1, 1, 1));
          nursery.startSoon(() => toThread.runSync("add", 1, 1));
          yield* waitAllTasksBlocked();
          const stats = pool.limiter.statistics();
          expect([stats.borrowedTokens, stats.tasksWaiting]).toEqual([1, 1]);
          expect(stats.borrowers.map(String)).toEqual(["<pool call sleepThenAdd>"]);
        });
      }, { size: 2 });
    });
  });

  // test_run_in_worker_thread_fail_to_spawn: the error reaches the caller and the token is released.
  it("when no worker can be started for a call, the factory's error reaches the caller and the token is released", async () => {
    const t = await tracker("basic.worker");
    let made = 0;
    const factory = () => {
      if (++made > 1) throw new RangeError("the engines canna take it");
      return t.make();
    };
    await run(function* () {
      yield* openWorkerPool<BasicOps>(factory, function* (pool) {
        // The worker ends on its own: its call is broken, and the pool's replacement fails quietly.
        expect(yield* caught(toThread.runSync("exitNow"))).toBeInstanceOf(BrokenResourceError);
        yield* until(() => t.exited.size === 1);
        const e = yield* caught(toThread.runSync("add", 1, 2));
        expect(e).toBeInstanceOf(RangeError);
        expect((e as Error).message).toBe("the engines canna take it");
        expect(pool.limiter.borrowedTokens).toBe(0);
        expect(pool.workerCount).toBe(0);
      }, { size: 1 });
    });
  });

  // test_trio_to_thread_run_sync_expected_error: Trio refuses an async function; ours refuses a function
  // (work is named), and a name the worker does not define, before taking a token.
  it("a function, or a name the worker does not define, is a TypeError raised before any token is taken", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorkerPool<BasicOps>(() => t.make(), function* (pool) {
        const fn = yield* caught(toThread.runSync((() => 1) as unknown as string));
        expect(fn).toBeInstanceOf(TypeError);
        expect((fn as Error).message).toMatch(/takes the name of a worker operation/);
        const unknown = yield* caught(toThread.runSync("nope"));
        expect(unknown).toBeInstanceOf(TypeError);
        expect((unknown as Error).message).toMatch(/"add"/);
        expect(pool.limiter.statistics().borrowers).toEqual([]);
      }, { size: 1 });
    });
  });

  // Trio's autojumping MockClock does not wait for threads either; ours treats a worker call as I/O
  // (docs/semantics.md): the run is idle while the worker computes, so the clock jumps to a deadline around
  // the call. The grace period is real time, so the worker's cleanup still gets its full second.
  it("on an autojumping MockClock a deadline around a worker call is reached by a jump; the worker's finally still runs", async () => {
    const t = await tracker("basic.worker");
    const r = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      return yield* openWorkerPool<BasicOps, { caught: boolean; virtual: number; logs: unknown[] }>(() => t.make(), function* () {
        const t0 = currentTime();
        const e = yield* caught(failAfter(3600, () => toThread.runSync("waitForCancel", "j")));
        return { caught: e instanceof TooSlowError, virtual: currentTime() - t0, logs: [...t.logs] };
      }, { size: 1 });
    });
    expect(r).toEqual({ caught: true, virtual: 3600, logs: ["j:started", "j:finally"] });
    expect(t.exited.size).toBe(1);
  });

  // test_trio_to_thread_run_sync_contextvars, the part that holds here: the default pool is found through
  // the spawning task's context, so a task started from the block into an outer nursery still names this
  // pool after the block ended, and its call there is refused instead of running elsewhere.
  it("a task started from inside the block into an outer nursery uses this pool; once it closed, ClosedResourceError", async () => {
    const t = await tracker("basic.worker");
    let late: unknown;
    let during: unknown;
    await run(function* () {
      yield* openNursery(function* (outer: Nursery) {
        let thePool!: WorkerPool<BasicOps>;
        yield* openWorkerPool<BasicOps>(() => t.make(), function* (pool) {
          thePool = pool;
          outer.startSoon(function* () {
            during = yield* toThread.runSync<number>("add", 1, 2);
            yield* until(() => thePool.isClosed);
            late = yield* caught(toThread.runSync("add", 1, 2));
          });
          yield* until(() => during !== undefined);
        }, { size: 1 });
      });
    });
    expect(during).toBe(3);
    expect(late).toBeInstanceOf(ClosedResourceError);
  });
});

/** Bundles a fixture of this folder (test/conformance/fixtures/<name>.ts) as test/workers/helpers.ts does for its own. */
async function localFixture(name: string): Promise<WorkerTracker> {
  const dir = mkdtempSync(join(tmpdir(), "trio-conformance-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, `${name}.mjs`);
  await build({ entryPoints: [join(import.meta.dirname, "fixtures", `${name}.ts`)], bundle: true, format: "esm", platform: "node", target: "es2022", outfile, logLevel: "error" });
  return new WorkerTracker(pathToFileURL(outfile));
}

describe("Trio test_run_in_worker_thread: errors of other shapes crossing", () => {
  // docs/workers.md: any class other than the built-in ones, this library's and the groups arrives as an
  // Error with its name. An error that merely has an `errors` list (form and schema validators make them)
  // is no group.
  it("an error with an errors list that is no AggregateError arrives as an Error with its name, not as a group", async () => {
    const t = await localFixture("errors.worker");
    const out = await run(function* () {
      return yield* openWorkerPool<ErrorOps, unknown[]>(() => t.make(), function* () {
        return [yield* caught(toThread.runSync("validationError")), yield* caught(toThread.runSync("issuesError"))];
      }, { size: 1 });
    });
    for (const [e, name, message] of [
      [out[0], "ValidationError", "2 fields are invalid"],
      [out[1], "SchemaError", "bad input"],
    ] as const) {
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(AggregateError);
      expect([(e as Error).name, (e as Error).message]).toEqual([name, message]);
    }
  });

  it("an AggregateError with no errors stays an AggregateError", async () => {
    const t = await localFixture("errors.worker");
    const e = await run(function* () {
      return yield* openWorkerPool<ErrorOps, unknown>(() => t.make(), () => caught(toThread.runSync("emptyAggregate")), { size: 1 });
    });
    expect(e).toBeInstanceOf(AggregateError);
    expect(e).not.toBeInstanceOf(ExceptionGroup);
    expect([(e as AggregateError).message, (e as AggregateError).errors]).toEqual(["nothing in particular", []]);
  });
});
