import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  RuntimeError,
  checkpoint,
  currentCancelScope,
  currentSignal,
  currentTask,
  openNursery,
  sleep,
  sleepForever,
  type Operation,
} from "../../src/core/index.js";
import { withAbortSignal } from "../../src/bridge/promise.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { recordingSignal, refusingSignal, rejection, runMock, tick } from "./helpers.js";

function* countCancelledCheckpoints(n: number, into: { count: number }): Operation<void> {
  for (let i = 0; i < n; i++) {
    try {
      yield* checkpoint();
    } catch (e) {
      if (!(e instanceof Cancelled)) throw e;
      into.count++;
    }
  }
}

describe("cancel scopes: basics", () => {
  it("a scope cancelled before entry cancels the first checkpoint inside", async () => {
    const scope = new CancelScope();
    scope.cancel();
    const log: string[] = [];
    await runMock(function* () {
      const r = yield* scope.run(function* () {
        log.push("entered");
        yield* checkpoint();
        log.push("not reached");
        return 1;
      });
      expect(r).toBeUndefined();
    });
    expect(log).toEqual(["entered"]);
    expect(scope.cancelCalled).toBe(true);
    expect(scope.cancelledCaught).toBe(true);
  });

  it("a scope cancelled while the body runs interrupts the next checkpoint", async () => {
    const log: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        log.push("a");
        scope.cancel();
        log.push("b (cancel itself is not a checkpoint)");
        yield* checkpoint();
        log.push("not reached");
      });
    });
    expect(log).toEqual(["a", "b (cancel itself is not a checkpoint)"]);
  });

  it("a scope left without reaching a checkpoint does not set cancelledCaught", async () => {
    const scope = new CancelScope();
    await runMock(function* () {
      const r = yield* scope.run(function* (s) {
        s.cancel();
        return "finished";
      });
      expect(r).toBe("finished");
    });
    expect(scope.cancelCalled).toBe(true);
    expect(scope.cancelledCaught).toBe(false);
  });

  it("is level-triggered: every checkpoint raises until the scope is left", async () => {
    const counter = { count: 0 };
    const after: string[] = [];
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        yield* countCancelledCheckpoints(5, counter);
        try {
          yield* sleep(10);
        } catch (e) {
          after.push(e instanceof Cancelled ? "sleep cancelled" : "other");
        }
      });
      yield* checkpoint();
      after.push("outside fine");
    });
    expect(counter.count).toBe(5);
    expect(after).toEqual(["sleep cancelled", "outside fine"]);
  });

  it("cancel is idempotent and keeps the first reason", async () => {
    const scope = new CancelScope();
    scope.cancel("first");
    scope.cancel("second");
    expect(scope.cancelReason).toBe("first");
    let reason: string | undefined;
    await runMock(function* () {
      yield* scope.run(function* () {
        try {
          yield* checkpoint();
        } catch (e) {
          reason = (e as Cancelled).reason;
          throw e;
        }
      });
    });
    expect(reason).toBe("first");
  });

  it("cancel(reason) is visible in Cancelled.reason and message", async () => {
    let error: Cancelled | null = null;
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        scope.cancel("user pressed stop");
        try {
          yield* sleep(1);
        } catch (e) {
          error = e as Cancelled;
          throw e;
        }
      });
    });
    expect(error).toBeInstanceOf(Cancelled);
    expect(error).toBeInstanceOf(Error);
    expect(error!.reason).toBe("user pressed stop");
    expect(error!.message).toContain("user pressed stop");
    expect(error!.name).toBe("Cancelled");
  });

  it("Cancelled propagates to the outermost cancelled scope", async () => {
    const outer = new CancelScope();
    const inner = new CancelScope();
    const log: string[] = [];
    await runMock(function* () {
      yield* outer.run(function* () {
        yield* inner.run(function* () {
          inner.cancel("inner");
          outer.cancel("outer");
          yield* checkpoint();
        });
        log.push("not reached: the inner scope must not absorb");
      });
      log.push("after outer");
    });
    expect(log).toEqual(["after outer"]);
    expect(inner.cancelledCaught).toBe(false);
    expect(outer.cancelledCaught).toBe(true);
  });

  it("the Cancelled reason is the outermost cancelled scope's", async () => {
    const outer = new CancelScope();
    let reason: string | undefined;
    await runMock(function* () {
      yield* outer.run(function* () {
        yield* new CancelScope().run(function* (inner) {
          inner.cancel("inner");
          outer.cancel("outer");
          try {
            yield* checkpoint();
          } catch (e) {
            reason = (e as Cancelled).reason;
            throw e;
          }
        });
      });
    });
    expect(reason).toBe("outer");
  });

  it("an uncancelled inner scope lets the Cancelled through", async () => {
    const outer = new CancelScope();
    const inner = new CancelScope();
    await runMock(function* () {
      yield* outer.run(function* () {
        yield* inner.run(function* () {
          outer.cancel();
          yield* checkpoint();
        });
      });
    });
    expect(inner.cancelledCaught).toBe(false);
    expect(outer.cancelledCaught).toBe(true);
  });

  it("does not absorb other errors", async () => {
    const scope = new CancelScope();
    const err = await rejection(
      runMock(function* () {
        yield* scope.run(function* (s) {
          s.cancel();
          throw new Error("real");
        });
      }),
    );
    expect((err as Error).message).toBe("real");
    expect(scope.cancelledCaught).toBe(false);
  });

  it("a scope can only be entered once", async () => {
    const scope = new CancelScope();
    const err = await rejection(
      runMock(function* () {
        yield* scope.run(checkpoint);
        yield* scope.run(checkpoint);
      }),
    );
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/entered once/);
  });

  it("reports active only while entered", async () => {
    const scope = new CancelScope();
    expect(scope.active).toBe(false);
    await runMock(function* () {
      yield* scope.run(function* (s) {
        expect(s.active).toBe(true);
        expect(currentCancelScope()).toBe(s);
      });
    });
    expect(scope.active).toBe(false);
  });

  it("cancelling a scope after it exited does nothing to the code after it", async () => {
    const scope = new CancelScope();
    await runMock(function* () {
      yield* scope.run(checkpoint);
      scope.cancel();
      yield* checkpoint();
    });
    expect(scope.cancelledCaught).toBe(false);
  });

  it("cancelling from a plain setTimeout callback outside the run wakes a blocked task", async () => {
    const scope = new CancelScope();
    setTimeout(() => scope.cancel("from a timer"), 5);
    await runMock(function* () {
      yield* scope.run(sleepForever);
    });
    expect(scope.cancelledCaught).toBe(true);
    expect(scope.cancelReason).toBe("from a timer");
  });

  it("cancelling from a queueMicrotask callback wakes a blocked task", async () => {
    const scope = new CancelScope();
    const p = runMock(function* () {
      yield* scope.run(sleepForever);
      return "done";
    });
    await tick();
    queueMicrotask(() => scope.cancel());
    await expect(p).resolves.toBe("done");
  });

  it("rejects a non-string reason", () => {
    expect(() => new CancelScope().cancel(42 as unknown as string)).toThrow(TypeError);
  });

  it("toString says whether the scope is cancelled or shielded", () => {
    const s = new CancelScope({ shield: true });
    s.cancel();
    expect(String(s)).toMatch(/cancelled/);
    expect(String(s)).toMatch(/shielded/);
  });
});

