import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  ExceptionGroup,
  RuntimeError,
  checkpoint,
  currentTask,
  currentTime,
  openNursery,
  sleep,
  sleepForever,
  type Nursery,
  type Operation,
  type Task,
} from "../../src/core/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { run } from "../../src/core/index.js";
import { waitPromise } from "../../src/bridge/promise.js";
import { refusingSignal, rejection, runMock, TestEvent } from "./helpers.js";

function* sleeper(log: string[], name: string, seconds: number): Operation<string> {
  yield* sleep(seconds);
  log.push(name);
  return name;
}

function* failing(message: string, seconds = 0): Operation<never> {
  if (seconds > 0) yield* sleep(seconds);
  else yield* checkpoint();
  throw new Error(message);
}

describe("nursery basics", () => {
  it("waits for every child before returning", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(sleeper, log, "b", 2);
        n.startSoon(sleeper, log, "a", 1);
        log.push("body done");
      });
      log.push("after");
      expect(currentTime()).toBe(2);
    });
    expect(log).toEqual(["body done", "a", "b", "after"]);
  });

  it("returns the body's result after the children end", async () => {
    const result = await runMock(function* () {
      return yield* openNursery(function* (n) {
        n.startSoon(sleep, 5);
        return "body";
      });
    });
    expect(result).toBe("body");
  });

  it("calls a generator function at the child's first step, so an error binding its arguments is the child's", async () => {
    const log: string[] = [];
    function* withDefault(x: string = (log.push("default evaluated"), "x")): Operation<void> {
      log.push(`body ${x}`);
    }
    function* needsObject({ key }: { key: string }): Operation<void> {
      log.push(key);
    }
    const error = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(withDefault);
          log.push("after startSoon");
          // Destructuring undefined throws a TypeError when the call binds it.
          n.startSoon(needsObject as unknown as () => Operation<void>);
          log.push("startSoon did not throw");
        });
      }),
    );
    expect(log).toEqual(["after startSoon", "startSoon did not throw", "default evaluated", "body x"]);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).exceptions[0]).toBeInstanceOf(TypeError);
  });

  it("still calls any other function at once, to check that it returns a generator", async () => {
    let thrown: unknown;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        try {
          n.startSoon((() => Promise.resolve()) as unknown as () => Operation<void>);
        } catch (error) {
          thrown = error;
        }
      });
    });
    expect(thrown).toBeInstanceOf(TypeError);
    expect(String(thrown)).toMatch(/returned a Promise, not a generator/);
  });

  it("starts children in the order startSoon was called", async () => {
    const log: number[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (let i = 0; i < 5; i++) {
          n.startSoon(function* () {
            log.push(i);
          });
        }
      });
    });
    expect(log).toEqual([0, 1, 2, 3, 4]);
  });

  it("runs children only after the body reaches a checkpoint", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          log.push("child");
        });
        log.push("body before checkpoint");
        yield* checkpoint();
        log.push("body after checkpoint");
      });
    });
    expect(log).toEqual(["body before checkpoint", "child", "body after checkpoint"]);
  });

  it("lets a child start siblings in the same nursery, and waits for them too", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* (nursery: Nursery) {
          yield* sleep(1);
          nursery.startSoon(sleeper, log, "grandchild-as-sibling", 5);
        }, n);
      });
      log.push("after");
      expect(currentTime()).toBe(6);
    });
    expect(log).toEqual(["grandchild-as-sibling", "after"]);
  });

  it("returns undefined when its own cancel scope absorbed a cancellation", async () => {
    const result = await runMock(function* () {
      return yield* openNursery(function* (n) {
        n.startSoon(sleepForever);
        n.cancelScope.cancel();
        yield* sleepForever();
        return "unreachable";
      });
    });
    expect(result).toBeUndefined();
  });

  it("nursery.cancelScope.cancel() cancels the body and every child, and marks cancelledCaught", async () => {
    const ended: string[] = [];
    let scope: CancelScope | null = null;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        scope = n.cancelScope;
        for (const name of ["x", "y"]) {
          n.startSoon(function* () {
            try {
              yield* sleepForever();
            } finally {
              ended.push(name);
            }
          });
        }
        yield* sleep(1);
        n.cancelScope.cancel("stop");
      });
    });
    expect(ended.sort()).toEqual(["x", "y"]);
    expect(scope!.cancelledCaught).toBe(true);
  });

  it("a child started in an already cancelled nursery runs until its first checkpoint", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.cancelScope.cancel();
        n.startSoon(function* () {
          log.push("child ran");
          try {
            yield* checkpoint();
            log.push("not reached");
          } catch (e) {
            log.push(e instanceof Cancelled ? "cancelled" : "other");
            throw e;
          }
        });
      });
    });
    expect(log).toEqual(["child ran", "cancelled"]);
  });
});

