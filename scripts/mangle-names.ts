/**
 * Which property names the production build may rename, and to what.
 *
 * An app's minifier renames variables but never properties, so the long
 * names of the runtime's internals (`batchStartedAt`, `hostTimerAt`, ...)
 * would ship in full. The production build renames them (scripts/
 * mangle-props.ts applies the table this file writes). A name is renamed
 * only when nothing outside the package can see or reach it:
 *
 * - it is declared `private`, or tagged `@internal` (on itself or on the
 *   class or interface that holds it), somewhere in src/ or devtools/;
 * - it is not a name of the public declarations (the `.d.ts` files the
 *   package ships, `@internal` stripped, private members left out), since
 *   renaming is by name, not by declaration: a name public anywhere stays;
 * - it is not a member of any built-in or dependency type (the TypeScript
 *   `lib` files, Node's, Preact's and React's types): `next`, `then`,
 *   `message`, `signal`, `current`, ... are read on objects the package did
 *   not make;
 * - it never appears as a word inside a string or template literal of the
 *   sources: names read by string (`readProperty(x, "name")`, `"key" in x`,
 *   instrument hook names, the workers' wire protocol, the inspector's JSON)
 *   keep their spelling.
 *
 * The new names are short names that appear nowhere in the built code,
 * given in order of use (the most used gets the shortest). The table is
 * kept in the repository (scripts/mangle-cache.json) so every build of a
 * version renames alike, whichever chunk is rendered first.
 *
 *   npx tsx scripts/mangle-names.ts           print what changes against the table
 *   npx tsx scripts/mangle-names.ts --write   rewrite the table (builds dist/prod twice)
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { readTable, TABLE_FILE, type MangleTable } from "./mangle-props.js";

/** Names kept whatever the analysis says: read by tools or by duck typing beyond the types. */
const ALWAYS_KEPT = ["constructor", "prototype", "length", "name", "message", "stack", "cause", "errors", "toString", "toJSON", "valueOf", "then", "next", "throw", "return", "value", "done", "signal", "id"];

/** True if `node` carries an `@internal` JSDoc tag. */
function isInternal(node: ts.Node): boolean {
  // Read off the comments the parser attached (ts.getJSDocTags needs parent links a bare program lacks).
  const docs = (node as { jsDoc?: readonly ts.JSDoc[] }).jsDoc ?? [];
  return docs.some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === "internal"));
}

function hasPrivate(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
}

/** The member's plain name, if it has one (computed and `#private` names are left alone). */
function memberName(node: ts.Node): string | undefined {
  const name = (node as { name?: ts.Node }).name;
  return name !== undefined && ts.isIdentifier(name) ? name.text : undefined;
}

const MEMBER_KINDS = new Set([
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.Parameter,
]);

/** Names declared private or `@internal` in one source file. */
function collectCandidates(file: ts.SourceFile, into: Set<string>): void {
  const visit = (node: ts.Node, parent: ts.Node, holderInternal: boolean): void => {
    let inside = holderInternal;
    if (ts.isClassLike(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) inside = holderInternal || isInternal(node);
    if (MEMBER_KINDS.has(node.kind)) {
      const name = memberName(node);
      // A parameter is a member only as a constructor's parameter property (`private readonly x`).
      const member = !ts.isParameter(node) || ts.isConstructorDeclaration(parent);
      if (name !== undefined && member && (hasPrivate(node) || isInternal(node) || (holderInternal && !ts.isParameter(node)))) into.add(name);
    }
    ts.forEachChild(node, (child) => visit(child, node, inside));
  };
  visit(file, file, false);
}

/**
 * Every identifier of a declaration file, except the names of its private
 * members and of parameters and type parameters (which are no property names).
 */
function collectDeclarationNames(file: ts.SourceFile, into: Set<string>): void {
  const privateNames = new Set<ts.Node>();
  const visit = (node: ts.Node): void => {
    if (hasPrivate(node) || ts.isParameter(node) || ts.isTypeParameterDeclaration(node)) {
      const name = (node as { name?: ts.Node }).name;
      if (name !== undefined) privateNames.add(name);
    }
    if (ts.isIdentifier(node) && !privateNames.has(node)) into.add(node.text);
    else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) addWords(node.text, into);
    ts.forEachChild(node, visit);
  };
  visit(file);
}

function addWords(text: string, into: Set<string>): void {
  for (const word of text.match(/[A-Za-z_$][\w$]*/g) ?? []) into.add(word);
}

/**
 * The words of the string literals of a source file that could name a
 * property: each literal without white space (`"name"`, `"a.b"`). Prose
 * (messages) may mention an internal name without reading it.
 */
function collectStringWords(file: ts.SourceFile, into: Set<string>): void {
  const visit = (node: ts.Node): void => {
    // Module specifiers ("./deadlines.js") name files, not properties.
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if ((ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) && !/\s/.test(node.text)) addWords(node.text, into);
    ts.forEachChild(node, visit);
  };
  visit(file);
}

function declarationFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.d\.(m|c)?ts$/.test(entry.name)) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

/** The names the production build may rename, and the names it must not use or touch. */
export function analyse(repo: string): { candidates: Set<string>; kept: Set<string>; why: Record<string, Set<string>> } {
  const configPath = resolve(repo, "tsconfig.build.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); } });
  if (parsed === undefined) throw new Error(`mangle-names: cannot read ${configPath}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, outDir: resolve(repo, ".mangle-names-dts"), noEmit: false } });
  const own = (fileName: string): boolean => !relative(repo, fileName).startsWith("..") && !fileName.includes(`${sep}node_modules${sep}`) && !fileName.includes("/node_modules/");

  const candidates = new Set<string>();
  const builtIn = new Set<string>();
  const inStrings = new Set<string>();
  const published = new Set<string>();
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile) {
      // Built-in and dependency types: every name they mention.
      if (!own(file.fileName)) collectDeclarationNames(file, builtIn);
      continue;
    }
    collectCandidates(file, candidates);
    collectStringWords(file, inStrings);
  }
  // Node's, Preact's and React's types, whether or not this program loaded them.
  for (const dir of ["@types/node", "preact/src", "preact/hooks/src", "@types/react", "@types/react-dom"]) {
    for (const path of declarationFilesUnder(resolve(repo, "node_modules", dir))) {
      collectDeclarationNames(ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022), builtIn);
    }
  }
  // The public declarations, as the package ships them (private members reduced to bare names, which do not count).
  const emitted = program.emit(undefined, (fileName, text) => {
    collectDeclarationNames(ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022), published);
  }, undefined, true);
  if (emitted.emitSkipped) throw new Error("mangle-names: the declarations could not be emitted");
  const kept = new Set<string>([...ALWAYS_KEPT, ...builtIn, ...inStrings, ...published]);
  for (const name of kept) candidates.delete(name);
  return { candidates, kept, why: { builtIn, inStrings, published } };
}

/** Short names: a..z, A..Z, then two and three characters. */
function* shortNames(): Generator<string> {
  const first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
  const rest = `${first}0123456789`;
  for (const a of first) yield a;
  for (const a of first) for (const b of rest) yield a + b;
  for (const a of first) for (const b of rest) for (const c of rest) yield a + b + c;
}

/** The built production code (dist/prod), one string per chunk. */
export function productionChunks(repo: string): string[] {
  const dir = resolve(repo, "dist/prod");
  return readdirSync(dir).filter((f) => f.endsWith(".js")).sort().map((f) => readFileSync(join(dir, f), "utf8"));
}

/**
 * The table for these candidates: each gets a short name no chunk of the
 * build uses as any identifier or word (so it can clash with nothing), most
 * used first. `code` is the production build before renaming.
 */
export function makeTable(candidates: Set<string>, kept: Set<string>, code: string[]): MangleTable {
  const used = new Set<string>(kept);
  const counts = new Map<string, number>();
  for (const chunk of code) {
    for (const word of chunk.match(/[A-Za-z_$][\w$]*/g) ?? []) {
      used.add(word);
      if (candidates.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const order = [...counts.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : 1));
  const table: MangleTable = {};
  const names = shortNames();
  for (const name of order) {
    let short = names.next().value as string;
    while (used.has(short)) short = names.next().value as string;
    table[name] = short;
  }
  return table;
}

function main(): void {
  const repo = resolve(import.meta.dirname, "..");
  const { candidates, kept } = analyse(repo);
  let current: MangleTable = {};
  try {
    current = readTable(repo);
  } catch {
    // no table yet
  }
  const unsafe = Object.keys(current).filter((name) => !candidates.has(name));
  const missing = [...candidates].filter((name) => !(name in current)).sort();
  console.log(`${candidates.size} names may be renamed; the table renames ${Object.keys(current).length}.`);
  if (unsafe.length > 0) console.log(`No longer safe to rename (the table must drop them): ${unsafe.join(", ")}`);
  if (missing.length > 0) console.log(`Not in the table (kept as they are): ${missing.join(", ")}`);
  if (process.argv.includes("--write")) {
    // Count uses in the production build before any renaming, then build it again with the new table.
    const build = (mangle: string): void => {
      const result = spawnSync("npx", ["vite", "build", "--mode", "package-production", "--logLevel", "warn"], { cwd: repo, stdio: "inherit", env: { ...process.env, TRIO_MANGLE: mangle } });
      if (result.status !== 0) throw new Error("mangle-names: the production build failed");
    };
    build("off");
    const table = makeTable(candidates, kept, productionChunks(repo));
    writeFileSync(resolve(repo, TABLE_FILE), `${JSON.stringify(table, null, 1)}\n`);
    console.log(`wrote ${TABLE_FILE}: ${Object.keys(table).length} names`);
    build("on");
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
