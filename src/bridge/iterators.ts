/**
 * Streams of values across the flavours: `aioIterAsTrio` lets Trio code
 * receive from an asyncio async iterator, `trioIterAsAio` lets asyncio code
 * iterate over a Trio receive channel.
 *
 * Python's async generators have no counterpart here: a generator cannot
 * both yield Futures (to its Task) and yield values (to its consumer). So an
 * asyncio async iterator is an object whose `next()` is a coroutine, which
 * is all the protocol below asks for. Both adapters are pull-based: no
 * background task and no buffer, so every value is produced on demand, a
 * cancelled receive cancels exactly one pending `next()`, and nothing can
 * outlive the code using it.
 */
import { BusyResourceError, ClosedResourceError, EndOfChannel, describe, readProperty } from "../core/errors.js";
import { requireTask } from "../core/state.js";
import type { Operation } from "../core/traps.js";
import type { Task as TrioTask } from "../core/task.js";
import { CancelledError } from "../asyncio/errors.js";
import type { Future } from "../asyncio/future.js";
import type { Task } from "../asyncio/task.js";
import type { Coroutine } from "../asyncio/types.js";
import type { AsyncgenLike, EventLoop } from "../asyncio/event-loop.js";
import type { ReceiveResult } from "../sync/channel.js";
import { forEachReceived, receiveOrEnd } from "../sync/receive-loop.js";
import { aioAsTrio, waitFuture } from "./aio-as-trio.js";
import { currentLoop } from "./open-loop.js";
import { trioAsAio } from "./trio-as-aio.js";

/**
 * The asyncio flavour's async-iterator protocol (Python's `__anext__` and
 * `aclose`, in JavaScript's iterator shape): `next()` is a coroutine that
 * gives `{ done: false, value }` for each value and `{ done: true }` at the
 * end; the optional `return()` releases the iterator's resources when the
 * consumer stops early.
 */
export interface AioAsyncIterator<T> {
  /** The next value (`done: false`) or the end (`done: true`). */
  next(): Coroutine<IteratorResult<T, unknown>>;
  /** Stops the iteration early and releases what the iterator holds. */
  return?(): Coroutine<unknown>;
}

/** What `trioIterAsAio` reads from: a Trio receive channel, or anything with `receive()`. */
export interface TrioReceiver<T> {
  /** Receives the next value; raises `EndOfChannel` at the end. */
  receive(): Operation<T>;
  /** Closes the receiver (the operation form); preferred over `close()`. */
  aclose?(): Operation<void>;
  /** Closes the receiver. */
  close?(): void;
}

const DONE_RESULT: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Whether a method's result can be run with `yield*` (a generator, a
 * Future): checked first, as `yield*` would fail with an engine message.
 * Either side's iterator methods written as async methods give Promises.
 */
function canYieldFrom(step: unknown): boolean {
  return step !== null && typeof step === "object" && typeof readProperty(step, Symbol.iterator) === "function";
}

/** What an asyncio iterator's next() or return() gave, if `yield*` can run it. */
function awaitable<R>(step: Coroutine<R>, method: string): Coroutine<R> {
  if (canYieldFrom(step)) return step;
  throw new TypeError(`An asyncio async iterator's ${method}() must return a coroutine (call a function* that yield*s Futures), got ${describe(step)}. A JavaScript async iterator's methods return Promises: adapt it as { *${method}() { return yield* asyncio.wrapPromise(it.${method}()); } }.`);
}

function* nextOf<T>(iterator: AioAsyncIterator<T>): Coroutine<IteratorResult<T, unknown>> {
  const result = yield* awaitable(iterator.next(), "next");
  // Read once, totally: a revoked Proxy or a throwing getter is a malformed result, not an engine error.
  const done = result !== null && typeof result === "object" ? readProperty(result, "done") : undefined;
  if (typeof done !== "boolean") {
    throw new TypeError(`An asyncio async iterator's next() must return { done, value }, got ${describe(result)}.`);
  }
  return done ? DONE_RESULT : { done, value: (result as IteratorYieldResult<T>).value };
}

/** A Future that completes (with no value) when `future` is done, whatever its outcome. */
function whenDone(future: Future<unknown>): Future<void> {
  const done = future.getLoop().createFuture<void>();
  future.addDoneCallback(() => {
    if (!done.done()) done.setResult(undefined);
  });
  return done;
}

/** aclose()'s asyncio side. Until it begins, the loop still finalizes the iterator at close: aclose() may be cancelled first. */
function* returnOf<T>(iterator: AioAsyncIterator<T>, loop: EventLoop | null): Coroutine<void> {
  loop?.asyncgens.delete(iterator);
  if (typeof iterator.return === "function") yield* awaitable(iterator.return(), "return");
}

