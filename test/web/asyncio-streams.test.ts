// asyncio's StreamReader (fed by hand, as CPython's test_streams.py does) and
// openWebSocketStreams over the WebSocket test double (Node 20 has no WebSocket of
// its own) and over a real `ws` connection: reads with CPython's semantics
// (IncompleteReadError, LimitOverrunError, atEof), the writer's messages,
// drain's backpressure, close/waitClosed, the server's closes, and the loop's end.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { asyncio, asyncioRun } from "../../src/index.js";
import {
  IncompleteReadError,
  LimitOverrunError,
  StreamReader,
  WebSocketClosedError,
  type StreamWriter,
  openWebSocketStreams,
  type WebSocketConstructor,
} from "../../src/web/index.js";
import { bytes, text } from "./helpers.js";
import { FakeServer } from "./websocket-fake.js";

/** Runs `body` with a fresh reader on a running loop. */
function withReader<T>(body: (reader: StreamReader) => asyncio.Coroutine<T>, limit?: number): Promise<T> {
  return asyncioRun(
    (function* () {
      return yield* body(new StreamReader(limit === undefined ? {} : { limit }));
    })(),
  );
}

/** Feeds `chunks` one per loop iteration, then EOF (if `eof`), from a separate task. */
function feedLater(reader: StreamReader, chunks: string[], eof = true): void {
  asyncio.createTask(
    (function* () {
      for (const chunk of chunks) {
        yield* asyncio.sleep(0);
        reader.feedData(bytes(chunk));
      }
      if (eof) reader.feedEof();
    })(),
  );
}

