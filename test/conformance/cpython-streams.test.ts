/**
 * StreamReader rules taken from CPython's Lib/test/test_asyncio/test_streams.py
 * (the reader fed by hand; semantics only, the code and words are ours).
 * Each test names the CPython test it follows. Our reader is
 * src/web/asyncio-streams.ts; test/web/asyncio-streams.test.ts holds our own
 * tests (the transport's pause/resume, the WebSocket), not repeated here.
 *
 * Where CPython's test looks at the private `_buffer`, we look at what is
 * left through the public `buffered` count and by reading it back.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, ValueError, createTask, getRunningLoop, sleep, wait, type Coroutine, type Future } from "../../src/asyncio/index.js";
import { IncompleteReadError, LimitOverrunError, StreamReader } from "../../src/web/asyncio-streams.js";
import { AsyncioError } from "../../src/asyncio/errors.js";
import { RuntimeError } from "../../src/core/state.js";
import { raises, runAio, spin } from "../asyncio/helpers.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
const s = (u: Uint8Array): string => dec.decode(u);

const DATA = "line1\nline2\nline3\n";

/** A Task or Future as a coroutine, for raises(). */
function* awaited<T>(f: Future<T>): Coroutine<T> {
  return yield* f;
}

/** Everything still buffered, read without waiting (the reader has ended or holds it all). */
function* rest(reader: StreamReader): Coroutine<string> {
  return reader.buffered === 0 ? "" : s(yield* reader.read(reader.buffered));
}

/** Runs `body` on a fresh loop (MockClock) with a reader of `limit` (default 64 KiB). */
function withReader<T>(body: (reader: StreamReader) => Coroutine<T>, limit?: number): Promise<T> {
  return runAio(function* () {
    return yield* body(new StreamReader(limit === undefined ? {} : { limit }));
  });
}

/** Feeds from a loop callback (CPython's `loop.call_soon(cb)`), so a read started now has to wait. */
function soon(cb: () => void): void {
  getRunningLoop().callSoon(cb);
}

describe("feeding and read(n), after CPython's test_streams", () => {
  // test_feed_empty_data, test_feed_nonempty_data
  it("feeding nothing buffers nothing; feeding bytes buffers them all", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(new Uint8Array(0));
      const empty = reader.buffered;
      reader.feedData(b(DATA));
      return { empty, full: reader.buffered, text: yield* rest(reader) };
    });
    expect(got).toEqual({ empty: 0, full: DATA.length, text: DATA });
  });

  // test_read_zero
  it("read(0) returns no bytes and leaves the buffer alone", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b(DATA));
      const zero = yield* reader.read(0);
      return { zero: zero.length, left: yield* rest(reader) };
    });
    expect(got).toEqual({ zero: 0, left: DATA });
  });

  // test_read
  it("a read waiting on an empty buffer returns what the next feed brings, and the buffer is empty after", async () => {
    const got = await withReader(function* (reader) {
      const task = createTask(reader.read(30));
      soon(() => reader.feedData(b(DATA)));
      const data = s(yield* task);
      return { data, left: reader.buffered };
    });
    expect(got).toEqual({ data: DATA, left: 0 });
  });

  // test_read_line_breaks
  it("read(n) joins separate feeds and stops at n", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("line1"));
      reader.feedData(b("line2"));
      const data = s(yield* reader.read(5));
      return { data, left: yield* rest(reader) };
    });
    expect(got).toEqual({ data: "line1", left: "line2" });
  });

  // test_read_eof
  it("a read waiting when EOF comes returns no bytes", async () => {
    const got = await withReader(function* (reader) {
      const task = createTask(reader.read(1024));
      soon(() => reader.feedEof());
      return (yield* task).length;
    });
    expect(got).toBe(0);
  });

  // test_read_until_eof
  it("read(-1) collects every feed up to EOF", async () => {
    const got = await withReader(function* (reader) {
      const task = createTask(reader.read(-1));
      soon(() => {
        reader.feedData(b("chunk1\n"));
        reader.feedData(b("chunk2"));
        reader.feedEof();
      });
      return { data: s(yield* task), left: reader.buffered, eof: reader.atEof() };
    });
    expect(got).toEqual({ data: "chunk1\nchunk2", left: 0, eof: true });
  });

  // test_read_exception
  it("after setException a read raises that error though bytes are still buffered", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("line\n"));
      const first = s(yield* reader.read(2));
      const error = new ValueError("boom");
      reader.setException(error);
      const e = yield* raises(() => reader.read(2));
      return { first, same: e === error, left: reader.buffered };
    });
    expect(got).toEqual({ first: "li", same: true, left: 3 });
  });

  // test_invalid_limit
  it("a limit of 0 or below is refused with ValueError naming the limit", async () => {
    await runAio(function* () {
      for (const limit of [0, -1]) {
        expect(() => new StreamReader({ limit })).toThrow(ValueError);
        expect(() => new StreamReader({ limit })).toThrow(/limit/);
      }
    });
  });

  // test_read_limit, test_readexactly_limit
  it("the limit bounds lines only: read(n) and readexactly(n) return more than it", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("chunk"));
      const read = s(yield* reader.read(5));
      reader.feedData(b("chunk"));
      const exactly = s(yield* reader.readexactly(5));
      return { read, exactly, left: reader.buffered };
    }, 3);
    expect(got).toEqual({ read: "chunk", exactly: "chunk", left: 0 });
  });
});

