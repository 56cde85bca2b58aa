/**
 * Reads the frames of an `Error.stack` text, in the two formats browsers
 * write: Chromium/V8's "    at fn (url:line:col)" (also "at url:line:col",
 * "at async fn (...)", "at new Foo (...)") and Firefox/Safari's
 * "fn@url:line:col" (Firefox prefixes frames reached through an await with
 * "async*"). A line that is neither (the message, "[native code]", "eval
 * at ...") stays as a frame with no location, so nothing is lost.
 */

/** One frame of a stack. */
export interface StackFrame {
  /** The line as written (trimmed). */
  raw: string;
  /** The function name, if the frame has one. */
  fn: string | null;
  /** The script URL, or null for a frame with no location (native code, eval). */
  url: string | null;
  /** 1-based, or null without a location. */
  line: number | null;
  column: number | null;
  /** Reached through an await (V8 "at async", Firefox "async*"). */
  async: boolean;
}

/** A parsed stack: the message line(s) V8 writes first, and the frames. */
export interface ParsedStack {
  message: string;
  frames: StackFrame[];
}

/** Lines longer than this are kept raw, unparsed (a hostile or minified name must not cost a regex walk). */
const MAX_LINE = 2000;

// "url:line:col" at the end of a location; the URL may itself hold colons (http://host:port/).
const LOCATION = /^(.*):(\d+):(\d+)$/;

function located(raw: string, fn: string | null, location: string, isAsync: boolean): StackFrame {
  const m = LOCATION.exec(location);
  if (m === null) return { raw, fn, url: null, line: null, column: null, async: isAsync };
  return { raw, fn, url: m[1]!, line: Number(m[2]), column: Number(m[3]), async: isAsync };
}

function parseV8(raw: string): StackFrame {
  let body = raw.slice(3); // after "at "
  let isAsync = false;
  if (body.startsWith("async ")) {
    isAsync = true;
    body = body.slice(6);
  }
  // "fn (location)" or a bare location; an eval frame nests parentheses and keeps no usable location.
  if (body.endsWith(")")) {
    const open = body.indexOf(" (");
    if (open > 0) {
      const fn = body.slice(0, open);
      const location = body.slice(open + 2, -1);
      if (location.includes("(")) return { raw, fn, url: null, line: null, column: null, async: isAsync };
      return located(raw, fn, location, isAsync);
    }
  }
  return located(raw, null, body, isAsync);
}

function parseAt(raw: string): StackFrame {
  let body = raw;
  let isAsync = false;
  if (body.startsWith("async*")) {
    isAsync = true;
    body = body.slice(6);
  }
  const at = body.indexOf("@");
  const fn = body.slice(0, at);
  const location = body.slice(at + 1);
  // Firefox writes "fn@url line 2 > eval:1:5" for eval'd code: keep such frames unlocated.
  if (location.includes(" > ")) return { raw, fn: fn === "" ? null : fn, url: null, line: null, column: null, async: isAsync };
  return located(raw, fn === "" ? null : fn, location, isAsync);
}

/**
 * Parses a stack text. Never throws: any input (not a string, garbage,
 * very long lines) gives a result, with unreadable lines kept as frames
 * without a location.
 */
export function parseStack(stack: unknown): ParsedStack {
  if (typeof stack !== "string") return { message: "", frames: [] };
  const message: string[] = [];
  const frames: StackFrame[] = [];
  for (const line of stack.split("\n")) {
    const raw = line.trim();
    if (raw === "") continue;
    if (raw.length > MAX_LINE) {
      frames.push({ raw: `${raw.slice(0, 200)}… (${raw.length} characters)`, fn: null, url: null, line: null, column: null, async: false });
    } else if (raw.startsWith("at ")) frames.push(parseV8(raw));
    else if (raw.includes("@") && /:\d+:\d+$/.test(raw)) frames.push(parseAt(raw));
    else if (frames.length === 0) message.push(raw);
    else frames.push({ raw, fn: null, url: null, line: null, column: null, async: false });
  }
  return { message: message.join("\n"), frames };
}
