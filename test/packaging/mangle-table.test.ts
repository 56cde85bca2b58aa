/**
 * The production build renames the internal property names listed in
 * scripts/mangle-cache.json. Renaming is by name, so a listed name that has
 * since become public, a built-in's, or read by string would break apps in
 * production only. The sources are analysed again here (scripts/
 * mangle-names.ts) and every name in the table must still be safe; the new
 * names must be distinct and clash with no name left as it is.
 */
import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { analyse } from "../../scripts/mangle-names.js";
import { readTable, renameProps } from "../../scripts/mangle-props.js";

const root = resolve(import.meta.dirname, "../..");

describe("the production build's renaming table", () => {
  const table = readTable(root);
  const { kept } = analyse(root);

  test("renames only names that are private or @internal and read nowhere by name", () => {
    const unsafe = Object.keys(table).filter((name) => kept.has(name));
    // Fix: `npx tsx scripts/mangle-names.ts --write` (it drops the names no longer safe).
    expect(unsafe).toEqual([]);
    expect(Object.keys(table).length).toBeGreaterThan(100);
  });

  test("gives each name its own short name, unused elsewhere", () => {
    const shorts = Object.values(table);
    expect(new Set(shorts).size).toBe(shorts.length);
    expect(shorts.filter((short) => kept.has(short) || short in table)).toEqual([]);
  });

  test("renames declarations, accesses and unquoted keys alike, never quoted names", async () => {
    const [name, short] = Object.entries(table)[0] ?? ["", ""];
    const source = `class A { ${name} = 1; get(o) { return [this.${name}, o?.${name}, o["${name}"], "${name}" in o, { ${name}: 2 }]; } }\nexport { A };\n`;
    const out = await renameProps(source, table, "a.js");
    expect(out).toContain(`${short} = 1`);
    expect(out).toContain(`this.${short}`);
    expect(out).toContain(`o?.${short}`);
    expect(out).toContain(`o["${name}"]`);
    expect(out).toContain(`"${name}" in o`);
    expect(out).toMatch(new RegExp(`\\{ ${short.replace(/\$/g, "\\$")}: 2 \\}`));
  });
}, 120_000);
