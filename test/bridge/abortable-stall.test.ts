/**
 * A cancelled abortable() waits for its work to settle (the scope must not
 * end while the work runs). Work that ignores its AbortSignal therefore keeps
 * the task waiting, which looks like a hang with no error anywhere: after a
 * while the wait says so on the console, once, with the fix. Work that
 * honours the signal says nothing.
 */
import { afterEach, expect, it, vi } from "vitest";
import { abortable, moveOnAfter, run } from "../../src/index.js";
import { abortableStall } from "../../src/bridge/promise.js";

const defaultWait = abortableStall.warnAfterMs;
afterEach(() => {
  abortableStall.warnAfterMs = defaultWait;
  vi.restoreAllMocks();
});

const realSleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("work that ignores its signal: the cancelled task keeps waiting, and the console says why, once", async () => {
  abortableStall.warnAfterMs = 30;
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  let release!: () => void;
  let ended = false;
  const outcome = run(function* () {
    yield* moveOnAfter(0.01, function* () {
      yield* abortable(() => new Promise<void>((resolve) => (release = resolve)), { label: "GET /slow" });
    });
    ended = true;
  });
  await realSleep(120);
  expect(ended).toBe(false); // still waiting for the work, by design
  expect(warn).toHaveBeenCalledTimes(1);
  expect(String(warn.mock.calls[0]![0])).toMatch(/cancelled abortable\(\) \(GET \/slow\) has not settled 0\.03 s after its AbortSignal aborted.*pass the signal on/);
  release(); // the work ends at last: the scope's block ends
  await outcome;
  expect(ended).toBe(true);
  expect(warn).toHaveBeenCalledTimes(1);
});

it("work that honours its signal: no warning, and no timer left", async () => {
  abortableStall.warnAfterMs = 30;
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  await run(function* () {
    yield* moveOnAfter(0.01, function* () {
      yield* abortable(
        (signal) =>
          new Promise<void>((_, reject) => {
            signal.addEventListener("abort", () => reject(signal.reason));
          }),
      );
    });
  });
  await realSleep(80);
  expect(warn).not.toHaveBeenCalled();
});
