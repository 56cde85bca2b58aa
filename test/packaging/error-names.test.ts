/**
 * An app's minifier renames classes, so an error class whose `name` reads
 * `this.constructor.name` would say "e: boom" in production. Each error
 * class of the package must keep its name through a minified bundle; a
 * subclass of yours keeps its own. Bundled here by esbuild from the sources
 * (minified, names not kept), then imported and asked.
 */
import { build } from "esbuild";
import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import * as core from "../../src/index.js";
import { asyncio } from "../../src/index.js";
import * as workers from "../../src/workers/index.js";

const root = resolve(import.meta.dirname, "../..");

/** Names of every exported error class, from the sources. */
function errorClasses(exports: Record<string, unknown>): string[] {
  return Object.entries(exports)
    .filter(([, value]) => typeof value === "function" && value.prototype instanceof Error)
    .map(([name]) => name)
    .filter((name) => name !== "ExceptionGroup")
    .sort();
}

const groups = {
  core: { from: "./src/index.ts", names: errorClasses(core) },
  asyncio: { from: "./src/asyncio-namespace.ts", names: errorClasses(asyncio) },
  workers: { from: "./src/workers/index.ts", names: errorClasses(workers) },
};

async function namesAfterMinifying(from: string, names: string[]): Promise<Record<string, string>> {
  const source = `import { ${names.join(", ")} } from ${JSON.stringify(from)};
export const names = { ${names.map((n) => `${JSON.stringify(n)}: new ${n}("boom").name`).join(", ")} };`;
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: "ts", sourcefile: "app.ts" },
    bundle: true,
    minify: true,
    keepNames: false,
    format: "esm",
    platform: "node",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text ?? "";
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as { names: Record<string, string> };
  return module.names;
}

describe("error names survive an app's minifier", () => {
  for (const [group, { from, names }] of Object.entries(groups)) {
    test(`${group}: ${names.join(", ")}`, async () => {
      expect(names.length).toBeGreaterThan(0);
      const got = await namesAfterMinifying(from, names);
      expect(got).toEqual(Object.fromEntries(names.map((n) => [n, n])));
    });
  }

  test("a subclass of one of them is named after itself", () => {
    class MyError extends core.TrioError {}
    class SlowerError extends core.TooSlowError {}
    class MyAsyncioError extends asyncio.QueueEmpty {}
    expect([new MyError().name, new SlowerError().name, new MyAsyncioError().name]).toEqual(["MyError", "SlowerError", "MyAsyncioError"]);
  });
});
