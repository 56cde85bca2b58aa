/**
 * The hooks of the memory streams are checked where they are given and
 * again where they run (they are plain fields a test may swap): a slip is a
 * TypeError that names the stream, the hook and the fix, never an engine
 * error such as "Cannot read properties of null" or "is not iterable".
 */
import { describe, expect, it } from "vitest";
import { MemoryReceiveStream, MemorySendStream, run, type Operation } from "../../src/index.js";
import { bad, revoked } from "../bad-input/hostile.js";



describe("memory stream hooks given to the constructor", () => {
  it("the hooks object itself: null, a number and a revoked Proxy are refused by name", () => {
    expect(() => new MemorySendStream(bad(null))).toThrow(/^new MemorySendStream\(hooks\) takes an object of hooks \(or nothing\), got null\.$/);
    expect(() => new MemoryReceiveStream(bad(42))).toThrow(/^new MemoryReceiveStream\(hooks\) takes an object of hooks \(or nothing\), got number 42\.$/);
    expect(() => new MemorySendStream(bad(revoked()))).toThrow(/^new MemorySendStream\(hooks\): the options object cannot be read/);
  });

  it("an operation hook must be a generator function; an async function is named as such", () => {
    expect(() => new MemorySendStream({ sendAllHook: bad(42) })).toThrow(
      /^new MemorySendStream\(hooks\): sendAllHook needs a generator function \(function\*\), got number 42\.$/,
    );
    expect(() => new MemorySendStream({ waitSendAllMightNotBlockHook: bad("x") })).toThrow(/waitSendAllMightNotBlockHook needs a generator function/);
    expect(() => new MemoryReceiveStream({ receiveSomeHook: bad(async () => {}) })).toThrow(
      /^new MemoryReceiveStream\(hooks\): receiveSomeHook got an async function/,
    );
  });

  it("a close hook must be a function; null and undefined mean none", () => {
    expect(() => new MemorySendStream({ closeHook: bad(42) })).toThrow(/^new MemorySendStream\(hooks\): closeHook must be a function \(or null for none\), got number 42\.$/);
    expect(() => new MemoryReceiveStream({ closeHook: bad({}) })).toThrow(/closeHook must be a function \(or null for none\), got an object/);
    const s = new MemorySendStream({ sendAllHook: null, closeHook: undefined });
    expect(s.sendAllHook).toBe(null);
    expect(s.closeHook).toBe(null);
    s.close();
  });
});

describe("memory stream hooks when they run", () => {
  async function failure(body: () => Operation<unknown>): Promise<string> {
    try {
      await run(body);
    } catch (error) {
      return String(error);
    }
    return "no error";
  }

  it("a plain function returning no generator is named, not 'is not iterable'", async () => {
    const s = new MemorySendStream({ sendAllHook: bad(() => undefined) });
    expect(await failure(() => s.sendAll(new Uint8Array(1)))).toMatch(/^TypeError: MemorySendStream\.sendAllHook: the function returned undefined, not a generator\./);
    // The hook runs after the data is queued, as in Trio.
    expect(s.pendingBytes).toBe(1);
  });

  it("a hook swapped for a bad value after construction is named at its run, and the stream stays usable", async () => {
    const r = new MemoryReceiveStream();
    r.receiveSomeHook = bad(42);
    r.putData(new Uint8Array([7]));
    expect(await failure(() => r.receiveSome())).toMatch(/^TypeError: MemoryReceiveStream\.receiveSomeHook needs a generator function \(function\*\), got number 42\.$/);
    r.receiveSomeHook = null;
    expect(await run(() => r.receiveSome())).toEqual(new Uint8Array([7]));

    const s = new MemorySendStream();
    s.waitSendAllMightNotBlockHook = bad(async () => {});
    expect(await failure(() => s.waitSendAllMightNotBlock())).toMatch(/^TypeError: MemorySendStream\.waitSendAllMightNotBlockHook got an async function/);
    s.closeHook = bad("x");
    expect(() => s.close()).toThrow(/^MemorySendStream\.closeHook must be a function \(or null for none\), got "x"\.$/);
    // The close itself happened before the hook: sending is refused.
    s.closeHook = null;
    expect(await failure(() => s.sendAll(new Uint8Array(1)))).toMatch(/^ClosedResourceError/);
  });
});
