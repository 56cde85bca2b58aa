/**
 * The production build's error coding (scripts/error-codes.ts), on a small
 * module built as the package's production build codes it: a long message
 * becomes its code, its values and the docs pointer once, even where a
 * value is a coded message itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { build, type Rolldown } from "vite";
import { errorCodes } from "../../scripts/error-codes.js";

const POINTER = " (trio-asyncio/docs/errors.md)";

const SOURCE = `
export function innerMessage(what) {
  return \`\${what} went wrong, in a way that takes a long message to explain.\`;
}
export function wrapped(what) {
  return new TypeError(\`The operation could not finish, because: \${innerMessage(what)}\`).message;
}
export function inTheMiddle(what, tail) {
  return new RangeError(\`First \${innerMessage(what)}, and then \${tail}, at the end of a long message.\`).message;
}
export function threeDeep(what) {
  return new Error(\`Three levels deep, the outermost says: \${wrapped(what)}\`).message;
}
export function plain() {
  return new TypeError("A message without any values, long enough to be coded.").message;
}
export function symbolValue() {
  return new TypeError(\`A long message whose value cannot be text: \${Symbol("s")}\`).message;
}
`;

interface Fixture {
  innerMessage(what: string): string;
  wrapped(what: string): string;
  inTheMiddle(what: string, tail: string): string;
  threeDeep(what: string): string;
  plain(): string;
  symbolValue(): string;
}

let dir = "";
let fixture: Fixture;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trio-asyncio-error-codes-"));
  const entry = join(dir, "fixture.js");
  writeFileSync(entry, SOURCE);
  const output = (await build({
    configFile: false,
    root: dir,
    logLevel: "silent",
    plugins: [errorCodes({ root: dir, docs: join(dir, "errors.md") })],
    build: { write: false, minify: true, lib: { entry, formats: ["es"], fileName: "fixture" } },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const chunk = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).find((o) => o.type === "chunk" && o.isEntry);
  if (chunk?.type !== "chunk") throw new Error("the fixture's build gave no entry chunk");
  const built = join(dir, "built.mjs");
  writeFileSync(built, chunk.code);
  fixture = (await import(pathToFileURL(built).href)) as Fixture;
}, 60_000);

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

const pointers = (message: string) => message.split(POINTER).length - 1;

describe("coded messages in the production build", () => {
  test("a message with a value: its code, the value, the pointer at the end", () => {
    expect(fixture.innerMessage("x")).toMatch(/^TA-[0-9a-z]{5}: x \(trio-asyncio\/docs\/errors\.md\)$/);
  });

  test("a message without values: its code and the pointer", () => {
    expect(fixture.plain()).toMatch(/^TA-[0-9a-z]{5} \(trio-asyncio\/docs\/errors\.md\)$/);
  });

  test("a coded message inside another, as its last value: the pointer once, at the end", () => {
    const message = fixture.wrapped("x");
    expect(message).toMatch(/^TA-[0-9a-z]{5}: TA-[0-9a-z]{5}: x \(trio-asyncio\/docs\/errors\.md\)$/);
    expect(pointers(message)).toBe(1);
  });

  test("a coded message inside another, before another value: the pointer once, at the end", () => {
    const message = fixture.inTheMiddle("x", "y");
    expect(message).toMatch(/^TA-[0-9a-z]{5}: TA-[0-9a-z]{5}: x; y \(trio-asyncio\/docs\/errors\.md\)$/);
    expect(pointers(message)).toBe(1);
  });

  test("coded messages three deep, and a value that holds the pointer's text itself: the pointer once, at the end", () => {
    expect(fixture.threeDeep("x")).toMatch(/^TA-[0-9a-z]{5}: TA-[0-9a-z]{5}: TA-[0-9a-z]{5}: x \(trio-asyncio\/docs\/errors\.md\)$/);
    const message = fixture.threeDeep(`a value${POINTER}, with text after it`);
    expect(message).toMatch(/: a value, with text after it \(trio-asyncio\/docs\/errors\.md\)$/);
    expect(pointers(message)).toBe(1);
  });

  test("values are turned to text as a template does: a Symbol throws the same TypeError", () => {
    expect(() => fixture.symbolValue()).toThrow(TypeError);
    expect(() => `${Symbol("s") as unknown as string}`).toThrow(TypeError);
  });

  test("the decoding page lists each message in full by its code", () => {
    const page = readFileSync(join(dir, "errors.md"), "utf8");
    const code = /^TA-[0-9a-z]{5}/.exec(fixture.plain())?.[0] ?? "";
    expect(page).toContain(`**${code}** (\`TypeError\`): A message without any values, long enough to be coded.`);
    expect(page).toContain("{0} went wrong, in a way that takes a long message to explain.");
  });
});