describe("the transport's pause, after CPython's test_read_all_from_pipe_reader", () => {
  // test_read_all_from_pipe_reader: a limit of 1, so the feed pauses the transport; read(-1) still gets everything
  it("with limit 1 a 4-byte feed pauses the transport; read(-1) returns all of it and resumes the transport", async () => {
    const got = await withReader(function* (reader) {
      const calls: string[] = [];
      reader.setTransport({ pauseReading: () => calls.push("pause"), resumeReading: () => calls.push("resume") });
      const task = createTask(reader.read(-1));
      soon(() => {
        reader.feedData(b("data"));
        calls.push(String(reader));
        reader.feedEof();
      });
      return { data: s(yield* task), calls };
    }, 1);
    expect(got).toEqual({ data: "data", calls: ["pause", "<StreamReader 4 bytes limit=1 paused>", "resume"] });
  });
});

describe("readline, after CPython's test_streams", () => {
  // test_readline
  it("waits across feeds until the newline and leaves what follows it", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("chunk1 "));
      const task = createTask(reader.readline());
      soon(() => {
        reader.feedData(b("chunk2 "));
        reader.feedData(b("chunk3 "));
        reader.feedData(b("\n chunk4"));
      });
      return { line: s(yield* task), left: yield* rest(reader) };
    });
    expect(got).toEqual({ line: "chunk1 chunk2 chunk3 \n", left: " chunk4" });
  });

  // test_readline_limit_with_existing_data
  it("a buffered line over the limit: ValueError, the line and its newline dropped, the next line kept; with no newline everything goes", async () => {
    const got = await withReader(function* () {
      const one = new StreamReader({ limit: 3 });
      one.feedData(b("li"));
      one.feedData(b("ne1\nline2\n"));
      const e1 = yield* raises(() => one.readline());
      const left1 = yield* rest(one);

      const two = new StreamReader({ limit: 3 });
      two.feedData(b("li"));
      two.feedData(b("ne1"));
      two.feedData(b("li"));
      const e2 = yield* raises(() => two.readline());
      return { e1: e1 instanceof ValueError, left1, e2: e2 instanceof ValueError, left2: two.buffered };
    });
    expect(got).toEqual({ e1: true, left1: "line2\n", e2: true, left2: 0 });
  });

  // test_at_eof
  it("atEof is true only once EOF was fed and every byte read", async () => {
    const got = await withReader(function* (reader) {
      const seen = [reader.atEof()];
      reader.feedData(b("some data\n"));
      seen.push(reader.atEof());
      yield* reader.readline();
      seen.push(reader.atEof());
      reader.feedData(b("some data\n"));
      reader.feedEof();
      seen.push(reader.atEof());
      yield* reader.readline();
      seen.push(reader.atEof());
      return seen;
    });
    expect(got).toEqual([false, false, false, false, true]);
  });

  // test_readline_limit
  it("a line over the limit that arrives while readline waits: ValueError and the line dropped; the limit itself is allowed, one byte more is not", async () => {
    const got = await withReader(function* () {
      const out: unknown[] = [];
      const one = new StreamReader({ limit: 7 });
      soon(() => {
        one.feedData(b("chunk1"));
        one.feedData(b("chunk2"));
        one.feedData(b("chunk3\n"));
        one.feedEof();
      });
      out.push((yield* raises(() => one.readline())) instanceof ValueError, one.buffered);

      const two = new StreamReader({ limit: 7 });
      soon(() => {
        two.feedData(b("chunk1"));
        two.feedData(b("chunk2\n"));
        two.feedData(b("chunk3\n"));
        two.feedEof();
      });
      out.push((yield* raises(() => two.readline())) instanceof ValueError, yield* rest(two));

      const three = new StreamReader({ limit: 7 });
      three.feedData(b("1234567\n"));
      out.push(s(yield* three.readline()), three.buffered);
      three.feedData(b("12345678\n"));
      out.push((yield* raises(() => three.readline())) instanceof ValueError, three.buffered);
      three.feedData(b("12345678"));
      out.push((yield* raises(() => three.readline())) instanceof ValueError, three.buffered);
      return out;
    });
    expect(got).toEqual([true, 0, true, "chunk3\n", "1234567\n", 0, true, 0, true, 0]);
  });

  // test_readline_nolimit_nowait, test_readline_read_byte_count
  it("a line already buffered returns at once; a read after it goes on where the line ended", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b(DATA.slice(0, 6)));
      reader.feedData(b(DATA.slice(6)));
      const line = s(yield* reader.readline());
      const seven = s(yield* reader.read(7));
      return { line, seven, left: yield* rest(reader) };
    });
    expect(got).toEqual({ line: "line1\n", seven: "line2\nl", left: "ine3\n" });
  });

  // test_readline_eof, test_readline_empty_eof
  it("at EOF readline returns the unterminated rest, then no bytes", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("some data"));
      reader.feedEof();
      return [s(yield* reader.readline()), s(yield* reader.readline())];
    });
    expect(got).toEqual(["some data", ""]);
  });

  // test_readline_exception
  it("after setException readline raises that error", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("line\n"));
      const line = s(yield* reader.readline());
      const error = new ValueError("boom");
      reader.setException(error);
      return { line, same: (yield* raises(() => reader.readline())) === error, left: reader.buffered };
    });
    expect(got).toEqual({ line: "line\n", same: true, left: 0 });
  });
});

