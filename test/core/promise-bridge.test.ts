import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  ExceptionGroup,
  checkpoint,
  moveOnAfter,
  openNursery,
  sleep,
  sleepForever,
  type Task,
} from "../../src/core/index.js";
import { abortable, isCancelled, waitPromise, withAbortSignal } from "../../src/bridge/promise.js";
import { isWaitingOnPromise } from "../../src/bridge/promise.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { rejection, runMock } from "./helpers.js";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason);
};

beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

describe("waitPromise", () => {
  it("returns the value of a resolved Promise", async () => {
    const v = await runMock(function* () {
      return yield* waitPromise(delay(2).then(() => "value"));
    });
    expect(v).toBe("value");
  });

  it("raises the rejection of a Promise", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* waitPromise(Promise.reject(new Error("nope")));
      }),
    );
    expect((err as Error).message).toBe("nope");
  });

  it("accepts any thenable", async () => {
    const thenable = {
      then(onOk: (v: number) => void) {
        setTimeout(() => onOk(5), 1);
      },
    };
    const v = await runMock(function* () {
      return yield* waitPromise(thenable as PromiseLike<number>);
    });
    expect(v).toBe(5);
  });

  it("rejects a value that is not a thenable, naming what it got", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* waitPromise(42 as unknown as Promise<number>);
      }),
    );
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/number 42/);
  });

  it("stops waiting when cancelled; a later rejection is not unhandled", async () => {
    const d = deferred<string>();
    const log: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            try {
              yield* waitPromise(d.promise);
            } catch (e) {
              log.push(isCancelled(e) ? "cancelled" : "other");
              throw e;
            }
          });
          yield* waitAllTasksBlocked();
          scope.cancel();
        });
      });
    });
    expect(log).toEqual(["cancelled"]);
    d.reject(new Error("late failure"));
    await delay(5);
    expect(unhandled).toEqual([]);
  });

  it("a wait given up by cancellation never wakes the task later, wherever it waits next", async () => {
    const d = deferred<string>();
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* moveOnAfter(1, () => waitPromise(d.promise));
          log.push("gave up");
          const event = deferred<string>();
          n.startSoon(function* () {
            yield* waitPromise(delay(5)); // the first Promise settles meanwhile
            d.resolve("late");
            yield* waitPromise(delay(5));
            event.resolve("the one awaited");
          });
          log.push(yield* waitPromise(event.promise));
          yield* sleep(2);
          log.push("slept");
        });
      });
    });
    expect(log).toEqual(["gave up", "the one awaited", "slept"]);
  });

  it("waiting again on a Promise given up by cancellation gets its value, once", async () => {
    const d = deferred<string>();
    const got = await runMock(function* () {
      yield* moveOnAfter(1, () => waitPromise(d.promise));
      setTimeout(() => d.resolve("value"), 1);
      const value = yield* waitPromise(d.promise);
      yield* checkpoint();
      return value;
    });
    expect(got).toBe("value");
  });

  it("raises Cancelled at once in an already cancelled scope", async () => {
    const d = deferred<void>();
    const log: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (s) {
        s.cancel();
        try {
          yield* waitPromise(d.promise);
        } catch (e) {
          log.push(isCancelled(e) ? "cancelled" : "other");
          throw e;
        }
      });
    });
    expect(log).toEqual(["cancelled"]);
    d.reject(new Error("x"));
    await delay(5);
    expect(unhandled).toEqual([]);
  });

  it("shows the task as waiting on the Promise", async () => {
    const d = deferred<number>();
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const t: Task = n.startSoon(function* () {
          return yield* waitPromise(d.promise);
        });
        yield* waitAllTasksBlocked();
        expect(isWaitingOnPromise(t)).toBe(true);
        d.resolve(1);
      });
    });
  });

  it("lets other tasks run while it waits", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* waitPromise(delay(5));
          log.push("promise done");
        });
        n.startSoon(function* () {
          yield* checkpoint();
          log.push("other ran");
        });
      });
    });
    expect(log).toEqual(["other ran", "promise done"]);
  });
});

