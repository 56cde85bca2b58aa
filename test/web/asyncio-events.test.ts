// eventFuture: a DOM event as an asyncio Future, on Node's EventTarget. The listener goes on
// every way the Future ends: the event, cancel(), waitFor's timeout, a throwing filter.
import { describe, expect, it } from "vitest";
import { asyncio, asyncioRun } from "../../src/index.js";
import { eventFuture } from "../../src/web/index.js";
import { CountingTarget, type Numbered } from "./helpers.js";

describe("eventFuture", () => {
  it("resolves with the first event the filter accepts, and removes its listener at once", async () => {
    const target = new CountingTarget();
    const got = await asyncioRun(
      (function* () {
        const future = eventFuture<Numbered>(target, "tick", { filter: (e) => e.n > 1 });
        expect(target.live).toBe(1);
        asyncio.getRunningLoop().callSoon(() => {
          target.fire("tick", 1);
          target.fire("tick", 2);
          target.fire("tick", 3);
        });
        const event = yield* future;
        return { n: event.n, live: target.live };
      })(),
    );
    expect(got).toEqual({ n: 2, live: 0 });
  });

  it("cancel() and waitFor's timeout remove the listener; a throwing filter is the Future's exception", async () => {
    const target = new CountingTarget();
    const got = await asyncioRun(
      (function* () {
        const cancelled = eventFuture(target, "tick");
        cancelled.cancel();
        yield* asyncio.sleep(0);
        const afterCancel = target.live;
        let timedOut = "";
        try {
          yield* asyncio.waitFor(eventFuture(target, "tick"), 0.01);
        } catch (error) {
          timedOut = (error as Error).name;
        }
        yield* asyncio.sleep(0);
        const afterTimeout = target.live;
        const failing = eventFuture(target, "tick", {
          filter: () => {
            throw new Error("bad filter");
          },
        });
        target.fire("tick");
        let filterError = "";
        try {
          yield* failing;
        } catch (error) {
          filterError = (error as Error).message;
        }
        return { afterCancel, timedOut, afterTimeout, filterError, live: target.live };
      })(),
    );
    expect(got).toEqual({ afterCancel: 0, timedOut: "TimeoutError", afterTimeout: 0, filterError: "bad filter", live: 0 });
  });

  it("refuses bad input, naming the fix", async () => {
    await asyncioRun(
      (function* () {
        expect(() => eventFuture("#button" as never, "click")).toThrow(/needs an EventTarget/);
        expect(() => eventFuture(new EventTarget(), "")).toThrow(/event type/);
        expect(() => eventFuture(new EventTarget(), "x", { filter: 1 as never })).toThrow(/filter/);
      })(),
    );
    expect(() => eventFuture(new EventTarget(), "x")).toThrow(/No asyncio loop is running/);
  });

  it("an event between cancel() and the done callback runs no filter, and takes the listener off at once", async () => {
    const target = new CountingTarget();
    let filtered = 0;
    const got = await asyncioRun(
      (function* () {
        const future = eventFuture(target, "tick", { filter: () => (filtered++, true) });
        future.cancel();
        expect(target.live).toBe(1); // the done callback that removes it has not run yet
        target.fire("tick"); // the listener sees it is not wanted any more and goes
        const liveBefore = target.live;
        yield* asyncio.sleep(0);
        return { liveBefore, liveAfter: target.live, cancelled: future.cancelled() };
      })(),
    );
    expect(got).toEqual({ liveBefore: 0, liveAfter: 0, cancelled: true });
    expect(filtered).toBe(0);
  });

  it("a Future left pending past the loop's end, then cancelled: its listener goes at the next event (it stayed for good)", async () => {
    const target = new CountingTarget();
    let future: asyncio.Future<Event> | null = null;
    await asyncioRun(
      (function* () {
        future = eventFuture(target, "tick");
        yield* asyncio.sleep(0);
      })(),
    );
    expect(target.live).toBe(1);
    // The loop has closed, so the done callback that would remove the listener cannot be scheduled.
    expect(() => future!.cancel()).toThrow(/closed event loop/);
    expect(future!.cancelled()).toBe(true);
    target.fire("tick");
    expect(target.live).toBe(0);
  });
});
