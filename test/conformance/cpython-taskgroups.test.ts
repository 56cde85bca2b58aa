/**
 * TaskGroup rules taken from CPython's Lib/test/test_asyncio/test_taskgroups.py
 * (semantics only; the code and words are ours). Each test names the CPython
 * test it follows. Rules already covered by test/asyncio/taskgroup.test.ts
 * are not repeated here.
 */
import { describe, expect, it } from "vitest";
import { ExceptionGroup, RuntimeError } from "../../src/core/index.js";
import { CancelledError, Task, TaskGroup, type Future, createTask, currentTask, sleep, type Coroutine } from "../../src/asyncio/index.js";
import { raises, runAio as runPlain } from "../asyncio/helpers.js";
import type { EventLoop } from "../../src/asyncio/event-loop.js";

/** A Task or Future as a coroutine, for raises(). */
function* awaited<T>(f: Future<T>): Coroutine<T> {
  return yield* f;
}

class MyError extends Error {}

function* crashAfter(delay: number, error: () => Error): Coroutine<never> {
  yield* sleep(delay);
  throw error();
}

/** Sleeps long; raises MyError from its finally when cancelled. */
function* failOnCancel(): Coroutine<void> {
  try {
    yield* sleep(10);
  } finally {
    // eslint-disable-next-line no-unsafe-finally
    throw new MyError("from finally");
  }
}

function* value<T>(delay: number, v: T): Coroutine<T> {
  yield* sleep(delay);
  return v;
}

/** The constructors of a group's direct members. */
function kinds(err: unknown): Set<unknown> {
  expect(err).toBeInstanceOf(ExceptionGroup);
  return new Set((err as ExceptionGroup).exceptions.map((e) => (e as object).constructor));
}

/**
 * CPython runs test_taskgroups twice: with plain tasks and with
 * eager_task_factory. So do we: "eager" sets a task factory that starts
 * every task created on the loop eagerly (createTask's eagerStart).
 */
const modes = [
  ["plain tasks", false],
  ["eager tasks", true],
] as const;