describe("cancel scopes: shields", () => {
  it("a shield set before entry protects against outer cancellation", async () => {
    const outer = new CancelScope();
    const log: string[] = [];
    await runMock(function* () {
      yield* outer.run(function* () {
        outer.cancel();
        yield* new CancelScope({ shield: true }).run(function* () {
          yield* sleep(1);
          yield* checkpoint();
          log.push("shielded work done");
        });
        yield* checkpoint();
        log.push("not reached");
      });
    });
    expect(log).toEqual(["shielded work done"]);
  });

  it("a shield set during the body protects from then on", async () => {
    const outer = new CancelScope();
    const log: string[] = [];
    await runMock(function* () {
      yield* outer.run(function* () {
        yield* new CancelScope().run(function* (inner) {
          inner.shield = true;
          outer.cancel();
          yield* sleep(1);
          log.push("slept while outer cancelled");
        });
        yield* checkpoint();
        log.push("not reached");
      });
    });
    expect(log).toEqual(["slept while outer cancelled"]);
    expect(outer.cancelledCaught).toBe(true);
  });

  it("toggling the shield off re-exposes the outer cancellation, waking a blocked task", async () => {
    const outer = new CancelScope();
    let inner: CancelScope | null = null;
    const log: string[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* outer.run(function* () {
            yield* new CancelScope({ shield: true }).run(function* (s) {
              inner = s;
              try {
                yield* sleepForever();
              } catch (e) {
                log.push(e instanceof Cancelled ? "cancelled" : "other");
                throw e;
              }
            });
          });
        });
        yield* waitAllTasksBlocked();
        outer.cancel();
        yield* waitAllTasksBlocked();
        log.push("still shielded");
        inner!.shield = false;
      });
    });
    expect(log).toEqual(["still shielded", "cancelled"]);
    expect(outer.cancelledCaught).toBe(true);
  });

  it("a shielded scope still sees its own cancellation", async () => {
    const s = new CancelScope({ shield: true });
    await runMock(function* () {
      yield* s.run(function* (scope) {
        scope.cancel();
        yield* checkpoint();
      });
    });
    expect(s.cancelledCaught).toBe(true);
  });

  it("cleanup in finally can wait under a shielded scope while the task is cancelled", async () => {
    const log: string[] = [];
    const scope = new CancelScope();
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            try {
              yield* sleepForever();
            } finally {
              yield* new CancelScope({ shield: true }).run(function* () {
                yield* sleep(2);
                log.push("cleanup finished");
              });
            }
          });
        });
        yield* sleep(1);
        scope.cancel();
      });
    });
    expect(log).toEqual(["cleanup finished"]);
    expect(scope.cancelledCaught).toBe(true);
  });

  it("rejects a non-boolean shield", () => {
    expect(() => {
      new CancelScope().shield = 1 as unknown as boolean;
    }).toThrow(TypeError);
  });

  it("a shield protects child tasks of nurseries opened inside it", async () => {
    const outer = new CancelScope();
    const log: string[] = [];
    await runMock(function* () {
      yield* outer.run(function* () {
        yield* new CancelScope({ shield: true }).run(function* () {
          yield* openNursery(function* (n) {
            n.startSoon(function* () {
              yield* sleep(2);
              log.push("child done");
            });
            outer.cancel();
          });
        });
      });
    });
    expect(log).toEqual(["child done"]);
  });
});

