/**
 * A small source map reader (revision 3): parses a map's JSON, resolves its
 * `sources` against `sourceRoot` and the map's own URL, and finds the
 * original position of a generated one. Index maps (`sections`) are not
 * read: such a map is refused, and the caller keeps the raw frame.
 */
import { decodeMappings, type Segment } from "./vlq.js";

/** Where a generated position came from. Line and column are 1-based, as in stack traces. */
export interface OriginalPosition {
  /** The original source's URL (absolute when the map's URL is known). */
  source: string;
  line: number;
  column: number;
  /** The original name at that position, if the map records one. */
  name: string | null;
}

/** A map that cannot be read: not JSON, not revision 3, or a field of the wrong shape. */
export class SourceMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceMapError";
  }
}

/** A parsed source map. */
export interface SourceMap {
  /** The resolved URLs of the original sources, by index. */
  readonly sources: readonly string[];
  /**
   * The original position of a generated one (1-based line and column, as a
   * stack trace gives them), or null when the map says nothing there. The
   * segment used is the last one at or before the column on that line.
   */
  lookup(line: number, column: number): OriginalPosition | null;
}

function resolveUrl(ref: string, base: string | undefined): string {
  if (base === undefined) return ref;
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

function stringArray(value: unknown, field: string): (string | null)[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SourceMapError(`"${field}" is not an array`);
  return value.map((v) => (typeof v === "string" ? v : null));
}

/**
 * Parses a source map. `mapUrl` is where the map was found (the script's
 * own URL for an inline `data:` map): relative sources resolve against it
 * (after `sourceRoot`). Throws SourceMapError on a map it cannot read; the
 * mappings are decoded on the first lookup (and a bad `mappings` throws then).
 */
export function parseSourceMap(json: string, mapUrl?: string): SourceMap {
  let raw: unknown;
  try {
    raw = JSON.parse(json.startsWith(")]}'") ? json.slice(json.indexOf("\n") + 1) : json);
  } catch (e) {
    throw new SourceMapError(`not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null) throw new SourceMapError("not a JSON object");
  const map = raw as Record<string, unknown>;
  if (map.version !== 3) throw new SourceMapError(`version ${String(map.version)} (only 3 is read)`);
  if (map.sections !== undefined) throw new SourceMapError("an index map (sections) is not read");
  if (typeof map.mappings !== "string") throw new SourceMapError('"mappings" is not a string');
  const root = typeof map.sourceRoot === "string" && map.sourceRoot !== "" ? map.sourceRoot : null;
  const sources = stringArray(map.sources, "sources").map((s) => {
    const ref = s ?? "";
    const withRoot = root === null ? ref : root.endsWith("/") ? root + ref : `${root}/${ref}`;
    return resolveUrl(withRoot, mapUrl);
  });
  const names = stringArray(map.names, "names");
  const mappings = map.mappings;
  let lines: Segment[][] | null = null;
  return {
    sources,
    lookup(line, column) {
      lines ??= decodeMappings(mappings);
      const segments = lines[line - 1];
      if (segments === undefined || segments.length === 0) return null;
      // The last segment whose generated column is <= column - 1.
      const col = column - 1;
      let lo = 0;
      let hi = segments.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (segments[mid]!.generatedColumn <= col) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      // A frame before the first segment of its line: the first segment is the best guess.
      const seg = segments[found < 0 ? 0 : found]!;
      if (seg.source < 0 || seg.source >= sources.length) return null;
      return { source: sources[seg.source]!, line: seg.line + 1, column: seg.column + 1, name: seg.name >= 0 ? (names[seg.name] ?? null) : null };
    },
  };
}
