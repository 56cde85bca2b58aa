/**
 * Memory stream rules taken from Trio's trio/tests/test_testing.py (the
 * MemorySendStream, MemoryReceiveStream, memory_stream_pump and pair tests)
 * and from the generic stream checks of trio/testing/_check_streams.py
 * (check_one_way_stream, check_two_way_stream, check_half_closeable_stream),
 * which Trio runs on its memory streams. Semantics only; the code and words
 * are ours. Ours are in src/sync/memory-streams.ts and src/sync/streams.ts;
 * test/web/memory-streams.test.ts holds our own tests.
 *
 * Differences, asserted as ours:
 * - A bad maxBytes (0, -1, 1.5) is a TypeError (Trio: ValueError for 0 and
 *   -1); the message says what is accepted.
 * - Bytes are a Uint8Array (a view into a larger buffer too, as Python's
 *   memoryview); another ArrayBuffer view (a DataView) is refused, naming
 *   the wrapping to write (Python takes any bytes-like object).
 * - There is no lockstep_stream_pair, so the checks that need a "clogged"
 *   stream (a send that blocks until the peer receives) are not ported.
 * - There is no aclose_forcefully: `acloseForcefully` below is aclose in a
 *   cancelled scope, as Trio's is.
 */
import { describe, expect, it } from "vitest";
import {
  BrokenResourceError,
  BusyResourceError,
  CancelScope,
  Cancelled,
  ClosedResourceError,
  WouldBlock,
  checkpoint,
  openNursery,
  type Operation,
} from "../../src/core/index.js";
import {
  MemoryReceiveStream,
  MemorySendStream,
  memoryStreamOneWayPair,
  memoryStreamPair,
  memoryStreamPump,
  type ReceiveStream,
  type SendStream,
} from "../../src/sync/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "../web/helpers.js";
import { prng } from "../stress/helpers.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
const s = (u: Uint8Array): string => dec.decode(u);

