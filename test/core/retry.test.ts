/**
 * retry(): attempts, backoff, jitter, per-attempt deadlines, the predicate
 * and hook, and the rule that a cancellation is never retried.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Cancelled, ExceptionGroup, checkpoint, TooSlowError, CancelScope, currentTime, moveOnAfter, openNursery, retry, sleep, sleepForever, type Operation } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { runKeep, runMock } from "./helpers.js";

class Flaky extends Error {}

/** An attempt function that fails `failures` times, then returns "ok"; records when each attempt started. */
function flaky(failures: number) {
  const starts: number[] = [];
  const numbers: number[] = [];
  function* attempt(n: number): Operation<string> {
    starts.push(currentTime());
    numbers.push(n);
    yield* sleep(0);
    if (starts.length <= failures) throw new Flaky(`attempt ${n}`);
    return "ok";
  }
  return { attempt, starts, numbers };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("retry: attempts and backoff", () => {
  it("returns the first success without waiting", async () => {
    const f = flaky(0);
    expect(await runMock(() => retry(f.attempt))).toBe("ok");
    expect(f.starts).toEqual([0]);
  });

  it("waits delay, delay*factor, ... between attempts and passes each attempt its number", async () => {
    const f = flaky(3);
    const seen: [string, number, number][] = [];
    const result = await runMock(() =>
      retry(f.attempt, { attempts: 4, delay: 1, factor: 3, onRetry: (error, attempt, delay) => seen.push([(error as Error).message, attempt, delay]) }),
    );
    expect(result).toBe("ok");
    expect(f.numbers).toEqual([1, 2, 3, 4]);
    expect(f.starts).toEqual([0, 1, 4, 13]);
    expect(seen).toEqual([
      ["attempt 1", 1, 1],
      ["attempt 2", 2, 3],
      ["attempt 3", 3, 9],
    ]);
  });

  it("defaults to 3 attempts, 0.1 s doubling, and raises the last error itself", async () => {
    const f = flaky(Infinity);
    const { ok, value, runner } = await runKeep(() => retry(f.attempt));
    expect(ok).toBe(false);
    expect(value).toBeInstanceOf(Flaky);
    expect((value as Error).message).toBe("attempt 3");
    expect(f.starts.map((t) => +t.toFixed(9))).toEqual([0, 0.1, 0.3]);
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });

  it("caps each wait at maxDelay; factor 1 keeps it constant", async () => {
    const capped = flaky(4);
    await runMock(() => retry(capped.attempt, { attempts: 5, delay: 1, maxDelay: 2.5 }));
    expect(capped.starts).toEqual([0, 1, 3, 5.5, 8]);
    const constant = flaky(2);
    await runMock(() => retry(constant.attempt, { delay: 0.5, factor: 1 }));
    expect(constant.starts).toEqual([0, 0.5, 1]);
  });

  it("takes up to the jitter fraction off each wait at random", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const f = flaky(2);
    const delays: number[] = [];
    await runMock(() => retry(f.attempt, { delay: 2, jitter: 1, onRetry: (_e, _n, d) => delays.push(d) }));
    expect(delays).toEqual([1, 2]); // half of 2, half of 4
    expect(f.starts).toEqual([0, 1, 3]);
  });

  it("retries forever with attempts: Infinity until one succeeds", async () => {
    const f = flaky(20);
    expect(await runMock(() => retry(f.attempt, { attempts: Infinity, delay: 0, factor: 1 }))).toBe("ok");
    expect(f.numbers).toHaveLength(21);
  });
});

describe("retry: per-attempt deadlines", () => {
  it("cancels an attempt still running after attemptTimeout and counts it as failed with TooSlowError", async () => {
    const starts: number[] = [];
    const errors: unknown[] = [];
    const { ok, value, runner } = await runKeep(() =>
      retry(
        function* (n) {
          starts.push(currentTime());
          if (n < 3) yield* sleepForever();
          return n;
        },
        { attemptTimeout: 5, delay: 1, onRetry: (e) => errors.push(e) },
      ),
    );
    expect(ok).toBe(true);
    expect(value).toBe(3);
    expect(starts).toEqual([0, 6, 13]);
    expect(errors.every((e) => e instanceof TooSlowError)).toBe(true);
    expect(errors).toHaveLength(2);
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0 });
  });

  it("raises TooSlowError when every attempt runs out of time", async () => {
    const { value } = await runKeep(() => retry(() => sleepForever(), { attempts: 2, attemptTimeout: 1 }));
    expect(value).toBeInstanceOf(TooSlowError);
  });

  it("says which attempt ran out of time and that attemptTimeout was the limit", async () => {
    const errors: unknown[] = [];
    const { value } = await runKeep(() =>
      retry(() => sleepForever(), { attempts: 2, attemptTimeout: 0.5, delay: 0, onRetry: (e) => errors.push(e) }),
    );
    expect(String(errors[0])).toBe("TooSlowError: retry(): attempt 1 took longer than its attemptTimeout of 0.5 s, so it was cancelled and counts as failed.");
    expect(String(value)).toBe("TooSlowError: retry(): attempt 2 took longer than its attemptTimeout of 0.5 s, so it was cancelled and counts as failed.");
  });

  it("keeps an attempt's own TooSlowError (an inner deadline) as it is", async () => {
    const inner = new TooSlowError("inner deadline");
    const { value } = await runKeep(() =>
      retry(function* () { yield* checkpoint(); throw inner; }, { attempts: 1, attemptTimeout: 5 }),
    );
    expect(value).toBe(inner);
  });
});

