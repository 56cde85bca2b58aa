/**
 * A task's outcome is the user's value: the observer that records its exit
 * runs inside the scheduler, so it reads the error quietly (its `message`
 * as a data property only, no Proxy `get` trap but for `name`), and a
 * getter that throws or acts is neither called nor able to stop the
 * inspector. The `name` of an error is still read through its getter (the
 * library's classes define it as one), its throw caught. Each case runs
 * with and without a subscriber: the reads the run makes anyway (a
 * nursery listing its errors) are not the inspector's.
 */
import { afterEach, expect, it } from "vitest";
import { inspector, openNursery, run, sleep } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";

afterEach(() => {
  expect(inspector.subscriberCount()).toBe(0);
  expect(observer.current).toBe(null);
});

/** Runs a child named "child" that raises `error` (caught by the parent); returns the child's exit events a subscriber saw, if `watch`. */
async function exitEventsOf(error: unknown, watch: boolean): Promise<inspector.TimelineEvent[]> {
  const events: inspector.TimelineEvent[] = [];
  const frames: (() => void)[] = [];
  const unsubscribe = watch ? inspector.subscribe((u) => void events.push(...u.events), { scheduleFrame: (f) => void frames.push(f) }) : () => {};
  try {
    await run(function* () {
      try {
        yield* openNursery(function* (n) {
          n.startSoonNamed("child", function* () {
            yield* sleep(0);
            throw error;
          });
        });
      } catch {
        // The child's error, expected.
      }
      yield* sleep(0);
    });
    for (const f of frames.splice(0)) f();
  } finally {
    unsubscribe();
  }
  return events.filter((e) => e.name === "child" && (e.kind === "exit" || e.kind === "error"));
}

/** The reads `count()` counts while the subscriber watches, less those of the same run unwatched; and the events. */
async function inspectorReads(error: unknown, count: () => number): Promise<[number, inspector.TimelineEvent[]]> {
  const before = count();
  await exitEventsOf(error, false);
  const unwatched = count() - before;
  const events = await exitEventsOf(error, true);
  return [count() - before - 2 * unwatched, events];
}

it("an error whose message getter throws: not called, the event shows the name", async () => {
  let calls = 0;
  class Hostile extends Error {
    override get message(): string {
      calls++;
      throw new Error("message getter refuses");
    }
  }
  const [reads, events] = await inspectorReads(new Hostile(), () => calls);
  expect(reads).toBe(0);
  expect(events).toMatchObject([{ kind: "error", outcome: "raised", detail: "Error" }]);
});

it("an error whose own message is a getter that acts: not called; a data message is shown", async () => {
  let calls = 0;
  const error = new TypeError("plain");
  Object.defineProperty(error, "message", {
    get() {
      calls++;
      return "from a getter";
    },
  });
  const [reads, events] = await inspectorReads(error, () => calls);
  expect(reads).toBe(0);
  expect(events).toMatchObject([{ kind: "error", detail: "TypeError" }]);
  expect(await exitEventsOf(new RangeError("data message"), true)).toMatchObject([{ kind: "error", detail: "RangeError: data message" }]);
});

it("a Proxy error: no get trap runs but name's", async () => {
  const traps: string[] = [];
  const error = new Proxy(new Error("proxied"), {
    get(target, key, receiver) {
      if (key !== "name") traps.push(String(key));
      return Reflect.get(target, key, receiver);
    },
  });
  const [reads, events] = await inspectorReads(error, () => traps.length);
  expect(reads).toBe(0);
  expect(events).toMatchObject([{ kind: "error", detail: "Error: proxied" }]);
});

it("a thrown plain object whose constructor getter throws: not called, described as an object", async () => {
  let calls = 0;
  const value = {
    get constructor(): never {
      calls++;
      throw new Error("constructor getter refuses");
    },
  };
  const [reads, events] = await inspectorReads(value, () => calls);
  expect(reads).toBe(0);
  expect(events).toMatchObject([{ kind: "error", detail: "an object" }]);
});