describe("readuntil, after CPython's test_streams", () => {
  // test_readuntil_separator
  it("an empty separator is refused with ValueError", async () => {
    const e = await withReader((reader) => raises(() => reader.readuntil(new Uint8Array(0))));
    expect(e).toBeInstanceOf(ValueError);
    expect((e as Error).message).toMatch(/separator should be at least one byte/);
  });

  // CPython 3.13's readuntil also takes a tuple of separators (the shortest match wins).
  // Ours takes one separator (docs/asyncio.md lists readuntil(separator)): a list of them is
  // refused with TypeError, never read as something else.
  it("a list of separators (CPython 3.13) is refused: one separator at a time", async () => {
    const e = await withReader(function* (reader) {
      reader.feedData(b("a\r\n"));
      return yield* raises(() => reader.readuntil([b("\n"), b("\r\n")] as never));
    });
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/readuntil\(separator\) needs bytes \(a Uint8Array\)/);
  });

  // test_readuntil_multi_chunks
  it("a multi-byte separator: returns through it and keeps what follows", async () => {
    const got = await withReader(function* (reader) {
      const out: string[] = [];
      for (const feed of ["lineAAA", "lineAAA", "lineAAAxxx"]) {
        reader.feedData(b(feed));
        out.push(s(yield* reader.readuntil(b("AAA"))));
      }
      out.push(yield* rest(reader));
      return out;
    });
    expect(got).toEqual(["lineAAA", "lineAAA", "lineAAA", "xxx"]);
  });

  // test_readuntil_multi_chunks_1
  it("a separator split across feeds, or preceded by a partial match, is found at its first full occurrence", async () => {
    const got = await withReader(function* (reader) {
      const out: string[] = [];
      for (const feeds of [["QWEaa", "XYaa", "a"], ["QWEaa", "XYa", "aa"], ["aaa"], ["Xaaa"], ["XXX", "a", "a", "a"]]) {
        for (const f of feeds) reader.feedData(b(f));
        out.push(`${s(yield* reader.readuntil(b("aaa")))}|${reader.buffered}`);
      }
      return out;
    });
    expect(got).toEqual(["QWEaaXYaaa|0", "QWEaaXYaaa|0", "aaa|0", "Xaaa|0", "XXXaaa|0"]);
  });

  // the same rule met while waiting: the separator completes in a later feed
  it("a separator completed by a later feed while readuntil waits, even when the partial match was already scanned", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("QWEaa"));
      const task = createTask(reader.readuntil(b("aaa")));
      yield* spin(2); // the task has scanned "QWEaa" and waits
      reader.feedData(b("XYa"));
      yield* spin(2);
      reader.feedData(b("aa!"));
      return { line: s(yield* task), left: yield* rest(reader) };
    });
    expect(got).toEqual({ line: "QWEaaXYaaa", left: "!" });
  });

  // test_readuntil_eof
  it("EOF before the separator: IncompleteReadError with every byte as partial, expected null, and the buffer emptied", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("some dataAA"));
      reader.feedEof();
      const e = yield* raises(() => reader.readuntil(b("AAA")));
      if (!(e instanceof IncompleteReadError)) throw e;
      return { partial: s(e.partial), expected: e.expected, message: e.message, left: reader.buffered };
    });
    expect(got).toEqual({ partial: "some dataAA", expected: null, message: "11 bytes read on a total of undefined expected bytes", left: 0 });
  });

  // test_readuntil_limit_found_sep
  it("past the limit: LimitOverrunError 'not found', then 'is found' once the separator arrives, the bytes staying buffered both times", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("some dataAA"));
      const e1 = yield* raises(() => reader.readuntil(b("AAA")));
      const kept1 = reader.buffered;
      reader.feedData(b("A"));
      const e2 = yield* raises(() => reader.readuntil(b("AAA")));
      if (!(e1 instanceof LimitOverrunError) || !(e2 instanceof LimitOverrunError)) throw new Error("expected LimitOverrunError twice");
      return { m1: e1.message, c1: e1.consumed, kept1, m2: e2.message, c2: e2.consumed, left: yield* rest(reader) };
    }, 3);
    expect(got).toEqual({
      m1: "Separator is not found, and chunk exceed the limit",
      c1: 9,
      kept1: 11,
      m2: "Separator is found, but chunk is longer than limit",
      c2: 9,
      left: "some dataAAA",
    });
  });
});

