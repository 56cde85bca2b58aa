/**
 * Bad input to trio-asyncio/workers, table-driven (see bad-input-table.ts),
 * on the main entry's harness: each row must raise the expected class with
 * a message naming the call and the fix, leave its run with nothing
 * behind, and leave every worker it started exited, with no listener of
 * ours left on it and no host timer of ours armed.
 *
 * Then what a table row cannot see: hostile values thrown across (the
 * worker must survive them), getters that throw on options (their own
 * error, nothing started), options without a prototype (they work),
 * durations beyond what a host timer keeps, a worker object that refuses a
 * listener, and cancellation or failure in the middle of a call, a start
 * or a port channel (nothing left: no worker, listener, task or timer).
 */
import type { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokenResourceError, Cancelled, CancelScope, ExceptionGroup, RuntimeError, currentRun, moveOnAfter, openNursery, run, sleep, type Operation, type Runner } from "../../src/index.js";
import * as workers from "../../src/workers/index.js";
import { openWorker, openWorkerPool, receiveFromPort, sendToPort, WorkerDataCloneError, WorkerLoadError } from "../../src/workers/index.js";
import { expectNothingLeft, expectUsable, provoke, unwrap, type Case } from "../bad-input/harness.js";
import { bad, cases, fakePort, fixtures, loadFixtures, revoked, skipped } from "./bad-input-table.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import type { HostileOps } from "./fixtures/hostile.worker.js";
import { caught, tracker, type WorkerTracker } from "./helpers.js";
import { expectEveryExportCovered } from "../bad-input/coverage.js";
import { ENGINE_WORDS } from "../bad-input/hostile.js";

// ---- host timers armed by src/workers (the start and grace timers) -------------------------

const ourTimers = new Set<unknown>();
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

beforeAll(async () => {
  await loadFixtures();
  // Count the timers src/workers arms (found by the caller's file), until they fire or are cleared.
  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
    const ours = /[\\/]src[\\/]workers[\\/]/.test(new Error().stack ?? "");
    const timer = realSetTimeout(
      (...a: unknown[]) => {
        ourTimers.delete(timer);
        fn(...a);
      },
      ms,
      ...rest,
    );
    if (ours) ourTimers.add(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => {
    ourTimers.delete(timer);
    realClearTimeout(timer);
  }) as typeof clearTimeout;
});
afterAll(() => {
  globalThis.setTimeout = realSetTimeout;
  globalThis.clearTimeout = realClearTimeout;
});

/**
 * Every tracked worker has exited and no timer of ours is armed. (A Node
 * Worker drops all its listeners once it has exited, so listeners are
 * counted where a worker stays alive: see "a worker that refuses a listener".)
 */
function expectNothingLeftOf(...trackers: WorkerTracker[]): void {
  for (const t of trackers) expect(t.alive, "workers alive").toBe(0);
  expect(ourTimers.size, "host timers of src/workers still armed").toBe(0);
}

function listeners(w: Worker): Record<string, number> {
  return { message: w.listenerCount("message"), error: w.listenerCount("error"), messageerror: w.listenerCount("messageerror"), exit: w.listenerCount("exit") };
}

describe("coverage of trio-asyncio/workers", () => {
  it("every value export of src/workers/index.ts is in the table, or skipped with a reason", () => {
    expectEveryExportCovered(Object.keys(workers), cases, skipped);
  });
});

async function check(c: Case): Promise<void> {
  const error = await provoke(c);
  expect(error, `${c.label}: ${String(error)}`).toBeInstanceOf(c.error);
  expect((error as Error).message).toMatch(c.message);
  // Never the engine's words for a value it could not handle.
  expect((error as Error).message).not.toMatch(ENGINE_WORDS);
  expectNothingLeftOf(fixtures.basic, fixtures.hostile, fixtures.asyncOp);
}

describe("bad inputs to trio-asyncio/workers give clear errors, and leave nothing behind", () => {
  for (const c of cases) {
    it(`${c.covers[0]}: ${c.label} (${c.where})`, async () => {
      await check(c);
    });
  }
  it("afterwards the runtime is usable", async () => {
    await expectUsable();
  });
});

