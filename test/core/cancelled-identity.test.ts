import { describe, expect, it } from "vitest";
import {
  Abort,
  Cancelled,
  CancelScope,
  ExceptionGroup,
  checkpoint,
  openNursery,
  sleepForever,
  waitTaskRescheduled,
  type Operation,
} from "../../src/core/index.js";
import { sharedCancelled } from "../../src/core/errors.js";
import { rejection, runMock } from "./helpers.js";

function* record(into: unknown[]): Operation<void> {
  try {
    yield* sleepForever();
  } catch (e) {
    into.push(e);
    throw e;
  }
}

describe("one Cancelled per cancelled scope", () => {
  it("the tasks of a cancelled nursery share one Cancelled, and another scope makes its own", async () => {
    const a: unknown[] = [];
    const b: unknown[] = [];
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(record, a);
        n.startSoon(record, a);
        n.startSoon(function* () {
          yield* openNursery(function* (inner) {
            inner.startSoon(record, b);
            inner.startSoon(record, b);
            yield* sleepForever();
          });
        });
        yield* new CancelScope().run(function* (s) {
          s.cancel("first");
          yield* record(b);
        });
        n.cancelScope.cancel("second");
      });
    });
    // The body's own scope ("first") and the nursery's ("second").
    expect(b.length).toBe(3);
    expect(a).toHaveLength(2);
    expect(a[0]).toBe(a[1]);
    expect(a[0]).toBeInstanceOf(Cancelled);
    expect((a[0] as Cancelled).reason).toBe("second");
    const first = b.find((e) => (e as Cancelled).reason === "first");
    expect(first).toBeInstanceOf(Cancelled);
    expect(first).not.toBe(a[0]);
    // The inner nursery's children were reached by the outer cancellation: they get its Cancelled.
    expect(b.filter((e) => e === a[0])).toHaveLength(2);
  });

  it("raiseCancel gives the same object the task then receives", async () => {
    let made: unknown = null;
    let caught: unknown = null;
    await runMock(function* () {
      yield* new CancelScope().run(function* (s) {
        s.cancel("stop");
        try {
          yield* waitTaskRescheduled((raiseCancel) => {
            made = raiseCancel();
            return Abort.SUCCEEDED;
          });
        } catch (e) {
          caught = e;
          throw e;
        }
      });
    });
    expect(made).toBeInstanceOf(Cancelled);
    expect(caught).toBe(made);
  });

  it("a group listing the same Cancelled several times is filtered like any other", async () => {
    let group: unknown = null;
    const outer = new CancelScope();
    const error = await rejection(
      runMock(function* () {
        yield* outer.run(function* () {
          try {
            yield* openNursery(function* (n) {
              n.startSoon(record, []);
              n.startSoon(record, []);
              n.startSoon(function* () {
                try {
                  yield* sleepForever();
                } catch {
                  throw new Error("cleanup failed");
                }
              });
              n.startSoon(function* () {
                yield* checkpoint();
                outer.cancel("outer");
              });
              yield* sleepForever();
            });
          } catch (e) {
            group = e;
            throw e;
          }
        });
      }),
    );
    // Seen inside the outer scope: the real error and the outer scope's one Cancelled, listed per task.
    expect(group).toBeInstanceOf(ExceptionGroup);
    const cancelled = (group as ExceptionGroup).leaves().filter((e) => e instanceof Cancelled);
    expect(cancelled).toHaveLength(3);
    expect(new Set(cancelled).size).toBe(1);
    expect((cancelled[0] as Cancelled).reason).toBe("outer");
    // The outer scope strips every copy; what is left is the real error.
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).leaves().map((e) => (e as Error).message)).toEqual(["cleanup failed"]);
    expect(outer.cancelledCaught).toBe(true);
  });
});

describe("sharedCancelled", () => {
  it("is a real Error with the reason and no stack frames, and restores Error.stackTraceLimit", () => {
    const E = Error as { stackTraceLimit?: number };
    const before = E.stackTraceLimit;
    E.stackTraceLimit = 7;
    try {
      const c = sharedCancelled("why");
      expect(c).toBeInstanceOf(Cancelled);
      expect(c).toBeInstanceOf(Error);
      expect(c.reason).toBe("why");
      expect(String(c)).toBe("Cancelled: why");
      expect(String(c.stack ?? "")).not.toMatch(/\n\s+at /);
      expect(E.stackTraceLimit).toBe(7);
    } finally {
      E.stackTraceLimit = before;
    }
  });
});
