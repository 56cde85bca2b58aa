/**
 * Trio's `Cancelled` never reaches asyncio code. When the openLoop block is
 * cancelled from outside, its shutdown cancels the asyncio caller, which
 * cancels the trioAsAio Future, which cancels the Trio task behind it (a
 * shielded scope: the block's own cancellation does not reach it directly).
 * If a nursery inside that task fails while it unwinds, the real errors go
 * to the Future (still a group, with its nesting) and no `Cancelled` does;
 * if nothing fails, the Future is simply cancelled.
 */
import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  ExceptionGroup,
  openNursery,
  sleep as trioSleep,
  sleepForever,
  type Operation,
} from "../../src/core/index.js";
import { aioAsTrio, openLoop, trioAsAio } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { expectNoLeftovers, runKeep } from "./helpers.js";

function leaves(error: unknown): unknown[] {
  return error instanceof ExceptionGroup ? error.leaves() : [error];
}

/** A Trio operation whose nursery has one child that fails when cancelled, beside ones that just wait. */
function* failsWhenCancelled(): Operation<void> {
  yield* openNursery(function* (nursery) {
    nursery.startSoon(function* () {
      try {
        yield* sleepForever();
      } finally {
        // eslint-disable-next-line no-unsafe-finally -- the point: cleanup that fails
        throw new Error("cleanup failed");
      }
    });
    nursery.startSoon(sleepForever);
    yield* sleepForever();
  });
}

function* onlyWaits(): Operation<void> {
  yield* openNursery(function* (nursery) {
    nursery.startSoon(sleepForever);
    nursery.startSoon(sleepForever);
    yield* sleepForever();
  });
}

/**
 * Runs `trioFn` through trioAsAio from an asyncio task inside an openLoop
 * block that is cancelled from outside after 1 s. Returns what the asyncio
 * side saw and how the Future ended.
 */
async function cancelledFromOutside(trioFn: () => Operation<void>) {
  let seen: unknown = "nothing";
  let future: asyncio.Future<void> | null = null;
  const kept = await runKeep(function* () {
    const scope = new CancelScope();
    yield* scope.run(() =>
      openLoop(function* () {
        function* aioSide(): asyncio.Coroutine<void> {
          future = trioAsAio(trioFn)();
          try {
            yield* future;
          } catch (error) {
            seen = error;
            throw error;
          }
        }
        // Cancel the block from outside once the Trio side waits.
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* trioSleep(1);
            scope.cancel("from outside");
          });
          yield* aioAsTrio(aioSide)();
        });
      }),
    );
  });
  return { kept, seen, future: future as asyncio.Future<void> | null };
}

describe("trioAsAio cancelled from outside while a nursery inside fails", () => {
  it("the Future gets the real error without Cancelled; Trio's Cancelled stays in Trio", async () => {
    const { kept, seen, future } = await cancelledFromOutside(failsWhenCancelled);
    expect(future!.done()).toBe(true);
    expect(future!.cancelled()).toBe(false);
    const exc = future!.exception();
    expect(exc).toBeInstanceOf(ExceptionGroup);
    const excLeaves = leaves(exc);
    expect(excLeaves.some((e) => e instanceof Cancelled)).toBe(false);
    expect(excLeaves.map((e) => (e as Error).message)).toEqual(["cleanup failed"]);
    // What the asyncio code saw: that error, never Trio's Cancelled.
    expect(leaves(seen).some((e) => e instanceof Cancelled)).toBe(false);
    // The error comes out of the block once; the cancellation was absorbed by its scope.
    expect(kept.ok).toBe(false);
    const outLeaves = leaves(kept.value);
    expect(outLeaves.some((e) => e instanceof Cancelled)).toBe(false);
    expect(outLeaves.filter((e) => (e as Error).message === "cleanup failed")).toHaveLength(1);
    expectNoLeftovers(kept.runner);
  });

  it("when only Cancelled is in the group, the Future is cancelled and asyncio sees CancelledError", async () => {
    const { kept, seen, future } = await cancelledFromOutside(onlyWaits);
    expect(future!.cancelled()).toBe(true);
    expect(seen).toBeInstanceOf(asyncio.CancelledError);
    expect(kept.ok).toBe(true);
    expectNoLeftovers(kept.runner);
  });

  it("a nested group keeps its nesting, minus the Cancelled leaves", async () => {
    function* nested(): Operation<void> {
      yield* openNursery(function* (outer) {
        outer.startSoon(failsWhenCancelled);
        outer.startSoon(sleepForever);
        yield* sleepForever();
      });
    }
    const { kept, future } = await cancelledFromOutside(nested);
    const exc = future!.exception();
    expect(exc).toBeInstanceOf(ExceptionGroup);
    expect(leaves(exc).some((e) => e instanceof Cancelled)).toBe(false);
    expect(leaves(exc).map((e) => (e as Error).message)).toEqual(["cleanup failed"]);
    // The inner nursery's group is still a group inside the outer one.
    expect((exc as ExceptionGroup).exceptions.some((e) => e instanceof ExceptionGroup)).toBe(true);
    expect(kept.ok).toBe(false);
    expectNoLeftovers(kept.runner);
  });
});