describe("readexactly, after CPython's test_streams", () => {
  // test_readexactly_zero_or_less
  it("readexactly(0) is empty and a negative size is a ValueError; neither touches the buffer", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b(DATA));
      const zero = (yield* reader.readexactly(0)).length;
      const e = yield* raises(() => reader.readexactly(-1));
      return { zero, e: e instanceof ValueError && /less than zero/.test((e as Error).message), left: yield* rest(reader) };
    });
    expect(got).toEqual({ zero: 0, e: true, left: DATA });
  });

  // test_readexactly
  it("waits until n bytes have come, however they were fed, and leaves the rest", async () => {
    const got = await withReader(function* (reader) {
      const task = createTask(reader.readexactly(2 * DATA.length));
      soon(() => {
        reader.feedData(b(DATA));
        reader.feedData(b(DATA));
        reader.feedData(b(DATA));
      });
      return { data: s(yield* task), left: yield* rest(reader) };
    });
    expect(got).toEqual({ data: DATA + DATA, left: DATA });
  });

  // test_readexactly_eof
  it("EOF first: IncompleteReadError with the partial bytes, expected n and CPython's message; the buffer is emptied", async () => {
    const got = await withReader(function* (reader) {
      const n = 2 * DATA.length;
      const task = createTask(reader.readexactly(n));
      soon(() => {
        reader.feedData(b(DATA));
        reader.feedEof();
      });
      const e = yield* raises(() => awaited(task));
      if (!(e instanceof IncompleteReadError)) throw e;
      return { partial: s(e.partial), expected: e.expected, message: e.message, left: reader.buffered, asyncioError: e instanceof AsyncioError };
    });
    expect(got).toEqual({ partial: DATA, expected: 36, message: "18 bytes read on a total of 36 expected bytes", left: 0, asyncioError: true });
  });

  // test_readexactly_exception
  it("after setException readexactly raises that error", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("line\n"));
      const first = s(yield* reader.readexactly(2));
      const error = new ValueError("boom");
      reader.setException(error);
      return { first, same: (yield* raises(() => reader.readexactly(2))) === error };
    });
    expect(got).toEqual({ first: "li", same: true });
  });
});

