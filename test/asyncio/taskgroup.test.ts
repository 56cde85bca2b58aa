/**
 * TaskGroup, in the spirit of CPython's test_taskgroups.py: waiting for all
 * children, the first failure cancelling the rest and the body, errors in an
 * ExceptionGroup, and exact cancel()/uncancel() bookkeeping on the parent.
 */
import { describe, expect, it } from "vitest";
import { ExceptionGroup, RuntimeError } from "../../src/core/index.js";
import {
  CancelledError,
  TaskGroup,
  TimeoutError,
  createTask,
  currentTask,
  sleep,
  timeout,
  type Coroutine,
  type ExceptionContext,
  type Task,
} from "../../src/asyncio/index.js";
import { delayed, failing, raises, rejection, runAio } from "./helpers.js";

/** A child that records whether it was cancelled. */
function* sleeper(log: string[], name: string, delay: number): Coroutine<string> {
  try {
    yield* sleep(delay);
    log.push(`${name} done`);
    return name;
  } catch (e) {
    if (e instanceof CancelledError) log.push(`${name} cancelled`);
    throw e;
  }
}

function leavesOf(err: unknown): string[] {
  expect(err).toBeInstanceOf(ExceptionGroup);
  return (err as ExceptionGroup).leaves().map((e) => (e as Error).message);
}

describe("TaskGroup basics", () => {
  it("waits for every child and returns the body's value", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      let t1: Task<string> | null = null;
      let t2: Task<string> | null = null;
      const v = yield* TaskGroup.run(function* (tg) {
        t1 = tg.createTask(sleeper(log, "a", 2));
        t2 = tg.createTask(sleeper(log, "b", 1));
        return "body value";
      });
      expect(v).toBe("body value");
      expect(loop.time()).toBe(2);
      expect(t1!.result()).toBe("a");
      expect(t2!.result()).toBe("b");
    });
    expect(log).toEqual(["b done", "a done"]);
  });

  it("instances run once; the static run() makes a fresh group", async () => {
    await runAio(function* () {
      const tg = new TaskGroup();
      yield* tg.run(function* (g) {
        expect(g).toBe(tg);
        g.createTask(sleep(1));
      });
      const err = yield* raises(() => tg.run(function* () {}));
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as Error).message).toMatch(/has already been entered/);
    });
  });

  it("createTask passes options such as the name", async () => {
    await runAio(function* () {
      yield* TaskGroup.run(function* (tg) {
        const t = tg.createTask(sleep(0), { name: "worker-1" });
        expect(t.getName()).toBe("worker-1");
      });
    });
  });

  it("refuses createTask before entering and after finishing", async () => {
    await runAio(function* () {
      const tg = new TaskGroup();
      let closed = false;
      const coro = (function* () {
        try {
          yield* sleep(0);
        } finally {
          closed = true;
        }
      })();
      expect(() => tg.createTask(coro)).toThrow(/has not been entered/);
      yield* tg.run(function* () {});
      expect(() => tg.createTask(sleep(0))).toThrow(/is finished/);
      expect(closed).toBe(false); // a never-started generator has no finally to run
      expect(coro.next().done).toBe(true); // but it was closed
    });
  });

  it("must be run from an asyncio task", async () => {
    await runAio(function* (loop) {
      let err: unknown = null;
      loop.callSoon(() => {
        try {
          TaskGroup.run(function* () {}).next();
        } catch (e) {
          err = e;
        }
      });
      yield* sleep(0);
      expect((err as Error).message).toMatch(/cannot determine the parent task/);
    });
  });

  it("a child cancelling itself does not abort the group", async () => {
    const log: string[] = [];
    await runAio(function* () {
      yield* TaskGroup.run(function* (tg) {
        const t = tg.createTask(sleeper(log, "self-cancelled", 5));
        tg.createTask(sleeper(log, "other", 2));
        yield* sleep(1);
        t.cancel();
      });
    });
    expect(log).toEqual(["self-cancelled cancelled", "other done"]);
  });

  it("a child that swallows a cancellation and returns does not disturb the group", async () => {
    await runAio(function* () {
      let t: Task<string> | null = null;
      yield* TaskGroup.run(function* (tg) {
        t = tg.createTask(
          (function* () {
            try {
              yield* sleep(10);
            } catch {
              return "ignored";
            }
            return "normal";
          })(),
        );
        yield* sleep(1);
        t.cancel();
      });
      expect(t!.result()).toBe("ignored");
    });
  });

  it("toString shows tasks, errors and state", async () => {
    await runAio(function* () {
      const tg = new TaskGroup();
      expect(String(tg)).toBe("<TaskGroup>");
      yield* tg.run(function* (g) {
        g.createTask(sleep(1));
        expect(String(g)).toBe("<TaskGroup tasks=1 entered>");
      });
    });
  });
});

