/**
 * Benchmark 6: the asyncio layer.
 *
 * Each asyncio workload runs inside `openLoop` + `aioAsTrio` and times
 * itself from inside the loop (setting the loop up is not what we measure).
 * - callSoon burst: N `loop.callSoon(cb)` at once, until the last callback
 *   ran; baselines: N `queueMicrotask(cb)`, and N `then(cb)` on a resolved
 *   Promise (cheaper than queueMicrotask in both hosts).
 * - callSoon chain: each callback schedules the next, N deep; baselines: a
 *   `queueMicrotask` chain and a `then` chain.
 * - Future resolution: N futures with a done callback each, all resolved;
 *   baseline: N Promises with a `then` each, all resolved. And a coroutine
 *   awaiting N futures in turn, each resolved by a callSoon; baseline: an
 *   async function awaiting N Promises resolved by queueMicrotask.
 * - Queue ping-pong: asyncio `Queue`s (unbounded, as asyncio's default)
 *   against the Trio memory-channel ping-pong of the same length.
 * - gather of N tasks: `asyncio.gather(...coros)`, and N `loop.createTask`
 *   then `gather(...tasks)`, against a Trio nursery of N tasks and async
 *   functions + Promise.all. And the createTask + gather shape started with
 *   `asyncio.run` and timed from outside (the run included), with hoisted
 *   and inline (a closure per task) bodies, against `run()` + a nursery.
 */
import {
  aioAsTrio,
  asyncio,
  openLoop,
  openMemoryChannel,
  openNursery,
  run,
  type MemoryReceiveChannel,
  type MemorySendChannel,
  type Nursery,
  type Operation,
} from "../../src/index.js";
import { expectEqual, type Comparison, type Impl } from "../lib/harness.js";
import { label } from "./spawn.js";

type Coroutine<T> = asyncio.Coroutine<T>;
type Future<T> = asyncio.Future<T>;

let n = 0;
let count = 0;
let tEnd = 0;
let doneFuture: Future<void> | null = null;
let loopRef: asyncio.EventLoop | null = null;

function finish(): void {
  tEnd = performance.now();
  doneFuture!.setResult(undefined);
}

/** Runs an asyncio coroutine function in a fresh run + loop, returns what it returns. */
function runAio<T>(op: () => Operation<T>): Promise<T> {
  return run(function* aioHost() {
    return yield* openLoop(op);
  }) as Promise<T>;
}

// ---- callSoon burst ---------------------------------------------------------------------
function burstCallback(): void {
  if (++count === n) finish();
}
function* callSoonBurst(): Coroutine<number> {
  const loop = asyncio.getRunningLoop();
  doneFuture = loop.createFuture<void>();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) loop.callSoon(burstCallback);
  yield* doneFuture;
  return tEnd - t0;
}
const callSoonBurstOp = aioAsTrio(callSoonBurst);

function microtaskBurst(): Promise<number> {
  return new Promise((resolve) => {
    let c = 0;
    const t0 = performance.now();
    const cb = () => {
      if (++c === n) {
        count = c;
        resolve(performance.now() - t0);
      }
    };
    for (let i = 0; i < n; i++) queueMicrotask(cb);
  });
}

const resolved = Promise.resolve();
function promiseThenBurst(): Promise<number> {
  return new Promise((resolve) => {
    let c = 0;
    const t0 = performance.now();
    const cb = () => {
      if (++c === n) {
        count = c;
        resolve(performance.now() - t0);
      }
    };
    for (let i = 0; i < n; i++) void resolved.then(cb);
  });
}

// ---- callSoon chain ------------------------------------------------------------------------
function chainCallback(): void {
  if (++count === n) finish();
  else loopRef!.callSoon(chainCallback);
}
function* callSoonChain(): Coroutine<number> {
  const loop = (loopRef = asyncio.getRunningLoop());
  doneFuture = loop.createFuture<void>();
  const t0 = performance.now();
  loop.callSoon(chainCallback);
  yield* doneFuture;
  return tEnd - t0;
}
const callSoonChainOp = aioAsTrio(callSoonChain);

function promiseThenChain(): Promise<number> {
  return new Promise((resolve) => {
    let c = 0;
    const t0 = performance.now();
    const cb = () => {
      if (++c === n) {
        count = c;
        resolve(performance.now() - t0);
      } else void resolved.then(cb);
    };
    void resolved.then(cb);
  });
}

function microtaskChain(): Promise<number> {
  return new Promise((resolve) => {
    let c = 0;
    const t0 = performance.now();
    const cb = () => {
      if (++c === n) {
        count = c;
        resolve(performance.now() - t0);
      } else queueMicrotask(cb);
    };
    queueMicrotask(cb);
  });
}

