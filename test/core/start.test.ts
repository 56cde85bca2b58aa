import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  ExceptionGroup,
  RuntimeError,
  TASK_STATUS_IGNORED,
  checkpoint,
  currentCancelScope,
  currentTask,
  currentTime,
  openNursery,
  sleep,
  sleepForever,
  type Nursery,
  type Operation,
  type TaskStatus,
} from "../../src/core/index.js";
import { rejection, runMock } from "./helpers.js";

function* server(port: number, log: string[], status: TaskStatus<number> = TASK_STATUS_IGNORED): Operation<void> {
  yield* sleep(1);
  log.push("listening");
  status.started(port);
  try {
    yield* sleepForever();
  } finally {
    log.push("server stopped");
  }
}

describe("nursery.start", () => {
  it("returns the value given to taskStatus.started()", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const port = yield* n.start(server, 8080, log);
        expect(port).toBe(8080);
        expect(currentTime()).toBe(1);
        log.push("got port");
        n.cancelScope.cancel();
      });
    });
    expect(log).toEqual(["listening", "got port", "server stopped"]);
  });

  it("started() with no value makes start() return undefined", async () => {
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const v = yield* n.start(function* (status: TaskStatus) {
          status.started();
        });
        expect(v).toBeUndefined();
      });
    });
  });

  it("the child belongs to the target nursery after started()", async () => {
    await runMock(function* () {
      yield* openNursery(function* (n) {
        let child: unknown;
        yield* n.start(function* (status: TaskStatus) {
          child = currentTask();
          expect(currentTask().parentNursery).not.toBe(n);
          status.started();
          expect(currentTask().parentNursery).toBe(n);
          yield* sleep(1);
        });
        expect([...n.childTasks]).toEqual([child]);
      });
    });
  });

  it("runs the child under the caller's scopes until started, then under the target nursery's", async () => {
    const log: string[] = [];
    const callerScope = new CancelScope();
    await runMock(function* () {
      yield* openNursery(function* (n) {
        yield* callerScope.run(function* () {
          yield* n.start(function* (status: TaskStatus) {
            let s: CancelScope | null = currentCancelScope();
            let underCaller = false;
            for (; s !== null; s = s.parent) if (s === callerScope) underCaller = true;
            log.push(`before started: under caller scope ${underCaller}`);
            status.started();
            underCaller = false;
            for (s = currentCancelScope(); s !== null; s = s.parent) if (s === callerScope) underCaller = true;
            log.push(`after started: under caller scope ${underCaller}`);
            yield* sleep(5);
            log.push("child finished its sleep");
          });
          // Cancelling the caller's scope no longer affects the child.
          callerScope.cancel();
        });
      });
    });
    expect(log).toEqual([
      "before started: under caller scope true",
      "after started: under caller scope false",
      "child finished its sleep",
    ]);
  });

  it("cancelling the caller's scope before started() cancels the child", async () => {
    const log: string[] = [];
    const callerScope = new CancelScope();
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(1);
          callerScope.cancel();
        });
        yield* callerScope.run(function* () {
          yield* n.start(function* (status: TaskStatus) {
            try {
              yield* sleep(10);
              status.started();
            } catch (e) {
              log.push(e instanceof Cancelled ? "child cancelled" : "other");
              throw e;
            }
          });
          log.push("not reached");
        });
        log.push(`caller moved on at ${currentTime()}`);
      });
    });
    expect(log).toEqual(["child cancelled", "caller moved on at 1"]);
    expect(callerScope.cancelledCaught).toBe(true);
  });

  it("cancelling the target nursery before started() does not affect the child until it moves", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (outer) {
        yield* openNursery(function* (target) {
          outer.startSoon(function* () {
            yield* target.start(function* (status: TaskStatus) {
              yield* sleep(2);
              log.push(`starting at ${currentTime()}`);
              status.started();
              try {
                yield* checkpoint();
                log.push("not reached");
              } catch (e) {
                log.push(e instanceof Cancelled ? "cancelled once moved" : "other");
                throw e;
              }
            });
          });
          yield* sleep(1);
          target.cancelScope.cancel();
        });
      });
    });
    expect(log).toEqual(["starting at 2", "cancelled once moved"]);
  });

  it("a child blocked when it moves into a cancelled nursery is woken", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (outer) {
        yield* openNursery(function* (target) {
          outer.startSoon(function* () {
            yield* target.start(function* (status: TaskStatus) {
              // Someone else reports readiness while this child is blocked.
              outer.startSoon(function* () {
                yield* sleep(2);
                status.started();
              });
              try {
                yield* sleepForever();
              } finally {
                log.push(`moved child unwound at ${currentTime()}`);
              }
            });
          });
          yield* sleep(1);
          target.cancelScope.cancel();
        });
      });
    });
    expect(log).toEqual(["moved child unwound at 2"]);
  });

  it("a caller cancelled while its child is shielded is not left hanging: started() then leaves the child under start()", async () => {
    const log: string[] = [];
    const callerScope = new CancelScope();
    await runMock(function* () {
      yield* openNursery(function* (n) {
        yield* callerScope.run(function* () {
          try {
            yield* n.start(function* (status: TaskStatus<string>) {
              yield* new CancelScope({ shield: true }).run(function* () {
                callerScope.cancel();
                yield* sleep(1);
              });
              // The start() call is cancelled: started() does not move the
              // child (as in Trio), whose next checkpoint raises Cancelled.
              status.started("ready");
              log.push(`child in target nursery: ${n.childTasks.has(currentTask())}`);
              yield* sleep(1);
              log.push("not reached");
            });
          } catch (e) {
            log.push(e instanceof Cancelled ? "start() raised Cancelled" : `other: ${String(e)}`);
            throw e;
          }
        });
        log.push(`caller moved on at ${currentTime()}`);
      });
    });
    expect(log).toEqual(["child in target nursery: false", "start() raised Cancelled", "caller moved on at 1"]);
    expect(callerScope.cancelledCaught).toBe(true);
  });

  it("an error before started() is raised by start() itself, unwrapped", async () => {
    let caught: unknown;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        try {
          yield* n.start(function* (_status: TaskStatus) {
            yield* sleep(1);
            throw new Error("failed to bind");
          });
        } catch (e) {
          caught = e;
        }
      });
    });
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(ExceptionGroup);
    expect((caught as Error).message).toBe("failed to bind");
  });

  it("an error before started() does not cancel the target nursery", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(3);
          log.push("sibling survived");
        });
        try {
          yield* n.start(function* (_status: TaskStatus) {
            throw new Error("early");
          });
        } catch {
          log.push("caught early");
        }
      });
    });
    expect(log).toEqual(["caught early", "sibling survived"]);
  });

  it("an error after started() goes to the target nursery", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          yield* n.start(function* (status: TaskStatus) {
            status.started();
            yield* sleep(1);
            throw new Error("late");
          });
        });
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect(((err as ExceptionGroup).exceptions[0] as Error).message).toBe("late");
  });

  it("returning without calling started() raises a RuntimeError", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          yield* n.start(function* named(_status: TaskStatus) {
            yield* checkpoint();
          });
        });
      }),
    );
    const inner = err instanceof ExceptionGroup ? err.exceptions[0] : err;
    expect(inner).toBeInstanceOf(RuntimeError);
    expect((inner as Error).message).toMatch(/without calling taskStatus\.started\(\)/);
    expect((inner as Error).message).toMatch(/named/);
  });

  it("calling started() twice raises a RuntimeError in the child", async () => {
    let second: unknown;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        yield* n.start(function* (status: TaskStatus) {
          status.started();
          try {
            status.started();
          } catch (e) {
            second = e;
          }
        });
      });
    });
    expect(second).toBeInstanceOf(RuntimeError);
    expect((second as Error).message).toMatch(/twice/);
  });

  it("a function with a TASK_STATUS_IGNORED default works with startSoon", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(server, 1, log);
        yield* sleep(2);
        n.cancelScope.cancel();
      });
    });
    expect(log).toEqual(["listening", "server stopped"]);
  });

  it("TASK_STATUS_IGNORED.started() is a no-op", () => {
    const ignored: TaskStatus<number> = TASK_STATUS_IGNORED;
    expect(() => ignored.started(1)).not.toThrow();
  });

  it("start() is a schedule point for the caller even if the child starts at once (a cancellation point only through its child: see start-semantics)", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          log.push("sibling ran");
        });
        yield* n.start(function* (status: TaskStatus) {
          status.started();
        });
        log.push("after start");
      });
    });
    expect(log).toEqual(["sibling ran", "after start"]);
  });

  it("start() from a child into the parent's nursery keeps the nursery open while pending", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* (nursery: Nursery) {
          yield* nursery.start(function* (status: TaskStatus) {
            yield* sleep(5);
            status.started();
            yield* sleep(1);
            log.push("started child done");
          });
          log.push("start returned");
        }, n);
      });
      log.push(`nursery closed at ${currentTime()}`);
    });
    expect(log).toEqual(["start returned", "started child done", "nursery closed at 6"]);
  });

  it("passes arguments before the task status", async () => {
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const v = yield* n.start(function* (a: number, b: string, status: TaskStatus<string>) {
          status.started(`${a}-${b}`);
        }, 1, "x");
        expect(v).toBe("1-x");
      });
    });
  });

  it("a nursery opened by the child before started() moves with it", async () => {
    const log: string[] = [];
    const callerScope = new CancelScope();
    await runMock(function* () {
      yield* openNursery(function* (n) {
        yield* callerScope.run(function* () {
          yield* n.start(function* (status: TaskStatus) {
            yield* openNursery(function* (inner) {
              inner.startSoon(function* () {
                yield* sleep(3);
                log.push("grandchild done");
              });
              status.started();
            });
          });
          callerScope.cancel();
        });
      });
    });
    expect(log).toEqual(["grandchild done"]);
  });

  it("a scope entered by the child before started() is re-parented to the target nursery", async () => {
    const log: string[] = [];
    const callerScope = new CancelScope();
    await runMock(function* () {
      yield* openNursery(function* (n) {
        yield* callerScope.run(function* () {
          yield* n.start(function* (status: TaskStatus) {
            yield* new CancelScope().run(function* () {
              status.started();
              yield* sleep(2);
              log.push("inner scope child done");
            });
          });
          callerScope.cancel();
        });
        yield* sleep(1);
        log.push("cancelling target");
        n.cancelScope.cancel();
      });
    });
    expect(log).toEqual(["cancelling target"]);
  });
});
