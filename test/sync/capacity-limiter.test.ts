import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  CapacityLimiter,
  RuntimeError,
  WouldBlock,
  currentTask,
  openNursery,
  runWith,
  sleep,
} from "../../src/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

describe("CapacityLimiter", () => {
  it("validates totalTokens in the constructor and the setter", () => {
    expect(new CapacityLimiter(0).totalTokens).toBe(0);
    expect(() => new CapacityLimiter(-3)).toThrow(RangeError);
    expect(() => new CapacityLimiter(-3)).toThrow(/at least 0/);
    expect(() => new CapacityLimiter(1.5)).toThrow(TypeError);
    expect(() => new CapacityLimiter(NaN)).toThrow(/non-negative integer or Infinity/);
    expect(() => new CapacityLimiter("2" as unknown as number)).toThrow(TypeError);
    expect(() => new CapacityLimiter(-Infinity)).toThrow(TypeError);
    expect(new CapacityLimiter(Infinity).totalTokens).toBe(Infinity);
    const limiter = new CapacityLimiter(2);
    expect(() => (limiter.totalTokens = -1)).toThrow(RangeError);
    expect(() => (limiter.totalTokens = 2.5)).toThrow(TypeError);
    expect(limiter.totalTokens).toBe(2);
  });

  it("lends tokens to tasks and reports them", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(2);
      expect(limiter.statistics()).toEqual({ borrowedTokens: 0, totalTokens: 2, borrowers: [], tasksWaiting: 0 });
      yield* limiter.acquire();
      expect(limiter.borrowedTokens).toBe(1);
      expect(limiter.availableTokens).toBe(1);
      const stats = limiter.statistics();
      expect(stats.borrowers).toHaveLength(1);
      expect(stats.borrowers[0]).toBe(currentTask());
      limiter.acquireOnBehalfOfNowait("job-1");
      expect(limiter.availableTokens).toBe(0);
      expect(() => limiter.acquireOnBehalfOfNowait("job-2")).toThrow(WouldBlock);
      limiter.release();
      limiter.releaseOnBehalfOf("job-1");
      expect(limiter.statistics()).toEqual({ borrowedTokens: 0, totalTokens: 2, borrowers: [], tasksWaiting: 0 });
    });
  });

  it("a borrower may hold only one token", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(5);
      limiter.acquireNowait();
      expect(() => limiter.acquireNowait()).toThrow(RuntimeError);
      let error: unknown = null;
      try {
        yield* limiter.acquire();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuntimeError);
      expect((error as Error).message).toMatch(/already holds one of the limiter's tokens/);
      const borrower = {};
      yield* limiter.acquireOnBehalfOf(borrower);
      expect(() => limiter.acquireOnBehalfOfNowait(borrower)).toThrow(RuntimeError);
      expect(limiter.borrowedTokens).toBe(2);
      limiter.release();
      limiter.releaseOnBehalfOf(borrower);
    });
  });

  it("releasing a token that is not held raises", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      expect(() => limiter.release()).toThrow(/holds none of the limiter's tokens/);
      expect(() => limiter.releaseOnBehalfOf("nobody")).toThrow(RuntimeError);
      yield* limiter.acquire();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(() => limiter.release()).toThrow(RuntimeError);
        });
      });
      limiter.release();
      expect(() => limiter.release()).toThrow(RuntimeError);
    });
  });

  it("rejects a missing borrower", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      expect(() => limiter.acquireOnBehalfOfNowait(undefined)).toThrow(TypeError);
      expect(() => limiter.acquireOnBehalfOf(null)).toThrow(/needs a borrower/);
      expect(() => limiter.releaseOnBehalfOf(undefined)).toThrow(TypeError);
      expect(limiter.borrowedTokens).toBe(0);
    });
  });

  it("serves waiters in FIFO order with no barging", async () => {
    const order: number[] = [];
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      limiter.acquireOnBehalfOfNowait("main");
      yield* openNursery(function* (n) {
        for (let i = 0; i < 4; i++) {
          n.startSoon(function* () {
            yield* limiter.acquire();
            order.push(i);
            yield* sleep(1);
            limiter.release();
          });
          yield* waitAllTasksBlocked();
        }
        expect(limiter.statistics().tasksWaiting).toBe(4);
        limiter.releaseOnBehalfOf("main");
        // The token went straight to the first waiter.
        expect(limiter.borrowedTokens).toBe(1);
        expect(limiter.statistics().tasksWaiting).toBe(3);
        expect(() => limiter.acquireOnBehalfOfNowait("barger")).toThrow(WouldBlock);
      });
      expect(limiter.borrowedTokens).toBe(0);
    });
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("raising totalTokens wakes as many waiters as now fit", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      limiter.acquireOnBehalfOfNowait("holder");
      const woke: number[] = [];
      yield* openNursery(function* (n) {
        for (let i = 0; i < 5; i++) {
          n.startSoon(function* () {
            yield* limiter.acquireOnBehalfOf(`w${i}`);
            woke.push(i);
          });
        }
        yield* waitAllTasksBlocked();
        limiter.totalTokens = 3;
        expect(limiter.borrowedTokens).toBe(3);
        expect(limiter.statistics().tasksWaiting).toBe(3);
        yield* waitAllTasksBlocked();
        expect(woke).toEqual([0, 1]);
        limiter.totalTokens = Infinity;
        expect(limiter.statistics().tasksWaiting).toBe(0);
        expect(limiter.borrowedTokens).toBe(6);
      });
      expect(woke).toEqual([0, 1, 2, 3, 4]);
      expect(limiter.statistics().borrowers).toEqual(["holder", "w0", "w1", "w2", "w3", "w4"]);
    });
  });

  it("lowering totalTokens below what is borrowed blocks new borrowers until enough return", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(3);
      for (const b of ["a", "b", "c"]) limiter.acquireOnBehalfOfNowait(b);
      limiter.totalTokens = 1;
      expect(limiter.availableTokens).toBe(-2);
      let got = false;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* limiter.acquireOnBehalfOf("d");
          got = true;
        });
        yield* waitAllTasksBlocked();
        limiter.releaseOnBehalfOf("a");
        limiter.releaseOnBehalfOf("b");
        yield* waitAllTasksBlocked();
        expect(got).toBe(false);
        limiter.releaseOnBehalfOf("c");
      });
      expect(got).toBe(true);
      expect(limiter.statistics().borrowers).toEqual(["d"]);
      limiter.releaseOnBehalfOf("d");
    });
  });

  it("a cancelled waiter leaves no trace and its borrower can try again", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      limiter.acquireOnBehalfOfNowait("holder");
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => limiter.acquireOnBehalfOf("job"));
        });
        yield* waitAllTasksBlocked();
        expect(limiter.statistics().tasksWaiting).toBe(1);
        scope.cancel();
        expect(limiter.statistics().tasksWaiting).toBe(0);
      });
      expect(scope.cancelledCaught).toBe(true);
      limiter.releaseOnBehalfOf("holder");
      expect(limiter.borrowedTokens).toBe(0);
      // The cancelled wait did not leave "job" marked as waiting.
      limiter.acquireOnBehalfOfNowait("job");
      expect(limiter.statistics().borrowers).toEqual(["job"]);
      limiter.releaseOnBehalfOf("job");
    });
  });

  it("one borrower cannot wait in two tasks at once", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      limiter.acquireOnBehalfOfNowait("holder");
      const errors: unknown[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* limiter.acquireOnBehalfOf("shared");
        });
        yield* waitAllTasksBlocked();
        n.startSoon(function* () {
          try {
            yield* limiter.acquireOnBehalfOf("shared");
          } catch (error) {
            errors.push(error);
          }
        });
        yield* waitAllTasksBlocked();
        limiter.releaseOnBehalfOf("holder");
      });
      expect(errors).toHaveLength(1);
      expect((errors[0] as Error).message).toMatch(/already waiting/);
      expect(limiter.statistics().borrowers).toEqual(["shared"]);
      limiter.releaseOnBehalfOf("shared");
    });
  });

  it("acquire is a checkpoint; in a cancelled scope it raises without taking a token", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      yield* assertCheckpoints(limiter.acquire());
      limiter.release();
      yield* assertCheckpoints(limiter.acquireOnBehalfOf("x"));
      limiter.releaseOnBehalfOf("x");
      let raised: unknown = null;
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        try {
          yield* limiter.acquire();
        } catch (error) {
          raised = error;
          throw error;
        }
      });
      expect(raised).toBeInstanceOf(Cancelled);
      expect(limiter.borrowedTokens).toBe(0);
    });
  });

  it("withToken bounds concurrency", async () => {
    let inside = 0;
    let maxInside = 0;
    await runMock(function* () {
      const limiter = new CapacityLimiter(2);
      yield* openNursery(function* (n) {
        for (let i = 0; i < 7; i++) {
          n.startSoon(function* () {
            yield* limiter.withToken(function* () {
              inside++;
              maxInside = Math.max(maxInside, inside);
              yield* sleep(1);
              inside--;
            });
          });
        }
      });
      expect(limiter.borrowedTokens).toBe(0);
      expect(
        yield* limiter.withToken(function* () {
          return limiter.borrowedTokens;
        }),
      ).toBe(1);
    });
    expect(maxInside).toBe(2);
  });

  it("releaseOnBehalfOf works from a plain callback outside the run", async () => {
    const limiter = new CapacityLimiter(1);
    await runWith({}, function* () {
      limiter.acquireOnBehalfOfNowait("worker");
      setTimeout(() => limiter.releaseOnBehalfOf("worker"), 1);
      yield* limiter.acquire();
      expect(limiter.statistics().borrowers).toHaveLength(1);
      expect(limiter.statistics().borrowers[0]).toBe(currentTask());
      limiter.release();
    });
    expect(limiter.borrowedTokens).toBe(0);
  });

  it("shows the limiter as what a blocked task waits on", async () => {
    await runMock(function* () {
      const limiter = new CapacityLimiter(1);
      limiter.acquireOnBehalfOfNowait("x");
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          yield* limiter.withToken(function* () {});
        });
        yield* waitAllTasksBlocked();
        expect(t.waitingOn).toBe(limiter);
        expect(String(limiter)).toBe("<CapacityLimiter 1/1 borrowed, 1 waiting>");
        limiter.releaseOnBehalfOf("x");
      });
    });
  });
});
