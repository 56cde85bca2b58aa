/**
 * Property: async iterators crossing the flavours under cancellation at
 * random times (after trio-asyncio's iterator adapters and Python's
 * shutdown_asyncgens). fast-check is seeded, so a failure reproduces with
 * the printed seed and shrunk case.
 *
 * asyncio → Trio (`aioIterAsTrio`): an iterator whose next() sleeps and only
 * then advances, read by Trio code whose receives each run under a random
 * deadline, which ends with aclose() (plain or in a cancelled scope) or
 * leaves the iterator open. Values arrive once each, in order, never
 * skipped; return() runs exactly when the iterator was left unfinished (by
 * aclose(), or by the loop's close when aclose() could not begin it or was
 * never called), always to its end, never after the block returned; the run
 * leaves nothing behind.
 *
 * Trio → asyncio (`trioIterAsAio`): a Trio producer sends into an
 * unbuffered memory channel; asyncio code reads with random asyncio
 * timeouts around next(). A cancelled next() loses no value: what asyncio
 * reads is exactly the values in order, up to where it stopped.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BrokenResourceError, CancelScope, moveOnAfter, openNursery, sleep, type Operation } from "../../src/core/index.js";
import { aioAsTrio, aioIterAsTrio, openLoop, trioIterAsAio, type AioAsyncIterator } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { Coroutine } from "../../src/asyncio/index.js";
import { openMemoryChannel } from "../../src/sync/index.js";
import { expectNoLeftovers, runKeep } from "./helpers.js";

const half = fc.integer({ min: 0, max: 4 }).map((n) => n / 2);

interface AioCase {
  /** How long each next() sleeps before it advances (the iterator ends after the last). */
  sleeps: number[];
  /** next() raises instead of giving this index (null: never). */
  raiseAt: number | null;
  /** The deadline of each receive (null: none); reading stops after these. */
  deadlines: (number | null)[];
  end: "aclose" | "acloseCancelled" | "leave";
}

const aioCase: fc.Arbitrary<AioCase> = fc.record({
  sleeps: fc.array(half, { maxLength: 5 }),
  raiseAt: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
  deadlines: fc.array(fc.option(half, { nil: null }), { maxLength: 7 }),
  end: fc.constantFrom<AioCase["end"]>("aclose", "acloseCancelled", "leave"),
});

async function checkAioToTrio(c: AioCase): Promise<void> {
  const log: string[] = [];
  let produced = 0;
  let closed = false;
  const iterator: AioAsyncIterator<number> = {
    *next(): Coroutine<IteratorResult<number, unknown>> {
      if (closed) log.push("next after return");
      const i = produced;
      yield* asyncio.sleep(c.sleeps[i] ?? 0);
      if (i === c.raiseAt) throw new Error(`raised at ${i}`);
      if (i >= c.sleeps.length) return { done: true, value: undefined };
      produced = i + 1;
      return { done: false, value: i };
    },
    *return(): Coroutine<unknown> {
      closed = true;
      log.push("return started");
      yield* asyncio.sleep(0.5);
      log.push("return finished");
      return undefined;
    },
  };
  const received: number[] = [];
  let started = false;
  let ended = false;
  let raised = false;
  const kept = await runKeep(function* () {
    yield* openLoop(function* () {
      const rx = aioIterAsTrio(iterator);
      for (const d of c.deadlines) {
        if (ended || raised) break;
        started = true;
        const receiveOne = function* (): Operation<void> {
          try {
            received.push(yield* rx.receive());
          } catch (error) {
            if ((error as Error).name === "EndOfChannel") ended = true;
            else if (String(error).includes("raised at")) raised = true;
            else throw error;
          }
        };
        if (d === null) yield* receiveOne();
        else yield* moveOnAfter(d, receiveOne);
      }
      if (c.end === "aclose") yield* rx.aclose();
      if (c.end === "acloseCancelled") {
        const scope = new CancelScope();
        scope.cancel();
        yield* scope.run(() => rx.aclose());
      }
    });
    log.push("block returned");
  });
  expectNoLeftovers(kept.runner);
  if (!kept.ok) throw kept.value;
  // Once each, in order, none skipped.
  expect(received).toEqual(received.map((_, i) => i));
  const finalized = c.end === "aclose" ? !ended : started && !ended && !raised;
  expect(log).toEqual(finalized ? ["return started", "return finished", "block returned"] : ["block returned"]);
}

interface TrioCase {
  n: number;
  sendDelays: number[];
  /** The asyncio timeout around each next() (null: none); reading stops after these. */
  timeouts: (number | null)[];
  stopEarly: boolean;
}

const trioCase: fc.Arbitrary<TrioCase> = fc.record({
  n: fc.integer({ min: 0, max: 5 }),
  sendDelays: fc.array(half, { minLength: 5, maxLength: 5 }),
  timeouts: fc.array(fc.option(half, { nil: null }), { maxLength: 10 }),
  stopEarly: fc.boolean(),
});

async function checkTrioToAio(c: TrioCase): Promise<void> {
  const read: number[] = [];
  let sawEnd = false;
  const kept = await runKeep(() =>
    openLoop(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      yield* openNursery(function* (nursery) {
        nursery.startSoon(function* () {
          try {
            for (let i = 0; i < c.n; i++) {
              yield* sleep(c.sendDelays[i]!);
              yield* tx.send(i);
            }
          } catch (error) {
            if (!(error instanceof BrokenResourceError)) throw error;
          } finally {
            tx.close();
          }
        });
        yield* aioAsTrio(function* (): Coroutine<void> {
          const it = trioIterAsAio(rx);
          for (const t of c.timeouts) {
            try {
              const r = t === null ? yield* it.next() : yield* asyncio.waitFor(it.next(), t);
              if (r.done) {
                sawEnd = true;
                break;
              }
              read.push(r.value);
            } catch (error) {
              if (!(error instanceof asyncio.TimeoutError)) throw error;
            }
          }
          if (!sawEnd && c.stopEarly) yield* it.return();
          else if (!sawEnd) {
            // Drain the rest, so the producer ends.
            for (;;) {
              const r = yield* it.next();
              if (r.done) break;
              read.push(r.value);
            }
            sawEnd = true;
          }
        })();
      });
    }),
  );
  expectNoLeftovers(kept.runner);
  if (!kept.ok) throw kept.value;
  // No value lost to a cancelled next(), none duplicated: a prefix in order, all of it when read to the end.
  expect(read).toEqual(read.map((_, i) => i));
  if (sawEnd) expect(read).toHaveLength(c.n);
}

describe("property: async iterators across the flavours, cancelled at random times", () => {
  it("asyncio → Trio: values once each in order; return() exactly when left unfinished, to its end, before the block returns", async () => {
    await fc.assert(fc.asyncProperty(aioCase, checkAioToTrio), { numRuns: 150, seed: 0x5ea55 });
  });

  it("Trio → asyncio: a cancelled next() loses no value and duplicates none", async () => {
    await fc.assert(fc.asyncProperty(trioCase, checkTrioToAio), { numRuns: 150, seed: 0x1f00d });
  });
});
