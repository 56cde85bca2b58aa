/**
 * Benchmark 3: channel ping-pong.
 *
 * Two tasks bounce a number back and forth over two channels, N round
 * trips: each round trip is two sends, two receives and two task switches.
 * Ours runs on memory channels, unbuffered (maxBufferSize 0: every send is a
 * rendezvous) and buffered (16). The baselines: two async functions handing
 * values over through bare Promise resolvers (the least a Promise-based
 * channel can do), Effection channels (createChannel + subscription.next(),
 * unbuffered by nature), Effect Queues (bounded 1 and 16). A floor row,
 * unbuffered: the least this design costs with no scheduler at all.
 */
import { Effect, Fiber, Queue } from "effect";
import {
  createChannel,
  run as effectionRun,
  spawn as effectionSpawn,
  type Channel as EffectionChannel,
  type Operation as EffectionOp,
  type Subscription,
} from "effection";
import {
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

let trips = 0;
let buffer = 0;
let checksum = 0;

// ---- ours ------------------------------------------------------------------------
function* ponger(rx: MemoryReceiveChannel<number>, tx: MemorySendChannel<number>, n: number): Operation<void> {
  for (let i = 0; i < n; i++) {
    const v = yield* rx.receive();
    yield* tx.send(v);
  }
}
function* pinger(nursery: Nursery): Operation<void> {
  const [pingTx, pingRx] = openMemoryChannel<number>(buffer);
  const [pongTx, pongRx] = openMemoryChannel<number>(buffer);
  nursery.startSoon(ponger, pingRx, pongTx, trips);
  for (let i = 0; i < trips; i++) {
    yield* pingTx.send(i);
    checksum += yield* pongRx.receive();
  }
}
function* oursMain(): Operation<void> {
  yield* openNursery(pinger);
}

// ---- raw Promise hand-off ---------------------------------------------------------------
/** The least a Promise-based channel does: a resolver handed over, or a value parked. */
class HandOff<T> {
  private waiter: ((value: T) => void) | null = null;
  private readonly parked: T[] = [];
  send(value: T): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w(value);
    } else {
      this.parked.push(value);
    }
  }
  receive(): Promise<T> {
    if (this.parked.length > 0) return Promise.resolve(this.parked.shift()!);
    return new Promise<T>((resolve) => {
      this.waiter = resolve;
    });
  }
}
async function rawPonger(ping: HandOff<number>, pong: HandOff<number>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) pong.send(await ping.receive());
}
async function rawMain(): Promise<void> {
  const ping = new HandOff<number>();
  const pong = new HandOff<number>();
  const other = rawPonger(ping, pong, trips);
  for (let i = 0; i < trips; i++) {
    ping.send(i);
    checksum += await pong.receive();
  }
  await other;
}

// ---- the floor: generators + yield* operations, a bare FIFO, no scheduler ----------------------
// What any runtime with this design pays at least per round trip: four
// generator steps (Trio's: every send and receive is a schedule point, so a
// hand-over yields, as ours does), each operation a small iterator object run
// with yield* (as ours are), a linked FIFO of runnable tasks. No cancellation,
// no clock, no nursery, no bookkeeping: it shows how much of ours is the
// scheduler and how much is the generator protocol and the four switches.
const FLOOR_SWITCH = Object.freeze({ value: 0, done: false });
const FLOOR_PARK = Object.freeze({ value: 1, done: false });
interface FloorTask {
  gen: Generator<number, void, unknown>;
  resume: unknown;
  next: FloorTask | null;
}
let floorHead: FloorTask | null = null;
let floorTail: FloorTask | null = null;
function floorWake(task: FloorTask, value: unknown): void {
  task.resume = value;
  if (floorTail === null) floorHead = task;
  else floorTail.next = task;
  floorTail = task;
}
/** One rendezvous slot: a parked receiver, or a parked sender and its value. */
class FloorSlot {
  receiver: FloorTask | null = null;
  sender: FloorTask | null = null;
  item: unknown = undefined;
}
class FloorSend {
  value = undefined;
  done = false;
  private started = false;
  constructor(
    private readonly me: FloorTask,
    private readonly slot: FloorSlot,
    private readonly item: number,
  ) {}
  next(): IteratorResult<number, undefined> {
    if (this.started) {
      this.done = true;
      return this as IteratorReturnResult<undefined>;
    }
    this.started = true;
    const slot = this.slot;
    const r = slot.receiver;
    if (r !== null) {
      slot.receiver = null;
      floorWake(r, this.item);
      return FLOOR_SWITCH;
    }
    slot.sender = this.me;
    slot.item = this.item;
    return FLOOR_PARK;
  }
  [Symbol.iterator](): this {
    return this;
  }
}
class FloorReceive {
  value: number | undefined = undefined;
  done = false;
  private phase = 0;
  constructor(
    private readonly me: FloorTask,
    private readonly slot: FloorSlot,
  ) {}
  next(resumed?: unknown): IteratorResult<number, number> {
    const phase = this.phase;
    if (phase !== 0) {
      if (phase === 2) this.value = resumed as number;
      this.done = true;
      return this as IteratorReturnResult<number>;
    }
    const slot = this.slot;
    const s = slot.sender;
    if (s !== null) {
      slot.sender = null;
      this.value = slot.item as number;
      floorWake(s, undefined);
      this.phase = 1;
      return FLOOR_SWITCH;
    }
    slot.receiver = this.me;
    this.phase = 2;
    return FLOOR_PARK;
  }
  [Symbol.iterator](): this {
    return this;
  }
}
function* floorPonger(me: FloorTask, ping: FloorSlot, pong: FloorSlot): Generator<number, void, unknown> {
  for (let i = 0; i < trips; i++) yield* new FloorSend(me, pong, yield* new FloorReceive(me, ping));
}
function* floorPinger(me: FloorTask, ping: FloorSlot, pong: FloorSlot): Generator<number, void, unknown> {
  for (let i = 0; i < trips; i++) {
    yield* new FloorSend(me, ping, i);
    checksum += yield* new FloorReceive(me, pong);
  }
}
function floorMain(): Promise<void> {
  const ping = new FloorSlot();
  const pong = new FloorSlot();
  const a: FloorTask = { gen: null!, resume: undefined, next: null };
  const b: FloorTask = { gen: null!, resume: undefined, next: null };
  a.gen = floorPinger(a, ping, pong);
  b.gen = floorPonger(b, ping, pong);
  floorWake(a, undefined);
  floorWake(b, undefined);
  while (floorHead !== null) {
    const task: FloorTask = floorHead;
    floorHead = task.next;
    if (floorHead === null) floorTail = null;
    task.next = null;
    const value = task.resume;
    task.resume = undefined;
    const r = task.gen.next(value);
    if (r.done !== true && r.value === 0) floorWake(task, undefined);
  }
  return Promise.resolve();
}

