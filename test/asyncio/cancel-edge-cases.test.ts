/**
 * Cancelling where something is in the way: a gather child whose cancel()
 * throws (a hostile Future subclass), and a Future cancelled after its loop
 * closed. Each is decided against CPython: _GatheringFuture.cancel asks every
 * child; Future.cancel on a closed loop changes the state, and raises only
 * if it has done callbacks to schedule (call_soon's "Event loop is closed").
 */
import { describe, expect, it } from "vitest";
import { RuntimeError } from "../../src/core/index.js";
import { CancelledError, Future, createTask, gather, type EventLoop, type ExceptionContext } from "../../src/asyncio/index.js";
import { delayed, raises, runAio } from "./helpers.js";

/** A Future whose cancel() throws, as a hostile or buggy subclass's may. */
const refusal = new Error("this Future refuses to be cancelled");
class Stubborn<T> extends Future<T> {
  override cancel(): boolean {
    throw refusal;
  }
}

describe("GatheringFuture.cancel() with a child whose cancel() throws", () => {
  it("still cancels every other child, before and after it, and reports the throw to the exception handler", async () => {
    const reported: ExceptionContext[] = [];
    const outcome = await runAio(function* (loop) {
      loop.setExceptionHandler((_, context) => reported.push(context));
      const before = createTask(delayed(10, "before"));
      const hostile = new Stubborn<string>({ loop });
      const after = createTask(delayed(10, "after"));
      const outer = gather(before, hostile, after);
      expect(outer.cancel("stop")).toBe(true);
      // The hostile child ends by itself; then the gather ends, cancelled.
      loop.callLater(1, () => hostile.setResult("hostile"));
      const err = yield* raises(() => outer[Symbol.iterator]());
      return { err, before: before.cancelled(), after: after.cancelled(), hostile };
    });
    expect(outcome.before).toBe(true);
    expect(outcome.after).toBe(true);
    expect(outcome.err).toBeInstanceOf(CancelledError);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toMatch(/^gather\(\): cancelling its child <Future #\d+ pending> raised; the other children were cancelled all the same/);
    expect(reported[0]!.exception).toBe(refusal);
    expect(reported[0]!.future).toBe(outcome.hostile);
  });

  it("a child whose toString() throws too is still named in the report, and the others are cancelled", async () => {
    class Unnameable<T> extends Stubborn<T> {
      override toString(): string {
        throw new Error("no name");
      }
    }
    const reported: ExceptionContext[] = [];
    const after = await runAio(function* (loop) {
      loop.setExceptionHandler((_, context) => reported.push(context));
      const hostile = new Unnameable<void>({ loop });
      const other = loop.createFuture<void>();
      gather(hostile, other).cancel();
      hostile.setResult();
      yield* delayed(0, null);
      return other.cancelled();
    });
    expect(after).toBe(true);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toMatch(/^gather\(\): cancelling its child .+ raised/);
    expect(reported[0]!.exception).toBe(refusal);
  });

  it("with the default exception handler: cancel() returns, and the throw fails the block instead of vanishing", async () => {
    const err = await runAio(function* (loop) {
      const hostile = new Stubborn<void>({ loop });
      const other = loop.createFuture<void>();
      const outer = gather(hostile, other);
      // cancel() itself returns: the caller (often a Task's own cancel()) is not cut short.
      let threw: unknown = null;
      try {
        outer.cancel();
      } catch (error) {
        threw = error;
      }
      expect(threw).toBe(null);
      expect(other.cancelled()).toBe(true);
      hostile.setResult();
      yield* raises(() => outer[Symbol.iterator]());
    }).then(
      () => null,
      (error: unknown) => error,
    );
    const leaves = (err as { leaves(): unknown[] }).leaves();
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toBe(refusal);
  });
});

describe("Future.cancel() after its loop closed (CPython: the state changes; only scheduling callbacks raises)", () => {
  function* leftPending(loop: EventLoop): Generator<never, { bare: Future<string>; listened: Future<string>; done: Future<string> }, unknown> {
    const bare = loop.createFuture<string>();
    const listened = loop.createFuture<string>();
    listened.addDoneCallback(() => {});
    const done = loop.createFuture<string>();
    done.setResult("x");
    return { bare, listened, done };
  }

  it("without done callbacks: cancel() returns true and the Future is cancelled, no error", async () => {
    const { bare } = await runAio(leftPending);
    expect(bare.cancel("late")).toBe(true);
    expect(bare.cancelled()).toBe(true);
    expect(() => bare.result()).toThrow(CancelledError);
  });

  it("with done callbacks: the Future is cancelled, then a RuntimeError says its callbacks cannot run on the closed loop", async () => {
    const { listened, done } = await runAio(leftPending);
    let err: unknown = null;
    try {
      listened.cancel();
    } catch (error) {
      err = error;
    }
    expect(err).toBeInstanceOf(RuntimeError);
    expect(String(err)).toMatch(/A Future's done callbacks cannot run on a closed event loop: its openLoop\(\.\.\.\) block has ended\. The Future is done all the same/);
    expect(listened.cancelled()).toBe(true);
    // Asked again, it is done: false, as CPython, and no error.
    expect(listened.cancel()).toBe(false);
    // A done callback added to a done Future on the closed loop is refused with the same words.
    expect(() => done.addDoneCallback(() => {})).toThrow(/done callbacks cannot run on a closed event loop/);
  });
});
