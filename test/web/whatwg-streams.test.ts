// The adapters between WHATWG streams and Trio's streams, on Node's real ReadableStream and
// WritableStream: data in order, backpressure both ways, no data lost to a cancellation,
// errors as BrokenResourceError, and every resource released on every way out.
import { describe, expect, it } from "vitest";
import {
  BrokenResourceError,
  BusyResourceError,
  ExceptionGroup,
  CancelScope,
  ClosedResourceError,
  Event,
  MemoryReceiveStream,
  memoryStreamOneWayPair,
  openNursery,
  waitPromise,
  type Operation,
  type SendStream,
} from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { readableFromReceiveStream, receiveStreamFromReadable, sendStreamFromWritable, writableFromSendStream } from "../../src/web/index.js";
import { bytes, raises, runMock, text } from "./helpers.js";

/** A ReadableStream fed by hand, counting pulls and noting cancellation. */
function handFed(highWaterMark = 1) {
  let controller!: ReadableStreamDefaultController<unknown>;
  const state = { pulls: 0, cancelled: false as boolean, reason: undefined as unknown };
  const readable = new ReadableStream<unknown>(
    {
      start: (c) => void (controller = c),
      pull: () => void state.pulls++,
      cancel: (reason) => {
        state.cancelled = true;
        state.reason = reason;
      },
    },
    { highWaterMark },
  );
  return { readable: readable as ReadableStream<Uint8Array>, controller, state };
}

/** Lets host promise callbacks run (a macrotask) from inside a task. */
function* hostTurn(): Operation<void> {
  yield* waitPromise(new Promise((resolve) => setImmediate(resolve)));
}

describe("receiveStreamFromReadable", () => {
  it("returns the chunks, splits them at maxBytes, and an empty chunk at the end", async () => {
    const { readable, controller } = handFed();
    controller.enqueue(bytes("hello"));
    controller.enqueue(bytes(" world"));
    controller.close();
    await runMock(function* () {
      const stream = receiveStreamFromReadable(readable);
      expect(text(yield* stream.receiveSome(2))).toBe("he");
      expect(text(yield* stream.receiveSome())).toBe("llo");
      expect(text(yield* stream.receiveSome())).toBe(" world");
      expect((yield* stream.receiveSome()).length).toBe(0);
      expect((yield* stream.receiveSome()).length).toBe(0);
    });
  });

  it("pulls the source only when a task receives (backpressure)", async () => {
    const { readable, controller, state } = handFed(1);
    await runMock(function* () {
      const stream = receiveStreamFromReadable(readable);
      yield* hostTurn();
      const initial = state.pulls; // the stream fills its queue to the high-water mark once
      controller.enqueue(bytes("a"));
      for (let i = 0; i < 3; i++) yield* hostTurn();
      expect(state.pulls).toBe(initial); // queue full: nobody pulls while nobody receives
      expect(text(yield* stream.receiveSome())).toBe("a");
      yield* hostTurn();
      expect(state.pulls).toBe(initial + 1);
      stream.close();
    });
  });

  it("a cancelled receiveSome loses no data: the next one gets the chunk", async () => {
    const { readable, controller } = handFed();
    await runMock(function* () {
      const stream = receiveStreamFromReadable(readable);
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => stream.receiveSome());
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
      expect(scope.cancelledCaught).toBe(true);
      controller.enqueue(bytes("kept"));
      expect(text(yield* stream.receiveSome())).toBe("kept");
      stream.close();
    });
  });

  it("a stream error is BrokenResourceError with the cause attached", async () => {
    const { readable, controller } = handFed();
    const cause = new Error("connection reset");
    await runMock(function* () {
      const stream = receiveStreamFromReadable(readable);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          const error = yield* raises(stream.receiveSome(), BrokenResourceError);
          expect(error.message).toMatch(/connection reset/);
          expect((error as Error & { cause?: unknown }).cause).toBe(cause);
        });
        yield* waitAllTasksBlocked();
        controller.error(cause);
      });
    });
  });

  it("close() cancels the source, wakes a blocked receiver with ClosedResourceError, and later calls raise it too", async () => {
    const { readable, state } = handFed();
    await runMock(function* () {
      const stream = receiveStreamFromReadable(readable);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* raises(stream.receiveSome(), ClosedResourceError);
        });
        yield* waitAllTasksBlocked();
        stream.close();
      });
      yield* raises(stream.receiveSome(), ClosedResourceError);
      yield* stream.aclose();
    });
    expect(state.cancelled).toBe(true);
  });

  it("two tasks receiving at once: BusyResourceError", async () => {
    const { readable, controller } = handFed();
    await runMock(function* () {
      const stream = receiveStreamFromReadable(readable);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          expect(text(yield* stream.receiveSome())).toBe("x");
        });
        yield* waitAllTasksBlocked();
        yield* raises(stream.receiveSome(), BusyResourceError);
        controller.enqueue(bytes("x"));
      });
      stream.close();
    });
  });

  it("refuses what is not a free byte stream, naming the fix", async () => {
    expect(() => receiveStreamFromReadable(null as never)).toThrow(/has body null/);
    expect(() => receiveStreamFromReadable({} as never)).toThrow(/needs a ReadableStream/);
    const { readable } = handFed();
    readable.getReader();
    expect(() => receiveStreamFromReadable(readable)).toThrow(/locked.*releaseLock/);
    const texts = handFed();
    texts.controller.enqueue("not bytes");
    await runMock(function* () {
      const error = yield* raises(receiveStreamFromReadable(texts.readable).receiveSome(), TypeError);
      expect(error.message).toMatch(/TextEncoderStream/);
    });
    expect(texts.state.cancelled).toBe(true);
  });
});

