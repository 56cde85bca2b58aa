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
 */

/** Something that happens at a deadline. */
export abstract class DeadlineEntry {
  /** The deadline, in the run's clock seconds. */
  deadline = Infinity;
  /** Insertion order, to break ties first-in first-out. */
  seq = 0;
  /** Position in the heap, or -1 when not in it. */
  index = -1;
  /** In the heap but removed: waiting to be dropped. */
  dead = false;
  /** True while the entry is due to fire (in the heap and not removed). */
  get pending(): boolean {
    return this.index !== -1 && !this.dead;
  }
  /** Called by the runner once the deadline has passed. */
  abstract expire(): void;
}

export class DeadlineHeap {
  private readonly items: DeadlineEntry[] = [];
  private deadCount = 0;
  private nextSeq = 0;

  /** Number of live entries. */
  get size(): number {
    return this.items.length - this.deadCount;
  }

  /** The earliest live deadline, or Infinity. */
  earliest(): number {
    this.dropDeadTop();
    return this.items.length === 0 ? Infinity : this.items[0]!.deadline;
  }

  /** Adds the entry, or moves it if it is already in. */
  set(entry: DeadlineEntry, deadline: number): void {
    if (deadline === Infinity) {
      this.remove(entry);
      return;
    }
    entry.deadline = deadline;
    entry.seq = this.nextSeq++;
    const i = entry.index;
    if (i === -1) {
      entry.index = this.items.length;
      this.items.push(entry);
      this.up(entry.index);
      return;
    }
    // Already in (perhaps dead, e.g. a sleeper cancelled then sleeping again): re-key in place.
    if (entry.dead) {
      entry.dead = false;
      this.deadCount--;
    }
    this.up(i);
    this.down(entry.index);
  }

  remove(entry: DeadlineEntry): void {
    const i = entry.index;
    if (i === -1 || entry.dead) return;
    const items = this.items;
    if (i === items.length - 1) {
      items.pop();
      entry.index = -1;
      return;
    }
    entry.dead = true;
    // Rebuild once the dead outnumber the living: each rebuild is paid for by
    // at least half as many removals as it keeps entries.
    if (++this.deadCount * 2 > items.length) this.rebuild();
  }

  /** Removes and returns the earliest entry if its deadline is at or before `now`. */
  popExpired(now: number): DeadlineEntry | undefined {
    this.dropDeadTop();
    const top = this.items[0];
    if (top === undefined || top.deadline > now) return undefined;
    this.removeTop();
    return top;
  }

  private dropDeadTop(): void {
    const items = this.items;
    while (items.length > 0 && items[0]!.dead) {
      items[0]!.dead = false;
      this.deadCount--;
      this.removeTop();
    }
  }

  private removeTop(): void {
    const items = this.items;
    items[0]!.index = -1;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      last.index = 0;
      this.down(0);
    }
  }

  /** Drops every dead entry and restores the heap order, in O(n). */
  private rebuild(): void {
    const items = this.items;
    let n = 0;
    for (let i = 0; i < items.length; i++) {
      const entry = items[i]!;
      if (entry.dead) {
        entry.dead = false;
        entry.index = -1;
      } else {
        entry.index = n;
        items[n++] = entry;
      }
    }
    items.length = n;
    this.deadCount = 0;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
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
