/**
 * The run queue: the runnable tasks, oldest first, linked through the
 * tasks themselves (`Task.nextQueued`).
 *
 * Why a list and not a ring buffer: a run that spawns 10k tasks queues
 * them all at once, and a ring of 16k slots (128 KB) is a large object to
 * V8, made outside the young generation at some 0.3 ms per run in Node:
 * a sixth of spawning and joining 10k tiny tasks. A link costs one field
 * per task and allocates nothing, at any length. A task is queued at most
 * once (it is queued when it becomes RUNNABLE), so one link is enough.
 */
import type { Task } from "./task.js";

/** @internal */
export class RunQueue {
  /** The next task to run; null when the queue is empty. */
  head: Task | null = null;
  tail: Task | null = null;

  push(task: Task): void {
    const tail = this.tail;
    if (tail === null) this.head = task;
    else tail.nextQueued = task;
    this.tail = task;
  }

  /** Takes the head task; the queue must not be empty. */
  shift(): Task {
    const task = this.head!;
    const next = task.nextQueued;
    this.head = next;
    if (next === null) this.tail = null;
    // A task out of the queue holds no other task.
    else task.nextQueued = null;
    return task;
  }

  /**
   * Moves the tasks queued after `mark`, a task still queued (the tail
   * before they came), to the head, in the order they have.
   */
  moveAfterToFront(mark: Task): void {
    const first = mark.nextQueued;
    if (first === null) return;
    this.tail!.nextQueued = this.head;
    mark.nextQueued = null;
    this.tail = mark;
    this.head = first;
  }
}