async function failure(body: () => Generator<never, unknown, unknown> | Generator<unknown, unknown, unknown>): Promise<Error> {
  try {
    await run(body as never);
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the run to fail");
}

describe("workers bad input", () => {
  it("a non-cloneable argument: WorkerDataCloneError in the caller naming the argument and the fix; nothing posted", async () => {
    const t = await tracker("basic.worker");
    let posted = 0;
    await run(function* () {
      const worker = t.make();
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (...args: Parameters<typeof post>) => {
        post(...args);
        if ((args[0] as { kind?: string }).kind === "call") posted++;
      };
      yield* openWorker<BasicOps>(worker, function* (w) {
        const error = yield* caught(w.call("echo", [() => 1] as never));
        expect(error).toBeInstanceOf(WorkerDataCloneError);
        const e = error as Error & { cause: Error };
        expect(e.message).toMatch(/argument 0 \(function/);
        expect(e.message).toMatch(/structured-cloned.*transfer/);
        expect(e.cause.name).toBe("DataCloneError");
        expect(posted).toBe(0);
        // The worker is fine afterwards.
        expect(yield* w.call("add", [1, 2])).toBe(3);
      });
    });
    expect(t.alive).toBe(0);
  });

  it("an unknown operation name: TypeError listing the worker's operations, nothing posted", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (w) {
        const error = yield* caught(w.call("parse" as never, [] as never));
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/no operation "parse"; it defines "echo", "add".*defineWorker/);
      });
    });
    expect(t.alive).toBe(0);
  });

  it("arguments not in an array are refused", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (w) {
        const error = yield* caught(w.call("add", 1 as never));
        expect((error as Error).message).toMatch(/arguments must be an array/);
      });
    });
  });

  it("an operation that is not a generator function: the error crosses back", async () => {
    const t = await tracker("basic.worker");
    const error = await failure(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (w) {
        yield* w.call("notAGenerator", []);
      });
    });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/"notAGenerator" must be a generator function/);
    expect(t.alive).toBe(0);
  });

  it("a worker module that throws while loading: WorkerLoadError, and the thread has exited", async () => {
    const t = await tracker("throws-on-load.worker");
    const error = await failure(function* () {
      yield* openWorker(t.make(), function* () {});
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error.message).toMatch(/failed to load: SyntaxError: this worker module is broken on purpose.*defineWorker/);
    expect(t.alive).toBe(0);
  });

  it("a module URL that does not exist: WorkerLoadError", async () => {
    const error = await failure(function* () {
      yield* openWorker(new URL("file:///nonexistent/worker.mjs"), function* () {});
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error.message).toMatch(/Check the module URL/);
  });

  it("a module that never calls defineWorker: WorkerLoadError after startSeconds", async () => {
    const t = await tracker("no-define.worker");
    const error = await failure(function* () {
      yield* openWorker(t.make(), function* () {}, { startSeconds: 0.3 });
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error.message).toMatch(/did not call defineWorker\(\) within 0.3 s/);
    expect(t.alive).toBe(0);
  });

  it("a worker built with another protocol version: WorkerLoadError naming the fix", async () => {
    const t = await tracker("other-version.worker");
    const error = await failure(function* () {
      yield* openWorker(t.make(), function* () {});
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error.message).toMatch(/speaks version 99 of the worker protocol, this page version 1: build the worker and the page with the same trio-asyncio/);
    expect(t.alive).toBe(0);
  });

  it("a pool whose workers fail to load: WorkerLoadError, every worker gone", async () => {
    const t = await tracker("throws-on-load.worker");
    const error = await failure(function* () {
      yield* openWorkerPool(() => t.make(), function* () {}, { size: 3 });
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(t.workers).toHaveLength(3);
    expect(t.alive).toBe(0);
  });

  it("bad options and sources are refused before any worker starts", async () => {
    const cases: [() => Generator<unknown, unknown, unknown>, RegExp][] = [
      [() => openWorker(42 as never, function* () {}), /module URL .* or a Worker/],
      [() => openWorker("./w.js", "body" as never), /needs a generator function as body/],
      [() => openWorker("./w.js", function* () {}, { graceSeconds: -1 }), /graceSeconds must be a number of seconds >= 0/],
      [() => openWorkerPool("./w.js", function* () {}, { size: 0 }), /size must be a whole number of workers >= 1/],
      [() => openWorkerPool({} as never, function* () {}), /module URL .* or a function that returns a Worker/],
    ];
    for (const [body, pattern] of cases) {
      const error = await failure(body as never);
      expect(error.message).toMatch(pattern);
    }
  });
});

// ---- what a table row cannot see ---------------------------------------------------------

describe("a worker handed to openWorker is openWorker's from the call on", () => {
  it("outside a run: the RuntimeError, and the worker is terminated (it used to be left running)", async () => {
    const t = await tracker("basic.worker");
    const worker = t.make();
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    let error: unknown;
    try {
      openWorker(worker, function* () {}).next();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuntimeError);
    await Promise.race([exited, new Promise((_, reject) => realSetTimeout(() => reject(new Error("the worker was left running")), 5000))]);
    expect(t.alive).toBe(0);
  });
});

describe("a pool size beyond what a pool may start", () => {
  it("1e6: a RangeError naming the bound, before the factory is called even once (it used to start workers one by one)", async () => {
    let made = 0;
    const r = await outcome(() =>
      openWorkerPool(
        () => {
          made++;
          return bad(42); // not a worker: a pool that starts one fails at once, never a million
        },
        function* () {},
        { size: 1e6 },
      ),
    );
    expect(r.error).toBeInstanceOf(RangeError);
    expect((r.error as Error).message).toMatch(/^openWorkerPool\(\): options\.size 1000000 is more than the 256 workers a pool may start/);
    expect(made).toBe(0);
  });
});

/** Runs `main` on the real clock (workers compute in real time); returns what it raised (unwrapped) or returned; the run leaves nothing. */
async function outcome(main: () => Operation<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  let runner: Runner | null = null;
  try {
    const value = await run(function* () {
      runner = currentRun();
      return yield* main();
    });
    return { value };
  } catch (error) {
    return { error: unwrap(error) };
  } finally {
    if (runner !== null) expectNothingLeft(runner);
  }
}

const nullProto = <T extends object>(fields: T): T => Object.assign(Object.create(null) as T, fields);

/** An object whose `key` is a getter that throws `error`. */
function throwingGetter(key: string, error: unknown): object {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw error;
    },
  });
}

function* until(done: () => boolean): Operation<void> {
  while (!done()) yield* sleep(0.005);
}

describe("hostile values thrown across by an operation: a clear error, and the worker survives", () => {
  it("a thrown revoked Proxy or Proxy whose traps throw: an Error naming it and what to throw instead; the worker still answers", async () => {
    const t = fixtures.hostile;
    const r = await outcome(() =>
      openWorker<HostileOps, unknown>(t.make(), function* (w) {
        const a = (yield* caught(w.call("throwRevoked", []))) as Error;
        const b = (yield* caught(w.call("throwTrapsThrow", []))) as Error;
        return [a.message, b.message, w.alive, yield* w.call("echo", [7])];
      }),
    );
    const named = expect.stringMatching(/^The worker threw an object that cannot be inspected .*, which cannot be sent to the page: throw an Error \(or plain data\) instead\.$/);
    expect(r.value).toEqual([named, named, true, 7]);
    expectNothingLeftOf(t);
  });

  it("a thrown object with no prototype arrives as plain data; an Error whose name and message getters throw arrives as an Error, its revoked cause named", async () => {
    const t = fixtures.hostile;
    const r = await outcome(() =>
      openWorker<HostileOps, unknown>(t.make(), function* (w) {
        const plain = yield* caught(w.call("throwNoPrototype", []));
        const hostile = (yield* caught(w.call("throwHostileError", []))) as Error & { cause: Error };
        return [plain, hostile instanceof Error, hostile.name, hostile.cause.message, yield* w.call("echo", ["still here"])];
      }),
    );
    expect(r.value).toEqual([{}, true, "Error", expect.stringMatching(/^The worker threw an object that cannot be inspected .*throw an Error/), "still here"]);
    expectNothingLeftOf(t);
  });

  it("an argument whose getter throws: the getter's own error, nothing sent, the worker fine", async () => {
    const t = fixtures.basic;
    const boom = new Error("argument getter");
    const r = await outcome(() =>
      openWorker<BasicOps, unknown>(t.make(), function* (w) {
        const error = yield* caught(w.call("echo", [throwingGetter("x", boom)]));
        return [error, yield* w.call("add", [1, 2])];
      }),
    );
    expect(r.value).toEqual([boom, 3]);
    expectNothingLeftOf(t);
  });

  it("a port sender whose block throws a revoked Proxy: the receiver gets BrokenResourceError, its cause naming the value and what to throw instead", async () => {
    const { port1, port2 } = new MessageChannel();
    const r = await outcome(() =>
      moveOnAfter(5, function* () {
        let received: unknown;
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            received = yield* caught(
              receiveFromPort(port1 as never, function* (input) {
                for (;;) yield* input.receive();
              }),
            );
          });
          yield* caught(
            sendToPort(port2 as never, function* () {
              throw revoked();
            }),
          );
        });
        return received;
      }),
    );
    expect(r.value).toBeInstanceOf(BrokenResourceError);
    expect(((r.value as Error).cause as Error).message).toMatch(/^The worker threw an object that cannot be inspected \(a revoked Proxy\?\), which cannot be sent to the page: throw an Error/);
  });
});