describe("abortable", () => {
  it("returns the work's value", async () => {
    const v = await runMock(function* () {
      return yield* abortable(async (signal) => {
        await delay(1);
        return signal.aborted ? "aborted" : "done";
      });
    });
    expect(v).toBe("done");
  });

  it("raises the work's rejection", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* abortable(async () => {
          await delay(1);
          throw new Error("http 500");
        });
      }),
    );
    expect((err as Error).message).toBe("http 500");
  });

  it("aborts the signal on cancel and waits for the work to settle, then raises Cancelled", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            try {
              yield* abortable(
                (signal) =>
                  new Promise((_resolve, reject) => {
                    signal.addEventListener("abort", () => {
                      log.push("signal aborted");
                      setTimeout(() => {
                        log.push("work settled");
                        reject(signal.reason);
                      }, 3);
                    });
                  }),
              );
            } catch (e) {
              log.push(isCancelled(e) ? "task got Cancelled" : `other ${String(e)}`);
              throw e;
            }
          });
          yield* waitAllTasksBlocked();
          scope.cancel("stop");
        });
      });
    });
    expect(log).toEqual(["signal aborted", "work settled", "task got Cancelled"]);
    await delay(2);
    expect(unhandled).toEqual([]);
  });

  it("a work that rejects with its own error after abort still gives Cancelled", async () => {
    let got: unknown;
    await runMock(function* () {
      yield* moveOnAfter(1, function* () {
        try {
          yield* abortable(
            (signal) =>
              new Promise((_res, reject) => {
                signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
              }),
          );
        } catch (e) {
          got = e;
          throw e;
        }
      });
    });
    expect(got).toBeInstanceOf(Cancelled);
  });

  it("returns the value of a work that resolves despite the abort", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            const v = yield* abortable(
              (signal) =>
                new Promise<string>((resolve) => {
                  signal.addEventListener("abort", () => setTimeout(() => resolve("finished anyway"), 1));
                }),
            );
            log.push(v);
            try {
              yield* checkpoint();
            } catch (e) {
              log.push(isCancelled(e) ? "next checkpoint cancelled" : "other");
              throw e;
            }
          });
          yield* waitAllTasksBlocked();
          scope.cancel();
        });
      });
    });
    expect(log).toEqual(["finished anyway", "next checkpoint cancelled"]);
  });

  it("hands an already aborted signal to work started in a cancelled scope", async () => {
    let aborted: boolean | null = null;
    await runMock(function* () {
      yield* new CancelScope().run(function* (s) {
        s.cancel();
        yield* abortable(async (signal) => {
          aborted = signal.aborted;
          throw signal.reason ?? new Error("aborted");
        });
      });
    });
    expect(aborted).toBe(true);
  });

  it("rejects a work that is not a function, or that does not return a Promise", async () => {
    const e1 = await rejection(
      runMock(function* () {
        yield* abortable("fetch" as unknown as () => Promise<void>);
      }),
    );
    expect(e1).toBeInstanceOf(TypeError);
    expect((e1 as Error).message).toMatch(/AbortSignal/);
    const e2 = await rejection(
      runMock(function* () {
        yield* abortable((() => 5) as unknown as () => Promise<number>);
      }),
    );
    expect(e2).toBeInstanceOf(TypeError);
    expect((e2 as Error).message).toMatch(/must return a Promise/);
  });
});

describe("withAbortSignal", () => {
  it("an already aborted signal cancels the body at its first checkpoint", async () => {
    const c = new AbortController();
    c.abort();
    const log: string[] = [];
    const r = await runMock(function* () {
      return yield* withAbortSignal(c.signal, function* () {
        log.push("entered");
        yield* sleep(1);
        log.push("not reached");
        return 1;
      });
    });
    expect(r).toBeUndefined();
    expect(log).toEqual(["entered"]);
  });
});

describe("Task handles awaited from async code through task.promise", () => {
  it("resolve with the task's value", async () => {
    let handle: Task<number> | null = null;
    const outside: Promise<number>[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        handle = n.startSoon(function* () {
          yield* sleep(1);
          return 42;
        });
        outside.push(handle.promise);
      });
    });
    await expect(outside[0]).resolves.toBe(42);
    // Awaiting a finished handle works too.
    await expect(handle!.promise).resolves.toBe(42);
  });

  it("reject with the task's error, which the nursery also receives", async () => {
    let observed: Promise<unknown> | null = null;
    const err = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          const t = n.startSoon(function* () {
            yield* sleep(1);
            throw new Error("task failed");
          });
          observed = rejection(t.promise);
        });
      }),
    );
    expect(((await observed!) as Error).message).toBe("task failed");
    expect(err).toBeInstanceOf(ExceptionGroup);
  });

  it("reject with Cancelled for a cancelled task", async () => {
    let observed: Promise<unknown> | null = null;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(sleepForever);
        observed = rejection(t.promise);
        yield* sleep(1);
        n.cancelScope.cancel();
      });
    });
    expect(await observed!).toBeInstanceOf(Cancelled);
  });

  it("can be awaited by async code while the run continues", async () => {
    const log: string[] = [];
    let handle: Task<string> | null = null;
    const runP = runMock(function* () {
      yield* openNursery(function* (n) {
        handle = n.startSoon(function* () {
          yield* waitPromise(delay(2));
          return "late";
        });
      });
      log.push("run done");
    });
    await delay(0);
    const v = await handle!.promise;
    log.push(`awaited ${v}`);
    await runP;
    expect(log).toContain("awaited late");
    expect(log).toContain("run done");
  });
});