/** What `op` raises (failing the test if it returns). */
function* raises(op: Operation<unknown>): Operation<unknown> {
  try {
    yield* op;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

/** The single error inside a nursery's group (Trio 0.22's tests catch it bare; our nurseries always group). */
function only(error: unknown): unknown {
  return error instanceof AggregateError && error.errors.length === 1 ? only(error.errors[0]) : error;
}

/** Closes `resource` at once: aclose inside an already cancelled scope. */
function* acloseForcefully(resource: { aclose(): Operation<void> }): Operation<void> {
  const scope = new CancelScope();
  scope.cancel();
  yield* scope.run(() => resource.aclose());
}

type Pair = [SendStream, ReceiveStream];

/** Runs `body` with a fresh pair from `make`, closing both ends at once afterwards (Trio's _ForceCloseBoth). */
function* withPair(make: () => Pair, body: (send: SendStream, receive: ReceiveStream) => Operation<void>): Operation<void> {
  const [send, receive] = make();
  try {
    yield* body(send, receive);
  } finally {
    try {
      yield* acloseForcefully(send);
    } finally {
      yield* acloseForcefully(receive);
    }
  }
}

/** Our port of Trio's check_one_way_stream, without the clogged-stream part. */
function* checkOneWayStream(make: () => Pair): Operation<void> {
  yield* withPair(make, function* (sendStream, receiveStream) {
    const sendAll = (data: Uint8Array): Operation<void> => assertCheckpoints(sendStream.sendAll(data));
    const receiveSome = (maxBytes?: number): Operation<Uint8Array> => assertCheckpoints(receiveStream.receiveSome(maxBytes));
    function* receiveOne(expected: string): Operation<void> {
      expect(s(yield* receiveSome(1))).toBe(expected);
    }
    const aclose = (r: { aclose(): Operation<void> }): Operation<void> => assertCheckpoints(r.aclose());

    // Simple sending and receiving, the receiver sometimes first.
    yield* openNursery(function* (n) {
      n.startSoon(sendAll, b("x"));
      n.startSoon(receiveOne, "x");
    });
    // Sending nothing means nothing special.
    yield* openNursery(function* (n) {
      n.startSoon(function* () {
        yield* sendAll(new Uint8Array(0));
        yield* sendAll(b("y"));
      });
      n.startSoon(receiveOne, "y");
    });
    // A view into a larger buffer is sent as just its bytes (Python's memoryview).
    yield* openNursery(function* (n) {
      n.startSoon(sendAll, b("012").subarray(1, 2));
      n.startSoon(receiveOne, "1");
    });
    // Ours: another kind of view is refused, naming the wrapping.
    expect(String(yield* raises(sendStream.sendAll(new DataView(new ArrayBuffer(1)) as never)))).toMatch(/TypeError.*new Uint8Array\(buffer\)/);

    // maxBytes: a whole number of at least 1, or left out.
    for (const bad of [-1, 0, 1.5]) expect(yield* raises(receiveStream.receiveSome(bad))).toBeInstanceOf(TypeError);
    yield* openNursery(function* (n) {
      n.startSoon(sendAll, b("x"));
      expect(s(yield* receiveSome())).toBe("x");
    });
    yield* openNursery(function* (n) {
      n.startSoon(sendAll, b("x"));
      expect(s(yield* receiveSome(undefined))).toBe("x");
    });

    // Two receivers at once.
    const busy = yield* raises(
      openNursery(function* (n) {
        n.startSoon(receiveSome, 1);
        n.startSoon(receiveSome, 1);
      }),
    );
    expect(only(busy)).toBeInstanceOf(BusyResourceError);

    // With a receiver blocked, waitSendAllMightNotBlock returns (through a checkpoint).
    yield* openNursery(function* (n) {
      n.startSoon(function* () {
        yield* assertCheckpoints(sendStream.waitSendAllMightNotBlock());
        n.cancelScope.cancel();
      });
      n.startSoon(receiveSome, 1);
    });

    // Closing the receiver breaks the sender, for good; the receiver is closed.
    yield* openNursery(function* (n) {
      n.startSoon(function* () {
        const e = yield* raises(
          (function* () {
            for (;;) yield* sendAll(new Uint8Array(100));
          })(),
        );
        expect(e).toBeInstanceOf(BrokenResourceError);
      });
      n.startSoon(aclose, receiveStream);
    });
    expect(yield* raises(sendAll(new Uint8Array(100)))).toBeInstanceOf(BrokenResourceError);
    expect(yield* raises(receiveSome(4096))).toBeInstanceOf(ClosedResourceError);
    yield* aclose(receiveStream);
    yield* aclose(receiveStream);

    // Closing the sender: every send is refused, even an empty one, and waitSendAllMightNotBlock.
    yield* aclose(sendStream);
    expect(yield* raises(sendAll(new Uint8Array(100)))).toBeInstanceOf(ClosedResourceError);
    expect(yield* raises(sendAll(new Uint8Array(0)))).toBeInstanceOf(ClosedResourceError);
    expect(yield* raises(sendStream.waitSendAllMightNotBlock())).toBeInstanceOf(ClosedResourceError);
    yield* aclose(sendStream);
    yield* aclose(sendStream);
  });

  // Send then a graceful close: the receiver gets the data, then the end.
  yield* withPair(make, function* (sendStream, receiveStream) {
    yield* openNursery(function* (n) {
      n.startSoon(function* () {
        yield* assertCheckpoints(sendStream.sendAll(b("y")));
        yield* assertCheckpoints(sendStream.aclose());
      });
      n.startSoon(function* () {
        yield* waitAllTasksBlocked();
        expect(s(yield* receiveStream.receiveSome(1))).toBe("y");
        expect(s(yield* receiveStream.receiveSome(1))).toBe("");
        yield* receiveStream.aclose();
      });
    });
  });

  // The receiver closed forcefully: sending breaks, receiving is closed.
  yield* withPair(make, function* (sendStream, receiveStream) {
    yield* acloseForcefully(receiveStream);
    const e = yield* raises(
      (function* () {
        for (;;) yield* sendStream.sendAll(new Uint8Array(100));
      })(),
    );
    expect(e).toBeInstanceOf(BrokenResourceError);
    expect(yield* raises(receiveStream.receiveSome(4096))).toBeInstanceOf(ClosedResourceError);
  });

  // The sender closed forcefully: sending is closed; the receiver sees the end (Trio also allows BrokenResourceError).
  yield* withPair(make, function* (sendStream, receiveStream) {
    yield* acloseForcefully(sendStream);
    expect(yield* raises(sendStream.sendAll(b("123")))).toBeInstanceOf(ClosedResourceError);
    expect(s(yield* receiveStream.receiveSome(1))).toBe("");
  });

  // A cancelled aclose still closes.
  yield* withPair(make, function* (sendStream, receiveStream) {
    yield* acloseForcefully(receiveStream);
    yield* acloseForcefully(sendStream);
    expect(yield* raises(sendStream.sendAll(b("123")))).toBeInstanceOf(ClosedResourceError);
    expect(yield* raises(receiveStream.receiveSome(4096))).toBeInstanceOf(ClosedResourceError);
  });

  // Operations cancelled before they start leave the stream closable gracefully.
  yield* withPair(make, function* (sendStream, receiveStream) {
    const scope = new CancelScope();
    scope.cancel();
    yield* scope.run(() =>
      openNursery(function* (n) {
        n.startSoon(function* () {
          expect(yield* raises(sendStream.sendAll(b("x")))).toBeInstanceOf(Cancelled);
        });
        n.startSoon(function* () {
          expect(yield* raises(receiveStream.receiveSome(1))).toBeInstanceOf(Cancelled);
        });
      }),
    );
    yield* openNursery(function* (n) {
      n.startSoon(() => assertCheckpoints(sendStream.aclose()));
      n.startSoon(() => assertCheckpoints(receiveStream.aclose()));
    });
  });

  // A receiver blocked in receiveSome is woken by closing its stream, with ClosedResourceError.
  yield* withPair(make, function* (_sendStream, receiveStream) {
    yield* openNursery(function* (n) {
      n.startSoon(function* () {
        expect(yield* raises(receiveStream.receiveSome(10))).toBeInstanceOf(ClosedResourceError);
      });
      yield* waitAllTasksBlocked();
      yield* acloseForcefully(receiveStream);
    });
  });
}

describe("the generic stream checks, after Trio's _check_streams, on our memory streams", () => {
  // test_memory_streams_with_generic_tests: check_one_way_stream(memory_stream_one_way_pair)
  it("memoryStreamOneWayPair passes check_one_way_stream", async () => {
    await runMock(() => checkOneWayStream(() => memoryStreamOneWayPair()));
  });

  // check_two_way_stream's two one-way passes over memory_stream_pair
  it("memoryStreamPair passes check_one_way_stream in both directions", async () => {
    await runMock(function* () {
      yield* checkOneWayStream(() => memoryStreamPair());
      yield* checkOneWayStream(() => {
        const [one, two] = memoryStreamPair();
        return [two, one];
      });
    });
  });

  // check_two_way_stream's duplex part (smaller than Trio's 1 MiB: the rule is the same)
  it("memoryStreamPair carries random-sized chunks both ways at once, intact, and a close is the peer's end", async () => {
    await runMock(function* () {
      const [one, two] = memoryStreamPair();
      const size = 2 ** 15;
      const maxChunk = 2 ** 11;
      const random = prng(0);
      const data = new Uint8Array(size).map(() => Math.floor(random() * 256));
      const reversed = data.slice().reverse();
      function* sender(stream: SendStream, bytes: Uint8Array, seed: number): Operation<void> {
        const r = prng(seed);
        for (let at = 0; at < bytes.length; ) {
          const n = 1 + Math.floor(r() * maxChunk);
          yield* stream.sendAll(bytes.subarray(at, at + n));
          at += n;
        }
      }
      function* receiver(stream: ReceiveStream, expected: Uint8Array, seed: number): Operation<void> {
        const r = prng(seed);
        const got = new Uint8Array(expected.length);
        let filled = 0;
        while (filled < expected.length) {
          const chunk = yield* stream.receiveSome(1 + Math.floor(r() * maxChunk));
          expect(chunk.length).toBeGreaterThan(0);
          got.set(chunk, filled);
          filled += chunk.length;
        }
        expect(got).toEqual(expected);
      }
      yield* openNursery(function* (n) {
        n.startSoon(sender, one, data, 0);
        n.startSoon(sender, two, reversed, 1);
        n.startSoon(receiver, one, reversed, 2);
        n.startSoon(receiver, two, data, 3);
      });
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect((yield* two.receiveSome(10)).length).toBe(0);
          yield* two.aclose();
        });
        n.startSoon(() => one.aclose());
      });
    });
  });

  // check_half_closeable_stream
  it("memoryStreamPair is half-closeable: sendEof ends one direction (again is fine), sending there is closed, the other way still works", async () => {
    await runMock(function* () {
      const [one, two] = memoryStreamPair();
      function* sendXThenEof(stream: typeof one): Operation<void> {
        yield* stream.sendAll(b("x"));
        yield* assertCheckpoints(stream.sendEof());
      }
      function* expectXThenEof(stream: typeof one): Operation<void> {
        yield* waitAllTasksBlocked();
        expect(s(yield* stream.receiveSome(10))).toBe("x");
        expect(s(yield* stream.receiveSome(10))).toBe("");
      }
      yield* openNursery(function* (n) {
        n.startSoon(sendXThenEof, one);
        n.startSoon(expectXThenEof, two);
      });
      expect(yield* raises(one.sendAll(b("y")))).toBeInstanceOf(ClosedResourceError);
      yield* assertCheckpoints(one.sendEof());
      yield* openNursery(function* (n) {
        n.startSoon(sendXThenEof, two);
        n.startSoon(expectXThenEof, one);
      });
      yield* acloseForcefully(one);
      yield* acloseForcefully(two);
    });
  });
});

