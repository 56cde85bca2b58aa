/**
 * Values the bad-input tables pass where the API wants something else:
 * one definition for every table, so each states only its rows.
 */

// Deliberately wrong inputs, typed loosely so the compiler lets them through.
export type Any = any;
export const bad = (v: unknown): Any => v;

/** A Proxy that has been revoked (of a function if `fn`): every operation on it throws. */
export function revoked(fn = false): Any {
  const { proxy, revoke } = Proxy.revocable(fn ? function target() {} : {}, {});
  revoke();
  return proxy;
}

/** The engine's own words for a value it could not handle: no table's message may start with them. */
export const ENGINE_WORDS = /^(Cannot (read properties|perform|convert)|\S+ is not (a function|iterable)|Found invalid|Do not know how)/;
