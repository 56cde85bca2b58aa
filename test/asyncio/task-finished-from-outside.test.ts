/**
 * A Task completed from outside its own code: `Future.prototype.cancel`
 * (or setResult/setException) called on a Task directly, bypassing
 * Task's own methods. CPython allows the call (the Task is then done, its
 * coroutine never resumed, and `asyncio.run` ends since `all_tasks()` lists
 * only tasks not done). Ours must end too: the loop's list of pending tasks
 * must not keep a Task that is done, or its shutdown waits for it forever.
 */
import { describe, expect, it } from "vitest";
import { asyncio } from "../../src/index.js";
import { asyncioRun } from "../../src/bridge/asyncio-run.js";

const { Future } = asyncio;

/** asyncioRun, failing the test instead of hanging it. */
function settleWithin<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms))]);
}

describe("a Task completed by Future's own methods", () => {
  it("cancelled before its first step: the run ends (its stale step is reported, naming the fix), and the coroutine never ran", async () => {
    let ran = false;
    const outcome = settleWithin(
      asyncioRun(
        (function* () {
          const task = asyncio.getRunningLoop().createTask(
            (function* () {
              ran = true;
              yield* asyncio.sleep(0);
            })(),
          );
          Future.prototype.cancel.call(task);
          expect(task.cancelled()).toBe(true);
          yield* asyncio.sleep(0.01);
          return "main done";
        })(),
      ),
    );
    // As CPython's loop reports "_step(): already done" to its exception handler; ours surfaces what reaches the default handler.
    await expect(outcome).rejects.toThrow(/Task Task-\d+ is already done, before its coroutine ended: .*Future\.prototype\.cancel\.call\(task\).*task\.cancel\(\)/);
    expect(ran).toBe(false);
  });

  it("the same with an exception handler that only records: the run returns normally", async () => {
    const reported: string[] = [];
    const result = await settleWithin(
      asyncioRun(
        (function* () {
          const loop = asyncio.getRunningLoop();
          loop.setExceptionHandler((_loop, context) => reported.push(String(context.message)));
          const task = loop.createTask((function* () {})());
          Future.prototype.cancel.call(task);
          yield* asyncio.sleep(0.01);
          return "main done";
        })(),
      ),
    );
    expect(result).toBe("main done");
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^Exception in callback/);
  });

  it("cancelled while parked on a Future nobody completes: the run still ends", async () => {
    const result = await settleWithin(
      asyncioRun(
        (function* () {
          const loop = asyncio.getRunningLoop();
          const never = loop.createFuture<void>();
          const task = loop.createTask(
            (function* () {
              yield* never;
            })(),
          );
          yield* asyncio.sleep(0); // the task parks on `never`
          Future.prototype.cancel.call(task);
          return "main done";
        })(),
      ),
    );
    expect(result).toBe("main done");
  });
});