describe("TaskGroup failures", () => {
  it("a failing child cancels the others and the error comes out in an ExceptionGroup", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const err = yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(sleeper(log, "long", 10));
          tg.createTask(failing(1, new Error("child failed")));
        }),
      );
      expect(leavesOf(err)).toEqual(["child failed"]);
      expect((err as Error).message).toBe("unhandled errors in a TaskGroup");
      expect(loop.time()).toBe(1);
    });
    expect(log).toEqual(["long cancelled"]);
  });

  it("the failure interrupts the body at its wait, and the parent ends up not cancelled", async () => {
    await runAio(function* (loop) {
      const me = currentTask()!;
      let bodySaw: unknown = null;
      const err = yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(failing(1, new Error("boom")));
          try {
            yield* sleep(100);
          } catch (e) {
            bodySaw = e;
            throw e;
          }
        }),
      );
      expect(bodySaw).toBeInstanceOf(CancelledError);
      expect(leavesOf(err)).toEqual(["boom"]);
      expect(me.cancelling()).toBe(0);
      // The task goes on normally after handling the group's errors.
      yield* sleep(1);
      expect(loop.time()).toBe(2);
    });
  });

  it("a failure while the body already waits for the children at the end also raises the group", async () => {
    await runAio(function* () {
      const me = currentTask()!;
      const log: string[] = [];
      const err = yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(sleeper(log, "long", 10));
          tg.createTask(failing(2, new Error("late failure")));
        }),
      );
      expect(leavesOf(err)).toEqual(["late failure"]);
      expect(log).toEqual(["long cancelled"]);
      expect(me.cancelling()).toBe(0);
    });
  });

  it("collects every child error, including those raised while being cancelled", async () => {
    await runAio(function* () {
      const err = yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(failing(1, new Error("first")));
          tg.createTask(failing(1, new Error("second")));
          tg.createTask(
            (function* () {
              try {
                yield* sleep(10);
              } finally {
                // eslint-disable-next-line no-unsafe-finally
                throw new Error("cleanup of third");
              }
            })(),
          );
        }),
      );
      expect(leavesOf(err)).toEqual(["first", "second", "cleanup of third"]);
    });
  });

  it("an error in the body cancels the children and is added last to the group", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const err = yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(sleeper(log, "child", 10));
          tg.createTask(failing(0.5, new Error("child error")));
          yield* sleep(0);
          throw new Error("body error");
        }),
      );
      // The body failed first (at t=0); the child that would fail later was cancelled.
      expect(leavesOf(err)).toEqual(["body error"]);
    });
    expect(log).toEqual(["child cancelled"]);
  });

  it("no new tasks once it is shutting down", async () => {
    await runAio(function* () {
      let refusal: unknown = null;
      yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(failing(1, new Error("x")));
          try {
            yield* sleep(10);
          } catch (e) {
            try {
              tg.createTask(sleep(1));
            } catch (r) {
              refusal = r;
            }
            throw e;
          }
        }),
      );
      expect((refusal as Error).message).toMatch(/shutting down/);
    });
  });

  it("the children's errors are not reported again as never retrieved", async () => {
    const seen: ExceptionContext[] = [];
    await runAio(function* (loop) {
      loop.setExceptionHandler((_l, c) => seen.push(c));
      yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(failing(1, new Error("a")));
          tg.createTask(failing(1, new Error("b")));
        }),
      );
    });
    expect(seen).toEqual([]);
  });

  it("an eager child that fails at once aborts the group from the loop, not inside createTask", async () => {
    const log: string[] = [];
    await runAio(function* () {
      let sibling: Task<string> | null = null;
      const err = yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(
            (function* () {
              throw new Error("eager failure");
            })(),
            { eagerStart: true },
          );
          log.push("createTask returned");
          sibling = tg.createTask(sleeper(log, "sibling", 5));
          yield* sleep(1);
          log.push("not reached");
        }),
      );
      expect(leavesOf(err)).toEqual(["eager failure"]);
      // The failure was handled before the sibling's first step: it never ran.
      expect(sibling!.cancelled()).toBe(true);
    });
    expect(log).toEqual(["createTask returned"]);
  });

  it("nested groups: the inner group's ExceptionGroup ends up inside the outer one", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const err = yield* raises(() =>
        TaskGroup.run(function* (outer) {
          outer.createTask(sleeper(log, "outer child", 10));
          yield* TaskGroup.run(function* (inner) {
            inner.createTask(failing(1, new Error("deep")));
          });
        }),
      );
      expect(err).toBeInstanceOf(ExceptionGroup);
      const nested = (err as ExceptionGroup).exceptions[0];
      expect(nested).toBeInstanceOf(ExceptionGroup);
      expect(leavesOf(nested)).toEqual(["deep"]);
    });
    expect(log).toEqual(["outer child cancelled"]);
  });
});

