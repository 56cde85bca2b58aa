/**
 * A task steps openNursery by hand inside a scope of its own (a
 * moveOnAfter, a nursery body), drops it, and leaves that scope: the
 * dropped nursery is closed there (CancelScope.leaveInner). What its
 * children raised before is raised from that scope's exit, as the nursery's
 * own exit would have raised it, and the nursery's Cancelled stops at its
 * scope; before, the run rejected with that bare Cancelled (its reason naming
 * the child's error) and the child's error was lost. Children still running
 * move to the task's nursery; their Cancelled (the dropped nursery's) no
 * longer cancels that nursery, its other children and the task itself.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, ExceptionGroup, TooSlowError, checkpoint, currentTask, failAfter, moveOnAfter, openNursery, sleep, type Nursery, type Operation } from "../../src/core/index.js";
import { leaves, runKeep } from "./helpers.js";

function messages(error: unknown): string[] {
  return leaves(error).map((e) => `${(e as Error).name}: ${(e as Error).message}`);
}

function* failingChildDropped(): Generator<never, void, unknown> {
  const g = openNursery(function* (n) {
    n.startSoon(function* () {
      throw new Error("child boom");
    });
  });
  g.next();
}

describe("a nursery dropped inside a scope that then exits", () => {
  it("the child's error comes out of the run in the nursery's group, with no Cancelled", async () => {
    const kept = await runKeep(function* () {
      yield* moveOnAfter(10, function* () {
        yield* failingChildDropped();
        // The child fails and cancels the dropped nursery's scope, the task's scope now.
        yield* sleep(1);
      });
    });
    expect(kept.ok).toBe(false);
    expect(kept.value).toBeInstanceOf(ExceptionGroup);
    expect((kept.value as ExceptionGroup).message).toBe("Errors from a nursery");
    expect(messages(kept.value)).toEqual(["Error: child boom"]);
  });

  it("the scope's exit raises it where the task can catch it, and the task goes on", async () => {
    const record: string[] = [];
    const kept = await runKeep(function* () {
      try {
        yield* moveOnAfter(10, function* () {
          yield* failingChildDropped();
          // Shielded, the body hears nothing of the child's failure and returns.
          yield* new CancelScope({ shield: true }).run(() => sleep(1));
          record.push("body returned");
        });
      } catch (error) {
        record.push(...messages(error));
        expect(error).toBeInstanceOf(ExceptionGroup);
      }
      yield* checkpoint();
      return "ok";
    });
    expect(record).toEqual(["body returned", "Error: child boom"]);
    expect(kept).toMatchObject({ ok: true, value: "ok" });
  });

  it("the outer deadline's Cancelled is absorbed by its scope, the child's error goes on", async () => {
    let scope: CancelScope | null = null;
    const kept = await runKeep(function* () {
      yield* moveOnAfter(0.5, function* (s) {
        scope = s;
        const g = openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(0.1);
            throw new Error("child boom");
          });
        });
        g.next();
        yield* new CancelScope({ shield: true }).run(() => sleep(1));
        yield* checkpoint();
      });
    });
    expect(scope!.cancelledCaught).toBe(true);
    expect(messages(kept.value)).toEqual(["Error: child boom"]);
    expect(leaves(kept.value).some((e) => e instanceof Cancelled)).toBe(false);
  });

  it("in a nursery body: the child's error joins the outer nursery's group", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* () {
        yield* failingChildDropped();
        yield* sleep(1);
      });
    });
    expect(kept.value).toBeInstanceOf(ExceptionGroup);
    expect(messages(kept.value)).toEqual(["Error: child boom"]);
  });

  it("a nursery body that returns: the dropped nursery's error comes out of the outer nursery's exit", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* () {
        yield* failingChildDropped();
        yield* new CancelScope({ shield: true }).run(() => sleep(1));
      });
      return "not reached";
    });
    expect(kept.ok).toBe(false);
    expect(messages(kept.value)).toEqual(["Error: child boom"]);
  });

  it("a moved child's Cancelled does not cancel the task's nursery: its siblings and the dropper go on", async () => {
    const record: string[] = [];
    const kept = await runKeep(function* () {
      yield* openNursery(function* (outer) {
        outer.startSoon(function* () {
          yield* sleep(1);
          record.push("sibling done");
        });
        outer.startSoon(function* () {
          yield* moveOnAfter(10, function* () {
            const g = openNursery(function* (n) {
              n.startSoon(function* () {
                try {
                  yield* sleep(10);
                } finally {
                  record.push("moved child unwound");
                }
              });
            });
            g.next();
          });
          yield* sleep(2);
          record.push("dropper done");
        });
      });
      return "ok";
    });
    expect(record).toEqual(["moved child unwound", "sibling done", "dropper done"]);
    expect(kept).toMatchObject({ ok: true, value: "ok" });
  });

  it("a moved child's real error still reaches the task's nursery", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* (outer) {
        outer.startSoon(function* () {
          yield* moveOnAfter(10, function* () {
            const g = openNursery(function* (n) {
              n.startSoon(function* () {
                try {
                  yield* sleep(10);
                } finally {
                  // eslint-disable-next-line no-unsafe-finally -- the error under test
                  throw new Error("moved child boom");
                }
              });
            });
            g.next();
          });
          yield* sleep(2);
        });
      });
    });
    expect(kept.ok).toBe(false);
    expect(messages(kept.value)).toEqual(["Error: moved child boom"]);
  });
});

describe("a dropped nursery closed by the exit of the scope around it", () => {
  it("is no longer listed in the task's childNurseries (what the inspector walks)", async () => {
    const seen: number[] = [];
    let dropped: Nursery | null = null;
    const kept = await runKeep(function* () {
      yield* moveOnAfter(10, function* () {
        openNursery(function* (n) {
          dropped = n;
          n.startSoon(() => sleep(1));
        }).next();
        seen.push(currentTask().childNurseries.length);
      });
      seen.push(currentTask().childNurseries.length);
      expect(currentTask().childNurseries).not.toContain(dropped);
      yield* sleep(2);
      return "ok";
    });
    expect(seen).toEqual([1, 0]);
    expect(kept).toMatchObject({ ok: true, value: "ok" });
  });

  it("two dropped inside each other go, the nursery open around the scope stays", async () => {
    let outer: Nursery | null = null;
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        outer = n;
        yield* moveOnAfter(10, function* () {
          openNursery(function* (first) {
            first.startSoon(() => sleep(1));
          }).next();
          openNursery(function* (inner) {
            inner.startSoon(() => sleep(1));
          }).next();
          expect(currentTask().childNurseries).toHaveLength(3);
        });
        expect(currentTask().childNurseries).toEqual([outer]);
      });
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
  });
});

describe("a nursery dropped inside a nursery whose own children fail too", () => {
  it("both errors come out of the outer nursery", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* (outer) {
        outer.startSoon(function* () {
          yield* sleep(2);
          throw new Error("outer child boom");
        });
        yield* failingChildDropped();
        // Shielded, the body hears nothing of either failure and returns; the outer nursery waits for its child.
        yield* new CancelScope({ shield: true }).run(() => sleep(1));
      });
    });
    expect(kept.ok).toBe(false);
    expect(messages(kept.value).sort()).toEqual(["Error: child boom", "Error: outer child boom"]);
  });
});

describe("a shielded scope dropped while an outer Cancelled goes out through it", () => {
  // The body catches the deadline's Cancelled, steps a shielded scope by
  // hand (dropping it) and raises the Cancelled again: the dropped scope,
  // cancelled only as it is left, is no scope that absorbs it.
  function* dropShieldAndRethrow(): Operation<void> {
    try {
      yield* sleep(5);
    } catch (error) {
      new CancelScope({ shield: true }).run(() => sleep(5)).next();
      throw error;
    }
  }

  it("failAfter still raises TooSlowError", async () => {
    const kept = await runKeep(() => failAfter(1, dropShieldAndRethrow));
    expect(kept.ok).toBe(false);
    expect(kept.value).toBeInstanceOf(TooSlowError);
  });

  it("an outer deadline's Cancelled goes on past an inner scope to the outer one", async () => {
    const record: string[] = [];
    const kept = await runKeep(function* () {
      const outer = yield* moveOnAfter(1, function* (scope) {
        yield* moveOnAfter(10, dropShieldAndRethrow);
        record.push("after the inner scope");
        return scope;
      });
      record.push(`outer: ${String(outer)}`);
      return "done";
    });
    expect(record).toEqual(["outer: undefined"]);
    expect(kept).toMatchObject({ ok: true, value: "done" });
  });
});

describe("a shielded scope dropped while an outer Cancelled ends the task", () => {
  // As above, but the task ends with the dropped shield still entered
  // (Runner.taskExited, not leaveInner): the shield, cancelled only as the
  // task's end leaves it, must not absorb the nursery's Cancelled and
  // report the task as ending normally inside it.
  it("the Cancelled reaches the nursery's scope, which absorbs it; no RuntimeError", async () => {
    const record: string[] = [];
    const kept = await runKeep(function* () {
      const result = yield* moveOnAfter(1, function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            try {
              yield* sleep(5);
            } catch (error) {
              record.push(`caught ${(error as Error).name}`);
              new CancelScope({ shield: true }).run(() => sleep(5)).next();
              throw error;
            }
          });
        });
        return "not cancelled";
      });
      record.push(`moved on: ${String(result)}`);
      return "done";
    });
    expect(record).toEqual(["caught Cancelled", "moved on: undefined"]);
    expect(kept).toMatchObject({ ok: true, value: "done" });
  });

  it("a task that ends normally inside the dropped shield still reports the RuntimeError", async () => {
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          new CancelScope({ shield: true }).run(() => sleep(5)).next();
        });
      });
    });
    expect(kept.ok).toBe(false);
    expect(messages(kept.value)).toEqual([expect.stringMatching(/^RuntimeError: Task .* ended inside a CancelScope.run or openNursery/)]);
  });
});
