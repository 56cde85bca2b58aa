// The adapters between WHATWG streams of values and Trio's channels, on Node's real
// ReadableStream and WritableStream: values in order (objects, not copied), the end as
// EndOfChannel, backpressure both ways, no value lost to a cancellation, errors as
// BrokenResourceError, and every resource released on every way out.
import { describe, expect, it } from "vitest";
import {
  BrokenResourceError,
  BusyResourceError,
  CancelScope,
  ClosedResourceError,
  EndOfChannel,
  WouldBlock,
  openMemoryChannel,
  openNursery,
  waitPromise,
  type Operation,
} from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { readableFromReceiveChannel, receiveChannelFromReadable, sendChannelFromWritable, writableFromSendChannel } from "../../src/web/index.js";
import { raises, runMock } from "./helpers.js";

interface Item {
  n: number;
}

/** A ReadableStream of values fed by hand, counting pulls and noting cancellation. */
function handFed<T>(highWaterMark = 1) {
  let controller!: ReadableStreamDefaultController<T>;
  const state = { pulls: 0, cancelled: false as boolean };
  const readable = new ReadableStream<T>(
    {
      start: (c) => void (controller = c),
      pull: () => void state.pulls++,
      cancel: () => void (state.cancelled = true),
    },
    { highWaterMark },
  );
  return { readable, controller, state };
}

/** Lets host promise callbacks run (a macrotask) from inside a task. */
function* hostTurn(): Operation<void> {
  yield* waitPromise(new Promise((resolve) => setImmediate(resolve)));
}

describe("receiveChannelFromReadable", () => {
  it("receives the values themselves in order, then EndOfChannel; forEach returns at the end", async () => {
    const a = { n: 1 };
    const { readable, controller } = handFed<Item>();
    controller.enqueue(a);
    controller.enqueue({ n: 2 });
    controller.close();
    const got = await runMock(function* () {
      const channel = receiveChannelFromReadable(readable);
      const first = yield* channel.receive();
      const second = yield* channel.receive();
      yield* raises(channel.receive(), EndOfChannel);
      expect((yield* channel.receiveOrEnd()).done).toBe(true);
      return [first, second];
    });
    expect(got[0]).toBe(a); // not copied
    expect(got[1]).toEqual({ n: 2 });
    const seen: string[] = [];
    await runMock(function* () {
      const strings = new ReadableStream<string>({
        start(c) {
          c.enqueue("x");
          c.enqueue("y");
          c.close();
        },
      });
      yield* receiveChannelFromReadable(strings).forEach(function* (s) {
        seen.push(s);
      });
    });
    expect(seen).toEqual(["x", "y"]);
  });

  it("pulls the source only when a task receives (backpressure), and a cancelled receive loses nothing", async () => {
    const { readable, controller, state } = handFed<Item>(0);
    await runMock(function* () {
      const channel = receiveChannelFromReadable(readable);
      yield* hostTurn();
      expect(state.pulls).toBe(0);
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => channel.receive());
        });
        yield* waitAllTasksBlocked();
        expect(state.pulls).toBe(1);
        scope.cancel();
      });
      controller.enqueue({ n: 7 }); // answers the read the cancelled receive started
      expect(yield* channel.receive()).toEqual({ n: 7 });
      channel.close();
    });
    expect(state.cancelled).toBe(true);
  });

  it("a stream error is BrokenResourceError; close() cancels the source and wakes a receiver with ClosedResourceError; two receivers: BusyResourceError", async () => {
    const failing = handFed<Item>();
    failing.controller.error(new Error("boom"));
    await runMock(function* () {
      const error = yield* raises(receiveChannelFromReadable(failing.readable).receive(), BrokenResourceError);
      expect((error.cause as Error).message).toBe("boom");
    });
    const { readable, state } = handFed<Item>();
    await runMock(function* () {
      const channel = receiveChannelFromReadable(readable);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* raises(channel.receive(), ClosedResourceError);
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked();
          yield* raises(channel.receive(), BusyResourceError);
          channel.close();
        });
      });
      yield* raises(channel.receive(), ClosedResourceError);
    });
    expect(state.cancelled).toBe(true);
  });

  it("refuses what is not a free ReadableStream, naming the fix", () => {
    expect(() => receiveChannelFromReadable({} as never)).toThrow(/needs a ReadableStream/);
    const { readable } = handFed<Item>();
    readable.getReader();
    expect(() => receiveChannelFromReadable(readable)).toThrow(/locked.*releaseLock/);
  });
});