// ---- Future resolution -----------------------------------------------------------------------
function futureDone(): void {
  if (++count === n) finish();
}
function* futureBurst(): Coroutine<number> {
  const loop = asyncio.getRunningLoop();
  doneFuture = loop.createFuture<void>();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const f = loop.createFuture<number>();
    f.addDoneCallback(futureDone);
    f.setResult(i);
  }
  yield* doneFuture;
  return tEnd - t0;
}
const futureBurstOp = aioAsTrio(futureBurst);

function promiseBurst(): Promise<number> {
  return new Promise((done) => {
    let c = 0;
    const t0 = performance.now();
    const cb = () => {
      if (++c === n) {
        count = c;
        done(performance.now() - t0);
      }
    };
    for (let i = 0; i < n; i++) {
      let resolve!: (v: number) => void;
      new Promise<number>((r) => (resolve = r)).then(cb);
      resolve(i);
    }
  });
}

function resolveSoon(f: Future<number>): void {
  f.setResult(1);
}
function* futureAwaitChain(): Coroutine<number> {
  const loop = asyncio.getRunningLoop();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const f = loop.createFuture<number>();
    loop.callSoon(resolveSoon, f);
    count += yield* f;
  }
  return performance.now() - t0;
}
const futureAwaitOp = aioAsTrio(futureAwaitChain);

async function promiseAwaitChain(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    count += await new Promise<number>((resolve) => queueMicrotask(() => resolve(1)));
  }
  return performance.now() - t0;
}

// ---- Queue ping-pong ------------------------------------------------------------------------------
let checksum = 0;
function* queuePonger(ping: asyncio.Queue<number>, pong: asyncio.Queue<number>): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* pong.put(yield* ping.get());
}
function* queuePingPong(): Coroutine<number> {
  const t0 = performance.now();
  const ping = new asyncio.Queue<number>();
  const pong = new asyncio.Queue<number>();
  const other = asyncio.createTask(queuePonger(ping, pong));
  for (let i = 0; i < n; i++) {
    yield* ping.put(i);
    checksum += yield* pong.get();
  }
  yield* other;
  return performance.now() - t0;
}
const queuePingPongOp = aioAsTrio(queuePingPong);

function* trioPonger(rx: MemoryReceiveChannel<number>, tx: MemorySendChannel<number>): Operation<void> {
  for (let i = 0; i < n; i++) yield* tx.send(yield* rx.receive());
}
let trioStart = 0;
function* trioPinger(nursery: Nursery): Operation<void> {
  trioStart = performance.now();
  const [pingTx, pingRx] = openMemoryChannel<number>(0);
  const [pongTx, pongRx] = openMemoryChannel<number>(0);
  nursery.startSoon(trioPonger, pingRx, pongTx);
  for (let i = 0; i < n; i++) {
    yield* pingTx.send(i);
    checksum += yield* pongRx.receive();
  }
}
function* trioPingPong(): Operation<number> {
  yield* openNursery(trioPinger);
  return performance.now() - trioStart;
}

// ---- gather ---------------------------------------------------------------------------------------
function* aioTiny(): Coroutine<number> {
  count++;
  return 1;
}
function* gatherMany(): Coroutine<number> {
  const t0 = performance.now();
  const coros: Coroutine<number>[] = new Array(n);
  for (let i = 0; i < n; i++) coros[i] = aioTiny();
  const results = yield* asyncio.gather(...coros);
  expectEqual("gather results", results.length, n);
  return performance.now() - t0;
}
const gatherOp = aioAsTrio(gatherMany);
// The way issue 17 measures it: the tasks made with createTask first, then gathered.
function* createTaskGather(): Coroutine<number> {
  const t0 = performance.now();
  const loop = asyncio.getRunningLoop();
  const tasks: asyncio.Task<number>[] = new Array(n);
  for (let i = 0; i < n; i++) tasks[i] = loop.createTask(aioTiny());
  const results = yield* asyncio.gather(...tasks);
  expectEqual("gather results", results.length, n);
  return performance.now() - t0;
}
const createTaskGatherOp = aioAsTrio(createTaskGather);

function* trioTiny(): Operation<void> {
  count++;
}
let trioSpawnStart = 0;
function* trioSpawnAll(nursery: Nursery): Operation<void> {
  trioSpawnStart = performance.now();
  for (let i = 0; i < n; i++) nursery.startSoon(trioTiny);
}
function* trioGather(): Operation<number> {
  yield* openNursery(trioSpawnAll);
  return performance.now() - trioSpawnStart;
}
async function asyncTiny(): Promise<number> {
  count++;
  return 1;
}
async function promiseAll(): Promise<number> {
  const t0 = performance.now();
  const all: Promise<number>[] = new Array(n);
  for (let i = 0; i < n; i++) all[i] = asyncTiny();
  await Promise.all(all);
  return performance.now() - t0;
}

