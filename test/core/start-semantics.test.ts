/**
 * nursery.start() at its edges, after Trio's test_nursery_start and
 * test_nursery_start_with_cancelled_nursery: a start() whose call is
 * cancelled keeps its child (started() does not move it), a start() into a
 * nursery of another run is refused, and a start() in a cancelled scope is
 * not itself a cancellation point.
 */
import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  ExceptionGroup,
  RuntimeError,
  checkpoint,
  currentTask,
  currentTime,
  moveOnAfter,
  openNursery,
  sleep,
  sleepForever,
  type Nursery,
  type TaskStatus,
} from "../../src/core/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { TestEvent, runMock, within } from "./helpers.js";

describe("start() into a nursery of another run", () => {
  it("is refused with the same error as startSoon(), and the other run's nursery still closes", async () => {
    const nurseryOpen = new TestEvent();
    const attempted = new TestEvent();
    let foreign: Nursery | null = null;
    let fromStart: unknown;
    let fromStartSoon: unknown;
    const runA = runMock(function* () {
      yield* openNursery(function* (n) {
        foreign = n;
        nurseryOpen.set();
        yield* attempted.wait();
      });
      return "run A finished";
    });
    const runB = runMock(function* () {
      yield* nurseryOpen.wait();
      try {
        yield* foreign!.start(function* (status: TaskStatus) {
          status.started();
          yield* sleep(1);
        });
      } catch (e) {
        fromStart = e;
      }
      try {
        foreign!.startSoon(checkpoint);
      } catch (e) {
        fromStartSoon = e;
      }
      attempted.set();
    });
    await within(runB);
    expect(await within(runA)).toBe("run A finished");
    expect(fromStart).toBeInstanceOf(RuntimeError);
    expect((fromStart as Error).message).toMatch(/nursery of another run/);
    expect((fromStart as Error).message).toMatch(/^start\(\)/);
    expect(fromStartSoon).toBeInstanceOf(RuntimeError);
    expect((fromStartSoon as Error).message).toMatch(/^startSoon\(\) on a nursery of another run/);
  });
});

describe("started() when the start() call is cancelled", () => {
  it("leaves the child under start(): start() raises Cancelled and the value is dropped", async () => {
    const scope = new CancelScope();
    let stayed = false;
    let n0: Nursery | null = null;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n0 = n;
        yield* scope.run(function* () {
          scope.cancel();
          yield* n.start(function* (status: TaskStatus<string>) {
            status.started("hi");
            stayed = currentTask().parentNursery !== n;
            yield* checkpoint();
          });
        });
        expect(n.childTasks.size).toBe(0);
      });
    });
    expect(n0).not.toBeNull();
    expect(stayed).toBe(true);
    expect(scope.cancelledCaught).toBe(true);
  });

  it("a child that calls started() in a finally as moveOnAfter cancels it does not disturb its would-be siblings", async () => {
    const log: string[] = [];
    await within(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(5);
            log.push(`sibling finished at ${currentTime()}`);
          });
          yield* moveOnAfter(1, function* () {
            yield* n.start(function* (status: TaskStatus) {
              try {
                yield* sleepForever();
              } finally {
                status.started();
              }
            });
            log.push("not reached");
          });
          log.push(`moved on at ${currentTime()}`);
        });
      }),
    );
    expect(log).toEqual(["moved on at 1", "sibling finished at 5"]);
  });

  it("a child that calls started() and then throws makes start() raise its error, unwrapped", async () => {
    const scope = new CancelScope();
    let caught: unknown;
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(1);
          log.push("sibling finished");
        });
        yield* scope.run(function* () {
          scope.cancel();
          try {
            yield* n.start(function* (status: TaskStatus) {
              status.started();
              throw new Error("whoopsiedaisy");
            });
          } catch (e) {
            caught = e;
          }
        });
      });
    });
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(ExceptionGroup);
    expect(caught).not.toBeInstanceOf(Cancelled);
    expect((caught as Error).message).toBe("whoopsiedaisy");
    expect(log).toEqual(["sibling finished"]);
  });
});

describe("start() in a cancelled scope", () => {
  it("is no cancellation when the child calls started() and returns without a checkpoint", async () => {
    const scope = new CancelScope();
    let value: unknown;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        yield* scope.run(function* () {
          scope.cancel();
          value = yield* n.start(function* (status: TaskStatus<number>) {
            status.started(7);
          });
        });
      });
    });
    expect(value).toBe(7);
    expect(scope.cancelledCaught).toBe(false);
  });

  it("a child that returns without started() still gets the RuntimeError, not Cancelled", async () => {
    const scope = new CancelScope();
    let caught: unknown;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        yield* scope.run(function* () {
          scope.cancel();
          try {
            yield* n.start(function* (_status: TaskStatus) {});
          } catch (e) {
            caught = e;
          }
        });
      });
    });
    expect(caught).toBeInstanceOf(RuntimeError);
    expect((caught as Error).message).toMatch(/without calling taskStatus\.started\(\)/);
  });
});

describe("start() into a cancelled target nursery", () => {
  // Trio's test_nursery_start_with_cancelled_nursery: the child's own
  // children are asleep when it moves; they must hear of the cancellation.
  function* setupNursery(status: TaskStatus<Nursery>) {
    yield* openNursery(function* (target) {
      status.started(target);
      yield* sleepForever();
    });
  }

  function* sleepingChildren(beforeStarted: () => void, status: TaskStatus) {
    yield* openNursery(function* (inner) {
      inner.startSoon(sleepForever);
      inner.startSoon(sleepForever);
      yield* waitAllTasksBlocked();
      beforeStarted();
      status.started();
    });
  }

  it("cancelled just before started(): the moved task and its sleeping children unwind", async () => {
    await within(
      runMock(function* () {
        yield* openNursery(function* (n) {
          const target = yield* n.start(setupNursery);
          yield* target.start(sleepingChildren, () => target.cancelScope.cancel());
        });
      }),
    );
  });

  it("cancelled just after started(): the same", async () => {
    await within(
      runMock(function* () {
        yield* openNursery(function* (n) {
          const target = yield* n.start(setupNursery);
          yield* target.start(sleepingChildren, () => {});
          target.cancelScope.cancel();
        });
      }),
    );
  });
});
