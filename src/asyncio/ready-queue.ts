/**
 * The asyncio loop's ready queue: a FIFO of callbacks, three slots per
 * entry, stored in small fixed-size chunks linked one to the next.
 *
 * Why chunks and not one growing array: past about 32k slots an array's
 * storage moves to V8's large-object space, which is old; from then every
 * store of a freshly made Handle into it takes the write barrier's slow
 * path (an old-to-new remembered-set entry), and a 100k `callSoon` burst
 * cost ten times what the same stores into small, young arrays cost. A
 * chunk is small enough to be allocated young, next to the Handles stored
 * in it. A spent chunk is dropped; when the queue empties, its one chunk is
 * reused from the start, so a chain of callbacks allocates no chunks.
 *
 * The consumer (the loop's `runOnce`) reads `head`/`headPos` and calls
 * `advance()`; entries are cleared as they are taken, so the queue holds
 * nothing it has run.
 */

/** Entries per chunk. */
const CHUNK_ENTRIES = 512;
/** @internal Slots per chunk; the slot after them links to the next chunk. */
export const CHUNK_SLOTS = 3 * CHUNK_ENTRIES;

function newChunk(): unknown[] {
  return new Array<unknown>(CHUNK_SLOTS + 1);
}

/** @internal See the module comment. */
export class ReadyQueue {
  /** Entries queued. */
  size = 0;
  /** The chunk of the oldest entry. */
  head: unknown[];
  /** The slot of the oldest entry in `head` (CHUNK_SLOTS: it is in the next chunk). */
  headPos = 0;
  private tail: unknown[];
  private tailPos = 0;

  constructor() {
    this.head = this.tail = newChunk();
  }

  /** Appends the entry `a, b, c`. */
  push(a: unknown, b: unknown, c: unknown): void {
    let chunk = this.tail;
    let p = this.tailPos;
    if (this.size === 0) {
      // Empty: head and tail are in the same chunk; start it over.
      p = 0;
      this.headPos = 0;
    } else if (p === CHUNK_SLOTS) {
      const next = newChunk();
      chunk[CHUNK_SLOTS] = next;
      this.tail = chunk = next;
      p = 0;
    }
    chunk[p] = a;
    chunk[p + 1] = b;
    chunk[p + 2] = c;
    this.tailPos = p + 3;
    this.size++;
  }

  /**
   * Moves `head`/`headPos` to the oldest entry (into the next chunk when
   * the head chunk is spent) and returns its slot; the queue must not be
   * empty. The caller reads the three slots, then calls `taken(slot)`.
   */
  first(): number {
    if (this.headPos === CHUNK_SLOTS) {
      this.head = this.head[CHUNK_SLOTS] as unknown[];
      this.headPos = 0;
    }
    return this.headPos;
  }

  /** Clears the oldest entry, at `slot` of `head`, and drops it from the queue. */
  taken(slot: number): void {
    const chunk = this.head;
    chunk[slot] = undefined;
    chunk[slot + 1] = undefined;
    chunk[slot + 2] = undefined;
    this.headPos = slot + 3;
    this.size--;
  }
}
