/**
 * Compile-time checks of both flavours' staggeredRace (run by tsc, never
 * executed): the result is a precise union, so the winner's value is `T`
 * only once `index` is known not to be null, and each flavour refuses the
 * other's attempts.
 */
import { sleep as trioSleep, staggeredRace, type Operation } from "../../src/core/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { Coroutine } from "../../src/asyncio/index.js";

function* trioAttempt(): Operation<string> {
  yield* trioSleep(1);
  return "trio";
}

function* aioAttempt(): Coroutine<string> {
  yield* asyncio.sleep(1);
  return "aio";
}

export function* trioNarrowing(): Operation<string> {
  const [result, index, errors] = yield* staggeredRace([trioAttempt, trioAttempt], 0.25);
  // @ts-expect-error -- before the check, result may be null (none won).
  const early: string = result;
  void early;
  if (index === null) throw new AggregateError(errors, "all failed");
  const at: number = index;
  void at;
  return result;
}

export function* aioNarrowing(): Coroutine<string> {
  const race = yield* asyncio.staggeredRace([aioAttempt, () => Promise.resolve("promise")], null);
  if (race[1] === null) {
    const none: null = race[0];
    void none;
    return "none";
  }
  return race[0];
}

export function* trioRefusesCoroutines(): Operation<void> {
  // @ts-expect-error -- an asyncio coroutine is not a Trio operation.
  yield* staggeredRace([aioAttempt], 1);
}

export function* aioRefusesOperations(): Coroutine<void> {
  // @ts-expect-error -- a Trio operation is not an asyncio awaitable.
  yield* asyncio.staggeredRace([trioAttempt], 1);
}
