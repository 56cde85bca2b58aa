/**
 * A growable ring buffer: push at the tail, shift at the head, remove
 * anywhere: a memory channel's buffer and waiter lines, asyncio's waiter
 * lines and Queue. (The run queue is a list through the tasks, see
 * run-queue.ts.)
 *
 * `Array.prototype.shift` on a long array is O(n), and an array used as a
 * queue with a moving head must either be compacted (a copy) or thrown away
 * when it drains. A power-of-two ring makes both ends O(1), allocates only
 * when it doubles and never shrinks. Slots are cleared on removal so the
 * buffer never keeps a delivered value alive. New storage gets one
 * `undefined` first, so every instance has the same element kind (generic,
 * holey) and the methods stay monomorphic whatever they hold; its other
 * slots stay holes, which read as undefined (`fill(undefined)` cost some
 * twenty instructions a slot, in the runtime's C++).
 */

/** @internal A FIFO that can also remove anywhere and copy out its values. */
export class RingDeque<T> {
  /** @internal */ private items: (T | undefined)[];
  /** @internal */ private head = 0;
  /** @internal */ private mask: number;
  /** Number of values held. */
  size = 0;

  /** @param initialCapacity rounded up to a power of two; storage is made on first push. */
  constructor(private readonly initialCapacity = 4) {
    this.items = [];
    this.mask = -1;
  }

  /** Appends a value at the tail. */
  push(value: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = value;
    this.size++;
  }

  /** Removes and returns the head value; the deque must not be empty. */
  shift(): T {
    const head = this.head;
    const value = this.items[head] as T;
    this.items[head] = undefined;
    this.head = (head + 1) & this.mask;
    this.size--;
    return value;
  }

  private grow(): void {
    const old = this.items;
    const oldCapacity = old.length;
    let capacity = oldCapacity * 2;
    if (capacity === 0) {
      capacity = 1;
      while (capacity < this.initialCapacity) capacity *= 2;
    }
    const items = new Array<T | undefined>(capacity);
    // One undefined makes the elements generic at once, the rest read as undefined (see the module comment).
    items[0] = undefined;
    for (let i = 0; i < this.size; i++) items[i] = old[(this.head + i) & (oldCapacity - 1)];
    this.items = items;
    this.head = 0;
    this.mask = capacity - 1;
  }

  /** The value at position `index` from the head (0 = head); `index` must be < size. */
  at(index: number): T {
    return this.items[(this.head + index) & this.mask] as T;
  }

  /** Removes the first occurrence of `value`; returns false if it is not held. */
  remove(value: T): boolean {
    const i = this.indexOf(value);
    if (i === -1) return false;
    this.removeAt(i);
    return true;
  }

  /** Position of the first occurrence of `value` from the head, or -1. */
  indexOf(value: T): number {
    const mask = this.mask;
    for (let i = 0; i < this.size; i++) if (this.items[(this.head + i) & mask] === value) return i;
    return -1;
  }

  /** Removes and returns the value at position `index` (0 = head); `index` must be < size. */
  removeAt(index: number): T {
    if (index === 0) return this.shift();
    const mask = this.mask;
    const size = this.size;
    const value = this.items[(this.head + index) & mask] as T;
    for (let i = index; i < size - 1; i++) this.items[(this.head + i) & mask] = this.items[(this.head + i + 1) & mask];
    this.items[(this.head + size - 1) & mask] = undefined;
    this.size--;
    return value;
  }

  /** Drops every value and the storage. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.mask = -1;
    this.size = 0;
  }

  /** The values, head first (a copy). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.at(i));
    return out;
  }
}
