// Line and Server-Sent-Event framing over byte streams: characters, CRLF pairs and events split
// across chunks at every position, and the event-stream rules of the HTML standard.
import { describe, expect, it } from "vitest";
import { BusyResourceError, CancelScope, EndOfChannel, MemoryReceiveStream, openNursery, type Operation } from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { receiveLines, receiveServerSentEvents, type ServerSentEvent } from "../../src/web/index.js";
import { runMock } from "./helpers.js";

/** A finished stream holding `data`, cut into chunks at the given byte offsets. */
function chunked(data: string | Uint8Array, cuts: number[] = []): MemoryReceiveStream {
  const all = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const stream = new MemoryReceiveStream();
  let start = 0;
  for (const cut of [...cuts, all.length]) {
    // Each putData is its own chunk only if received before the next: feed them one by one.
    stream.putData(all.subarray(start, cut));
    start = cut;
  }
  stream.putEof();
  return stream;
}

/** A stream that hands out `data` in chunks of exactly `size` bytes (the last one shorter). */
function trickle(data: string, size: number): MemoryReceiveStream {
  const all = new TextEncoder().encode(data);
  const stream = new MemoryReceiveStream();
  let offset = 0;
  stream.receiveSomeHook = function* () {
    if (offset < all.length) {
      stream.putData(all.subarray(offset, offset + size));
      offset = Math.min(offset + size, all.length);
    } else if (offset === all.length) {
      stream.putEof();
      offset++;
    }
  };
  return stream;
}

function* collect<T>(receiver: { forEach(body: (v: T) => Operation<unknown>): Operation<void> }): Operation<T[]> {
  const out: T[] = [];
  yield* receiver.forEach(function* (v) {
    out.push(v);
  });
  return out;
}

describe("receiveLines", () => {
  it("splits on LF, CRLF and a lone CR, and keeps a last line without an ending", async () => {
    await runMock(function* () {
      const lines = yield* collect(receiveLines(chunked("a\nb\r\nc\rd\n\ne")));
      expect(lines).toEqual(["a", "b", "c", "d", "", "e"]);
    });
  });

  it("gives the same lines whatever the chunk size (split characters and CRLF pairs)", async () => {
    const input = "zwölf Äpfel\r\n€uro\r\n\r\nlast 🍎\rnext\n";
    for (let size = 1; size <= 8; size++) {
      await runMock(function* () {
        expect(yield* collect(receiveLines(trickle(input, size)))).toEqual(["zwölf Äpfel", "€uro", "", "last 🍎", "next"]);
      });
    }
  });

  it("raises EndOfChannel at the end; receiveOrEnd says done", async () => {
    await runMock(function* () {
      const lines = receiveLines(chunked("only\n"));
      expect(yield* lines.receive()).toBe("only");
      expect((yield* lines.receiveOrEnd()).done).toBe(true);
      let caught: unknown;
      try {
        yield* lines.receive();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EndOfChannel);
    });
  });

  it("a cancelled receive loses nothing, and two receivers at once get BusyResourceError", async () => {
    await runMock(function* () {
      const stream = new MemoryReceiveStream();
      const lines = receiveLines(stream);
      const scope = new CancelScope();
      stream.putData(new TextEncoder().encode("par"));
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(() => lines.receive());
        });
        yield* waitAllTasksBlocked();
        let busy: unknown;
        try {
          yield* lines.receive();
        } catch (error) {
          busy = error;
        }
        expect(busy).toBeInstanceOf(BusyResourceError);
        scope.cancel();
      });
      stream.putData(new TextEncoder().encode("tial\n"));
      expect(yield* lines.receive()).toBe("partial");
    });
  });

  it("refuses a line longer than maxLineLength, and bad input", async () => {
    await runMock(function* () {
      const lines = receiveLines(chunked("x".repeat(20)), { maxLineLength: 10 });
      let caught: unknown;
      try {
        yield* lines.receive();
      } catch (error) {
        caught = error;
      }
      expect(String(caught)).toMatch(/maxLineLength \(10/);
    });
    expect(() => receiveLines(new ReadableStream() as never)).toThrow(/receiveStreamFromReadable/);
    expect(() => receiveLines(new MemoryReceiveStream(), { encoding: "klingon" })).toThrow(/not one TextDecoder knows/);
    expect(() => receiveLines(new MemoryReceiveStream(), { maxLineLength: 0 })).toThrow(/at least 1/);
  });
});