describe.each(modes)("TaskGroup, after CPython's test_taskgroups (%s)", (_mode, eager) => {
  const runAio = <T>(main: (loop: EventLoop) => Coroutine<T>): Promise<T> =>
    runPlain(function* (loop) {
      if (eager) loop.setTaskFactory((l, coro, options) => new Task(coro, { ...options, loop: l, eagerStart: true }));
      return yield* main(loop);
    });

  // test_taskgroup_02
  it("a task added after the body has slept still belongs to the group and is awaited", async () => {
    const r = await runAio(function* () {
      let t1: Task<number> | undefined;
      let t2: Task<number> | undefined;
      yield* TaskGroup.run(function* (g) {
        t1 = g.createTask(value(0.1, 42));
        yield* sleep(0.15);
        t2 = g.createTask(value(0.2, 11));
      });
      return [t1!.result(), t2!.result()];
    });
    expect(r).toEqual([42, 11]);
  });

  // test_taskgroup_03
  it("a child cancelled from the body ends cancelled and the rest of the group goes on", async () => {
    const r = await runAio(function* () {
      let t1: Task<number> | undefined;
      let t2: Task<number> | undefined;
      yield* TaskGroup.run(function* (g) {
        t1 = g.createTask(value(1, 42));
        yield* sleep(0.15);
        t1.cancel();
        t2 = g.createTask(value(0.2, 11));
      });
      return [t1!.cancelled(), t2!.result()];
    });
    expect(r).toEqual([true, 11]);
  });

  // test_taskgroup_04 / test_cancel_children_on_child_error
  it("a failing child cancels its siblings and the body; the code after the block does not run", async () => {
    const log: string[] = [];
    const err = await runAio(function* () {
      const runner = createTask(
        TaskGroup.run(function* (g) {
          for (let i = 0; i < 3; i++) g.createTask(crashAfter(0.1, () => new MyError("zero")));
          g.createTask(
            (function* () {
              try {
                yield* sleep(5);
              } catch (e) {
                if (e instanceof CancelledError) log.push("sibling cancelled");
                throw e;
              }
            })(),
          );
          try {
            yield* sleep(10);
          } catch (e) {
            if (e instanceof CancelledError) log.push("body cancelled");
            throw e;
          }
        }),
      );
      const e = yield* raises(() => awaited(runner));
      log.push("after");
      return e;
    });
    expect(kinds(err)).toEqual(new Set([MyError]));
    expect(log).toEqual(["sibling cancelled", "body cancelled", "after"]);
  });

  // test_cancellation
  it("cancelling the parent with a message: every child is cancelled and the parent's CancelledError keeps the message", async () => {
    const r = await runAio(function* () {
      let n = 0;
      const runner = createTask(
        TaskGroup.run(function* (g) {
          for (let i = 0; i < 5; i++) {
            g.createTask(
              (function* () {
                try {
                  yield* sleep(5);
                } catch (e) {
                  n++;
                  throw e;
                }
              })(),
            );
          }
        }),
      );
      yield* sleep(0.1);
      expect(runner.done()).toBe(false);
      runner.cancel("test");
      const e = yield* raises(() => awaited(runner));
      return { e, n };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect((r.e as CancelledError).message).toBe("test");
    expect(r.n).toBe(5);
  });

  // test_taskgroup_07
  it("cancelling the parent while the body sleeps cancels the body and the five children", async () => {
    const n = await runAio(function* () {
      let count = 0;
      const counted = function* (delay: number, weight: number): Coroutine<void> {
        try {
          yield* sleep(delay);
        } catch (e) {
          count += weight;
          throw e;
        }
      };
      const runner = createTask(
        TaskGroup.run(function* (g) {
          for (let i = 0; i < 5; i++) g.createTask(counted(5, 1));
          yield* counted(10, 10);
        }),
      );
      yield* sleep(0.1);
      runner.cancel();
      expect(yield* raises(() => awaited(runner))).toBeInstanceOf(CancelledError);
      return count;
    });
    expect(n).toBe(15);
  });

  // test_taskgroup_08 (3.13's version)
  it("children that raise from their finally when the parent is cancelled: the group raises their errors, not CancelledError", async () => {
    const e = await runAio(function* () {
      const runner = createTask(
        TaskGroup.run(function* (g) {
          for (let i = 0; i < 5; i++) g.createTask(failOnCancel());
          yield* sleep(10);
        }),
      );
      yield* sleep(0.1);
      expect(runner.done()).toBe(false);
      runner.cancel();
      return yield* raises(() => awaited(runner));
    });
    expect(kinds(e)).toEqual(new Set([MyError]));
    expect((e as ExceptionGroup).exceptions).toHaveLength(5);
  });

  // test_taskgroup_09 and test_taskgroup_10
  it("an error in the body, before or after a wait, cancels the children and comes out in a group", async () => {
    for (const sleepFirst of [true, false]) {
      const r = await runAio(function* () {
        const tasks: Task<number>[] = [];
        const err = yield* raises(() =>
          TaskGroup.run(function* (g) {
            tasks.push(g.createTask(value(1, 42)), g.createTask(value(2, 11)));
            if (sleepFirst) yield* sleep(0.1);
            throw new MyError("body");
          }),
        );
        return { err, cancelled: tasks.map((t) => t.cancelled()) };
      });
      expect(kinds(r.err)).toEqual(new Set([MyError]));
      expect(r.cancelled).toEqual([true, true]);
    }
  });

  // test_taskgroup_11 and test_taskgroup_12 (3.13's versions)
  it("cancelling the parent of nested groups whose inner children raise from finally: a group holding the inner group", async () => {
    for (const outerChild of [false, true]) {
      const e = await runAio(function* () {
        const runner = createTask(
          TaskGroup.run(function* (g1) {
            if (outerChild) g1.createTask(sleep(10));
            yield* TaskGroup.run(function* (g2) {
              for (let i = 0; i < 5; i++) g2.createTask(failOnCancel());
              yield* sleep(10);
            });
          }),
        );
        yield* sleep(0.1);
        runner.cancel();
        return yield* raises(() => awaited(runner));
      });
      expect(kinds(e)).toEqual(new Set([ExceptionGroup]));
      expect(kinds((e as ExceptionGroup).exceptions[0])).toEqual(new Set([MyError]));
    }
  });

  // test_taskgroup_13
  it("an outer child failing first cancels the inner group: only the outer error is raised", async () => {
    const e = await runAio(function* () {
      return yield* raises(() =>
        TaskGroup.run(function* (g1) {
          g1.createTask(crashAfter(0.1, () => new MyError("outer")));
          yield* TaskGroup.run(function* (g2) {
            g2.createTask(crashAfter(10, () => new MyError("inner")));
          });
        }),
      );
    });
    expect(kinds(e)).toEqual(new Set([MyError]));
    expect((e as ExceptionGroup).exceptions.map((x) => (x as Error).message)).toEqual(["outer"]);
  });

  // test_taskgroup_14
  it("an inner child failing first: the outer group holds the inner group, which holds the error", async () => {
    const e = await runAio(function* () {
      return yield* raises(() =>
        TaskGroup.run(function* (g1) {
          g1.createTask(crashAfter(10, () => new MyError("outer")));
          yield* TaskGroup.run(function* (g2) {
            g2.createTask(crashAfter(0.1, () => new MyError("inner")));
          });
        }),
      );
    });
    expect(kinds(e)).toEqual(new Set([ExceptionGroup]));
    expect(kinds((e as ExceptionGroup).exceptions[0])).toEqual(new Set([MyError]));
  });

  // test_taskgroup_15 and test_taskgroup_16 (3.13's versions; 3.11 expected CancelledError)
  it("a child crashing while the cancelled body still cleans up: the crash wins, as an ExceptionGroup", async () => {
    for (const viaTask of [false, true]) {
      const e = await runAio(function* () {
        const nested = () =>
          TaskGroup.run(function* (g1) {
            g1.createTask(crashAfter(0.3, () => new MyError("soon")));
            try {
              yield* sleep(10);
            } catch (err) {
              if (err instanceof CancelledError) yield* sleep(0.5);
              throw err;
            }
          });
        const runner = createTask(
          viaTask
            ? (function* () {
                yield* createTask(nested());
              })()
            : nested(),
        );
        yield* sleep(0.1);
        runner.cancel();
        return yield* raises(() => awaited(runner));
      });
      expect(kinds(e)).toEqual(new Set([MyError]));
    }
  });

  // test_taskgroup_17
  it("a group without children: cancelling the parent cancels the body and propagates", async () => {
    const r = await runAio(function* () {
      let n = 0;
      const runner = createTask(
        TaskGroup.run(function* () {
          try {
            yield* sleep(10);
          } catch (e) {
            n += 10;
            throw e;
          }
        }),
      );
      yield* sleep(0.1);
      runner.cancel();
      return { e: yield* raises(() => awaited(runner)), n };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.n).toBe(10);
  });

  // test_taskgroup_18
  it("a body answering the parent's cancellation with another error: that error comes out in a group", async () => {
    const e = await runAio(function* () {
      const runner = createTask(
        TaskGroup.run(function* () {
          try {
            yield* sleep(10);
          } catch {
            throw new MyError("instead");
          }
        }),
      );
      yield* sleep(0.1);
      runner.cancel();
      return yield* raises(() => awaited(runner));
    });
    expect(kinds(e)).toEqual(new Set([MyError]));
  });

  // test_taskgroup_19
  it("a body whose finally raises while the group cancels it: both errors in the group", async () => {
    const e = await runAio(function* () {
      return yield* raises(() =>
        TaskGroup.run(function* (g) {
          g.createTask(crashAfter(0.1, () => new RangeError("child")));
          try {
            yield* sleep(10);
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw new MyError("finally");
          }
        }),
      );
    });
    expect(kinds(e)).toEqual(new Set([MyError, RangeError]));
  });

  // test_taskgroup_22
  it("cancelling the parent while it waits at the block's end (no body wait) raises CancelledError", async () => {
    const e = await runAio(function* () {
      const runner = createTask(
        TaskGroup.run(function* (g) {
          g.createTask(value(1, 42));
          g.createTask(value(2, 11));
        }),
      );
      yield* sleep(0.05);
      runner.cancel();
      return yield* raises(() => awaited(runner));
    });
    expect(e).toBeInstanceOf(CancelledError);
  });

  // test_taskgroup_23
  it("finished children leave the group: it holds only the live ones", async () => {
    await runAio(function* () {
      yield* TaskGroup.run(function* (g) {
        const tasks: Task<void>[] = [];
        for (let i = 0; i < 10; i++) {
          yield* sleep(0.1);
          tasks.push(g.createTask(sleep(0.3)));
          if (i === 5) expect(tasks.filter((t) => !t.done()).length).toBeLessThan(5);
        }
        yield* sleep(1.35);
        expect(tasks.every((t) => t.done())).toBe(true);
      });
    });
  });

  // test_taskgroup_24 and test_taskgroup_25
  it("children may add tasks to their own group, and the group waits for those too", async () => {
    const r = await runAio(function* () {
      const done: string[] = [];
      yield* TaskGroup.run(function* (g) {
        g.createTask(
          (function* () {
            yield* sleep(0.1);
            g.createTask(sleep(0.1));
            g.createTask(
              (function* () {
                yield* sleep(0.2);
                done.push("grandchild");
              })(),
            );
          })(),
        );
      });
      let hydras = 0;
      function* hydra(g: TaskGroup): Coroutine<void> {
        hydras++;
        yield* sleep(0.01);
        g.createTask(hydra(g));
        g.createTask(hydra(g));
      }
      const err = yield* raises(() =>
        TaskGroup.run(function* (g) {
          g.createTask(hydra(g));
          g.createTask(
            (function* () {
              while (hydras < 10) yield* sleep(0.015);
              throw new MyError("hercules");
            })(),
          );
        }),
      );
      return { done, err, hydras };
    });
    expect(r.done).toEqual(["grandchild"]);
    expect(kinds(r.err)).toEqual(new Set([MyError]));
    expect(r.hydras).toBeGreaterThanOrEqual(10);
  });

  // test_coro_closed_when_tg_closed
  it("a coroutine refused by a finished group is closed, so its body never runs and its finally does", async () => {
    const r = await runAio(function* () {
      const g = new TaskGroup();
      yield* g.run(function* () {});
      const log: string[] = [];
      const coro = (function* (): Coroutine<void> {
        try {
          log.push("body");
          yield* sleep(0);
        } finally {
          log.push("finally");
        }
      })();
      const e = (() => {
        try {
          g.createTask(coro);
        } catch (err) {
          return err;
        }
        return null;
      })();
      return { e, log, next: coro.next() };
    });
    expect(r.e).toBeInstanceOf(RuntimeError);
    expect(r.log).toEqual([]);
    expect(r.next.done).toBe(true);
  });

  // test_nested_groups_both_cancelled
  it("failures in an inner and an outer group at once: each raises its own, and the parent ends with cancelling() 0", async () => {
    const r = await runAio(function* () {
      const outer = yield* raises(() =>
        TaskGroup.run(function* (outerG) {
          const inner = yield* raises(() =>
            TaskGroup.run(function* (innerG) {
              innerG.createTask(crashAfter(0, () => new RangeError("inner")));
              outerG.createTask(crashAfter(0, () => new MyError("outer")));
            }),
          );
          expect(kinds(inner)).toEqual(new Set([RangeError]));
          // the outer group's own request is still pending on the parent
          expect(currentTask()!.cancelling()).toBe(1);
        }),
      );
      return { outer, cancelling: currentTask()!.cancelling() };
    });
    expect(kinds(r.outer)).toEqual(new Set([MyError]));
    expect(r.cancelling).toBe(0);
  });

  // test_taskgroup_no_create_task_after_failure
  it("once a child failed, a sibling being cancelled cannot add tasks: RuntimeError", async () => {
    const r = await runAio(function* () {
      let refused: unknown = null;
      const err = yield* raises(() =>
        TaskGroup.run(function* (g) {
          g.createTask(crashAfter(0.001, () => new MyError("first")));
          g.createTask(
            (function* () {
              try {
                yield* sleep(1);
              } catch (e) {
                try {
                  g.createTask(crashAfter(0.001, () => new MyError("late")));
                } catch (r2) {
                  refused = r2;
                }
                throw e;
              }
            })(),
          );
        }),
      );
      return { err, refused };
    });
    expect(kinds(r.err)).toEqual(new Set([MyError]));
    expect((r.err as ExceptionGroup).exceptions).toHaveLength(1);
    expect(r.refused).toBeInstanceOf(RuntimeError);
  });

  // test_taskgroup_context_manager_exit_raises
  it("a cleanup inside the body that raises while the group cancels it: both errors, and the parent is not left cancelled", async () => {
    const r = await runAio(function* () {
      return yield* createTask(
        (function* () {
          const err = yield* raises(() =>
            TaskGroup.run(function* (g) {
              try {
                g.createTask(
                  (function* (): Coroutine<never> {
                    throw new MyError("child");
                  })(),
                );
                yield* sleep(1);
              } finally {
                // eslint-disable-next-line no-unsafe-finally
                throw new MyError("cleanup");
              }
            }),
          );
          return { err, cancelling: currentTask()!.cancelling() };
        })(),
      );
    });
    expect(kinds(r.err)).toEqual(new Set([MyError]));
    expect((r.err as ExceptionGroup).exceptions).toHaveLength(2);
    expect(r.cancelling).toBe(0);
  });

  // test_name
  it("a child sees the name it was given through currentTask()", async () => {
    const name = await runAio(function* () {
      let seen = "";
      yield* TaskGroup.run(function* (g) {
        g.createTask(
          (function* () {
            seen = currentTask()!.getName();
            yield* sleep(0);
          })(),
          { name: "example name" },
        );
      });
      return seen;
    });
    expect(name).toBe("example name");
  });

  // test_cancels_task_if_created_during_creation
  it("a task that adds a failing task is cancelled at its next wait, and the failure is raised", async () => {
    const r = await runAio(function* () {
      let sawCancel = false;
      const err = yield* raises(() =>
        TaskGroup.run(function* (g) {
          g.createTask(
            (function* () {
              g.createTask(
                (function* (): Coroutine<never> {
                  throw new MyError("third");
                })(),
              );
              try {
                yield* sleep(0);
                yield* sleep(0);
              } catch (e) {
                if (e instanceof CancelledError) sawCancel = true;
              }
            })(),
          );
        }),
      );
      return { err, sawCancel };
    });
    expect(r.sawCancel).toBe(true);
    expect(kinds(r.err)).toEqual(new Set([MyError]));
  });

  // test_cancellation_does_not_leak_out_of_tg
  it("a group that failed at once leaves no cancellation behind: the next sleep(0) returns", async () => {
    const r = await runAio(function* () {
      const err = yield* raises(() =>
        TaskGroup.run(function* (g) {
          g.createTask(
            (function* (): Coroutine<never> {
              throw new MyError("at once");
            })(),
          );
        }),
      );
      yield* sleep(0);
      return { err, cancelling: currentTask()!.cancelling() };
    });
    expect(kinds(r.err)).toEqual(new Set([MyError]));
    expect(r.cancelling).toBe(0);
  });

  // test_error_and_cancel
  it("a child failure then an outside cancel: the group raises its errors and the outside cancel still ends the task", async () => {
    const r = await runAio(function* (loop) {
      const started = loop.createFuture<void>();
      const levels: number[] = [];
      let after = false;
      const inner = createTask(
        (function* () {
          const err = yield* raises(() =>
            TaskGroup.run(function* (g) {
              g.createTask(
                (function* (): Coroutine<never> {
                  started.setResult();
                  yield* sleep(0);
                  throw new MyError("child");
                })(),
              );
              yield* sleep(1);
            }),
          );
          expect(kinds(err)).toEqual(new Set([MyError]));
          levels.push(currentTask()!.cancelling());
          yield* sleep(1);
          after = true;
        })(),
      );
      yield* started;
      levels.push(inner.cancelling());
      inner.cancel();
      levels.push(inner.cancelling());
      const e = yield* raises(() => awaited(inner));
      return { e, levels, after, cancelled: inner.cancelled() };
    });
    expect(r.e).toBeInstanceOf(CancelledError);
    expect(r.levels).toEqual([0, 1, 1]);
    expect(r.after).toBe(false);
    expect(r.cancelled).toBe(true);
  });
});