describe("a getter that throws on an option raises its own error, and nothing is started", () => {
  const calls: [string, string, (o: object) => Operation<unknown>][] = [
    ["openWorker", "graceSeconds", (o) => openWorker(fixtures.basic.url, function* () {}, bad(o)) as Operation<unknown>],
    ["openWorker", "startSeconds", (o) => openWorker(fixtures.basic.url, function* () {}, bad(o)) as Operation<unknown>],
    ["openWorker", "name", (o) => openWorker(fixtures.basic.url, function* () {}, bad(o)) as Operation<unknown>],
    ["openWorkerPool", "size", (o) => openWorkerPool(() => fixtures.basic.make(), function* () {}, bad(o))],
    ["openWorkerPool", "graceSeconds", (o) => openWorkerPool(() => fixtures.basic.make(), function* () {}, bad(o))],
    ["WorkerHandle.call", "transfer", (o) => openWorker<BasicOps, unknown>(fixtures.basic.make(), (w) => w.call("echo", [1], bad(o)))],
    ["WorkerPool.call", "transfer", (o) => openWorkerPool<BasicOps, unknown>(() => fixtures.basic.make(), (p) => p.call("echo", [1], bad(o)), { size: 1 })],
    ["receiveFromPort", "credits", (o) => receiveFromPort(fakePort(), function* () {}, bad(o))],
    ["PortSendChannel.send", "transfer", (o) => sendToPort(fakePort(), (out) => out.send(1, bad(o)))],
  ];
  for (const [name, key, call] of calls) {
    it(`${name}: ${key}`, async () => {
      const boom = new Error(`the ${key} getter`);
      const r = await outcome(() => call(throwingGetter(key, boom)));
      expect(r.error).toBe(boom);
      expectNothingLeftOf(fixtures.basic);
    });
  }
  it("defineWorker: endpoint", () => {
    const boom = new Error("the endpoint getter");
    expect(() => workers.defineWorker({ *parse() {} }, bad(throwingGetter("endpoint", boom)))).toThrow(boom);
  });
});

describe("option objects without a prototype work", () => {
  it("openWorker, openWorkerPool, call options, receiveFromPort and send options", async () => {
    const t = fixtures.basic;
    const { port1, port2 } = new MessageChannel();
    const r = await outcome(function* () {
      const bytes = new Uint8Array([1, 2]);
      const a = yield* openWorker<BasicOps, unknown>(t.make(), (w) => w.call("echo", [bytes], nullProto({ transfer: [bytes.buffer] })), nullProto({ graceSeconds: 1, startSeconds: 30, name: "no-prototype" }));
      const b = yield* openWorkerPool<BasicOps, unknown>(() => t.make(), (p) => p.call("add", [2, 3]), nullProto({ size: 1 }));
      let c = 0;
      yield* openNursery(function* (nursery) {
        nursery.startSoon(() =>
          receiveFromPort<number>(
            port1 as never,
            function* (input) {
              c = yield* input.receive();
            },
            nullProto({ credits: 2 }),
          ),
        );
        yield* sendToPort<number>(port2 as never, (out) => out.send(9, nullProto({})));
      });
      return [a, b, c, bytes.byteLength];
    });
    expect(r.value).toEqual([new Uint8Array([1, 2]), 5, 9, 0]);
    expectNothingLeftOf(t);
  });
});