describe("MemorySendStream, after Trio's test_MemorySendStream", () => {
  it("sendAll and waitSendAllMightNotBlock checkpoint; data is taken whole or in part; one of two concurrent sends is BusyResourceError; after aclose the queue drains to the end and sends are closed", async () => {
    await runMock(function* () {
      const mss = new MemorySendStream();
      yield* assertCheckpoints(mss.sendAll(b("123")));
      expect(s(mss.getDataNowait(1))).toBe("1");
      expect(s(mss.getDataNowait())).toBe("23");
      yield* assertCheckpoints(mss.waitSendAllMightNotBlock());
      expect(() => mss.getDataNowait()).toThrow(WouldBlock);
      expect(() => mss.getDataNowait(10)).toThrow(WouldBlock);
      yield* assertCheckpoints(mss.sendAll(b("456")));
      expect(s(yield* assertCheckpoints(mss.getData()))).toBe("456");

      let busy = 0;
      function* sendCountingBusy(): Operation<void> {
        try {
          yield* mss.sendAll(b("xxx"));
        } catch (error) {
          if (!(error instanceof BusyResourceError)) throw error;
          busy++;
        }
      }
      yield* openNursery(function* (n) {
        n.startSoon(sendCountingBusy);
        n.startSoon(sendCountingBusy);
      });
      expect(busy).toBe(1);

      yield* assertCheckpoints(mss.aclose());
      expect(s(yield* mss.getData())).toBe("xxx");
      expect(s(yield* mss.getData())).toBe("");
      expect(yield* raises(mss.sendAll(b("---")))).toBeInstanceOf(ClosedResourceError);
    });
  });

  it("hooks: none by default; those given run after the work is done, in order, closeHook on each close", async () => {
    await runMock(function* () {
      const plain = new MemorySendStream();
      expect([plain.sendAllHook, plain.waitSendAllMightNotBlockHook, plain.closeHook]).toEqual([null, null, null]);

      const record: string[] = [];
      function* sendAllHook(): Operation<void> {
        // The data is already queued when the hook runs.
        expect(s(mss.getDataNowait())).toBe("abc");
        record.push("sendAllHook");
      }
      function* waitHook(): Operation<void> {
        record.push("waitSendAllMightNotBlockHook");
      }
      const closeHook = (): void => {
        record.push("closeHook");
      };
      const mss: MemorySendStream = new MemorySendStream({ sendAllHook, waitSendAllMightNotBlockHook: waitHook, closeHook });
      expect(mss.sendAllHook).toBe(sendAllHook);
      expect(mss.waitSendAllMightNotBlockHook).toBe(waitHook);
      expect(mss.closeHook).toBe(closeHook);
      yield* mss.sendAll(b("abc"));
      yield* mss.waitSendAllMightNotBlock();
      yield* acloseForcefully(mss);
      mss.close();
      expect(record).toEqual(["sendAllHook", "waitSendAllMightNotBlockHook", "closeHook", "closeHook"]);
    });
  });
});

