/**
 * asyncio Future conformance, in the spirit of CPython's test_futures.py:
 * states, InvalidStateError, cancel(msg), done callbacks and their order.
 */
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  Future,
  InvalidStateError,
  createTask,
  isFuture,
  sleep,
  wrapPromise,
} from "../../src/asyncio/index.js";
import { RuntimeError } from "../../src/core/index.js";
import { raises, runAio, spin } from "./helpers.js";

describe("Future states", () => {
  it("starts pending: not done, not cancelled, result and exception raise InvalidStateError", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      expect(f.done()).toBe(false);
      expect(f.cancelled()).toBe(false);
      expect(f.status).toBe("PENDING");
      expect(() => f.result()).toThrow(InvalidStateError);
      expect(() => f.exception()).toThrow(InvalidStateError);
      expect(f.getLoop()).toBe(loop);
    });
  });

  it("setResult: done, result returned, exception() is undefined, cannot be set again", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      f.setResult(42);
      expect(f.done()).toBe(true);
      expect(f.cancelled()).toBe(false);
      expect(f.status).toBe("FINISHED");
      expect(f.result()).toBe(42);
      expect(f.exception()).toBeUndefined();
      expect(() => f.setResult(1)).toThrow(InvalidStateError);
      expect(() => f.setException(new Error("x"))).toThrow(InvalidStateError);
      expect(f.cancel()).toBe(false);
      expect(f.result()).toBe(42);
    });
  });

  it("setException: result() raises it, exception() returns it", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const err = new RangeError("bad");
      f.setException(err);
      expect(f.done()).toBe(true);
      expect(f.cancelled()).toBe(false);
      expect(f.exception()).toBe(err);
      expect(() => f.result()).toThrow(err);
      expect(() => f.setResult(1)).toThrow(InvalidStateError);
      expect(f.cancel()).toBe(false);
    });
  });

  it("setException refuses null/undefined and CancelledError, naming the fix", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture();
      expect(() => f.setException(undefined)).toThrow(TypeError);
      expect(() => f.setException(null)).toThrow(/needs an error object/);
      expect(() => f.setException(new CancelledError())).toThrow(/call cancel\(\)/);
      expect(f.done()).toBe(false);
    });
  });

  it("cancel: done and cancelled; result/exception raise CancelledError; cannot be set afterwards", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      expect(f.cancel()).toBe(true);
      expect(f.cancel()).toBe(false);
      expect(f.done()).toBe(true);
      expect(f.cancelled()).toBe(true);
      expect(f.status).toBe("CANCELLED");
      expect(() => f.result()).toThrow(CancelledError);
      expect(() => f.exception()).toThrow(CancelledError);
      expect(() => f.setResult(1)).toThrow(InvalidStateError);
      expect(() => f.setException(new Error())).toThrow(InvalidStateError);
    });
  });

  it("cancel(msg): the message reaches the CancelledError of result() and of a waiting task", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      const waiter = createTask(
        (function* () {
          return yield* raises(() => f[Symbol.iterator]());
        })(),
      );
      yield* sleep(0);
      f.cancel("stop now");
      let thrown: unknown;
      try {
        f.result();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CancelledError);
      expect((thrown as Error).message).toBe("stop now");
      const fromTask = yield* waiter;
      expect(fromTask).toBeInstanceOf(CancelledError);
      expect((fromTask as Error).message).toBe("stop now");
    });
  });

  it("a Future cannot be made outside a running loop", () => {
    expect(() => new Future()).toThrow(RuntimeError);
  });

  it("isFuture tells Futures and Tasks from other things", async () => {
    await runAio(function* (loop) {
      expect(isFuture(loop.createFuture())).toBe(true);
      const t = createTask(sleep(0));
      expect(isFuture(t)).toBe(true);
      expect(isFuture(Promise.resolve(1))).toBe(false);
      expect(isFuture({ then() {} })).toBe(false);
      expect(isFuture(null)).toBe(false);
      // Total, as the Task's check of what its coroutine yields needs.
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      expect(isFuture(proxy)).toBe(false);
      yield* t;
    });
  });

  it("toString shows the state", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture();
      expect(String(f)).toMatch(/^<Future #\d+ pending>$/);
      f.cancel();
      expect(String(f)).toMatch(/cancelled>$/);
    });
  });
});

