/**
 * An outside check of retry and staggeredRace under hostile values and
 * cancellation: a retryIf that answers with a Promise or a generator (an
 * async or function* predicate) is refused rather than read as "retry", and
 * an attempt array whose Proxy claims 2^30 items is not walked whole before
 * the race starts.
 */
import { describe, expect, it } from "vitest";
import { ExceptionGroup, moveOnAfter, retry, staggeredRace, type Operation } from "../../src/core/index.js";
import { leftovers } from "../../src/core/runner.js";
import { runKeep, runMock } from "./helpers.js";

class Flaky extends Error {}

describe("retry: a retryIf that does not answer at once", () => {
  it("an async retryIf (a Promise answer) is refused, with the attempt's error, after one attempt, and its Promise is not left unhandled", async () => {
    let attempts = 0;
    const flaky = new Flaky("down");
    let rejected: Promise<boolean> | undefined;
    const { ok, value, runner } = await runKeep(() =>
      retry(
        function* (): Operation<string> {
          attempts++;
          throw flaky;
        },
        {
          attempts: 3,
          retryIf: (() => (rejected = Promise.reject(new Error("predicate failed")))) as unknown as () => boolean,
        },
      ),
    );
    expect(ok).toBe(false);
    expect(attempts).toBe(1);
    expect(value).toBeInstanceOf(ExceptionGroup);
    const [refusal, original] = (value as ExceptionGroup).exceptions;
    expect(refusal).toBeInstanceOf(TypeError);
    expect((refusal as Error).message).toMatch(/^retry\(\): retryIf returned a Promise, not true or false: it is called synchronously \(an async predicate's answer would always read as "retry"\); decide without awaiting, e\.g\. \(error\) => error instanceof HttpError && error\.status >= 500\.$/);
    expect(original).toBe(flaky);
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
    // Marked handled: awaiting it here is the only rejection anyone sees.
    await expect(rejected).rejects.toThrow("predicate failed");
  });

  it("an async function that would answer false does not retry either", async () => {
    let attempts = 0;
    const { ok } = await runKeep(() =>
      retry(
        function* (): Operation<string> {
          attempts++;
          throw new Flaky("x");
        },
        { attempts: 5, delay: 1, retryIf: (async () => false) as unknown as () => boolean },
      ),
    );
    expect(ok).toBe(false);
    expect(attempts).toBe(1);
  });

  it("a function* retryIf (a generator answer) is refused too", async () => {
    const { value } = await runKeep(() =>
      retry(
        function* (): Operation<string> {
          throw new Flaky("x");
        },
        {
          retryIf: function* () {
            return false;
          } as unknown as () => boolean,
        },
      ),
    );
    expect(((value as ExceptionGroup).exceptions[0] as Error).message).toMatch(/^retry\(\): retryIf returned a generator object, not true or false/);
  });

  it("truthy and falsy plain answers keep their meaning", async () => {
    let attempts = 0;
    const op = function* (): Operation<string> {
      attempts++;
      if (attempts < 3) throw new Flaky("x");
      return "ok";
    };
    expect(await runMock(() => retry(op, { retryIf: (e) => (e as { message: string }).message as unknown as boolean }))).toBe("ok");
    attempts = 0;
    const { ok } = await runKeep(() => retry(op, { retryIf: () => undefined as unknown as boolean }));
    expect(ok).toBe(false);
    expect(attempts).toBe(1);
  });

  it("cancelled during its backoff sleep: the Cancelled goes to its scope, onRetry was called once, nothing is left", async () => {
    const seen: number[] = [];
    const { ok, value, runner } = await runKeep(() =>
      moveOnAfter(0.5, () =>
        retry(
          function* (): Operation<string> {
            throw new Flaky("x");
          },
          { attempts: 5, delay: 1, onRetry: (_e, n) => void seen.push(n) },
        ),
      ),
    );
    expect({ ok, value }).toEqual({ ok: true, value: undefined });
    expect(seen).toEqual([1]);
    expect(leftovers(runner)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });
});

describe("staggeredRace: an attempt array that claims 2^30 items", () => {
  it("is not walked whole before the race: its first items are checked, the rest read as they start", async () => {
    let reads = 0;
    const fn = function* (): Operation<string> {
      return "won";
    };
    const huge = new Proxy([fn], {
      get: (target, key) => {
        if (key === "length") return 2 ** 30;
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return typeof key === "string" && /^\d+$/.test(key) ? fn : Reflect.get(target, key);
      },
    });
    const started = Date.now();
    const r = await runMock(() => staggeredRace(huge, 1));
    expect(r).toEqual(["won", 0, [null]]);
    expect(reads).toBeLessThanOrEqual(1001 + 2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a bad item among the first 1000 is still refused before anything starts", async () => {
    let started = 0;
    const fn = function* (): Operation<string> {
      started++;
      return "won";
    };
    const items = [fn, fn, 42];
    const huge = new Proxy(items, { get: (target, key) => (key === "length" ? 2 ** 30 : Reflect.get(target, key)) });
    expect(() => staggeredRace(huge as never, 1)).toThrow(/attempt 2 is number 42, not a generator function/);
    expect(started).toBe(0);
  });

  it("a sparse array's hole among the first items is refused before anything starts (forEach skipped it)", () => {
    const fn = function* (): Operation<string> {
      return "won";
    };
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    expect(() => staggeredRace([fn, , fn] as never, 1)).toThrow(/attempt 1 is undefined, not a generator function/);
  });
});
