/**
 * Text framing over a byte `ReceiveStream`: `receiveLines` (UTF-8 text,
 * split into lines) and `receiveServerSentEvents` (the `text/event-stream`
 * format of EventSource, parsed as the HTML standard says).
 *
 * Why they are built so: a network delivers bytes in chunks that care
 * nothing for characters or lines, so a UTF-8 character, a CRLF pair or an
 * event may be split across two chunks. The decoder runs in streaming mode
 * and the splitter keeps the unfinished line (and a trailing CR, whose LF
 * may come next) for the next chunk. Both receivers have the channels'
 * shape (`receive` raising `EndOfChannel` at the end, `receiveOrEnd`,
 * `forEach`), so they plug into the same loops. Cancelling a task in
 * `receive` loses nothing: the state is kept and the stream keeps its data.
 */
import { EndOfChannel, describe } from "../core/errors.js";
import { checkpoint } from "../core/operations.js";
import type { Operation } from "../core/traps.js";
import type { ReceiveResult } from "../sync/channel.js";
import { forEachReceived, receiveOrEnd } from "../sync/receive-loop.js";
import { ConflictDetector, type ReceiveStream } from "../sync/streams.js";
import { checkOptions, hasMethods } from "./target.js";

function checkStream(what: string, stream: unknown): asserts stream is ReceiveStream {
  if (!hasMethods(stream, "receiveSome")) {
    throw new TypeError(
      `${what} needs a ReceiveStream (with receiveSome), got ${describe(stream)}; ` +
        `for a ReadableStream such as a fetch body, wrap it first with receiveStreamFromReadable(readable).`,
    );
  }
}

/** Options of `receiveLines`. */
export interface ReceiveLinesOptions {
  /** The text encoding (default "utf-8"), as `TextDecoder` takes it. */
  encoding?: string | undefined;
  /**
   * The longest line accepted, in characters (default 1 MiB worth). A longer
   * one raises a RangeError rather than growing without bound on a stream
   * that never sends a newline.
   */
  maxLineLength?: number | undefined;
}

const DEFAULT_MAX_LINE = 1 << 20;
const DEFAULT_MAX_EVENT = 1 << 24;

/** Throws unless `value` is a number of at least 1 (`Infinity` is one: no limit). */
function checkLimit(what: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !(value >= 1)) {
    throw new TypeError(`${what} must be a number of at least 1, got ${describe(value)}.`);
  }
}

/**
 * Lines of text from a byte stream. `receive()` returns the next line
 * without its line ending (LF, CRLF or a lone CR); a last line without an
 * ending is returned too. At the end of the stream it raises `EndOfChannel`.
 * One task at a time may receive (`BusyResourceError` otherwise).
 */
export class LineReceiver {
  private readonly decoder: TextDecoder;
  private readonly lines: string[] = [];
  /** The next line to hand out: lines are taken by index, as shift() on a long array is O(n). */
  private next = 0;
  private partial = "";
  /** The last text ended in CR: an LF at the start of the next one belongs to it. */
  private pendingCR = false;
  private ended = false;
  private readonly receiving = new ConflictDetector("Another task is already receiving lines from this stream: receive in one task at a time.");

  /** @internal Use `receiveLines`. */
  constructor(
    private readonly stream: ReceiveStream,
    encoding: string,
    private readonly maxLineLength: number,
  ) {
    this.decoder = new TextDecoder(encoding);
  }

