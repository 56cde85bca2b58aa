/**
 * Receiving until the end, for anything with a `receive()` that raises
 * `EndOfChannel` when done: memory channels, and the bridges' adapters of
 * asyncio iterators. One place, so every receiver ends and reports a bad
 * `forEach` body the same way.
 */
import { EndOfChannel, describe } from "../core/errors.js";
import { checkFunction } from "../core/nursery.js";
import type { Operation } from "../core/traps.js";
import type { ReceiveResult } from "./channel.js";

/** Anything that receives values one at a time and raises `EndOfChannel` at the end (a memory channel, say). */
export interface Receiver<T> {
  /** The next value; raises `EndOfChannel` at the end. */
  receive(): Operation<T>;
}

const END: ReceiveResult<never> = Object.freeze({ done: true });

/** @internal `receive()`, as `{ done: false, value }`, or `{ done: true }` at the end. */
export function* receiveOrEnd<T>(receiver: Receiver<T>): Operation<ReceiveResult<T>> {
  let value: T;
  try {
    value = yield* receiver.receive();
  } catch (error) {
    if (error instanceof EndOfChannel) return END;
    throw error;
  }
  return { done: false, value };
}

/** @internal Runs `body` for each value received, one at a time, until the end. */
export function* forEachReceived<T>(receiver: Receiver<T>, body: (value: T) => Operation<unknown>): Operation<void> {
  if (typeof body !== "function") {
    throw new TypeError(`forEach(body) takes a generator function such as function* (value) { ... }, got ${describe(body)}.`);
  }
  // A revoked Proxy of a function or an async function: named now, not at the first value.
  checkFunction("forEach(body)", body);
  for (;;) {
    const r = yield* receiveOrEnd(receiver);
    if (r.done) return;
    const op = body(r.value) as Operation<unknown> | undefined;
    if (op === null || typeof op !== "object" || typeof op.next !== "function") {
      throw new TypeError(
        `forEach(body): body must be a generator function (function* (value) { ... }) so it can yield*; ` + `it returned ${describe(op)}.`,
      );
    }
    yield* op;
  }
}
