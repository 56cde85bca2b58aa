/**
 * The production build's short error messages (a Vite plugin, used by
 * vite.config.ts only for `vite build --mode package-production`).
 *
 * The sources keep every message in full, naming what was wrong and what to
 * do; the development build ships them as they are. For the production
 * build this plugin rewrites each `new TypeError("...")` (and the other
 * classes below) whose message is a string or template literal into a code
 * and the message's interpolated values, for example
 * `TA-1x2ab: <values> (trio-asyncio/docs/errors.md)`, and writes
 * docs/errors.md, which maps every code to its full message. The code is a
 * hash of the message's fixed text, so it stays the same from build to
 * build while the message does. The values are computed exactly as before
 * (same expressions, same order), so only the text changes.
 *
 * The same for what a function named `...Message` returns (a message made
 * for a throw elsewhere). Left alone: messages that are not literals, short ones (the code would
 * save nothing), and the classes whose message is data rather than advice
 * (`Cancelled`, `CancelledError`, `ExceptionGroup`, asyncio's timeouts).
 *
 * The docs pointer is added by one small function of the bundle's (the
 * module `trio-asyncio:coded-message`, which the plugin adds), called with
 * the code and values as one template: it takes any pointer out of the
 * values and puts one at the end. A value may be a coded message itself
 * (`${messageOf(cause)}`), whose pointer, kept, read twice: "…
 * (trio-asyncio/docs/errors.md) (trio-asyncio/docs/errors.md)".
 * Built on the parser Vite's bundler gives plugins, so no dependency is added.
 */
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import type { Plugin } from "vite";

/** The classes whose literal messages become codes. */
const CODED = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "RuntimeError",
  "ValueError",
  "InvalidStateError",
  "ClosedResourceError",
  "BrokenResourceError",
  "BusyResourceError",
  "TrioInternalError",
  "WorkerLoadError",
]);

/** Messages with less fixed text than this stay as they are. */
const MIN_TEXT = 24;

/** Where a coded message says its full text is, at its end. */
const POINTER = " (trio-asyncio/docs/errors.md)";

/** The module of the function that ends each coded message with the pointer, and the name each module imports it by. */
const POINTER_MODULE = "trio-asyncio:coded-message";
const POINTER_FN = "__codedMessage";

/** That module: each pointer in the text (a value's) taken out, and one put at the end. */
const POINTER_SOURCE = `const pointer = ${JSON.stringify(POINTER)};
export const codedMessage = (text) => text.replaceAll(pointer, "") + pointer;
`;

/** A message found in the code and its code. */
interface Coded {
  readonly code: string;
  readonly errorClass: string;
  readonly text: string;
  readonly file: string;
}

interface Node {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object" && typeof (value as { type?: unknown }).type === "string";
}

function* walk(node: Node): Generator<Node> {
  yield node;
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield* walk(item);
    } else if (isNode(value)) yield* walk(value);
  }
}

/** FNV-1a, 32 bits, in base 36: a short code that follows the message's text. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 36 ** 5).toString(36).padStart(5, "0");
}

/**
 * A message, if it is a literal worth a code: a string, a template, or
 * several of them joined with `+`. Its fixed text ({0}, {1} for the values)
 * and the source of each value.
 */
function literalMessage(arg: Node, code: string): { text: string; values: string[] } | undefined {
  if (arg.type === "Literal" && typeof arg.value === "string") return { text: arg.value, values: [] };
  if (arg.type === "BinaryExpression" && arg.operator === "+") {
    const left = literalMessage(arg.left as Node, code);
    const right = left === undefined ? undefined : literalMessage(arg.right as Node, code);
    if (left === undefined || right === undefined) return undefined;
    const shift = left.values.length;
    return { text: left.text + right.text.replace(/\{(\d+)\}/g, (_, i: string) => `{${Number(i) + shift}}`), values: [...left.values, ...right.values] };
  }
  if (arg.type !== "TemplateLiteral") return undefined;
  const quasis = arg.quasis as { value: { cooked: string | null } }[];
  const expressions = arg.expressions as Node[];
  if (quasis.some((q) => q.value.cooked === null)) return undefined;
  let text = "";
  quasis.forEach((q, i) => {
    text += q.value.cooked ?? "";
    if (i < expressions.length) text += `{${i}}`;
  });
  return { text, values: expressions.map((e) => code.slice(e.start, e.end)) };
}