describe("TaskGroup and cancellation", () => {
  it("a cancel of the parent while the body runs cancels the children and raises CancelledError", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const parent = createTask(
        TaskGroup.run(function* (tg) {
          tg.createTask(sleeper(log, "c1", 10));
          tg.createTask(sleeper(log, "c2", 10));
          yield* sleep(5);
        }),
      );
      yield* sleep(1);
      parent.cancel();
      const err = yield* raises(() => parent[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect(parent.cancelled()).toBe(true);
    });
    expect(log).toEqual(["c1 cancelled", "c2 cancelled"]);
  });

  it("a cancel of the parent while it waits for the children at the end also propagates", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const parent = createTask(
        TaskGroup.run(function* (tg) {
          tg.createTask(sleeper(log, "c1", 10));
        }),
      );
      yield* sleep(1);
      parent.cancel("stop");
      const err = yield* raises(() => parent[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as Error).message).toBe("stop");
    });
    expect(log).toEqual(["c1 cancelled"]);
  });

  it("children may finish their cleanup before the cancelled group returns", async () => {
    await runAio(function* (loop) {
      const log: string[] = [];
      const parent = createTask(
        TaskGroup.run(function* (tg) {
          tg.createTask(
            (function* () {
              try {
                yield* sleep(100);
              } finally {
                yield* sleep(3);
                log.push(`cleanup at ${loop.time()}`);
              }
            })(),
          );
        }),
      );
      yield* sleep(1);
      parent.cancel();
      yield* raises(() => parent[Symbol.iterator]());
      expect(log).toEqual(["cleanup at 4"]);
      expect(loop.time()).toBe(4);
    });
  });

  it("an outside cancel plus a child error: ExceptionGroup, and the parent stays cancelled", async () => {
    await runAio(function* () {
      const log: string[] = [];
      const parent = createTask(
        (function* () {
          const err = yield* raises(() =>
            TaskGroup.run(function* (tg) {
              tg.createTask(
                (function* () {
                  try {
                    yield* sleep(100);
                  } finally {
                    // eslint-disable-next-line no-unsafe-finally
                    throw new Error("failed while cancelled");
                  }
                })(),
              );
            }),
          );
          log.push(`group: ${leavesOf(err).join()}`);
          log.push(`cancelling: ${currentTask()!.cancelling()}`);
          try {
            yield* sleep(1);
          } catch (e) {
            log.push(e instanceof CancelledError ? "cancel still pending" : "other");
            throw e;
          }
        })(),
      );
      yield* sleep(1);
      parent.cancel();
      yield* raises(() => parent[Symbol.iterator]());
      expect(parent.cancelled()).toBe(true);
      expect(log).toEqual(["group: failed while cancelled", "cancelling: 1", "cancel still pending"]);
    });
  });

  it("a child error and an outside cancel together: the group withdraws only its own request", async () => {
    await runAio(function* () {
      const log: string[] = [];
      const parent = createTask(
        (function* () {
          const me = currentTask()!;
          const err = yield* raises(() =>
            TaskGroup.run(function* (tg) {
              const child = tg.createTask(failing(1, new Error("child")));
              // Runs right after the group's own callback has cancelled the parent.
              child.addDoneCallback(() => me.cancel("outside"));
              yield* sleep(10);
            }),
          );
          log.push(`group: ${leavesOf(err).join()}, cancelling: ${currentTask()!.cancelling()}`);
          yield* sleep(1);
          log.push("not reached");
        })(),
      );
      const err = yield* raises(() => parent[Symbol.iterator]());
      expect(err).toBeInstanceOf(CancelledError);
      expect(parent.cancelled()).toBe(true);
      expect(log).toEqual(["group: child, cancelling: 1"]);
    });
  });

  it("a CancelledError raised by the body itself propagates as is", async () => {
    await runAio(function* () {
      const mine = new CancelledError("from the body");
      const err = yield* raises(() =>
        TaskGroup.run(function* () {
          throw mine;
        }),
      );
      expect(err).toBe(mine);
    });
  });

  it("a body that catches the group's cancellation and goes on still gets the ExceptionGroup at the end", async () => {
    await runAio(function* (loop) {
      const err = yield* raises(() =>
        TaskGroup.run(function* (tg) {
          tg.createTask(failing(1, new Error("child")));
          try {
            yield* sleep(10);
          } catch {
            // ignore and keep working
          }
          yield* sleep(2);
        }),
      );
      expect(leavesOf(err)).toEqual(["child"]);
      expect(loop.time()).toBe(3);
      expect(currentTask()!.cancelling()).toBe(0);
    });
  });
});

