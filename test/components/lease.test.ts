/**
 * MountLease: an effect cleanup releases, and the close comes a microtask
 * later unless a setup (StrictMode's remount) takes the lease back first.
 */
import { describe, expect, it } from "vitest";
import { MountLease } from "../../src/components/index.js";

const microtask = (): Promise<void> => Promise.resolve();

describe("MountLease", () => {
  it("closes once, a microtask after the last release", async () => {
    let closes = 0;
    const lease = new MountLease(() => closes++);
    lease.acquire();
    lease.release();
    expect(closes).toBe(0);
    expect(lease.closed).toBe(false);
    await microtask();
    expect(closes).toBe(1);
    expect(lease.closed).toBe(true);
    lease.acquire();
    lease.release();
    await microtask();
    expect(closes).toBe(1);
  });

  it("a remount in the same step (StrictMode) keeps it open", async () => {
    let closes = 0;
    const lease = new MountLease(() => closes++);
    lease.acquire();
    lease.release();
    lease.acquire();
    await microtask();
    await microtask();
    expect(closes).toBe(0);
    expect(lease.closed).toBe(false);
    lease.release();
    await microtask();
    expect(closes).toBe(1);
  });

  it("needs the close function", () => {
    expect(() => new MountLease(undefined as never)).toThrow(/needs the function that closes/);
  });
});