describe("done callbacks", () => {
  it("are called soon, in registration order, with the future, never synchronously", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      f.addDoneCallback((fut) => log.push(`a:${fut.result()}`));
      f.addDoneCallback((fut) => log.push(`b:${fut === f}`));
      f.setResult(7);
      log.push("after setResult");
      yield* spin();
    });
    expect(log).toEqual(["after setResult", "a:7", "b:true"]);
  });

  it("are queued behind callbacks scheduled before the future completed", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const f = loop.createFuture<void>();
      f.addDoneCallback(() => log.push("done cb"));
      loop.callSoon(() => log.push("earlier callSoon"));
      f.setResult();
      loop.callSoon(() => log.push("later callSoon"));
      yield* spin();
    });
    expect(log).toEqual(["earlier callSoon", "done cb", "later callSoon"]);
  });

  it("added to a done future are scheduled soon, not called at once", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const f = loop.createFuture<string>();
      f.setResult("x");
      f.addDoneCallback((fut) => log.push(fut.result()));
      expect(log).toEqual([]);
      yield* spin();
    });
    expect(log).toEqual(["x"]);
  });

  it("run once each, also on cancel and exception", async () => {
    const counts = { cancelled: 0, failed: 0 };
    await runAio(function* (loop) {
      const a = loop.createFuture();
      const b = loop.createFuture();
      a.addDoneCallback((f) => {
        if (f.cancelled()) counts.cancelled++;
      });
      b.addDoneCallback((f) => {
        if (f.exception() instanceof Error) counts.failed++;
      });
      a.cancel();
      a.cancel();
      b.setException(new Error("e"));
      yield* spin(3);
    });
    expect(counts).toEqual({ cancelled: 1, failed: 1 });
  });

  it("removeDoneCallback removes every registration of that function and returns the count", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const f = loop.createFuture<void>();
      const cb1 = () => log.push("cb1");
      const cb2 = () => log.push("cb2");
      f.addDoneCallback(cb1);
      f.addDoneCallback(cb2);
      f.addDoneCallback(cb1);
      expect(f.pendingCallbacks).toHaveLength(3);
      expect(f.removeDoneCallback(cb1)).toBe(2);
      expect(f.removeDoneCallback(cb1)).toBe(0);
      expect(f.removeDoneCallback(() => {})).toBe(0);
      f.setResult();
      yield* spin();
    });
    expect(log).toEqual(["cb2"]);
  });

  it("removeDoneCallback on a done future finds nothing (callbacks were already scheduled)", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const f = loop.createFuture<void>();
      const cb = () => log.push("cb");
      f.addDoneCallback(cb);
      f.setResult();
      expect(f.removeDoneCallback(cb)).toBe(0);
      yield* spin();
    });
    expect(log).toEqual(["cb"]);
  });

  it("addDoneCallback refuses a non-function", async () => {
    await runAio(function* (loop) {
      expect(() => loop.createFuture().addDoneCallback(undefined as unknown as () => void)).toThrow(TypeError);
    });
  });
});

describe("awaiting futures", () => {
  it("yield* returns the result once the future completes", async () => {
    const v = await runAio(function* (loop) {
      const f = loop.createFuture<string>();
      loop.callLater(3, () => f.setResult("late"));
      const got = yield* f;
      return [got, loop.time()];
    });
    expect(v).toEqual(["late", 3]);
  });

  it("yield* raises the future's exception in the task", async () => {
    const err = await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      loop.callSoon(() => f.setException(new SyntaxError("from the future")));
      return yield* raises(() => f[Symbol.iterator]());
    });
    expect(err).toBeInstanceOf(SyntaxError);
  });

  it("yield* on a done future returns at once without waiting for a loop iteration", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      f.setResult(3);
      loop.callSoon(() => log.push("callback"));
      log.push(`got ${yield* f}`);
      yield* spin();
    });
    expect(log).toEqual(["got 3", "callback"]);
  });

  it("yield* on a cancelled future raises CancelledError at once", async () => {
    await runAio(function* (loop) {
      const f = loop.createFuture<number>();
      f.cancel("gone");
      const err = yield* raises(() => f[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe("gone");
    });
  });

  it("is a thenable: plain async code can await it", async () => {
    let fut: Future<number> | null = null;
    const p = runAio(function* (loop) {
      const f = loop.createFuture<number>();
      fut = f;
      loop.callLater(1, () => f.setResult(99));
      yield* f;
    });
    await p;
    expect(await fut!).toBe(99);
  });

  it("awaiting a failed Future from async code rejects with its error", async () => {
    let fut: Future<number> | null = null;
    await runAio(function* (loop) {
      fut = loop.createFuture<number>();
      fut.setException(new Error("rejected"));
      fut.exception();
    });
    await expect(Promise.resolve(fut!)).rejects.toThrow("rejected");
  });

  it("wrapPromise turns a Promise into a Future for asyncio code", async () => {
    const v = await runAio(function* () {
      const ok = yield* wrapPromise(Promise.resolve("ok"));
      const err = yield* raises(() => wrapPromise(Promise.reject(new Error("no")))[Symbol.iterator]());
      return [ok, (err as Error).message];
    });
    expect(v).toEqual(["ok", "no"]);
  });

  it("wrapPromise refuses non-thenables", async () => {
    await runAio(function* () {
      expect(() => wrapPromise(5 as unknown as Promise<number>)).toThrow(TypeError);
    });
  });
});