describe("cancel scopes: signals", () => {
  it("currentSignal() aborts when the scope is cancelled", async () => {
    let signal: AbortSignal | null = null;
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        signal = currentSignal();
        expect(signal.aborted).toBe(false);
        scope.cancel("why");
        expect(signal.aborted).toBe(true);
        expect(signal.reason).toBeInstanceOf(Cancelled);
        expect((signal.reason as Cancelled).reason).toBe("why");
      });
    });
    expect(signal!.aborted).toBe(true);
  });

  it("a signal requested in an already cancelled scope is aborted at once", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        expect(currentSignal().aborted).toBe(true);
      });
    });
  });

  it("an inner scope's signal aborts when an outer scope is cancelled", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (outer) {
        yield* new CancelScope().run(function* () {
          const signal = currentSignal();
          outer.cancel();
          expect(signal.aborted).toBe(true);
        });
      });
    });
  });

  it("does not abort through a shield", async () => {
    await runMock(function* () {
      yield* new CancelScope().run(function* (outer) {
        yield* new CancelScope({ shield: true }).run(function* () {
          const signal = currentSignal();
          outer.cancel();
          expect(signal.aborted).toBe(false);
        });
      });
    });
  });

  it("a signal taken before entry aborts when the scope is entered already cancelled", async () => {
    const scope = new CancelScope();
    const early = scope.signal;
    scope.cancel("before entry");
    expect(early.aborted).toBe(false); // no code is inside yet
    await runMock(function* () {
      yield* scope.run(function* () {
        expect(early.aborted).toBe(true);
        expect(currentSignal()).toBe(early);
        expect(currentSignal().aborted).toBe(true);
      });
    });
  });

  it("a signal taken before entry aborts when the scope is entered inside a cancelled parent", async () => {
    const inner = new CancelScope();
    const early = inner.signal;
    await runMock(function* () {
      yield* new CancelScope().run(function* (outer) {
        outer.cancel();
        yield* inner.run(function* () {
          expect(early.aborted).toBe(true);
        });
      });
    });
  });

  it("the signal of a scope fires its abort listeners once", async () => {
    let calls = 0;
    await runMock(function* () {
      yield* new CancelScope().run(function* (scope) {
        scope.signal.addEventListener("abort", () => calls++);
        scope.cancel();
        scope.cancel();
      });
    });
    expect(calls).toBe(1);
  });
});

