/**
 * aioIterAsTrio and trioIterAsAio: streams of values across the flavours,
 * including cancellation and close in both directions.
 */
import { describe, expect, it } from "vitest";
import {
  BrokenResourceError,
  BusyResourceError,
  Cancelled,
  ClosedResourceError,
  EndOfChannel,
  currentTime,
  moveOnAfter,
  openNursery,
  sleep as trioSleep,
  type Operation,
} from "../../src/core/index.js";
import { openMemoryChannel } from "../../src/sync/index.js";
import { aioAsTrio, aioIterAsTrio, trioAsAio, trioIterAsAio, type AioAsyncIterator, type TrioReceiver } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { expectNoLeftovers, runKeep, runLoop } from "./helpers.js";

const { CancelledError } = asyncio;

/** An asyncio iterator that produces 0..n-1, one per `delay` seconds, and logs what happens to it. */
class Counter implements AioAsyncIterator<number> {
  i = 0;
  readonly log: string[] = [];
  constructor(
    readonly n: number,
    readonly delay = 1,
  ) {}

  *next(): asyncio.Coroutine<IteratorResult<number, undefined>> {
    try {
      yield* asyncio.sleep(this.delay);
    } catch (error) {
      this.log.push(`next cancelled at ${asyncio.getRunningLoop().time()}`);
      throw error;
    }
    if (this.i >= this.n) return { done: true, value: undefined };
    return { done: false, value: this.i++ };
  }

  *return(): asyncio.Coroutine<void> {
    this.log.push("return started");
    yield* asyncio.sleep(0.5);
    this.log.push(`return done at ${asyncio.getRunningLoop().time()}`);
  }
}

describe("aioIterAsTrio", () => {
  it("receives each value, then EndOfChannel (every time after the end)", async () => {
    const counter = new Counter(3);
    const kept = await runLoop(function* () {
      const rx = aioIterAsTrio(counter);
      const got: unknown[] = [];
      for (;;) {
        try {
          got.push([yield* rx.receive(), currentTime()]);
        } catch (error) {
          got.push(error instanceof EndOfChannel ? "end" : error);
          break;
        }
      }
      let again: unknown;
      try {
        yield* rx.receive();
      } catch (error) {
        again = error;
      }
      return [got, again instanceof EndOfChannel, String(rx)];
    });
    expect(kept.value).toEqual([[[0, 1], [1, 2], [2, 3], "end"], true, "<AioIterReceiver ended>"]);
    expect(counter.log).toEqual([]); // ended by itself: return() is not called
    expectNoLeftovers(kept.runner);
  });

  it("forEach and receiveOrEnd", async () => {
    const kept = await runLoop(function* () {
      const seen: number[] = [];
      yield* aioIterAsTrio(new Counter(3, 0)).forEach(function* (v) {
        seen.push(v);
        yield* trioSleep(1);
      });
      const rx = aioIterAsTrio(new Counter(1, 0));
      return [seen, yield* rx.receiveOrEnd(), yield* rx.receiveOrEnd(), currentTime()];
    });
    expect(kept.value).toEqual([[0, 1, 2], { done: false, value: 0 }, { done: true }, 3]);
  });

  it("a cancelled receive cancels the pending next() once; the iterator can be used again", async () => {
    const counter = new Counter(2, 2);
    const kept = await runLoop(function* () {
      const rx = aioIterAsTrio(counter);
      const first = yield* moveOnAfter(1, () => rx.receive());
      const second = yield* rx.receive();
      return [first, second, currentTime()];
    });
    expect(kept.value).toEqual([undefined, 0, 3]);
    // The iterator was left unfinished, so the loop finalizes it on exit.
    expect(counter.log).toEqual(["next cancelled at 1", "return started", "return done at 3.5"]);
  });

  it("the cancelled receive raises Cancelled inside its scope", async () => {
    let seen: unknown;
    await runLoop(function* () {
      const rx = aioIterAsTrio(new Counter(1, 5));
      yield* moveOnAfter(1, function* () {
        try {
          yield* rx.receive();
        } catch (error) {
          seen = error;
          throw error;
        }
      });
    });
    expect(seen).toBeInstanceOf(Cancelled);
  });

  it("aclose() runs the iterator's return() to its end; later receives raise ClosedResourceError", async () => {
    const counter = new Counter(5);
    const kept = await runLoop(function* () {
      const rx = aioIterAsTrio(counter);
      const v = yield* rx.receive();
      yield* rx.aclose();
      const at = currentTime();
      yield* rx.aclose(); // idempotent
      let after: unknown;
      try {
        yield* rx.receive();
      } catch (error) {
        after = error;
      }
      return [v, at, rx.closed, after instanceof ClosedResourceError];
    });
    expect(kept.value).toEqual([0, 1.5, true, true]);
    expect(counter.log).toEqual(["return started", "return done at 1.5"]);
  });

  it("aclose() after the end does not call return()", async () => {
    const counter = new Counter(0, 0);
    await runLoop(function* () {
      const rx = aioIterAsTrio(counter);
      yield* rx.receiveOrEnd();
      yield* rx.aclose();
    });
    expect(counter.log).toEqual([]);
  });

  it("aclose() while another task receives: that task gets ClosedResourceError, then return() runs", async () => {
    const counter = new Counter(5, 10);
    let receiverError: unknown;
    const kept = await runLoop(function* () {
      const rx = aioIterAsTrio(counter);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* rx.receive();
          } catch (error) {
            receiverError = error;
          }
        });
        yield* trioSleep(1);
        yield* rx.aclose();
      });
      return currentTime();
    });
    expect(receiverError).toBeInstanceOf(ClosedResourceError);
    expect(counter.log).toEqual(["next cancelled at 1", "return started", "return done at 1.5"]);
    expect(kept.value).toBe(1.5);
  });

  it("two tasks receiving at once: the second gets BusyResourceError", async () => {
    const kept = await runLoop(function* () {
      const rx = aioIterAsTrio(new Counter(5));
      const results: unknown[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          results.push(yield* rx.receive());
        });
        n.startSoon(function* () {
          yield* trioSleep(0.5);
          try {
            yield* rx.receive();
          } catch (error) {
            results.push(error instanceof BusyResourceError ? "busy" : error);
          }
        });
      });
      return results;
    });
    expect(kept.value).toEqual(["busy", 0]);
  });

  it("an error of next() passes through; a malformed result is a TypeError", async () => {
    const boom = new Error("source broke");
    const broken: AioAsyncIterator<number> = {
      *next() {
        yield* asyncio.sleep(0);
        throw boom;
      },
    };
    const malformed = {
      *next() {
        yield* asyncio.sleep(0);
        return 42;
      },
    } as unknown as AioAsyncIterator<number>;
    const kept = await runLoop(function* () {
      const errors: unknown[] = [];
      for (const it of [broken, malformed]) {
        try {
          yield* aioIterAsTrio(it).receive();
        } catch (error) {
          errors.push(error);
        }
      }
      return errors;
    });
    const [first, second] = kept.value as unknown[];
    expect(first).toBe(boom);
    expect(String(second)).toMatch(/next\(\) must return \{ done, value \}, got number 42/);
  });

  it("checks its input and needs an openLoop block", async () => {
    expect(() => aioIterAsTrio({} as never)).toThrow(/needs an asyncio async iterator/);
    const kept = await runKeep(() => aioIterAsTrio(new Counter(1)).receive());
    expect(String(kept.value)).toMatch(/No asyncio loop here/);
  });
});