describe("MemoryReceiveStream, after Trio's test_MemoryReceiveStream and test_MemoryRecvStream_closing", () => {
  it("receives up to maxBytes through a checkpoint; two receivers at once: BusyResourceError; after putEof (twice is fine) the data, then the end for good, and putData is closed", async () => {
    await runMock(function* () {
      const mrs = new MemoryReceiveStream();
      const receive = (maxBytes?: number): Operation<Uint8Array> => assertCheckpoints(mrs.receiveSome(maxBytes));
      mrs.putData(b("abc"));
      expect(s(yield* receive(1))).toBe("a");
      expect(s(yield* receive(10))).toBe("bc");
      mrs.putData(b("abc"));
      expect(s(yield* receive())).toBe("abc");
      const busy = yield* raises(
        openNursery(function* (n) {
          n.startSoon(receive, 10);
          n.startSoon(receive, 10);
        }),
      );
      expect(only(busy)).toBeInstanceOf(BusyResourceError);
      expect(mrs.receiveSomeHook).toBeNull();
      mrs.putData(b("def"));
      mrs.putEof();
      mrs.putEof();
      expect(s(yield* receive(10))).toBe("def");
      expect(s(yield* receive(10))).toBe("");
      expect(s(yield* receive(10))).toBe("");
      expect(() => mrs.putData(b("---"))).toThrow(ClosedResourceError);
    });
  });

  it("receiveSomeHook runs before the data is looked at; aclose drops what is pending, runs closeHook once, and receiving is closed", async () => {
    await runMock(function* () {
      const record: string[] = [];
      function* receiveSomeHook(): Operation<void> {
        mrs.putData(b("xxx"));
      }
      const closeHook = (): void => {
        record.push("closed");
      };
      const mrs: MemoryReceiveStream = new MemoryReceiveStream({ receiveSomeHook, closeHook });
      expect(mrs.receiveSomeHook).toBe(receiveSomeHook);
      expect(mrs.closeHook).toBe(closeHook);
      mrs.putData(b("yyy"));
      expect(s(yield* mrs.receiveSome(10))).toBe("yyyxxx");
      expect(s(yield* mrs.receiveSome(10))).toBe("xxx");
      expect(s(yield* mrs.receiveSome(10))).toBe("xxx");
      mrs.putData(b("zzz"));
      mrs.receiveSomeHook = null;
      expect(s(yield* mrs.receiveSome(10))).toBe("zzz");
      mrs.putData(b("lost on close"));
      yield* assertCheckpoints(mrs.aclose());
      expect(record).toEqual(["closed"]);
      expect(yield* raises(mrs.receiveSome(10))).toBeInstanceOf(ClosedResourceError);
    });
  });

  it("closed with or without pending data: receiving is closed (not an end), close again is fine, putData is closed", async () => {
    await runMock(function* () {
      const empty = new MemoryReceiveStream();
      empty.close();
      expect(yield* raises(empty.receiveSome(10))).toBeInstanceOf(ClosedResourceError);
      empty.close();
      expect(() => empty.putData(b("123"))).toThrow(ClosedResourceError);
      const pending = new MemoryReceiveStream();
      pending.putData(b("xyz"));
      pending.close();
      expect(yield* raises(pending.receiveSome(10))).toBeInstanceOf(ClosedResourceError);
    });
  });
});