describe("sendStreamFromWritable", () => {
  /** A WritableStream whose sink takes each chunk only when the test says so. */
  function slowSink(highWaterMark = 1) {
    const written: string[] = [];
    const waiting: Array<() => void> = [];
    const state = { closed: false, aborted: false };
    const writable = new WritableStream<Uint8Array>(
      {
        write: (chunk) =>
          new Promise<void>((resolve) => {
            written.push(text(chunk));
            waiting.push(resolve);
          }),
        close: () => void (state.closed = true),
        abort: () => void (state.aborted = true),
      },
      new CountQueuingStrategy({ highWaterMark }),
    );
    const release = () => waiting.shift()?.();
    return { writable, written, release, state, waiting };
  }

  it("sendAll queues up to the high-water mark, then waits for the sink; aclose waits for the close", async () => {
    const sink = slowSink(2);
    await runMock(function* () {
      const stream = sendStreamFromWritable(sink.writable);
      let sent = 0;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          for (const word of ["one", "two", "three"]) {
            yield* stream.sendAll(bytes(word));
            sent++;
          }
        });
        yield* hostTurn();
        // "one" is in the sink, "two" fills the queue (mark 2, the chunk in the sink counts); "three" waits for room.
        expect(sink.written).toEqual(["one"]);
        expect(sent).toBe(2);
        sink.release();
        yield* hostTurn();
        expect(sink.written).toEqual(["one", "two"]);
        expect(sent).toBe(3);
        sink.release();
      });
      expect(sent).toBe(3);
      const closing = yield* openNursery(function* (n) {
        let closed = false;
        n.startSoon(function* () {
          yield* stream.aclose();
          closed = true;
        });
        yield* hostTurn();
        expect(closed).toBe(false); // "three" is still in the sink
        sink.release();
        yield* hostTurn();
        return closed;
      });
      expect(closing).toBe(true);
      expect(sink.written).toEqual(["one", "two", "three"]);
      expect(sink.state.closed).toBe(true);
      yield* raises(stream.sendAll(bytes("late")), ClosedResourceError);
    });
  });

  it("copies the caller's buffer unless told the chunks are given away", async () => {
    const taken: Uint8Array[] = [];
    const keep = () => new WritableStream<Uint8Array>({ write: (chunk) => void taken.push(chunk) });
    await runMock(function* () {
      const data = bytes("abc");
      const copying = sendStreamFromWritable(keep());
      yield* copying.sendAll(data);
      yield* copying.aclose();
      const handing = sendStreamFromWritable(keep(), { copy: false });
      yield* handing.sendAll(data);
      yield* handing.aclose();
      data[0] = 0x7a; // the caller reuses its buffer
    });
    expect(taken.map(text)).toEqual(["abc", "zbc"]);
    expect(() => sendStreamFromWritable(keep(), { copy: "no" as never })).toThrow(/copy option must be true or false/);
  });

  it("a failing sink is BrokenResourceError (from the next sendAll); close() aborts the stream", async () => {
    const failing = new WritableStream<Uint8Array>({
      write: () => Promise.reject(new Error("disk full")),
    });
    await runMock(function* () {
      const stream = sendStreamFromWritable(failing);
      yield* stream.sendAll(bytes("x")); // queued; the sink refuses it later
      yield* hostTurn();
      const error = yield* raises(stream.sendAll(bytes("y")), BrokenResourceError);
      expect(error.message).toMatch(/disk full/);
      stream.close();
    });
    const failingOnClose = new WritableStream<Uint8Array>({
      write: () => Promise.reject(new Error("disk full")),
    });
    await runMock(function* () {
      const stream = sendStreamFromWritable(failingOnClose);
      yield* stream.sendAll(bytes("x"));
      const error = yield* raises(stream.aclose(), BrokenResourceError);
      expect(error.message).toMatch(/disk full/);
    });
    const sink = slowSink();
    await runMock(function* () {
      const stream = sendStreamFromWritable(sink.writable);
      stream.close();
      yield* hostTurn();
    });
    expect(sink.state.aborted).toBe(true);
    expect(() => sendStreamFromWritable("file" as never)).toThrow(/needs a WritableStream/);
  });

  it("refuses text, naming TextEncoder", async () => {
    const sink = slowSink();
    await runMock(function* () {
      const stream = sendStreamFromWritable(sink.writable);
      const error = yield* raises(stream.sendAll("text" as never), TypeError);
      expect(error.message).toMatch(/TextEncoder/);
      stream.close();
    });
  });
});

