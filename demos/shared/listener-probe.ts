/**
 * Counts live event listeners on non-DOM event targets (AbortSignals,
 * XMLHttpRequests, EventSources…): the kind the runtime and the demos add
 * while talking to the network, and the kind that leaks if cancellation is
 * not cleaned up. DOM nodes and the window are left out: Preact and the
 * devtools own those.
 *
 * It wraps `EventTarget.prototype.addEventListener`/`removeEventListener`
 * once, on the demo pages only (imported first by every page). Listeners
 * removed implicitly (`once` after firing, or an options `signal` aborting)
 * are counted out too.
 */

type Key = string;

let live = 0;
const registered = new WeakMap<EventTarget, Map<Key, EventListenerOrEventListenerObject>>();
const ids = new WeakMap<object, number>();
let nextId = 1;

function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

function tracked(target: EventTarget): boolean {
  if (typeof Node !== "undefined" && target instanceof Node) return false;
  if (typeof Window !== "undefined" && target instanceof Window) return false;
  return true;
}

function captureOf(options: boolean | AddEventListenerOptions | EventListenerOptions | undefined): boolean {
  return typeof options === "boolean" ? options : options?.capture === true;
}

/** Live listeners on non-DOM targets right now. */
export function liveListeners(): number {
  return live;
}

const proto = EventTarget.prototype as EventTarget & { __trioProbe?: boolean };
if (proto.__trioProbe !== true) {
  proto.__trioProbe = true;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const forget = (target: EventTarget, key: Key) => {
    const map = registered.get(target);
    if (map?.delete(key) === true) live--;
  };
  proto.addEventListener = function (this: EventTarget, type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions) {
    if (listener === null || !tracked(this)) return add.call(this, type, listener, options);
    const key = `${type}|${idOf(listener)}|${captureOf(options)}`;
    let map = registered.get(this);
    if (map === undefined) registered.set(this, (map = new Map()));
    if (map.has(key)) return; // a duplicate registration is a no-op, as in the DOM
    const target = this;
    const once = typeof options === "object" && options.once === true;
    const inner: EventListenerOrEventListenerObject = once
      ? function (this: unknown, event: Event) {
          forget(target, key);
          return typeof listener === "function" ? listener.call(this, event) : listener.handleEvent(event);
        }
      : listener;
    map.set(key, inner);
    live++;
    const signal = typeof options === "object" ? options.signal : undefined;
    if (signal !== undefined) {
      if (signal.aborted) {
        map.delete(key);
        live--;
        return;
      }
      add.call(signal, "abort", () => forget(target, key), { once: true });
    }
    add.call(this, type, inner, options);
  };
  proto.removeEventListener = function (this: EventTarget, type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions) {
    if (listener === null || !tracked(this)) return remove.call(this, type, listener, options);
    const key = `${type}|${idOf(listener)}|${captureOf(options)}`;
    const inner = registered.get(this)?.get(key);
    if (inner === undefined) return remove.call(this, type, listener, options);
    forget(this, key);
    remove.call(this, type, inner, options);
  };
}