// ---- Effection ------------------------------------------------------------------------------
function* effectionPonger(ping: Subscription<number, void>, pong: EffectionChannel<number, void>): EffectionOp<void> {
  for (let i = 0; i < trips; i++) {
    const next = yield* ping.next();
    yield* pong.send(next.done ? -1 : next.value);
  }
}
function* effectionMain(): EffectionOp<void> {
  const ping = createChannel<number>();
  const pong = createChannel<number>();
  const pingSub = yield* ping;
  const pongSub = yield* pong;
  const other = yield* effectionSpawn(() => effectionPonger(pingSub, pong));
  for (let i = 0; i < trips; i++) {
    yield* ping.send(i);
    const next = yield* pongSub.next();
    if (!next.done) checksum += next.value;
  }
  yield* other;
}

// ---- Effect ------------------------------------------------------------------------------------
function effectPonger(ping: Queue.Queue<number>, pong: Queue.Queue<number>) {
  return Effect.gen(function* () {
    for (let i = 0; i < trips; i++) yield* Queue.offer(pong, yield* Queue.take(ping));
  });
}
const effectMain = Effect.gen(function* () {
  const ping = yield* Queue.bounded<number>(Math.max(1, buffer));
  const pong = yield* Queue.bounded<number>(Math.max(1, buffer));
  const other = yield* Effect.forkChild(effectPonger(ping, pong));
  for (let i = 0; i < trips; i++) {
    yield* Queue.offer(ping, i);
    checksum += yield* Queue.take(pong);
  }
  yield* Fiber.join(other);
});

function impl(name: string, n: number, buf: number, body: () => PromiseLike<unknown>): Impl {
  return {
    name,
    run: async () => {
      trips = n;
      buffer = buf;
      checksum = 0;
      await body();
      expectEqual(`${name} ping-pong checksum`, checksum, (n * (n - 1)) / 2);
    },
  };
}

/** Which competitors join the main ping-pong comparisons. */
export interface ChannelOptions {
  readonly effection: boolean;
  readonly effect: boolean;
}

/** Ping-pong comparisons, unbuffered and buffered, at `n` round trips. */
export function channelComparisons(n: number, options: ChannelOptions): Comparison[] {
  const unbuffered: Impl[] = [
    impl("ours", n, 0, () => run(oursMain)),
    impl("raw Promise hand-off", n, 0, rawMain),
    impl("ours buffered(16)", n, 16, () => run(oursMain)),
    impl("floor: generators + yield* ops, no scheduler", n, 0, floorMain),
  ];
  if (options.effection) unbuffered.push(impl("effection", n, 0, () => effectionRun(effectionMain)));
  if (options.effect) unbuffered.push(impl("effect Queue(1)", n, 1, () => Effect.runPromise(effectMain)));
  const buffered: Impl[] = [impl("ours", n, 16, () => run(oursMain)), impl("raw Promise hand-off", n, 16, rawMain)];
  if (options.effect) buffered.push(impl("effect Queue(16)", n, 16, () => Effect.runPromise(effectMain)));
  return [
    { id: `channel/unbuffered/${label(n)}`, title: `${label(n)} ping-pong round trips, unbuffered channel`, impls: unbuffered },
    { id: `channel/buffered/${label(n)}`, title: `${label(n)} ping-pong round trips, buffered channel (16)`, impls: buffered },
  ];
}

/**
 * Ours against Effect alone, at few round trips: in a page, Effect's default
 * scheduler resumes a suspended fiber on setTimeout(0), which browsers clamp
 * to 4 ms, so a round trip costs milliseconds there.
 */
export function channelEffectComparison(n: number): Comparison {
  return {
    id: `channel/unbuffered-vs-effect/${label(n)}`,
    title: `${label(n)} ping-pong round trips, unbuffered: ours vs Effect Queue(1) alone`,
    impls: [impl("ours", n, 0, () => run(oursMain)), impl("effect Queue(1)", n, 1, () => Effect.runPromise(effectMain))],
  };
}