describe("durations longer than a host timer keeps (2^31 - 1 ms, about 24.8 days) mean 'not in this session', not 'now'", () => {
  it("startSeconds 1e7: the worker starts (it used to fail at once: the host fired the overflowing timer after 1 ms)", async () => {
    const t = fixtures.basic;
    const r = await outcome(() => openWorker<BasicOps, unknown>(t.make(), (w) => w.call("add", [1, 2]), { startSeconds: 1e7 }));
    expect(r).toEqual({ value: 3 });
    expectNothingLeftOf(t);
  });

  it("graceSeconds 1e7: a cancelled call's worker is not terminated while its finally runs (it used to be, after 1 ms)", async () => {
    const t = fixtures.basic;
    const r = await outcome(() =>
      openWorker<BasicOps, unknown>(
        t.make(),
        function* (w) {
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* until(() => t.logs.includes("long-grace:started"));
              scope.cancel();
            });
            yield* scope.run(() => w.call("waitForCancel", ["long-grace"]));
          });
          return [scope.cancelledCaught, w.alive, t.logs.includes("long-grace:finally")];
        },
        { graceSeconds: 1e7 },
      ),
    );
    expect(r).toEqual({ value: [true, true, true] });
    expectNothingLeftOf(t);
  });

  it("Infinity for both is accepted: no timer is armed at all", async () => {
    const t = fixtures.basic;
    const r = await outcome(() =>
      openWorker<BasicOps, unknown>(
        t.make(),
        function* (w) {
          const armed = ourTimers.size;
          return [armed, yield* w.call("add", [2, 2])];
        },
        { startSeconds: Infinity, graceSeconds: Infinity },
      ),
    );
    expect(r).toEqual({ value: [0, 4] });
    expectNothingLeftOf(t);
  });
});

describe("a worker object that refuses a listener", () => {
  it("its third on() throws: a TypeError naming openWorker, the listeners it took are removed, and it is terminated", async () => {
    const t = await tracker("basic.worker");
    const boom = new Error("listener refused");
    const worker = t.make();
    const on = worker.on.bind(worker);
    let n = 0;
    worker.on = ((event: string, listener: (...args: unknown[]) => void) => {
      if (++n === 3) throw boom;
      return on(event, listener);
    }) as typeof worker.on;
    // What listeners it holds when it is told to stop (Node's terminate() then adds one on "exit" itself).
    let atTerminate: Record<string, number> | undefined;
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      atTerminate = listeners(worker);
      return terminate();
    };
    const r = await outcome(() => openWorker(worker, function* () {}));
    expect(r.error).toBeInstanceOf(TypeError);
    expect((r.error as Error).message).toMatch(/^worker #\d+: the worker could not be set up \(Error: listener refused\), so it was terminated and its listeners removed\. Pass a Worker \(browser or worker_threads\) whose on\/off or addEventListener\/removeEventListener work/);
    expect((r.error as Error).cause).toBe(boom);
    // Only the tracker's own listeners are left.
    expect(atTerminate).toEqual({ message: 1, error: 0, messageerror: 0, exit: 1 });
    await run(() => until(() => t.alive === 0));
    expectNothingLeftOf(t);
  });
});