/**
 * Trio's view of an asyncio async iterator: a receive-channel-like object.
 * Made by `aioIterAsTrio`; used by one task at a time.
 */
export class AioIterReceiver<T> {
  private ended = false;
  private closedFlag = false;
  /** The asyncio Task running the pending next(), if a task is receiving. */
  private pending: Task<IteratorResult<T, unknown>> | null = null;
  /** The loop the iterator was started on: it finalizes the iterator if we never finish it. */
  private loop: EventLoop | null = null;

  /** @internal Use aioIterAsTrio(). */
  constructor(private readonly iterator: AioAsyncIterator<T>) {}

  /** True once `aclose()` was called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * Runs the iterator's `next()` on the enclosing openLoop's loop and
   * returns the value. Raises `EndOfChannel` at the end (and on every call
   * after), `ClosedResourceError` after `aclose()`, `BusyResourceError` if
   * another task is receiving. If the Trio side is cancelled, the pending
   * `next()` is cancelled (once) and this raises `Cancelled`; whether the
   * iterator lost a value then is up to the iterator.
   */
  *receive(): Operation<T> {
    requireTask("AioIterReceiver.receive()");
    if (this.closedFlag) throw new ClosedResourceError("receive() on an AioIterReceiver that was closed with aclose().");
    if (this.ended) throw new EndOfChannel("The asyncio async iterator has ended.");
    if (this.pending !== null) {
      throw new BusyResourceError("Another task is already receiving from this asyncio iterator; an async iterator serves one consumer at a time.");
    }
    const loop = (this.loop ??= currentLoop());
    // Registered once the task exists: a closed loop refuses it, and must not keep the iterator.
    const task = loop.createTask(nextOf<T>(this.iterator), { name: "AioIterReceiver.next" });
    loop.asyncgens.add(this.iterator);
    loop.finalizeAsyncgens = finalizeAsyncgens;
    this.pending = task;
    let result: IteratorResult<T, unknown>;
    try {
      result = yield* waitFuture(task);
    } catch (error) {
      if (this.closedFlag && error instanceof CancelledError) {
        throw new ClosedResourceError("The AioIterReceiver was closed while this task was receiving from it.");
      }
      // next() raised: like an async generator that raised (or a for-await loop), the loop's close does not call return().
      if (task.done() && !task.cancelled()) loop.asyncgens.delete(this.iterator);
      throw error;
    } finally {
      this.pending = null;
    }
    if (result.done === true) {
      this.ended = true;
      loop.asyncgens.delete(this.iterator);
      throw new EndOfChannel("The asyncio async iterator has ended.");
    }
    return result.value;
  }

  /** `receive()`, as `{ done: false, value }` or `{ done: true }` at the end. */
  receiveOrEnd(): Operation<ReceiveResult<T>> {
    return receiveOrEnd(this);
  }

  /** Runs `body` for each value, one at a time, until the iterator ends. */
  forEach(body: (value: T) => Operation<unknown>): Operation<void> {
    return forEachReceived(this, body);
  }



  /**
   * Stops the iteration: cancels a `next()` another task is waiting for
   * (that task gets `ClosedResourceError`) and waits for it to end, then
   * runs the iterator's `return()` (if it has one and has not ended) as
   * asyncio code and waits for it. Idempotent. Later receives raise
   * `ClosedResourceError`. If this is cancelled before `return()` has
   * begun, the loop runs `return()` when it closes.
   */
  *aclose(): Operation<void> {
    requireTask("AioIterReceiver.aclose()");
    if (this.closedFlag) return;
    this.closedFlag = true;
    const pending = this.pending;
    if (pending !== null && !pending.done()) {
      pending.cancel("the AioIterReceiver was closed");
      yield* waitFuture(whenDone(pending));
    }
    if (this.ended) return;
    this.ended = true;
    yield* aioAsTrio(returnOf<T>)(this.iterator, this.loop);
  }

  toString(): string {
    return `<AioIterReceiver${this.closedFlag ? " closed" : this.ended ? " ended" : ""}>`;
  }
}

/**
 * Gives Trio code a receive-channel-like view of an asyncio async iterator.
 * Call it inside an openLoop block (its `next()` runs on that loop).
 *
 * ```ts
 * const rx = aioIterAsTrio(websocketMessages);
 * yield* rx.forEach(function* (msg) { ... });
 * ```
 */
export function aioIterAsTrio<T>(iterator: AioAsyncIterator<T>): AioIterReceiver<T> {
  if (iterator === null || typeof iterator !== "object" || typeof readProperty(iterator, "next") !== "function") {
    throw new TypeError(`aioIterAsTrio(iterator) needs an asyncio async iterator: an object whose next() is a coroutine function, got ${describe(iterator)}.`);
  }
  return new AioIterReceiver<T>(iterator);
}

