/**
 * Looking at a task that waits on a user's thenable (`waitPromise(value)`)
 * must not act on the value: no `get` trap of a Proxy, no `then` getter, no
 * `toString`, as a reactive store's Proxy tracks reads and a getter may do
 * anything. A value whose every trap throws must not stop the inspector.
 * Both `inspect()` and a subscriber's update are checked. The task parks on
 * the native Promise that `Promise.resolve(value)` gives, so no trap of the
 * user's value runs at all, getOwnPropertyDescriptor and getPrototypeOf included.
 */
import { afterEach, expect, it } from "vitest";
import { inspector, openNursery, run, waitPromise } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { waitEvent } from "../../src/web/index.js";

afterEach(() => {
  expect(inspector.subscriberCount()).toBe(0);
  expect(observer.current).toBe(null);
});

/** Runs a task waiting on `value` (settled by `settle`), and returns what inspecting it showed. */
async function inspectWaitOn(value: unknown, settle: () => void, during: { on: boolean }): Promise<inspector.WaitInfo | null | undefined> {
  const frames: (() => void)[] = [];
  let updates = 0;
  const unsubscribe = inspector.subscribe(() => void updates++, { scheduleFrame: (f) => void frames.push(f) });
  try {
    return await run(function* () {
      let seen: inspector.WaitInfo | null | undefined;
      yield* openNursery(function* (n) {
        n.startSoonNamed("waiter", function* () {
          yield* waitPromise(value as PromiseLike<unknown>);
        });
        yield* waitAllTasksBlocked();
        during.on = true;
        try {
          for (const f of frames.splice(0)) f();
          seen = inspector.inspect().tasks.find((t) => t.name === "waiter")?.waitingOn;
        } finally {
          during.on = false;
        }
        settle();
      });
      expect(updates).toBeGreaterThan(0);
      return seen;
    });
  } finally {
    unsubscribe();
  }
}

it("a Proxy thenable: inspecting runs none of its get, has or apply traps", async () => {
  const traps: string[] = [];
  const during = { on: false };
  let resolve: (v: unknown) => void = () => {};
  const target = {
    then(onFulfilled: (v: unknown) => void) {
      resolve = onFulfilled;
    },
  };
  const handler: ProxyHandler<typeof target> = {};
  for (const trap of ["get", "has", "apply", "ownKeys", "set", "defineProperty", "deleteProperty"] as const) {
    (handler as Record<string, unknown>)[trap] = (...args: unknown[]) => {
      if (during.on) traps.push(`${trap} ${String(args[1])}`);
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    };
  }
  const seen = await inspectWaitOn(new Proxy(target, handler), () => resolve(1), during);
  expect(traps).toEqual([]);
  expect(seen).toEqual({ kind: "promise", label: "a Promise" });
});

it("a thenable whose then is a getter, with a toString: inspecting calls neither", async () => {
  const during = { on: false };
  const calls: string[] = [];
  let resolve: (v: unknown) => void = () => {};
  const value = {
    get then() {
      if (during.on) calls.push("then getter");
      return (onFulfilled: (v: unknown) => void) => {
        resolve = onFulfilled;
      };
    },
    toString() {
      if (during.on) calls.push("toString");
      return "mine";
    },
  };
  const seen = await inspectWaitOn(value, () => resolve(1), during);
  expect(calls).toEqual([]);
  expect(seen?.kind).toBe("promise");
});

it("a thenable that turns hostile while waited on (every trap throws): the inspector lists the task", async () => {
  const during = { on: false };
  let resolve: (v: unknown) => void = () => {};
  const target = {
    then(onFulfilled: (v: unknown) => void) {
      resolve = onFulfilled;
    },
  };
  const hostile = new Proxy(target, {
    get: (t, key, receiver) => {
      if (during.on) throw new Error("get refuses");
      return Reflect.get(t, key, receiver);
    },
    getOwnPropertyDescriptor: (t, key) => {
      if (during.on) throw new Error("getOwnPropertyDescriptor refuses");
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    getPrototypeOf: (t) => {
      if (during.on) throw new Error("getPrototypeOf refuses");
      return Reflect.getPrototypeOf(t);
    },
  });
  const seen = await inspectWaitOn(hostile, () => resolve(1), during);
  expect(seen).toBeDefined();
  expect(typeof seen?.label).toBe("string");
});

it("a user's EventTarget whose class is named Nursery or EventLoop: the inspector lists the task (it threw reading cancelScope)", async () => {
  const seen = await run(function* () {
    class Nursery extends EventTarget {}
    class EventLoop extends EventTarget {}
    const targets = [new Nursery(), new EventLoop()];
    const out: (inspector.WaitInfo | null | undefined)[] = [];
    yield* openNursery(function* (n) {
      targets.forEach((target, i) => n.startSoonNamed(`waiter ${i}`, () => waitEvent(target, "go")));
      // A real nursery is still told apart (by identity), as its parent waits for its children.
      n.startSoonNamed("parent", () =>
        openNursery(function* (m) {
          m.startSoon(() => waitEvent(targets[0]!, "go"));
        }),
      );
      yield* waitAllTasksBlocked();
      const tasks = inspector.inspect().tasks;
      out.push(...["waiter 0", "waiter 1", "parent"].map((name) => tasks.find((t) => t.name === name)?.waitingOn));
      for (const target of targets) target.dispatchEvent(new Event("go"));
    });
    return out;
  });
  expect(seen).toEqual([
    { kind: "Nursery", label: "Nursery" },
    { kind: "EventLoop", label: "EventLoop" },
    { kind: "nursery", label: expect.stringMatching(/^its children \(nursery \d+\)$/) },
  ]);
});

it("a task function that is a Proxy, inspected before its first step: no get trap runs", async () => {
  const traps: string[] = [];
  const during = { on: false };
  const fn = new Proxy(function* () {}, {
    get: (t, key, receiver) => {
      if (during.on) traps.push(String(key));
      return Reflect.get(t, key, receiver) as unknown;
    },
  });
  await run(function* () {
    yield* openNursery(function* (n) {
      n.startSoonNamed("proxied", fn);
      during.on = true;
      try {
        expect(inspector.inspect().tasks.some((t) => t.name === "proxied")).toBe(true);
      } finally {
        during.on = false;
      }
    });
  });
  expect(traps).toEqual([]);
});

it("a Proxy thenable: inspecting runs none of its traps at all, getOwnPropertyDescriptor and getPrototypeOf included (the task parks on a native Promise)", async () => {
  const traps: string[] = [];
  const during = { on: false };
  let resolve: (v: unknown) => void = () => {};
  const target = {
    then(onFulfilled: (v: unknown) => void) {
      resolve = onFulfilled;
    },
  };
  const handler: ProxyHandler<typeof target> = {};
  for (const trap of ["get", "has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf", "isExtensible", "preventExtensions", "set", "defineProperty", "deleteProperty"] as const) {
    (handler as Record<string, unknown>)[trap] = (...args: unknown[]) => {
      if (during.on) traps.push(trap);
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    };
  }
  const seen = await inspectWaitOn(new Proxy(target, handler), () => resolve(1), during);
  expect(traps).toEqual([]);
  expect(seen).toEqual({ kind: "promise", label: "a Promise" });
});