describe("TaskGroup with timeouts", () => {
  it("a timeout around a group cancels its children and raises TimeoutError", async () => {
    const log: string[] = [];
    await runAio(function* (loop) {
      const err = yield* raises(() =>
        timeout(2).run(() =>
          TaskGroup.run(function* (tg) {
            tg.createTask(sleeper(log, "a", 10));
            tg.createTask(sleeper(log, "b", 1));
          }),
        ),
      );
      expect(err).toBeInstanceOf(TimeoutError);
      expect(loop.time()).toBe(2);
      expect(currentTask()!.cancelling()).toBe(0);
    });
    expect(log).toEqual(["b done", "a cancelled"]);
  });

  it("a timeout expiring in the body of a group cancels the children too", async () => {
    const log: string[] = [];
    await runAio(function* () {
      const err = yield* raises(() =>
        timeout(2).run(() =>
          TaskGroup.run(function* (tg) {
            tg.createTask(sleeper(log, "child", 10));
            yield* sleep(10);
          }),
        ),
      );
      expect(err).toBeInstanceOf(TimeoutError);
    });
    expect(log).toEqual(["child cancelled"]);
  });

  it("a child error beats the timeout: the ExceptionGroup comes out", async () => {
    await runAio(function* () {
      const err = yield* raises(() =>
        timeout(5).run(() =>
          TaskGroup.run(function* (tg) {
            tg.createTask(failing(1, new Error("before the deadline")));
            yield* sleep(10);
          }),
        ),
      );
      expect(leavesOf(err)).toEqual(["before the deadline"]);
      expect(currentTask()!.cancelling()).toBe(0);
    });
  });

  it("a timeout inside a child only concerns that child", async () => {
    await runAio(function* () {
      let t: Task<string> | null = null;
      yield* TaskGroup.run(function* (tg) {
        t = tg.createTask(
          (function* () {
            const e = yield* raises(() => timeout(1).run(() => sleep(10)));
            return (e as Error).name;
          })(),
        );
        tg.createTask(delayed(3, "sibling"));
      });
      expect(t!.result()).toBe("TimeoutError");
    });
  });
});

describe("TaskGroup bookkeeping over many tasks", () => {
  it("a failure after hundreds of finished tasks still cancels every pending one and the body", async () => {
    const log: string[] = [];
    const err = await rejection(
      runAio(function* () {
        yield* TaskGroup.run(function* (tg) {
          // 300 quick tasks finish first, so the group drops them from its list (more than half done)...
          for (let i = 0; i < 300; i++) tg.createTask(sleeper(log, `quick${i}`, 1));
          // ...while these are still pending when the failure comes.
          for (let i = 0; i < 5; i++) tg.createTask(sleeper(log, `slow${i}`, 100));
          tg.createTask(failing(2, new Error("boom")));
          yield* sleep(1000);
          log.push("body not cancelled");
        });
      }),
    );
    expect(leavesOf(err)).toEqual(["boom"]);
    expect(log.filter((l) => l.startsWith("quick") && l.endsWith("done"))).toHaveLength(300);
    expect(log.filter((l) => l.startsWith("slow"))).toEqual(["slow0 cancelled", "slow1 cancelled", "slow2 cancelled", "slow3 cancelled", "slow4 cancelled"]);
    expect(log).not.toContain("body not cancelled");
  });

  it("waits for tasks added after earlier ones finished (the list starts over when empty)", async () => {
    await runAio(function* (loop) {
      const results = yield* TaskGroup.run(function* (tg) {
        const first = tg.createTask(sleep(1, "a"));
        yield* sleep(2); // first is done and reported
        const second = tg.createTask(sleep(3, "b"));
        return [first, second] as const;
      });
      expect(loop.time()).toBe(5);
      expect(results.map((t) => t.result())).toEqual(["a", "b"]);
    });
  });
});
