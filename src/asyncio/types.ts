/**
 * The asyncio flavour's types. An asyncio coroutine is a generator that
 * yields Futures (`yield* future` is Python's `await future`). Its yield type
 * is branded differently from a Trio operation's, so mixing the flavours is a
 * compile error; at run time each side still names the adapter to use.
 */
declare const aioBrand: unique symbol;

/** What an asyncio coroutine yields to its Task: a Future (opaque). */
export interface AioYield {
  readonly [aioBrand]: "asyncio";
}

/** An asyncio coroutine: a generator run by an asyncio Task. */
export type Coroutine<T = void> = Generator<AioYield, T, unknown>;

/** A function that makes an asyncio coroutine. */
export type CoroutineFn<A extends unknown[] = unknown[], T = unknown> = (...args: A) => Coroutine<T>;
