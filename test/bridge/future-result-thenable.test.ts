/**
 * An asyncio Future is a thenable (plain `async` code awaits it), so a
 * Promise that resolves *with* a Future adopts it instead of holding it. A
 * Task whose result is itself, or a pending Future of a loop that has closed,
 * then makes the Promise wait forever. Such results reject at once with a
 * TypeError that says to return the Future's result instead.
 */
import { describe, expect, it } from "vitest";
import { asyncioRun, AsyncioRunner, openLoop } from "../../src/bridge/index.js";
import { currentTask, getRunningLoop, type Future } from "../../src/asyncio/index.js";
import type { Coroutine } from "../../src/asyncio/types.js";
import { run } from "../../src/core/index.js";
import { within } from "../core/helpers.js";

describe("a run or a Future whose result is an asyncio Future", () => {
  it("asyncioRun(main) where main returns its own Task rejects with a TypeError", async () => {
    function* main(): Coroutine<unknown> {
      return currentTask();
    }
    await expect(within(asyncioRun(main()))).rejects.toThrow(/asyncio Future.*result/s);
  });

  it("asyncioRun(main) where main returns a pending Future of its loop rejects with a TypeError", async () => {
    function* main(): Coroutine<unknown> {
      return getRunningLoop().createFuture();
    }
    await expect(within(asyncioRun(main()))).rejects.toBeInstanceOf(TypeError);
  });

  it("AsyncioRunner.run(coro) where coro returns its own Task rejects, and the runner still closes", async () => {
    const runner = new AsyncioRunner();
    function* main(): Coroutine<unknown> {
      return currentTask();
    }
    await expect(within(runner.run(main()))).rejects.toBeInstanceOf(TypeError);
    await within(runner.close());
  });

  it("run(main) where main returns a Future from its openLoop block rejects with a TypeError", async () => {
    const p = run(function* () {
      let future: Future<number> | null = null;
      yield* openLoop(function* (loop) {
        future = loop.createFuture<number>();
      });
      return future;
    });
    await expect(within(p)).rejects.toThrow(/asyncio Future/);
  });

  it("a done Future's value still reaches plain async code", async () => {
    function* main(): Coroutine<number> {
      return 42;
    }
    await expect(within(asyncioRun(main()))).resolves.toBe(42);
  });
});
