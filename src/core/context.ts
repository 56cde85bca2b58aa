/**
 * Task-local context variables, like Python's contextvars.
 *
 * Each task carries an immutable map from variables to values. A new task
 * starts with the map of the task that spawned it, so a value set around a
 * nursery is seen by every child. `ContextVar.run` swaps in a copy with one
 * entry changed for the duration of an operation; nothing is shared, so no
 * task can change what another one sees.
 */
import { describe } from "./errors.js";
import { current, requireTask } from "./state.js";
import type { Operation } from "./traps.js";

/** @internal The map a task carries (null: empty). */
export type ContextMap = ReadonlyMap<ContextVar<unknown>, unknown> | null;

/**
 * @internal The context of the asyncio code running now (a Task step or a
 * loop callback, which have no Trio task of their own), or undefined
 * outside asyncio code. Set and restored around each step and callback by
 * the asyncio layer, which sits above the core.
 */
export const asyncioContext: { map: ContextMap | undefined } = { map: undefined };

/** @internal The context of the code running now: asyncio code's own, else the Trio task's, else empty. */
export function currentContext(): ContextMap {
  const aio = asyncioContext.map;
  if (aio !== undefined) return aio;
  const task = current.task;
  return task === null ? null : task.context;
}

/** A task-local variable. */
export class ContextVar<T> {
  constructor(
    /** For tools and error messages. */
    readonly name: string,
    private readonly defaultValue?: T,
  ) {}

  /** The value in the running task (Trio or asyncio) or loop callback, or the default (undefined if none). */
  get(): T | undefined;
  /**
   * The value in the running task or loop callback, or `fallback` if it has
   * none here (Python's `var.get(default)`): typed `T` when the fallback is
   * a `T`, where `get()` has to admit `undefined`.
   */
  get<D>(fallback: D): T | D;
  get(...fallback: [unknown?]): unknown {
    const ctx = currentContext();
    if (ctx !== null && ctx.has(this as ContextVar<unknown>)) return ctx.get(this as ContextVar<unknown>);
    return fallback.length > 0 ? fallback[0] : this.defaultValue;
  }

  /** Runs `body` with this variable set to `value` (and so do tasks it spawns). */
  *run<R>(value: T, body: () => Operation<R>): Operation<R> {
    const task = requireTask(`ContextVar(${this.name}).run()`);
    if (typeof body !== "function") {
      throw new TypeError(`ContextVar(${this.name}).run(value, body) needs a generator function as body, got ${describe(body)}.`);
    }
    const saved = task.context;
    const next = new Map(saved ?? undefined);
    next.set(this as ContextVar<unknown>, value);
    task.context = next;
    try {
      return yield* body();
    } finally {
      task.context = saved;
    }
  }
}
