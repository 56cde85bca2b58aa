import { afterEach, describe, expect, it, vi } from "vitest";
import { throttledFrames } from "../../devtools/panel.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("throttledFrames (the panel's update pacing)", () => {
  it("runs the first flush at once, then waits at least the interval between flushes, and 33 times a slow flush's duration", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "performance"] });
    const schedule = throttledFrames(100);
    const ran: number[] = [];
    const t0 = performance.now();
    const quick = () => void ran.push(performance.now() - t0);
    const slow = () => {
      ran.push(performance.now() - t0);
      vi.advanceTimersByTime(10); // the flush itself takes 10 ms
    };
    // The first flush (a new subscriber's full snapshot) runs inside the call: the panel opens with rows.
    schedule(quick);
    expect(ran).toEqual([0]);
    schedule(quick);
    vi.advanceTimersByTime(115);
    expect(ran).toEqual([0]);
    vi.advanceTimersByTime(1); // the interval, then a frame (no requestAnimationFrame in Node: a 16 ms timer)
    expect(ran).toEqual([0, 116]);
    schedule(slow);
    vi.advanceTimersByTime(116);
    expect(ran).toEqual([0, 116, 232]);
    // 10 ms of flushing: the next one waits 330 ms from its start, not 100.
    schedule(quick);
    vi.advanceTimersByTime(300);
    expect(ran).toHaveLength(3);
    vi.advanceTimersByTime(60);
    expect(ran).toEqual([0, 116, 232, 232 + 330 + 16]);
  });
});