  /**
   * The next line; raises `EndOfChannel` at the end of the stream. A
   * checkpoint; cancelled, it has taken no line.
   */
  *receive(): Operation<string> {
    this.receiving.enter();
    try {
      // A line already here: still a checkpoint, as a channel's receive (receiveSome is one when it reads).
      if (this.next < this.lines.length || this.ended) yield* checkpoint();
      while (this.next === this.lines.length) {
        if (this.ended) throw new EndOfChannel("The stream has ended: there are no more lines.");
        const chunk = yield* this.stream.receiveSome();
        if (chunk.length === 0) {
          this.ended = true;
          this.feed(this.decoder.decode());
          if (this.partial !== "") {
            this.lines.push(this.partial);
            this.partial = "";
          }
        } else {
          this.feed(this.decoder.decode(chunk, { stream: true }));
        }
      }
      const line = this.lines[this.next++]!;
      if (this.next === this.lines.length) this.lines.length = this.next = 0;
      return line;
    } finally {
      this.receiving.exit();
    }
  }

  /** The next line as `{ done: false, value }`, or `{ done: true }` at the end. */
  receiveOrEnd(): Operation<ReceiveResult<string>> {
    return receiveOrEnd(this);
  }

  /** Runs `body` for each line until the end of the stream. */
  forEach(body: (line: string) => Operation<unknown>): Operation<void> {
    return forEachReceived(this, body);
  }

