/**
 * Maps stack frames back to original sources through the scripts' source
 * maps, as the browser's own devtools do: fetch the script, read its last
 * `//# sourceMappingURL=` comment (an inline `data:` map, or a URL resolved
 * against the script's), parse the map and look the frame up. One map per
 * script, cached (the promise, so concurrent lookups share one fetch).
 * Nothing here throws: a script that cannot be fetched, a missing or bad
 * map, or a position the map does not cover leaves the raw frame.
 */
import { parseSourceMap, type OriginalPosition, type SourceMap } from "./source-map.js";
import type { StackFrame } from "./stack-frames.js";

/** A frame with what the source map says about it. */
export interface MappedFrame {
  frame: StackFrame;
  /** The original position, or null (no map, or the map does not cover it). */
  original: OriginalPosition | null;
  /**
   * Library code: one of trio-asyncio's own modules (the folder of the
   * inspector's recorder, the stack's first frame), an installed
   * dependency (under node_modules), or a frame with no location.
   */
  library: boolean;
  /** "path:line:col" of the original position, else of the script; null without a location. */
  label: string | null;
  /** Where the frame's link goes: the original source when it has a URL the browser can open, else the script. */
  href: string | null;
}

/** Options of `createStackMapper`. */
export interface StackMapperOptions {
  /** Fetches a script or map as text (default: `fetch`, 10 s timeout). Rejects on failure. */
  fetchText?(url: string): Promise<string>;
  /** Scripts whose maps are kept (default 200); the oldest is dropped past it. */
  maxScripts?: number | undefined;
}

/** Maps frames; holds the per-script cache. */
export interface StackMapper {
  /** The frames as they are, classified and labelled, with no map read (synchronous). */
  raw(frames: readonly StackFrame[]): MappedFrame[];
  /** The frames mapped through their scripts' source maps, where there are any. Never rejects. */
  map(frames: readonly StackFrame[]): Promise<MappedFrame[]>;
}

// Installed dependencies (trio-asyncio as an app installs it, Vite's
// pre-bundled copies, any other package) are library code wherever they are.
const DEPENDENCY = /\/node_modules\//;
// trio-asyncio's own sources, served as they are (this repository's dev
// server, or an app that links them): the folder holding the inspector's
// recorder, which is the first frame of every creation stack.
const RECORDER = /\/inspect\/subscribe\.[jt]s$/;

function withoutQuery(url: string): string {
  return url.replace(/[?#].*$/, "");
}

/**
 * The library's source folder as a creation stack shows it (e.g.
 * "http://host/@fs/repo/src/"), or null when the recorder's frame is not
 * in a file of its own (a bundle): found from the frames' script URLs or
 * their mapped sources.
 */
export function libraryRoot(frames: readonly { url: string | null; source?: string | undefined }[]): string | null {
  for (const f of frames) {
    for (const url of [f.source, f.url]) {
      if (url === undefined || url === null) continue;
      const path = withoutQuery(url);
      const m = RECORDER.exec(path);
      if (m !== null) return path.slice(0, m.index + 1);
    }
  }
  return null;
}

/** Whether a script or source URL is library code: an installed dependency, or under `root` (see libraryRoot). */
export function isLibraryUrl(url: string, root: string | null = null): boolean {
  const path = withoutQuery(url);
  return DEPENDENCY.test(path) || (root !== null && path.startsWith(root));
}

function displayPath(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === "http:" || u.protocol === "https:" || u.protocol === "file:") return u.pathname;
  } catch {
    // not a URL: show it as it is
  }
  return url;
}

function openable(url: string): boolean {
  return /^(https?|file):/.test(url);
}

function describe(frame: StackFrame, original: OriginalPosition | null, root: string | null): MappedFrame {
  if (frame.url === null || frame.line === null || frame.column === null) {
    return { frame, original: null, library: true, label: null, href: null };
  }
  if (original !== null) {
    return {
      frame,
      original,
      library: isLibraryUrl(original.source, root) || isLibraryUrl(frame.url, root),
      label: `${displayPath(original.source)}:${original.line}:${original.column}`,
      href: openable(original.source) ? original.source : frame.url,
    };
  }
  return { frame, original: null, library: isLibraryUrl(frame.url, root), label: `${displayPath(frame.url)}:${frame.line}:${frame.column}`, href: frame.url };
}

