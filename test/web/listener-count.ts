// Listener bookkeeping for the test doubles (CountingTarget, FakeWebSocket), kept apart so the
// WebSocket double needs no other helper.

/**
 * The listeners on a target, counted as EventTarget keeps them: once per type,
 * listener and capture flag, so adding one twice or removing one never added
 * changes nothing.
 */
export class ListenerCount {
  private readonly on: Array<{ type: string; listener: unknown; capture: boolean }> = [];
  get live(): number {
    return this.on.length;
  }
  add(type: string, listener: unknown, options: unknown): void {
    if (listener !== null && this.find(type, listener, options) === -1) this.on.push({ type, listener, capture: captureOf(options) });
  }
  remove(type: string, listener: unknown, options: unknown): void {
    const i = this.find(type, listener, options);
    if (i !== -1) this.on.splice(i, 1);
  }
  private find(type: string, listener: unknown, options: unknown): number {
    const capture = captureOf(options);
    return this.on.findIndex((l) => l.type === type && l.listener === listener && l.capture === capture);
  }
}

function captureOf(options: unknown): boolean {
  return typeof options === "boolean" ? options : (options as { capture?: unknown } | undefined)?.capture === true;
}
