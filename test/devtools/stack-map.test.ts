/**
 * The devtools' own source-map reading: the VLQ decoder, the map reader
 * (sources, sourceRoot, lookups), the stack parser for V8 and Firefox/Safari
 * lines, and the mapper (inline and fetched maps, the per-script cache,
 * library folding), on hand-made maps and hostile input.
 */
import { describe, expect, it } from "vitest";
import { decodeMappings, decodeVlq, MappingsError } from "../../devtools/vlq.js";
import { parseSourceMap, SourceMapError } from "../../devtools/source-map.js";
import { parseStack } from "../../devtools/stack-frames.js";
import { createStackMapper, dataUrlText, foldLibraryFrames, isLibraryUrl, libraryRoot, sourceMappingUrl } from "../../devtools/stack-mapper.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// An encoder written apart from the decoder, to make maps by hand.
function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/** Segments as absolute [genCol, src, line, col, name?] per generated line → a `mappings` string. */
function encode(lines: number[][][]): string {
  let src = 0, line = 0, col = 0, name = 0;
  return lines
    .map((segs) => {
      let gen = 0;
      return segs
        .map((s) => {
          let out = vlq(s[0]! - gen);
          gen = s[0]!;
          if (s.length >= 4) {
            out += vlq(s[1]! - src) + vlq(s[2]! - line) + vlq(s[3]! - col);
            [src, line, col] = [s[1]!, s[2]!, s[3]!];
          }
          if (s.length === 5) {
            out += vlq(s[4]! - name);
            name = s[4]!;
          }
          return out;
        })
        .join(",");
    })
    .join(";");
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

describe("VLQ", () => {
  it("decodes known numbers: sign bit, continuation, several per string", () => {
    expect(decodeVlq("A")).toEqual([0]);
    expect(decodeVlq("C")).toEqual([1]);
    expect(decodeVlq("D")).toEqual([-1]);
    expect(decodeVlq("gB")).toEqual([16]);
    expect(decodeVlq("hB")).toEqual([-16]);
    expect(decodeVlq("AAgBC")).toEqual([0, 0, 16, 1]);
    for (const n of [0, 1, -1, 15, 16, 31, 32, 1000, -1000, 123456789, -123456789, 2 ** 30, -(2 ** 30)]) expect(decodeVlq(vlq(n))).toEqual([n]);
  });

  it("refuses non-base64 characters, unfinished numbers and numbers over 32 bits", () => {
    expect(() => decodeVlq("A!")).toThrow(MappingsError);
    expect(() => decodeVlq("g")).toThrow(/unfinished/);
    expect(() => decodeVlq("ggggggggB")).toThrow(/32 bits/);
    expect(() => decodeVlq("é")).toThrow(/not a base64 digit/);
  });

  it("decodes mappings into absolute segments per line, carrying source fields across lines", () => {
    const lines = [[[0, 0, 0, 0], [4, 0, 0, 6, 0]], [], [[2, 1, 10, 3], [9]], [[0, 1, 11, 0, 1]]];
    const decoded = decodeMappings(encode(lines));
    expect(decoded).toHaveLength(4);
    expect(decoded[0]).toEqual([
      { generatedColumn: 0, source: 0, line: 0, column: 0, name: -1 },
      { generatedColumn: 4, source: 0, line: 0, column: 6, name: 0 },
    ]);
    expect(decoded[1]).toEqual([]);
    expect(decoded[2]).toEqual([
      { generatedColumn: 2, source: 1, line: 10, column: 3, name: -1 },
      { generatedColumn: 9, source: -1, line: 0, column: 0, name: -1 },
    ]);
    expect(decoded[3]).toEqual([{ generatedColumn: 0, source: 1, line: 11, column: 0, name: 1 }]);
  });

  it("refuses segments of 2, 3 or 6 fields and negative positions", () => {
    expect(() => decodeMappings("AA")).toThrow(/2 fields/);
    expect(() => decodeMappings("AAA")).toThrow(/3 fields/);
    expect(() => decodeMappings("AAAAAA")).toThrow(/6 fields/);
    expect(() => decodeMappings("D")).toThrow(/negative generated column/);
    expect(() => decodeMappings("ADAA")).toThrow(/negative source/);
  });

  it("decodes a line of 200,000 segments", () => {
    const segs = Array.from({ length: 200_000 }, (_, i) => [i * 3, 0, i, 0]);
    const decoded = decodeMappings(encode([segs]));
    expect(decoded[0]).toHaveLength(200_000);
    expect(decoded[0]![199_999]).toEqual({ generatedColumn: 599_997, source: 0, line: 199_999, column: 0, name: -1 });
  });
});

describe("source map", () => {
  const mappings = encode([[[0, 0, 4, 2], [10, 0, 5, 0, 0], [20, 1, 0, 0]], [[0]], [[6, 0, 9, 4]]]);

  it("finds the last segment at or before a column, 1-based in and out, with names", () => {
    const map = parseSourceMap(JSON.stringify({ version: 3, sources: ["a.tsx", "b.ts"], names: ["search"], mappings }), "http://host:5173/app/main.tsx");
    expect(map.sources).toEqual(["http://host:5173/app/a.tsx", "http://host:5173/app/b.ts"]);
    expect(map.lookup(1, 1)).toEqual({ source: "http://host:5173/app/a.tsx", line: 5, column: 3, name: null });
    expect(map.lookup(1, 10)).toEqual({ source: "http://host:5173/app/a.tsx", line: 5, column: 3, name: null });
    expect(map.lookup(1, 11)).toEqual({ source: "http://host:5173/app/a.tsx", line: 6, column: 1, name: "search" });
    expect(map.lookup(1, 500)).toEqual({ source: "http://host:5173/app/b.ts", line: 1, column: 1, name: null });
    expect(map.lookup(2, 4)).toBeNull(); // a segment with no source
    expect(map.lookup(3, 1)).toEqual({ source: "http://host:5173/app/a.tsx", line: 10, column: 5, name: null }); // before the first segment
    expect(map.lookup(9, 1)).toBeNull(); // past the last line
  });

  it("resolves sources against sourceRoot, then the map's URL", () => {
    const json = (sourceRoot: string) => JSON.stringify({ version: 3, sourceRoot, sources: ["x.ts", "/abs.ts", "webpack://app/y.ts"], mappings: "" });
    expect(parseSourceMap(json("src"), "https://cdn.example/js/app.js.map").sources).toEqual([
      "https://cdn.example/js/src/x.ts",
      "https://cdn.example/js/src//abs.ts",
      "https://cdn.example/js/src/webpack://app/y.ts",
    ]);
    expect(parseSourceMap(json(""), "https://cdn.example/js/app.js.map").sources).toEqual(["https://cdn.example/js/x.ts", "https://cdn.example/abs.ts", "webpack://app/y.ts"]);
    expect(parseSourceMap(json("https://src.example/"), undefined).sources[0]).toBe("https://src.example/x.ts");
  });

  it("refuses what it cannot read, with a reason", () => {
    expect(() => parseSourceMap("{", "http://h/x.js")).toThrow(SourceMapError);
    expect(() => parseSourceMap("[]")).toThrow(/version/);
    expect(() => parseSourceMap("null")).toThrow(/object/);
    expect(() => parseSourceMap(JSON.stringify({ version: 2, mappings: "" }))).toThrow(/version 2/);
    expect(() => parseSourceMap(JSON.stringify({ version: 3, sections: [] }))).toThrow(/index map/);
    expect(() => parseSourceMap(JSON.stringify({ version: 3, mappings: 7 }))).toThrow(/mappings/);
    expect(() => parseSourceMap(JSON.stringify({ version: 3, mappings: "", sources: "a.ts" }))).toThrow(/sources/);
    // Bad mappings are found at the first lookup (they are decoded lazily).
    const bad = parseSourceMap(JSON.stringify({ version: 3, sources: ["a"], mappings: "A!A" }));
    expect(() => bad.lookup(1, 1)).toThrow(MappingsError);
  });

  it("reads a map behind the XSSI prefix", () => {
    const map = parseSourceMap(`)]}'\n${JSON.stringify({ version: 3, sources: ["a.ts"], mappings: "AAAA" })}`, "http://h/x.js.map");
    expect(map.lookup(1, 1)?.source).toBe("http://h/a.ts");
  });
});

describe("stack lines", () => {
  it("reads V8 frames: named, bare, async, constructors, URLs with ports, eval and native frames", () => {
    const stack = [
      "Error: task search spawned here",
      "    at Object.taskSpawned (http://127.0.0.1:5173/@fs/work/main/src/inspect/subscribe.ts:160:53)",
      "    at new Nursery (http://127.0.0.1:5173/src/core/nursery.ts:12:3)",
      "    at http://127.0.0.1:5173/search/main.tsx:27:13",
      "    at async load (http://127.0.0.1:5173/search/main.tsx?t=123:9:1)",
      "    at Generator.next (<anonymous>)",
      "    at eval (eval at run (http://h/x.js:1:1), <anonymous>:1:1)",
    ].join("\n");
    const { message, frames } = parseStack(stack);
    expect(message).toBe("Error: task search spawned here");
    expect(frames.map((f) => [f.fn, f.url, f.line, f.column, f.async])).toEqual([
      ["Object.taskSpawned", "http://127.0.0.1:5173/@fs/work/main/src/inspect/subscribe.ts", 160, 53, false],
      ["new Nursery", "http://127.0.0.1:5173/src/core/nursery.ts", 12, 3, false],
      [null, "http://127.0.0.1:5173/search/main.tsx", 27, 13, false],
      ["load", "http://127.0.0.1:5173/search/main.tsx?t=123", 9, 1, true],
      ["Generator.next", null, null, null, false],
      ["eval", null, null, null, false],
    ]);
  });

  it("reads Firefox and Safari frames: fn@url, anonymous @url, async*, eval and native code", () => {
    const stack = [
      "taskSpawned@http://localhost:5173/src/inspect/subscribe.ts:160:53",
      "@http://localhost:5173/search/main.tsx:27:13",
      "async*perform@http://localhost:5173/search/main.tsx:30:5",
      "run@http://h/x.js line 2 > eval:1:5",
      "[native code]",
      "global code@http://h/page.html:4:10",
    ].join("\n");
    const { message, frames } = parseStack(stack);
    expect(message).toBe("");
    expect(frames.map((f) => [f.fn, f.url, f.line, f.column, f.async])).toEqual([
      ["taskSpawned", "http://localhost:5173/src/inspect/subscribe.ts", 160, 53, false],
      [null, "http://localhost:5173/search/main.tsx", 27, 13, false],
      ["perform", "http://localhost:5173/search/main.tsx", 30, 5, true],
      ["run", null, null, null, false],
      [null, null, null, null, false],
      ["global code", "http://h/page.html", 4, 10, false],
    ]);
  });

  it("never throws, and keeps a huge line short and unparsed", () => {
    for (const input of [undefined, null, 42, {}, "", "\n\n", "at", "at (", "@", "at x (:1:2)", "@@@:1:1"]) expect(() => parseStack(input)).not.toThrow();
    const huge = `    at ${"f".repeat(1_000_000)} (http://h/x.js:1:1)`;
    const { frames } = parseStack(`Error: x\n${huge}`);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.url).toBeNull();
    expect(frames[0]!.raw.length).toBeLessThan(300);
  });
});