describe("pumps and pairs, after Trio's test_memory_stream_pump, _one_way_pair and _pair", () => {
  it("memoryStreamPump: nothing to move is false; moves at most maxBytes; a closed sender becomes the receiver's end", async () => {
    await runMock(function* () {
      const mss = new MemorySendStream();
      const mrs = new MemoryReceiveStream();
      expect(memoryStreamPump(mss, mrs)).toBe(false);
      yield* mss.sendAll(b("123"));
      memoryStreamPump(mss, mrs);
      expect(s(yield* mrs.receiveSome(10))).toBe("123");
      yield* mss.sendAll(b("456"));
      expect(memoryStreamPump(mss, mrs, 1)).toBe(true);
      expect(s(yield* mrs.receiveSome(10))).toBe("4");
      expect([memoryStreamPump(mss, mrs, 1), memoryStreamPump(mss, mrs, 1), memoryStreamPump(mss, mrs, 1)]).toEqual([true, true, false]);
      expect(s(yield* mrs.receiveSome(10))).toBe("56");
      mss.close();
      memoryStreamPump(mss, mrs);
      expect(s(yield* mrs.receiveSome(10))).toBe("");
    });
  });

  it("memoryStreamOneWayPair pumps from sendAllHook and closeHook (a blocked receiver wakes on send, on aclose and on close); without the send hook data waits in the sender", async () => {
    await runMock(function* () {
      let [send, receive] = memoryStreamOneWayPair();
      expect(send.sendAllHook).not.toBeNull();
      expect(send.waitSendAllMightNotBlockHook).toBeNull();
      expect(send.closeHook).not.toBeNull();
      expect(receive.receiveSomeHook).toBeNull();
      yield* send.sendAll(b("123"));
      expect(s(yield* receive.receiveSome(10))).toBe("123");

      const receiver = (expected: string) =>
        function* (): Operation<void> {
          expect(s(yield* receive.receiveSome(10))).toBe(expected);
        };
      yield* openNursery(function* (n) {
        n.startSoon(receiver("abc"));
        yield* waitAllTasksBlocked();
        yield* send.sendAll(b("abc"));
      });
      yield* openNursery(function* (n) {
        n.startSoon(receiver(""));
        yield* waitAllTasksBlocked();
        yield* send.aclose();
      });

      [send, receive] = memoryStreamOneWayPair();
      yield* openNursery(function* (n) {
        n.startSoon(receiver(""));
        yield* waitAllTasksBlocked();
        send.close();
      });

      [send, receive] = memoryStreamOneWayPair();
      const old = send.sendAllHook;
      send.sendAllHook = null;
      yield* send.sendAll(b("456"));
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* waitAllTasksBlocked();
          n.cancelScope.cancel();
        });
        n.startSoon(function* () {
          expect(yield* raises(receive.receiveSome(10))).toBeInstanceOf(Cancelled);
        });
      });
      send.sendAllHook = old;
      yield* send.sendAll(b("789"));
      expect(s(yield* receive.receiveSome(10))).toBe("456789");
    });
  });

  it("memoryStreamPair carries each way; sendEof is the peer's end; a blocked receiver wakes when the peer sends", async () => {
    await runMock(function* () {
      const [a, bb] = memoryStreamPair();
      yield* a.sendAll(b("123"));
      yield* bb.sendAll(b("abc"));
      expect(s(yield* bb.receiveSome(10))).toBe("123");
      expect(s(yield* a.receiveSome(10))).toBe("abc");
      yield* a.sendEof();
      expect(s(yield* bb.receiveSome(10))).toBe("");
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(s(yield* a.receiveSome(10))).toBe("xyz");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked();
          yield* bb.sendAll(b("xyz"));
        });
      });
      yield* checkpoint();
    });
  });
});
