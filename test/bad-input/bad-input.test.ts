/**
 * Bad input, table-driven (see table.ts): every public function of
 * src/index.ts with wrong kinds of arguments, NaN / negative / infinite
 * durations, closed nurseries and loops, foreign values, and use outside its
 * run. Each must raise the expected class with a message that names the
 * mistake and the fix, and leave the runtime usable (a small program runs
 * fine afterwards).
 *
 * Also here: inputs at the edge that are *accepted* with a defined meaning
 * (infinite sleeps, negative asyncio delays), and re-entrancy (a run inside
 * a run, asyncio.run inside a loop).
 */
import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";
import {
  CancelScope,
  aioAsTrio,
  asyncio,
  asyncioRun,
  currentRun,
  currentTime,
  moveOnAfter,
  openLoop,
  run,
  runWith,
  sleep,
  sleepUntil,
  waitPromise,
  type Operation,
} from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { expectUsable, provoke, type Case } from "./harness.js";
import { cases, regressions, skipped } from "./table.js";
import { expectEveryExportCovered } from "./coverage.js";

function exportPaths(): string[] {
  const paths: string[] = [];
  for (const [name, value] of Object.entries(api)) {
    if (name === "asyncio" || name === "inspector") {
      for (const inner of Object.keys(value as object)) paths.push(`${name}.${inner}`);
    } else {
      paths.push(name);
    }
  }
  return paths.sort();
}

describe("coverage of the public API", () => {
  it("every export of src/index.ts is in the table, or skipped with a reason", () => {
    expectEveryExportCovered(exportPaths(), [...cases, ...regressions], skipped);
  });
});

async function check(c: Case): Promise<void> {
  const error = await provoke(c);
  expect(error, `${c.label}: ${String(error)}`).toBeInstanceOf(c.error);
  expect((error as Error).message).toMatch(c.message);
  await expectUsable();
}

describe("bad inputs give clear errors, and the runtime stays usable", () => {
  for (const c of [...cases, ...regressions]) {
    it(`${c.covers[0]}: ${c.label} (${c.where})`, async () => {
      await check(c);
    });
  }
});

describe("edge values that are accepted, with a defined meaning", () => {
  const clock = () => new MockClock({ autojumpThreshold: 0 });

  it("sleep(Infinity) sleeps until cancelled; moveOnAfter(Infinity) sets no deadline", async () => {
    const r = await runWith({ clock: clock() }, function* () {
      const a = yield* moveOnAfter(3, function* () {
        yield* sleep(Infinity);
        return "woke";
      });
      const b = yield* moveOnAfter(Infinity, function* (scope) {
        yield* sleep(1);
        return scope.deadline;
      });
      return [a, b, currentTime()];
    });
    expect(r).toEqual([undefined, Infinity, 4]);
    await expectUsable();
  });

  it("sleepUntil in the past (even -Infinity) returns at once; a scope deadline in the past cancels on entry", async () => {
    const r = await runWith({ clock: clock() }, function* () {
      yield* sleep(5);
      yield* sleepUntil(1);
      yield* sleepUntil(-Infinity);
      const scope = new CancelScope({ deadline: -Infinity });
      yield* scope.run(function* () {
        yield* sleep(1);
      });
      return [currentTime(), scope.cancelledCaught];
    });
    expect(r).toEqual([5, true]);
  });

  it("asyncio: sleep(-1) and callLater(-1) run at once; timeout(-1) expires at once; a timer at Infinity never runs", async () => {
    const r = await runWith({ clock: clock() }, function* () {
      return yield* openLoop(function* (loop) {
        const order: string[] = [];
        loop.callLater(Infinity, () => order.push("never"));
        loop.callLater(-1, () => order.push("callLater(-1)"));
        yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
          yield* asyncio.sleep(-1);
          order.push("sleep(-1)");
          try {
            yield* asyncio.timeout(-1).run(function* () {
              yield* asyncio.sleep(10);
            });
          } catch (error) {
            if (error instanceof asyncio.TimeoutError) order.push("timeout(-1)");
          }
        })();
        return [order, loop.time()];
      });
    });
    expect(r).toEqual([["callLater(-1)", "sleep(-1)", "timeout(-1)"], 0]);
  });
});

describe("re-entrancy", () => {
  it("a run inside a run is allowed and independent (its own clock, tasks and cancellation)", async () => {
    const outerClock = new MockClock({ autojumpThreshold: 0 });
    const innerClock = new MockClock({ autojumpThreshold: 0 });
    const r = await runWith({ clock: outerClock }, function* () {
      const outer = currentRun();
      let innerRun: unknown = null;
      const value = yield* moveOnAfter(100, function* (scope) {
        const inner = runWith({ clock: innerClock }, function* () {
          innerRun = currentRun();
          yield* sleep(50);
          return currentTime();
        });
        // Cancelling the outer scope does not reach into the inner run.
        scope.cancel("outer only");
        return yield* waitPromise(inner);
      });
      return { value, different: innerRun !== outer, outerTime: currentTime() };
    });
    // The outer scope was cancelled before the inner run ended: the outer wait was abandoned...
    expect(r.value).toBeUndefined();
    expect(r.different).toBe(true);
    expect(r.outerTime).toBe(0);
    // ...but the inner run carried on by itself, on its own clock.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(innerClock.currentTime()).toBe(50);
    await expectUsable();
  });

  it("a run started from an asyncio callback is allowed and independent", async () => {
    const r = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      return yield* openLoop(function* (loop): Operation<number> {
        let inner: Promise<number> | null = null;
        loop.callSoon(() => {
          inner = run(function* () {
            yield* sleep(0);
            return 7;
          });
        });
        yield* sleep(1);
        return yield* waitPromise(inner!);
      });
    });
    expect(r).toBe(7);
  });

  it("asyncio.run (asyncioRun) inside an asyncio callback: a clear error", async () => {
    const r = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      return yield* openLoop(function* (loop): Operation<string> {
        let message = "no error";
        loop.callSoon(() => {
          asyncioRun((function* (): asyncio.Coroutine<void> {})()).catch((error: unknown) => {
            message = (error as Error).message;
          });
        });
        yield* sleep(1);
        return message;
      });
    });
    expect(r).toMatch(/cannot be called from a running event loop: in asyncio code, yield\* the coroutine or use loop\.createTask\(coro\)/);
    await expectUsable();
  });
});
