/**
 * The page's messages as JSON text on the extension's ports (which carry
 * only JSON). The content script writes them, the panel reads them.
 *
 * Why it is built so: an update is JSON text already (the page wrote it,
 * see `wire.ts`), so the content script splices it into the message's text
 * instead of parsing and encoding it again on the page's main thread; the
 * panel gets the worker protocol's shape back (`update` as an object).
 */
import type { inspector } from "../../src/index.js";
import type { FromPage } from "../wire.js";
import { WIRE_TAG, WIRE_VERSION } from "../wire.js";

/** What the panel reads for an `inspector` message: the update parsed. */
export interface InspectorPortMessage {
  readonly [WIRE_TAG]: number;
  readonly kind: "inspector";
  readonly update: inspector.InspectorUpdate;
  readonly timeOrigin: number;
}

/** A page message as the text the content script sends to the service worker. */
export function toPortText(message: FromPage): string {
  if (message.kind === "inspector") {
    const timeOrigin = Number(message.timeOrigin);
    // Not parsed again (that would cost the page what splicing saves): text
    // that is not one JSON value only breaks this message, which the panel
    // then fails to parse and ignores, and the page could post its panel
    // any message of ours anyway.
    const json = typeof message.updateJson === "string" ? message.updateJson : "null";
    return `{"${WIRE_TAG}":${WIRE_VERSION},"kind":"inspector","timeOrigin":${Number.isFinite(timeOrigin) ? timeOrigin : 0},"update":${json}}`;
  }
  return JSON.stringify(message);
}

/** A message read from the port's text (undefined if it is not JSON). */
export function fromPortText(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Puts back what JSON lost: a sleep's `waitingOn.deadline` is Infinity when
 * the sleep has none, and JSON wrote null (the only record field that can
 * hold a number that is not finite).
 */
export function restoreInfinities(update: inspector.InspectorUpdate): void {
  const fix = (tasks: readonly inspector.TaskRecord[] | undefined) => {
    for (const t of tasks ?? []) {
      const w = t.waitingOn as { deadline?: number | null } | null;
      if (w !== null && w !== undefined && w.deadline === null) w.deadline = Infinity;
    }
  };
  fix(update.full?.tasks);
  fix(update.tasks?.upserted);
}
