/**
 * Extension ports carry JSON, which turns Infinity and NaN into null (a
 * sleep with no deadline says `deadline: Infinity`). The content script
 * sends the page's messages as one JSON string with those numbers spelled
 * out, and the panel reads them back.
 */

const NON_FINITE = "$trioNumber";

/** `value` as JSON, keeping Infinity, -Infinity and NaN. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v));
}

/** The value `encodeWire` wrote; undefined if `text` is not JSON. */
export function decodeWire(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text, (_key, v: unknown) => {
      if (v !== null && typeof v === "object" && NON_FINITE in v) {
        const spelled = (v as Record<string, unknown>)[NON_FINITE];
        if (typeof spelled === "string") return Number(spelled);
      }
      return v;
    });
  } catch {
    return undefined;
  }
}
