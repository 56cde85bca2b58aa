/**
 * The messages between a page that exposes its inspector
 * (`exposeInspector`) and the browser extension's panel, relayed by the
 * extension's content script through `window.postMessage`.
 *
 * Why it is built so: they are the worker protocol's inspector messages
 * (`inspect`, `inspector`, `inspectCancel`, and `ready` when the page starts
 * listening), under the same tag and version, so a tool that mirrors a
 * worker's inspector and one that mirrors a page's read the same wire.
 * What differs: an update travels as JSON text (`updateJson`, not
 * `update`), because the extension's ports carry only JSON, and the page
 * turning a 10,000-task snapshot into text once costs it about a tenth of
 * what a structured clone to the content script and a JSON encoding there
 * would (measured in Chromium: 26 ms against 246 + 180 ms). Added, and
 * ignored by a peer that does not know them: `captureStacks` on `inspect`,
 * and `inspectStack`/`inspectorStack` to fetch one task's creation stack on
 * demand (sending every stack with every update would walk the whole tree
 * per new task).
 */
import type { inspector } from "../src/index.js";

/** The key that marks a message as ours (the worker protocol's). */
export const WIRE_TAG = "trioWorker";
/** The protocol version (the worker protocol's). */
export const WIRE_VERSION = 1;

interface Tagged {
  readonly [WIRE_TAG]: number;
}

/** page → panel: the page's inspector listens for requests now. */
export interface ReadyWire extends Tagged {
  readonly kind: "ready";
  readonly operations: readonly string[];
}
/** panel → page: send inspector updates (a fresh full snapshot first), or stop. */
export interface InspectWire extends Tagged {
  readonly kind: "inspect";
  readonly watch: boolean;
  /** Record creation stacks of new tasks while watching. */
  readonly captureStacks?: boolean | undefined;
}
/** panel → page: cancel the page's scope, task or asyncio Task `id`. */
export interface InspectCancelWire extends Tagged {
  readonly kind: "inspectCancel";
  readonly what: inspector.CancelKind;
  readonly id: number;
  readonly reason: string;
}
/** panel → page: send task `id`'s creation stack. */
export interface InspectStackWire extends Tagged {
  readonly kind: "inspectStack";
  readonly id: number;
}
/**
 * page → panel: one inspector update as JSON text; its times are on the
 * page's `timeOrigin`. JSON has no Infinity: a sleep with no deadline
 * (`waitingOn.deadline`) arrives as null.
 */
export interface InspectorWire extends Tagged {
  readonly kind: "inspector";
  readonly updateJson: string;
  readonly timeOrigin: number;
}
/** page → panel: task `id`'s creation stack (null: none was captured). */
export interface InspectorStackWire extends Tagged {
  readonly kind: "inspectorStack";
  readonly id: number;
  readonly stack: string | null;
}

/** What the panel sends to the page. */
export type ToPage = InspectWire | InspectCancelWire | InspectStackWire;
/** What the page sends to the panel. */
export type FromPage = ReadyWire | InspectorWire | InspectorStackWire;

const TO_PAGE: ReadonlySet<string> = new Set(["inspect", "inspectCancel", "inspectStack"]);
const FROM_PAGE: ReadonlySet<string> = new Set(["ready", "inspector", "inspectorStack"]);

/** Tags a message body. */
export function wire<M extends ToPage | FromPage>(body: Omit<M, typeof WIRE_TAG>): M {
  return { [WIRE_TAG]: WIRE_VERSION, ...body } as M;
}

function kindOf(data: unknown): string | undefined {
  if (data === null || typeof data !== "object") return undefined;
  try {
    const m = data as { [WIRE_TAG]?: unknown; kind?: unknown };
    return m[WIRE_TAG] === WIRE_VERSION && typeof m.kind === "string" ? m.kind : undefined;
  } catch {
    return undefined; // a hostile object: not ours
  }
}

/** True if `data` is a request of ours for the page. Total. */
export function isToPage(data: unknown): data is ToPage {
  const kind = kindOf(data);
  return kind !== undefined && TO_PAGE.has(kind);
}

/** True if `data` is a message of ours from the page. Total. */
export function isFromPage(data: unknown): data is FromPage {
  const kind = kindOf(data);
  return kind !== undefined && FROM_PAGE.has(kind);
}
