/**
 * `trio-asyncio/asyncio` (src/asyncio-namespace.ts) must tree-shake per name:
 * an app importing only `sleep` from it must not carry Barrier, TaskGroup or
 * PriorityQueue. Bundled here by esbuild from the sources, with a metafile
 * that says which modules made it into the output. The namespace of the main
 * entry, used as a value, keeps the whole layer: the contrast shows the
 * check can tell the two apart.
 */
import { build } from "esbuild";
import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import * as subpath from "../../src/asyncio-namespace.js";
import { asyncio } from "../../src/index.js";

const root = resolve(import.meta.dirname, "../..");

/** The source modules (relative to the repository) that end up in a minified bundle of `source`. */
async function modulesIn(source: string): Promise<string[]> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: "ts", sourcefile: "app.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
}

const heavy = ["src/asyncio/locks-barrier.ts", "src/asyncio/taskgroup.ts", "src/asyncio/queues-priority.ts"];

describe("trio-asyncio/asyncio", () => {
  test("sleep alone does not bring in Barrier, TaskGroup or PriorityQueue", async () => {
    const modules = await modulesIn(`import { sleep } from "./src/asyncio-namespace.ts"; globalThis.app = sleep;`);
    expect(modules).toContain("src/asyncio/sleep.ts");
    for (const module of heavy) expect(modules).not.toContain(module);
  });

  test("the namespace used as a value keeps them (the check tells the two apart)", async () => {
    const modules = await modulesIn(`import { asyncio } from "./src/index.ts"; globalThis.app = asyncio;`);
    for (const module of heavy) expect(modules).toContain(module);
  });

  test("the subpath and the namespace export the same objects, name for name", () => {
    expect(Object.keys(subpath).sort()).toEqual(Object.keys(asyncio).sort());
    for (const [name, value] of Object.entries(subpath)) expect(asyncio[name as keyof typeof asyncio], name).toBe(value);
  });
});