describe("sendChannelFromWritable", () => {
  /** A WritableStream whose sink takes each value only when the test says so. */
  function slowSink(highWaterMark = 2) {
    const written: Item[] = [];
    const waiting: Array<() => void> = [];
    const state = { closed: false, aborted: false };
    const writable = new WritableStream<Item>(
      {
        write: (item) =>
          new Promise<void>((resolve) => {
            written.push(item);
            waiting.push(resolve);
          }),
        close: () => void (state.closed = true),
        abort: () => void (state.aborted = true),
      },
      new CountQueuingStrategy({ highWaterMark }),
    );
    return { writable, written, release: () => waiting.shift()?.(), state };
  }

  it("send queues up to the high-water mark, then waits for the sink; sendNowait raises WouldBlock when full; aclose closes gracefully", async () => {
    const sink = slowSink();
    await runMock(function* () {
      const channel = sendChannelFromWritable(sink.writable);
      let sent = 0;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          for (let i = 1; i <= 3; i++) {
            yield* channel.send({ n: i });
            sent++;
          }
        });
        yield* hostTurn();
        expect(sink.written).toEqual([{ n: 1 }]);
        expect(sent).toBe(2); // 1 in the sink, 2 queued: the third waits
        expect(() => channel.sendNowait({ n: 99 })).toThrow(WouldBlock);
        sink.release();
        yield* hostTurn();
        expect(sent).toBe(3);
        sink.release();
      });
      yield* openNursery(function* (n) {
        n.startSoon(() => channel.aclose());
        yield* hostTurn();
        expect(sink.state.closed).toBe(false); // 3 is still in the sink
        sink.release();
      });
      expect(sink.state.closed).toBe(true);
      expect(sink.written.map((i) => i.n)).toEqual([1, 2, 3]);
      yield* raises(channel.send({ n: 4 }), ClosedResourceError);
    });
  });

  it("close() lets the sink finish, abort() drops the queue; a refused write is BrokenResourceError from the next send", async () => {
    const graceful = slowSink();
    await runMock(function* () {
      const channel = sendChannelFromWritable(graceful.writable);
      channel.sendNowait({ n: 1 });
      channel.close();
      yield* hostTurn();
      graceful.release();
      yield* hostTurn();
    });
    expect(graceful.state).toEqual({ closed: true, aborted: false });
    const aborted = slowSink();
    await runMock(function* () {
      const channel = sendChannelFromWritable(aborted.writable);
      channel.sendNowait({ n: 1 });
      channel.abort(new Error("stop"));
      yield* hostTurn();
      aborted.release();
      yield* hostTurn();
    });
    expect(aborted.state.aborted).toBe(true);
    const failing = new WritableStream<Item>({ write: () => Promise.reject(new Error("disk full")) });
    await runMock(function* () {
      const channel = sendChannelFromWritable(failing);
      yield* channel.send({ n: 1 });
      yield* hostTurn();
      const error = yield* raises(channel.send({ n: 2 }), BrokenResourceError);
      expect(error.message).toMatch(/disk full/);
    });
    expect(() => sendChannelFromWritable("sink" as never)).toThrow(/needs a WritableStream/);
  });
});