describe("StreamReader (CPython's test_streams semantics)", () => {
  it("read(n) returns what is there (at most n), waiting for data; read() reads to the end", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(bytes("line1"));
      const first = text(yield* reader.read(3));
      const second = text(yield* reader.read(30));
      feedLater(reader, ["chunk1", "chunk2"]);
      const waited = text(yield* reader.read(30)); // waits for the next feed only
      const rest = text(yield* reader.read());
      const atEnd = (yield* reader.read(5)).length;
      return { first, second, waited, rest, atEnd, eof: reader.atEof() };
    });
    expect(got).toEqual({ first: "lin", second: "e1", waited: "chunk1", rest: "chunk2", atEnd: 0, eof: true });
  });

  it("read(0) is empty; feedData of nothing is ignored; atEof only once the buffer is drained", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(new Uint8Array(0));
      reader.feedData(bytes("ab"));
      reader.feedEof();
      const zero = (yield* reader.read(0)).length;
      const before = reader.atEof();
      yield* reader.read(2);
      return { zero, before, after: reader.atEof() };
    });
    expect(got).toEqual({ zero: 0, before: false, after: true });
  });

  it("readexactly waits for n bytes and raises IncompleteReadError with the partial bytes at the end", async () => {
    const got = await withReader(function* (reader) {
      feedLater(reader, ["ab", "cd", "ef"]);
      const four = text(yield* reader.readexactly(4));
      try {
        yield* reader.readexactly(5);
        return "no error";
      } catch (error) {
        if (!(error instanceof IncompleteReadError)) throw error;
        return { four, partial: text(error.partial), expected: error.expected, message: error.message, eof: reader.atEof() };
      }
    });
    expect(got).toEqual({ four: "abcd", partial: "ef", expected: 5, message: "2 bytes read on a total of 5 expected bytes", eof: true });
  });

  it("readexactly refuses a negative size with ValueError; readexactly(0) is empty", async () => {
    await expect(withReader((reader) => reader.readexactly(-1))).rejects.toThrow(/can not be less than zero/);
    expect((await withReader((reader) => reader.readexactly(0))).length).toBe(0);
  });

  it("readline returns lines with their newline, and what is left at the end", async () => {
    const lines = await withReader(function* (reader) {
      feedLater(reader, ["line1\nli", "ne2\n", "tail"]);
      const out: string[] = [];
      for (;;) {
        const line = yield* reader.readline();
        if (line.length === 0) return out;
        out.push(text(line));
      }
    });
    expect(lines).toEqual(["line1\n", "line2\n", "tail"]);
  });

  it("readline past the limit raises ValueError and drops the line (up to its newline, if it came)", async () => {
    const got = await withReader(
      function* (reader) {
        reader.feedData(bytes("0123456789ABCDEF\nnext\n"));
        let first = "";
        try {
          yield* reader.readline();
        } catch (error) {
          first = `${(error as Error).name}: ${(error as Error).message}`;
        }
        const next = text(yield* reader.readline());
        // No newline yet, and more than the limit: everything buffered goes.
        reader.feedData(bytes("0123456789ABCDEFGH"));
        let second = "";
        try {
          yield* reader.readline();
        } catch (error) {
          second = (error as Error).name;
        }
        return { first, next, second, left: reader.buffered };
      },
      7,
    );
    expect(got).toEqual({ first: "ValueError: Separator is found, but chunk is longer than limit", next: "next\n", second: "ValueError", left: 0 });
  });

  it("readuntil: multi-byte separators across feeds, LimitOverrunError with consumed, IncompleteReadError at the end", async () => {
    const got = await withReader(
      function* (reader) {
        feedLater(reader, ["aa*", "*bb**", "cccccccccc"], false);
        const a = text(yield* reader.readuntil(bytes("**")));
        const b = text(yield* reader.readuntil(bytes("**")));
        let overrun: LimitOverrunError | null = null;
        try {
          yield* reader.readuntil(bytes("**"));
        } catch (error) {
          if (!(error instanceof LimitOverrunError)) throw error;
          overrun = error;
        }
        const kept = reader.buffered; // LimitOverrunError leaves the bytes in the buffer
        yield* reader.readexactly(overrun!.consumed); // skip what cannot hold the separator, as CPython's docs say
        reader.feedEof();
        let partial = "";
        try {
          yield* reader.readuntil(bytes("**"));
        } catch (error) {
          if (!(error instanceof IncompleteReadError)) throw error;
          partial = text(error.partial);
        }
        return { a, b, consumed: overrun?.consumed, overrunMessage: overrun?.message, kept, partial };
      },
      8,
    );
    expect(got).toEqual({ a: "aa**", b: "bb**", consumed: 9, overrunMessage: "Separator is not found, and chunk exceed the limit", kept: 10, partial: "c" });
  });

  it("setException: as CPython, reads raise it at once (even with bytes buffered), and a waiting read is woken with it", async () => {
    const got = await withReader(function* (reader) {
      const waiting = asyncio.createTask(reader.read(10));
      yield* asyncio.sleep(0);
      reader.setException(new Error("connection lost"));
      let woken = "";
      try {
        yield* waiting;
      } catch (error) {
        woken = (error as Error).message;
      }
      reader.feedData(bytes("buffered\n"));
      let later = "";
      try {
        yield* reader.readline();
      } catch (error) {
        later = (error as Error).message;
      }
      return { woken, later, exception: reader.exception()?.message };
    });
    expect(got).toEqual({ woken: "connection lost", later: "connection lost", exception: "connection lost" });
  });

  it("a cancelled read() to the end loses nothing: the blocks it took go back, before what came after", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(bytes("abcde"));
      const reading = asyncio.createTask(reader.read());
      yield* asyncio.sleep(0); // it took "ab", "cd", "e" (limit 2) and waits for more
      reading.cancel();
      try {
        yield* reading;
      } catch {
        // CancelledError
      }
      reader.feedData(bytes("fg"));
      reader.feedEof();
      return { all: text(yield* reader.read()), cancelled: reading.cancelled() };
    }, 2);
    expect(got).toEqual({ all: "abcdefg", cancelled: true });
  });

  it("two coroutines reading at once: RuntimeError for the second", async () => {
    const message = await withReader(function* (reader) {
      const first = asyncio.createTask(reader.read(1));
      yield* asyncio.sleep(0);
      try {
        yield* reader.read(1);
        return "no error";
      } catch (error) {
        return (error as Error).message;
      } finally {
        reader.feedEof();
        yield* first;
      }
    });
    expect(message).toMatch(/another coroutine is already waiting for incoming data/);
  });

  it("asks its transport to pause past twice the limit and to resume under the limit", async () => {
    const log = await withReader(function* (reader) {
      const calls: string[] = [];
      reader.setTransport({ pauseReading: () => calls.push("pause"), resumeReading: () => calls.push("resume") });
      reader.feedData(new Uint8Array(8));
      calls.push(`fed 8`);
      reader.feedData(new Uint8Array(1)); // 9 > 2 * 4
      yield* reader.read(4); // 5 left: still above the limit
      calls.push("read 4");
      yield* reader.read(1); // 4 left: at the limit
      return calls;
    }, 4);
    expect(log).toEqual(["fed 8", "pause", "read 4", "resume"]);
  });

  it("refuses bad input, naming the fix", async () => {
    await expect(withReader(() => new StreamReader({ limit: 0 }).read())).rejects.toThrow(/limit must be a whole number of bytes above 0/);
    await expect(
      withReader(function* (reader) {
        reader.feedData("text" as never);
      }),
    ).rejects.toThrow(/TextEncoder/);
    await expect(withReader((reader) => reader.readuntil(new Uint8Array(0)))).rejects.toThrow(/at least one byte/);
    await expect(withReader((reader) => reader.read(1.5))).rejects.toThrow(/whole number/);
    await expect(
      withReader(function* (reader) {
        reader.feedEof();
        reader.feedData(bytes("x"));
      }),
    ).rejects.toThrow(/after feedEof/);
  });
});