describe("mapper", () => {
  // A "server" of scripts and maps, counting fetches.
  function server(files: Record<string, string>) {
    const fetched: string[] = [];
    return {
      fetched,
      fetchText: (url: string) => {
        fetched.push(url);
        const text = files[url];
        return text === undefined ? Promise.reject(new Error(`404 ${url}`)) : Promise.resolve(text);
      },
    };
  }
  const appMap = JSON.stringify({ version: 3, sources: ["main.tsx"], names: ["startSearch"], mappings: encode([[], [[0, 0, 26, 4, 0]]]) });
  const libMap = JSON.stringify({ version: 3, sources: ["../src/core/nursery.ts", "../src/inspect/subscribe.ts"], mappings: encode([[[0, 0, 99, 2], [20, 1, 159, 0]]]) });

  it("maps through an inline data: map and a fetched one, caching one load per script", async () => {
    const s = server({
      "http://h/app/main.js": `const a = 1;\nstart();\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${base64(appMap)}\n`,
      "http://h/lib/nursery.js": "spawn();\n//# sourceMappingURL=nursery.js.map",
      "http://h/lib/nursery.js.map": libMap,
    });
    const mapper = createStackMapper({ fetchText: s.fetchText });
    const { frames } = parseStack(
      "Error: x\n    at taskSpawned (http://h/lib/nursery.js:1:30)\n    at spawn (http://h/lib/nursery.js:1:5)\n    at Generator.next (<anonymous>)\n    at go (http://h/app/main.js:2:3)\n    at go (http://h/app/main.js:2:9)",
    );
    const raw = mapper.raw(frames);
    expect(raw.map((f) => f.label)).toEqual(["/lib/nursery.js:1:30", "/lib/nursery.js:1:5", null, "/app/main.js:2:3", "/app/main.js:2:9"]);
    const mapped = await mapper.map(frames);
    expect(raw.map((f) => f.library)).toEqual([false, false, true, false, false]); // without maps, no recorder frame to find the library by
    expect(mapped.map((f) => [f.label, f.href, f.library, f.original?.name ?? null])).toEqual([
      ["/src/inspect/subscribe.ts:160:1", "http://h/src/inspect/subscribe.ts", true, null],
      ["/src/core/nursery.ts:100:3", "http://h/src/core/nursery.ts", true, null],
      [null, null, true, null],
      ["/app/main.tsx:27:5", "http://h/app/main.tsx", false, "startSearch"],
      ["/app/main.tsx:27:5", "http://h/app/main.tsx", false, "startSearch"],
    ]);
    expect(s.fetched).toEqual(["http://h/lib/nursery.js", "http://h/app/main.js", "http://h/lib/nursery.js.map"]);
    await mapper.map(frames);
    expect(s.fetched).toHaveLength(3); // cached per script
    expect(foldLibraryFrames(mapped).map((r) => (r.kind === "frame" ? r.frame.label : r.frames.length))).toEqual([3, "/app/main.tsx:27:5", "/app/main.tsx:27:5"]);
  });

  it("keeps the raw frame on every kind of failure, and never rejects", async () => {
    const garbage = ["{", "null", '{"version":3,"mappings":"!!!"}', '{"version":3,"sources":["a"],"mappings":"AAAA,g"}', '{"version":3,"sections":[]}'];
    const files: Record<string, string> = {
      "http://h/nomap.js": "x();",
      "http://h/missing.js": "x();\n//# sourceMappingURL=gone.map",
      "http://h/baddata.js": "x();\n//# sourceMappingURL=data:application/json;base64,@@@@",
      "http://h/huge.js": `${"x".repeat(3_000_000)}\n//# sourceMappingURL=data:application/json;base64,${base64(JSON.stringify({ version: 3, sources: ["h.ts"], mappings: encode([Array.from({ length: 100_000 }, (_, i) => [i * 30, 0, 0, i])]) }))}`,
    };
    garbage.forEach((g, i) => {
      files[`http://h/g${i}.js`] = `x();\n//# sourceMappingURL=g${i}.map`;
      files[`http://h/g${i}.map`] = g;
    });
    const mapper = createStackMapper({ fetchText: server(files).fetchText });
    const urls = ["nomap", "missing", "baddata", "unreachable", ...garbage.map((_, i) => `g${i}`)];
    const stack = ["Error: x", ...urls.map((u) => `    at f (http://h/${u}.js:1:1)`), "    at g (http://h/huge.js:1:1500001)"].join("\n");
    const mapped = await mapper.map(parseStack(stack).frames);
    expect(mapped.slice(0, -1).map((f) => [f.original, f.label])).toEqual(urls.map((u) => [null, `/${u}.js:1:1`]));
    expect(mapped[mapped.length - 1]!.label).toBe("/h.ts:1:50001");
  });

  it("drops the oldest script past maxScripts", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3; i++) files[`http://h/${i}.js`] = "x();";
    const s = server(files);
    const mapper = createStackMapper({ fetchText: s.fetchText, maxScripts: 2 });
    for (const i of [0, 1, 2, 0]) await mapper.map(parseStack(`Error\n    at f (http://h/${i}.js:1:1)`).frames);
    expect(s.fetched).toEqual(["http://h/0.js", "http://h/1.js", "http://h/2.js", "http://h/0.js"]);
  });

  it("reads only a sourceMappingURL comment that ends the script's line", () => {
    expect(sourceMappingUrl("a();\n//# sourceMappingURL=a.js.map\n")).toBe("a.js.map");
    expect(sourceMappingUrl("a();\n//@ sourceMappingURL=a.js.map")).toBe("a.js.map");
    expect(sourceMappingUrl("a();\n/*# sourceMappingURL=a.css.map */")).toBe("a.css.map");
    expect(sourceMappingUrl('const s = "sourceMappingURL=x.map";')).toBeNull();
    expect(sourceMappingUrl("//# sourceMappingURL=a.map trailing words")).toBeNull();
    expect(sourceMappingUrl("nothing here")).toBeNull();
    expect(dataUrlText("data:application/json,%7B%7D")).toBe("{}");
    expect(dataUrlText(`data:application/json;base64,${base64("{\"é\":1}")}`)).toBe('{"é":1}');
    expect(dataUrlText("data:;base64,%%%")).toBeNull();
  });

  it("counts trio-asyncio's modules (the recorder's folder) and installed dependencies as library code", () => {
    const v8 = "Error: x\n    at Object.taskSpawned (http://h/@fs/work/main/src/inspect/subscribe.ts?t=1:160:53)\n    at f (http://h/src/components/Search.tsx:1:1)";
    expect(libraryRoot(parseStack(v8).frames)).toBe("http://h/@fs/work/main/src/");
    expect(libraryRoot([{ url: "http://h/assets/index-abc.js", source: "http://h/src/inspect/subscribe.ts" }])).toBe("http://h/src/");
    expect(libraryRoot([{ url: "http://h/assets/index-abc.js" }])).toBeNull();
    const root = "http://h/@fs/work/main/src/";
    for (const lib of ["http://h/@fs/work/main/src/core/nursery.ts", "http://h/@fs/work/main/src/preact/hooks.ts?v=2", "http://h/node_modules/.vite/deps/trio-asyncio.js?v=1", "http://h/node_modules/trio-asyncio/dist/shared-abc.js", "webpack://app/node_modules/preact/dist/preact.module.js"]) {
      expect(isLibraryUrl(lib, root), lib).toBe(true);
    }
    // An app's own src/components/ or src/core/ is not the library's.
    for (const user of ["http://h/search/main.tsx", "http://h/src/components/Search.tsx", "http://h/src/core/app.ts", "webpack://app/./src/App.tsx"]) expect(isLibraryUrl(user, root), user).toBe(false);
    expect(isLibraryUrl("http://h/@fs/work/main/src/core/nursery.ts", null)).toBe(false);
  });
});