/** awaitable() for the Trio side: what a receiver's receive() or aclose() gave, if `yield*` can run it. */
function operationOf<R>(step: Operation<R>, method: string): Operation<R> {
  if (canYieldFrom(step)) return step;
  throw new TypeError(`trioIterAsAio: the receiver's ${method}() must return a Trio operation (call a function* that yield*s Trio operations), got ${describe(step)}. Write it as *${method}() { ... } and await a Promise inside with yield* waitPromise(p).`);
}

function* receiveStep<T>(receiver: TrioReceiver<T>): Operation<IteratorResult<T, undefined>> {
  const r = yield* receiveOrEnd({ receive: () => operationOf(receiver.receive(), "receive") });
  return r.done ? DONE_RESULT : r;
}

function* closeStep<T>(receiver: TrioReceiver<T>): Operation<void> {
  if (typeof receiver.aclose === "function") yield* operationOf(receiver.aclose(), "aclose");
  else if (typeof receiver.close === "function") receiver.close();
}

/**
 * asyncio's view of a Trio receive channel, made by `trioIterAsAio`. It is
 * an `AioAsyncIterator`: `next()` (or its Python name `anext()`) receives
 * the next value in a Trio task, `return()` (or `aclose()`) closes the
 * channel.
 */
export class TrioIterAio<T> implements AioAsyncIterator<T> {
  private ended = false;

  /** @internal Use trioIterAsAio(). */
  constructor(private readonly receiver: TrioReceiver<T>) {}

  /**
   * Receives the next value: `{ done: false, value }`, or `{ done: true }`
   * once the channel has ended (and on every call after). Cancelling the
   * awaiting asyncio task cancels the Trio receive; a memory channel loses
   * no value then.
   */
  *next(): Coroutine<IteratorResult<T, undefined>> {
    if (this.ended) return DONE_RESULT;
    const result = yield* trioAsAio(receiveStep<T>)(this.receiver);
    if (result.done === true) this.ended = true;
    return result;
  }

  /** `next()`, by its Python name. */
  anext(): Coroutine<IteratorResult<T, undefined>> {
    return this.next();
  }

  /** Closes the Trio receiver (its `aclose()` or `close()`); returns `{ done: true }`. */
  *return(): Coroutine<IteratorResult<T, undefined>> {
    if (!this.ended) {
      this.ended = true;
      yield* trioAsAio(closeStep<T>)(this.receiver);
    }
    return DONE_RESULT;
  }

  /** `return()`, by its Python name. */
  *aclose(): Coroutine<void> {
    yield* this.return();
  }

  toString(): string {
    return `<TrioIterAio${this.ended ? " ended" : ""}>`;
  }
}

/**
 * Gives asyncio code an async iterator over a Trio receive channel (a
 * `MemoryReceiveChannel`, an `AioIterReceiver`, anything with `receive()`).
 * Use it inside an openLoop block or `asyncioRun`.
 *
 * ```ts
 * const it = trioIterAsAio(rx);
 * for (;;) {
 *   const r = yield* it.next();
 *   if (r.done) break;
 *   use(r.value);
 * }
 * ```
 */
export function trioIterAsAio<T>(receiver: TrioReceiver<T>): TrioIterAio<T> {
  if (receiver === null || typeof receiver !== "object" || typeof readProperty(receiver, "receive") !== "function") {
    throw new TypeError(`trioIterAsAio(receiver) needs a Trio receive channel (an object with receive()), got ${describe(receiver)}.`);
  }
  return new TrioIterAio<T>(receiver);
}

/**
 * The loop's shutdown round for async iterators (EventLoop.finalizeAsyncgens),
 * as Python's shutdown_asyncgens: iterators that were started and never
 * finished get their return() run, so their cleanup happens. These tasks
 * are cleanup: awaited, not cancelled.
 */
function* finalizeAsyncgens(loop: EventLoop, me: TrioTask): Operation<void> {
  const gens = [...loop.asyncgens];
  loop.asyncgens.clear();
  const round = new Set<Task<unknown>>();
  for (const gen of gens) {
    const task = loop.createTask(finalizeAsyncgen(loop, gen), { name: "asyncgen finalizer" });
    // An eager task (a task factory's) may be done already: taskFinished would never take it out.
    if (!task.done()) round.add(task);
  }
  yield* loop.awaitRound(me, round);
}

function* finalizeAsyncgen(loop: EventLoop, gen: AsyncgenLike): Coroutine<void> {
  try {
    if (typeof gen.return === "function") yield* awaitable(gen.return(), "return");
  } catch (error) {
    // A context without an exception is only logged: a thrown undefined or null must not vanish that way.
    const exception = error ?? new TypeError(`An asynchronous iterator's return() threw ${String(error)} while the loop closed; throw an Error object instead.`);
    loop.callExceptionHandler({ message: "an error occurred during closing of an asynchronous iterator", exception });
  }
}
