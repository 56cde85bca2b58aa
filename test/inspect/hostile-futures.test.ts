/**
 * asyncio Tasks of a user's subclass (made by a task factory, as Python
 * allows) whose methods the inspector calls: `getName` that throws or
 * answers something other than a string, `cancelling` that throws, and
 * `done` that throws. Inspecting must not throw (neither `inspect()` nor a
 * subscriber's flush), must list each Task with what can be read of it,
 * listed as a Task (the devtools tree shows only kind "Task" as asyncio
 * Tasks), and must leave the run's outcome as it is with no inspector.
 */
import { afterEach, expect, it } from "vitest";
import { Event, aioAsTrio, asyncio, inspector, openLoop, openNursery, run, sleep } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";
import { revoked } from "../bad-input/hostile.js";

afterEach(() => {
  expect(inspector.subscriberCount()).toBe(0);
  expect(observer.current).toBe(null);
});

type Override = "getName throws" | "getName answers a revoked Proxy" | "cancelling throws" | "done throws while inspected";

/** Set while the test inspects: `done` throws only then (the loop itself asks it too). */
let inspecting = false;

function subclassWith(override: Override): typeof asyncio.Task {
  class Hostile<T> extends asyncio.Task<T> {
    override getName(): string {
      if (override === "getName throws") throw new Error("getName refuses");
      if (override === "getName answers a revoked Proxy") return revoked() as string;
      return super.getName();
    }
    override cancelling(): number {
      if (override === "cancelling throws") throw new Error("cancelling refuses");
      return super.cancelling();
    }
    override done(): boolean {
      if (override === "done throws while inspected" && inspecting) throw new Error("done refuses");
      return super.done();
    }
  }
  return Hostile as typeof asyncio.Task;
}

interface Seen {
  outcome: unknown;
  listed: { kind: string; name: string; cancelling: number | null }[] | null;
  updates: number;
  thrown: string[];
}

async function scenario(override: Override, watch: boolean): Promise<Seen> {
  const pending: (() => void)[] = [];
  let updates = 0;
  const unsubscribe = watch ? inspector.subscribe(() => void updates++, { scheduleFrame: (f) => void pending.push(f) }) : () => {};
  const thrown: string[] = [];
  let listed: Seen["listed"] = null;
  const look = () => {
    inspecting = true;
    try {
      for (const f of pending.splice(0)) f();
      listed = inspector.inspect().futures.map((f) => ({ kind: f.kind, name: f.name, cancelling: f.cancelling }));
    } catch (error) {
      thrown.push(String(error));
    } finally {
      inspecting = false;
    }
  };
  try {
    const outcome = await run(function* () {
      const release = new Event();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* openLoop(function* (loop) {
            const Hostile = subclassWith(override);
            loop.setTaskFactory((l, coro, options) => new Hostile(coro, { ...options, loop: l }));
            yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
              loop.createTask(
                (function* (): asyncio.Coroutine<void> {
                  yield* asyncio.sleep(3600);
                })(),
              );
              yield* asyncio.sleep(0);
            })();
            yield* release.wait();
          });
        });
        n.startSoon(function* () {
          for (let i = 0; i < 3; i++) {
            yield* sleep(0.002);
            if (watch) look();
          }
          release.set();
        });
      });
      return "done";
    });
    return { outcome, listed, updates: updates > 0 ? 1 : 0, thrown };
  } catch (error) {
    return { outcome: String(error), listed, updates: updates > 0 ? 1 : 0, thrown };
  } finally {
    unsubscribe();
  }
}

const overrides: Override[] = ["getName throws", "getName answers a revoked Proxy", "cancelling throws", "done throws while inspected"];

for (const override of overrides) {
  it(`an asyncio Task whose ${override}: inspecting throws nothing, lists it, and changes no outcome`, async () => {
    const without = await scenario(override, false);
    const watched = await scenario(override, true);
    expect(watched.thrown).toEqual([]);
    expect(watched.outcome).toBe(without.outcome);
    expect(watched.updates).toBe(1);
    // The sleeper (and, while it runs, the Task of the aioAsTrio coroutine): made by the factory,
    // listed as Tasks (tools show Tasks as such: the devtools tree lists kind "Task" under its loop).
    const hostile = watched.listed!.filter((f) => f.kind === "Task");
    expect(hostile.length).toBeGreaterThan(0);
    expect(watched.listed!.every((f) => f.kind === "Task" || f.kind === "Future")).toBe(true);
    for (const task of hostile) {
      if (override.startsWith("getName")) expect(task.name).toMatch(/^Hostile #\d+$/);
      else expect(task.name).toMatch(/^Task-\d+$/);
      if (override === "cancelling throws") expect(task.cancelling).toBe(null);
    }
  });
}