describe("errors and waiters, after CPython's test_streams", () => {
  // test_exception
  it("exception() is null until setException, then the very error given", async () => {
    await withReader(function* (reader) {
      expect(reader.exception()).toBeNull();
      const error = new ValueError("boom");
      reader.setException(error);
      expect(reader.exception()).toBe(error);
    });
  });

  // test_exception_waiter
  it("setException from another task wakes a waiting readline with that error", async () => {
    const got = await withReader(function* (reader) {
      const error = new ValueError("boom");
      const t1 = createTask(reader.readline());
      const t2 = createTask(
        (function* (): Coroutine<void> {
          reader.setException(error);
        })(),
      );
      yield* wait([t1, t2]);
      return t1.exception() === error;
    });
    expect(got).toBe(true);
  });

  // test_exception_cancel
  it("a waiting readline cancelled, then setException: no error from the cancelled waiter and no waiter left", async () => {
    const got = await runAio(function* (loop) {
      const logged: unknown[] = [];
      loop.setExceptionHandler((_l, context) => logged.push(context));
      const reader = new StreamReader();
      const t = createTask(reader.readline());
      yield* spin(1);
      t.cancel();
      yield* spin(1);
      reader.setException(new RuntimeError("message"));
      yield* spin(1);
      return { cancelled: t.cancelled(), repr: String(reader), logged: logged.length };
    });
    expect(got).toEqual({ cancelled: true, repr: "<StreamReader exception=RuntimeError>", logged: 0 });
  });

  // not a CPython test, but the rule its readers rely on (docs/web.md: "a cancelled read has consumed nothing")
  it("a cancelled readexactly or readuntil leaves every byte it had seen in the buffer", async () => {
    const got = await withReader(function* (reader) {
      reader.feedData(b("abc"));
      const t1 = createTask(reader.readexactly(10));
      yield* sleep(0);
      t1.cancel();
      const e1 = yield* raises(() => awaited(t1));
      const t2 = createTask(reader.readuntil(b("\n")));
      yield* sleep(0);
      t2.cancel();
      const e2 = yield* raises(() => awaited(t2));
      reader.feedData(b("\n"));
      return { e1: e1 instanceof CancelledError, e2: e2 instanceof CancelledError, line: s(yield* reader.readline()) };
    });
    expect(got).toEqual({ e1: true, e2: true, line: "abc\n" });
  });
});

describe("the reader's repr, after CPython's test_streams", () => {
  // test___repr__, test___repr__nondefault_limit, test___repr__eof, test___repr__data, test___repr__exception
  it("names only what is not the default: bytes buffered, eof, a limit, the error", async () => {
    const got = await runAio(function* () {
      const plain = String(new StreamReader());
      const limited = String(new StreamReader({ limit: 123 }));
      const ended = new StreamReader();
      ended.feedEof();
      const fed = new StreamReader();
      fed.feedData(b("data"));
      const failed = new StreamReader();
      failed.setException(new RuntimeError("x"));
      return [plain, limited, String(ended), String(fed), String(failed)];
    });
    // Ours gives the error's name only (CPython: its repr, `RuntimeError()`).
    expect(got).toEqual(["<StreamReader>", "<StreamReader limit=123>", "<StreamReader eof>", "<StreamReader 4 bytes>", "<StreamReader exception=RuntimeError>"]);
  });

  // test___repr__waiter
  it("says so while a read waits, and no more once it is done", async () => {
    const got = await withReader(function* (reader) {
      const task = createTask(reader.read(1));
      yield* sleep(0);
      const waiting = String(reader);
      reader.feedData(b("x"));
      yield* task;
      return [waiting, String(reader)];
    });
    // Ours: the word `waiter` (CPython: the waiter Future's repr).
    expect(got).toEqual(["<StreamReader waiter>", "<StreamReader>"]);
  });

  // test_IncompleteReadError_pickleable, test_LimitOverrunError_pickleable (no pickle here: the fields and message)
  it("the errors carry their fields and messages", () => {
    const e1 = new IncompleteReadError(b("abc"), 10);
    expect([e1.message, s(e1.partial), e1.expected]).toEqual(["3 bytes read on a total of 10 expected bytes", "abc", 10]);
    const e2 = new LimitOverrunError("message", 10);
    expect([e2.message, e2.consumed]).toEqual(["message", 10]);
  });
});

describe("constructing a reader, after CPython's test_streams", () => {
  // test_streamreader_constructor_without_loop
  it("outside a running loop and without { loop }: RuntimeError", () => {
    expect(() => new StreamReader()).toThrow(RuntimeError);
  });

  // test_streamreader_constructor_use_running_loop
  it("inside a running loop it waits on that loop", async () => {
    const got = await runAio(function* (loop) {
      const reader = new StreamReader();
      soon(() => reader.feedData(b("x")));
      const data = s(yield* reader.read(1));
      return { data, loop: getRunningLoop() === loop };
    });
    expect(got).toEqual({ data: "x", loop: true });
  });
});
