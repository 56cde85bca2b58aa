/**
 * Conformance with Trio's trio/_core/_tests/test_mock_clock.py: the exact
 * arithmetic of test_mock_clock, against a stubbed real clock. The
 * autojump tests and a running-clock version of this one are ported in
 * trio-timeouts.test.ts. The code and wording are ours.
 *
 * Differences on purpose: a bad jump or rate is a RangeError (Trio:
 * ValueError), and a deadline that is never reached at rate 0 has an
 * infinite sleep time (Trio: a very large number). The real clock Trio's
 * test replaces is `performance.now()` here.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { MockClock } from "../../src/testing/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Trio test_mock_clock", () => {
  // test_mock_clock
  it("jumps, rates and deadlineToSleepTime follow the real clock exactly", () => {
    let realNow = 123;
    vi.spyOn(performance, "now").mockImplementation(() => realNow * 1000);
    const c = new MockClock();
    expect(String(c)).toMatch(/^<MockClock time=0\.0000 rate=0>$/);
    expect(c.rate).toBe(0);
    expect(c.currentTime()).toBe(0);
    c.jump(1.2);
    expect(c.currentTime()).toBe(1.2);
    expect(() => c.jump(-1)).toThrow(RangeError);
    expect(() => c.jump(-1)).toThrow(/cannot go backwards/);
    expect(c.currentTime()).toBe(1.2);
    expect(c.deadlineToSleepTime(1.1)).toBe(0);
    expect(c.deadlineToSleepTime(1.2)).toBe(0);
    expect(c.deadlineToSleepTime(1.3)).toBe(Infinity);

    expect(() => (c.rate = -1)).toThrow(RangeError);
    expect(c.rate).toBe(0);

    c.rate = 2;
    expect(c.currentTime()).toBe(1.2);
    realNow += 1;
    expect(c.currentTime()).toBe(3.2);
    expect(c.deadlineToSleepTime(3.1)).toBe(0);
    expect(c.deadlineToSleepTime(3.2)).toBe(0);
    expect(c.deadlineToSleepTime(4.2)).toBe(0.5);

    c.rate = 0.5;
    expect(c.currentTime()).toBe(3.2);
    expect(c.deadlineToSleepTime(3.1)).toBe(0);
    expect(c.deadlineToSleepTime(3.2)).toBe(0);
    expect(c.deadlineToSleepTime(4.2)).toBe(2);

    c.jump(0.8);
    expect(c.currentTime()).toBe(4);
    realNow += 1;
    expect(c.currentTime()).toBe(4.5);

    const c2 = new MockClock({ rate: 3 });
    expect(c2.rate).toBe(3);
    expect(c2.currentTime()).toBeLessThan(10);
  });
});