/**
 * Where messages are: the first argument of `new CodedClass(...)`, and what a
 * function named `...Message` returns (it builds a message for a throw elsewhere).
 */
function* messageSites(root: Node): Generator<{ errorClass: string; message: Node }> {
  for (const node of walk(root)) {
    if (node.type === "NewExpression") {
      const callee = node.callee as Node;
      const args = node.arguments as Node[];
      if (callee.type === "Identifier" && CODED.has(callee.name as string) && args[0] !== undefined) yield { errorClass: callee.name as string, message: args[0] };
    } else if (node.type === "FunctionDeclaration" && /Message$/.test(((node.id as Node | null)?.name as string | undefined) ?? "")) {
      for (const inner of walk(node.body as Node)) {
        if (inner.type === "ReturnStatement" && inner.argument !== null) yield { errorClass: "message", message: inner.argument as Node };
      }
    }
  }
}

/** The error-code plugin; `docs` is the file to write the decoding page to. */
export function errorCodes(options: { root: string; docs: string }): Plugin {
  const found = new Map<string, Coded>();
  return {
    name: "trio-asyncio:error-codes",
    enforce: "post",
    buildStart() {
      found.clear();
    },
    resolveId(id) {
      return id === POINTER_MODULE ? `\0${POINTER_MODULE}` : undefined;
    },
    load(id) {
      return id === `\0${POINTER_MODULE}` ? POINTER_SOURCE : undefined;
    },
    transform(code, id) {
      if (!/\.[cm]?[jt]sx?$/.test(id) || id.includes("/node_modules/")) return undefined;
      const file = relative(options.root, id);
      const edits: { start: number; end: number; text: string }[] = [];
      for (const site of messageSites(this.parse(code) as unknown as Node)) {
        const message = literalMessage(site.message, code);
        if (message === undefined || message.text.replace(/\{\d+\}/g, "").length < MIN_TEXT) continue;
        const errorCode = `TA-${hash(message.text)}`;
        const seen = found.get(errorCode);
        if (seen !== undefined && seen.text !== message.text) {
          this.error(`error code ${errorCode} is the code of two messages (${seen.file}: "${seen.text}" and ${file}: "${message.text}"); change one message`);
        }
        // A message used in several files is listed under the first by name, so the page
        // does not depend on the order the bundler happens to transform files in.
        if (seen === undefined || file < seen.file) found.set(errorCode, { code: errorCode, errorClass: site.errorClass, text: message.text, file });
        const values = message.values.map((value) => `\${${value}}`).join("; ");
        const short = `${POINTER_FN}(\`${errorCode}${values === "" ? "" : `: ${values}`}\`)`;
        edits.push({ start: site.message.start, end: site.message.end, text: short });
      }
      if (edits.length === 0) return undefined;
      let out = code;
      for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
      out = `import { codedMessage as ${POINTER_FN} } from "${POINTER_MODULE}";\n${out}`;
      return { code: out, map: null };
    },
    buildEnd(error) {
      if (error !== undefined) return;
      writeFileSync(options.docs, errorsPage([...found.values()]));
    },
  };
}

/** docs/errors.md: every code with its full message, grouped by file. */
function errorsPage(coded: Coded[]): string {
  const lines = [
    "# Error codes",
    "",
    "<!-- Written by `npm run build` (scripts/error-codes.ts); do not edit by hand. -->",
    "",
    "The production build of the package (the `production` export condition,",
    "which Vite, webpack and others set for production builds) replaces its long",
    "error messages by a code and the values the message names, such as",
    "`TA-1x2ab: 42; undefined (trio-asyncio/docs/errors.md)`. Find the code",
    "below: `{0}`, `{1}`, ... are those values, in order. The development build",
    "(`development` condition, and the default, as in Node) keeps the full messages.",
    "",
  ];
  const byFile = new Map<string, Coded[]>();
  for (const entry of coded) byFile.set(entry.file, [...(byFile.get(entry.file) ?? []), entry]);
  for (const file of [...byFile.keys()].sort()) {
    lines.push(`## ${file}`, "");
    for (const entry of (byFile.get(file) ?? []).sort((a, b) => a.code.localeCompare(b.code))) {
      lines.push(`- <a id="${entry.code.toLowerCase()}"></a>**${entry.code}** (${entry.errorClass === "message" ? "message" : `\`${entry.errorClass}\``}): ${entry.text.replace(/\s+/g, " ").replace(/([<>|*_`])/g, "\\$1")}`);
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}