describe("cancel scopes: cancelOn", () => {
  it("cancels the scope when the signal aborts, waking a blocked task", async () => {
    const controller = new AbortController();
    const scope = new CancelScope();
    setTimeout(() => controller.abort(new Error("unmounted")), 2);
    await runMock(function* () {
      scope.cancelOn(controller.signal);
      yield* scope.run(sleepForever);
    });
    expect(scope.cancelledCaught).toBe(true);
    expect(scope.cancelReason).toBe("signal aborted: unmounted");
  });

  it("an already-aborted signal cancels at once", async () => {
    const controller = new AbortController();
    controller.abort("gone");
    const scope = new CancelScope();
    scope.cancelOn(controller.signal);
    expect(scope.cancelCalled).toBe(true);
    expect(scope.cancelReason).toBe("signal aborted: gone");
    await runMock(function* () {
      yield* scope.run(sleepForever);
    });
    expect(scope.cancelledCaught).toBe(true);
  });

  it("removes its listener when the scope exits", async () => {
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const controller = new AbortController();
    const real = controller.signal;
    const spy = {
      get aborted() {
        return real.aborted;
      },
      get reason(): unknown {
        return real.reason;
      },
      addEventListener(type: string, fn: () => void, opts?: unknown) {
        added.push(fn);
        real.addEventListener(type, fn, opts as AddEventListenerOptions);
      },
      removeEventListener(type: string, fn: () => void) {
        removed.push(fn);
        real.removeEventListener(type, fn);
      },
    } as unknown as AbortSignal;
    const scope = new CancelScope();
    await runMock(function* () {
      yield* scope.run(function* (s) {
        s.cancelOn(spy);
        yield* sleep(1);
      });
    });
    expect(added).toHaveLength(1);
    expect(removed).toEqual(added);
    controller.abort();
    expect(scope.cancelCalled).toBe(false);
  });

  it("a signal given before entry that throws when listened to leaves the task outside the scope, with no listener left", async () => {
    const { removed, signal: good } = recordingSignal();
    const hostile = refusingSignal("addEventListener", "refused");
    const scope = new CancelScope();
    scope.cancelOn(good);
    scope.cancelOn(hostile);
    const result = await runMock(function* () {
      let caught: unknown;
      try {
        yield* scope.run(sleepForever);
      } catch (error) {
        caught = error;
      }
      const inside = currentCancelScope() === scope;
      // Cancelling the failed scope afterwards must not reach the task.
      scope.cancel();
      yield* checkpoint();
      return { caught: String(caught), inside, active: scope.active };
    });
    expect(result).toEqual({ caught: "Error: refused", inside: false, active: false });
    expect(removed).toHaveLength(1);
  });

  it("a signal whose removeEventListener throws at exit: the other signals still let go, and the refusal is raised unless the body's error is on its way", async () => {
    function signals() {
      return { ...recordingSignal(), refusing: refusingSignal("removeEventListener", "will not let go") };
    }
    const quiet = signals();
    const bodyFails = signals();
    const result = await runMock(function* () {
      const outcomes: string[] = [];
      for (const [s, fail] of [
        [quiet, false],
        [bodyFails, true],
      ] as const) {
        try {
          yield* new CancelScope().run(function* (scope) {
            scope.cancelOn(s.refusing);
            scope.cancelOn(s.signal);
            yield* checkpoint();
            if (fail) throw new Error("body failed");
          });
          outcomes.push("returned");
        } catch (error) {
          outcomes.push(String(error));
        }
      }
      return outcomes;
    });
    expect(result).toEqual(["Error: will not let go", "Error: body failed"]);
    expect(quiet.removed).toHaveLength(1);
    expect(bodyFails.removed).toHaveLength(1);
  });

  it("a signal whose reason getter throws still cancels the scope when it aborts", async () => {
    const target = new EventTarget();
    let aborted = false;
    const signal = {
      get aborted() {
        return aborted;
      },
      get reason(): unknown {
        throw new Error("no reason for you");
      },
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
    } as unknown as AbortSignal;
    const scope = new CancelScope();
    setTimeout(() => {
      aborted = true;
      target.dispatchEvent(new Event("abort"));
    }, 2);
    await runMock(function* () {
      scope.cancelOn(signal);
      yield* scope.run(sleepForever);
    });
    expect(scope.cancelledCaught).toBe(true);
    expect(scope.cancelReason).toBe("signal aborted");
  });

  it("rejects something that is not a signal", () => {
    expect(() => new CancelScope().cancelOn({} as AbortSignal)).toThrow(/AbortSignal/);
  });

  it("withAbortSignal runs the body until the signal aborts", async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const result = await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(3);
          controller.abort();
        });
        const r = yield* withAbortSignal(controller.signal, function* () {
          yield* sleep(1);
          log.push("1");
          yield* sleep(10);
          log.push("not reached");
        });
        log.push(`returned ${String(r)}`);
      });
      return "ok";
    });
    expect(result).toBe("ok");
    expect(log).toEqual(["1", "returned undefined"]);
  });

  it("withAbortSignal returns the body's value when not aborted", async () => {
    const controller = new AbortController();
    const result = await runMock(function* () {
      return yield* withAbortSignal(controller.signal, function* () {
        yield* sleep(1);
        return 5;
      });
    });
    expect(result).toBe(5);
  });
});

describe("cancel scopes: inside tasks", () => {
  it("a task's scope chain starts at its nursery's scope", async () => {
    await runMock(function* () {
      yield* openNursery(function* (n) {
        const t = n.startSoon(function* () {
          expect(currentCancelScope()).toBe(n.cancelScope);
          expect(currentTask().cancelScopes[0]).toBe(n.cancelScope);
        });
        yield* checkpoint();
        expect(t.done).toBe(true);
      });
    });
  });

  it("cancelling an outer scope cancels tasks in nurseries nested inside it", async () => {
    const outer = new CancelScope();
    const ended: string[] = [];
    await runMock(function* () {
      yield* outer.run(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* openNursery(function* (m) {
              m.startSoon(function* () {
                try {
                  yield* sleepForever();
                } finally {
                  ended.push("grandchild");
                }
              });
            });
          });
          yield* sleep(1);
          outer.cancel();
        });
      });
    });
    expect(ended).toEqual(["grandchild"]);
    expect(outer.cancelledCaught).toBe(true);
  });
});