describe("retry: which errors are retried", () => {
  it("raises at once when retryIf says no, without calling onRetry", async () => {
    const f = flaky(Infinity);
    const asked: number[] = [];
    const onRetry = vi.fn();
    const { value } = await runKeep(() =>
      retry(f.attempt, {
        attempts: 5,
        retryIf: (_e, n) => {
          asked.push(n);
          return n < 2;
        },
        onRetry,
      }),
    );
    expect((value as Error).message).toBe("attempt 2");
    expect(asked).toEqual([1, 2]);
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it("does not ask retryIf about the last attempt's error", async () => {
    const retryIf = vi.fn(() => true);
    await runKeep(() => retry(flaky(Infinity).attempt, { attempts: 2, retryIf }));
    expect(retryIf).toHaveBeenCalledTimes(1);
  });

  it("raises both errors in a group when retryIf throws", async () => {
    const bug = new Error("predicate bug");
    const { value } = await runKeep(() =>
      retry(flaky(Infinity).attempt, {
        retryIf: () => {
          throw bug;
        },
      }),
    );
    expect(value).toBeInstanceOf(ExceptionGroup);
    const group = value as ExceptionGroup;
    expect(group.message).toMatch(/retryIf or onRetry callback threw while handling the error of attempt 1/);
    expect(group.exceptions[0]).toBe(bug);
    expect(group.exceptions[1]).toBeInstanceOf(Flaky);
  });

  it("raises both errors in a group when onRetry throws", async () => {
    const { value } = await runKeep(() =>
      retry(flaky(Infinity).attempt, {
        onRetry: () => {
          throw new RangeError("log full");
        },
      }),
    );
    expect(value).toBeInstanceOf(ExceptionGroup);
    expect((value as ExceptionGroup).exceptions.map((e) => (e as Error).constructor.name)).toEqual(["RangeError", "Flaky"]);
  });

  it("raises a slip (the attempt function makes no generator) at once instead of retrying it", async () => {
    let calls = 0;
    const { value } = await runKeep(() =>
      retry((() => {
        calls++;
        return Promise.resolve(1);
      }) as never),
    );
    expect(value).toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
  });
});

describe("retry: cancellation is never retried", () => {
  it("a cancel during an attempt goes up untouched; the hooks never see it and nothing is left", async () => {
    const retryIf = vi.fn(() => true);
    const onRetry = vi.fn();
    let attempts = 0;
    const { ok, value, runner } = await runKeep(function* () {
      return yield* moveOnAfter(2.5, () =>
        retry(
          function* () {
            attempts++;
            yield* sleep(10);
          },
          { attempts: Infinity, retryIf, onRetry },
        ),
      );
    });
    expect(ok).toBe(true);
    expect(value).toBeUndefined();
    expect(attempts).toBe(1);
    expect(retryIf).not.toHaveBeenCalled();
    expect(onRetry).not.toHaveBeenCalled();
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });

  it("a cancel during the wait between attempts stops the retries", async () => {
    const f = flaky(Infinity);
    const { value } = await runKeep(function* () {
      return yield* moveOnAfter(1.5, () => retry(f.attempt, { attempts: 10, delay: 1 }));
    });
    expect(value).toBeUndefined();
    expect(f.starts).toEqual([0, 1]);
  });

  it("an attempt that turns its Cancelled into another error is not retried while the task is cancelled", async () => {
    const retryIf = vi.fn(() => true);
    let attempts = 0;
    const scope = new CancelScope();
    const { ok, value } = await runKeep(function* () {
      yield* openNursery(function* (nursery) {
        nursery.startSoon(function* () {
          yield* sleep(1);
          scope.cancel("the user left");
        });
        yield* scope.run(function* () {
          try {
            yield* retry(
              function* () {
                attempts++;
                try {
                  yield* sleepForever();
                } catch (error) {
                  if (error instanceof Cancelled) throw new Error("request aborted", { cause: error });
                  throw error;
                }
              },
              { attempts: 5, retryIf },
            );
          } catch (error) {
            expect((error as Error).message).toBe("request aborted");
            throw error;
          }
        });
      });
    });
    expect(ok).toBe(false);
    expect(value).toBeInstanceOf(Error);
    expect(attempts).toBe(1);
    expect(retryIf).not.toHaveBeenCalled();
  });

  it("a Cancelled an attempt raises is not retried even when the task itself is not cancelled", async () => {
    const retryIf = vi.fn(() => true);
    let attempts = 0;
    const { ok, value } = await runKeep(() =>
      retry(
        function* () {
          attempts++;
          // A Cancelled caught inside a scope of its own and raised after it.
          let caught: unknown;
          const inner = new CancelScope();
          inner.cancel();
          yield* inner.run(function* () {
            try {
              yield* checkpoint();
            } catch (error) {
              caught = error;
            }
          });
          throw caught;
        },
        { attempts: 5, retryIf },
      ),
    );
    expect(ok).toBe(false);
    expect(value).toBeInstanceOf(Cancelled);
    expect(attempts).toBe(1);
    expect(retryIf).not.toHaveBeenCalled();
  });

  it("attempts in a nursery are all cancelled with it and leave nothing behind", async () => {
    const { ok, runner } = await runKeep(function* () {
      yield* moveOnAfter(3, () =>
        openNursery(function* (nursery) {
          for (let i = 0; i < 3; i++) nursery.startSoon(() => retry(flaky(Infinity).attempt, { attempts: Infinity, delay: 0.7 }));
        }),
      );
    });
    expect(ok).toBe(true);
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });
});
