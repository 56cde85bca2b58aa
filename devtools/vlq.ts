/**
 * Base64 VLQ, the number encoding of a source map's `mappings` string
 * (Source Map revision 3): each number is a run of base64 digits, 5 value
 * bits each, least significant group first, with a continuation bit (32);
 * the lowest bit of the first group is the sign.
 */

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

/** A `mappings` string that cannot be decoded. */
export class MappingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MappingsError";
  }
}

/**
 * One mapped segment of a generated line, with every field absolute (the
 * encoding stores differences): the generated column and, when the segment
 * maps to a source, its source index, line and column (all 0-based), and the
 * name index or -1.
 */
export interface Segment {
  generatedColumn: number;
  /** -1 for a segment that maps to no source. */
  source: number;
  line: number;
  column: number;
  name: number;
}

/**
 * Decodes a list of VLQ numbers (no separators), e.g. "AAgBC" → [0, 0, 16, 1].
 * Throws MappingsError on a character outside base64, an unfinished number,
 * or one too big for 32 bits.
 */
export function decodeVlq(text: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    const [value, next] = readVlq(text, i, text.length);
    out.push(value);
    i = next;
  }
  return out;
}

// Reads one number starting at `i`; returns it and the index after it.
function readVlq(text: string, i: number, end: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (i >= end) throw new MappingsError(`unfinished VLQ number at offset ${i}`);
    const code = text.charCodeAt(i++);
    const digit = code < 128 ? DIGIT[code]! : -1;
    if (digit < 0) throw new MappingsError(`'${text[i - 1]}' at offset ${i - 1} is not a base64 digit`);
    // 32 value bits at most: 7 groups of 5 would reach bit 35.
    if (shift > 30) throw new MappingsError(`VLQ number at offset ${i - 1} exceeds 32 bits`);
    result += (digit & 31) * 2 ** shift;
    shift += 5;
    if ((digit & 32) === 0) break;
  }
  const negative = result % 2 === 1;
  const magnitude = Math.floor(result / 2);
  return [negative ? -magnitude : magnitude, i];
}

/**
 * Decodes a whole `mappings` string into one array of segments per
 * generated line (`;` separates lines, `,` segments). Source index, source
 * line, source column and name index carry over from one segment to the
 * next across lines; the generated column restarts at each line. Segments
 * of 1 field (no source) and of 4 or 5 fields are valid; 2, 3 or more than
 * 5 are not. Each line's segments are sorted by generated column (maps
 * should be, but a lookup must not depend on it).
 */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let source = 0;
  let srcLine = 0;
  let srcColumn = 0;
  let name = 0;
  let sorted = true;
  let i = 0;
  const n = mappings.length;
  const fields: number[] = [];
  const finishLine = () => {
    if (!sorted) line.sort((a, b) => a.generatedColumn - b.generatedColumn);
    lines.push(line);
    line = [];
    sorted = true;
  };
  let column = 0;
  while (i <= n) {
    const c = i < n ? mappings.charCodeAt(i) : 59; // the end closes the last line
    if (c === 59 /* ; */) {
      finishLine();
      column = 0;
      i++;
      continue;
    }
    if (c === 44 /* , */) {
      i++;
      continue;
    }
    // One segment: numbers up to the next separator.
    let end = i;
    while (end < n && mappings.charCodeAt(end) !== 44 && mappings.charCodeAt(end) !== 59) end++;
    fields.length = 0;
    while (i < end) {
      const [value, next] = readVlq(mappings, i, end);
      fields.push(value);
      i = next;
    }
    if (fields.length !== 1 && fields.length !== 4 && fields.length !== 5) {
      throw new MappingsError(`a segment of ${fields.length} fields before offset ${end} (1, 4 or 5 expected)`);
    }
    column += fields[0]!;
    if (column < 0) throw new MappingsError(`negative generated column before offset ${end}`);
    if (line.length > 0 && column < line[line.length - 1]!.generatedColumn) sorted = false;
    if (fields.length === 1) {
      line.push({ generatedColumn: column, source: -1, line: 0, column: 0, name: -1 });
      continue;
    }
    source += fields[1]!;
    srcLine += fields[2]!;
    srcColumn += fields[3]!;
    if (source < 0 || srcLine < 0 || srcColumn < 0) throw new MappingsError(`negative source index, line or column before offset ${end}`);
    let nameIndex = -1;
    if (fields.length === 5) {
      name += fields[4]!;
      if (name < 0) throw new MappingsError(`negative name index before offset ${end}`);
      nameIndex = name;
    }
    line.push({ generatedColumn: column, source, line: srcLine, column: srcColumn, name: nameIndex });
  }
  return lines;
}
