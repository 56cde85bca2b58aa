/**
 * The tasks of a loop that are not done: a doubly linked list threaded
 * through two fields of each Task (`loopPrev`, `loopNext`).
 *
 * Why not a Set: every Task goes in when it is created and out when it
 * finishes, and the Set's hashing and growth were a tenth of a 10k-task
 * `gather`. The links cost nothing to add or remove and allocate nothing.
 * It has the two things tools read of a Set (`size`, iteration in creation
 * order); iteration walks a copy, so tasks may finish meanwhile.
 */
import type { Task } from "./task.js";

/** @internal See the module comment. */
export class LoopTasks implements Iterable<Task<unknown>> {
  /** How many tasks are in the list. */
  size = 0;
  private first: Task<unknown> | null = null;
  private last: Task<unknown> | null = null;

  /** Appends `task` (not in the list yet). */
  add(task: Task<unknown>): void {
    const last = this.last;
    task.loopPrev = last;
    task.loopNext = null;
    if (last === null) this.first = task;
    else last.loopNext = task;
    this.last = task;
    this.size++;
  }

  /** Takes `task` out; returns false if it was not in the list. */
  delete(task: Task<unknown>): boolean {
    const prev = task.loopPrev;
    const next = task.loopNext;
    if (prev === null && this.first !== task) return false;
    if (prev === null) this.first = next;
    else prev.loopNext = next;
    if (next === null) this.last = prev;
    else next.loopPrev = prev;
    task.loopPrev = null;
    task.loopNext = null;
    this.size--;
    return true;
  }

  /** The tasks, oldest first, as they are now. */
  toArray(): Task<unknown>[] {
    const out: Task<unknown>[] = [];
    for (let t = this.first; t !== null; t = t.loopNext) out.push(t);
    return out;
  }

  [Symbol.iterator](): Iterator<Task<unknown>> {
    return this.toArray()[Symbol.iterator]();
  }
}
