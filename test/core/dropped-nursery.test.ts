/**
 * A task that steps an openNursery block by hand and ends without waiting
 * for it (it drops the nursery). The nursery is cancelled and closed and the
 * task fails with a RuntimeError; what the nursery's children raise still
 * reaches someone: errors raised before the task ended go with the task's
 * own failure, and children still running move to the nursery the task
 * belonged to, which waits for them and hears their errors. Before, a
 * child's exit into the dropped nursery woke its ended (or otherwise busy)
 * task, and the run was abandoned with a TrioInternalError that blamed the
 * library, the child's error buried in its cause.
 */
import { describe, expect, it } from "vitest";
import { CancelScope, ExceptionGroup, RuntimeError, TrioInternalError, openNursery, run, sleep } from "../../src/core/index.js";
import { leaves, within } from "./helpers.js";

function messages(error: unknown): string[] {
  return leaves(error).map((e) => `${(e as Error).name}: ${(e as Error).message}`);
}

describe("a nursery its task dropped", () => {
  it("the main task drops it: a child that fails after main ended fails the run beside main's RuntimeError", async () => {
    const error = await within(
      run(function* () {
        const g = openNursery(function* (n) {
          n.startSoon(function* () {
            throw new Error("child boom");
          });
        });
        g.next();
      }).then(
        () => "resolved",
        (e: unknown) => e,
      ),
    );
    expect(error).not.toBeInstanceOf(TrioInternalError);
    expect(messages(error)).toEqual([expect.stringMatching(/^RuntimeError: Task main ended inside .* stepped by hand/), "Error: child boom"]);
  });

  it("a child task drops it: a grandchild's error raised while it unwinds reaches the outer nursery", async () => {
    const record: string[] = [];
    const error = await within(
      run(function* () {
        yield* openNursery(function* (outer) {
          outer.startSoonNamed("dropper", function* () {
            const g = openNursery(function* (n) {
              n.startSoon(function* () {
                try {
                  yield* sleep(1);
                } finally {
                  record.push("grandchild unwound");
                  // eslint-disable-next-line no-unsafe-finally -- the error under test
                  throw new Error("grandchild finally boom");
                }
              });
            });
            g.next();
          });
        });
      }).then(
        () => "resolved",
        (e: unknown) => e,
      ),
    );
    expect(record).toEqual(["grandchild unwound"]);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect(messages(error)).toEqual([expect.stringMatching(/^RuntimeError: Task dropper ended inside/), "Error: grandchild finally boom"]);
  });

  it("a child fails while the task that dropped the nursery waits for something else: that wait is cancelled, not woken, and both errors surface", async () => {
    const seen: string[] = [];
    const error = await within(
      run(function* () {
        const g = openNursery(function* (n) {
          n.startSoon(function* () {
            throw new Error("child boom");
          });
        });
        g.next();
        try {
          yield* sleep(0.05);
          seen.push("sleep returned");
        } catch (e) {
          seen.push(`sleep raised ${(e as Error).name}`);
          throw e;
        }
      }).then(
        () => "resolved",
        (e: unknown) => e,
      ),
    );
    expect(seen).toEqual(["sleep raised Cancelled"]);
    expect(error).not.toBeInstanceOf(TrioInternalError);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect((error as ExceptionGroup).message).toMatch(/task main left without waiting for it/);
    expect(messages(error)).toEqual([expect.stringMatching(/^RuntimeError: Task main ended inside/), "Error: child boom"]);
  });

  it("children only cancelled add nothing: the task fails with the RuntimeError alone", async () => {
    const error = await within(
      run(function* () {
        const g = openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(10);
          });
        });
        g.next();
      }).then(
        () => "resolved",
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(RuntimeError);
  });

  it("the run waits for a moved child to finish before it settles", async () => {
    const record: string[] = [];
    const settled = run(function* () {
      const g = openNursery(function* (n) {
        n.startSoon(function* () {
          yield* new CancelScope({ shield: true }).run(function* () {
            yield* sleep(0.02);
          });
          record.push("child done");
        });
      });
      g.next();
    }).then(
      () => "resolved",
      (e: unknown) => {
        record.push("run settled");
        return e;
      },
    );
    expect(await within(settled)).toBeInstanceOf(RuntimeError);
    expect(record).toEqual(["child done", "run settled"]);
  });

  it("a task that failed on its own inside the dropped nursery keeps its error, with the children's", async () => {
    const error = await within(
      run(function* () {
        const g = openNursery(function* (n) {
          n.startSoon(function* () {
            throw new Error("child boom");
          });
        });
        g.next();
        // The child fails here and cancels the nursery's scope, main's scope now; shielded, main goes on.
        yield* new CancelScope({ shield: true }).run(function* () {
          yield* sleep(0.01);
        });
        throw new Error("main's own error");
      }).then(
        () => "resolved",
        (e: unknown) => e,
      ),
    );
    expect(messages(error)).toEqual(["Error: main's own error", "Error: child boom"]);
  });
});
