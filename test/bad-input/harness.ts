/**
 * The harness of the bad-input table: where a case runs (outside any run,
 * in a Trio task, in an asyncio Task), how its error is captured, and the
 * check that the runtime is still usable afterwards.
 *
 * Why it is built so: each row of the table is plain data plus one small
 * function, so that adding a public name means adding a row, and the
 * coverage test (every export of src/index.ts is in the table or in the
 * skip list with a reason) can read the table.
 */
import { expect } from "vitest";
import {
  ExceptionGroup,
  aioAsTrio,
  asyncio,
  currentRun,
  inspector,
  openLoop,
  openNursery,
  runWith,
  sleep,
  waitPromise,
  type Operation,
  type Runner,
} from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";

/** Where a case's action runs. */
export type Where = "outside" | "trio" | "aio";

/** An error class the case expects. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** One bad input. */
export interface Case {
  /** The export(s) this case exercises, as paths: "sleep", "asyncio.sleep", "inspector.cancel". */
  readonly covers: readonly string[];
  /** The mistake, in words. */
  readonly label: string;
  readonly where: Where;
  /**
   * The action. Outside a run it is called directly; a returned Promise is
   * awaited and a returned generator is stepped once (an operation used
   * outside a run). In a task, a returned generator is run with `yield*`.
   */
  readonly act: () => unknown;
  readonly error: ErrorClass;
  /** Must name the mistake and the fix. */
  readonly message: RegExp;
}

function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
  return value !== null && typeof value === "object" && typeof (value as { next?: unknown }).next === "function" && typeof (value as { throw?: unknown }).throw === "function";
}

/** The one error inside nested single-member groups (an openLoop block wraps its errors). */
export function unwrap(error: unknown): unknown {
  while (error instanceof ExceptionGroup && error.exceptions.length === 1) error = error.exceptions[0];
  return error;
}

/** Runs the case where it belongs and returns what it raised (or a marker if it raised nothing). */
export async function provoke(c: Case): Promise<unknown> {
  const NOTHING = new Error("the case raised nothing");
  if (c.where === "outside") {
    try {
      const r = c.act();
      if (r instanceof Promise) await r;
      else if (isGenerator(r)) r.next();
      return NOTHING;
    } catch (error) {
      return error;
    }
  }
  const clock = new MockClock({ autojumpThreshold: 0 });
  let runner: Runner | null = null;
  try {
    if (c.where === "trio") {
      await runWith({ clock }, function* () {
        runner = currentRun();
        const r = c.act();
        if (r instanceof Promise) yield* waitPromise(r);
        else if (isGenerator(r)) yield* r as Operation<unknown>;
      });
    } else {
      await runWith({ clock }, function* () {
        runner = currentRun();
        yield* openLoop(function* () {
          yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
            const r = c.act();
            if (r instanceof Promise) yield* asyncio.wrapPromise(r);
            else if (isGenerator(r)) yield* r as asyncio.Coroutine<unknown>;
          })();
        });
      });
    }
    return NOTHING;
  } catch (error) {
    return unwrap(error);
  } finally {
    if (runner !== null) expectNothingLeft(runner);
  }
}

/** The run left nothing behind. */
export function expectNothingLeft(runner: Runner): void {
  expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  expect(inspector.inspect().runs.filter((r) => r.id === runner.id)).toEqual([]);
}

/** A small program over the core, a nursery and an asyncio loop must still succeed. */
export async function expectUsable(): Promise<void> {
  const value = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
    let sum = 0;
    yield* openNursery(function* (n) {
      for (let i = 1; i <= 3; i++) {
        n.startSoon(function* () {
          yield* sleep(i);
          sum += i;
        });
      }
    });
    return (
      sum +
      (yield* openLoop(function* () {
        return yield* aioAsTrio(function* (): asyncio.Coroutine<number> {
          yield* asyncio.sleep(1);
          return 10;
        })();
      }))
    );
  });
  expect(value).toBe(16);
}