  private feed(text: string): void {
    let start = 0;
    if (this.pendingCR && text.length > 0) {
      this.pendingCR = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.push(this.partial + text.slice(start, i));
      this.partial = "";
      if (c === 13) {
        if (i + 1 === text.length) this.pendingCR = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    if (start < text.length) {
      this.partial += text.slice(start);
      if (this.partial.length > this.maxLineLength) {
        throw new RangeError(`A line grew past maxLineLength (${this.maxLineLength} characters) without a line ending; raise the option if such lines are expected.`);
      }
    }
  }

  private push(line: string): void {
    if (line.length > this.maxLineLength) {
      throw new RangeError(`A line of ${line.length} characters is longer than maxLineLength (${this.maxLineLength}); raise the option if such lines are expected.`);
    }
    this.lines.push(line);
  }
}

/**
 * Splits a byte stream into lines of text (see `LineReceiver`).
 *
 * ```ts
 * const lines = receiveLines(receiveStreamFromReadable(response.body!));
 * yield* lines.forEach(function* (line) { ... });
 * ```
 */
export function receiveLines(stream: ReceiveStream, options: ReceiveLinesOptions = {}): LineReceiver {
  checkStream("receiveLines(stream)", stream);
  checkOptions("receiveLines(stream, options)", options);
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE;
  checkLimit("receiveLines's maxLineLength", maxLineLength);
  const encoding = options.encoding ?? "utf-8";
  try {
    new TextDecoder(encoding);
  } catch {
    throw new RangeError(`receiveLines's encoding ${describe(encoding)} is not one TextDecoder knows; use a label such as "utf-8".`);
  }
  return new LineReceiver(stream, encoding, maxLineLength);
}

/** Options of `receiveServerSentEvents`. */
export interface ReceiveServerSentEventsOptions {
  /** The longest line accepted, in characters (default 1 MiB worth), as `receiveLines`'s. */
  maxLineLength?: number | undefined;
  /**
   * The longest event accepted: its data in characters, counting the
   * newlines between its `data:` lines (default 16 MiB worth). A server that
   * sends `data:` lines without ever the blank line that ends an event would
   * otherwise grow memory without bound: the event raises a RangeError
   * instead, and the next `receive` skips the rest of it.
   */
  maxEventLength?: number | undefined;
}

/** One event of a `text/event-stream`. */
export interface ServerSentEvent {
  /** The `event:` field, or "message" if the event had none. */
  readonly event: string;
  /** The `data:` lines, joined with "\n". */
  readonly data: string;
  /** The last event id (`id:`) seen up to this event, as EventSource's `lastEventId`; "" if none. */
  readonly id: string;
  /** The reconnection time in milliseconds from the last valid `retry:` field so far, if any. */
  readonly retry: number | undefined;
}

/**
 * The events of a `text/event-stream` (Server-Sent Events), parsed as the
 * HTML standard's event-stream interpretation: `data`, `event`, `id` and
 * `retry` fields, comment lines (starting with ":") skipped, an event
 * dispatched at each blank line, an event without data dropped, and an
 * unfinished event at the end of the stream discarded.
 */
export class ServerSentEventReceiver {
  private data = "";
  private hasData = false;
  private eventType = "";
  /** The event under way grew past `maxEventLength`: its lines are dropped up to its blank line. */
  private oversized = false;
  /** The last event id so far (kept across events, as EventSource does). */
  lastEventId = "";
  /** The reconnection time from the last valid `retry:` field, in milliseconds. */
  retry: number | undefined = undefined;

  /** @internal Use `receiveServerSentEvents`. */
  constructor(
    private readonly lines: LineReceiver,
    private readonly maxEventLength: number = DEFAULT_MAX_EVENT,
  ) {}

  /** The next event; raises `EndOfChannel` at the end of the stream. */
  *receive(): Operation<ServerSentEvent> {
    for (;;) {
      const line = yield* this.lines.receive();
      const event = this.interpret(line);
      if (event !== null) return event;
    }
  }

  /** The next event as `{ done: false, value }`, or `{ done: true }` at the end. */
  receiveOrEnd(): Operation<ReceiveResult<ServerSentEvent>> {
    return receiveOrEnd(this);
  }

  /** Runs `body` for each event until the end of the stream. */
  forEach(body: (event: ServerSentEvent) => Operation<unknown>): Operation<void> {
    return forEachReceived(this, body);
  }

  private interpret(line: string): ServerSentEvent | null {
    if (line === "") return this.dispatch();
    if (line.charCodeAt(0) === 58 /* ":" */) return null;
    const colon = line.indexOf(":");
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = "";
    } else {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    }
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        if (this.oversized) break;
        if (this.data.length + value.length > this.maxEventLength) {
          this.oversized = true;
          this.data = "";
          this.hasData = false;
          throw new RangeError(
            `An event's data grew past maxEventLength (${this.maxEventLength} characters) without a blank line to end it; raise the option if such events are expected (the rest of this event is skipped).`,
          );
        }
        this.data += value + "\n";
        this.hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) this.retry = Number(value);
        break;
      default:
      // Unknown fields are ignored, as the standard says.
    }
    return null;
  }

  private dispatch(): ServerSentEvent | null {
    const hasData = this.hasData;
    const data = this.data;
    const type = this.eventType;
    this.data = "";
    this.hasData = false;
    this.eventType = "";
    this.oversized = false;
    if (!hasData) return null;
    return { event: type === "" ? "message" : type, data: data.slice(0, -1), id: this.lastEventId, retry: this.retry };
  }
}

/**
 * Parses a byte stream as Server-Sent Events (see `ServerSentEventReceiver`).
 * A line longer than `maxLineLength` (1 MiB) or an event longer than
 * `maxEventLength` (16 MiB) raises a RangeError rather than growing memory
 * without bound.
 *
 * ```ts
 * const response = yield* fetchOp("/feed", { headers: { accept: "text/event-stream" } });
 * const events = receiveServerSentEvents(receiveStreamFromReadable(response.body!));
 * yield* events.forEach(function* (e) { if (e.event === "price") show(JSON.parse(e.data)); });
 * ```
 */
export function receiveServerSentEvents(stream: ReceiveStream, options: ReceiveServerSentEventsOptions = {}): ServerSentEventReceiver {
  checkStream("receiveServerSentEvents(stream)", stream);
  checkOptions("receiveServerSentEvents(stream, options)", options);
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE;
  checkLimit("receiveServerSentEvents's maxLineLength", maxLineLength);
  const maxEventLength = options.maxEventLength ?? DEFAULT_MAX_EVENT;
  checkLimit("receiveServerSentEvents's maxEventLength", maxEventLength);
  return new ServerSentEventReceiver(new LineReceiver(stream, "utf-8", maxLineLength), maxEventLength);
}
