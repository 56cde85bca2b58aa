/**
 * An outside check of Stop 29's ExceptionGroup walks, with Python's
 * ExceptionGroup as the reference: a subclass whose derive() returns
 * something other than a group (undefined, a number, a plain Error), at a
 * cancelled scope's exit, in split()/subgroup(), and in the workers'
 * isOnlyCancelled (Python refuses such a derive() with a TypeError; here a
 * nested one's part was dropped or stood in for the real errors it held);
 * the workers' serializeThrown of a group whose errors list cannot be
 * read (a revoked Proxy, traps that throw); a group class that freezes its
 * parts; and, as guards, a cancelled scope's exit with frozen, sealed,
 * shared, deep groups and odd leaves.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, checkpoint } from "../../src/core/index.js";
import { isOnlyCancelled, serializeThrown } from "../../src/workers/protocol.js";
import { defineWorker } from "../../src/workers/index.js";
import { raisedAtCancelledExit } from "./cancelled-exit.js";

/** Subclasses whose derive() returns what is not a group. */
const notGroups: [string, unknown][] = [
  ["undefined (a derive() without a return)", undefined],
  ["a number", 42],
  ["a plain Error", new Error("not a group")],
];

function derivingTo(value: unknown): typeof ExceptionGroup {
  return class BadDerive extends ExceptionGroup {
    override derive(): ExceptionGroup {
      return value as ExceptionGroup;
    }
  };
}

describe("a derive() that returns what is not a group", () => {
  for (const [what, value] of notGroups) {
    const BadDerive = derivingTo(value);

    it(`${what}: split() and subgroup() throw a TypeError, as Python's do`, () => {
      const group = new BadDerive("bad", [new TypeError("t"), new RangeError("r")]);
      expect(() => group.split(TypeError)).toThrow(/derive\(\) must return an ExceptionGroup/);
      expect(() => group.subgroup(RangeError)).toThrow(TypeError);
      // Nothing to derive: the group itself, as before.
      expect(group.split(Error)).toEqual([group, undefined]);
    });

    it(`${what}, nested beside a Cancelled, with a real error inside: the cancelled scope's exit loses no real error`, async () => {
      const real = new Error("real");
      const { ok, value } = await raisedAtCancelledExit((cancelled) => new ExceptionGroup("outer", [cancelled, new BadDerive("inner", [cancelled, real])]));
      expect(ok).toBe(false);
      expect((value as ExceptionGroup).leaves()).toContain(real);
    });

    it(`${what}, nested: the workers' isOnlyCancelled is false for a group holding a real error`, () => {
      const cancelled = Object.create(Cancelled.prototype) as Cancelled;
      expect(isOnlyCancelled(new ExceptionGroup("outer", [cancelled, new BadDerive("inner", [cancelled, new Error("real")])]))).toBe(false);
    });
  }
});

/** A group whose `errors` list cannot be read: a revoked Proxy, or one whose traps throw. */
function unreadableErrors(how: "revoked" | "traps throw"): ExceptionGroup {
  const group = new ExceptionGroup("unreadable", [new Error("inside")]);
  let list: unknown[];
  if (how === "revoked") {
    const { proxy, revoke } = Proxy.revocable([new Error("inside")], {});
    revoke();
    list = proxy;
  } else {
    list = new Proxy([new Error("inside")], {
      get: () => {
        throw new Error("trap");
      },
    });
  }
  Object.defineProperty(group, "errors", { value: list });
  return group;
}

