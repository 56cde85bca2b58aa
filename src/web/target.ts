/**
 * Checks shared by the web operations: a clear TypeError, naming the fix,
 * when a caller hands over something that is not what the browser API needs.
 */
import { describe } from "../core/errors.js";

/** @internal The part of `EventTarget` the event operations use. */
export interface ListenerTarget {
  addEventListener(type: string, listener: EventListener, options?: AddEventListenerOptions | boolean): void;
  removeEventListener(type: string, listener: EventListener, options?: EventListenerOptions | boolean): void;
}

/** @internal Throws unless `target` can take listeners and `type` is an event name. */
export function checkEventTarget(what: string, target: unknown, type: unknown): asserts target is ListenerTarget {
  const t = target as Partial<ListenerTarget> | null;
  if (t === null || (typeof t !== "object" && typeof t !== "function") || typeof t.addEventListener !== "function" || typeof t.removeEventListener !== "function") {
    throw new TypeError(
      `${what} needs an EventTarget (an element, window, document, AbortSignal, WebSocket, MessagePort...) with ` +
        `addEventListener and removeEventListener, got ${describe(target)}. For a Node EventEmitter, wrap it ` +
        `(or use EventTarget); for a Promise, use waitPromise.`,
    );
  }
  if (typeof type !== "string" || type === "") {
    throw new TypeError(`${what} needs an event type such as "click", got ${describe(type)}.`);
  }
}

/** @internal Throws unless `value` is undefined or a function. */
export function checkOptionalFunction(what: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${what} must be a function (or left out), got ${describe(value)}.`);
  }
}

/** @internal Throws unless `options` is undefined or a plain object. */
export function checkOptions(what: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`${what} takes an options object (or nothing), got ${describe(options)}.`);
  }
}
