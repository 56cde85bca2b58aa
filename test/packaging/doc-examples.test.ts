/**
 * The documentation's examples compile and do what the text says.
 *
 * Every ```ts / ```tsx block in the listed markdown files that imports from
 * the package ("trio-asyncio" or one of its subpaths, statically or with
 * `import()`) is a complete module: it is written to a scratch directory
 * and type-checked with the repository's compiler options and paths. A
 * block without such an import is a fragment and is not checked. A block
 * whose first line is a comment naming a file (`// parser.worker.ts`) is
 * written under that name, so a later block of the same page can import it.
 * The examples the text says print something are also run, and their output
 * compared with the text.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const scratch = join(import.meta.dirname, `.doc-examples-${process.pid}`);

const pages = [
  "README.md",
  "docs/asyncio.md",
  "docs/web.md",
  "docs/workers.md",
  "docs/semantics.md",
  "src/preact/README.md",
  "src/react/README.md",
  "devtools/README.md",
];

/** Fewer checked blocks than this means the extraction has stopped finding them. */
const minimumChecked = 10;

const importsPackage = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']trio-asyncio(?:\/[\w-]+)?["']/;
const importsReact = /["']trio-asyncio\/react["']/;

interface Block {
  page: string;
  /** 1-based, counting every fenced block of the page. */
  index: number;
  /** The markdown line of the block's first code line. */
  line: number;
  lang: "ts" | "tsx";
  code: string;
  /** Where it is written; set by `writeBlocks`. */
  file: string;
  /** Lines added above the code in the written file. */
  prefix: number;
}

function extract(page: string): Block[] {
  const lines = readFileSync(join(root, page), "utf8").split("\n");
  const blocks: Block[] = [];
  let index = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    index++;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const lang = open[1];
    const code = lines.slice(start, end).join("\n") + "\n";
    if ((lang === "ts" || lang === "tsx") && importsPackage.test(code)) {
      blocks.push({ page, index, line: start + 1, lang, code, file: "", prefix: 0 });
    }
    i = end;
  }
  return blocks;
}

const blocks = pages.flatMap(extract);

function writeBlocks(): void {
  for (const block of blocks) {
    const dir = join(scratch, block.page.replace(/[/.]/g, "_"));
    mkdirSync(dir, { recursive: true });
    const named = /^\/\/\s*([\w.-]+\.tsx?)\s*$/.exec(block.code.split("\n")[0]!);
    block.file = join(dir, named ? named[1]! : `block-${block.index}.${block.lang}`);
    // The repository's JSX is Preact's; a React example gets React's, as in a React app.
    const pragma = block.lang === "tsx" && importsReact.test(block.code) ? "/** @jsxImportSource react */\n" : "";
    block.prefix = pragma ? 1 : 0;
    writeFileSync(block.file, pragma + block.code);
  }
}

function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  if (!parsed) throw new Error("tsconfig.json could not be read");
  const options = parsed.options;
  return {
    ...options,
    // The package's exports name this entry; the repository's own code reaches it by path.
    paths: { ...options.paths, "trio-asyncio/asyncio": ["./src/asyncio-namespace.ts"] },
    // `import.meta.env.DEV`, as a Vite app has it (the devtools examples).
    types: [...(options.types ?? []), "vite/client"],
    // The package is ES modules only, so an app's file is a module even when
    // its one import is an `import()` (TypeScript would take it for a script).
    moduleDetection: ts.ModuleDetectionKind.Force,
    // A project made with `npm create vite` (react-ts and others) has this on,
    // and an example must paste into one: no parameter properties, enums or namespaces.
    erasableSyntaxOnly: true,
    noEmit: true,
  };
}

function where(block: Block): string {
  return `${block.page} block ${block.index} (line ${block.line})`;
}

beforeAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  writeBlocks();
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("documentation examples", () => {
  test(`at least ${minimumChecked} blocks import the package and are checked`, () => {
    expect(blocks.length, blocks.map(where).join("\n")).toBeGreaterThanOrEqual(minimumChecked);
    for (const page of ["README.md", "docs/workers.md", "src/preact/README.md", "src/react/README.md"]) {
      expect(blocks.some((b) => b.page === page), page).toBe(true);
    }
  });

  test("every block that imports the package type-checks as a module", () => {
    const program = ts.createProgram({ rootNames: blocks.map((b) => b.file), options: compilerOptions() });
    const failures: string[] = [];
    for (const block of blocks) {
      const source = program.getSourceFile(block.file);
      if (!source) {
        failures.push(`${where(block)}: not in the program`);
        continue;
      }
      const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
      for (const d of diagnostics) {
        const at = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line - block.prefix;
        const text = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
        failures.push(`${block.page}:${block.line + at} (block ${block.index}): TS${d.code} ${text}`);
      }
    }
    expect(failures.join("\n")).toBe("");
  }, 60_000);

  test("README's example is examples/quickstart.ts with the package's import path", () => {
    const block = blocks.find((b) => b.page === "README.md" && b.code.includes("console.log(await run(main))"));
    const quickstart = readFileSync(join(root, "examples/quickstart.ts"), "utf8")
      .replace(/^\/\*\*[\s\S]*?\*\/\n/, "")
      .replace('from "../src/index.js"', 'from "trio-asyncio"');
    expect(block?.code).toBe(quickstart);
  });

  test("README's example prints what the text says it prints", async () => {
    const block = blocks.find((b) => b.page === "README.md" && b.code.includes("console.log(await run(main))"));
    expect(block, "README's main example").toBeDefined();
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toMatch(
      /It prints `fast: finished`, `fast: cleaned up`, `slow: cleaned up`, then\s+`timed out, and nothing is left running`\./,
    );
    const printed: unknown[][] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      printed.push(args);
    });
    try {
      // Through vitest's own transform, with the package's names resolved to the sources.
      await import(/* @vite-ignore */ `./${relative(dirname(import.meta.filename), block!.file).replace(/\\/g, "/")}`);
    } finally {
      log.mockRestore();
    }
    expect(printed).toEqual([
      ["fast: finished"],
      ["fast: cleaned up"],
      ["slow: cleaned up"],
      ["timed out, and nothing is left running"],
    ]);
  }, 10_000);
});
