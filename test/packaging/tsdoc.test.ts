/**
 * Every name a user can import carries TSDoc, and so does every public
 * member of an exported class and every field of an exported options or
 * result interface: editors show it on hover, and it is the reference. Read
 * from the sources with the compiler's own API, so a new export without a
 * doc comment fails here rather than shipping bare.
 *
 * Exempt: `name` and `toString` overrides (the platform documents what they
 * mean), members named by a symbol (`[Symbol.iterator]`, brands), members
 * marked `@internal` (stripped from the shipped .d.ts), members inherited
 * from the platform's own types, and the members of a `...Like` interface:
 * it lists the part of a platform object (a `WebSocket`, a `Worker`) that
 * we use, and the platform documents those members.
 */
import ts from "typescript";
import { resolve } from "node:path";
import { describe, expect, test } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** The entries of package.json's exports, by their source files. */
const entries = {
  "trio-asyncio": "src/index.ts",
  "trio-asyncio/asyncio": "src/asyncio-namespace.ts",
  "trio-asyncio/testing": "src/testing/index.ts",
  "trio-asyncio/web": "src/web/index.ts",
  "trio-asyncio/workers": "src/workers/index.ts",
  "trio-asyncio/preact": "src/preact/index.ts",
  "trio-asyncio/react": "src/react/index.ts",
  "trio-asyncio/devtools": "devtools/index.ts",
};

const EXEMPT_MEMBERS = new Set(["name", "toString", "constructor"]);

function undocumented(): Record<string, string[]> {
  const files = Object.values(entries).map((file) => resolve(root, file));
  const program = ts.createProgram(files, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.ReactJSX,
    jsxImportSource: "preact",
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const hasDoc = (symbol: ts.Symbol): boolean => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== "";
  const isOurs = (decl: ts.Declaration): boolean => !decl.getSourceFile().fileName.includes("node_modules");
  const isHidden = (decl: ts.Declaration): boolean =>
    (ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 ||
    ts.getJSDocTags(decl).some((tag) => tag.tagName.text === "internal") ||
    (ts.isPropertyDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isGetAccessor(decl) || ts.isSetAccessor(decl) ? ts.isPrivateIdentifier(decl.name) : false);

  // `export * as x from "..."` takes its doc comment on the export statement,
  // which the compiler does not attach to the name: read it from there.
  const namespaceExportDoc = (exported: ts.Symbol): boolean =>
    (exported.declarations ?? []).some((decl) => {
      if (!ts.isNamespaceExport(decl)) return false;
      const statement = decl.parent;
      const text = statement.getSourceFile().getFullText();
      return (ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []).some((range) => text.startsWith("/**", range.pos));
    });

  const found: Record<string, string[]> = {};
  for (const [entry, file] of Object.entries(entries)) {
    const missing: string[] = [];
    const source = program.getSourceFile(resolve(root, file));
    if (source === undefined) throw new Error(`${file} is not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`${file} has no module symbol`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const documented = hasDoc(symbol) || hasDoc(exported) || namespaceExportDoc(exported);
      if (!documented) missing.push(exported.name);
      if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
      if (symbol.flags & ts.SymbolFlags.Interface && symbol.name.endsWith("Like")) continue;
      for (const member of checker.getDeclaredTypeOfSymbol(symbol).getProperties()) {
        const decl = member.declarations?.[0];
        if (decl === undefined || !isOurs(decl) || isHidden(decl) || EXEMPT_MEMBERS.has(member.name) || member.name.startsWith("__@")) continue;
        if (!hasDoc(member)) missing.push(`${exported.name}.${member.name}`);
      }
    }
    found[entry] = [...new Set(missing)].sort();
  }
  return found;
}

describe("TSDoc on the public surface", () => {
  test("every export of every entry, every public member of its classes and every field of its interfaces has a doc comment", () => {
    const missing = undocumented();
    const none = Object.fromEntries(Object.keys(entries).map((entry) => [entry, []]));
    expect(missing).toEqual(none);
  }, 120_000);
});