describe("openWebSocketStreams over the test double", () => {
  const URL_ = "ws://example.test/lines";

  it("reads messages as bytes (text as UTF-8), writes each chunk as one binary message, and closes with 1000", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.deliver("héllo\nwor");
      s.deliver(bytes("ld\n"));
    };
    const got = await asyncioRun(
      (function* () {
        const [reader, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        const lines = [text(yield* reader.readline()), text(yield* reader.readline())];
        writer.write(bytes("one"));
        writer.writelines([bytes("two"), bytes("three")]);
        yield* writer.drain();
        writer.close();
        expect(writer.isClosing()).toBe(true);
        yield* writer.waitClosed();
        return { lines, url: writer.getExtraInfo("url") };
      })(),
    );
    expect(got).toEqual({ lines: ["héllo\n", "world\n"], url: URL_ });
    const socket = server.last;
    expect(socket.sent.map((m) => (typeof m === "string" ? `text ${m}` : text(m)))).toEqual(["one", "two", "three"]);
    expect(socket.closeCalls.map((c) => c.code)).toEqual([1000]);
    expect(server.liveListeners).toBe(0);
  });

  it("the server's normal close is the reader's end; an abnormal one is raised by reads and drain", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.deliver("last words");
      s.serverClose(1000, "bye");
    };
    const normal = await asyncioRun(
      (function* () {
        const [reader, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        const all = text(yield* reader.read());
        yield* writer.waitClosed();
        return { all, eof: reader.atEof() };
      })(),
    );
    expect(normal).toEqual({ all: "last words", eof: true });

    server.onConnect = (s) => {
      s.accept();
      s.deliver("partial");
      s.serverClose(1011, "server error");
    };
    const abnormal = await asyncioRun(
      (function* () {
        const [reader, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        yield* writer.waitClosed();
        const errors: string[] = [];
        for (const attempt of [() => reader.readexactly(20), () => writer.drain()]) {
          try {
            yield* attempt();
          } catch (error) {
            errors.push(error instanceof WebSocketClosedError ? `closed ${error.code}` : String(error));
          }
        }
        return errors;
      })(),
    );
    expect(abnormal).toEqual(["closed 1011", "closed 1011"]);
    expect(server.liveListeners).toBe(0);
  });

  it("a socket that cannot open raises WebSocketClosedError from the call", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => s.refuse();
    const error = await asyncioRun(
      (function* () {
        try {
          yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
          return null;
        } catch (e) {
          return e;
        }
      })(),
    );
    expect(error).toBeInstanceOf(WebSocketClosedError);
    expect(server.liveListeners).toBe(0);
  });

  it("the loop's end closes a socket left open (cancelled, 1000)", async () => {
    const server = new FakeServer();
    await asyncioRun(
      (function* () {
        yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
      })(),
    );
    expect(server.last.closeCalls.map((c) => c.code)).toEqual([1000]);
    expect(server.liveListeners).toBe(0);
  });

  it("cancelling the call while it connects closes the connecting socket", async () => {
    const server = new FakeServer();
    server.onConnect = () => {}; // never answers
    const outcome = await asyncioRun(
      (function* () {
        try {
          yield* asyncio.waitFor(openWebSocketStreams(URL_, { WebSocket: server.WebSocket }), 0.05);
          return "opened";
        } catch (error) {
          return (error as Error).name;
        }
      })(),
    );
    expect(outcome).toBe("TimeoutError");
    expect(server.last.closeCalls.length).toBe(1);
    expect(server.liveListeners).toBe(0);
  });

  it("a reader that lags stops the pump: messages wait in the socket's channel, not in the reader", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      for (let i = 0; i < 10; i++) s.deliver(new Uint8Array(4));
    };
    const buffered = await asyncioRun(
      (function* () {
        const [reader, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket, limit: 4 });
        yield* asyncio.sleep(0.02);
        const held = reader.buffered; // paused once above 2 * 4
        const all = yield* reader.readexactly(40); // reading resumes the pump
        writer.close();
        yield* writer.waitClosed();
        return { held, all: all.length };
      })(),
    );
    expect(buffered).toEqual({ held: 12, all: 40 });
  });

  it("refuses bad input, naming the fix", async () => {
    const server = new FakeServer();
    expect(() => openWebSocketStreams(URL_, { limit: -1 })).toThrow(/limit must be a whole number of bytes above 0/);
    expect(() => openWebSocketStreams(42 as never)).toThrow(/needs a URL/);
    const messages = await asyncioRun(
      (function* () {
        const [, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        const out: string[] = [];
        for (const attempt of [() => writer.write("text" as never), () => writer.writeEof()]) {
          try {
            attempt();
          } catch (error) {
            out.push((error as Error).message);
          }
        }
        writer.close();
        try {
          writer.write(bytes("late"));
        } catch (error) {
          out.push((error as Error).message);
        }
        yield* writer.waitClosed();
        return out;
      })(),
    );
    expect(messages[0]).toMatch(/TextEncoder/);
    expect(messages[1]).toMatch(/no half-close/);
    expect(messages[2]).toMatch(/after close\(\)/);
  });
});

