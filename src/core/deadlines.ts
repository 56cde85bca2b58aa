/**
 * One heap for every deadline of a run: sleeping tasks and cancel scopes.
 *
 * The runner arms a single host timer for the earliest entry, whatever the
 * number of sleepers. Each sleeper or scope owns one entry and reuses it, so
 * sleeping allocates nothing after the first time.
 *
 * Removal is lazy: a removed entry is only marked dead where it sits. Dead
 * entries are dropped when they reach the top, and the heap is rebuilt
 * without them once they outnumber the live ones. Cancelling a scope full of
 * sleepers removes them all at once, and N removals then cost O(N) in all
 * instead of O(N log N) sift-downs. Nothing dead is ever the earliest entry,
 * so no host timer is armed for one, and `size` counts live entries only.
 *
 * Both classes are internal, so the production build renames their members;
 * the sift helpers are plain functions for the same reason (a minifier
 * renames functions, never methods).
 */

/** @internal Something that happens at a deadline. */
export abstract class DeadlineEntry {
  /** The deadline, in the run's clock seconds. */
  deadline = Infinity;
  /** Insertion order, to break ties first-in first-out. */
  seq = 0;
  /** Position in the heap, or -1 when not in it. */
  heapIndex = -1;
  /** In the heap but removed: waiting to be dropped. */
  dead = false;
  /** Called by the runner once the deadline has passed. */
  abstract expire(): void;
}

/** @internal True while the entry is due to fire (in a heap and not removed); for tests and tools. */
export function isPending(entry: DeadlineEntry): boolean {
  return entry.heapIndex !== -1 && !entry.dead;
}

/** True if `a` is due before `b`: the earlier deadline, then the earlier insertion. */
function before(a: DeadlineEntry, b: DeadlineEntry): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

/** Moves the entry at `i` toward the root until its parent is due before it. */
function siftUp(heap: DeadlineEntry[], i: number): void {
  const entry = heap[i]!;
  for (let parent: number; i > 0 && before(entry, heap[(parent = (i - 1) >> 1)]!); i = parent) (heap[i] = heap[parent]!).heapIndex = i;
  (heap[i] = entry).heapIndex = i;
}

/** Moves the entry at `i` toward the leaves until no child is due before it. */
function siftDown(heap: DeadlineEntry[], i: number): void {
  const n = heap.length;
  const entry = heap[i]!;
  for (let child: number; (child = 2 * i + 1) < n; i = child) {
    if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
    if (!before(heap[child]!, entry)) break;
    (heap[i] = heap[child]!).heapIndex = i;
  }
  (heap[i] = entry).heapIndex = i;
}

/** @internal */
export class DeadlineHeap {
  private readonly heap: DeadlineEntry[] = [];
  private nextSeq = 0;
  /** Number of live entries (the heap's length counts the dead too). */
  size = 0;

  /** The earliest live deadline, or Infinity. */
  earliest(): number {
    return this.dropDeadTop()?.deadline ?? Infinity;
  }

  /** Adds the entry, or moves it if it is already in. */
  set(entry: DeadlineEntry, deadline: number): void {
    if (deadline === Infinity) return this.remove(entry);
    entry.deadline = deadline;
    entry.seq = this.nextSeq++;
    const heap = this.heap;
    const i = entry.heapIndex;
    if (i === -1) {
      this.size++;
      return siftUp(heap, heap.push(entry) - 1);
    }
    // Already in (perhaps dead, e.g. a sleeper cancelled then sleeping again): re-keyed in place.
    if (entry.dead) {
      entry.dead = false;
      this.size++;
    }
    siftUp(heap, i);
    siftDown(heap, entry.heapIndex);
  }

  remove(entry: DeadlineEntry): void {
    const heap = this.heap;
    const i = entry.heapIndex;
    if (i === -1 || entry.dead) return;
    this.size--;
    if (i === heap.length - 1) {
      heap.pop();
      entry.heapIndex = -1;
    } else {
      entry.dead = true;
      // Rebuild once the dead outnumber the living: each rebuild is paid for by
      // at least half as many removals as it keeps entries.
      if (heap.length > 2 * this.size) this.rebuild();
    }
  }

  /** Removes and returns the earliest entry if its deadline is at or before `now`. */
  popExpired(now: number): DeadlineEntry | undefined {
    const top = this.dropDeadTop();
    if (top === undefined || top.deadline > now) return undefined;
    this.size--;
    this.removeTop();
    return top;
  }

  /** The earliest live entry, once the dead above it are dropped. */
  private dropDeadTop(): DeadlineEntry | undefined {
    const heap = this.heap;
    let top: DeadlineEntry | undefined;
    while ((top = heap[0]) !== undefined && top.dead) {
      top.dead = false;
      this.removeTop();
    }
    return top;
  }

  private removeTop(): void {
    const heap = this.heap;
    heap[0]!.heapIndex = -1;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      siftDown(heap, 0);
    }
  }

  /** Drops every dead entry and restores the heap order, in O(n). */
  private rebuild(): void {
    const heap = this.heap;
    let n = 0;
    for (const entry of heap) {
      if (entry.dead) {
        entry.dead = false;
        entry.heapIndex = -1;
      } else (heap[n] = entry).heapIndex = n++;
    }
    heap.length = n;
    for (let i = n >> 1; i-- > 0; ) siftDown(heap, i);
  }
}
