/**
 * `return()` on a CancelScope.run or openNursery generator stepped by hand
 * acts as a `finally`: the scope is exited there and then (its deadline off
 * the heap, the task back in its outer scope), not left entered until the
 * task ends.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, ExceptionGroup, checkpoint, currentRun, currentTask, openNursery, sleep, type Nursery } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { runKeep } from "./helpers.js";

const CLEAN = { tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 };

describe("return() on a hand-stepped CancelScope.run", () => {
  it("exits the scope at once: inactive, detached from the task, its deadline off the heap", async () => {
    const record: string[] = [];
    const kept = await runKeep(function* () {
      const outer = currentTask().scope;
      const scope = new CancelScope({ relativeDeadline: 5 });
      const g = scope.run(function* () {
        try {
          yield* checkpoint();
        } finally {
          record.push("body finally");
        }
      });
      g.next();
      expect(scope.active).toBe(true);
      expect(currentRun().deadlines.earliest()).toBe(5);
      expect(g.return("stopped" as unknown as undefined)).toEqual({ value: "stopped", done: true });
      record.push("returned");
      expect(scope.active).toBe(false);
      expect(currentTask().scope).toBe(outer);
      expect(currentRun().deadlines.earliest()).toBe(Infinity);
      // The task goes on in its own scope and ends normally.
      yield* checkpoint();
      return "ok";
    });
    expect(record).toEqual(["body finally", "returned"]);
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("exits nested scopes innermost first", async () => {
    const kept = await runKeep(function* () {
      const outerScope = new CancelScope({ relativeDeadline: 7 });
      const inner = new CancelScope({ relativeDeadline: 3 });
      const g = outerScope.run(function* () {
        yield* inner.run(function* () {
          yield* checkpoint();
        });
      });
      g.next();
      expect(inner.active).toBe(true);
      g.return(undefined);
      expect([outerScope.active, inner.active]).toEqual([false, false]);
      expect(currentRun().deadlines.earliest()).toBe(Infinity);
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("an error the body raises while returning goes out, and the scope is exited all the same", async () => {
    const boom = new RangeError("finally boom");
    const kept = await runKeep(function* () {
      const scope = new CancelScope({ relativeDeadline: 5 });
      const g = scope.run(function* () {
        try {
          yield* checkpoint();
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw boom;
        }
      });
      g.next();
      expect(() => g.return(undefined)).toThrow(boom);
      expect(scope.active).toBe(false);
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("return() or throw() before the first step enters nothing", async () => {
    const kept = await runKeep(function* () {
      const a = new CancelScope({ relativeDeadline: 5 });
      a.run(function* () {}).return(undefined);
      const b = new CancelScope({ relativeDeadline: 5 });
      const boom = new Error("not started");
      expect(() => b.run(function* () {}).throw(boom)).toThrow(boom);
      expect([a.active, b.active]).toEqual([false, false]);
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });
});

describe("return() on a hand-stepped openNursery", () => {
  it("with no children left: closes the nursery and exits its scope at once", async () => {
    const kept = await runKeep(function* () {
      const outer = currentTask().scope;
      let nursery: Nursery | null = null;
      const g = openNursery(function* (n) {
        nursery = n;
        yield* checkpoint();
      });
      g.next();
      expect(currentTask().childNurseries).toHaveLength(1);
      expect(g.return("stopped" as unknown as undefined)).toEqual({ value: "stopped", done: true });
      expect(nursery!.cancelScope.active).toBe(false);
      expect(currentTask().scope).toBe(outer);
      expect(currentTask().childNurseries).toHaveLength(0);
      expect(() => nursery!.startSoon(function* () {})).toThrow();
      yield* sleep(1);
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("an error the body raises while returning comes out in the nursery's ExceptionGroup, and the nursery is closed", async () => {
    const boom = new RangeError("finally boom");
    const kept = await runKeep(function* () {
      let nursery: Nursery | null = null;
      const g = openNursery(function* (n) {
        nursery = n;
        try {
          yield* checkpoint();
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw boom;
        }
      });
      g.next();
      let raised: unknown;
      try {
        g.return(undefined);
      } catch (error) {
        raised = error;
      }
      expect(raised).toBeInstanceOf(ExceptionGroup);
      expect((raised as ExceptionGroup).exceptions).toEqual([boom]);
      expect(nursery!.cancelScope.active).toBe(false);
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("with a child that already failed: raises the nursery's ExceptionGroup", async () => {
    const boom = new RangeError("child boom");
    const kept = await runKeep(function* () {
      const g = openNursery(function* (n) {
        n.startSoon(function* () {
          throw boom;
        });
        yield* checkpoint();
      });
      g.next();
      // Let the child run: its failure cancels the nursery's scope, which the task is still in.
      let slept: unknown;
      try {
        yield* sleep(1);
      } catch (error) {
        slept = error;
      }
      expect(slept).toBeInstanceOf(Cancelled);
      let raised: unknown;
      try {
        g.return(undefined);
      } catch (error) {
        raised = error;
      }
      expect(raised).toBeInstanceOf(ExceptionGroup);
      expect((raised as ExceptionGroup).exceptions).toEqual([boom]);
      return "ok";
    });
    expect(kept).toMatchObject({ ok: true, value: "ok" });
    expect(leftovers(kept.runner)).toEqual(CLEAN);
  });

  it("with children still running: it cannot wait for them, so the task's end cancels them and fails the task, as before", async () => {
    const record: string[] = [];
    const kept = await runKeep(function* dropper() {
      const g = openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* sleep(5);
          } finally {
            record.push("child unwound");
          }
        });
        yield* checkpoint();
      });
      g.next();
      g.return(undefined);
      record.push("returned");
    });
    expect(record).toEqual(["returned", "child unwound"]);
    expect(kept.ok).toBe(false);
    expect(String(kept.value)).toMatch(/stepped by hand/);
  });
});
