/**
 * ContextVar values across the flavours and across runs.
 *
 * asyncio code runs in the context it was created in, as CPython copies the
 * context at create_task/call_soon time: a Task in its creator's, a
 * callback in the one current at callSoon. Trio tasks started from there
 * see the same values. A new run starts with a fresh context, so a run
 * started inside an openLoop block does not inherit its loop; and system
 * tasks take the run's root context, not their spawner's (as in Trio).
 */
import { describe, expect, it } from "vitest";
import {
  ContextVar,
  currentTask,
  openNursery,
  run,
  sleep as trioSleep,
  spawnSystemTask,
  type Operation,
} from "../../src/core/index.js";
import { aioAsTrio, currentLoop, openLoop, trioAsAio } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { Coroutine, EventLoop } from "../../src/asyncio/index.js";
import { expectNoLeftovers, runKeep } from "./helpers.js";

const user = new ContextVar<string>("user", "nobody");

describe("asyncio code runs in the context it was created in", () => {
  it("an asyncio task started by aioAsTrio sees the values set around it in Trio", async () => {
    const seen: string[] = [];
    function* aioSide(): Coroutine<void> {
      seen.push(`task: ${user.get()}`);
      yield* asyncio.sleep(1);
      seen.push(`task after a wait: ${user.get()}`);
      // A Trio task started from here sees the same value.
      yield* trioAsAio(function* () {
        seen.push(`trio: ${user.get()}`);
      })();
    }
    const kept = await runKeep(() => openLoop(() => user.run("alice", () => aioAsTrio(aioSide)())));
    expect(kept.ok).toBe(true);
    expect(seen).toEqual(["task: alice", "task after a wait: alice", "trio: alice"]);
    expectNoLeftovers(kept.runner);
  });

  it("a task created by an asyncio task inherits its creator's context", async () => {
    let seen = "";
    function* child(): Coroutine<void> {
      yield* asyncio.sleep(0);
      seen = user.get()!;
    }
    function* parent(): Coroutine<void> {
      yield* asyncio.createTask(child());
    }
    const kept = await runKeep(() => openLoop(() => user.run("bob", () => aioAsTrio(parent)())));
    expect(kept.ok).toBe(true);
    expect(seen).toBe("bob");
  });

  it("a callback runs in the context current at callSoon/callLater, whoever scheduled it", async () => {
    const seen: string[] = [];
    const kept = await runKeep(() =>
      openLoop(function* (loop: EventLoop) {
        yield* openNursery(function* (n) {
          for (const name of ["carol", "dave"]) {
            n.startSoon(() =>
              user.run(name, function* () {
                loop.callSoon(() => seen.push(`soon ${user.get()}`));
                loop.callLater(1, () => seen.push(`later ${user.get()}`));
                yield* trioSleep(0);
              }),
            );
          }
        });
        // Scheduled from the block outside any run(): the block's own context.
        loop.callSoon(() => seen.push(`block ${user.get()}`));
        yield* trioSleep(2);
      }),
    );
    expect(kept.ok).toBe(true);
    expect(seen.sort()).toEqual(["block nobody", "later carol", "later dave", "soon carol", "soon dave"]);
  });

  it("a callback scheduled by an asyncio task runs in that task's context", async () => {
    let seen = "";
    function* aioSide(): Coroutine<void> {
      const f = asyncio.getRunningLoop().createFuture<void>();
      asyncio.getRunningLoop().callSoon(() => {
        seen = user.get()!;
        f.setResult();
      });
      yield* f;
    }
    const kept = await runKeep(() => openLoop(() => user.run("erin", () => aioAsTrio(aioSide)())));
    expect(kept.ok).toBe(true);
    expect(seen).toBe("erin");
  });

  it("outside any asyncio code the value is the Trio task's again", async () => {
    const kept = await runKeep(() =>
      openLoop(() =>
        user.run("frank", function* () {
          yield* aioAsTrio(function* (): Coroutine<void> {
            yield* asyncio.sleep(0);
          })();
          return user.get();
        }),
      ),
    );
    expect(kept.value).toBe("frank");
  });
});

describe("a new run starts with a fresh context", () => {
  it("a run() started inside an openLoop block has no loop and none of the outer values", async () => {
    const kept = await runKeep(() =>
      openLoop(() =>
        user.run("grace", function* () {
          const inner = run(function* () {
            const found: string[] = [user.get()!];
            try {
              found.push(`currentLoop: ${currentLoop().id}`);
            } catch (error) {
              found.push(`currentLoop: ${(error as Error).name}`);
            }
            try {
              found.push(`getRunningLoop: ${asyncio.getRunningLoop().id}`);
            } catch (error) {
              found.push(`getRunningLoop: ${(error as Error).name}`);
            }
            // The inner run can open its own loop and use it.
            const v = yield* openLoop(() => aioAsTrio(function* (): Coroutine<number> {
              yield* asyncio.sleep(0);
              return 42;
            })());
            found.push(`own loop: ${v}`);
            return found;
          });
          // Wait for the inner run from Trio code without blocking the outer run.
          let result: string[] | null = null;
          let failure: unknown = null;
          inner.then((r) => (result = r), (e: unknown) => (failure = e));
          while (result === null && failure === null) yield* trioSleep(0.01);
          if (failure !== null) throw failure;
          return result;
        }),
      ),
    );
    expect(kept.ok).toBe(true);
    expect(kept.value).toEqual(["nobody", "currentLoop: RuntimeError", "getRunningLoop: RuntimeError", "own loop: 42"]);
  });
});

describe("system tasks take the run's root context", () => {
  it("a system task spawned under ContextVar.run does not see the value (Trio's system_context)", async () => {
    let seen = "";
    let spawnerName = "";
    const kept = await runKeep(() =>
      user.run("heidi", function* (): Operation<void> {
        spawnerName = currentTask().name;
        spawnSystemTask(function* () {
          seen = user.get()!;
        });
        yield* trioSleep(1);
      }),
    );
    expect(kept.ok).toBe(true);
    expect(spawnerName).not.toBe("");
    expect(seen).toBe("nobody");
  });
});