describe("openWebSocketStreams: after the connection ends, and cancelled waits", () => {
  const URL_ = "ws://example.test/lines";

  function* lateWrite(writer: StreamWriter): asyncio.Coroutine<string> {
    yield* writer.waitClosed();
    try {
      writer.write(bytes("late"));
      return "written";
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  }

  it("write after the server dropped the connection raises the connection's error (it said 'closed on this side', naming openWebSocket)", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.serverClose(1011, "server error", false);
    };
    const outcome = await asyncioRun(
      (function* () {
        const [, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        return yield* lateWrite(writer);
      })(),
    );
    expect(outcome).toMatch(/^WebSocketClosedError: .*code 1011/);
  });

  it("write after the server's normal close, or the loop's end, names openWebSocketStreams and what happened", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.serverClose(1000, "bye");
    };
    const normal = await asyncioRun(
      (function* () {
        const [, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        return yield* lateWrite(writer);
      })(),
    );
    expect(normal).toMatch(/^BrokenResourceError: StreamWriter\.write\(\) on a WebSocket the server closed \(code 1000.*\): open a new connection with openWebSocketStreams/);
    server.onConnect = (s) => s.accept();
    let kept: StreamWriter | null = null;
    await asyncioRun(
      (function* () {
        [, kept] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
      })(),
    );
    expect(() => kept!.write(bytes("after the loop"))).toThrow(/StreamWriter\.write\(\) on a WebSocket closed when its loop ended \(or its task was cancelled\): open a new connection with openWebSocketStreams/);
  });

  it("writelines with a bad chunk, or an iterator that throws, sends nothing (it sent the chunks before)", async () => {
    const server = new FakeServer();
    const messages = await asyncioRun(
      (function* () {
        const [, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        const out: string[] = [];
        function* throwing(): Generator<Uint8Array> {
          yield bytes("first");
          throw new Error("iterator refuses");
        }
        for (const chunks of [[bytes("a"), "b" as never, bytes("c")], throwing()]) {
          try {
            writer.writelines(chunks);
          } catch (error) {
            out.push((error as Error).message);
          }
        }
        writer.close();
        yield* writer.waitClosed();
        return out;
      })(),
    );
    expect(messages[0]).toMatch(/StreamWriter\.write\(data\) needs bytes \(a Uint8Array\), got "b"/);
    expect(messages[1]).toBe("iterator refuses");
    expect(server.last.sent).toEqual([]);
  });

  it("cancelling a Task waiting in waitClosed() leaves the connection open (it used to close the socket)", async () => {
    const server = new FakeServer();
    const outcome = await asyncioRun(
      (function* () {
        const [, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        const waiter = asyncio.createTask(writer.waitClosed());
        yield* asyncio.sleep(0.01);
        waiter.cancel();
        yield* asyncio.sleep(0.01);
        const closeCalls = server.last.closeCalls.length;
        writer.write(bytes("still open"));
        writer.close();
        yield* writer.waitClosed();
        return { cancelled: waiter.cancelled(), closeCalls };
      })(),
    );
    expect(outcome).toEqual({ cancelled: true, closeCalls: 0 });
    expect(server.last.sent.map((m) => text(m as Uint8Array))).toEqual(["still open"]);
    expect(server.liveListeners).toBe(0);
  });
});

describe("openWebSocketStreams over a real connection (ws)", () => {
  let wss: WebSocketServer;
  let url: string;
  const Ctor: WebSocketConstructor = WebSocket;

  beforeEach(async () => {
    wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise<void>((resolve) => wss.once("listening", resolve));
    const address = wss.address();
    if (address === null || typeof address === "string") throw new Error("expected a port");
    url = `ws://127.0.0.1:${address.port}`;
    // A line echo: each message back, upper-cased.
    wss.on("connection", (socket) => socket.on("message", (data) => socket.send(data.toString().toUpperCase())));
  });

  afterEach(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  it("a line protocol round trip: write, drain, readline, close, waitClosed (the server sees 1000)", async () => {
    const closes: number[] = [];
    wss.on("connection", (socket) => socket.on("close", (code) => closes.push(code)));
    const lines = await asyncioRun(
      (function* () {
        const [reader, writer] = yield* openWebSocketStreams(url, { WebSocket: Ctor });
        const out: string[] = [];
        for (const word of ["alpha", "beta"]) {
          writer.write(bytes(`${word}\n`));
          yield* writer.drain();
          out.push(text(yield* reader.readline()));
        }
        writer.close();
        yield* writer.waitClosed();
        return out;
      })(),
    );
    expect(lines).toEqual(["ALPHA\n", "BETA\n"]);
    await expect.poll(() => closes).toEqual([1000]);
  });
});
