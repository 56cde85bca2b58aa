/**
 * A crashing system task fails the run with its real errors only. The run's
 * own cancellation (the root scope, cancelled when the main task ends or a
 * system task crashes) is absorbed there, as in Trio, where the system
 * nursery's scope catches it: no stray `Cancelled` in what `run` rejects
 * with, and no real error of the main task dropped either.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, openNursery, sleep, sleepForever, spawnSystemTask } from "../../src/core/index.js";
import { rejection, runMock } from "./helpers.js";

/** Every leaf of an error tree, groups opened. */
function leaves(error: unknown): unknown[] {
  return error instanceof ExceptionGroup ? error.exceptions.flatMap(leaves) : [error];
}

function messages(error: unknown): string[] {
  return leaves(error)
    .map((e) => (e instanceof Cancelled ? "Cancelled" : (e as Error).message))
    .sort();
}

describe("a crashing system task", () => {
  it("fails the run with its error itself, not wrapped, while the main task is cancelled", async () => {
    const err = await rejection(
      runMock(function* () {
        spawnSystemTask(function* () {
          yield* sleep(1);
          throw new Error("system boom");
        });
        yield* openNursery(function* (n) {
          n.startSoon(sleepForever);
          yield* sleepForever();
        });
      }),
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ExceptionGroup);
    expect((err as Error).message).toBe("system boom");
  });

  it("whose nursery raises a group with the run's Cancelled: the run rejects with the real errors only", async () => {
    const err = await rejection(
      runMock(function* () {
        spawnSystemTask(function* () {
          yield* openNursery(function* (n) {
            n.startSoon(sleepForever);
            n.startSoon(function* () {
              try {
                yield* sleepForever();
              } finally {
                // Cleanup fails while the run is shutting its system tasks down.
                // eslint-disable-next-line no-unsafe-finally -- the point of the test
                throw new Error("cleanup boom");
              }
            });
          });
        });
        yield* sleep(1);
      }),
    );
    expect(messages(err)).toEqual(["cleanup boom"]);
  });

  it("keeps what the main task raised besides the Cancelled the crash caused", async () => {
    const err = await rejection(
      runMock(function* () {
        spawnSystemTask(function* () {
          yield* sleep(1);
          throw new Error("system boom");
        });
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            try {
              yield* sleepForever();
            } finally {
              // eslint-disable-next-line no-unsafe-finally -- the point of the test
              throw new Error("main cleanup boom");
            }
          });
          yield* sleepForever();
        });
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect(messages(err)).toEqual(["main cleanup boom", "system boom"]);
  });

  it("two crashes are reported together", async () => {
    const err = await rejection(
      runMock(function* () {
        spawnSystemTask(function* () {
          yield* sleep(1);
          throw new Error("first");
        });
        spawnSystemTask(function* () {
          try {
            yield* sleepForever();
          } finally {
            // eslint-disable-next-line no-unsafe-finally -- the point of the test
            throw new Error("second");
          }
        });
        yield* sleepForever();
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect(messages(err)).toEqual(["first", "second"]);
  });

  it("a system task that ends with the run's Cancelled is no crash", async () => {
    const v = await runMock(function* () {
      spawnSystemTask(function* () {
        yield* openNursery(function* (n) {
          n.startSoon(sleepForever);
          yield* sleepForever();
        });
      });
      yield* sleep(1);
      return "main done";
    });
    expect(v).toBe("main done");
  });
});

describe("a thrown undefined is an error like any other", () => {
  it("a system task that throws undefined crashes the run", async () => {
    const outcome = await runMock(function* () {
      spawnSystemTask(function* () {
        yield* sleep(1);
        throw undefined;
      });
      yield* sleepForever();
    }).then(
      () => "resolved",
      (error: unknown) => ({ rejectedWith: error }),
    );
    expect(outcome).toEqual({ rejectedWith: undefined });
  });

  it("a main task that throws undefined while a system task crashes keeps its error beside the crash", async () => {
    const err = await rejection(
      runMock(function* () {
        spawnSystemTask(function* () {
          yield* sleep(1);
          throw new Error("system boom");
        });
        try {
          yield* sleepForever();
        } catch {
          throw undefined;
        }
      }),
    );
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).message).toBe("The main task and system tasks failed");
    expect(leaves(err)).toEqual([undefined, new Error("system boom")]);
  });
});