describe("nursery errors", () => {
  it("a signal on the nursery's scope that refuses to let go: a child's error still wins, and with no error the refusal is raised", async () => {
    const refusing = refusingSignal("removeEventListener", "will not let go");
    const outcomes = await runMock(function* () {
      const seen: string[] = [];
      for (const fail of [true, false]) {
        try {
          yield* openNursery(function* (n) {
            n.cancelScope.cancelOn(refusing);
            if (fail) n.startSoon(failing, "child failed");
          });
          seen.push("returned");
        } catch (error) {
          seen.push(error instanceof ExceptionGroup ? `group of ${String(error.exceptions[0])}` : String(error));
        }
      }
      return seen;
    });
    expect(outcomes).toEqual(["group of Error: child failed", "Error: will not let go"]);
  });

  it("collects a child's error into an ExceptionGroup that is an AggregateError", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(failing, "boom");
        });
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect(err).toBeInstanceOf(AggregateError);
    const group = err as ExceptionGroup;
    expect(group.exceptions).toHaveLength(1);
    expect((group.exceptions[0] as Error).message).toBe("boom");
    expect(group.errors).toBe(group.exceptions);
  });

  it("collects the body's error and every child's error together", async () => {
    const err = (await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            throw new Error("child 1");
          });
          n.startSoon(function* () {
            throw new Error("child 2");
          });
          yield* cancelShieldedWait();
          throw new Error("body");
        });
      }),
    )) as ExceptionGroup;
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect(err.exceptions.map((e) => (e as Error).message).sort()).toEqual(["body", "child 1", "child 2"]);
  });

  it("the first error cancels the siblings and the body, whose finally blocks run", async () => {
    const log: string[] = [];
    const err = (await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            try {
              yield* sleepForever();
            } finally {
              log.push("sibling finally");
            }
          });
          n.startSoon(failing, "first", 1);
          try {
            yield* sleep(100);
          } finally {
            log.push("body finally at " + currentTime());
          }
        });
      }),
    )) as ExceptionGroup;
    expect(log.sort()).toEqual(["body finally at 1", "sibling finally"]);
    // The siblings' Cancelled were absorbed by the nursery's scope: only the real error remains.
    expect(err.exceptions).toHaveLength(1);
    expect((err.exceptions[0] as Error).message).toBe("first");
  });

  it("siblings see a Cancelled whose reason names the failing task", async () => {
    let reason: string | undefined;
    await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            try {
              yield* sleepForever();
            } catch (e) {
              reason = (e as Cancelled).reason;
              throw e;
            }
          });
          n.startSoonNamed("the-culprit", failing, "bad");
        });
      }),
    );
    expect(reason).toContain("the-culprit");
    expect(reason).toContain("bad");
  });

  it("keeps non-Error thrown values", async () => {
    const err = (await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* checkpoint();
            throw "a string";
          });
        });
      }),
    )) as ExceptionGroup;
    expect(err.exceptions).toEqual(["a string"]);
  });

  it("nested nurseries give nested groups, and leaves() flattens them", async () => {
    const err = (await rejection(
      runMock(function* () {
        yield* openNursery(function* (outer) {
          outer.startSoon(failing, "outer child", 1);
          outer.startSoon(function* () {
            yield* openNursery(function* (inner) {
              inner.startSoon(failing, "inner child");
            });
          });
        });
      }),
    )) as ExceptionGroup;
    expect(err).toBeInstanceOf(ExceptionGroup);
    const inner = err.exceptions.find((e) => e instanceof ExceptionGroup) as ExceptionGroup;
    expect(inner).toBeDefined();
    expect((inner.exceptions[0] as Error).message).toBe("inner child");
    // The inner error cancelled the outer child before its sleep ended.
    expect(err.leaves().map((e) => (e as Error).message)).toEqual(["inner child"]);
  });

  it("an error handled inside a child does not reach the nursery", async () => {
    const result = await runMock(function* () {
      return yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* failing("handled");
          } catch {
            // handled
          }
        });
        return "ok";
      });
    });
    expect(result).toBe("ok");
  });

  it("raises a single Cancelled (not a group) when every collected error is a Cancelled", async () => {
    let seen: unknown;
    const outer = new CancelScope();
    await runMock(function* () {
      yield* outer.run(function* () {
        try {
          yield* openNursery(function* (n) {
            n.startSoon(sleepForever);
            n.startSoon(sleepForever);
            yield* sleep(1);
            outer.cancel("from outside");
            yield* sleepForever();
          });
        } catch (e) {
          seen = e;
          throw e;
        }
      });
    });
    expect(seen).toBeInstanceOf(Cancelled);
    expect(seen).not.toBeInstanceOf(ExceptionGroup);
    expect((seen as Cancelled).reason).toBe("from outside");
    expect(outer.cancelledCaught).toBe(true);
  });

  it("a group with a real error and outer Cancelleds keeps both inside, and the outer scope strips the Cancelleds", async () => {
    let seen: unknown;
    const outer = new CancelScope();
    const err = await rejection(
      runMock(function* () {
        yield* outer.run(function* () {
          try {
            yield* openNursery(function* (n) {
              n.startSoon(function* () {
                try {
                  yield* sleepForever();
                } finally {
                  // cleanup fails while being cancelled
                  // eslint-disable-next-line no-unsafe-finally
                  throw new Error("cleanup failed");
                }
              });
              yield* sleep(1);
              outer.cancel();
              yield* sleepForever();
            });
          } catch (e) {
            seen = e;
            throw e;
          }
        });
      }),
    );
    expect(seen).toBeInstanceOf(ExceptionGroup);
    const leaves = (seen as ExceptionGroup).leaves();
    expect(leaves.some((e) => e instanceof Cancelled)).toBe(true);
    expect(leaves.some((e) => (e as Error).message === "cleanup failed")).toBe(true);
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).leaves()).toEqual([expect.objectContaining({ message: "cleanup failed" })]);
    expect(outer.cancelledCaught).toBe(true);
  });

  it("startSoon on a closed nursery raises a RuntimeError that says what to do", async () => {
    let saved: Nursery | null = null;
    const err = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          saved = n;
        });
        saved!.startSoon(checkpoint);
      }),
    );
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/closed nursery/);
    expect((err as Error).message).toMatch(/openNursery/);
  });

  it("start on a closed nursery raises a RuntimeError too", async () => {
    let saved: Nursery | null = null;
    const err = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          saved = n;
        });
        yield* saved!.start(function* (status) {
          status.started();
        });
      }),
    );
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/closed nursery/);
  });

  it("a child can start siblings from its finally block while being cancelled; they are cancelled at their first checkpoint", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* sleepForever();
          } finally {
            n.startSoon(function* () {
              log.push("late child entered");
              try {
                yield* sleepForever();
              } finally {
                log.push("late child left");
              }
            });
          }
        });
        yield* waitAllTasksBlocked();
        n.cancelScope.cancel();
      });
    });
    expect(log).toEqual(["late child entered", "late child left"]);
  });
});