// ---- the same with run() included, and with inline bodies ------------------------------------
// asyncio.run(main) timed from outside, as a user's program would start it.
function* createTaskGatherMain(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const tasks: asyncio.Task<number>[] = new Array(n);
  for (let i = 0; i < n; i++) tasks[i] = loop.createTask(aioTiny());
  const results = yield* asyncio.gather(...tasks);
  expectEqual("gather results", results.length, n);
}
function* createTaskGatherInlineMain(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const tasks: asyncio.Task<number>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    tasks[i] = loop.createTask(
      (function* (): Coroutine<number> {
        count++;
        return 1;
      })(),
    );
  }
  const results = yield* asyncio.gather(...tasks);
  expectEqual("gather results", results.length, n);
}
function* trioRunMain(): Operation<void> {
  yield* openNursery(trioSpawnAll);
}

/** Wraps a body timed from outside (the harness's own clock) in the shape `impl` takes. */
function untimed(body: () => Promise<unknown>): () => Promise<number> {
  return async () => {
    const t0 = performance.now();
    await body();
    return performance.now() - t0;
  };
}

function impl(name: string, size: number, expected: (size: number) => number, body: () => Promise<number>): Impl {
  return {
    name,
    run: async () => {
      n = size;
      count = 0;
      checksum = 0;
      const ms = await body();
      expectEqual(`${name} work done`, count + checksum, expected(size));
      return ms;
    },
  };
}
const same = (s: number) => s;
const tri = (s: number) => (s * (s - 1)) / 2;

/** The asyncio comparisons. */
export function asyncioComparisons(sizes: { callbacks: number; futures: number; pingPong: number; gather: number }): Comparison[] {
  const cb = sizes.callbacks;
  return [
    {
      id: `asyncio/callSoon-burst/${label(cb)}`,
      title: `${label(cb)} loop.callSoon() at once, until the last ran`,
      impls: [
        impl("asyncio callSoon", cb, same, () => runAio(callSoonBurstOp)),
        impl("queueMicrotask", cb, same, microtaskBurst),
        impl("Promise.then", cb, same, promiseThenBurst),
      ],
    },
    {
      id: `asyncio/callSoon-chain/${label(cb)}`,
      title: `a chain of ${label(cb)} callSoon() callbacks`,
      impls: [
        impl("asyncio callSoon", cb, same, () => runAio(callSoonChainOp)),
        impl("queueMicrotask", cb, same, microtaskChain),
        impl("Promise.then", cb, same, promiseThenChain),
      ],
    },
    {
      id: `asyncio/future-burst/${label(sizes.futures)}`,
      title: `${label(sizes.futures)} Futures resolved, one done callback each`,
      impls: [
        impl("asyncio Future", sizes.futures, same, () => runAio(futureBurstOp)),
        impl("Promise.then", sizes.futures, same, promiseBurst),
      ],
    },
    {
      id: `asyncio/future-await/${label(sizes.futures)}`,
      title: `a coroutine awaiting ${label(sizes.futures)} Futures in turn`,
      impls: [
        impl("asyncio Future", sizes.futures, same, () => runAio(futureAwaitOp)),
        impl("await Promise", sizes.futures, same, promiseAwaitChain),
      ],
    },
    {
      id: `asyncio/queue-ping-pong/${label(sizes.pingPong)}`,
      title: `${label(sizes.pingPong)} ping-pong round trips: asyncio Queue vs Trio channel`,
      impls: [
        impl("asyncio Queue", sizes.pingPong, tri, () => runAio(queuePingPongOp)),
        impl("trio channel(0)", sizes.pingPong, tri, () => run(trioPingPong)),
      ],
    },
    {
      id: `asyncio/gather/${label(sizes.gather)}`,
      title: `gather of ${label(sizes.gather)} tiny tasks`,
      impls: [
        impl("asyncio gather", sizes.gather, same, () => runAio(gatherOp)),
        impl("asyncio createTask+gather", sizes.gather, same, () => runAio(createTaskGatherOp)),
        impl("trio nursery", sizes.gather, same, () => run(trioGather)),
        impl("async+Promise.all", sizes.gather, same, promiseAll),
      ],
    },
    {
      id: `asyncio/run-create-gather/${label(sizes.gather)}`,
      title: `asyncio.run of ${label(sizes.gather)} createTask + gather, run included; hoisted and inline bodies`,
      impls: [
        impl("asyncio.run createTask+gather", sizes.gather, same, untimed(() => asyncio.run(createTaskGatherMain()))),
        impl("asyncio.run inline bodies", sizes.gather, same, untimed(() => asyncio.run(createTaskGatherInlineMain()))),
        impl("trio run+nursery", sizes.gather, same, untimed(() => run(trioRunMain))),
        impl("async+Promise.all", sizes.gather, same, promiseAll),
      ],
    },
  ];
}