describe("receiveServerSentEvents", () => {
  const feed = [
    ": a comment, skipped",
    "retry: 3000",
    "event: price",
    "id: 7",
    "data: {\"p\": 1}",
    "",
    "data:first",
    "data:  second, one space kept",
    "",
    "id",
    "event: nothing",
    "",
    "data",
    "",
    "retry: soon",
    "unknown: field",
    "data: after an unknown field",
    "",
    "data: unfinished at the end",
  ].join("\r\n");

  const expected: ServerSentEvent[] = [
    { event: "price", data: '{"p": 1}', id: "7", retry: 3000 },
    { event: "message", data: "first\n second, one space kept", id: "7", retry: 3000 },
    { event: "message", data: "", id: "", retry: 3000 },
    { event: "message", data: "after an unknown field", id: "", retry: 3000 },
  ];

  it("parses fields, comments, multi-line data, id and retry as EventSource does", async () => {
    await runMock(function* () {
      const events = receiveServerSentEvents(chunked(feed));
      expect(yield* collect(events)).toEqual(expected);
      expect(events.retry).toBe(3000);
    });
  });

  it("gives the same events whatever the chunk size", async () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      await runMock(function* () {
        expect(yield* collect(receiveServerSentEvents(trickle(feed, size)))).toEqual(expected);
      });
    }
  });

  it("skips a byte-order mark and keeps an id with no NUL only", async () => {
    await runMock(function* () {
      const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("id: a\0b\ndata: x\n\n")]);
      expect(yield* collect(receiveServerSentEvents(chunked(bom, [1, 2])))).toEqual([{ event: "message", data: "x", id: "", retry: undefined }]);
    });
    expect(() => receiveServerSentEvents(null as never)).toThrow(/needs a ReceiveStream/);
  });

  /** A stream of `data:` lines of `lineLength` characters that never ends an event, with `tail` after `lines` of them. */
  function endlessData(lineLength: number, lines = Infinity, tail = ""): MemoryReceiveStream {
    const line = new TextEncoder().encode(`data: ${"x".repeat(lineLength)}\n`);
    const stream = new MemoryReceiveStream();
    let sent = 0;
    stream.receiveSomeHook = function* () {
      if (sent < lines) stream.putData(line);
      else if (sent === lines) stream.putData(new TextEncoder().encode(tail));
      else stream.putEof();
      sent++;
    };
    return stream;
  }

  function* raised(op: () => Operation<unknown>): Operation<unknown> {
    try {
      yield* op();
    } catch (error) {
      return error;
    }
    throw new Error("nothing was raised");
  }

  it("refuses an event whose data grows past maxEventLength, then skips to the next event", async () => {
    await runMock(function* () {
      // Ten lines of 9 characters make 99 (with the newlines between): at the limit, taken.
      const atLimit = receiveServerSentEvents(endlessData(9, 10, "\n"), { maxEventLength: 99 });
      expect((yield* atLimit.receive()).data.length).toBe(99);
      const events = receiveServerSentEvents(endlessData(9, 11, "\ndata: next\n\n"), { maxEventLength: 99 });
      const error = yield* raised(() => events.receive());
      expect(error).toBeInstanceOf(RangeError);
      expect(String(error)).toMatch(/An event's data grew past maxEventLength \(99 characters\) without a blank line to end it; raise the option/);
      // The rest of the oversized event is dropped, not taken for a new one.
      expect(yield* events.receive()).toEqual({ event: "message", data: "next", id: "", retry: undefined });
    });
  });

  it("caps an endless event at 16 MiB by default, and passes maxLineLength on", async () => {
    await runMock(function* () {
      const error = yield* raised(() => receiveServerSentEvents(endlessData(1 << 19)).receive());
      expect(String(error)).toMatch(/maxEventLength \(16777216 characters\)/);
      const long = yield* raised(() => receiveServerSentEvents(endlessData(20), { maxLineLength: 10 }).receive());
      expect(String(long)).toMatch(/maxLineLength \(10\)/);
    });
    expect(() => receiveServerSentEvents(new MemoryReceiveStream(), { maxEventLength: 0 })).toThrow(/receiveServerSentEvents's maxEventLength must be a number of at least 1, got number 0/);
  });
});
