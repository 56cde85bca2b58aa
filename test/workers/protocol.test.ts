/** The protocol's error records: total on hostile values, bounded on cycles, rebuilt faithfully. */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, TooSlowError } from "../../src/index.js";
import { deserializeThrown, protocolVersionOf, serializeThrown, PROTOCOL_TAG, PROTOCOL_VERSION, type SerializedError } from "../../src/workers/protocol.js";

function roundTrip(value: unknown): unknown {
  return deserializeThrown(structuredClone(serializeThrown(value)));
}

describe("worker protocol: errors", () => {
  it("a custom class keeps its name on a plain Error; our classes and built-ins are rebuilt", () => {
    class ParseError extends Error {
      override name = "ParseError";
    }
    const e = roundTrip(new ParseError("bad")) as Error;
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.message, String(e)]).toEqual(["ParseError", "bad", "ParseError: bad"]);
    expect(roundTrip(new TooSlowError("slow"))).toBeInstanceOf(TooSlowError);
    expect(roundTrip(new URIError("u"))).toBeInstanceOf(URIError);
  });

  it("an AggregateError stays one; Cancelled leaves are dropped from groups", () => {
    const agg = roundTrip(new AggregateError([new Error("x")], "agg")) as AggregateError;
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg).not.toBeInstanceOf(ExceptionGroup);
    expect(agg.errors).toHaveLength(1);
    const group = roundTrip(new ExceptionGroup("g", [new Cancelled(), new TypeError("real")])) as ExceptionGroup;
    expect(group.leaves().map((l) => (l as Error).name)).toEqual(["TypeError"]);
  });

  it("is total: a cyclic cause, throwing getters and a revoked Proxy", () => {
    const cyclic = new Error("cycle");
    (cyclic as { cause?: unknown }).cause = cyclic;
    const e = roundTrip(cyclic) as Error;
    let depth = 0;
    for (let c: unknown = e; c instanceof Error; c = c.cause) depth++;
    expect(depth).toBeLessThanOrEqual(33);

    const hostile = new Error("hostile");
    Object.defineProperty(hostile, "message", { get: () => { throw new Error("no"); } });
    Object.defineProperty(hostile, "name", { get: () => { throw new Error("no"); } });
    expect((roundTrip(hostile) as Error).name).toBe("Error");

    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const r = roundTrip(proxy) as Error;
    expect(r.message).toMatch(/cannot be sent to the page/);

    expect(roundTrip(Symbol("s")) as Error).toBeInstanceOf(Error);
    expect(roundTrip({ code: 7 })).toEqual({ code: 7 });
  });

  it("tells our messages from anything else a worker posts", () => {
    expect(protocolVersionOf({ [PROTOCOL_TAG]: PROTOCOL_VERSION, kind: "ready" })).toBe(PROTOCOL_VERSION);
    expect(protocolVersionOf({ log: "x" })).toBeUndefined();
    expect(protocolVersionOf("text")).toBeUndefined();
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(protocolVersionOf(proxy)).toBeUndefined();
  });
});

describe("worker protocol: error records stay bounded (width as well as depth)", () => {
  /** An AggregateError whose `errors` is `list` (a group's own list is frozen; an AggregateError's is data). */
  function aggregateOf(list: unknown): AggregateError {
    const agg = new AggregateError([], "agg");
    Object.defineProperty(agg, "errors", { value: list });
    return agg;
  }

  /** The records of errors in `record` (the "left out" leaves, one at most per group, not counted). */
  function countRecords(record: unknown): number {
    const r = (record as { error?: { message: string; cause?: unknown; errors?: unknown[] } }).error;
    if (r === undefined) return 1;
    return (r.message.includes("were left out") ? 0 : 1) + (r.cause === undefined ? 0 : countRecords(r.cause)) + (r.errors ?? []).reduce<number>((n, e) => n + countRecords(e), 0);
  }

  it("a Proxy list claiming 2^24 leaves: at most 1000 are read, and one last leaf says how many were left out", () => {
    let reads = 0;
    const claims = new Proxy([new Error("first")], {
      get: (target, key) => {
        if (key === "length") return 2 ** 24;
        reads++;
        return Reflect.get(target, key);
      },
    });
    const out = serializeThrown(aggregateOf(claims));
    const errors = (out as { error: SerializedError }).error.errors as readonly { error?: SerializedError }[];
    expect(reads).toBeLessThanOrEqual(1000);
    expect(errors).toHaveLength(1000);
    expect(errors[999]!.error!.message).toBe(`${2 ** 24 - 999} more errors of this group were left out: an error sent between a worker and the page holds at most 1000 errors.`);
    const rebuilt = deserializeThrown(structuredClone(out)) as AggregateError;
    expect(rebuilt).toBeInstanceOf(AggregateError);
    expect((rebuilt.errors[0] as Error).message).toBe("first");
  });

  it("a group that holds itself twice, with itself as cause: at most 1000 errors (and a left-out leaf per group), not 2^32", () => {
    // The list stops answering after 5000 reads, so a walk without a bound still ends (and this fails).
    let reads = 0;
    const agg = new AggregateError([], "self");
    Object.defineProperty(agg, "errors", {
      get: () => {
        if (++reads > 5000) throw new Error("stop");
        return [agg, agg];
      },
    });
    (agg as { cause?: unknown }).cause = agg;
    const out = serializeThrown(agg);
    expect(reads).toBeLessThan(1000);
    expect(countRecords(out)).toBeLessThanOrEqual(1000);
  });

  it("a cyclic record from a rogue peer (a group listing itself three times): rebuilt bounded, not forever", () => {
    // Structured clone keeps cycles, so a worker can post this. The list stops after 10000 reads, so an
    // unbounded walk still ends (and this fails).
    let reads = 0;
    const inner = { name: "E", message: "m", stack: undefined };
    const record = { error: inner };
    Object.defineProperty(inner, "errors", { get: () => (++reads > 10000 ? undefined : [record, record, record]) });
    Object.defineProperty(inner, "cause", { get: () => (++reads > 10000 ? undefined : record) });
    const rebuilt = deserializeThrown(record) as ExceptionGroup;
    expect(rebuilt).toBeInstanceOf(ExceptionGroup);
    expect(reads).toBeLessThan(5000); // one read of each field per error rebuilt: 2000 errors at most
    let count = 0;
    const walk = (e: unknown): void => {
      count++;
      if (e instanceof AggregateError) e.errors.forEach(walk);
      if (e instanceof Error && e.cause !== undefined) walk(e.cause);
    };
    walk(rebuilt);
    expect(count).toBeLessThanOrEqual(4001);
  });
});

describe("worker protocol: error records of the wrong shape from a rogue peer", () => {
  it("a name or message that is not a string: a TypeError saying so, not an error named 5 reading [object Object]", () => {
    const e = deserializeThrown({ error: { name: 5, message: { x: 1 }, stack: undefined } } as never) as Error;
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("An error record from the other side of a worker or port could not be read (TypeError: its name is number 5 and its message an object; both must be strings): build the worker and the page with the same trio-asyncio.");
  });

  it("a stack that is not a string: the rebuilt error's stack is made from its name and message", () => {
    const e = deserializeThrown({ error: { name: "RangeError", message: "m", stack: 7 } } as never) as Error;
    expect(e).toBeInstanceOf(RangeError);
    expect(e.stack).toBe("RangeError: m\n    (in a worker)");
  });
});