describe("readableFromReceiveStream", () => {
  it("serves the stream to Promise code, receiving only when the reader asks", async () => {
    let receives = 0;
    const source = new MemoryReceiveStream({
      *receiveSomeHook() {
        receives++;
      },
    });
    source.putData(bytes("abc"));
    source.putData(bytes("def"));
    source.putEof();
    await runMock(function* () {
      const got = yield* readableFromReceiveStream(source, { chunkSize: 2 }, function* (readable) {
        const reader = readable.getReader();
        yield* hostTurn();
        expect(receives).toBe(0); // nobody has asked yet
        const first = yield* waitPromise(reader.read());
        expect(text(first.value!)).toBe("ab");
        yield* hostTurn();
        expect(receives).toBe(1); // one read, one receive
        const rest: string[] = [];
        for (;;) {
          const r = yield* waitPromise(reader.read());
          if (r.done) break;
          rest.push(text(r.value));
        }
        return rest;
      });
      expect(got).toEqual(["cd", "ef"]);
    });
  });

  it("works with new Response(readable).text()", async () => {
    const source = new MemoryReceiveStream();
    source.putData(bytes("héllo "));
    source.putData(bytes("wörld"));
    source.putEof();
    await runMock(function* () {
      const body = yield* readableFromReceiveStream(source, (readable) => waitPromise(new Response(readable).text()));
      expect(body).toBe("héllo wörld");
    });
  });

  it("the reader cancelling closes the stream; the block ending errors a waiting reader and closes the stream", async () => {
    let closes = 0;
    const source = new MemoryReceiveStream({ closeHook: () => closes++ });
    await runMock(function* () {
      yield* readableFromReceiveStream(source, function* (readable) {
        const reader = readable.getReader();
        const pending = reader.read();
        yield* waitAllTasksBlocked();
        yield* waitPromise(reader.cancel("not interested"));
        expect(closes).toBe(1);
        expect((yield* waitPromise(pending)).done).toBe(true);
      });
    });
    const source2 = new MemoryReceiveStream({ closeHook: () => closes++ });
    let waitingRead!: Promise<unknown>;
    await runMock(function* () {
      yield* readableFromReceiveStream(source2, function* (readable) {
        waitingRead = readable.getReader().read();
        waitingRead.catch(() => {});
        yield* waitAllTasksBlocked();
      });
    });
    await expect(waitingRead).rejects.toThrow(/readableFromReceiveStream.*has ended/);
    expect(closes).toBeGreaterThanOrEqual(2);
  });

  it("an error of the stream reaches the reader, and the block goes on", async () => {
    const source = new MemoryReceiveStream({
      *receiveSomeHook() {
        throw new BrokenResourceError("peer vanished");
      },
    });
    await runMock(function* () {
      const outcome = yield* readableFromReceiveStream(source, function* (readable) {
        try {
          yield* waitPromise(readable.getReader().read());
          return "read";
        } catch (error) {
          return String(error);
        }
      });
      expect(outcome).toMatch(/peer vanished/);
    });
  });

  it("refuses bad input", () => {
    expect(() => readableFromReceiveStream({} as never, function* () {})).toThrow(/needs a ReceiveStream/);
    expect(() => readableFromReceiveStream(new MemoryReceiveStream(), { chunkSize: 0 }, function* () {})).toThrow(/chunkSize/);
    expect(() => readableFromReceiveStream(new MemoryReceiveStream(), {} as never)).toThrow(/needs a body/);
  });
});