describe("the workers' serializeThrown of a group whose errors list cannot be read", () => {
  for (const how of ["revoked", "traps throw"] as const) {
    it(`${how}: a record with the group's name and message, no throw`, () => {
      const out = serializeThrown(unreadableErrors(how)) as { error: { name: string; message: string; errors?: unknown } };
      expect(out.error).toMatchObject({ name: "ExceptionGroup", message: "unreadable" });
      expect(out.error.errors).toBeUndefined();
    });
  }

  it("a worker operation that raises one: the call is answered with an error, and the worker serves on", async () => {
    const posted: { kind: string; id?: number; value?: unknown; error?: { error?: { name: string; message: string } } }[] = [];
    let listener: ((data: unknown) => void) | null = null;
    defineWorker(
      {
        *boom() {
          yield* checkpoint();
          throw unreadableErrors("revoked");
        },
        *echo(v: unknown) {
          return v;
        },
      },
      {
        endpoint: {
          postMessage: (data: unknown) => posted.push(structuredClone(data) as (typeof posted)[number]),
          listen: (l: (data: unknown) => void) => {
            listener = l;
          },
        },
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    const deliver = (id: number, op: string, args: unknown[] = []) => listener!({ trioWorker: 1, kind: "call", id, op, args });
    deliver(1, "boom");
    deliver(2, "echo", ["still serving"]);
    for (let i = 0; i < 200 && !posted.some((m) => m.id === 1); i++) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(posted.find((m) => m.id === 1)).toMatchObject({ kind: "error", error: { error: { name: "ExceptionGroup", message: "unreadable" } } });
    expect(posted.find((m) => m.id === 2)).toMatchObject({ kind: "result", value: "still serving" });
  });
});

/** A group class that freezes what it makes, as an immutability-minded app's might; `cause` set before the freeze. */
class FrozenGroup extends ExceptionGroup {
  constructor(message: string, exceptions: readonly unknown[], cause?: unknown) {
    super(message, exceptions);
    if (cause !== undefined) Object.defineProperty(this, "cause", { value: cause });
    Object.freeze(this);
  }

  override derive(exceptions: readonly unknown[]): ExceptionGroup {
    return new FrozenGroup(this.message, exceptions);
  }
}

describe("a group class that freezes its parts, the group with a cause", () => {
  it("split() gives the parts (the cause cannot be set on them)", () => {
    const [match, rest] = new FrozenGroup("frozen", [new TypeError("t"), new RangeError("r")], "why").split(TypeError);
    expect(match).toBeInstanceOf(FrozenGroup);
    expect(match?.exceptions.map((e) => (e as Error).message)).toEqual(["t"]);
    expect(rest?.exceptions.map((e) => (e as Error).message)).toEqual(["r"]);
  });

  it("at a cancelled scope's exit, the Cancelled is taken out and the real error goes on", async () => {
    const real = new Error("real");
    const { ok, value } = await raisedAtCancelledExit((cancelled) => new FrozenGroup("frozen", [cancelled, real], "why"));
    expect(ok).toBe(false);
    expect((value as ExceptionGroup).exceptions).toEqual([real]);
  });
});

describe("a cancelled scope's exit with hostile groups: the run settles, nothing is left, every real error comes out, no Cancelled", () => {
  const noProto = () => Object.assign(Object.create(null) as object, { message: "no prototype" });
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable(new Error("revoked"), {});
    revoke();
    return proxy;
  };
  const deep = (levels: number, inside: unknown[]) => {
    let group = new ExceptionGroup("bottom", inside);
    for (let i = 0; i < levels; i++) group = new ExceptionGroup(`level ${i}`, [group]);
    return group;
  };
  /** What, and a group made of the scope's Cancelled and the real errors given (each used). */
  const cases: [string, (cancelled: unknown, reals: Error[]) => unknown][] = [
    ["frozen, sealed and non-extensible groups nested", (c, [a, b, d]) => Object.freeze(new ExceptionGroup("f", [c, Object.seal(new ExceptionGroup("s", [c, a])), Object.preventExtensions(new ExceptionGroup("p", [b, c])), d]))],
    ["a leaf without a prototype and a revoked Proxy leaf beside Cancelled", (c, [a, b, d]) => new ExceptionGroup("odd", [c, a, new ExceptionGroup("in", [c, noProto(), b, revoked()]), d])],
    ["the same group at two places", (c, [a, b, d]) => {
      const shared = new ExceptionGroup("shared", [c, a, b]);
      return new ExceptionGroup("twice", [shared, c, d, shared]);
    }],
    ["a group nested 1000 deep with a Cancelled at the bottom", (c, [a, b, d]) => new ExceptionGroup("top", [c, a, deep(1000, [c, b, d])])],
  ];
  for (const [what, make] of cases) {
    it(what, async () => {
      const reals = [new Error("a"), new Error("b"), new Error("d")];
      const { ok, value } = await raisedAtCancelledExit((cancelled) => make(cancelled, reals));
      expect(ok).toBe(false);
      const leaves = (value as ExceptionGroup).leaves();
      expect(leaves.some((e) => e instanceof Cancelled)).toBe(false);
      for (const e of reals) expect(leaves).toContain(e);
    });
  }
});
