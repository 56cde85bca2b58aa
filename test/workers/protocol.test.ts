/** The protocol's error records: total on hostile values, bounded on cycles, rebuilt faithfully. */
import { describe, expect, it } from "vitest";
import { Cancelled, ExceptionGroup, TooSlowError } from "../../src/index.js";
import { deserializeThrown, protocolVersionOf, serializeThrown, PROTOCOL_TAG, PROTOCOL_VERSION } from "../../src/workers/protocol.js";

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
