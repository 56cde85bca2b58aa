/**
 * Trio's rule for a channel's send (trio/_tests/test_channel.py and the
 * docs' "checkpoints": a send is a checkpoint, and a send that raises
 * Cancelled did not happen) on the web's channels of values: the
 * BroadcastChannel's send side and a send channel over a WritableStream;
 * and the receive side of the rule (a receive is a checkpoint, and a
 * cancelled receive took nothing) on the framing receivers, which docs/web.md
 * gives the channels' shape. Two quadratic buffers found while measuring
 * those fixes are pinned at the end.
 * The code and wording are ours.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, run, sleep, type Operation } from "../../src/index.js";
import { assertCheckpoints } from "../../src/testing/index.js";
import { MemoryReceiveStream } from "../../src/sync/index.js";
import { openBroadcastChannel, receiveLines, receiveServerSentEvents, sendChannelFromWritable } from "../../src/web/index.js";

/** Runs `op` in a scope cancelled beforehand; returns what it raised (undefined if it returned). */
function* inCancelledScope(op: () => Operation<unknown>): Operation<unknown> {
  const scope = new CancelScope();
  let raised: unknown;
  yield* scope.run(function* () {
    scope.cancel();
    try {
      yield* op();
    } catch (e) {
      raised = e;
      throw e;
    }
  });
  return raised;
}

describe("a channel send is a checkpoint, and a cancelled send sent nothing", () => {
  it("BroadcastChannel: send is a checkpoint; in a cancelled scope it raises Cancelled and posts nothing", async () => {
    const name = `trio-web-channels-${Math.random()}`;
    const r = await run(function* () {
      const heard: unknown[] = [];
      const listener = new BroadcastChannel(name);
      listener.onmessage = (event: MessageEvent) => heard.push(event.data);
      try {
        const raised = yield* openBroadcastChannel<string, unknown>(name, function* (send) {
          yield* assertCheckpoints(send.send("first"));
          const raised = yield* inCancelledScope(() => send.send("cancelled"));
          yield* send.send("last");
          return raised;
        });
        // Let the messages arrive.
        for (let i = 0; i < 50 && heard.length < 2; i++) yield* sleep(0.01);
        yield* sleep(0.02);
        return { raised, heard };
      } finally {
        listener.close();
      }
    });
    expect(r.raised).toBeInstanceOf(Cancelled);
    expect(r.heard).toEqual(["first", "last"]);
  });

  it("a send channel over a WritableStream: in a cancelled scope it raises Cancelled and writes nothing", async () => {
    const written: unknown[] = [];
    const writable = new WritableStream<string>({
      write(chunk) {
        written.push(chunk);
      },
    });
    const raised = await run(function* () {
      const channel = sendChannelFromWritable(writable);
      yield* channel.send("first");
      const raised = yield* inCancelledScope(() => channel.send("cancelled"));
      yield* channel.send("last");
      yield* channel.aclose();
      return raised;
    });
    expect(raised).toBeInstanceOf(Cancelled);
    expect(written).toEqual(["first", "last"]);
  });
});

describe("a framing receiver's receive is a checkpoint, and a cancelled receive took nothing", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it("receiveLines: with lines already buffered, receive is a checkpoint; cancelled, the line stays for the next receive", async () => {
    const r = await run(function* () {
      const stream = new MemoryReceiveStream();
      stream.putData(bytes("one\ntwo\nthree\n"));
      stream.putEof();
      const lines = receiveLines(stream);
      const first = yield* lines.receive(); // reads the chunk: all three lines are buffered now
      const second = yield* assertCheckpoints(lines.receive());
      const raised = yield* inCancelledScope(() => lines.receive());
      const rest: string[] = [];
      yield* lines.forEach(function* (line) {
        rest.push(line);
      });
      return { first, second, raised, rest };
    });
    expect(r.raised).toBeInstanceOf(Cancelled);
    expect([r.first, r.second, ...r.rest]).toEqual(["one", "two", "three"]);
  });

  it("receiveServerSentEvents: an event already buffered is not taken by a cancelled receive", async () => {
    const r = await run(function* () {
      const stream = new MemoryReceiveStream();
      stream.putData(bytes("data: a\n\ndata: b\n\n"));
      stream.putEof();
      const events = receiveServerSentEvents(stream);
      const first = (yield* events.receive()).data;
      const raised = yield* inCancelledScope(() => events.receive());
      const second = (yield* events.receive()).data;
      return { first, raised, second };
    });
    expect(r).toEqual({ first: "a", raised: expect.any(Cancelled), second: "b" });
  });
});

describe("buffers are taken in linear time (found measuring the checkpoints above)", () => {
  // Lines were taken with Array.shift, which is O(n) on a long array, so a big chunk (a Response made from a
  // string arrives as one) took quadratic time.
  it("100 000 lines arriving in one chunk are received in well under a few seconds", async () => {
    const text = `${"x".repeat(40)}\n`.repeat(100_000);
    const t0 = performance.now();
    const count = await run(function* () {
      const stream = new MemoryReceiveStream();
      stream.putData(new TextEncoder().encode(text));
      stream.putEof();
      let n = 0;
      yield* receiveLines(stream).forEach(function* () {
        n++;
      });
      return n;
    });
    expect(count).toBe(100_000);
    // Linear: about 0.5 s here under load; quadratic it took about 11 s.
    expect(performance.now() - t0).toBeLessThan(4000);
  }, 60_000);

  // The same with a memory stream's queued chunks (Trio's MemoryReceiveStream keeps one bytearray).
  it("100 000 small chunks put on a memory stream are taken in one receiveSome in well under a few seconds", async () => {
    const t0 = performance.now();
    const length = await run(function* () {
      const stream = new MemoryReceiveStream();
      const piece = new Uint8Array(10);
      for (let i = 0; i < 100_000; i++) stream.putData(piece);
      return (yield* stream.receiveSome()).length;
    });
    expect(length).toBe(1_000_000);
    // Linear: about 0.3 s here under load; quadratic it took about 14 s.
    expect(performance.now() - t0).toBeLessThan(4000);
  }, 60_000);
});
