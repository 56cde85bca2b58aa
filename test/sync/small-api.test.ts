/**
 * Small API points, checked against Trio: a CapacityLimiter of zero tokens
 * (a paused limiter), Semaphore.acquireNowait outside a task (permits have
 * no owner), and sleepForever() woken by hand.
 */
import { describe, expect, it } from "vitest";
import {
  CapacityLimiter,
  ExceptionGroup,
  RuntimeError,
  Semaphore,
  WouldBlock,
  openNursery,
  reschedule,
  sleepForever,
  valueOutcome,
  type Task,
} from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

describe("CapacityLimiter with zero tokens (Trio allows total_tokens=0)", () => {
  it("can be made with, or set to, 0; negative counts are still refused", () => {
    const paused = new CapacityLimiter(0);
    expect(paused.totalTokens).toBe(0);
    expect(paused.availableTokens).toBe(0);
    const limiter = new CapacityLimiter(3);
    limiter.totalTokens = 0;
    expect(limiter.totalTokens).toBe(0);
    expect(() => new CapacityLimiter(-1)).toThrow(RangeError);
    expect(() => new CapacityLimiter(-1)).toThrow(/at least 0/);
    expect(() => (limiter.totalTokens = -2)).toThrow(RangeError);
    expect(() => new CapacityLimiter(0.5)).toThrow(/non-negative integer or Infinity/);
  });

  it("a paused limiter lets nobody through until tokens are added, then wakes waiters in order", async () => {
    const limiter = new CapacityLimiter(0);
    const order: number[] = [];
    await runMock(function* () {
      expect(() => limiter.acquireOnBehalfOfNowait("a")).toThrow(WouldBlock);
      yield* openNursery(function* (n) {
        for (const i of [0, 1, 2]) {
          n.startSoon(function* () {
            yield* limiter.acquireOnBehalfOf(i);
            order.push(i);
          });
        }
        yield* waitAllTasksBlocked();
        expect(order).toEqual([]);
        expect(limiter.statistics()).toMatchObject({ borrowedTokens: 0, totalTokens: 0, tasksWaiting: 3 });
        limiter.totalTokens = 2;
        yield* waitAllTasksBlocked();
        expect(order).toEqual([0, 1]);
        // Back to zero: the holders keep their tokens, the third still waits.
        limiter.totalTokens = 0;
        limiter.releaseOnBehalfOf(0);
        yield* waitAllTasksBlocked();
        expect(order).toEqual([0, 1]);
        expect(limiter.availableTokens).toBe(-1);
        limiter.releaseOnBehalfOf(1);
        limiter.totalTokens = 1;
        yield* waitAllTasksBlocked();
        expect(order).toEqual([0, 1, 2]);
        limiter.releaseOnBehalfOf(2);
      });
    });
    expect(limiter.borrowedTokens).toBe(0);
  });
});

describe("nowait acquisitions that need no task", () => {
  it("Semaphore.acquireNowait works outside a task, as release() does", () => {
    const sem = new Semaphore(1);
    sem.acquireNowait();
    expect(sem.value).toBe(0);
    expect(() => sem.acquireNowait()).toThrow(WouldBlock);
    sem.release();
    expect(sem.value).toBe(1);
  });

  it("Semaphore.acquireNowait does not barge ahead of a task waiting in line", async () => {
    const sem = new Semaphore(0);
    let got = false;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sem.acquire();
          got = true;
        });
        yield* waitAllTasksBlocked();
        // The release hands the permit to the waiter; nothing is left to take.
        sem.release();
        expect(() => sem.acquireNowait()).toThrow(WouldBlock);
      });
    });
    expect(got).toBe(true);
    expect(sem.value).toBe(0);
  });

  it("CapacityLimiter.acquireOnBehalfOfNowait works outside a task, as releaseOnBehalfOf does", () => {
    const limiter = new CapacityLimiter(1);
    limiter.acquireOnBehalfOfNowait("worker");
    expect(limiter.statistics().borrowers).toEqual(["worker"]);
    expect(() => limiter.acquireOnBehalfOfNowait("other")).toThrow(WouldBlock);
    limiter.releaseOnBehalfOf("worker");
    expect(limiter.borrowedTokens).toBe(0);
    // The task-borrower variant still needs a task: the task is the borrower.
    expect(() => limiter.acquireNowait()).toThrow(RuntimeError);
  });
});

describe("sleepForever() woken by hand", () => {
  it("raises RuntimeError in the sleeping task (Trio: 'should never have been woken')", async () => {
    let caught: unknown = null;
    await runMock(function* () {
      try {
        yield* openNursery(function* (n) {
          const sleeper: Task = n.startSoon(function* () {
            yield* sleepForever();
          });
          yield* waitAllTasksBlocked();
          reschedule(sleeper, valueOutcome("surprise"));
        });
      } catch (error) {
        caught = error;
      }
    });
    expect(caught).toBeInstanceOf(ExceptionGroup);
    const [error] = (caught as ExceptionGroup).exceptions;
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/sleepForever\(\) was woken/);
    expect((error as Error).message).toMatch(/only cancellation/);
  });
});
