// Trio's stream interfaces and memory streams (src/sync/streams.ts, src/sync/memory-streams.ts),
// after trio/_tests/test_testing.py's memory-stream tests: data moves across, the end of stream
// is an empty chunk, closing raises ClosedResourceError here and BrokenResourceError there, and
// two tasks on one end raise BusyResourceError.
import { describe, expect, it } from "vitest";
import {
  BrokenResourceError,
  BusyResourceError,
  ClosedResourceError,
  WouldBlock,
  moveOnAfter,
  openNursery,
  sleep,
} from "../../src/index.js";
import {
  MemoryReceiveStream,
  MemorySendStream,
  StapledStream,
  forEachChunk,
  memoryStreamOneWayPair,
  memoryStreamPair,
  memoryStreamPump,
  type SendStream,
} from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { bytes, raises, runMock, text } from "./helpers.js";

describe("MemorySendStream", () => {
  it("queues what is sent; getData takes it, waiting when there is none", async () => {
    await runMock(function* () {
      const s = new MemorySendStream();
      yield* s.sendAll(bytes("123"));
      yield* s.sendAll(bytes("456"));
      expect(text(s.getDataNowait(2))).toBe("12");
      expect(text(yield* s.getData())).toBe("3456");
      expect(() => s.getDataNowait()).toThrow(WouldBlock);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(text(yield* s.getData())).toBe("xyz");
        });
        yield* waitAllTasksBlocked();
        yield* s.sendAll(bytes("xyz"));
      });
      s.close();
      expect((yield* s.getData()).length).toBe(0);
      yield* raises(s.sendAll(bytes("late")), ClosedResourceError);
      yield* raises(s.waitSendAllMightNotBlock(), ClosedResourceError);
    });
  });

  it("copies the data: reusing the buffer after sendAll changes nothing", async () => {
    await runMock(function* () {
      const s = new MemorySendStream();
      const buf = bytes("abc");
      yield* s.sendAll(buf);
      buf[0] = 0x7a;
      expect(text(s.getDataNowait())).toBe("abc");
    });
  });

  it("runs its hooks, and two tasks sending at once get BusyResourceError", async () => {
    await runMock(function* () {
      const calls: string[] = [];
      const s = new MemorySendStream({
        *sendAllHook() {
          calls.push("send");
          yield* sleep(1);
        },
        *waitSendAllMightNotBlockHook() {
          calls.push("wait");
        },
        closeHook: () => calls.push("close"),
      });
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* s.sendAll(bytes("a"));
        });
        n.startSoon(function* () {
          const error = yield* raises(s.sendAll(bytes("b")), BusyResourceError);
          expect(error.message).toMatch(/one task at a time/);
          yield* raises(s.waitSendAllMightNotBlock(), BusyResourceError);
        });
      });
      yield* s.waitSendAllMightNotBlock();
      yield* s.aclose();
      expect(calls).toEqual(["send", "wait", "close"]);
      expect(text(s.getDataNowait())).toBe("a");
    });
  });

  it("refuses what is not bytes, naming the conversion", async () => {
    await runMock(function* () {
      const s = new MemorySendStream();
      (yield* raises(s.sendAll("hi" as unknown as Uint8Array), TypeError)).message.match(/TextEncoder/) ?? expect.fail("no hint");
      (yield* raises(s.sendAll(new ArrayBuffer(2) as unknown as Uint8Array), TypeError)).message.match(/new Uint8Array/) ?? expect.fail("no hint");
      expect(() => s.getDataNowait(0)).toThrow(/maxBytes must be an integer of at least 1/);
    });
  });
});

