/**
 * A group that leaves the library for someone to see (a run's rejection, an
 * onError reporter) has a `stack` that lists the errors inside it (what a
 * console, Node's uncaught handler and error reporters show), while
 * `message` stays the bare message. Making a group formats nothing.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, openNursery, run, sleep } from "../../src/core/index.js";
import { listInStack, makeCancelled } from "../../src/core/errors.js";
import { reportWith } from "../../src/components/report.js";

/** `group`, its stack listed as where it leaves the library. */
const listed = (group: ExceptionGroup): ExceptionGroup => listInStack(group) as ExceptionGroup;

/** The listing: the lines of `stack` after the group's own frames. */
function listing(group: ExceptionGroup): string[] {
  const lines = String(group.stack).split("\n");
  let i = lines.length;
  while (i > 0 && !/^ {4}at /.test(lines[i - 1]!)) i--;
  return lines.slice(i);
}

describe("ExceptionGroup stack", () => {
  it("lists each leaf under a header with the count, nested groups indented, after the group's frames", () => {
    const inner = new ExceptionGroup("inner", [new RangeError("too far"), "a string"]);
    const group = listed(new ExceptionGroup("Errors from a nursery", [new TypeError("bad input"), inner]));
    expect(listing(group)).toEqual([
      "ExceptionGroup: Errors from a nursery (2 sub-exceptions)",
      "  | TypeError: bad input",
      "  | ExceptionGroup: inner (2 sub-exceptions)",
      '    | RangeError: too far',
      '    | "a string"',
    ]);
    // The engine's stack comes first, unchanged: "Name: message", then the frames, starting with this test.
    const lines = String(group.stack).split("\n");
    expect(lines[0]).toBe("ExceptionGroup: Errors from a nursery");
    expect(lines[1]).toMatch(/^ {4}at .*group-stack\.test\.ts/);
  });

  it("leaves message, name and instanceof as they were; toString counts the errors, as Python's str() of a group", () => {
    const group = listed(new ExceptionGroup("boom", [new Error("a"), new Error("b")]));
    expect(group.message).toBe("boom");
    expect(group.name).toBe("ExceptionGroup");
    expect(String(group)).toBe("ExceptionGroup: boom (2 sub-exceptions)");
    expect(`${new ExceptionGroup("", [new Error("a")])}`).toBe("ExceptionGroup (1 sub-exception)");
    expect(group).toBeInstanceOf(ExceptionGroup);
    expect(group).toBeInstanceOf(AggregateError);
    expect(Object.getOwnPropertyDescriptor(group, "stack")?.enumerable).toBe(false);
    // A reporter may still overwrite it.
    group.stack = "replaced";
    expect(group.stack).toBe("replaced");
  });

  it("lists the parts of split and subgroup, nesting kept", () => {
    const group = new ExceptionGroup("outer", [new TypeError("t1"), new ExceptionGroup("inner", [new RangeError("r1"), new TypeError("t2")])]);
    const [match, rest] = group.split(TypeError);
    expect(match).toBeInstanceOf(ExceptionGroup);
    expect(listing(listed(match!))).toEqual(["ExceptionGroup: outer (2 sub-exceptions)", "  | TypeError: t1", "  | ExceptionGroup: inner (1 sub-exception)", "    | TypeError: t2"]);
    expect(listing(listed(rest!))).toEqual(["ExceptionGroup: outer (1 sub-exception)", "  | ExceptionGroup: inner (1 sub-exception)", "    | RangeError: r1"]);
    expect(listing(listed(group.subgroup(RangeError)!))).toEqual(listing(rest!));
    expect(match!.message).toBe("outer");
  });

  it("lists what withoutCancelled leaves, and a Cancelled leaf by its reason", () => {
    const group = listed(new ExceptionGroup("Errors from a nursery", [new Error("real"), makeCancelled("timed out")]));
    expect(listing(group)[2]).toMatch(/^ {2}\| Cancelled/);
    const [, rest] = group.withoutCancelled();
    expect(listing(listed(rest!))).toEqual(["ExceptionGroup: Errors from a nursery (1 sub-exception)", "  | Error: real"]);
    expect(group.leaves()[1]).toBeInstanceOf(Cancelled);
  });

  it("is made whatever the leaves are: hostile ones are shown by what can be read of them", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const getterThrows = new Error("hidden");
    // `stack` first: in Node 20, redefining it formats it, which reads `name`.
    for (const key of ["stack", "message", "name"]) {
      Object.defineProperty(getterThrows, key, {
        get() {
          throw new Error(`${key} getter`);
        },
      });
    }
    const trapsThrow = new Proxy(new Error("x"), {
      get() {
        throw new Error("get trap");
      },
    });
    const group = listed(new ExceptionGroup("hostile", [proxy, getterThrows, Object.create(null), undefined, "text", 42, trapsThrow]));
    expect(listing(group)).toEqual([
      "ExceptionGroup: hostile (7 sub-exceptions)",
      "  | an object that cannot be inspected (a revoked Proxy?)",
      "  | Error",
      "  | an object with no prototype",
      "  | undefined",
      '  | "text"',
      "  | number 42",
      "  | Error",
    ]);
    expect(group.exceptions).toHaveLength(7);
  });

  it("a group whose exceptions are hostile, or that contains itself, still reads and stays bounded", () => {
    // A Proxy of a group whose get trap throws: it is a group by instanceof, but its exceptions cannot be read.
    const unreadable = new Proxy(new ExceptionGroup("inner", [new Error("x")]), {
      get() {
        throw new Error("get trap");
      },
    });
    const outer = listed(new ExceptionGroup("outer", [unreadable, new Error("after")]));
    expect(listing(outer)).toEqual(["ExceptionGroup: outer (2 sub-exceptions)", "  | Error (0 sub-exceptions)", "  | Error: after"]);


    // A proxied group that answers with itself as its only error, at every level.
    const selfish: ExceptionGroup = new Proxy(new ExceptionGroup("self", [new Error("x")]), {
      get(target, key, receiver) {
        return key === "exceptions" ? [receiver] : Reflect.get(target, key, receiver);
      },
    });
    expect(String(listed(new ExceptionGroup("outer", [selfish])).stack).length).toBeLessThan(12_000);
  });

  it("caps a very wide or very deep group, saying how many it leaves out", () => {
    const wide = listed(new ExceptionGroup("wide", Array.from({ length: 20_000 }, (_, i) => new Error(`leaf ${i}`))));
    const lines = listing(wide);
    expect(lines[0]).toBe("ExceptionGroup: wide (20000 sub-exceptions)");
    expect(lines[1]).toBe("  | Error: leaf 0");
    expect(lines.at(-1)).toMatch(/^ {2}\| \.\.\. and (\d+) more$/);
    const shown = lines.length - 2;
    expect(lines.at(-1)).toBe(`  | ... and ${20_000 - shown} more`);
    expect(String(wide.stack).length).toBeLessThan(4_000);

    let deep = new ExceptionGroup("level 0", [new Error("bottom")]);
    for (let i = 1; i < 3_000; i++) deep = new ExceptionGroup(`level ${i}`, [deep]);
    listed(deep);
    expect(String(deep.stack).length).toBeLessThan(2_000);
    expect(listing(deep)).toHaveLength(11);
    expect(listing(deep)[1]).toBe("  | ExceptionGroup: level 2998 (1 sub-exception)");
    expect(String(deep.stack)).toMatch(/\| \.\.\. and 1 more$/);
  });

  it("keeps a multi-line leaf message", () => {
    const group = listed(new ExceptionGroup("g", [new Error("line one\nline two")]));
    expect(String(group.stack)).toMatch(/\n {2}\| Error: line one\nline two$/);
  });

  it("formats nothing when a group is made: only where it leaves the library", () => {
    const formatted: unknown[] = [];
    const before = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, frames) => {
      formatted.push(error);
      return `${String(error)}\n${frames.map((frame) => `    at ${String(frame)}`).join("\n")}`;
    };
    try {
      const group = new ExceptionGroup("boom", [new TypeError("a"), new ExceptionGroup("inner", [new RangeError("b")])]);
      expect(formatted).toEqual([]);
      listInStack(group);
      expect(formatted).toEqual([group]);
      expect(listing(group)).toEqual(["ExceptionGroup: boom (2 sub-exceptions)", "  | TypeError: a", "  | ExceptionGroup: inner (1 sub-exception)", "    | RangeError: b"]);
    } finally {
      Error.prepareStackTrace = before;
    }
  });

  it("listing twice adds nothing; what is not a group is left as it is", () => {
    const group = listed(new ExceptionGroup("boom", [new Error("a")]));
    const once = group.stack;
    expect(listed(group).stack).toBe(once);
    const plain = new Error("plain");
    const stack = plain.stack;
    expect(listInStack(plain)).toBe(plain);
    expect(plain.stack).toBe(stack);
    expect(listInStack(undefined)).toBeUndefined();
  });

  it("a run that fails with several errors rejects with a group whose stack lists them", async () => {
    const error = await run(function* () {
      yield* openNursery(function* (n) {
        // Both raise at their first step, before either can be cancelled.
        n.startSoon(function* () {
          throw new TypeError("first");
        });
        n.startSoon(function* () {
          throw new RangeError("second");
        });
        yield* sleep(1);
      });
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExceptionGroup);
    expect(listing(error as ExceptionGroup)).toEqual(["ExceptionGroup: Errors from a nursery (2 sub-exceptions)", "  | TypeError: first", "  | RangeError: second"]);
  });

  it("an onError reporter gets a group whose stack lists the errors inside", () => {
    let got: unknown;
    reportWith((error) => (got = error), new ExceptionGroup("boom", [new Error("inside")]), "a task");
    expect(listing(got as ExceptionGroup)).toEqual(["ExceptionGroup: boom (1 sub-exception)", "  | Error: inside"]);
  });
});
