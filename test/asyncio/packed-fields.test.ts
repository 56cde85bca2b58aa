// Futures and Tasks keep their state, flags and cancel count in one small
// integer, and a Future's iterator is its own first result (issue 17: bytes
// per parked Task). These check that what that packing stores reads back
// unchanged through the public API.
import { describe, expect, it } from "vitest";
import { CancelledError, InvalidStateError } from "../../src/asyncio/errors.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { Future } from "../../src/asyncio/future.js";
import { runAio } from "./helpers.js";

describe("packed Future and Task fields", () => {
  it("a Future's state, exception and retrieved flag are independent", async () => {
    await runAio(function* (loop) {
      const ok = loop.createFuture<number>();
      const bad = loop.createFuture<number>();
      const gone = loop.createFuture<number>();
      expect([ok.done(), ok.cancelled(), ok.status]).toEqual([false, false, "PENDING"]);
      ok.setResult(7);
      bad.setException(new RangeError("no"));
      expect(gone.cancel("bye")).toBe(true);
      expect([ok.done(), ok.cancelled(), ok.status, ok.result()]).toEqual([true, false, "FINISHED", 7]);
      expect([bad.done(), bad.cancelled(), bad.status]).toEqual([true, false, "FINISHED"]);
      expect(bad.exception()).toBeInstanceOf(RangeError);
      expect(() => bad.result()).toThrow(RangeError);
      expect([gone.done(), gone.cancelled(), gone.status]).toEqual([true, true, "CANCELLED"]);
      expect(() => gone.result()).toThrow(CancelledError);
      expect(gone.cancel()).toBe(false);
    });
  });

  it("the first result of `yield* future` is { value: the Future, done: false } and stays so once the Future is done", async () => {
    await runAio(function* (loop) {
      const future = loop.createFuture<string>();
      const it = (future as Future<string>)[Symbol.iterator]();
      const first = it.next();
      expect(first.value).toBe(future);
      expect(first.done).toBe(false);
      future.setResult("x");
      expect(it.next()).toEqual({ value: "x", done: true });
      expect(first.value).toBe(future);
      expect(first.done).toBe(false);
      expect(it.next()).toEqual({ value: undefined, done: true });
    });
  });

  it("a Task counts many cancel requests and uncancel() takes them back one by one, without touching its state", async () => {
    await runAio(function* (loop) {
      const sleeper = loop.createTask(
        (function* () {
          yield* loop.createFuture<void>();
        })(),
      );
      for (let i = 0; i < 1000; i++) sleeper.cancel();
      expect(sleeper.cancelling()).toBe(1000);
      expect(sleeper.done()).toBe(false);
      for (let i = 999; i >= 1; i--) expect(sleeper.uncancel()).toBe(i);
      expect(sleeper.cancelling()).toBe(1);
      let caught: unknown;
      try {
        yield* sleeper;
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CancelledError);
      expect([sleeper.done(), sleeper.cancelled()]).toEqual([true, true]);
    });
  });

  it("a Task's waiter shares the slot of its result: waitingOn while pending, the result (or none) once done", async () => {
    await runAio(function* (loop) {
      const gate = loop.createFuture<string>();
      const waiter = loop.createTask(
        (function* () {
          const got = yield* gate;
          return `${got}!`;
        })(),
      );
      const cancelled = loop.createTask(
        (function* () {
          yield* loop.createFuture<void>();
        })(),
      );
      yield* asyncio.sleep(0);
      expect(waiter.waitingOn).toBe(gate);
      expect(cancelled.waitingOn).not.toBeNull();
      expect(waiter.done()).toBe(false);
      expect(() => waiter.result()).toThrow(InvalidStateError);
      gate.setResult("open");
      cancelled.cancel("stop");
      expect(yield* waiter).toBe("open!");
      expect(waiter.waitingOn).toBeNull();
      expect(waiter.result()).toBe("open!");
      yield* asyncio.sleep(0);
      // Nothing left in the shared slot: not the Future it waited on.
      expect([cancelled.cancelled(), cancelled.waitingOn, (cancelled as unknown as { value: unknown }).value]).toEqual([true, null, undefined]);
    });
  });

  it("the first result of `yield* sleep(d)` is { value: the Future it waits on, done: false }, unchanged once it is over", async () => {
    await runAio(function* () {
      const sleeping = asyncio.sleep(1, "woke") as unknown as Iterator<unknown, string>;
      const first = sleeping.next();
      expect(first.done).toBe(false);
      expect(asyncio.isFuture(first.value)).toBe(true);
      const future = first.value as Future<string>;
      yield* future;
      expect(sleeping.next()).toEqual({ value: "woke", done: true });
      expect(first.value).toBe(future);
      expect(first.done).toBe(false);
      // sleep(0) yields once, then returns its result.
      const turn = asyncio.sleep(0, 5) as unknown as Iterator<unknown, number>;
      const once = turn.next();
      expect(once.done).toBe(false);
      expect(turn.next()).toEqual({ value: 5, done: true });
      expect(once.done).toBe(false);
    });
  });
});
