/**
 * The asyncio loop's ready queue: a FIFO of callbacks, stored in small
 * fixed-size chunks linked one to the next.
 *
 * Two widths of entry, told apart by their first slot:
 * - three slots `fn, arg, context` (the first a function): the library's
 *   own callbacks (Future done callbacks, a parked Task's wakeup, a sleep
 *   timer), which have no Handle;
 * - one slot, an object: a Handle (what callSoon and timers schedule, which
 *   carries its own context) or a Task whose next step is due (its context
 *   is the Task's own: see EventLoop.scheduleStep). A one-slot entry is a
 *   third of the queue's memory per callSoon or new Task, and most of a
 *   10k-task gather's entries are those.
 * An entry never straddles two chunks: a three-slot entry that does not fit
 * in the tail chunk starts the next one, and the slots left over are empty,
 * which the consumer reads as "go on in the next chunk".
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
 * The consumer (the loop's `runOnce`) calls `firstSlot()`, reads the entry at
 * that slot of `headChunk`, and calls `taken3()` or `taken1()`; entries are
 * cleared as they are taken, so the queue holds nothing it has run.
 */

/** Three-slot entries per chunk (more one-slot ones fit). */
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
  headChunk: unknown[];
  /** The slot of the oldest entry in `headChunk` (CHUNK_SLOTS, or an empty slot: it is in the next chunk). */
  headPos = 0;
  private tailChunk: unknown[];
  private tailPos = 0;

  constructor() {
    this.headChunk = this.tailChunk = newChunk();
  }

  /** Appends the entry `fn, arg, context` (`fn` a function). */
  push(fn: unknown, arg: unknown, context: unknown): void {
    const p = this.reserve(3);
    const chunk = this.tailChunk;
    chunk[p] = fn;
    chunk[p + 1] = arg;
    chunk[p + 2] = context;
  }

  /** Appends the one-slot entry `item` (an object, not a function). */
  push1(item: object): void {
    const p = this.reserve(1);
    this.tailChunk[p] = item;
  }

  /**
   * Makes room for an entry of `width` slots at the end and counts it;
   * returns its slot in `tailChunk`. An entry that does not fit in the tail
   * chunk starts the next one (the slots left stay empty: see the module
   * comment).
   */
  private reserve(width: number): number {
    let p = this.tailPos;
    if (this.size === 0) {
      // Empty: head and tail are in the same chunk; start it over.
      p = 0;
      this.headPos = 0;
    } else if (p + width > CHUNK_SLOTS) {
      const next = newChunk();
      this.tailChunk[CHUNK_SLOTS] = next;
      this.tailChunk = next;
      p = 0;
    }
    this.tailPos = p + width;
    this.size++;
    return p;
  }

  /**
   * Moves `headChunk`/`headPos` to the oldest entry (into the next chunk when
   * the head chunk is spent) and returns its slot; the queue must not be
   * empty. The caller reads the entry, then calls `taken3(slot)` or
   * `taken1(slot)` by the kind of its first slot.
   */
  firstSlot(): number {
    const pos = this.headPos;
    if (pos === CHUNK_SLOTS || this.headChunk[pos] === undefined) {
      this.headChunk = this.headChunk[CHUNK_SLOTS] as unknown[];
      this.headPos = 0;
      return 0;
    }
    return pos;
  }

  /** Clears the oldest entry, three slots at `slot` of `headChunk`, and drops it from the queue. */
  taken3(slot: number): void {
    const chunk = this.headChunk;
    chunk[slot] = undefined;
    chunk[slot + 1] = undefined;
    chunk[slot + 2] = undefined;
    this.headPos = slot + 3;
    this.size--;
  }

  /** Clears the oldest entry, one slot at `slot` of `headChunk`, and drops it from the queue. */
  taken1(slot: number): void {
    this.headChunk[slot] = undefined;
    this.headPos = slot + 1;
    this.size--;
  }
}