describe("MemoryReceiveStream", () => {
  it("returns what was put, up to maxBytes, then an empty chunk after putEof", async () => {
    await runMock(function* () {
      const r = new MemoryReceiveStream();
      r.putData(bytes("hello"));
      r.putData(bytes(" world"));
      expect(text(yield* r.receiveSome(3))).toBe("hel");
      expect(text(yield* r.receiveSome())).toBe("lo world");
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(text(yield* r.receiveSome())).toBe("late");
        });
        yield* waitAllTasksBlocked();
        r.putData(bytes("late"));
      });
      r.putEof();
      expect((yield* r.receiveSome()).length).toBe(0);
      expect((yield* r.receiveSome()).length).toBe(0);
      expect(() => r.putData(bytes("x"))).toThrow(ClosedResourceError);
    });
  });

  it("close() drops the data and raises ClosedResourceError in a blocked and a later receiver", async () => {
    await runMock(function* () {
      let closed = 0;
      const r = new MemoryReceiveStream({ closeHook: () => closed++ });
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* raises(r.receiveSome(), ClosedResourceError);
        });
        yield* waitAllTasksBlocked();
        r.close();
      });
      expect(r.pendingBytes).toBe(0);
      yield* raises(r.receiveSome(), ClosedResourceError);
      expect(() => r.putData(bytes("x"))).toThrow(ClosedResourceError);
      expect(closed).toBe(1);
    });
  });

  it("two tasks receiving at once: the second gets BusyResourceError, naming the fix", async () => {
    await runMock(function* () {
      const r = new MemoryReceiveStream();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(text(yield* r.receiveSome())).toBe("x");
        });
        n.startSoon(function* () {
          const error = yield* raises(r.receiveSome(), BusyResourceError);
          expect(error.message).toMatch(/receive in one task/);
        });
        yield* waitAllTasksBlocked();
        r.putData(bytes("x"));
      });
    });
  });

  it("a cancelled receiver leaves the stream usable", async () => {
    await runMock(function* () {
      const r = new MemoryReceiveStream();
      yield* moveOnAfter(1, () => r.receiveSome());
      r.putData(bytes("ok"));
      expect(text(yield* r.receiveSome())).toBe("ok");
    });
  });

  it("runs receiveSomeHook before looking for data, and refuses a bad maxBytes", async () => {
    await runMock(function* () {
      const r = new MemoryReceiveStream();
      r.receiveSomeHook = function* () {
        r.putData(bytes("from hook"));
      };
      expect(text(yield* r.receiveSome())).toBe("from hook");
      yield* raises(r.receiveSome(0), TypeError);
      yield* raises(r.receiveSome(1.5), TypeError);
      yield* raises(r.receiveSome("3" as unknown as number), TypeError);
    });
  });
});

describe("memoryStreamPump", () => {
  it("moves at most maxBytes, reports whether it moved anything, and turns a closed receiver into BrokenResourceError", async () => {
    await runMock(function* () {
      const s = new MemorySendStream();
      const r = new MemoryReceiveStream();
      expect(memoryStreamPump(s, r)).toBe(false);
      yield* s.sendAll(bytes("abcdef"));
      expect(memoryStreamPump(s, r, 2)).toBe(true);
      expect(text(yield* r.receiveSome())).toBe("ab");
      expect(memoryStreamPump(s, r)).toBe(true);
      expect(text(yield* r.receiveSome())).toBe("cdef");
      s.close();
      expect(memoryStreamPump(s, r)).toBe(true);
      expect((yield* r.receiveSome()).length).toBe(0);

      const s2 = new MemorySendStream();
      const r2 = new MemoryReceiveStream();
      yield* s2.sendAll(bytes("x"));
      r2.close();
      expect(() => memoryStreamPump(s2, r2)).toThrow(BrokenResourceError);
    });
  });
});

describe("memoryStreamOneWayPair", () => {
  it("what is sent arrives; closing the sender ends the stream; closing the receiver breaks the sender", async () => {
    await runMock(function* () {
      const [s, r] = memoryStreamOneWayPair();
      yield* s.sendAll(bytes("one"));
      expect(text(yield* r.receiveSome())).toBe("one");
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(text(yield* r.receiveSome())).toBe("two");
          expect((yield* r.receiveSome()).length).toBe(0);
        });
        yield* waitAllTasksBlocked();
        yield* s.sendAll(bytes("two"));
        yield* waitAllTasksBlocked();
        yield* s.aclose();
      });

      const [s2, r2] = memoryStreamOneWayPair();
      yield* r2.aclose();
      const error = yield* raises(s2.sendAll(bytes("lost")), BrokenResourceError);
      expect(error.message).toMatch(/nobody will read/);
    });
  });

  it("a swapped hook pumps by hand, one byte at a time", async () => {
    await runMock(function* () {
      const [s, r] = memoryStreamOneWayPair();
      s.sendAllHook = null;
      yield* s.sendAll(bytes("abc"));
      expect(r.pendingBytes).toBe(0);
      const got: string[] = [];
      while (memoryStreamPump(s, r, 1)) got.push(text(yield* r.receiveSome()));
      expect(got).toEqual(["a", "b", "c"]);
    });
  });
});

