/**
 * An abortable() stepped by hand (`g.next()`) and dropped: its AbortSignal
 * aborts as soon as its task goes on (or ends), so the work (a fetch) stops
 * instead of running on with nobody to take its result. Before, the signal
 * never aborted. It does so quietly: no task waits for that work, so there
 * is no stalled wait to warn about.
 */
import { afterEach, expect, it, vi } from "vitest";
import { Cancelled, abortable, checkpoint, openNursery, run, sleep } from "../../src/index.js";
import { abortableStall } from "../../src/bridge/promise.js";

const defaultWait = abortableStall.warnAfterMs;
afterEach(() => {
  abortableStall.warnAfterMs = defaultWait;
  vi.restoreAllMocks();
});

it("its signal aborts when the task goes on to a checkpoint, or ends; and nothing warns", async () => {
  abortableStall.warnAfterMs = 10;
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const signals: AbortSignal[] = [];
  const work = (signal: AbortSignal) => {
    signals.push(signal);
    return new Promise<never>(() => {}); // ignores its signal, never settles
  };
  const seen = await run(function* () {
    abortable(work).next();
    const before = signals[0]!.aborted;
    yield* checkpoint();
    yield* openNursery(function* (n) {
      n.startSoon(function* () {
        abortable(work).next();
      });
    });
    yield* sleep(0.05);
    return [before, signals[0]!.aborted, signals[1]!.aborted];
  });
  expect(seen).toEqual([false, true, true]);
  expect(signals[0]!.reason).toBeInstanceOf(Cancelled);
  expect(warn).not.toHaveBeenCalled();
});