/** A SendStream whose every sendAll waits until the test lets it through, recording what it took. */
class GatedSendStream implements SendStream {
  readonly taken: string[] = [];
  gate = new Event();
  closedHow: "" | "close" | "aclose" = "";
  *sendAll(data: Uint8Array): Operation<void> {
    if (this.closedHow !== "") throw new ClosedResourceError("closed");
    yield* this.gate.wait();
    this.taken.push(text(data));
  }
  *waitSendAllMightNotBlock(): Operation<void> {}
  close(): void {
    if (this.closedHow === "") this.closedHow = "close";
  }
  *aclose(): Operation<void> {
    if (this.closedHow === "") this.closedHow = "aclose";
  }
}

describe("writableFromSendStream", () => {
  it("pipes bytes through sendAll, one chunk at a time, and the WritableStream's close is aclose: the receiver sees the end", async () => {
    const received = await runMock(function* () {
      const [send, receive] = memoryStreamOneWayPair();
      yield* writableFromSendStream(send, function* (writable) {
        const source = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytes("ab"));
            c.enqueue(bytes("cd"));
            c.close();
          },
        });
        yield* waitPromise(source.pipeTo(writable));
      });
      let all = "";
      for (;;) {
        const chunk = yield* receive.receiveSome();
        if (chunk.length === 0) break;
        all += text(chunk);
      }
      return all;
    });
    expect(received).toBe("abcd");
  });

  it("a sendAll that blocks pushes back on the writer: the next write waits until the previous chunk was taken", async () => {
    const seen = await runMock(function* () {
      const stream = new GatedSendStream();
      const log: string[] = [];
      yield* writableFromSendStream(stream, function* (writable) {
        const writer = writable.getWriter();
        const first = writer.write(bytes("one")).then(() => log.push("one written"));
        yield* waitAllTasksBlocked();
        log.push(`desiredSize ${writer.desiredSize}, taken ${stream.taken.length}`);
        stream.gate.set();
        yield* waitPromise(first);
        yield* waitPromise(writer.write(bytes("two")));
        yield* waitPromise(writer.close());
        log.push(`taken ${stream.taken.join(",")}, ${stream.closedHow}`);
      });
      return log;
    });
    expect(seen).toEqual(["desiredSize 0, taken 0", "one written", "taken one,two, aclose"]);
  });

  it("a chunk that is not bytes errors the WritableStream with a TypeError naming TextEncoderStream's job; the block's end closes the stream", async () => {
    const got = await runMock(function* () {
      const stream = new GatedSendStream();
      stream.gate.set();
      let writeError = "";
      let afterEnd = "";
      let lateWriter!: WritableStreamDefaultWriter<Uint8Array>;
      yield* writableFromSendStream(stream, function* (writable) {
        const writer = writable.getWriter();
        try {
          yield* waitPromise(writer.write("text" as never));
        } catch (error) {
          writeError = `${(error as Error).name}: ${(error as Error).message}`;
        }
        writer.releaseLock();
      });
      yield* writableFromSendStream(new GatedSendStream(), function* (writable) {
        lateWriter = writable.getWriter();
      });
      try {
        yield* waitPromise(lateWriter.write(bytes("late")));
      } catch (error) {
        afterEnd = (error as Error).name;
      }
      return { writeError, closed: stream.closedHow, afterEnd };
    });
    expect(got.writeError).toMatch(/^TypeError: A WritableStream served by writableFromSendStream sends bytes \(a Uint8Array\), got .*TextEncoder/);
    expect(got.closed).toBe("close");
    expect(got.afterEnd).toBe("ClosedResourceError");
  });

  it("aborting the WritableStream closes the stream at once; a bad stream or body gets a clear error", async () => {
    const closedHow = await runMock(function* () {
      const stream = new GatedSendStream();
      yield* writableFromSendStream(stream, function* (writable) {
        yield* waitPromise(writable.abort(new Error("user gave up")));
        return stream.closedHow;
      });
      return stream.closedHow;
    });
    expect(closedHow).toBe("close");
    expect(() => writableFromSendStream(new MemoryReceiveStream() as never, function* () {})).toThrow(/needs a SendStream.*writableFromSendChannel/);
    expect(() => writableFromSendStream(new GatedSendStream(), "body" as never)).toThrow(/needs a body/);
  });
});

