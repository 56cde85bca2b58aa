import { describe, expect, it } from "vitest";
import { currentRun, openNursery, sleep, sleepForever } from "../../src/core/index.js";
import { DeadlineEntry, DeadlineHeap, isPending } from "../../src/core/deadlines.js";
import { runKeep } from "./helpers.js";
import { leftovers } from "../../src/core/runner.js";

class Entry extends DeadlineEntry {
  fired = 0;
  expire(): void {
    this.fired++;
  }
}

function filled(n: number): { heap: DeadlineHeap; entries: Entry[] } {
  const heap = new DeadlineHeap();
  const entries = Array.from({ length: n }, () => new Entry());
  entries.forEach((e, i) => heap.set(e, 100 + i));
  return { heap, entries };
}

describe("deadline heap: lazy removal", () => {
  it("removing every entry leaves nothing stored", () => {
    const { heap, entries } = filled(1000);
    for (const e of entries) heap.remove(e);
    expect(heap.size).toBe(0);
    expect(heap.earliest()).toBe(Infinity);
    // An entry still held by the heap keeps its index: none does.
    expect(entries.filter((e) => e.heapIndex !== -1)).toHaveLength(0);
    expect(entries.filter((e) => isPending(e))).toHaveLength(0);
  });

  it("never reports a removed entry as the earliest, nor pops it", () => {
    const { heap, entries } = filled(10);
    heap.remove(entries[0]!);
    heap.remove(entries[1]!);
    expect(heap.earliest()).toBe(102);
    expect(heap.size).toBe(8);
    expect(heap.popExpired(101)).toBeUndefined();
    expect(heap.popExpired(102)).toBe(entries[2]);
  });

  it("keeps at most as many removed entries as live ones", () => {
    const { heap, entries } = filled(100);
    for (let i = 0; i < 99; i++) heap.remove(entries[i]!);
    const held = entries.filter((e) => e.heapIndex !== -1).length;
    expect(heap.size).toBe(1);
    expect(held).toBeLessThanOrEqual(2);
  });

  it("an entry removed and set again fires once, at its new deadline", () => {
    const { heap, entries } = filled(10);
    const e = entries[5]!;
    heap.remove(e);
    heap.set(e, 50);
    expect(isPending(e)).toBe(true);
    expect(heap.size).toBe(10);
    expect(heap.popExpired(60)).toBe(e);
    expect(heap.popExpired(60)).toBeUndefined();
    heap.remove(e); // no longer in: a no-op
    expect(heap.size).toBe(9);
  });

  it("a run that cancels thousands of sleepers leaves no deadline and no host timer", async () => {
    const { runner, ok } = await runKeep(function* () {
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3000; i++) n.startSoon(sleep, 1000 + (i % 7));
        n.startSoon(sleepForever);
        yield* sleep(1);
        expect(leftovers(currentRun()).deadlines).toBe(3000);
        n.cancelScope.cancel();
        expect(leftovers(currentRun()).deadlines).toBe(0);
      });
      // A later sleep still wakes on time: nothing stale fires or blocks it.
      yield* sleep(5);
    });
    expect(ok).toBe(true);
    expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  });
});