describe("memoryStreamPair and StapledStream", () => {
  it("carries data both ways; sendEof ends one direction and leaves the other open", async () => {
    await runMock(function* () {
      const [a, b] = memoryStreamPair();
      yield* a.sendAll(bytes("ping"));
      expect(text(yield* b.receiveSome())).toBe("ping");
      yield* b.sendAll(bytes("pong"));
      expect(text(yield* a.receiveSome())).toBe("pong");
      yield* a.sendEof();
      expect((yield* b.receiveSome()).length).toBe(0);
      yield* b.sendAll(bytes("still"));
      expect(text(yield* a.receiveSome())).toBe("still");
      yield* a.aclose();
      yield* raises(b.sendAll(bytes("x")), BrokenResourceError);
      yield* raises(a.receiveSome(), ClosedResourceError);
    });
  });

  it("forEach / forEachChunk runs the body per chunk until the end", async () => {
    await runMock(function* () {
      const [a, b] = memoryStreamPair();
      const got: string[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* b.forEach(function* (chunk) {
            got.push(text(chunk));
          });
          got.push("end");
        });
        for (const part of ["x", "y", "z"]) {
          yield* a.sendAll(bytes(part));
          yield* waitAllTasksBlocked();
        }
        yield* a.sendEof();
      });
      expect(got).toEqual(["x", "y", "z", "end"]);
      expect(() => forEachChunk({} as never, function* () {}).next()).toThrow(/needs a ReceiveStream/);
    });
  });

  it("sendEof falls back to aclose; aclose closes the receiving half even if the sending half fails", async () => {
    await runMock(function* () {
      const events: string[] = [];
      const send: SendStream = {
        *sendAll() {},
        *waitSendAllMightNotBlock() {},
        close: () => events.push("send close"),
        *aclose() {
          events.push("send aclose");
          throw new Error("send side failed");
        },
      };
      const receive = new MemoryReceiveStream({ closeHook: () => events.push("receive close") });
      const stapled = new StapledStream(send, receive);
      yield* raises(stapled.sendEof(), Error);
      yield* raises(stapled.aclose(), Error);
      expect(events).toEqual(["send aclose", "send aclose", "receive close"]);
      expect(() => new StapledStream({} as SendStream, receive)).toThrow(/needs a SendStream first/);
      expect(() => new StapledStream(send, {} as never)).toThrow(/needs a ReceiveStream second/);
    });
  });
});

describe("hostile values in the stream checks", () => {
  function revokedProxy(): object {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  }
  const throwingGetters = (...keys: string[]): object =>
    Object.defineProperties({}, Object.fromEntries(keys.map((k) => [k, { get: () => { throw new Error(`getter ${k}`); } }])));

  it("a revoked Proxy or throwing getters are 'not a stream' and 'not bytes', never an engine error", async () => {
    await runMock(function* () {
      const [send, receive] = memoryStreamOneWayPair();
      for (const hostile of [revokedProxy(), throwingGetters("sendAll", "receiveSome")]) {
        expect(() => new StapledStream(hostile as SendStream, receive)).toThrow(/needs a SendStream first \(with sendAll\), got/);
        expect(() => new StapledStream(send, hostile as never)).toThrow(/needs a ReceiveStream second \(with receiveSome\), got/);
        expect((yield* raises(forEachChunk(hostile as never, function* () {}), TypeError)).message).toMatch(/needs a ReceiveStream \(with receiveSome\)/);
        expect((yield* raises(new MemorySendStream().sendAll(hostile as Uint8Array), TypeError)).message).toMatch(/sends bytes \(a Uint8Array\), got/);
      }
    });
  });
});