describe("task tree introspection", () => {
  it("links tasks and nurseries both ways", async () => {
    await runMock(function* () {
      const main = currentTask();
      expect(main.childNurseries).toEqual([]);
      yield* openNursery(function* (n) {
        expect(n.parentTask).toBe(main);
        expect(main.childNurseries).toEqual([n]);
        const child = n.startSoon(function* () {
          yield* openNursery(function* (inner) {
            const me = currentTask();
            expect(inner.parentTask).toBe(me);
            expect(me.childNurseries).toEqual([inner]);
            expect(me.parentNursery).toBe(n);
            yield* sleep(1);
          });
        });
        expect(child.parentNursery).toBe(n);
        expect([...n.childTasks]).toEqual([child]);
        yield* sleep(0.5);
        expect(child.childNurseries).toHaveLength(1);
        expect(child.done).toBe(false);
        yield* sleep(1);
        expect(child.done).toBe(true);
        expect(child.childNurseries).toEqual([]);
        expect(n.childTasks.size).toBe(0);
      });
      expect(main.childNurseries).toEqual([]);
    });
  });

  it("the main task has no parent nursery; its children do", async () => {
    await runMock(function* () {
      expect(currentTask().parentNursery).toBeNull();
      yield* openNursery(function* (n) {
        const t = n.startSoon(checkpoint);
        expect(t.parentNursery).toBe(n);
      });
    });
  });

  it("lists nested nurseries of one task innermost last", async () => {
    await runMock(function* () {
      const main = currentTask();
      yield* openNursery(function* (a) {
        yield* openNursery(function* (b) {
          expect(main.childNurseries).toEqual([a, b]);
        });
        expect(main.childNurseries).toEqual([a]);
      });
    });
  });

  it("names tasks after their function, or as given to startSoonNamed", async () => {
    const names: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        function* worker(): Operation<void> {
          names.push(currentTask().name);
        }
        const a = n.startSoon(worker);
        const b = n.startSoonNamed("custom", worker);
        const c = n.startSoon(
          (function () {
            return function* () {
              names.push(currentTask().name);
            };
          })(),
        );
        expect(a.name).toBe("worker");
        expect(b.name).toBe("custom");
        expect(c.name).toBe("anonymous");
      });
    });
    expect(names).toEqual(["worker", "custom", "anonymous"]);
  });

  it("startSoonNamed rejects a non-string name", async () => {
    const err = await rejection(
      runMock(function* () {
        yield* openNursery(function* (n) {
          n.startSoonNamed(42 as unknown as string, checkpoint);
        });
      }),
    );
    expect((err as ExceptionGroup).exceptions[0]).toBeInstanceOf(TypeError);
    expect(((err as ExceptionGroup).exceptions[0] as Error).message).toMatch(/string name/);
  });

  it("tracks task status through its life", async () => {
    await runMock(function* () {
      const ev = new TestEvent();
      yield* openNursery(function* (n) {
        const t: Task = n.startSoon(function* () {
          yield* ev.wait();
          return 7;
        });
        expect(t.status).toBe("runnable");
        yield* waitAllTasksBlocked();
        expect(t.status).toBe("blocked");
        ev.set();
        expect(t.status).toBe("runnable");
        yield* sleep(1);
        expect(t.status).toBe("done");
        expect(String(t)).toMatch(/done/);
      });
    });
  });

  it("exposes the task's cancel scope chain, innermost first", async () => {
    await runMock(function* () {
      const scope = new CancelScope();
      yield* scope.run(function* () {
        const chain = currentTask().cancelScopes;
        expect(chain[0]).toBe(scope);
        expect(chain.length).toBeGreaterThanOrEqual(2);
      });
    });
  });
});

/** Lets the other tasks run a few rounds without being interruptible by cancellation. */
function* cancelShieldedWait(): Operation<void> {
  yield* new CancelScope({ shield: true }).run(function* () {
    yield* checkpoint();
    yield* checkpoint();
  });
}

describe("nurseries across runs", () => {
  it("refuses startSoon on a nursery of another run, and both runs go on", async () => {
    const ev = new HostEvent();
    let foreign: Nursery | undefined;
    const other = run(function* () {
      yield* openNursery(function* (n) {
        foreign = n;
        yield* waitPromise(ev.promise);
      });
      return "other done";
    });
    const error = await run(function* () {
      while (foreign === undefined) yield* sleep(0.001);
      try {
        foreign.startSoon(function* () {});
      } catch (e) {
        return e;
      }
      return undefined;
    });
    ev.set();
    expect(error).toBeInstanceOf(RuntimeError);
    expect(String(error)).toMatch(/another run/);
    await expect(other).resolves.toBe("other done");
  });
});

class HostEvent {
  set!: () => void;
  readonly promise = new Promise<void>((resolve) => (this.set = resolve));
}
