/**
 * The run queue: a FIFO of runnable tasks as a power-of-two ring buffer.
 *
 * A plain array with `push` and a moving head either has to be compacted
 * (a copy of everything queued) or reset when it drains (which throws its
 * storage away and reallocates on the next push). The ring never copies
 * except when it doubles, and never shrinks, so a steady workload runs with
 * no allocation at all.
 */
import type { Task } from "./task.js";

export class RunQueue {
  private items: (Task | undefined)[];
  private mask: number;
  private head = 0;
  /** Number of queued tasks. */
  size = 0;

  constructor(capacity = 256) {
    this.items = new Array<Task | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  push(task: Task): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = task;
    this.size++;
  }

  /** Removes and returns the oldest task; only call when `size > 0`. */
  shift(): Task {
    const i = this.head;
    const task = this.items[i]!;
    this.items[i] = undefined;
    this.head = (i + 1) & this.mask;
    this.size--;
    return task;
  }

  private grow(): void {
    const old = this.items;
    const n = old.length;
    const next = new Array<Task | undefined>(n * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    this.items = next;
    this.mask = n * 2 - 1;
    this.head = 0;
  }
}
