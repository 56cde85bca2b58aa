/**
 * `inspector.cancel("asyncioTask", id)`: a tool cancels an asyncio Task as
 * `task.cancel(msg)` would, from a host callback (a click), with no Trio
 * task running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { aioAsTrio, asyncio, inspector, openLoop, run } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";

afterEach(() => {
  expect(observer.current).toBe(null);
});

describe("inspector.cancel of an asyncio Task", () => {
  it("cancels it with the reason as its CancelledError message; false for unknown or done ids; bad kinds are refused", async () => {
    const log: string[] = [];
    let cancelledBy: boolean | null = null;
    let again: boolean | null = null;
    await run(function* () {
      yield* openLoop(function* (loop) {
        yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
          const victim = loop.createTask(
            (function* (): asyncio.Coroutine<void> {
              try {
                yield* loop.createFuture<void>();
              } catch (e) {
                log.push(`victim: ${(e as Error).name}: ${(e as Error).message}`);
                throw e;
              }
            })(),
            { name: "victim" },
          );
          const bystander = loop.createTask(
            (function* (): asyncio.Coroutine<void> {
              yield* asyncio.sleep(0.05);
              log.push("bystander done");
            })(),
          );
          yield* asyncio.sleep(0);
          const rec = inspector.inspect().futures.find((f) => f.kind === "Task" && f.name === "victim")!;
          expect(rec.id).toBe(victim.id);
          // From a host callback, as a click in the panel would.
          setTimeout(() => {
            cancelledBy = inspector.cancel("asyncioTask", rec.id, "from the panel");
          }, 5);
          try {
            yield* victim;
          } catch (e) {
            log.push(`awaiter: ${(e as Error).name}`);
          }
          again = inspector.cancel("asyncioTask", rec.id);
          yield* bystander;
        })();
      });
    });
    expect(cancelledBy).toBe(true);
    expect(again).toBe(false);
    expect(log).toEqual(["victim: CancelledError: from the panel", "awaiter: CancelledError", "bystander done"]);
    expect(inspector.cancel("asyncioTask", 987654)).toBe(false);
    expect(() => inspector.cancel("future" as "task", 1)).toThrow(/kind "scope", "task" or "asyncioTask", got "future"/);
  });
});
