/**
 * The production build's short internal property names (a Vite plugin, used
 * by vite.config.ts only for `vite build --mode package-production`).
 *
 * Renames, in every chunk, the property names listed in
 * scripts/mangle-cache.json (see scripts/mangle-names.ts for which names
 * are safe and why) with esbuild's property mangler, given that table as its
 * fixed cache, so every chunk and every build renames alike. Only dotted
 * accesses, declarations and unquoted keys are renamed; quoted names
 * (`x["name"]`, `"name" in x`) never are. The code is otherwise printed as
 * it was: not minified, nothing lowered.
 *
 * `TRIO_MANGLE=off` turns it off (scripts/mangle-names.ts builds that way to
 * count the names before renaming).
 */
import { transform } from "esbuild";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Plugin } from "vite";

/** The renaming table: internal name to short name. */
export type MangleTable = Record<string, string>;

/** Where the table lives, from the repository's root. */
export const TABLE_FILE = "scripts/mangle-cache.json";

export function readTable(repo: string): MangleTable {
  return JSON.parse(readFileSync(resolve(repo, TABLE_FILE), "utf8")) as MangleTable;
}

function escape(name: string): string {
  return name.replace(/\$/g, "\\$");
}

/** `code` (an ES module) with the table's names renamed; throws if it would rename a name the table lacks. */
export async function renameProps(code: string, table: MangleTable, fileName: string): Promise<string> {
  return (await rename(code, table, fileName, false)).code;
}

async function rename(code: string, table: MangleTable, fileName: string, sourcemap: boolean): Promise<{ code: string; map: string | null }> {
  const names = Object.keys(table);
  if (names.length === 0) return { code, map: null };
  const result = await transform(code, {
    loader: "js",
    format: "esm",
    target: "esnext",
    mangleProps: new RegExp(`^(?:${names.map(escape).join("|")})$`),
    mangleCache: { ...table },
    legalComments: "inline",
    sourcefile: fileName,
    sourcemap,
  });
  const invented = Object.keys(result.mangleCache ?? {}).filter((name) => !(name in table));
  if (invented.length > 0) throw new Error(`mangle-props: esbuild renamed names that are not in the table: ${invented.join(", ")}`);
  return { code: result.code, map: sourcemap ? result.map : null };
}

/** The plugin for the package build: renames in each output chunk. */
export function mangleProps(table: MangleTable): Plugin {
  return {
    name: "trio-asyncio:mangle-props",
    apply: "build",
    async renderChunk(code, chunk) {
      return { code: await renameProps(code, table, chunk.fileName), map: null };
    },
  };
}

/**
 * The same renaming per source module, with a source map, for tools that
 * build from the sources and trace bytes back to them (scripts/size-attribute.ts).
 * Put it after the TypeScript transform (`enforce: "post"`).
 */
export function mangleModules(table: MangleTable): Plugin {
  return {
    name: "trio-asyncio:mangle-props-per-module",
    enforce: "post",
    async transform(code, id) {
      if (!/\.[cm]?[jt]sx?$/.test(id) || id.includes("/node_modules/")) return undefined;
      return rename(code, table, id, true);
    },
  };
}