describe("trioIterAsAio", () => {
  function* produce(tx: { send(v: number): Operation<void>; close(): void }, n: number, delay: number): Operation<void> {
    try {
      for (let i = 0; i < n; i++) {
        yield* trioSleep(delay);
        yield* tx.send(i);
      }
    } finally {
      tx.close();
    }
  }

  it("asyncio code iterates over a Trio memory channel fed by a Trio task", async () => {
    const kept = await runLoop(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      function* consume(): asyncio.Coroutine<unknown[]> {
        const it = trioIterAsAio(rx);
        const got: unknown[] = [];
        for (;;) {
          const r = yield* it.next();
          if (r.done) break;
          got.push([r.value, asyncio.getRunningLoop().time()]);
        }
        got.push(yield* it.next(), yield* it.anext(), String(it));
        return got;
      }
      let got: unknown;
      yield* openNursery(function* (n) {
        n.startSoon(produce, tx, 3, 1);
        got = yield* aioAsTrio(consume)();
      });
      return got;
    });
    expect(kept.value).toEqual([[0, 1], [1, 2], [2, 3], { done: true, value: undefined }, { done: true, value: undefined }, "<TrioIterAio ended>"]);
    expectNoLeftovers(kept.runner);
  });

  it("cancelling the asyncio task waiting in next() cancels the Trio receive; no value is lost", async () => {
    const kept = await runLoop(function* () {
      const [tx, rx] = openMemoryChannel<number>(Infinity);
      function* consume(): asyncio.Coroutine<unknown[]> {
        const it = trioIterAsAio(rx);
        const loop = asyncio.getRunningLoop();
        const waiting = loop.createTask(it.next());
        yield* asyncio.sleep(1);
        waiting.cancel();
        let cancelled = false;
        try {
          yield* waiting;
        } catch (error) {
          cancelled = error instanceof CancelledError;
        }
        loop.callSoon(() => tx.sendNowait(7));
        const r = yield* it.next();
        return [cancelled, r, loop.time()];
      }
      return yield* aioAsTrio(consume)();
    });
    expect(kept.value).toEqual([true, { done: false, value: 7 }, 1]);
  });

  it("return() (and aclose()) closes the channel: the Trio sender sees BrokenResourceError", async () => {
    let senderError: unknown;
    const kept = await runLoop(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      function* consumeTwo(): asyncio.Coroutine<unknown[]> {
        const it = trioIterAsAio(rx);
        const a = yield* it.next();
        const closed = yield* it.return();
        yield* it.aclose(); // idempotent
        return [a, closed, yield* it.next(), rx.closed];
      }
      let got: unknown;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            for (let i = 0; ; i++) yield* tx.send(i);
          } catch (error) {
            senderError = error;
          }
        });
        got = yield* aioAsTrio(consumeTwo)();
      });
      return got;
    });
    expect(kept.value).toEqual([{ done: false, value: 0 }, { done: true, value: undefined }, { done: true, value: undefined }, true]);
    expect(senderError).toBeInstanceOf(BrokenResourceError);
  });

  it("a receiver without aclose() is closed with close()", async () => {
    const log: string[] = [];
    const receiver: TrioReceiver<string> = {
      *receive() {
        yield* trioSleep(1);
        return "x";
      },
      close() {
        log.push("closed");
      },
    };
    function* main(): asyncio.Coroutine<unknown> {
      const it = trioIterAsAio(receiver);
      const r = yield* it.next();
      yield* it.return();
      return r;
    }
    const kept = await runLoop(() => aioAsTrio(main)());
    expect(kept.value).toEqual({ done: false, value: "x" });
    expect(log).toEqual(["closed"]);
  });

  it("an error of receive() passes through to the asyncio code", async () => {
    const kept = await runLoop(function* () {
      const [, rx] = openMemoryChannel<number>(0);
      rx.close();
      function* main(): asyncio.Coroutine<unknown> {
        try {
          yield* trioIterAsAio(rx).next();
        } catch (error) {
          return error;
        }
        return null;
      }
      return yield* aioAsTrio(main)();
    });
    expect(kept.value).toBeInstanceOf(ClosedResourceError);
  });

  it("checks its input", () => {
    expect(() => trioIterAsAio(null as never)).toThrow(/needs a Trio receive channel/);
  });

  it("round trip: asyncio → Trio → asyncio keeps the values, the end and the close", async () => {
    const counter = new Counter(3, 1);
    function* main(): asyncio.Coroutine<unknown[]> {
      const back = trioIterAsAio(aioIterAsTrio(counter));
      const got: unknown[] = [];
      got.push((yield* back.next()).value, (yield* back.next()).value);
      yield* back.return();
      got.push(yield* back.next());
      return got;
    }
    const kept = await runLoop(() => aioAsTrio(main)());
    expect(kept.value).toEqual([0, 1, { done: true, value: undefined }]);
    expect(counter.log).toEqual(["return started", "return done at 2.5"]);
  });

  it("an asyncio consumer left waiting when the loop closes is cancelled with the Trio receive", async () => {
    const log: string[] = [];
    const kept = await runLoop(function* (loop) {
      const [, rx] = openMemoryChannel<number>(0);
      function* waitsForever(): asyncio.Coroutine<void> {
        try {
          yield* trioIterAsAio(rx).next();
        } catch (error) {
          log.push(`consumer got ${(error as Error).name}`);
          throw error;
        }
      }
      loop.createTask(waitsForever());
      yield* trioSleep(1);
      return "done";
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("done");
    expect(log).toEqual(["consumer got CancelledError"]);
    expectNoLeftovers(kept.runner);
  });
});

describe("iterators with trioAsAio in between", () => {
  it("asyncio code can hand a Trio channel's values to another Trio operation", async () => {
    function* sum(rx: TrioReceiver<number>): Operation<number> {
      let total = 0;
      for (;;) {
        try {
          total += yield* rx.receive();
        } catch (error) {
          if (error instanceof EndOfChannel) return total;
          throw error;
        }
      }
    }
    function* main(): asyncio.Coroutine<number> {
      return yield* trioAsAio(sum)(aioIterAsTrio(new Counter(4, 0.5)));
    }
    const kept = await runLoop(() => aioAsTrio(main)());
    expect(kept.value).toBe(6);
  });
});
