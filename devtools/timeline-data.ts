/**
 * The timeline as data: what is recorded, how it is exported to JSON and
 * read back. Kept apart from the drawing so the round trip (and the checks
 * on a file someone hand-edited) can be tested without a canvas.
 */
import type { inspector } from "../src/index.js";

/** The frame budget the batches are drawn against, in ms. */
export const FRAME_BUDGET_MS = 16;

/** The format tag of exported timelines. */
export const TIMELINE_FORMAT = "trio-asyncio-timeline";

/** Recorded events and scheduler batches (times are performance.now() ms). */
export interface TimelineData {
  events: inspector.TimelineEvent[];
  batches: inspector.BatchRecord[];
}

/** What `exportTimeline` writes. */
export interface TimelineFile extends TimelineData {
  format: typeof TIMELINE_FORMAT;
  version: 1;
  exportedAt: string;
  frameBudgetMs: number;
}

/** A summary, for screen readers and the status line. */
export interface TimelineSummary {
  events: number;
  spawns: number;
  exits: number;
  cancels: number;
  errors: number;
  batches: number;
  overBudget: number;
  longestBatchMs: number;
  /** performance.now() ms of the first and last item, or null when empty. */
  start: number | null;
  end: number | null;
}

/** A new, empty timeline. */
export function emptyTimeline(): TimelineData {
  return { events: [], batches: [] };
}

/** The timeline as a JSON document. */
export function exportTimeline(data: TimelineData, exportedAt: Date = new Date()): string {
  const file: TimelineFile = {
    format: TIMELINE_FORMAT,
    version: 1,
    exportedAt: exportedAt.toISOString(),
    frameBudgetMs: FRAME_BUDGET_MS,
    events: data.events,
    batches: data.batches,
  };
  return JSON.stringify(file);
}

const KINDS = new Set(["spawn", "exit", "error", "cancel"]);

function fail(message: string): never {
  throw new Error(`Cannot import this timeline: ${message}`);
}

function num(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(`${where} must be a finite number.`);
  return value;
}

/** Reads a document written by `exportTimeline`; throws an Error that says what is wrong. */
export function importTimeline(text: string): TimelineData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`it is not JSON (${(error as Error).message}). Paste the text the Export button produced.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("expected a JSON object.");
  const file = parsed as Partial<Record<keyof TimelineFile, unknown>>;
  if (file.format !== TIMELINE_FORMAT) fail(`"format" must be "${TIMELINE_FORMAT}" (is this a file from Export?).`);
  if (file.version !== 1) fail(`unsupported version ${JSON.stringify(file.version)}; this panel reads version 1.`);
  if (!Array.isArray(file.events) || !Array.isArray(file.batches)) fail(`"events" and "batches" must be arrays.`);
  const events = file.events.map((raw: unknown, i): inspector.TimelineEvent => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const where = `events[${i}]`;
    if (typeof e.kind !== "string" || !KINDS.has(e.kind)) fail(`${where}.kind must be one of spawn, exit, error, cancel.`);
    if (typeof e.name !== "string") fail(`${where}.name must be a string.`);
    if (e.detail !== undefined && typeof e.detail !== "string") fail(`${where}.detail must be a string when present.`);
    return {
      at: num(e.at, `${where}.at`),
      kind: e.kind as inspector.TimelineEvent["kind"],
      runId: num(e.runId, `${where}.runId`),
      id: num(e.id, `${where}.id`),
      name: e.name,
      ...(typeof e.detail === "string" ? { detail: e.detail } : {}),
    };
  });
  const batches = file.batches.map((raw: unknown, i): inspector.BatchRecord => {
    const b = (raw ?? {}) as Record<string, unknown>;
    const where = `batches[${i}]`;
    const start = num(b.start, `${where}.start`);
    const end = num(b.end, `${where}.end`);
    if (end < start) fail(`${where} ends before it starts.`);
    const record: inspector.BatchRecord = { runId: num(b.runId, `${where}.runId`), start, end, steps: num(b.steps, `${where}.steps`) };
    if (b.taskIds !== undefined) {
      if (!Array.isArray(b.taskIds)) fail(`${where}.taskIds must be an array of task ids when present.`);
      record.taskIds = b.taskIds.map((id: unknown, j) => num(id, `${where}.taskIds[${j}]`));
      if (b.moreTasks !== undefined) record.moreTasks = num(b.moreTasks, `${where}.moreTasks`);
    }
    return record;
  });
  return { events, batches };
}

/** Counts and extremes of a timeline. */
export function summarize(data: TimelineData): TimelineSummary {
  const s: TimelineSummary = {
    events: data.events.length,
    spawns: 0,
    exits: 0,
    cancels: 0,
    errors: 0,
    batches: data.batches.length,
    overBudget: 0,
    longestBatchMs: 0,
    start: null,
    end: null,
  };
  const extend = (t: number) => {
    s.start = s.start === null ? t : Math.min(s.start, t);
    s.end = s.end === null ? t : Math.max(s.end, t);
  };
  for (const e of data.events) {
    if (e.kind === "spawn") s.spawns++;
    else if (e.kind === "exit") s.exits++;
    else if (e.kind === "cancel") s.cancels++;
    else s.errors++;
    extend(e.at);
  }
  for (const b of data.batches) {
    const ms = b.end - b.start;
    if (ms > FRAME_BUDGET_MS) s.overBudget++;
    if (ms > s.longestBatchMs) s.longestBatchMs = ms;
    extend(b.start);
    extend(b.end);
  }
  return s;
}