describe("a served stream whose close() throws at the block's end", () => {
  const closeError = new Error("close refused");
  const bodyError = new Error("body failed");
  const [sendSide, receiveSide] = memoryStreamOneWayPair();
  const receiving = { receiveSome: (n?: number) => receiveSide.receiveSome(n), close: () => { throw closeError; }, aclose: () => receiveSide.aclose() };
  const sending = { sendAll: (d: Uint8Array) => sendSide.sendAll(d), waitSendAllMightNotBlock: () => sendSide.waitSendAllMightNotBlock(), close: () => { throw closeError; }, aclose: () => sendSide.aclose() };
  const blocks: [string, (body: () => Operation<void>) => Operation<void>][] = [
    ["readableFromReceiveStream", (body) => readableFromReceiveStream(receiving, body)],
    ["writableFromSendStream", (body) => writableFromSendStream(sending, body)],
  ];
  for (const [name, block] of blocks) {
    it(`${name}: the body's error is raised, not close's (it used to be replaced); close's when the body returned`, async () => {
      const leavesOf = (error: unknown): unknown[] => (error instanceof ExceptionGroup ? error.exceptions.flatMap(leavesOf) : [error]);
      const outcome = (body: () => Operation<void>) =>
        runMock(function* () {
          try {
            yield* block(body);
          } catch (error) {
            return leavesOf(error);
          }
          return "nothing raised";
        });
      expect(await outcome(function* () {
        throw bodyError;
      })).toEqual([bodyError]);
      expect(await outcome(function* () {})).toEqual([closeError]);
    });
  }
});