describe("readableFromReceiveChannel", () => {
  it("serves a memory channel to Promise code, receiving only when the reader asks; the channel's end is the stream's", async () => {
    const got = await runMock(function* () {
      const [send, receive] = openMemoryChannel<Item>(Infinity);
      for (let i = 1; i <= 3; i++) send.sendNowait({ n: i });
      send.close();
      return yield* readableFromReceiveChannel(receive, function* (readable) {
        const reader = readable.getReader();
        const first = yield* waitPromise(reader.read());
        // High-water mark 0: nothing more was taken from the channel yet.
        expect(receive.statistics().currentBufferUsed).toBe(2);
        const values = [first.value!.n];
        for (;;) {
          const next = yield* waitPromise(reader.read());
          if (next.done) return values;
          values.push(next.value.n);
        }
      });
    });
    expect(got).toEqual([1, 2, 3]);
  });

  it("pipes through Promise code both ways: a ReadableStream of values to a channel and back", async () => {
    const out: number[] = [];
    await runMock(function* () {
      const [send, receive] = openMemoryChannel<Item>(0);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          for (let i = 1; i <= 5; i++) yield* send.send({ n: i });
          send.close();
        });
        yield* readableFromReceiveChannel(receive, function* (readable) {
          const doubled = readable.pipeThrough(new TransformStream<Item, Item>({ transform: (item, c) => c.enqueue({ n: item.n * 2 }) }));
          yield* receiveChannelFromReadable(doubled).forEach(function* (item) {
            out.push(item.n);
          });
        });
      });
    });
    expect(out).toEqual([2, 4, 6, 8, 10]);
  });

  it("the block's end closes the channel and errors a waiting reader; the reader cancelling closes the channel", async () => {
    await runMock(function* () {
      const [send, receive] = openMemoryChannel<Item>(0);
      let pending!: Promise<unknown>;
      yield* readableFromReceiveChannel(receive, function* (readable) {
        pending = readable.getReader().read();
        pending.catch(() => {});
        yield* hostTurn();
      });
      yield* raises(waitPromise(pending), ClosedResourceError);
      expect(receive.closed).toBe(true);
      yield* raises(send.send({ n: 1 }), BrokenResourceError);
    });
    await runMock(function* () {
      const [, receive] = openMemoryChannel<Item>(0);
      yield* readableFromReceiveChannel(receive, function* (readable) {
        yield* waitPromise(readable.cancel());
        expect(receive.closed).toBe(true);
      });
    });
    expect(() => readableFromReceiveChannel({} as never, function* () {})).toThrow(/needs a receive channel/);
  });
});

describe("writableFromSendChannel", () => {
  it("Promise code pipes into a channel; each write settles once sent (backpressure), and closing the stream ends the channel", async () => {
    const got = await runMock(function* () {
      const [send, receive] = openMemoryChannel<Item>(0);
      const received: number[] = [];
      let pulled = 0;
      const source = new ReadableStream<Item>({
        pull(c) {
          pulled++;
          if (pulled > 5) c.close();
          else c.enqueue({ n: pulled });
        },
      });
      yield* openNursery(function* (n) {
        let piped!: Promise<void>;
        yield* writableFromSendChannel(send, function* (writable) {
          piped = source.pipeTo(writable);
          yield* hostTurn();
          // Nobody receives yet: one value waits in send, one in the stream's queue, one in the source's; no more is pulled.
          const before = pulled;
          yield* hostTurn();
          expect(pulled).toBe(before);
          expect(pulled).toBeLessThanOrEqual(4);
          n.startSoon(function* () {
            yield* receive.forEach(function* (item) {
              received.push(item.n);
            });
          });
          yield* waitPromise(piped);
        });
      });
      return received;
    });
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  it("a send that fails errors the stream; the block's end closes the channel and errors the stream", async () => {
    await runMock(function* () {
      const [send, receive] = openMemoryChannel<Item>(0);
      receive.close();
      yield* writableFromSendChannel(send, function* (writable) {
        const writer = writable.getWriter();
        yield* raises(waitPromise(writer.write({ n: 1 })), BrokenResourceError);
        yield* raises(waitPromise(writer.ready), BrokenResourceError);
      });
    });
    await runMock(function* () {
      const [send, receive] = openMemoryChannel<Item>(1);
      let writer!: WritableStreamDefaultWriter<Item>;
      yield* writableFromSendChannel(send, function* (writable) {
        writer = writable.getWriter();
        yield* waitPromise(writer.write({ n: 1 }));
      });
      expect(yield* receive.receive()).toEqual({ n: 1 });
      yield* raises(receive.receive(), EndOfChannel); // the block's end closed the send side
      yield* raises(waitPromise(writer.write({ n: 2 })), ClosedResourceError);
    });
    expect(() => writableFromSendChannel({} as never, function* () {})).toThrow(/needs a send channel/);
  });
});