describe("a browser-shaped worker that refuses a listener", () => {
  it("its second addEventListener throws: a TypeError naming openWorker, the listener it took is removed, and it is terminated", async () => {
    const boom = new Error("listener refused");
    const live = new Set<unknown>();
    let adds = 0;
    let terminated = 0;
    const worker = {
      postMessage() {},
      terminate() {
        terminated++;
      },
      addEventListener(_type: string, listener: unknown) {
        if (++adds === 2) throw boom;
        live.add(listener);
      },
      removeEventListener(_type: string, listener: unknown) {
        live.delete(listener);
      },
    };
    const r = await outcome(() => openWorker(worker, function* () {}));
    expect(r.error).toBeInstanceOf(TypeError);
    expect((r.error as Error).message).toMatch(/^worker #\d+: the worker could not be set up \(Error: listener refused\), so it was terminated and its listeners removed/);
    expect([live.size, terminated, ourTimers.size]).toEqual([0, 1, 0]);
  });
});

describe("a worker handed to openWorker after it said ready", () => {
  it("is ready at once: the page asks it again (it used to wait startSeconds, then blame the module for not calling defineWorker)", async () => {
    const t = fixtures.basic;
    const worker = t.make();
    let readies = 0;
    worker.on("message", (data: { kind?: string }) => {
      if (data?.kind === "ready") readies++;
    });
    const r = await outcome(function* () {
      yield* until(() => readies === 1);
      return yield* openWorker<BasicOps, unknown>(worker, (w) => w.call("add", [2, 3]), { startSeconds: 2 });
    });
    expect(r).toEqual({ value: 5 });
    expectNothingLeftOf(t);
  });
});

describe("a worker whose terminate() throws", () => {
  /** A tracker worker whose terminate() throws `boom` (the real one is kept, to end it after the test). */
  function refusingTerminate(t: WorkerTracker, boom: Error): () => Promise<number> {
    const worker = t.make();
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      throw boom;
    };
    return terminate;
  }

  it("openWorker: a TypeError naming the worker and the fix when the block returned; with the block's own error otherwise, in an ExceptionGroup; no listener of ours stays; nothing hangs", async () => {
    const t = await tracker("basic.worker");
    const boom = new Error("terminate refused");
    const stops = [refusingTerminate(t, boom)];
    const returned = await outcome(() => openWorker(t.workers[0]!, function* () {}));
    expect(returned.error).toBeInstanceOf(TypeError);
    expect((returned.error as Error).message).toMatch(/^worker #\d+: its terminate\(\) failed \(Error: terminate refused\), so it may still be running\. Pass a Worker \(browser or worker_threads\) whose terminate\(\) works/);
    expect((returned.error as Error).cause).toBe(boom);
    const bodyError = new RangeError("the body failed");
    stops.push(refusingTerminate(t, boom));
    const raised = await outcome(() =>
      openWorker(t.workers[1]!, function* () {
        throw bodyError;
      }),
    );
    // Both leave, as a nursery's errors do (the terminate error used to be dropped).
    expect(raised.error).toBeInstanceOf(ExceptionGroup);
    const group = raised.error as ExceptionGroup;
    expect(group.message).toMatch(/^worker #\d+: the block raised, and its cleanup failed too \(TypeError: worker #\d+: its terminate\(\) failed/);
    expect(group.exceptions[0]).toBe(bodyError);
    expect((group.exceptions[1] as Error).cause).toBe(boom);
    // Counted as gone, it keeps no listener of ours (only the tracker's own message and exit listeners).
    for (const w of t.workers) expect(listeners(w)).toEqual({ message: 1, error: 0, messageerror: 0, exit: 1 });
    expect(ourTimers.size).toBe(0);
    for (const stop of stops) await stop();
    expect(t.alive).toBe(0);
  });

  it("openWorker refusing its body: the refusal and the terminate error leave together, and no listener of ours is left", async () => {
    const t = await tracker("basic.worker");
    const boom = new Error("terminate refused");
    const stop = refusingTerminate(t, boom);
    const r = await outcome(() => openWorker(t.workers[0]!, bad(42)));
    expect(r.error).toBeInstanceOf(ExceptionGroup);
    const [refusal, cleanup] = (r.error as ExceptionGroup).exceptions as Error[];
    expect(refusal!.message).toMatch(/^openWorker\(source, body\) needs a generator function as body/);
    expect(cleanup!.message).toMatch(/its terminate\(\) failed \(Error: terminate refused\)/);
    expect(listeners(t.workers[0]!)).toEqual({ message: 1, error: 0, messageerror: 0, exit: 1 });
    expect(ourTimers.size).toBe(0);
    await stop();
    expect(t.alive).toBe(0);
  });

  it("openWorkerPool: the block's error and a worker's terminate error leave together", async () => {
    const t = await tracker("basic.worker");
    const boom = new Error("terminate refused");
    const stop = refusingTerminate(t, boom);
    const bodyError = new RangeError("the body failed");
    const r = await outcome(() =>
      openWorkerPool(
        () => t.workers[0]!,
        function* () {
          throw bodyError;
        },
        { size: 1 },
      ),
    );
    expect(r.error).toBeInstanceOf(ExceptionGroup);
    const group = r.error as ExceptionGroup;
    expect(group.message).toMatch(/^worker pool #\d+: the block raised, and its cleanup failed too/);
    expect(group.exceptions[0]).toBe(bodyError);
    expect((group.exceptions[1] as Error).cause).toBe(boom);
    await stop();
    expect(t.alive).toBe(0);
  });

  it("a pool whose first worker refuses: the other workers are still terminated and have exited (they used to be left running)", async () => {
    const t = await tracker("basic.worker");
    const boom = new Error("terminate refused");
    let stop: (() => Promise<number>) | undefined;
    const r = await outcome(() =>
      openWorkerPool(
        () => {
          if (stop === undefined) {
            stop = refusingTerminate(t, boom);
            return t.workers[0]!;
          }
          return t.make();
        },
        function* () {},
        { size: 3 },
      ),
    );
    expect(r.error).toBeInstanceOf(TypeError);
    expect((r.error as Error).message).toMatch(/^worker pool #\d+ worker #1: its terminate\(\) failed/);
    // The refusing one is still running (nothing can stop it but itself); the other two have exited.
    expect(t.alive).toBe(1);
    expect(ourTimers.size).toBe(0);
    await stop!();
    expect(t.alive).toBe(0);
  });
});

/**
 * A browser-shaped worker that speaks the protocol by hand: ready with
 * operation "op", then each call answered (from a host timer, as a host
 * delivers messages) with what `answer` makes of it.
 */
function foreignWorker(answer: (call: { id: number }) => unknown): object {
  const listeners = new Set<(event: unknown) => void>();
  const emit = (data: unknown) =>
    setTimeout(() => {
      for (const listener of listeners) listener({ data });
    }, 1);
  emit({ trioWorker: 1, kind: "ready", operations: ["op"] });
  return {
    postMessage(msg: { kind?: string; id: number }) {
      if (msg.kind === "call") emit(answer(msg));
    },
    terminate() {},
    addEventListener(type: string, listener: (event: unknown) => void) {
      if (type === "message") listeners.add(listener);
    },
    removeEventListener(_type: string, listener: (event: unknown) => void) {
      listeners.delete(listener);
    },
  };
}

describe("error records this build did not make", () => {
  const records: [string, unknown][] = [
    ["null", null],
    ["a number", 42],
    ["{ error: null }", { error: null }],
    ["errors that are no array", { error: { name: "Error", message: "m", errors: { length: 1 } } }],
  ];
  for (const [label, record] of records) {
    it(`a call answered with ${label}: a TypeError naming the fix, not a throw in the host's listener (the call used to wait forever)`, async () => {
      const r = await outcome(() =>
        moveOnAfter(5, function* () {
          return yield* caught(openWorker(bad(foreignWorker(({ id }) => ({ trioWorker: 1, kind: "error", id, error: record }))), (w) => w.call("op", [])));
        }),
      );
      expect(r.value).toBeInstanceOf(TypeError);
      expect((r.value as Error).message).toMatch(/^An error record from the other side of a worker or port could not be read \(TypeError: .*\): build the worker and the page with the same trio-asyncio\.$/);
      expect(ourTimers.size).toBe(0);
    });
  }

  it("a port sender's abort with a record that cannot be read: the receiver's BrokenResourceError has the TypeError as cause", async () => {
    const port = fakePort();
    const r = await outcome(() =>
      receiveFromPort(port, function* (input) {
        for (const listener of port.listeners) (listener as (event: unknown) => void)({ data: { trioWorker: 1, kind: "abort", error: null } });
        return yield* caught(input.receive());
      }),
    );
    expect(r.value).toBeInstanceOf(BrokenResourceError);
    expect(((r.value as Error).cause as Error).message).toMatch(/^An error record from the other side of a worker or port could not be read/);
    expect([port.listeners.size, port.closed]).toEqual([0, true]);
  });
});

/**
 * A browser-shaped worker that speaks the protocol by hand and delivers
 * what the test says, synchronously, recording anything our listener threw
 * into it (a host would report that as an uncaught error).
 */
function scriptedWorker(ready: unknown = { trioWorker: 1, kind: "ready", operations: ["op"] }) {
  const listeners = new Set<(event: unknown) => void>();
  const thrown: unknown[] = [];
  let onCall: (id: number) => void = () => {};
  const deliver = (data: unknown) => {
    for (const listener of [...listeners]) {
      try {
        listener({ data });
      } catch (error) {
        thrown.push(error);
      }
    }
  };
  const worker = {
    postMessage(msg: { kind?: string; id: number }) {
      // Answered from a host timer, as a host delivers messages.
      if (msg.kind === "hello") realSetTimeout(() => deliver(ready), 1);
      if (msg.kind === "call") realSetTimeout(() => onCall(msg.id), 1);
    },
    terminate() {},
    addEventListener(type: string, listener: (event: unknown) => void) {
      if (type === "message") listeners.add(listener);
    },
    removeEventListener(_type: string, listener: (event: unknown) => void) {
      listeners.delete(listener);
    },
  };
  return { worker: bad(worker), deliver, thrown, listeners, answerCalls: (f: (id: number) => void) => (onCall = f) };
}

describe("messages of our protocol that cannot be read (a worker of the caller's can deliver anything)", () => {
  const answers: [string, (id: number) => unknown, (error: unknown) => void][] = [
    [
      "a kind getter that throws, then the real answer",
      (id) => [throwingGetterTagged("kind"), { trioWorker: 1, kind: "result", id, value: 7 }],
      (r) => expect(r).toBe(7),
    ],
    [
      "an answer whose call id is a string",
      (id) => [{ trioWorker: 1, kind: "result", id: String(id), value: 7 }],
      (r) => {
        expect(r).toBeInstanceOf(BrokenResourceError);
        expect((r as Error).message).toMatch(/^worker #\d+ sent a "result" answer whose call id is "1", not a call number, so it was terminated \(a call waiting for that answer would have waited forever\)\. Build the worker and the page with the same trio-asyncio\.$/);
      },
    ],
    [
      "an answer whose call id getter throws",
      () => [{ trioWorker: 1, kind: "error", get id() { throw new Error("id getter"); }, error: null }],
      (r) => expect((r as Error).message).toMatch(/sent a "error" answer whose call id cannot be read \(Error: id getter\), not a call number/),
    ],
    [
      "a result whose value getter throws",
      (id) => [{ trioWorker: 1, kind: "result", id, get value() { throw new Error("value getter"); } }],
      (r) => {
        expect(r).toBeInstanceOf(TypeError);
        expect((r as Error).message).toMatch(/^worker #\d+: the answer to call "op" cannot be read \(Error: value getter\)\. Build the worker and the page with the same trio-asyncio\.$/);
      },
    ],
    [
      "an error answer whose error getter throws",
      (id) => [{ trioWorker: 1, kind: "error", id, get error() { throw new Error("error getter"); } }],
      (r) => expect((r as Error).message).toMatch(/^worker #\d+: the answer to call "op" cannot be read \(Error: error getter\)/),
    ],
  ];
  for (const [label, answer, check] of answers) {
    it(`${label}: the call it names gets a clear answer, nothing throws into the host's listener, nothing hangs`, async () => {
      const w = scriptedWorker();
      w.answerCalls((id) => {
        for (const data of answer(id) as unknown[]) w.deliver(data);
      });
      const r = await outcome(() =>
        moveOnAfter(2, function* () {
          try {
            return yield* openWorker(w.worker, function* (h) {
              return yield* h.call("op", []);
            });
          } catch (error) {
            return error;
          }
        }),
      );
      expect(w.thrown).toEqual([]);
      check(r.value ?? "the call hung");
      expect(w.listeners.size).toBe(0);
      expect(ourTimers.size).toBe(0);
    });
  }

  const readies: [string, unknown][] = [
    ["a revoked Proxy", revoked()],
    ["a getter that throws", "getter"],
    ["42", 42],
  ];
  for (const [label, operations] of readies) {
    it(`a ready message whose operations are ${label}: WorkerLoadError at once, not a throw in the listener (nor a wait of startSeconds)`, async () => {
      const ready = operations === "getter" ? { trioWorker: 1, kind: "ready", get operations() { throw new Error("operations getter"); } } : { trioWorker: 1, kind: "ready", operations };
      const w = scriptedWorker(ready);
      const r = await outcome(() => caught(openWorker(w.worker, function* () {}, { startSeconds: 2 })));
      expect(w.thrown.map((e) => (e as Error).stack)).toEqual([]);
      expect(r.value).toBeInstanceOf(WorkerLoadError);
      expect((r.value as Error).message).toMatch(/^worker #\d+ said it was ready, but its list of operations (is|cannot be read).*, not an array of names\. Build the worker and the page with the same trio-asyncio\.$/);
      expect(w.listeners.size).toBe(0);
      expect(ourTimers.size).toBe(0);
    });
  }

  it("receiveFromPort: an item whose value getter throws: receive raises BrokenResourceError naming it, not the listener", async () => {
    const port = fakePort();
    const r = await outcome(() =>
      receiveFromPort(port, function* (input) {
        for (const listener of port.listeners) (listener as (event: unknown) => void)({ data: { trioWorker: 1, kind: "item", get value() { throw new Error("value getter"); } } });
        return yield* caught(input.receive());
      }),
    );
    expect(r.value).toBeInstanceOf(BrokenResourceError);
    expect((r.value as Error).message).toMatch(/^port channel #\d+ \(receiving\): a message from the sender cannot be read \(its item's value cannot be read \(Error: value getter\)\), so nothing more can be received/);
    expect([port.listeners.size, port.closed]).toEqual([0, true]);
  });

  const credits: [string, () => unknown][] = [
    ["1.5 (the sender would never wait again)", () => 1.5],
    ["Infinity", () => Infinity],
    ["NaN", () => NaN],
    ["a getter that throws", () => "getter"],
  ];
  for (const [label, make] of credits) {
    it(`sendToPort: credit of ${label}: the next send raises BrokenResourceError naming it, nothing throws into the listener`, async () => {
      const port = fakePort();
      const n = make();
      const credit = n === "getter" ? { trioWorker: 1, kind: "credit", get n() { throw new Error("n getter"); } } : { trioWorker: 1, kind: "credit", n };
      const r = await outcome(() =>
        sendToPort(port, function* (out) {
          for (const listener of port.listeners) (listener as (event: unknown) => void)({ data: credit });
          return yield* caught(moveOnAfter(1, () => out.send(1)));
        }),
      );
      expect(r.value).toBeInstanceOf(BrokenResourceError);
      expect((r.value as Error).message).toMatch(/^port channel #\d+ \(sending\): a message from the receiver cannot be read \(its credit (is|cannot be read).*, not a whole number of items >= 1\), so nothing more can be sent/);
      expect([port.listeners.size, port.closed]).toEqual([0, true]);
    });
  }
});

/** A message of ours whose `key` getter throws. */
function throwingGetterTagged(key: string): object {
  return Object.defineProperty({ trioWorker: 1 }, key, {
    enumerable: true,
    get() {
      throw new Error(`${key} getter`);
    },
  });
}

describe("a port that refuses to drop our listener", () => {
  it("receiveFromPort and sendToPort: its error is raised, and the port is still told and closed (it was left open)", async () => {
    for (const open of [receiveFromPort, sendToPort] as const) {
      const boom = new Error("removal refused");
      const port = fakePort();
      const told: unknown[] = [];
      port.postMessage = (message: unknown) => void told.push(message);
      port.removeEventListener = () => {
        throw boom;
      };
      const r = await outcome(() => (open as (p: unknown, body: () => Operation<void>) => Operation<void>)(port, function* () {}));
      expect(r.error).toBe(boom);
      expect(port.closed).toBe(true);
      expect(told.at(-1)).toMatchObject({ kind: open === receiveFromPort ? "close" : "end" });
    }
  });
});

describe("a port whose cleanup fails while the block raises", () => {
  /** A fake port whose removeEventListener throws `boom`, recording what it is told. */
  function refusingPort(boom: Error): { port: ReturnType<typeof fakePort>; told: unknown[] } {
    const port = fakePort();
    const told: unknown[] = [];
    port.postMessage = (message: unknown) => void told.push(message);
    port.removeEventListener = () => {
      throw boom;
    };
    return { port, told };
  }
  const open = { receiveFromPort, sendToPort } as Record<string, (p: unknown, body: () => Operation<void>) => Operation<void>>;

  for (const name of ["receiveFromPort", "sendToPort"]) {
    it(`${name}: the body's error and the removal's leave together in an ExceptionGroup (the removal's used to replace the body's)`, async () => {
      const boom = new Error("removal refused");
      const bodyError = new RangeError("the body failed");
      const { port, told } = refusingPort(boom);
      const r = await outcome(() =>
        open[name]!(port, function* () {
          throw bodyError;
        }),
      );
      expect(r.error).toBeInstanceOf(ExceptionGroup);
      const group = r.error as ExceptionGroup;
      expect(group.message).toMatch(/^port channel #\d+ \((receiving|sending)\): the block raised, and its cleanup failed too \(Error: removal refused\)$/);
      expect(group.exceptions).toEqual([bodyError, boom]);
      expect(port.closed).toBe(true);
      expect(told.at(-1)).toMatchObject({ kind: name === "receiveFromPort" ? "close" : "abort" });
    });

    it(`${name}: cancelled, the Cancelled reaches its scope (it used to be replaced, so the scope never saw it) and the removal's error goes on`, async () => {
      const boom = new Error("removal refused");
      const { port } = refusingPort(boom);
      let scope: CancelScope | undefined;
      const r = await outcome(function* () {
        yield* moveOnAfter(0.01, (s) => {
          scope = s;
          return open[name]!(port, sleepForeverOp);
        });
      });
      expect(r.error).toBe(boom);
      expect(scope!.cancelledCaught).toBe(true);
      expect(port.closed).toBe(true);
    });

    it(`${name}: returning, with both the removal and close() refused: both raised, in an ExceptionGroup (close's used to replace the removal's)`, async () => {
      const boom = new Error("removal refused");
      const closeError = new Error("close refused");
      const { port } = refusingPort(boom);
      port.close = () => {
        throw closeError;
      };
      const r = await outcome(() => open[name]!(port, function* () {}));
      expect(r.error).toBeInstanceOf(ExceptionGroup);
      expect((r.error as ExceptionGroup).message).toMatch(/^port channel #\d+ \((receiving|sending)\): its cleanup failed in 2 ways$/);
      expect((r.error as ExceptionGroup).exceptions).toEqual([boom, closeError]);
    });
  }
});

function* sleepForeverOp(): Operation<void> {
  yield* sleep(3600);
}

/** A worker_threads MessagePort that counts the "message" listeners on it. */
function countingPort(port: import("node:worker_threads").MessagePort): { port: never; live: () => number; closed: () => boolean } {
  let live = 0;
  let closed = false;
  const wrapper = {
    postMessage: (message: unknown, transfer?: readonly never[]) => port.postMessage(message, transfer as never),
    close: () => {
      closed = true;
      port.close();
    },
    on: (event: string, listener: (value: unknown) => void) => {
      if (event === "message") live++;
      port.on(event, listener);
    },
    off: (event: string, listener: (value: unknown) => void) => {
      if (event === "message") live--;
      port.off(event, listener);
    },
  };
  return { port: wrapper as never, live: () => live, closed: () => closed };
}

describe("cancellation or failure mid-operation leaves nothing: no worker, listener, task or timer", () => {
  it("a call cancelled mid-flight: the worker's task ends, the grace timer is disarmed before the caller goes on", async () => {
    const t = fixtures.hostile;
    const r = await outcome(() =>
      openWorker<HostileOps, unknown>(
        t.make(),
        function* (w) {
          const scope = new CancelScope();
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              yield* until(() => t.logs.includes("mid:started"));
              scope.cancel();
            });
            yield* scope.run(() => w.call("waitForCancel", ["mid"]));
          });
          return [scope.cancelledCaught, ourTimers.size, w.alive];
        },
        { graceSeconds: 30 },
      ),
    );
    expect(r).toEqual({ value: [true, 0, true] });
    expectNothingLeftOf(t);
  });

  it("cancelled while the worker starts: it is terminated, the start timer disarmed", async () => {
    const t = fixtures.basic;
    const r = await outcome(() => moveOnAfter(0.001, () => openWorker(t.make(), function* () {}, { startSeconds: 50 })));
    expect(r).toEqual({ value: undefined });
    expectNothingLeftOf(t);
  });

  it("a call that spins past the grace period: the worker is terminated, the caller gets its Cancelled, nothing is armed", async () => {
    const t = fixtures.basic;
    const r = await outcome(() =>
      openWorker<BasicOps, unknown>(
        t.make(),
        function* (w) {
          const error = yield* caught(moveOnAfter(0.05, () => w.call("spin", ["spinner"])));
          return [error, w.alive, ourTimers.size];
        },
        { graceSeconds: 0.1 },
      ),
    );
    expect(r).toEqual({ value: [undefined, false, 0] });
    expectNothingLeftOf(t);
  });

  it("a pool: a call in flight and one waiting for a worker, both cancelled; the limiter is free and every worker gone", async () => {
    const t = fixtures.basic;
    const r = await outcome(() =>
      openWorkerPool<BasicOps, unknown>(
        () => t.make(),
        function* (pool) {
          const seen: string[] = [];
          yield* moveOnAfter(0.1, function* () {
            yield* openNursery(function* (nursery) {
              for (const tag of ["first", "second"]) {
                nursery.startSoon(function* () {
                  try {
                    yield* pool.call("waitForCancel", [tag]);
                  } catch (error) {
                    seen.push(`${tag}:${error instanceof Cancelled ? "Cancelled" : String(error)}`);
                    throw error;
                  }
                });
              }
            });
          });
          return [seen.sort(), pool.limiter.borrowedTokens, ourTimers.size, yield* pool.call("add", [1, 1])];
        },
        { size: 1, graceSeconds: 5 },
      ),
    );
    expect(r).toEqual({ value: [["first:Cancelled", "second:Cancelled"], 0, 0, 2] });
    expectNothingLeftOf(t);
  });

  it("a sibling fails mid-call: the call is cancelled in the worker, the error wins, nothing is left", async () => {
    const t = fixtures.basic;
    const boom = new RangeError("a sibling failed");
    const r = await outcome(() =>
      openWorker<BasicOps>(t.make(), function* (w) {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(() => w.call("waitForCancel", ["sibling"]));
          yield* until(() => t.logs.includes("sibling:started"));
          throw boom;
        });
      }),
    );
    expect(r.error).toBe(boom);
    expect(t.logs).toContain("sibling:finally");
    expectNothingLeftOf(t);
  });

  it("port channels cancelled mid-receive and mid-send (waiting for credit): their listeners go, both ports are closed", async () => {
    const { port1, port2 } = new MessageChannel();
    const a = countingPort(port1 as never);
    const b = countingPort(port2 as never);
    const r = await outcome(() =>
      moveOnAfter(0.1, function* () {
        yield* openNursery(function* (nursery) {
          nursery.startSoon(() =>
            receiveFromPort<number>(
              a.port,
              function* () {
                yield* sleep(Infinity); // never takes an item: the sender runs out of credit
              },
              { credits: 1 },
            ),
          );
          yield* sendToPort<number>(b.port, function* (out) {
            for (let i = 0; ; i++) yield* out.send(i);
          });
        });
      }),
    );
    expect(r).toEqual({ value: undefined });
    expect([a.live(), b.live(), a.closed(), b.closed()]).toEqual([0, 0, true, true]);
  });
});

describe("an arguments array that is a Proxy", () => {
  it("claiming 2^30 items: WorkerDataCloneError at once, at most 1000 arguments tried (the search for the culprit took about an hour)", async () => {
    const t = await tracker("basic.worker");
    let reads = 0;
    // After 5000 reads its items are functions, so a search without a bound stops there (and this fails).
    const args = new Proxy([1], {
      get: (target, key) => {
        if (key === "length") return 2 ** 30;
        if (typeof key === "string" && /^\d+$/.test(key)) return ++reads > 5000 ? () => 1 : 1;
        return Reflect.get(target, key);
      },
    });
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (w) {
        const error = yield* caught(w.call("echo", args as never));
        expect(error).toBeInstanceOf(WorkerDataCloneError);
        expect((error as Error).message).toMatch(/^worker #\d+\.call\("echo"\): an argument cannot be sent to the worker \(DataCloneError: /);
        expect(reads).toBeLessThanOrEqual(1000);
        expect(yield* w.call("add", [1, 2])).toBe(3);
      });
    });
    expect(t.alive).toBe(0);
  });

  it("whose items each clone: the error names the array itself, not 'an argument'", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (w) {
        const error = yield* caught(w.call("add", new Proxy([1, 2], {}) as never));
        expect(error).toBeInstanceOf(WorkerDataCloneError);
        expect((error as Error).message).toMatch(/^worker #\d+\.call\("add"\): the arguments array itself \(a Proxy, or a property besides its items\?\) cannot be sent to the worker \(DataCloneError: /);
      });
    });
    expect(t.alive).toBe(0);
  });
});
