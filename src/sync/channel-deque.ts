/**
 * The buffer of a memory channel: a growable ring buffer.
 *
 * `Array.prototype.shift` on a long array is O(n), and a queue that only
 * pushes and shifts also keeps V8 from reusing the array's backing store.
 * A power-of-two ring with a head index makes both ends O(1) and allocates
 * only when it doubles. Slots are cleared on removal so the buffer never
 * keeps a delivered value alive.
 */

/** @internal A FIFO of values: push at the tail, shift from the head. */
export class Deque {
  private items: unknown[] = [];
  private head = 0;
  private mask = -1;
  /** Number of values held. */
  size = 0;

  /** @param initialCapacity rounded up to a power of two on first use (at most 16). */
  constructor(private readonly initialCapacity: number) {}

  /** Appends a value at the tail. */
  push(value: unknown): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = value;
    this.size++;
  }

  /** Removes and returns the value at the head; the deque must not be empty. */
  shift(): unknown {
    const head = this.head;
    const value = this.items[head];
    this.items[head] = undefined;
    this.head = (head + 1) & this.mask;
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

  private grow(): void {
    const old = this.items;
    const oldCapacity = old.length;
    let capacity = oldCapacity * 2;
    if (capacity === 0) {
      capacity = 1;
      const want = Math.min(16, Math.max(1, this.initialCapacity));
      while (capacity < want) capacity *= 2;
    }
    const items: unknown[] = new Array<unknown>(capacity).fill(undefined);
    for (let i = 0; i < this.size; i++) items[i] = old[(this.head + i) & (oldCapacity - 1)];
    this.items = items;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
