// The same contract checked for every primitive that can act as a lock:
// fair FIFO hand-off, cancellation, and checkpoints (in the spirit of Trio's
// generic lock tests).
import { describe, expect, it } from "vitest";
import {
  CancelScope,
  Cancelled,
  CapacityLimiter,
  Condition,
  Lock,
  Semaphore,
  StrictFIFOLock,
  TooSlowError,
  WouldBlock,
  checkpoint,
  failAfter,
  openNursery,
  sleep,
  type Operation,
} from "../../src/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "./helpers.js";

interface LockLike {
  acquire(): Operation<void>;
  acquireNowait(): void;
  release(): void;
}

/** How many tasks wait to acquire (for a Condition: its lock's queue, not its wait queue). */
function waiting(lock: LockLike): number {
  return lock instanceof Condition ? lock.statistics().lockStatistics.tasksWaiting : (lock as Lock).statistics().tasksWaiting;
}

const kinds: [string, () => LockLike][] = [
  ["Lock", () => new Lock()],
  ["StrictFIFOLock", () => new StrictFIFOLock()],
  ["Semaphore(1)", () => new Semaphore(1)],
  ["Semaphore(1, { maxValue: 1 })", () => new Semaphore(1, { maxValue: 1 })],
  ["CapacityLimiter(1)", () => new CapacityLimiter(1)],
  ["Condition", () => new Condition()],
];

describe.each(kinds)("%s as a lock", (_name, make) => {
  it("keeps the critical section exclusive and serves tasks round-robin", async () => {
    const record: string[] = [];
    let inside = 0;
    await runMock(function* () {
      const lock = make();
      function* worker(name: string): Operation<void> {
        for (let i = 0; i < 3; i++) {
          yield* lock.acquire();
          inside++;
          expect(inside).toBe(1);
          record.push(name);
          yield* sleep(0.25);
          inside--;
          lock.release();
        }
      }
      yield* openNursery(function* (n) {
        for (const name of ["a", "b", "c"]) n.startSoon(worker, name);
      });
    });
    expect(record.join("")).toBe("abcabcabc");
  });

  it("release hands off to a waiter, so acquireNowait cannot barge", async () => {
    await runMock(function* () {
      const lock = make();
      let got = false;
      yield* lock.acquire();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* lock.acquire();
          got = true;
          yield* checkpoint();
          lock.release();
        });
        yield* waitAllTasksBlocked();
        lock.release();
        expect(waiting(lock)).toBe(0);
        expect(() => lock.acquireNowait()).toThrow(WouldBlock);
        expect(got).toBe(false);
      });
      expect(got).toBe(true);
      lock.acquireNowait();
      lock.release();
    });
  });

  it("a waiter cancelled by a deadline leaves the queue", async () => {
    await runMock(function* () {
      const lock = make();
      yield* lock.acquire();
      let error: unknown = null;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* failAfter(2, () => lock.acquire());
          } catch (e) {
            error = e;
          }
        });
        yield* waitAllTasksBlocked();
        expect(waiting(lock)).toBe(1);
        yield* sleep(5);
        expect(waiting(lock)).toBe(0);
        lock.release();
      });
      expect(error).toBeInstanceOf(TooSlowError);
      lock.acquireNowait();
      lock.release();
    });
  });

  it("acquire is a checkpoint when free, and raises Cancelled without acquiring when cancelled", async () => {
    await runMock(function* () {
      const lock = make();
      yield* assertCheckpoints(lock.acquire());
      lock.release();
      let raised: unknown = null;
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        try {
          yield* lock.acquire();
        } catch (e) {
          raised = e;
          throw e;
        }
      });
      expect(raised).toBeInstanceOf(Cancelled);
      lock.acquireNowait(); // still free
      lock.release();
    });
  });

  it("acquire blocks while held and is cancellable there", async () => {
    await runMock(function* () {
      const lock = make();
      lock.acquireNowait();
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => assertCheckpoints(lock.acquire()));
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(waiting(lock)).toBe(0);
      lock.release();
    });
  });
});
