/**
 * The web layer against the raw platform, in both hosts (Node 20 has
 * EventTarget, CustomEvent and WHATWG streams):
 *
 * - web/events/round-trip/N: host code dispatches an event and awaits its
 *   handling before the next one, as a page's events come one host task at
 *   a time. Ours receives it from `openEventChannel` in a task; the baseline
 *   is a listener doing the same work directly. The acknowledgement (a
 *   Promise the dispatcher awaits) is the same in both.
 * - web/events/burst/N: N events dispatched in one go, then handled: ours
 *   buffers them in the channel and receives them in a task; the baseline's
 *   listener handles each inside its dispatch.
 * - web/streams/pipe/CxK: a ReadableStream of C chunks of K bytes into a
 *   counting WritableStream. Ours reads with `receiveStreamFromReadable` and
 *   writes with `sendStreamFromWritable` in a task; the baseline is
 *   `readable.pipeTo(writable)`.
 *
 * Each implementation checks it saw every event or byte.
 */
import { run, type Operation } from "../../src/index.js";
import { openEventChannel, receiveStreamFromReadable, sendStreamFromWritable } from "../../src/web/index.js";
import { expectEqual, type Comparison, type Impl } from "../lib/harness.js";

const EVENT = "tick";

let count = 0;
let sum = 0;

function tick(i: number): CustomEvent<number> {
  return new CustomEvent<number>(EVENT, { detail: i });
}

function expectedSum(n: number): number {
  return (n * (n - 1)) / 2;
}

// ---- events: round trip ------------------------------------------------------------

/** Dispatches n events, each after the previous one was handled (`handled` resolves). */
async function dispatchAwaited(target: EventTarget, n: number, handled: { ack: () => void }): Promise<void> {
  for (let i = 0; i < n; i++) {
    const done = new Promise<void>((resolve) => (handled.ack = resolve));
    target.dispatchEvent(tick(i));
    await done;
  }
}

async function eventsRoundTripOurs(): Promise<void> {
  const target = new EventTarget();
  const n = count;
  sum = 0;
  const handled = { ack: () => {} };
  let dispatching: Promise<void> | undefined;
  await run(() =>
    openEventChannel<CustomEvent<number>, void>(target, EVENT, function* (events) {
      dispatching = dispatchAwaited(target, n, handled);
      for (let i = 0; i < n; i++) {
        sum += (yield* events.receive()).detail;
        handled.ack();
      }
    }),
  );
  await dispatching;
  expectEqual("ours events handled", sum, expectedSum(n));
}

async function eventsRoundTripRaw(): Promise<void> {
  const target = new EventTarget();
  const n = count;
  sum = 0;
  const handled = { ack: () => {} };
  const listener = (event: Event) => {
    sum += (event as CustomEvent<number>).detail;
    handled.ack();
  };
  target.addEventListener(EVENT, listener);
  await dispatchAwaited(target, n, handled);
  target.removeEventListener(EVENT, listener);
  expectEqual("raw events handled", sum, expectedSum(n));
}

// ---- events: burst ------------------------------------------------------------------

async function eventsBurstOurs(): Promise<void> {
  const target = new EventTarget();
  const n = count;
  sum = 0;
  await run(() =>
    openEventChannel<CustomEvent<number>, void>(target, EVENT, function* (events) {
      for (let i = 0; i < n; i++) target.dispatchEvent(tick(i));
      for (let i = 0; i < n; i++) sum += (yield* events.receive()).detail;
    }),
  );
  expectEqual("ours burst handled", sum, expectedSum(n));
}

async function eventsBurstRaw(): Promise<void> {
  const target = new EventTarget();
  const n = count;
  sum = 0;
  const listener = (event: Event) => {
    sum += (event as CustomEvent<number>).detail;
  };
  target.addEventListener(EVENT, listener);
  for (let i = 0; i < n; i++) target.dispatchEvent(tick(i));
  target.removeEventListener(EVENT, listener);
  // The same one await as ours pays for run()'s Promise.
  await Promise.resolve();
  expectEqual("raw burst handled", sum, expectedSum(n));
}

// ---- streams: pipe ------------------------------------------------------------------

let chunks = 0;
let chunkSize = 0;
let received = 0;

/** A source of `chunks` chunks of `chunkSize` bytes, made on pull (so it feels backpressure). */
function source(): ReadableStream<Uint8Array> {
  let made = 0;
  const n = chunks;
  const size = chunkSize;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (made === n) {
        controller.close();
        return;
      }
      made++;
      controller.enqueue(new Uint8Array(size));
    },
  });
}

/** A sink counting the bytes it takes. */
function sink(): WritableStream<Uint8Array> {
  received = 0;
  return new WritableStream<Uint8Array>({
    write(chunk) {
      received += chunk.length;
    },
  });
}

function* pipeOp(readable: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>, copy: boolean): Operation<void> {
  const from = receiveStreamFromReadable(readable);
  // A pipe passes on chunks it never touches again: nothing to copy (as pipeTo). The "copying" row shows the default.
  const to = sendStreamFromWritable(writable, { copy });
  try {
    for (;;) {
      const chunk = yield* from.receiveSome();
      if (chunk.length === 0) break;
      yield* to.sendAll(chunk);
    }
    yield* to.aclose();
  } finally {
    from.close();
    to.close();
  }
}

async function pipeOurs(copy: boolean): Promise<void> {
  const readable = source();
  const writable = sink();
  await run(() => pipeOp(readable, writable, copy));
  expectEqual("ours bytes piped", received, chunks * chunkSize);
}

async function pipeRaw(): Promise<void> {
  await source().pipeTo(sink());
  expectEqual("pipeTo bytes piped", received, chunks * chunkSize);
}

function impl(name: string, n: number, body: () => Promise<void>): Impl {
  return {
    name,
    run: () => {
      count = n;
      return body();
    },
  };
}

function pipeImpl(name: string, c: number, k: number, body: () => Promise<void>): Impl {
  return {
    name,
    run: () => {
      chunks = c;
      chunkSize = k;
      return body();
    },
  };
}

/** The events comparisons, at `n` events per sample. */
export function webEventComparisons(n: number): Comparison[] {
  return [
    {
      id: `web/events/round-trip/${n}`,
      title: `${n} events, each awaited by its dispatcher (openEventChannel + receive vs a raw listener)`,
      impls: [impl("ours", n, eventsRoundTripOurs), impl("raw listener", n, eventsRoundTripRaw)],
    },
    {
      id: `web/events/burst/${n}`,
      title: `${n} events dispatched at once, then handled (openEventChannel + receive vs a raw listener)`,
      impls: [impl("ours", n, eventsBurstOurs), impl("raw listener", n, eventsBurstRaw)],
    },
  ];
}

/** The stream comparisons: `c` chunks of each size in `sizes` (bytes). */
export function webStreamComparisons(c: number, sizes: readonly number[]): Comparison[] {
  return sizes.map((k) => ({
    id: `web/streams/pipe-${k >= 1024 ? `${k / 1024}k` : k}/${c}`,
    title: `a ReadableStream of ${c} chunks of ${k} bytes into a WritableStream (our adapters in a task vs pipeTo)`,
    impls: [pipeImpl("ours", c, k, () => pipeOurs(false)), pipeImpl("pipeTo", c, k, pipeRaw), pipeImpl("ours copying", c, k, () => pipeOurs(true))],
  }));
}
