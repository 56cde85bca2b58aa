/**
 * asyncio's Queue, LifoQueue and PriorityQueue, with CPython 3.13
 * semantics, shutdown included.
 *
 * A blocked `get()` or `put()` waits on a Future queued in FIFO order;
 * `putNowait` wakes the first getter, `getNowait` the first putter. A woken
 * task re-checks the queue when it runs (a newcomer may have taken the item
 * first, as in CPython). If a task is cancelled after being woken but
 * before it ran, it passes the wakeup to the next waiter, so no item or
 * free slot is left without a taker.
 *
 * The hot path is lean for producer/consumer ping-pong: `get()` on a
 * non-empty queue and `put()` on a non-full one never yield, the FIFO store
 * and the waiter lines are ring buffers (no `Array.shift`), and only a task
 * that really blocks allocates (one Future). A blocked task yields its
 * Future straight to its Task, which is what `yield* future` does minus
 * the iterator object.
 */
import { QueueEmpty, QueueFull, QueueShutDown, ValueError } from "./errors.js";
import { isAbandoned, type Future } from "./future.js";
import { Event } from "./locks.js";
import { describe, enqueueWaiter, LoopBound, RingDeque } from "./locks-core.js";
import { FifoStore, LifoStore, PriorityStore, type PriorityOptions, type QueueStore } from "./queues-priority.js";
import type { AioYield, Coroutine } from "./types.js";
import { checkReadable } from "../core/errors.js";

export { comparePriorities, type PriorityOptions } from "./queues-priority.js";

type Waiters = RingDeque<Future<void>>;

/** Wakes the first waiter that is still waiting. */
function wakeupNext(waiters: Waiters): void {
  while (waiters.size > 0) {
    const waiter = waiters.shift();
    if (!waiter.done() && !isAbandoned(waiter)) {
      waiter.setResult(undefined);
      return;
    }
  }
}

/**
 * A waiter leaves the line without completing its operation (cancelled).
 * If it had already been woken and the queue can still serve, wake the next.
 */
function abandon(waiter: Future<void>, waiters: Waiters, canProceed: boolean): void {
  waiter.cancel();
  waiters.remove(waiter);
  if (canProceed && !waiter.cancelled()) wakeupNext(waiters);
}

/**
 * CPython takes any number (<= 0: unbounded). A negative or NaN maxsize is
 * refused here: it is almost surely a bug, and 0 already says "unbounded".
 */
function checkMaxsize(className: string, maxsize: unknown): number {
  if (typeof maxsize !== "number") throw new TypeError(`${className} maxsize must be a number >= 0 (0 means unbounded), got ${describe(maxsize)}.`);
  if (!(maxsize >= 0)) throw new ValueError(`${className} maxsize must be a number >= 0 (0 means unbounded), got ${String(maxsize)}.`);
  return maxsize;
}

/**
 * A FIFO queue for coordinating asyncio tasks. With `maxsize` 0 (the
 * default) it is unbounded; otherwise `put()` waits while it holds
 * `maxsize` items.
 */
export class Queue<T = unknown> extends LoopBound {
  /** @internal the items; subclasses replace it to choose the order */ protected store: QueueStore<T> = new FifoStore<T>();
  private readonly maxsizeValue: number;
  private readonly getters: Waiters = new RingDeque();
  private readonly putters: Waiters = new RingDeque();
  private unfinished = 0;
  private readonly finished = new Event();
  private isShutdown = false;

  /**
   * @param maxsize the most items the queue holds, a number >= 0 (0, the
   * default, or Infinity: unbounded). As in CPython it need not be an
   * integer: the queue is full once it holds `maxsize` items or more.
   */
  constructor(maxsize = 0) {
    super();
    this.maxsizeValue = checkMaxsize(new.target.name, maxsize);
    this.finished.set();
  }

  /** Number of items in the queue. */
  qsize(): number {
    return this.store.size;
  }

  /** The most items the queue holds (0: unbounded). */
  get maxsize(): number {
    return this.maxsizeValue;
  }

  /** True if the queue holds no item. */
  empty(): boolean {
    return this.store.size === 0;
  }

  /** True if the queue holds `maxsize` items (never for an unbounded queue). */
  full(): boolean {
    return this.maxsizeValue > 0 && this.store.size >= this.maxsizeValue;
  }

  /**
   * Puts an item, waiting while the queue is full. Raises QueueShutDown if
   * the queue is (or gets) shut down.
   */
  *put(item: T): Coroutine<void> {
    while (this.full()) {
      if (this.isShutdown) throw shutDownError("put");
      const putter = this.getLoop().createFuture<void>();
      enqueueWaiter(this.putters, putter);
      let woken = false;
      try {
        yield putter as unknown as AioYield; // `yield* putter`, minus the iterator
        woken = true;
      } finally {
        if (!woken) abandon(putter, this.putters, !this.full());
      }
    }
    try {
      this.putNowait(item);
    } catch (error) {
      // Refused (an item a PriorityQueue cannot order): the room this putter was woken for goes to the next one.
      if (!this.full()) wakeupNext(this.putters);
      throw error;
    }
  }

  /** Puts an item without waiting: QueueFull if full, QueueShutDown if shut down. */
  putNowait(item: T): void {
    if (this.isShutdown) throw shutDownError("putNowait");
    if (this.full()) throw new QueueFull(`Queue is full (maxsize ${this.maxsizeValue}): use yield* queue.put(item) to wait for room.`);
    this.store.push(item);
    this.unfinished++;
    this.finished.clear();
    wakeupNext(this.getters);
  }

