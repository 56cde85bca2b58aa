/**
 * The item stores of asyncio's queues: FIFO (a ring deque), LIFO (an
 * array used as a stack) and priority (a binary min-heap), and the
 * Python-like ordering the priority queue uses by default.
 *
 * Python's PriorityQueue compares items with `<`, so `(priority, data)`
 * tuples order by priority, then by data. JavaScript's `<` converts values
 * to strings or numbers silently, so the default order here is explicit:
 * numbers, bigints and booleans compare numerically with each other,
 * strings with strings (UTF-16 code units), Dates by time, and arrays
 * element by element like Python tuples (a shorter prefix first). Anything
 * else (two distinct objects, a number against a string) raises TypeError,
 * as Python does; a `key` or `compare` option orders other items.
 *
 * The heap breaks ties by insertion order, so equal priorities come out
 * first-in first-out (Python leaves that order unspecified). Each sift
 * first finds where the moving entry goes, comparing without changing
 * anything, and only then moves entries: if a comparison raises, the heap
 * is left exactly as it was.
 */
import { isArrayValue, isInstance } from "../core/errors.js";
import { describe, RingDeque } from "./locks-core.js";

/** @internal How a queue keeps its items: `take()` picks the next one in the queue's order. */
export interface QueueStore<T> {
  readonly size: number;
  push(item: T): void;
  take(): T;
  clear(): void;
  toArray(): T[];
}

/** @internal First in, first out. */
export class FifoStore<T> extends RingDeque<T> implements QueueStore<T> {
  take(): T {
    return this.shift();
  }
}

/** @internal Last in, first out. */
export class LifoStore<T> implements QueueStore<T> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
  }

  take(): T {
    return this.items.pop() as T;
  }

  clear(): void {
    this.items = [];
  }

  toArray(): T[] {
    return this.items.slice();
  }
}

/** How a PriorityQueue orders its items (give at most one of the two). */
export interface PriorityOptions<T> {
  /**
   * Maps an item to its priority, computed once when the item is put and
   * compared with the default Python-like order (lowest first).
   */
  key?: ((item: T) => unknown) | undefined;
  /** Compares two items: negative if `a` comes out first, positive if `b` does, 0 for a tie (NaN or a non-number is refused with a TypeError). */
  compare?: ((a: T, b: T) => number) | undefined;
}

function isNumeric(value: unknown): value is number | bigint | boolean {
  const t = typeof value;
  return t === "number" || t === "bigint" || t === "boolean";
}

/**
 * Compares two priorities like Python's `<` on numbers, strings and tuples
 * (see the module comment). Returns -1, 0 or 1; raises TypeError for values
 * that have no order.
 */
export function comparePriorities(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (isNumeric(a) && isNumeric(b)) {
    const x = typeof a === "boolean" ? Number(a) : a;
    const y = typeof b === "boolean" ? Number(b) : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : 1;
  if (isArrayValue(a) && isArrayValue(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = comparePriorities(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }
  if (isInstance(a, Date) && isInstance(b, Date)) {
    const x = a.getTime();
    const y = b.getTime();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new TypeError(
    `PriorityQueue cannot order ${describe(a)} and ${describe(b)}: priorities are compared like Python values ` +
      "(numbers, strings, Dates, and arrays of these element by element, like tuples). " +
      "Put [priority, item] arrays whose priorities differ or add a sequence number ([priority, seq, item]), " +
      "or create the queue with { key: (item) => item.priority } or { compare: (a, b) => ... }.",
  );
}

/**
 * A user's compare(a, b) must give a number other than NaN: anything else
 * would make the engine's error (a Symbol) or a wrong order (NaN is neither
 * below nor above 0, so it would silently count as "equal").
 */
function badCompareResult(c: unknown): TypeError {
  return new TypeError(`PriorityQueue's compare(a, b) must return a number other than NaN (negative if a comes out first, positive if b does), got ${describe(c)}.`);
}

/** @internal A binary min-heap with insertion order as the final tie-break. */
export class PriorityStore<T> implements QueueStore<T> {
  private items: T[] = [];
  private keys: unknown[] = [];
  private seqs: number[] = [];
  private nextSeq = 0;
  private readonly path: number[] = [];
  private readonly keyFn: ((item: T) => unknown) | null;
  private readonly cmp: (a: unknown, b: unknown) => number;

  constructor(options: PriorityOptions<T>) {
    this.keyFn = options.key ?? null;
    this.cmp = (options.compare as ((a: unknown, b: unknown) => number) | undefined) ?? comparePriorities;
  }

  get size(): number {
    return this.items.length;
  }

  /** True if the entry (key, seq) comes out before the entry at `i`. */
  private before(key: unknown, seq: number, i: number): boolean {
    const c = this.cmp(key, this.keys[i]);
    if (typeof c !== "number" || Number.isNaN(c)) throw badCompareResult(c);
    return c < 0 || (!(c > 0) && seq < this.seqs[i]!);
  }

  private move(from: number, to: number): void {
    this.items[to] = this.items[from]!;
    this.keys[to] = this.keys[from];
    this.seqs[to] = this.seqs[from]!;
  }

  push(item: T): void {
    const key = this.keyFn === null ? item : this.keyFn(item);
    const seq = this.nextSeq;
    const end = this.items.length;
    let target = end;
    while (target > 0) {
      const parent = (target - 1) >> 1;
      if (!this.before(key, seq, parent)) break;
      target = parent;
    }
    // No comparison raised: now move the ancestors down and place the entry.
    this.nextSeq++;
    let hole = end;
    while (hole > target) {
      const parent = (hole - 1) >> 1;
      this.move(parent, hole);
      hole = parent;
    }
    this.items[hole] = item;
    this.keys[hole] = key;
    this.seqs[hole] = seq;
  }

  take(): T {
    const items = this.items;
    const top = items[0] as T;
    const last = items.length - 1;
    if (last > 0) {
      const key = this.keys[last];
      const seq = this.seqs[last]!;
      const path = this.path;
      path.length = 0;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        if (child + 1 < last && this.before(this.keys[child + 1], this.seqs[child + 1]!, child)) child++;
        if (!this.childBefore(child, key, seq)) break;
        path.push(child);
        i = child;
      }
      let hole = 0;
      for (let k = 0; k < path.length; k++) {
        this.move(path[k]!, hole);
        hole = path[k]!;
      }
      this.move(last, hole);
    }
    items.pop();
    this.keys.pop();
    this.seqs.pop();
    return top;
  }

  /** True if the entry at `child` comes out before (key, seq). */
  private childBefore(child: number, key: unknown, seq: number): boolean {
    const c = this.cmp(this.keys[child], key);
    if (typeof c !== "number" || Number.isNaN(c)) throw badCompareResult(c);
    return c < 0 || (!(c > 0) && this.seqs[child]! < seq);
  }

  clear(): void {
    this.items = [];
    this.keys = [];
    this.seqs = [];
  }

  toArray(): T[] {
    return this.items.slice();
  }
}