/**
 * The URL in a script's last `//# sourceMappingURL=` (or `/*# ... *\/`,
 * or the old `//@`) comment, or null. Only a comment that ends its line
 * counts, so a string holding such text earlier in the script does not.
 */
export function sourceMappingUrl(script: string): string | null {
  const at = script.lastIndexOf("sourceMappingURL=");
  if (at < 0) return null;
  const lineStart = script.lastIndexOf("\n", at) + 1;
  if (!/\/[/*][#@]\s*$/.test(script.slice(Math.max(lineStart, at - 16), at))) return null;
  const lineEnd = script.indexOf("\n", at);
  const rest = script.slice(at + "sourceMappingURL=".length, lineEnd < 0 ? script.length : lineEnd);
  const m = /^([^\s*]+)\s*(\*\/)?\s*$/.exec(rest);
  return m === null ? null : m[1]!;
}

/** The text of a `data:` URL (base64 or percent-encoded), or null. */
export function dataUrlText(url: string): string | null {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0) return null;
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  try {
    if (/;base64$/i.test(header)) {
      const binary = atob(body);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return new TextDecoder().decode(bytes);
    }
    return decodeURIComponent(body);
  } catch {
    return null;
  }
}

async function defaultFetchText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/** A stack mapper with its own cache. */
export function createStackMapper(options: StackMapperOptions = {}): StackMapper {
  const fetchText = options.fetchText ?? defaultFetchText;
  const maxScripts = Math.max(1, options.maxScripts ?? 200);
  const cache = new Map<string, Promise<SourceMap | null>>();

  async function load(scriptUrl: string): Promise<SourceMap | null> {
    try {
      const script = await fetchText(scriptUrl);
      const ref = sourceMappingUrl(script);
      if (ref === null) return null;
      if (ref.startsWith("data:")) {
        const json = dataUrlText(ref);
        return json === null ? null : parseSourceMap(json, scriptUrl);
      }
      const mapUrl = new URL(ref, scriptUrl).href;
      return parseSourceMap(await fetchText(mapUrl), mapUrl);
    } catch {
      return null; // no map, or one we cannot read: the raw frame stays
    }
  }

  function mapOf(scriptUrl: string): Promise<SourceMap | null> {
    let p = cache.get(scriptUrl);
    if (p === undefined) {
      if (cache.size >= maxScripts) cache.delete(cache.keys().next().value!);
      p = load(scriptUrl);
      cache.set(scriptUrl, p);
    }
    return p;
  }

  function lookup(map: SourceMap | null, frame: StackFrame): OriginalPosition | null {
    if (map === null || frame.line === null || frame.column === null) return null;
    try {
      return map.lookup(frame.line, frame.column);
    } catch {
      return null; // bad mappings: decoded lazily, so they fail here
    }
  }

  return {
    raw(frames) {
      const root = libraryRoot(frames);
      return frames.map((f) => describe(f, null, root));
    },
    async map(frames) {
      // Only a page's scripts are fetched: http(s) URLs (not Node's file paths, eval or extension code).
      const maps = await Promise.all(frames.map((f) => (f.url === null || !/^https?:\/\//.test(f.url) ? Promise.resolve(null) : mapOf(f.url))));
      const originals = frames.map((f, i) => lookup(maps[i]!, f));
      const root = libraryRoot(frames.map((f, i) => ({ url: f.url, source: originals[i]?.source })));
      return frames.map((f, i) => describe(f, originals[i]!, root));
    },
  };
}

let shared: StackMapper | null = null;

/** The panel's mapper (one cache for the page). */
export function sharedStackMapper(): StackMapper {
  shared ??= createStackMapper();
  return shared;
}

/** A run of frames as the panel shows them: a user frame, or consecutive library frames folded into one row. */
export type StackRow = { kind: "frame"; frame: MappedFrame } | { kind: "library"; frames: MappedFrame[] };

/** Folds consecutive library frames into one row each. */
export function foldLibraryFrames(frames: readonly MappedFrame[]): StackRow[] {
  const rows: StackRow[] = [];
  for (const f of frames) {
    const last = rows[rows.length - 1];
    if (!f.library) rows.push({ kind: "frame", frame: f });
    else if (last !== undefined && last.kind === "library") last.frames.push(f);
    else rows.push({ kind: "library", frames: [f] });
  }
  return rows;
}