  /**
   * Removes and returns the next item, waiting while the queue is empty.
   * Raises QueueShutDown once the queue is shut down and empty.
   */
  *get(): Coroutine<T> {
    while (this.store.size === 0) {
      if (this.isShutdown) throw shutDownError("get");
      const getter = this.getLoop().createFuture<void>();
      enqueueWaiter(this.getters, getter);
      let woken = false;
      try {
        yield getter as unknown as AioYield; // `yield* getter`, minus the iterator
        woken = true;
      } finally {
        if (!woken) abandon(getter, this.getters, this.store.size > 0);
      }
    }
    try {
      return this.getNowait();
    } catch (error) {
      // Refused (a PriorityQueue's compare threw while taking): the item this getter was woken for goes to the next one.
      if (this.store.size > 0) wakeupNext(this.getters);
      throw error;
    }
  }

  /** Removes and returns the next item: QueueEmpty if empty, QueueShutDown if also shut down. */
  getNowait(): T {
    if (this.store.size === 0) {
      if (this.isShutdown) throw shutDownError("getNowait");
      throw new QueueEmpty("Queue is empty: use yield* queue.get() to wait for an item.");
    }
    const item = this.store.take();
    wakeupNext(this.putters);
    return item;
  }

  /**
   * Marks one item taken with `get()` as processed. When every item put has
   * been processed, `join()` returns. ValueError if called more times than
   * items were put.
   */
  taskDone(): void {
    if (this.unfinished <= 0) {
      throw new ValueError("taskDone() called too many times: call it once per item taken with get(), after processing it.");
    }
    if (--this.unfinished === 0) this.finished.set();
  }

  /** Waits until every item put has been taken and marked done with `taskDone()`. */
  *join(): Coroutine<void> {
    if (this.unfinished > 0) yield* this.finished.wait();
  }

  /**
   * Shuts the queue down (Python 3.13): `put()` and `putNowait()` raise
   * QueueShutDown from now on, and blocked putters are woken to raise it;
   * `get()` raises it once the queue is empty. With `immediate`, the items
   * still queued are dropped (each counts as done for `join()`), and
   * blocked getters raise at once.
   */
  shutdown(immediate = false): void {
    if (typeof immediate !== "boolean") {
      throw new TypeError(`Queue.shutdown(immediate) takes a boolean (default false), got ${describe(immediate)}.`);
    }
    this.isShutdown = true;
    if (immediate) {
      const store = this.store;
      while (store.size > 0) {
        store.take();
        if (this.unfinished > 0) this.unfinished--;
      }
      if (this.unfinished === 0) this.finished.set();
    }
    // Getters re-check and raise if the queue is empty; putters always raise.
    const getters = this.getters;
    while (getters.size > 0) {
      const getter = getters.shift();
      if (!getter.done()) getter.setResult(undefined);
    }
    const putters = this.putters;
    while (putters.size > 0) {
      const putter = putters.shift();
      if (!putter.done()) putter.setResult(undefined);
    }
  }

  /** True once `shutdown()` was called. */
  get isShutDown(): boolean {
    return this.isShutdown;
  }

  override toString(): string {
    let text = `maxsize=${this.maxsizeValue}`;
    if (this.store.size > 0) {
      const items = this.store.toArray();
      const shown = items.slice(0, 10).map(formatItem);
      if (items.length > 10) shown.push(`...${items.length - 10} more`);
      text += ` items=[${shown.join(", ")}]`;
    }
    if (this.getters.size > 0) text += ` getters[${this.getters.size}]`;
    if (this.putters.size > 0) text += ` putters[${this.putters.size}]`;
    if (this.unfinished > 0) text += ` tasks=${this.unfinished}`;
    if (this.isShutdown) text += " shutdown";
    return `<asyncio.${this.constructor.name} ${text}>`;
  }
}

function formatItem(item: unknown): string {
  let text: string | undefined;
  try {
    text = typeof item === "bigint" ? `${item}n` : JSON.stringify(item);
  } catch {
    text = undefined;
  }
  if (text === undefined) return describe(item);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

function shutDownError(what: string): QueueShutDown {
  return new QueueShutDown(`${what}() on a queue that was shut down with shutdown().`);
}

/** A queue that returns the most recently added item first. */
export class LifoQueue<T = unknown> extends Queue<T> {
  /** @param maxsize as for Queue. */
  constructor(maxsize = 0) {
    super(maxsize);
    this.store = new LifoStore<T>();
  }
}

/**
 * A queue that returns the lowest item first. By default items are
 * compared like Python values: numbers, strings, Dates, and arrays such as
 * `[priority, data]` element by element, like tuples; anything else raises
 * TypeError. Pass `{ key }` to order by a derived priority or `{ compare }`
 * for a custom order. Equal items come out in insertion order.
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  /**
   * @param maxsize as for Queue.
   * @param options `key` (item to priority) or `compare` (two items to a number); at most one.
   */
  constructor(maxsize = 0, options: PriorityOptions<T> = {}) {
    super(maxsize);
    this.store = new PriorityStore<T>(checkOptions(options));
  }
}

function checkOptions<T>(options: PriorityOptions<T>): PriorityOptions<T> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`new PriorityQueue(maxsize, options) takes an options object such as { key: (item) => item.priority }, got ${describe(options)}.`);
  }
  checkReadable("new PriorityQueue(maxsize, options)", options);
  const { key, compare } = options;
  if (key !== undefined && typeof key !== "function") throw new TypeError(`PriorityQueue option key must be a function (item) => priority, got ${describe(key)}.`);
  if (compare !== undefined && typeof compare !== "function") {
    throw new TypeError(`PriorityQueue option compare must be a function (a, b) => number, got ${describe(compare)}.`);
  }
  if (key !== undefined && compare !== undefined) throw new TypeError("PriorityQueue takes either a key or a compare option, not both.");
  return options;
}
