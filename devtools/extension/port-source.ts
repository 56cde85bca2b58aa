/**
 * The extension panel's `InspectorSource`: the same interface the in-page
 * panel reads the live inspector through, fed by the page's messages
 * (relayed from `exposeInspector` by the content script and the service
 * worker) and answering with requests to the page.
 *
 * Why it is built so: `<DevtoolsPanel/>` already takes any source, so the
 * extension shows the very same component with no fork of the UI. The
 * page decides how often updates come (its inspector is throttled there);
 * this side shifts their times onto this document's clock, because the
 * panel measures "now" with its own `performance.now()`.
 */
import type { inspector } from "../../src/index.js";
import type { InspectorSource } from "../source.js";
import { isFromPage, wire, type InspectCancelWire, type InspectStackWire, type InspectWire, type ToPage } from "../wire.js";
import { restoreInfinities, type InspectorPortMessage } from "./json-wire.js";

type Listener = (update: inspector.InspectorUpdate) => void;

/** An `InspectorSource` over messages to and from an exposed page. */
export class PortSource implements InspectorSource {
  private listener: Listener | null = null;
  private captureStacks = false;
  // Answers to stack requests (null: the page captured none), and what is being asked.
  private readonly stacks = new Map<number, string | null>();
  private readonly asked = new Set<number>();
  private pageSeen = false;
  private readonly statusListeners = new Set<() => void>();

  /** @param send posts a request to the page (through the extension's ports) */
  constructor(private readonly send: (message: ToPage) => void) {}

  /** Whether the page has answered since this source was made (it called `exposeInspector`). */
  get connected(): boolean {
    return this.pageSeen;
  }

  /** Calls `listener` when `connected` changes; returns the unsubscribe function. */
  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  /** Handles one message from the page, as read from the port (json-wire.ts); anything else is ignored. */
  receive(message: unknown): void {
    if (!isFromPage(message)) return;
    if (message.kind === "ready") {
      // A page (re)loaded and exposed its inspector: watch it if the panel is watching.
      this.seen();
      if (this.listener !== null) this.sendWatch(true);
      return;
    }
    if (message.kind === "inspectorStack") {
      if (typeof message.id !== "number") return;
      this.asked.delete(message.id);
      this.stacks.set(message.id, typeof message.stack === "string" ? message.stack : null);
      // An update with no changes: the panel renders again and reads the stack.
      this.listener?.(emptyUpdate(performance.now()));
      return;
    }
    // As the content script wrote it: the update parsed (json-wire.ts).
    const { update, timeOrigin } = message as unknown as InspectorPortMessage;
    if (update === null || typeof update !== "object" || typeof timeOrigin !== "number") return;
    this.seen();
    restoreInfinities(update);
    shiftTimes(update, timeOrigin - performance.timeOrigin);
    for (const id of update.tasks?.removed ?? []) this.stacks.delete(id);
    this.listener?.(update);
  }

  /**
   * The page went away (navigated, reloaded or closed): the tree empties
   * (the history of exited tasks stays) and `connected` is false until a
   * page answers again.
   */
  pageGone(): void {
    this.stacks.clear();
    this.asked.clear();
    if (this.pageSeen) {
      this.pageSeen = false;
      for (const l of [...this.statusListeners]) l();
    }
    const empty = emptyUpdate(performance.now());
    empty.full = { takenAt: empty.at, runs: [], tasks: [], nurseries: [], scopes: [], loops: [], futures: [] };
    this.listener?.(empty);
  }

  /** The extension's port was connected again (its service worker restarted): ask for a fresh snapshot. */
  reconnected(): void {
    if (this.listener !== null) this.sendWatch(true);
  }

  subscribe(listener: Listener, options: inspector.SubscribeOptions = {}): () => void {
    // One panel, one subscription: a new one replaces the last (the page starts over with a full snapshot).
    this.listener = listener;
    this.captureStacks = options.captureStacks === true;
    if (this.captureStacks) for (const [id, stack] of this.stacks) if (stack === null) this.stacks.delete(id);
    this.sendWatch(true);
    return () => {
      if (this.listener !== listener) return;
      this.listener = null;
      this.sendWatch(false);
    };
  }

  cancel(kind: inspector.CancelKind, id: number, reason?: string): boolean {
    // The page carries it out; its next update shows the outcome.
    this.send(wire<InspectCancelWire>({ kind: "inspectCancel", what: kind, id, reason: reason ?? "cancelled from the devtools extension" }));
    return true;
  }

  creationStack(taskId: number): string | undefined {
    const stack = this.stacks.get(taskId);
    if (stack !== undefined) return stack ?? undefined;
    if (!this.asked.has(taskId)) {
      this.asked.add(taskId);
      this.send(wire<InspectStackWire>({ kind: "inspectStack", id: taskId }));
    }
    return undefined;
  }

  private sendWatch(watch: boolean): void {
    this.send(wire<InspectWire>({ kind: "inspect", watch, captureStacks: this.captureStacks }));
  }

  private seen(): void {
    if (this.pageSeen) return;
    this.pageSeen = true;
    for (const l of [...this.statusListeners]) l();
  }
}

/** Moves an update's times (the page's performance.now()) onto this document's clock. */
export function shiftTimes(update: inspector.InspectorUpdate, offset: number): void {
  update.at += offset;
  if (update.full !== undefined) update.full.takenAt += offset;
  for (const e of update.events ?? []) e.at += offset;
  for (const b of update.batches ?? []) {
    b.start += offset;
    b.end += offset;
  }
}

function emptyUpdate(at: number): inspector.InspectorUpdate {
  const none = () => ({ upserted: [], removed: [] });
  return { at, runs: none(), tasks: none(), nurseries: none(), scopes: none(), loops: none(), futures: none(), events: [], batches: [] };
}
