import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

// The panel is a separate entry built on the public inspector API only, and
// the core never imports it: checked on the sources' import statements.

const root = resolve(import.meta.dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

function imports(path: string): string[] {
  // Comments may mention imports (e.g. the lazy-loading example): drop them.
  const text = readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]!);
}

describe("module boundaries", () => {
  it("devtools/ imports from src/ only through the public entry points", () => {
    const offenders: string[] = [];
    for (const file of files(join(root, "devtools"))) {
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) {
          if (!/^preact(\/hooks)?$/.test(spec)) offenders.push(`${relative(root, file)}: ${spec}`);
          continue;
        }
        const target = relative(root, resolve(file, "..", spec));
        if (target.startsWith("devtools")) continue;
        if (target !== "src/index.js" && target !== "src/inspect/index.js") offenders.push(`${relative(root, file)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("nothing in src/ imports the panel", () => {
    const offenders = files(join(root, "src")).filter((file) =>
      imports(file).some((spec) => spec.includes("devtools") && !spec.startsWith("preact")),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
