// The asyncio web helpers' host answers (an event, a frame, a host turn)
// arriving after their loop stopped: a Future left pending past its block
// is never completed then, since its done callbacks could not run; the
// completion used to throw "callSoon() on a closed event loop" into the
// host's event dispatch (an uncaught exception on the page).
import { describe, expect, it } from "vitest";
import { asyncio, asyncioRun } from "../../src/index.js";
import { eventFuture } from "../../src/web/index.js";
import { CountingTarget } from "./helpers.js";
import { takeHostErrors } from "../setup-unhandled.js";

describe("eventFuture left pending past its loop's end", () => {
  it("the event that comes later is dropped: nothing is thrown into the dispatch, the listener goes, the Future stays pending", async () => {
    const target = new CountingTarget();
    let future: asyncio.Future<Event> | null = null;
    await asyncioRun(
      (function* () {
        future = eventFuture(target, "tick");
        yield* asyncio.sleep(0);
      })(),
    );
    expect(target.live).toBe(1);
    target.fire("tick");
    // Node reports a listener's error on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(takeHostErrors()).toEqual([]);
    expect(target.live).toBe(0);
    expect(future!.done()).toBe(false);
  });
});
