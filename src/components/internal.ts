/**
 * Marks the bindings' own wrapper tasks (the runtime's main task, a
 * component nursery's host and its fresh generations) so that tools can
 * fold them away: the devtools panel hides them, and the scopes they
 * enter, unless asked to show library internals.
 *
 * The mark is a property under a registered symbol on the task function
 * and on its `prototype`, so both the function (before the task's first
 * step) and the generator made from it carry it; the inspector reads it
 * without this layer importing the inspector (or the inspector this one).
 */

/** The registered symbol the inspector looks for (`Symbol.for`, so no import is needed). */
export const INTERNAL_TASK = Symbol.for("trio-asyncio.internal-task");

/** Marks a generator function's tasks as library wrappers, described by `what` (e.g. "component nursery"). */
export function markInternal<F extends (...args: never[]) => unknown>(fn: F, what: string): F {
  Object.defineProperty(fn, INTERNAL_TASK, { value: what });
  const proto: unknown = (fn as { prototype?: unknown }).prototype;
  if (typeof proto === "object" && proto !== null) Object.defineProperty(proto, INTERNAL_TASK, { value: what });
  return fn;
}
