// The run queue (a list through the tasks), against a plain array as the model.
import { describe, expect, it } from "vitest";
import { RunQueue } from "../../src/core/run-queue.js";
import type { Task } from "../../src/core/task.js";

function fakeTask(id: number): Task {
  return { id, nextQueued: null } as unknown as Task;
}

function contents(q: RunQueue): number[] {
  const out: number[] = [];
  for (let t = q.head; t !== null; t = t.nextQueued) out.push(t.id);
  return out;
}

describe("RunQueue", () => {
  it("is FIFO, and a shifted task links to nothing", () => {
    const q = new RunQueue();
    const tasks = [1, 2, 3].map(fakeTask);
    for (const t of tasks) q.push(t);
    expect(q.shift()).toBe(tasks[0]);
    expect(tasks[0]!.nextQueued).toBeNull();
    q.push(tasks[0]!);
    expect(contents(q)).toEqual([2, 3, 1]);
    expect([q.shift(), q.shift(), q.shift()].map((t) => t.id)).toEqual([2, 3, 1]);
    expect(q.head).toBeNull();
    expect(q.tail).toBeNull();
    expect(tasks.every((t) => t.nextQueued === null)).toBe(true);
  });

  it("moveAfterToFront moves the tasks queued after the mark to the head, in their order", () => {
    for (const [before, after] of [
      [1, 0],
      [1, 1],
      [3, 2],
      [2, 5],
    ] as const) {
      const q = new RunQueue();
      let id = 0;
      for (let i = 0; i < before; i++) q.push(fakeTask(++id));
      const mark = q.tail!;
      for (let i = 0; i < after; i++) q.push(fakeTask(++id));
      q.moveAfterToFront(mark);
      const ids = Array.from({ length: id }, (_, i) => i + 1);
      const want = [...ids.slice(before), ...ids.slice(0, before)];
      expect(contents(q)).toEqual(want);
      expect(q.tail!.id).toBe(want[want.length - 1]);
      q.push(fakeTask(99));
      expect(contents(q)).toEqual([...want, 99]);
    }
  });
});
