/**
 * One heap for every deadline of a run: sleeping tasks and cancel scopes.
 *
 * The runner arms a single host timer for the earliest entry, whatever the
 * number of sleepers. Entries know their own position in the heap, so a
 * sleeper that is cancelled, or a scope whose deadline moves, is removed in
 * O(log n) without leaving tombstones behind. Each sleeper or scope owns one
 * entry and reuses it, so sleeping allocates nothing after the first time.
 */

/** Something that happens at a deadline. */
export abstract class DeadlineEntry {
  /** The deadline, in the run's clock seconds. */
  deadline = Infinity;
  /** Insertion order, to break ties first-in first-out. */
  seq = 0;
  /** Position in the heap, or -1 when not in it. */
  index = -1;
  /** Called by the runner once the deadline has passed. */
  abstract expire(): void;
}

export class DeadlineHeap {
  private readonly items: DeadlineEntry[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** The earliest deadline, or Infinity. */
  earliest(): number {
    return this.items.length === 0 ? Infinity : this.items[0]!.deadline;
  }

  /** Adds the entry, or moves it if it is already in. */
  set(entry: DeadlineEntry, deadline: number): void {
    if (entry.index !== -1) this.remove(entry);
    if (deadline === Infinity) return;
    entry.deadline = deadline;
    entry.seq = this.nextSeq++;
    entry.index = this.items.length;
    this.items.push(entry);
    this.up(entry.index);
  }

  remove(entry: DeadlineEntry): void {
    const i = entry.index;
    if (i === -1) return;
    entry.index = -1;
    const last = this.items.pop()!;
    if (i < this.items.length) {
      this.items[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
  }

  /** Removes and returns the earliest entry if its deadline is at or before `now`. */
  popExpired(now: number): DeadlineEntry | undefined {
    const top = this.items[0];
    if (top === undefined || top.deadline > now) return undefined;
    this.remove(top);
    return top;
  }

  private less(a: DeadlineEntry, b: DeadlineEntry): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private up(i: number): void {
    const items = this.items;
    const entry = items[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex]!;
      if (!this.less(entry, parent)) break;
      items[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    items[i] = entry;
    entry.index = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const entry = items[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(items[right]!, items[left]!) ? right : left;
      if (!this.less(items[child]!, entry)) break;
      items[i] = items[child]!;
      items[i]!.index = i;
      i = child;
    }
    items[i] = entry;
    entry.index = i;
  }
}
