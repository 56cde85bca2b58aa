/**
 * Hostile values for the property tests of the core
 * (hostile-values.property.test.ts) and of asyncio through the bridges
 * (test/bridge/hostile-values-asyncio.property.test.ts): throwing getters,
 * revoked Proxies, objects without a prototype, symbols, BigInts, frozen
 * objects, toString that throws; and the checks both make of how a run
 * settled.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { ExceptionGroup, TrioInternalError } from "../../src/core/index.js";
import { describeError } from "../../src/core/errors.js";

// ---- hostile values ------------------------------------------------------------

const KEYS: readonly PropertyKey[] = ["then", "next", "message", "name", "stack", "constructor", Symbol.toPrimitive, "toString", "valueOf"];

/** A value that is awkward on its own, without getters (what a getter throws). */
export type Simple =
  | "revokedObject"
  | "revokedFunction"
  | "trapsThrow"
  | "nullProto"
  | "symbol"
  | "bigint"
  | "frozen"
  | "frozenError"
  | "toStringThrows"
  | "undefined"
  | "null"
  | "string"
  | "number";

export type Spec =
  | { kind: "simple"; which: Simple }
  | { kind: "getters"; base: "object" | "error" | "function" | "nullProto"; keys: PropertyKey[]; throws: Simple; frozen: boolean }
  | { kind: "thenThrows"; throws: Simple };

/** Every hostile value made for the current case, getters' throws included: what the program may throw. */
export const made = new Set<unknown>();

function makeSimple(which: Simple): unknown {
  const value = makeSimpleValue(which);
  made.add(value);
  return value;
}

function makeSimpleValue(which: Simple): unknown {
  switch (which) {
    case "revokedObject": {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    case "revokedFunction": {
      const { proxy, revoke } = Proxy.revocable(function target() {}, {});
      revoke();
      return proxy;
    }
    case "trapsThrow": {
      const fail = (): never => {
        throw new Error("trap");
      };
      return new Proxy({}, { get: fail, has: fail, getPrototypeOf: fail, ownKeys: fail, getOwnPropertyDescriptor: fail, set: fail, defineProperty: fail });
    }
    case "nullProto":
      return Object.create(null) as object;
    case "symbol":
      return Symbol("hostile");
    case "bigint":
      return 12345678901234567890n;
    case "frozen":
      return Object.freeze({ a: 1 });
    case "frozenError":
      return Object.freeze(new Error("frozen"));
    case "toStringThrows":
      return {
        toString(): never {
          throw new Error("toString");
        },
      };
    case "undefined":
      return undefined;
    case "null":
      return null;
    case "string":
      return "x".repeat(100);
    case "number":
      return NaN;
  }
}

export function make(spec: Spec): unknown {
  const value = makeValue(spec);
  made.add(value);
  return value;
}

function makeValue(spec: Spec): unknown {
  if (spec.kind === "simple") return makeSimple(spec.which);
  if (spec.kind === "thenThrows") {
    return {
      then(): never {
        throw makeSimple(spec.throws);
      },
    };
  }
  const base: object =
    spec.base === "object" ? {} : spec.base === "error" ? new Error("hostile") : spec.base === "function" ? function* hostile() {} : (Object.create(null) as object);
  // V8 formats an Error's stack lazily, reading its name, when `stack` is
  // first touched (redefining it included): do it now, before the getters.
  if (spec.base === "error") void (base as Error).stack;
  for (const key of spec.keys) {
    Object.defineProperty(base, key, {
      get() {
        throw makeSimple(spec.throws);
      },
      configurable: false,
    });
  }
  return spec.frozen ? Object.freeze(base) : base;
}

const simpleArb = fc.constantFrom<Simple>(
  "revokedObject",
  "revokedFunction",
  "trapsThrow",
  "nullProto",
  "symbol",
  "bigint",
  "frozen",
  "frozenError",
  "toStringThrows",
  "undefined",
  "null",
  "string",
  "number",
);

export const specArb: fc.Arbitrary<Spec> = fc.oneof(
  simpleArb.map((which): Spec => ({ kind: "simple", which })),
  fc.record({
    kind: fc.constant("getters" as const),
    base: fc.constantFrom("object" as const, "error" as const, "function" as const, "nullProto" as const),
    keys: fc.subarray([...KEYS], { minLength: 1 }),
    throws: simpleArb,
    frozen: fc.boolean(),
  }),
  simpleArb.map((throws): Spec => ({ kind: "thenThrows", throws })),
);

// ---- checks ------------------------------------------------------------

export type Outcome = { settled: true; ok: boolean; value: unknown } | { settled: false };

export async function settleWithin(p: Promise<unknown>, ms: number): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p.then(
        (value): Outcome => ({ settled: true, ok: true, value }),
        (value: unknown): Outcome => ({ settled: true, ok: false, value }),
      ),
      new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => resolve({ settled: false }), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function isErrorInstance(value: unknown): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/**
 * What a run rejected with: what the program threw (a value in `made`) may
 * come out as is; anything else is an Error, never a TrioInternalError, and
 * so is each leaf of an ExceptionGroup that is not what the program threw.
 */
export function expectThrownOrError(reason: unknown, place: string): void {
  if (made.has(reason)) return;
  expect(isErrorInstance(reason), `rejection of ${place}`).toBe(true);
  expect(reason).not.toBeInstanceOf(TrioInternalError);
  if (reason instanceof ExceptionGroup) {
    for (const leaf of reason.leaves()) {
      if (!made.has(leaf)) expect(isErrorInstance(leaf), `a leaf of ${place}: ${describeError(leaf)}`).toBe(true);
      expect(leaf).not.toBeInstanceOf(TrioInternalError);
    }
  }
}
