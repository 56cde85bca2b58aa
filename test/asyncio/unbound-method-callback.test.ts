/**
 * A method passed as a loop callback without its object, as Python code
 * passes a bound method (`loop.call_later(5, task.cancel)`): JavaScript
 * calls it with no `this`, and it fails with an engine error about
 * `undefined`. The loop reports a TypeError that says why and names the
 * fix, with the engine's error as its cause.
 */
import { describe, expect, it } from "vitest";
import { asyncio } from "../../src/index.js";
import { asyncioRun } from "../../src/bridge/asyncio-run.js";
import { MockClock } from "../../src/testing/index.js";

async function failureOf(main: () => asyncio.Coroutine<unknown>): Promise<unknown> {
  try {
    await asyncioRun(main(), { clock: new MockClock({ autojumpThreshold: 0 }) });
  } catch (error) {
    return error;
  }
  throw new Error("the run succeeded");
}

function expectExplained(error: unknown, method: string): void {
  expect(error).toBeInstanceOf(TypeError);
  const message = (error as Error).message;
  expect(message).toContain(`A loop callback, the method ${method}, ran without its object`);
  expect(message).toContain(`() => object.${method}()`);
  expect((error as Error).cause).toBeInstanceOf(TypeError);
}

describe("a method passed as a loop callback without its object", () => {
  it("event.set through callLater", async () => {
    const error = await failureOf(function* () {
      const stop = new asyncio.Event();
      asyncio.getRunningLoop().callLater(0.1, stop.set);
      yield* stop.wait();
    });
    expectExplained(error, "set");
    // A callback that is no such method keeps its own error.
    const boom = new TypeError("boom");
    const other = await failureOf(function* () {
      asyncio.getRunningLoop().callSoon(() => {
        throw boom;
      });
      yield* asyncio.sleep(1);
    });
    expect(other).toBe(boom);
  });

  it("task.cancel, future.setResult and queue.putNowait through callSoon", async () => {
    const cancel = await failureOf(function* () {
      const loop = asyncio.getRunningLoop();
      const task = loop.createTask(asyncio.sleep(5));
      loop.callSoon(task.cancel);
      yield* task;
    });
    expectExplained(cancel, "cancel");
    const setResult = await failureOf(function* () {
      const loop = asyncio.getRunningLoop();
      const future = loop.createFuture<number>();
      loop.callSoon(future.setResult, 42);
      return yield* future;
    });
    expectExplained(setResult, "setResult");
    const putNowait = await failureOf(function* () {
      const queue = new asyncio.Queue<number>();
      asyncio.getRunningLoop().callSoon(queue.putNowait, 1);
      return yield* queue.get();
    });
    expectExplained(putNowait, "putNowait");
  });

  it("loop.stop as a done callback", async () => {
    const error = await failureOf(function* () {
      const loop = asyncio.getRunningLoop();
      const future = loop.createFuture<void>();
      future.addDoneCallback(loop.stop);
      future.setResult(undefined);
      yield* asyncio.sleep(1);
    });
    expectExplained(error, "stop");
  });

  it("any method, the app's own too; a function or an arrow that raises a TypeError keeps its own error", async () => {
    class Counter {
      count = 0;
      bump(): void {
        this.count++;
      }
    }
    const counter = new Counter();
    const own = await failureOf(function* () {
      asyncio.getRunningLoop().callSoon(counter.bump);
      yield* asyncio.sleep(1);
    });
    expectExplained(own, "bump");
    const boom = new TypeError("boom");
    for (const callback of [
      function named(): void {
        throw boom;
      },
      (): void => {
        throw boom;
      },
    ]) {
      const error = await failureOf(function* () {
        asyncio.getRunningLoop().callSoon(callback);
        yield* asyncio.sleep(1);
      });
      expect(error).toBe(boom);
    }
  });
});
